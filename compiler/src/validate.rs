//! Validation of policy documents (SEMANTICS.md §1, V-rules) and their
//! normalisation into [`PolicyDocument`] (§2, N-rules). All errors of a
//! document are reported, in document order; a document with errors is never
//! evaluated (V15).

use std::collections::HashMap;

use verdict_grammar::{self as ast, Span, Spanned, StringList};
use verdict_runtime::{Operator as ConditionOperator, SetOp};

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{
    ConditionPair, Effect, Loc, Pattern, PolicyDocument, PolicyKind, PolicyVersion, Statement,
};
use crate::source::FileId;

/// Which rules apply to a document besides the identity-policy ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocContext {
    pub kind: PolicyKind,
    /// Written in the DSL: a missing `version` means 2012-10-17 there.
    pub dsl: bool,
}

/// Partitions accepted in resource ARNs (V10).
pub const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// Condition operator base names (C2), canonical spelling, with the runtime
/// operator each one compiles to.
pub const CONDITION_OPERATORS: &[(&str, ConditionOperator)] = &[
    ("StringEquals", ConditionOperator::StringEquals),
    ("StringNotEquals", ConditionOperator::StringNotEquals),
    (
        "StringEqualsIgnoreCase",
        ConditionOperator::StringEqualsIgnoreCase,
    ),
    (
        "StringNotEqualsIgnoreCase",
        ConditionOperator::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", ConditionOperator::StringLike),
    ("StringNotLike", ConditionOperator::StringNotLike),
    ("NumericEquals", ConditionOperator::NumericEquals),
    ("NumericNotEquals", ConditionOperator::NumericNotEquals),
    ("NumericLessThan", ConditionOperator::NumericLessThan),
    (
        "NumericLessThanEquals",
        ConditionOperator::NumericLessThanEquals,
    ),
    ("NumericGreaterThan", ConditionOperator::NumericGreaterThan),
    (
        "NumericGreaterThanEquals",
        ConditionOperator::NumericGreaterThanEquals,
    ),
    ("DateEquals", ConditionOperator::DateEquals),
    ("DateNotEquals", ConditionOperator::DateNotEquals),
    ("DateLessThan", ConditionOperator::DateLessThan),
    ("DateLessThanEquals", ConditionOperator::DateLessThanEquals),
    ("DateGreaterThan", ConditionOperator::DateGreaterThan),
    (
        "DateGreaterThanEquals",
        ConditionOperator::DateGreaterThanEquals,
    ),
    ("Bool", ConditionOperator::Bool),
    ("BinaryEquals", ConditionOperator::BinaryEquals),
    ("IpAddress", ConditionOperator::IpAddress),
    ("NotIpAddress", ConditionOperator::NotIpAddress),
    ("ArnEquals", ConditionOperator::ArnEquals),
    ("ArnLike", ConditionOperator::ArnLike),
    ("ArnNotEquals", ConditionOperator::ArnNotEquals),
    ("ArnNotLike", ConditionOperator::ArnNotLike),
    ("Null", ConditionOperator::Null),
];

/// Validates an identity policy (also used for boundaries). Returns the
/// normalised document, or `None` if it had errors.
pub fn identity_policy(
    policy: &ast::Policy,
    file: FileId,
    cx: DocContext,
    diags: &mut Diagnostics,
) -> Option<PolicyDocument> {
    let errors_before = diags.n_errors();
    let loc = |span: Span| Loc { file, span };

    let version = match &policy.version {
        None if cx.dsl => PolicyVersion::V2012_10_17,
        None => PolicyVersion::V2008_10_17,
        Some(v) if v.node == "2012-10-17" => PolicyVersion::V2012_10_17,
        Some(v) if v.node == "2008-10-17" => PolicyVersion::V2008_10_17,
        Some(v) => {
            diags.push(
                Diagnostic::error("E0101", format!("invalid policy version `{}`", v.node))
                    .at(file, v.span, "not a policy language version")
                    .with_help("use \"2012-10-17\""),
            );
            PolicyVersion::V2012_10_17
        }
    };
    if version == PolicyVersion::V2008_10_17 {
        let span = policy.version.as_ref().map_or(policy.span, |v| v.span);
        let what = if policy.version.is_some() {
            "version 2008-10-17"
        } else {
            "no `Version`"
        };
        if cx.kind == PolicyKind::Managed {
            diags.push(
                Diagnostic::error(
                    "E0102",
                    "policy document must be version 2012-10-17 or greater",
                )
                .at(file, span, format!("managed policy with {what}"))
                .with_help("add \"Version\": \"2012-10-17\""),
            );
        } else {
            diags.push(
                Diagnostic::warning(
                    "W0101",
                    format!("policy has {what}: policy variables are read as literal text"),
                )
                .at(file, span, "here")
                .with_help("add \"Version\": \"2012-10-17\""),
            );
        }
    }
    if let Some(id) = &policy.id {
        diags.push(
            Diagnostic::warning("W0102", "identity policies should not contain `Id`")
                .at(file, id.span, "ignored"),
        );
        check_chars(&id.node, id.span, file, diags);
    }

    let statements = match &policy.statements {
        None => {
            diags.push(
                Diagnostic::error("E0103", "policy document has no `Statement`").at(
                    file,
                    policy.span,
                    "missing `Statement`",
                ),
            );
            return None;
        }
        Some(s) if s.node.is_empty() => {
            diags.push(
                Diagnostic::error("E0103", "`Statement` must not be empty").at(
                    file,
                    s.span,
                    "empty statement list",
                ),
            );
            return None;
        }
        Some(s) => &s.node,
    };

    let mut sids: HashMap<&str, Span> = HashMap::new();
    let mut out = Vec::with_capacity(statements.len());
    for stmt in statements {
        if let Some(sid) = &stmt.sid {
            if !sid.node.chars().all(|c| c.is_ascii_alphanumeric()) {
                diags.push(
                    Diagnostic::error("E0110", "statement ids (Sid) must be alpha-numeric").at(
                        file,
                        sid.span,
                        "invalid `Sid`",
                    ),
                );
            } else if !sid.node.is_empty() {
                if let Some(first) = sids.get(sid.node.as_str()) {
                    diags.push(
                        Diagnostic::error(
                            "E0111",
                            format!("duplicate statement id `{}`", sid.node),
                        )
                        .at(file, sid.span, "used again here")
                        .with_related(file, *first, "first used here")
                        .with_help("statement ids must be unique within one policy"),
                    );
                } else {
                    sids.insert(&sid.node, sid.span);
                }
            }
        }
        for (principal, what) in [
            (&stmt.principal, "Principal"),
            (&stmt.not_principal, "NotPrincipal"),
        ] {
            if let Some(p) = principal {
                diags.push(
                    Diagnostic::error("E0104", "policy document should not specify a principal")
                        .at(
                            file,
                            p.span,
                            format!("`{what}` is only allowed in trust policies"),
                        ),
                );
            }
        }
        let effect = match &stmt.effect {
            Some(e) if e.node == "Allow" => Some(Effect::Allow),
            Some(e) if e.node == "Deny" => Some(Effect::Deny),
            Some(e) => {
                let help = match e.node.to_ascii_lowercase().as_str() {
                    "allow" => "write `Allow` (effects are case-sensitive)",
                    "deny" => "write `Deny` (effects are case-sensitive)",
                    _ => "the effect is `Allow` or `Deny`",
                };
                diags.push(
                    Diagnostic::error("E0105", format!("invalid effect `{}`", e.node))
                        .at(file, e.span, "not `Allow` or `Deny`")
                        .with_help(help),
                );
                None
            }
            None => {
                diags.push(Diagnostic::error("E0105", "statement has no `Effect`").at(
                    file,
                    stmt.span,
                    "missing `Effect`",
                ));
                None
            }
        };
        let actions = one_of(
            &stmt.action,
            &stmt.not_action,
            ("Action", "NotAction"),
            "E0106",
            "policy statement must contain actions",
            stmt.span,
            file,
            diags,
        );
        let resources = one_of(
            &stmt.resource,
            &stmt.not_resource,
            ("Resource", "NotResource"),
            "E0107",
            "policy statement must contain resources",
            stmt.span,
            file,
            diags,
        );
        if let Some((_, list)) = &actions {
            for a in *list {
                check_action(a, file, diags);
            }
        }
        if let Some((_, list)) = &resources {
            for r in *list {
                check_resource(r, version, file, diags);
            }
        }
        let mut conditions = Vec::new();
        if let Some(cond) = &stmt.condition {
            for op in &cond.node.operators {
                let parsed = check_operator(&op.name, file, diags);
                for entry in &op.entries {
                    if entry.values.node.is_empty() {
                        diags.push(
                            Diagnostic::error(
                                "E0114",
                                format!("condition key `{}` has no values", entry.key.node),
                            )
                            .at(file, entry.values.span, "empty list")
                            .with_help("give at least one value, or remove the key"),
                        );
                    }
                    check_chars(&entry.key.node, entry.key.span, file, diags);
                    for v in &entry.values.node {
                        if check_chars(&v.node, v.span, file, diags) {
                            if let Some(parsed) = &parsed {
                                check_condition_value(parsed, v, version, file, diags);
                            }
                        }
                    }
                    conditions.push(ConditionPair {
                        operator: op.name.node.clone(),
                        key: entry.key.node.clone(),
                        values: entry.values.node.iter().map(|v| v.node.clone()).collect(),
                        loc: loc(entry.key.span.to(entry.values.span)),
                    });
                }
            }
        }
        if let (Some(effect), Some((not_action, actions)), Some((not_resource, resources))) =
            (effect, actions, resources)
        {
            out.push(Statement {
                loc: loc(stmt.span),
                sid: stmt.sid.as_ref().map(|s| s.node.clone()),
                effect,
                not_action,
                actions: patterns(actions, file),
                not_resource,
                resources: patterns(resources, file),
                conditions,
                condition_loc: stmt.condition.as_ref().map(|c| loc(c.span)),
            });
        }
    }
    if diags.n_errors() > errors_before {
        return None;
    }
    Some(PolicyDocument {
        version,
        statements: out,
    })
}

/// Exactly one of two fields, non-empty (V8). Returns `(is_not, values)`.
#[expect(
    clippy::too_many_arguments,
    reason = "one call per field pair; a struct would only rename them"
)]
fn one_of<'a>(
    positive: &'a Option<StringList>,
    negative: &'a Option<StringList>,
    names: (&str, &str),
    code: &'static str,
    missing: &str,
    stmt_span: Span,
    file: FileId,
    diags: &mut Diagnostics,
) -> Option<(bool, &'a [Spanned<String>])> {
    let (is_not, list) = match (positive, negative) {
        (Some(p), None) => (false, p),
        (None, Some(n)) => (true, n),
        (Some(p), Some(n)) => {
            diags.push(
                Diagnostic::error(
                    code,
                    format!("statement has both `{}` and `{}`", names.0, names.1),
                )
                .at(file, n.span, format!("`{}` here", names.1))
                .with_related(file, p.span, format!("`{}` here", names.0))
                .with_help("a statement takes exactly one of them"),
            );
            return None;
        }
        (None, None) => {
            diags.push(Diagnostic::error(code, missing.to_string()).at(
                file,
                stmt_span,
                format!("no `{}` or `{}`", names.0, names.1),
            ));
            return None;
        }
    };
    if list.node.is_empty() {
        let name = if is_not { names.1 } else { names.0 };
        diags.push(
            Diagnostic::error(code, format!("`{name}` must not be an empty list")).at(
                file,
                list.span,
                "empty list",
            ),
        );
        return None;
    }
    Some((is_not, &list.node))
}

