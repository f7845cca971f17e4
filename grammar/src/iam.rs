//! IAM JSON policy documents: the shape rules of SEMANTICS.md §1 that are
//! plain syntax, checked on a [`Json`] tree, giving a [`Policy`].
//!
//! Checked here: which keys an object may have (V1, V5), repeated keys (V1),
//! and the JSON type of every value (V2–V5, V11, V12). Not checked here, because
//! they are about values and meaning: `Version` and `Effect` spelling, empty
//! arrays (V8), `Action`/`NotAction` both present or both absent (V8),
//! `Principal` in an identity policy (V6), operator names, action and ARN
//! formats. All errors are collected, in document order (V15).
//!
//! Also home of the small helpers the account-dump reader shares: [`Path`]
//! for error locations and [`Errors`] for collecting errors.

/*
Spans. A `Spanned<String>` read from a JSON string (key or value) spans the
string token including its quotes. A string-or-array value
(`Spanned<Vec<Spanned<String>>>`) spans the whole value: for a bare string
that is the same span as its one item. Condition values converted from a
boolean or a number (V12) span the literal, e.g. `true` or `10`.

Error locations. `WrongType` names the offending value by a path from the
document root such as `Statement[1].Condition.StringEquals.aws:SourceIp[0]`
(`Statement.Effect` when `Statement` is one object); inside an account dump
the path starts at the dump's root. `UnknownKey` and `DuplicateKey` point at
the key, `WrongType` at the value.

A repeated key is reported at its second (third, ...) occurrence; its value
is still checked so that every error is reported, but the tree keeps the
first occurrence.
*/

use std::{collections::HashSet, fmt};

use crate::{
    ast::{
        Condition, ConditionEntry, ConditionOperator, Json, JsonKind, Policy, Principal, Statement,
    },
    error::{ParseError, ParseErrorKind},
    limits::ParseLimits,
    span::{Span, Spanned},
};

/// Parses and shape-checks one IAM JSON policy document.
pub(crate) fn parse_policy(src: &str, limits: &ParseLimits) -> Result<Policy, Vec<ParseError>> {
    let json = crate::json::parse(src, limits).map_err(|e| vec![e])?;
    policy_from_json(&json, limits)
}

/// Shape-checks an already parsed policy document.
pub(crate) fn policy_from_json(
    value: &Json,
    limits: &ParseLimits,
) -> Result<Policy, Vec<ParseError>> {
    let mut errors = Errors::new(limits);
    let policy = policy_at(value, Path::Root, &mut errors);
    match policy {
        Some(policy) if errors.is_empty() => Ok(policy),
        _ => Err(errors.into_sorted()),
    }
}

/// Reads the policy document `value` found at `path`, adding shape errors to
/// `errors`. `None` only when `value` is not an object; otherwise a tree that
/// is meaningful only if no error was added.
pub(crate) fn policy_at(value: &Json, path: Path<'_>, errors: &mut Errors) -> Option<Policy> {
    let members = errors.object(value, path, "policy document")?;
    let mut policy = Policy {
        span: value.span,
        version: None,
        id: None,
        statements: None,
    };
    let mut seen = Seen::default();
    for (key, value) in members {
        let first = seen.first(key, errors);
        let at = Path::Key(&path, &key.node);
        match key.node.as_str() {
            "Version" => set(&mut policy.version, first, errors.string(value, at)),
            "Id" => set(&mut policy.id, first, errors.string(value, at)),
            "Statement" => set(&mut policy.statements, first, statements(value, at, errors)),
            _ => errors.unknown_key(key, "policy document"),
        }
    }
    Some(policy)
}

/// `Statement`: one statement object or an array of them (V4).
fn statements(
    value: &Json,
    path: Path<'_>,
    errors: &mut Errors,
) -> Option<Spanned<Vec<Statement>>> {
    let statements = match &value.kind {
        JsonKind::Object(members) => vec![statement(value.span, members, path, errors)],
        JsonKind::Array(items) if items.len() > errors.max_statements => {
            let extra = items
                .get(errors.max_statements)
                .map_or(value.span, |i| i.span);
            errors.push(
                extra,
                ParseErrorKind::TooManyStatements(errors.max_statements),
            );
            return None;
        }
        JsonKind::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(idx, item)| {
                let at = Path::Index(&path, idx);
                let members = errors.object(item, at, "statement")?;
                Some(statement(item.span, members, at, errors))
            })
            .collect(),
        _ => {
            errors.wrong_type(value, path, "an object or an array of objects");
            return None;
        }
    };
    Some(Spanned::new(statements, value.span))
}

