//! Printers: policy trees back to text. [`policy_to_json`] writes an IAM JSON
//! policy document, [`policy_to_dsl`] a `.vp` `policy NAME { … }` item in the
//! formatter's canonical layout, and [`dsl_text`] / [`quoted`] spell one text
//! of either language.
//!
//! "Exact in meaning" is the contract: reading the printed text back gives
//! the same tree (spans aside), except that an absent `Version` is printed
//! as the default of the language the tree was read from ([`Origin`]), since
//! the two languages default differently (SEMANTICS.md V2; README "The DSL").
//! A tree the DSL cannot spell (IAM rejects all of them: see
//! `grammar/verdict.ebnf`, "Not expressible") is a [`ConvertError`], never a
//! silently different policy. Nothing here checks meaning beyond that.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Write as _;

use crate::ast::{Condition, Policy, Principal, Statement, StringList};
use crate::span::Span;

/// The language a policy tree was read from. It decides what an absent
/// `Version` means: `2012-10-17` in the DSL, `2008-10-17` in IAM JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Dsl,
    Json,
}

impl Origin {
    /// The version a policy without `Version` has in this language (V2).
    pub fn default_version(self) -> &'static str {
        match self {
            Origin::Dsl => "2012-10-17",
            Origin::Json => "2008-10-17",
        }
    }
}

/// A policy tree that the target language cannot express, or an internal
/// failure of the printer; `span` points into the text the tree was read
/// from.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConvertError {
    pub span: Span,
    pub message: String,
}

impl ConvertError {
    fn new(span: Span, message: impl Into<String>) -> ConvertError {
        ConvertError {
            span,
            message: message.into(),
        }
    }
}

/// The DSL spelling of a text: a bare word when it is one (see `word` in
/// `grammar/verdict.ebnf`), else a quoted string. Keywords are not quoted:
/// they are keywords only by position, and the formatter quotes the one
/// position where it matters (`not` first in an action or resource list).
pub fn dsl_text(text: &str) -> Cow<'_, str> {
    let bare = !text.is_empty()
        && text.chars().all(crate::dsl::is_word_char)
        && !text.starts_with("//")
        && !text.starts_with("/*");
    if bare {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(quoted(text))
    }
}

/// A JSON string literal, which is also a DSL string: `"`, `\` and control
/// characters escaped, everything else as it is.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------
// IAM JSON
// ---------------------------------------------------------------------------

/// The IAM JSON document of `policy`, pretty-printed with two-space indents
/// and a final line feed. Keys come in the order `Version`, `Id`,
/// `Statement`; `Sid`, `Effect`, `Principal`, `NotPrincipal`, `Action`,
/// `NotAction`, `Resource`, `NotResource`, `Condition`. A one-element list is
/// written as a plain string (the same to IAM, N1). Condition values are
/// strings: a DSL `true` is the text "true", as JSON `true` is (V12).
///
/// An absent `Version` is written as `origin`'s default; an absent
/// `Statement` stays absent. Every tree has a JSON spelling, so this cannot
/// fail.
pub fn policy_to_json(policy: &Policy, origin: Origin) -> String {
    let mut out = String::from("{\n");
    let mut members: Vec<String> = Vec::new();
    let version = match (&policy.version, origin) {
        (Some(version), _) => Some(version.node.as_str()),
        (None, Origin::Dsl) => Some(origin.default_version()),
        (None, Origin::Json) => None,
    };
    if let Some(version) = version {
        members.push(format!("  \"Version\": {}", quoted(version)));
    }
    if let Some(id) = &policy.id {
        members.push(format!("  \"Id\": {}", quoted(&id.node)));
    }
    if let Some(statements) = &policy.statements {
        let mut text = String::from("  \"Statement\": [");
        let items: Vec<String> = statements.node.iter().map(json_statement).collect();
        if items.is_empty() {
            text.push(']');
        } else {
            text.push('\n');
            text.push_str(&items.join(",\n"));
            text.push_str("\n  ]");
        }
        members.push(text);
    }
    out.push_str(&members.join(",\n"));
    if !members.is_empty() {
        out.push('\n');
    }
    out.push_str("}\n");
    out
}