fn patterns(list: &[Spanned<String>], file: FileId) -> Vec<Pattern> {
    list.iter()
        .map(|s| Pattern {
            text: s.node.clone(),
            loc: Loc { file, span: s.span },
        })
        .collect()
}

/// V13: only TAB, LF, CR and U+0020–U+00FF.
fn check_chars(text: &str, span: Span, file: FileId, diags: &mut Diagnostics) -> bool {
    if let Some(c) = text
        .chars()
        .find(|&c| !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'))
    {
        diags.push(
            Diagnostic::error(
                "E0113",
                format!("policy contains the character {c:?} (U+{:04X})", c as u32),
            )
            .at(
                file,
                span,
                "only tab, line breaks and U+0020 to U+00FF are allowed",
            ),
        );
        return false;
    }
    true
}

/// V9 (and A5): the shape of one action string.
fn check_action(action: &Spanned<String>, file: FileId, diags: &mut Diagnostics) {
    let text = action.node.as_str();
    if !check_chars(text, action.span, file, diags) || text == "*" {
        return;
    }
    let Some((vendor, name)) = text.split_once(':') else {
        diags.push(
            Diagnostic::error("E0108", format!("action `{text}` has no service prefix"))
                .at(file, action.span, "expected `service:Action`")
                .with_help("actions must be prefaced by a vendor, e.g. `chime:ListUsers`"),
        );
        return;
    };
    if name.contains(':') {
        diags.push(
            Diagnostic::error(
                "E0108",
                format!("action `{text}` contains more than one colon"),
            )
            .at(file, action.span, "expected `service:Action`"),
        );
        return;
    }
    if vendor == "*" {
        diags.push(
            Diagnostic::warning("W0103", format!("action `{text}` has the vendor `*`")).at(
                file,
                action.span,
                "matches this action name in every service",
            ),
        );
    } else if vendor.is_empty()
        || !vendor
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        diags.push(
            Diagnostic::error("E0108", format!("vendor `{vendor}` is not valid")).at(
                file,
                action.span,
                "service prefixes are letters, digits, `.` and `-`",
            ),
        );
        return;
    }
    if name.is_empty() || name.chars().any(char::is_whitespace) {
        diags.push(
            Diagnostic::warning("W0104", format!("action `{text}` matches nothing"))
                .at(file, action.span, "empty or contains white space")
                .with_help("IAM does not trim action names; remove the white space"),
        );
        return;
    }
    if let Some(c) = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '*' | '?' | '-')))
    {
        diags.push(
            Diagnostic::error(
                "E0108",
                format!("action `{text}` contains the character `{c}`"),
            )
            .at(
                file,
                action.span,
                "action names are letters, digits, `-`, `*` and `?`",
            ),
        );
    }
}