/// One statement object (V5).
fn statement(
    span: Span,
    members: &[(Spanned<String>, Json)],
    path: Path<'_>,
    errors: &mut Errors,
) -> Statement {
    let mut st = Statement::empty(span);
    let mut seen = Seen::default();
    for (key, value) in members {
        let first = seen.first(key, errors);
        let at = Path::Key(&path, &key.node);
        match key.node.as_str() {
            "Sid" => set(&mut st.sid, first, errors.string(value, at)),
            "Effect" => set(&mut st.effect, first, errors.string(value, at)),
            "Action" => set(&mut st.action, first, errors.string_list(value, at)),
            "NotAction" => set(&mut st.not_action, first, errors.string_list(value, at)),
            "Resource" => set(&mut st.resource, first, errors.string_list(value, at)),
            "NotResource" => set(&mut st.not_resource, first, errors.string_list(value, at)),
            "Principal" => set(&mut st.principal, first, principal(value, at, errors)),
            "NotPrincipal" => set(&mut st.not_principal, first, principal(value, at, errors)),
            "Condition" => set(&mut st.condition, first, condition(value, at, errors)),
            _ => errors.unknown_key(key, "statement"),
        }
    }
    st
}

/// `Principal` / `NotPrincipal`: a bare string such as `"*"`, or a map of
/// principal type to a string or an array of strings.
fn principal(value: &Json, path: Path<'_>, errors: &mut Errors) -> Option<Spanned<Principal>> {
    let principal = match &value.kind {
        JsonKind::String(text) => Principal::Bare(Spanned::new(text.clone(), value.span)),
        JsonKind::Object(members) => {
            let mut map = Vec::with_capacity(members.len());
            let mut seen = Seen::default();
            for (key, value) in members {
                let first = seen.first(key, errors);
                if let Some(list) = errors.string_list(value, Path::Key(&path, &key.node)) {
                    if first {
                        map.push((key.clone(), list));
                    }
                }
            }
            Principal::Map(map)
        }
        _ => {
            errors.wrong_type(value, path, "a string or an object");
            return None;
        }
    };
    Some(Spanned::new(principal, value.span))
}

/// `Condition`: operator → key → value or array of values (V12).
fn condition(value: &Json, path: Path<'_>, errors: &mut Errors) -> Option<Spanned<Condition>> {
    let members = errors.object(value, path, "condition")?;
    let mut operators = Vec::with_capacity(members.len());
    let mut seen_ops = Seen::default();
    for (op, block) in members {
        let first_op = seen_ops.first(op, errors);
        let op_path = Path::Key(&path, &op.node);
        let Some(entries) = errors.object(block, op_path, "condition operator") else {
            continue;
        };
        let mut operator = ConditionOperator {
            name: op.clone(),
            entries: Vec::with_capacity(entries.len()),
        };
        let mut seen_keys = Seen::default();
        for (key, values) in entries {
            let first_key = seen_keys.first(key, errors);
            if let Some(values) = condition_values(values, Path::Key(&op_path, &key.node), errors) {
                if first_key {
                    operator.entries.push(ConditionEntry {
                        key: key.clone(),
                        values,
                    });
                }
            }
        }
        if first_op {
            operators.push(operator);
        }
    }
    Some(Spanned::new(Condition { operators }, value.span))
}

/// A condition value: a string, boolean or number, or an array of those,
/// each converted to its text (V12).
fn condition_values(
    value: &Json,
    path: Path<'_>,
    errors: &mut Errors,
) -> Option<Spanned<Vec<Spanned<String>>>> {
    const EXPECTED: &str = "a string, a boolean, a number or an array of those";
    let values = match &value.kind {
        JsonKind::Array(items) => {
            let mut values = Vec::with_capacity(items.len());
            let mut ok = true;
            for (idx, item) in items.iter().enumerate() {
                match scalar_text(item) {
                    Some(text) => values.push(text),
                    None => {
                        ok = false;
                        errors.wrong_type(
                            item,
                            Path::Index(&path, idx),
                            "a string, a boolean or a number",
                        );
                    }
                }
            }
            if !ok {
                return None;
            }
            values
        }
        _ => match scalar_text(value) {
            Some(text) => vec![text],
            None => {
                errors.wrong_type(value, path, EXPECTED);
                return None;
            }
        },
    };
    Some(Spanned::new(values, value.span))
}

/// The text of a condition value (V12): strings as they are, `true`/`false`,
/// numbers as written. `None` for null, arrays and objects.
fn scalar_text(value: &Json) -> Option<Spanned<String>> {
    let text = match &value.kind {
        JsonKind::String(text) | JsonKind::Number(text) => text.clone(),
        JsonKind::Bool(b) => b.to_string(),
        JsonKind::Null | JsonKind::Array(_) | JsonKind::Object(_) => return None,
    };
    Some(Spanned::new(text, value.span))
}

/// Stores a field's value unless the key was a repeat (the first wins).
fn set<T>(slot: &mut Option<T>, first: bool, value: Option<T>) {
    if first && slot.is_none() {
        *slot = value;
    }
}

// ---------------------------------------------------------------------------
// Helpers shared with the account-dump reader
// ---------------------------------------------------------------------------