/// One statement object, indented for its place in `Statement`.
fn json_statement(st: &Statement) -> String {
    const IN: &str = "      ";
    let mut members: Vec<String> = Vec::new();
    if let Some(sid) = &st.sid {
        members.push(format!("{IN}\"Sid\": {}", quoted(&sid.node)));
    }
    if let Some(effect) = &st.effect {
        members.push(format!("{IN}\"Effect\": {}", quoted(&effect.node)));
    }
    for (key, principal) in [
        ("Principal", &st.principal),
        ("NotPrincipal", &st.not_principal),
    ] {
        if let Some(principal) = principal {
            let value = match &principal.node {
                Principal::Bare(text) => quoted(&text.node),
                Principal::Map(map) if map.is_empty() => "{}".to_owned(),
                Principal::Map(map) => {
                    let entries: Vec<String> = map
                        .iter()
                        .map(|(kind, values)| {
                            format!(
                                "{IN}  {}: {}",
                                quoted(&kind.node),
                                json_list(values, &format!("{IN}  "))
                            )
                        })
                        .collect();
                    format!("{{\n{}\n{IN}}}", entries.join(",\n"))
                }
            };
            members.push(format!("{IN}\"{key}\": {value}"));
        }
    }
    // An implied DSL resource is written out as `"Resource": "*"`.
    let resource = st.resource_or_implied();
    for (key, list) in [
        ("Action", &st.action),
        ("NotAction", &st.not_action),
        ("Resource", &resource),
        ("NotResource", &st.not_resource),
    ] {
        if let Some(list) = list {
            members.push(format!("{IN}\"{key}\": {}", json_list(list, IN)));
        }
    }
    if let Some(condition) = &st.condition {
        members.push(format!(
            "{IN}\"Condition\": {}",
            json_condition(&condition.node, IN)
        ));
    }
    if members.is_empty() {
        return "    {}".to_owned();
    }
    format!("    {{\n{}\n    }}", members.join(",\n"))
}

/// A list of strings: one element as a plain string, none as `[]`, several
/// as an array with one element per line (`indent` is the indent of the
/// line holding the key).
fn json_list(list: &StringList, indent: &str) -> String {
    match list.node.as_slice() {
        [] => "[]".to_owned(),
        [one] => quoted(&one.node),
        many => {
            let items: Vec<String> = many
                .iter()
                .map(|item| format!("{indent}  {}", quoted(&item.node)))
                .collect();
            format!("[\n{}\n{indent}]", items.join(",\n"))
        }
    }
}

/// `Condition`: operator → key → values.
fn json_condition(condition: &Condition, indent: &str) -> String {
    if condition.operators.is_empty() {
        return "{}".to_owned();
    }
    let operators: Vec<String> = condition
        .operators
        .iter()
        .map(|op| {
            let inner = format!("{indent}    ");
            let body = if op.entries.is_empty() {
                "{}".to_owned()
            } else {
                let entries: Vec<String> = op
                    .entries
                    .iter()
                    .map(|e| {
                        format!(
                            "{inner}{}: {}",
                            quoted(&e.key.node),
                            json_list(&e.values, &inner)
                        )
                    })
                    .collect();
                format!("{{\n{}\n{indent}  }}", entries.join(",\n"))
            };
            format!("{indent}  {}: {body}", quoted(&op.name.node))
        })
        .collect();
    format!("{{\n{}\n{indent}}}", operators.join(",\n"))
}

// ---------------------------------------------------------------------------
// The DSL
// ---------------------------------------------------------------------------