/// V10 (and R5, R6): the shape of one resource string.
fn check_resource(
    resource: &Spanned<String>,
    version: PolicyVersion,
    file: FileId,
    diags: &mut Diagnostics,
) {
    let text = resource.node.as_str();
    if !check_chars(text, resource.span, file, diags) || text == "*" {
        return;
    }
    if !text.starts_with("arn:") {
        diags.push(
            Diagnostic::error(
                "E0109",
                format!("resource `{text}` must be in ARN format or `*`"),
            )
            .at(file, resource.span, "not an ARN")
            .with_help("write `*` or an ARN such as `arn:aws:chime::111122223333:meeting/*`"),
        );
        return;
    }
    let fields: Vec<&str> = text.splitn(6, ':').collect();
    let partition = fields.get(1).copied().unwrap_or("");
    if partition != "*" && !PARTITIONS.contains(&partition) {
        diags.push(
            Diagnostic::error(
                "E0109",
                format!("partition `{partition}` is not valid for resource `{text}`"),
            )
            .at(file, resource.span, "unknown partition")
            .with_help("partitions are `aws`, `aws-cn`, `aws-us-gov`, … or `*`"),
        );
        return;
    }
    if let Some(service) = fields.get(2) {
        if service.contains(['*', '?']) || service.contains("${") {
            diags.push(
                Diagnostic::error(
                    "E0109",
                    "resource vendor must be fully qualified and cannot contain regexes",
                )
                .at(file, resource.span, format!("service `{service}`")),
            );
            return;
        }
    }
    if fields.len() < 6 {
        diags.push(
            Diagnostic::warning(
                "W0105",
                format!("resource `{text}` has fewer than 6 ARN fields"),
            )
            .at(file, resource.span, "missing fields are read as `*`"),
        );
    }
    if version == PolicyVersion::V2012_10_17 {
        let head_len = fields.iter().take(5).map(|f| f.len() + 1).sum::<usize>();
        if text
            .get(..head_len.min(text.len()))
            .is_some_and(|head| head.contains("${"))
        {
            diags.push(
                Diagnostic::warning(
                    "W0106",
                    "policy variable before the resource part of an ARN",
                )
                .at(file, resource.span, "read as literal text"),
            );
        }
    }
}