/// Where a value sits in a document, for error messages: a chain of keys and
/// array indexes from the root, displayed as `Statement[0].Action[2]`. Built
/// on the stack while walking; formatted only when an error is reported.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Path<'p> {
    Root,
    Key(&'p Path<'p>, &'p str),
    Index(&'p Path<'p>, usize),
}

impl Path<'_> {
    /// The path as text, or `root_name` for the root itself.
    pub(crate) fn describe(&self, root_name: &str) -> String {
        match self {
            Path::Root => root_name.to_owned(),
            _ => self.to_string(),
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(Path::Root, key) => write!(f, "{key}"),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, idx) => write!(f, "{parent}[{idx}]"),
        }
    }
}

/// Shape errors collected while walking a document, and the limits of the
/// walk: statements per policy here, all of them for the documents an
/// account dump embeds as URL-encoded text (parsed during the walk).
#[derive(Debug)]
pub(crate) struct Errors {
    errors: Vec<ParseError>,
    max_statements: usize,
    limits: ParseLimits,
}

impl Errors {
    pub(crate) fn new(limits: &ParseLimits) -> Errors {
        Errors {
            errors: Vec::new(),
            max_statements: limits.statements,
            limits: *limits,
        }
    }

    /// The limits the walk was started with.
    pub(crate) fn limits(&self) -> ParseLimits {
        self.limits
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub(crate) fn push(&mut self, span: Span, kind: ParseErrorKind) {
        self.errors.push(ParseError::new(span, kind));
    }

    /// The errors in document order (by start offset; stable, so an error on
    /// a key comes before errors inside its value).
    pub(crate) fn into_sorted(mut self) -> Vec<ParseError> {
        self.errors.sort_by_key(|e| e.span.start);
        self.errors
    }

    /// `value` at `path` is not of type `expected` (a non-root path).
    pub(crate) fn wrong_type(&mut self, value: &Json, path: Path<'_>, expected: &'static str) {
        self.wrong_type_named(value, path, "document", expected);
    }

    /// `value` at `path` is not of type `expected`; `root_name` names the
    /// value if `path` is the root.
    pub(crate) fn wrong_type_named(
        &mut self,
        value: &Json,
        path: Path<'_>,
        root_name: &str,
        expected: &'static str,
    ) {
        self.push(
            value.span,
            ParseErrorKind::WrongType {
                field: path.describe(root_name),
                expected,
            },
        );
    }

    pub(crate) fn unknown_key(&mut self, key: &Spanned<String>, context: &'static str) {
        self.push(
            key.span,
            ParseErrorKind::UnknownKey {
                key: key.node.clone(),
                context,
            },
        );
    }

    /// The members of `value`, or a `WrongType` error; `root_name` names the
    /// value if it is the root.
    pub(crate) fn object<'j>(
        &mut self,
        value: &'j Json,
        path: Path<'_>,
        root_name: &str,
    ) -> Option<&'j [(Spanned<String>, Json)]> {
        match &value.kind {
            JsonKind::Object(members) => Some(members),
            _ => {
                self.wrong_type_named(value, path, root_name, "an object");
                None
            }
        }
    }

    /// A string value, or a `WrongType` error.
    pub(crate) fn string(&mut self, value: &Json, path: Path<'_>) -> Option<Spanned<String>> {
        match &value.kind {
            JsonKind::String(text) => Some(Spanned::new(text.clone(), value.span)),
            _ => {
                self.wrong_type(value, path, "a string");
                None
            }
        }
    }

    /// A string or an array of strings (empty allowed), as a list (N1).
    pub(crate) fn string_list(
        &mut self,
        value: &Json,
        path: Path<'_>,
    ) -> Option<Spanned<Vec<Spanned<String>>>> {
        let list = match &value.kind {
            JsonKind::String(text) => vec![Spanned::new(text.clone(), value.span)],
            JsonKind::Array(items) => {
                let before = self.errors.len();
                let list: Vec<_> = items
                    .iter()
                    .enumerate()
                    .filter_map(|(idx, item)| self.string(item, Path::Index(&path, idx)))
                    .collect();
                if self.errors.len() != before {
                    return None;
                }
                list
            }
            _ => {
                self.wrong_type(value, path, "a string or an array of strings");
                return None;
            }
        };
        Some(Spanned::new(list, value.span))
    }
}

/// The keys seen so far in one object, to report repeats (V1).
#[derive(Default)]
pub(crate) struct Seen<'j> {
    keys: HashSet<&'j str>,
}

impl<'j> Seen<'j> {
    /// Records `key`; false (and a `DuplicateKey` error) if it was seen.
    pub(crate) fn first(&mut self, key: &'j Spanned<String>, errors: &mut Errors) -> bool {
        let first = self.keys.insert(&key.node);
        if !first {
            errors.push(key.span, ParseErrorKind::DuplicateKey(key.node.clone()));
        }
        first
    }
}

#[cfg(test)]
pub(crate) mod tests;