/// The DSL item `policy NAME { … }` for `policy`, in the formatter's
/// canonical layout, ending with a line feed. Parsing it gives `policy` back
/// (spans aside), with an absent `Version` made explicit as `origin`'s
/// default.
///
/// # Errors
/// The constructs the DSL has no spelling for, because IAM rejects them
/// anyway: no `Statement`; an `Effect` other than exactly `Allow` or `Deny`;
/// both or neither of `Action` and `NotAction`; an empty `Action`,
/// `NotAction`, `Resource` or `NotResource` list; a statement with neither a
/// resource nor a principal element (the DSL would add `Resource: "*"`); a
/// `Principal` object that is empty or has a key other than `AWS`,
/// `Service`, `Federated` and `CanonicalUser`. The first one found is
/// reported, at its span.
pub fn policy_to_dsl(name: &str, policy: &Policy, origin: Origin) -> Result<String, ConvertError> {
    let mut src = format!("policy {} {{\n", quoted(name));
    let version = match (&policy.version, origin) {
        (Some(version), _) => Some(version.node.as_str()),
        (None, Origin::Json) => Some(origin.default_version()),
        (None, Origin::Dsl) => None,
    };
    if let Some(version) = version {
        let _ = writeln!(src, "version {}", quoted(version));
    }
    if let Some(id) = &policy.id {
        let _ = writeln!(src, "id {}", quoted(&id.node));
    }
    let Some(statements) = &policy.statements else {
        return Err(ConvertError::new(
            policy.span,
            "the policy has no `Statement`, which the DSL cannot express",
        ));
    };
    for (n, st) in statements.node.iter().enumerate() {
        if n > 0 {
            // A blank line between statements; the formatter keeps it.
            src.push('\n');
        }
        dsl_statement(&mut src, st)?;
    }
    src.push_str("}\n");
    // The text comes from a tree that was already read: no limits on it.
    let unbounded = crate::ParseLimits {
        input_bytes: usize::MAX,
        json_depth: usize::MAX,
        string_bytes: usize::MAX,
        statements: usize::MAX,
    };
    crate::dsl::format_with(&src, &unbounded)
        .map_err(|e| ConvertError::new(policy.span, format!("internal error: {e}")))
}

/// Appends one statement, every text quoted (the formatter unquotes).
fn dsl_statement(out: &mut String, st: &Statement) -> Result<(), ConvertError> {
    let not_expressible = |span: Span, what: &str| {
        Err(ConvertError::new(
            span,
            format!("{what}, which the DSL cannot express"),
        ))
    };
    if let Some(sid) = &st.sid {
        let _ = writeln!(out, "sid {}", quoted(&sid.node));
    }
    match &st.effect {
        Some(effect) if effect.node == "Allow" => out.push_str("allow "),
        Some(effect) if effect.node == "Deny" => out.push_str("deny "),
        Some(effect) => {
            return not_expressible(
                effect.span,
                &format!("the effect `{}` is neither `Allow` nor `Deny`", effect.node),
            )
        }
        None => return not_expressible(st.span, "the statement has no `Effect`"),
    }
    match (&st.action, &st.not_action) {
        (Some(actions), None) => dsl_list(out, actions, "`Action`")?,
        (None, Some(actions)) => {
            out.push_str("not ");
            dsl_list(out, actions, "`NotAction`")?;
        }
        (Some(_), Some(_)) => {
            return not_expressible(st.span, "the statement has both `Action` and `NotAction`")
        }
        (None, None) => {
            return not_expressible(
                st.span,
                "the statement has neither `Action` nor `NotAction`",
            )
        }
    }
    let no_principal = st.principal.is_none() && st.not_principal.is_none();
    // `Resource: "*"` alone is what the DSL gives a statement without `on`.
    let star_only = st
        .resource
        .as_ref()
        .is_some_and(|r| matches!(r.node.as_slice(), [one] if one.node == "*"))
        && st.not_resource.is_none()
        && no_principal;
    match &st.resource {
        Some(resources) if !star_only => {
            out.push_str(" on ");
            dsl_list(out, resources, "`Resource`")?;
        }
        _ => {}
    }
    if let Some(resources) = &st.not_resource {
        out.push_str(" on not ");
        dsl_list(out, resources, "`NotResource`")?;
    }
    let no_resource =
        st.resource.is_none() && st.not_resource.is_none() && st.implied_resource.is_none();
    if no_resource && no_principal {
        return not_expressible(
            st.span,
            "the statement has no `Resource` (nor `NotResource` or `Principal`)",
        );
    }
    if let Some(condition) = &st.condition {
        dsl_condition(out, &condition.node)?;
    }
    if let Some(principal) = &st.principal {
        out.push_str(" principal ");
        dsl_principal(out, &principal.node, principal.span)?;
    }
    if let Some(principal) = &st.not_principal {
        out.push_str(" not principal ");
        dsl_principal(out, &principal.node, principal.span)?;
    }
    out.push('\n');
    Ok(())
}