/// Parsed condition operator name (N3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    pub set: Option<SetPrefix>,
    /// Canonical base name, e.g. `StringLike`.
    pub base: &'static str,
    /// The runtime operator of `base`.
    pub op: ConditionOperator,
    pub if_exists: bool,
}

impl Operator {
    /// The runtime set prefix. A prefix on `Null` is accepted and ignored
    /// (C14, warning W0110), so it becomes [`SetOp::None`].
    pub fn set_op(&self) -> SetOp {
        match self.set {
            _ if self.op == ConditionOperator::Null => SetOp::None,
            None => SetOp::None,
            Some(SetPrefix::ForAllValues) => SetOp::ForAllValues,
            Some(SetPrefix::ForAnyValue) => SetOp::ForAnyValue,
        }
    }

    /// Whether policy variables are substituted in this operator's values in a
    /// `2012-10-17` document: String*, Arn* and Bool (C-VAR-1, §12 D5). In the
    /// values of every other operator `${` is literal text.
    pub fn takes_variables(&self) -> bool {
        use ConditionOperator as O;
        matches!(
            self.op,
            O::StringEquals
                | O::StringNotEquals
                | O::StringEqualsIgnoreCase
                | O::StringNotEqualsIgnoreCase
                | O::StringLike
                | O::StringNotLike
                | O::ArnEquals
                | O::ArnLike
                | O::ArnNotEquals
                | O::ArnNotLike
                | O::Bool
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetPrefix {
    ForAllValues,
    ForAnyValue,
}

/// Parses an operator name per C2, case-insensitively. `Err` says why not.
pub fn parse_operator(name: &str) -> Result<Operator, String> {
    let (set, rest) = match name.split_once(':') {
        Some((prefix, rest)) => {
            let set = if prefix.eq_ignore_ascii_case("ForAllValues") {
                SetPrefix::ForAllValues
            } else if prefix.eq_ignore_ascii_case("ForAnyValue") {
                SetPrefix::ForAnyValue
            } else {
                return Err(format!("unknown set operator prefix `{prefix}`"));
            };
            if rest.contains(':') {
                return Err("an operator takes at most one set prefix".to_string());
            }
            (Some(set), rest)
        }
        None => (None, name),
    };
    let (base_text, if_exists) = match rest.len().checked_sub("IfExists".len()) {
        Some(cut) if rest.is_char_boundary(cut) && rest[cut..].eq_ignore_ascii_case("IfExists") => {
            (&rest[..cut], true)
        }
        _ => (rest, false),
    };
    let (base, op) = CONDITION_OPERATORS
        .iter()
        .find(|(b, _)| b.eq_ignore_ascii_case(base_text))
        .ok_or_else(|| format!("unknown condition operator `{name}`"))?;
    if *op == ConditionOperator::Null && if_exists {
        return Err("`Null` does not take `IfExists`".to_string());
    }
    Ok(Operator {
        set,
        base,
        op: *op,
        if_exists,
    })
}

/// C2: the operator name must be known; non-canonical case is a warning, and
/// so is a set prefix on `Null` (C14).
fn check_operator(
    name: &Spanned<String>,
    file: FileId,
    diags: &mut Diagnostics,
) -> Option<Operator> {
    match parse_operator(&name.node) {
        Ok(op) => {
            let canonical = format!(
                "{}{}{}",
                match op.set {
                    Some(SetPrefix::ForAllValues) => "ForAllValues:",
                    Some(SetPrefix::ForAnyValue) => "ForAnyValue:",
                    None => "",
                },
                op.base,
                if op.if_exists { "IfExists" } else { "" }
            );
            if canonical != name.node {
                diags.push(
                    Diagnostic::warning(
                        "W0107",
                        format!(
                            "condition operator `{}` is not spelled canonically",
                            name.node
                        ),
                    )
                    .at(file, name.span, format!("read as `{canonical}`")),
                );
            }
            if op.op == ConditionOperator::Null && op.set.is_some() {
                diags.push(
                    Diagnostic::warning(
                        "W0110",
                        format!(
                            "set operator prefix on `Null` is ignored in `{}`",
                            name.node
                        ),
                    )
                    .at(file, name.span, "read as `Null`")
                    .with_help(
                        "write `Null`: it tests whether the key is present (SEMANTICS.md C14)",
                    ),
                );
            }
            Some(op)
        }
        Err(why) => {
            diags.push(Diagnostic::error("E0112", why).at(
                file,
                name.span,
                "not a condition operator",
            ));
            None
        }
    }
}

/// One policy value of a condition operator: typed values (numbers, dates,
/// networks, base64; C9, C10, C12, C13) are read by the runtime's own parser,
/// so the compiler rejects exactly what a table could not hold (E0115); and
/// C11 for `Bool` (W0108).
fn check_condition_value(
    op: &Operator,
    value: &Spanned<String>,
    version: PolicyVersion,
    file: FileId,
    diags: &mut Diagnostics,
) {
    let text = value.node.as_str();
    if let Err(why) = verdict_runtime::validate_policy_value(op.op, text) {
        diags.push(
            Diagnostic::error("E0115", format!("invalid `{}` value: {why}", op.base))
                .at(file, value.span, "cannot be read")
                .with_help(value_help(op.op)),
        );
        return;
    }
    let has_variable =
        version == PolicyVersion::V2012_10_17 && op.takes_variables() && text.contains("${");
    if op.op == ConditionOperator::Bool
        && !has_variable
        && !text.eq_ignore_ascii_case("true")
        && !text.eq_ignore_ascii_case("false")
    {
        diags.push(
            Diagnostic::warning(
                "W0108",
                format!("`Bool` value `{text}` is neither `true` nor `false`"),
            )
            .at(file, value.span, "this value never matches")
            .with_help("write \"true\" or \"false\" (SEMANTICS.md C11)"),
        );
    }
}

/// What a value of a typed operator looks like.
fn value_help(op: ConditionOperator) -> &'static str {
    use ConditionOperator as O;
    match op {
        O::NumericEquals
        | O::NumericNotEquals
        | O::NumericLessThan
        | O::NumericLessThanEquals
        | O::NumericGreaterThan
        | O::NumericGreaterThanEquals => "write a decimal number such as `3600` or `-1.5` (SEMANTICS.md C9)",
        O::DateEquals
        | O::DateNotEquals
        | O::DateLessThan
        | O::DateLessThanEquals
        | O::DateGreaterThan
        | O::DateGreaterThanEquals => {
            "write an ISO 8601 date such as `2030-01-01T00:00:00Z`, or epoch seconds (SEMANTICS.md C10)"
        }
        O::IpAddress | O::NotIpAddress => {
            "write an IPv4 or IPv6 address or network such as `203.0.113.0/24` (SEMANTICS.md C13)"
        }
        O::BinaryEquals => "write base64 such as `QmluYXJ5` (SEMANTICS.md C12)",
        _ => "see SEMANTICS.md C2",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_parse_per_c2() {
        let op = parse_operator("ForAnyValue:StringLikeIfExists").unwrap();
        assert_eq!(
            op,
            Operator {
                set: Some(SetPrefix::ForAnyValue),
                base: "StringLike",
                op: ConditionOperator::StringLike,
                if_exists: true
            }
        );
        assert_eq!(parse_operator("stringequals").unwrap().base, "StringEquals");
        assert!(parse_operator("NullIfExists").is_err());
        assert!(parse_operator("ForAllValues:ForAnyValue:StringLike").is_err());
        assert!(parse_operator("StringMatches").is_err());
        assert!(parse_operator("Sometimes:StringLike").is_err());
        assert!(parse_operator("ForAllValues:Null").is_ok());
    }
}