/// `a, b, c` (non-empty; `what` names the element in the error).
fn dsl_list(out: &mut String, list: &StringList, what: &str) -> Result<(), ConvertError> {
    if list.node.is_empty() {
        return Err(ConvertError::new(
            list.span,
            format!("the {what} list is empty, which the DSL cannot express"),
        ));
    }
    let items: Vec<String> = list.node.iter().map(|t| quoted(&t.node)).collect();
    out.push_str(&items.join(", "));
    Ok(())
}

/// A `value_list`: one value, or `[a, b]` (also for none or several).
fn dsl_values(list: &StringList) -> String {
    match list.node.as_slice() {
        [one] => quoted(&one.node),
        many => {
            let items: Vec<String> = many.iter().map(|t| quoted(&t.node)).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

/// ` when { … }`: an operator with one key as `Op K = V`, others grouped as
/// `Op { K1 = V1 K2 = V2 }`. A tree with an operator twice, or a key twice
/// under one operator, cannot come from either reader; the DSL would merge
/// or reject it, so it is an error here.
fn dsl_condition(out: &mut String, condition: &Condition) -> Result<(), ConvertError> {
    out.push_str(" when {");
    let mut operators = HashSet::new();
    for op in &condition.operators {
        if !operators.insert(op.name.node.as_str()) {
            return Err(ConvertError::new(
                op.name.span,
                format!("the condition operator `{}` appears twice", op.name.node),
            ));
        }
        let mut keys = HashSet::new();
        if let Some(dup) = op
            .entries
            .iter()
            .find(|e| !keys.insert(e.key.node.as_str()))
        {
            return Err(ConvertError::new(
                dup.key.span,
                format!("the condition key `{}` appears twice", dup.key.node),
            ));
        }
        let _ = write!(out, " {}", quoted(&op.name.node));
        match op.entries.as_slice() {
            [one] => {
                let _ = write!(
                    out,
                    " {} = {}",
                    quoted(&one.key.node),
                    dsl_values(&one.values)
                );
            }
            entries => {
                out.push_str(" {");
                for e in entries {
                    let _ = write!(out, " {} = {}", quoted(&e.key.node), dsl_values(&e.values));
                }
                out.push_str(" }");
            }
        }
    }
    out.push_str(" }");
    Ok(())
}

/// `*`, `"text"`, or `aws V, service V, …`.
fn dsl_principal(out: &mut String, principal: &Principal, span: Span) -> Result<(), ConvertError> {
    match principal {
        Principal::Bare(text) => out.push_str(&quoted(&text.node)),
        Principal::Map(map) if map.is_empty() => {
            return Err(ConvertError::new(
                span,
                "the principal object is empty, which the DSL cannot express",
            ))
        }
        Principal::Map(map) => {
            let mut seen = HashSet::new();
            let mut entries = Vec::with_capacity(map.len());
            for (kind, values) in map {
                let keyword = match kind.node.as_str() {
                    "AWS" => "aws",
                    "Service" => "service",
                    "Federated" => "federated",
                    "CanonicalUser" => "canonical_user",
                    other => {
                        return Err(ConvertError::new(
                            kind.span,
                            format!(
                                "the principal type `{other}` is none of `AWS`, `Service`, `Federated` and `CanonicalUser`, which the DSL cannot express"
                            ),
                        ))
                    }
                };
                if !seen.insert(keyword) {
                    return Err(ConvertError::new(
                        kind.span,
                        format!("the principal type `{}` appears twice", kind.node),
                    ));
                }
                entries.push(format!("{keyword} {}", dsl_values(values)));
            }
            out.push_str(&entries.join(", "));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
