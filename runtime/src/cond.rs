//! Atoms compiled for evaluation ([`Program`]) and their evaluation against a
//! request: Condition atoms per SEMANTICS C1–C20, C-TYPE and C-VAR-3/5, Resource
//! atoms per R1–R7.
//!
//! [`compile`] runs once per atom when a table is loaded: it rejects atoms that
//! break C2 or C-VAR-1 and reads every typed policy value (number, date, network,
//! base64) into its parsed form, so a check never parses a policy value and never
//! fails. What stays for check time is reading the request values and resolving
//! the variables over request keys (T5). Evaluation allocates nothing unless a
//! `StringLike`, `Bool`, `Arn*` value or Resource entry contains such a variable.
//! Parsing lives in `value`, wildcard matching in `glob`; the residual program
//! around atoms (clauses, Deny and Allow steps) is `eval`'s.

/*
Design note: how one (operator, key) pair is decided

    value of the key          no prefix              ForAllValues    ForAnyValue
    absent                    IfExists or negated    true            IfExists
    multivalued, empty list   false (C7)             true            false
    multivalued               false (C7)             all v: P(v)     some v: P(v)
    single-valued v           P(v)                   P(v)            P(v)
    fixed by the model, v     P(v)                   P(v)            P(v)

P(v) is the base operator on one request value: "some policy value matches v" for
a positive operator, "no policy value matches v" for a negated one (C5), and false
whatever the operator if v cannot be read as the operator's type (C-TYPE). A
policy value whose variable does not resolve matches nothing, so in a negated
operator it counts as "not equal" (C-VAR-5). `Null` ignores the set prefix (C14):
true iff some policy value says what is the case ("true" = absent, where an empty
list counts as absent).

A key the model fixes for the principal (`Condition::fixed`, SEMANTICS K1) is
never read from the request: its one value is the subject, and only the policy
values' variables come from the request. For `StringLike` and `Arn*` the resolved
policy value is the pattern, and text substituted from a variable is literal
(C-VAR-3), exactly as for a key read from the request.

Keys and variable names are folded (Unicode lower-casing per character, the same
function as `Context`) when the atom is compiled, so a lookup compares bytes.
*/

use std::net::IpAddr;

use crate::error::AtomError;
use crate::eval::{fold_key, Context, ContextValue, Request};
use crate::glob::{self, ArnPattern, Tok};
use crate::parts::{Atom, Operator, Part, SetOp, Template};
use crate::value::{
    self, base64_equals, parse_bool, Decimal, IpNetwork, OwnedDecimal, Timestamp, ValueError,
    ValueType,
};

/// An atom ready to evaluate.
#[derive(Clone, Debug)]
pub(crate) enum Program {
    /// A Resource (or, with `not`, NotResource) entry set.
    Resource {
        patterns: Box<[ResourcePattern]>,
        not: bool,
    },
    /// One (operator, key) pair.
    Condition(CondProgram),
}

/// A compiled Resource entry.
#[derive(Clone, Debug)]
pub(crate) enum ResourcePattern {
    /// The entry `"*"` (R1).
    Any,
    /// An entry without variables: an ARN pattern (an entry that is not an ARN
    /// pattern matches nothing but is kept in this form too).
    Arn(ArnPattern),
    /// An entry with variables over request keys, resolved at check time (R5).
    Var(Template),
}

/// A compiled (operator, key) pair.
#[derive(Clone, Debug)]
pub(crate) struct CondProgram {
    /// The folded key.
    key: Box<str>,
    /// The key's single value, fixed by the model ([`Condition::fixed`]): the key
    /// is not read from the request.
    ///
    /// [`Condition::fixed`]: crate::parts::Condition::fixed
    fixed: Option<Box<str>>,
    /// [`SetOp::None`] for `Null`, which ignores set prefixes (C14).
    set: SetOp,
    if_exists: bool,
    /// The operator is the negation of `test` (C5).
    negated: bool,
    test: Test,
}

/// A policy value: read when the table was loaded, or a template with variables.
#[derive(Clone, Debug)]
enum Value<T> {
    Fixed(T),
    /// INVARIANT: variable keys are folded.
    Var(Template),
}

/// The positive base operator with its policy values.
#[derive(Clone, Debug)]
enum Test {
    /// `Null`: true if the key is absent and a value is "true", or present and a
    /// value is "false".
    Null {
        if_absent: bool,
        if_present: bool,
    },
    Equals(Box<[Value<Box<str>>]>),
    /// Fixed values are folded.
    EqualsIgnoreCase(Box<[Value<Box<str>>]>),
    Like(Box<[Value<Box<[Tok]>>]>),
    Numeric(Cmp, Box<[OwnedDecimal]>),
    Date(Cmp, Box<[Timestamp]>),
    /// `None`: a value other than true/false, which never matches (C11).
    Bool(Box<[Value<Option<bool>>]>),
    Binary(Box<[Box<[u8]>]>),
    Ip(Box<[IpNetwork]>),
    Arn(Box<[Value<ArnPattern>]>),
}

/// How a request value must compare with a policy value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds(self, request_vs_policy: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            Cmp::Eq => request_vs_policy == Equal,
            Cmp::Lt => request_vs_policy == Less,
            Cmp::Le => request_vs_policy != Greater,
            Cmp::Gt => request_vs_policy == Greater,
            Cmp::Ge => request_vs_policy != Less,
        }
    }
}

// ---------------------------------------------------------------------------
// Compilation (load time).

/// Checks `atom` and reads its policy values. The error says what is wrong, for
/// a [`LoadError`](crate::LoadError).
pub(crate) fn compile(atom: &Atom) -> Result<Program, AtomError> {
    match atom {
        Atom::Resource { patterns, not } => Ok(Program::Resource {
            patterns: patterns.iter().map(compile_resource).collect(),
            not: *not,
        }),
        Atom::Condition(cond) => {
            let op = cond.op;
            if op == Operator::Null && cond.if_exists {
                return Err(AtomError::NullIfExists);
            }
            let takes_vars = matches!(
                value::value_type(op),
                ValueType::String | ValueType::Arn | ValueType::Bool
            );
            if !takes_vars && cond.values.iter().any(has_var) {
                return Err(AtomError::VariablesNotAllowed(op));
            }
            if cond.fixed.is_some() {
                // A fixed key compared with values without request-key variables
                // is a constant, which the compiler decides and never stores.
                if !takes_vars || op == Operator::Null {
                    return Err(AtomError::FixedKeyOperator(op));
                }
                if !cond.values.iter().any(has_var) {
                    return Err(AtomError::FixedKeyWithoutVariable);
                }
            }
            let (test, negated) = compile_test(op, &cond.values)?;
            Ok(Program::Condition(CondProgram {
                key: fold_key(&cond.key).into_boxed_str(),
                fixed: cond.fixed.as_deref().map(Box::from),
                set: if op == Operator::Null {
                    SetOp::None
                } else {
                    cond.set
                },
                if_exists: cond.if_exists,
                negated,
                test,
            }))
        }
    }
}

fn has_var(template: &Template) -> bool {
    template
        .0
        .iter()
        .any(|part| matches!(part, Part::Var { .. }))
}

/// The template with its variable keys folded.
fn fold_vars(template: &Template) -> Template {
    Template(
        template
            .0
            .iter()
            .map(|part| match part {
                Part::Var { key, default } => Part::Var {
                    key: fold_key(key),
                    default: default.clone(),
                },
                other => other.clone(),
            })
            .collect(),
    )
}

/// The text of a template without variables (Text and Literal parts alike).
pub(crate) fn plain_text(template: &Template) -> String {
    let mut text = String::new();
    for part in &template.0 {
        if let Part::Text(s) | Part::Literal(s) = part {
            text.push_str(s);
        }
    }
    text
}

/// The tokens of a template without variables: wildcards from Text parts only.
pub(crate) fn plain_tokens(template: &Template) -> Vec<Tok> {
    let mut toks = Vec::new();
    for part in &template.0 {
        match part {
            Part::Text(s) => glob::push_text(&mut toks, s),
            Part::Literal(s) => glob::push_literal(&mut toks, s),
            Part::Var { .. } => {}
        }
    }
    toks
}

fn compile_resource(template: &Template) -> ResourcePattern {
    if has_var(template) {
        ResourcePattern::Var(fold_vars(template))
    } else {
        resource_pattern(&plain_tokens(template))
    }
}

/// The Resource entry of these tokens: `"*"` (R1) or an ARN pattern.
fn resource_pattern(toks: &[Tok]) -> ResourcePattern {
    if toks == [Tok::Star] {
        ResourcePattern::Any
    } else {
        ResourcePattern::Arn(ArnPattern::new(toks))
    }
}

/// Each value as `fixed` reads it, or as a template if it has variables.
fn values<T>(templates: &[Template], fixed: impl Fn(&Template) -> T) -> Box<[Value<T>]> {
    templates
        .iter()
        .map(|template| {
            if has_var(template) {
                Value::Var(fold_vars(template))
            } else {
                Value::Fixed(fixed(template))
            }
        })
        .collect()
}

/// Each value (without variables, checked by the caller) read by `parse`.
fn typed<T>(
    templates: &[Template],
    parse: impl Fn(&str) -> Result<T, ValueError>,
) -> Result<Box<[T]>, AtomError> {
    templates
        .iter()
        .map(|template| {
            let text = plain_text(template);
            parse(&text).map_err(|error| AtomError::Value { value: text, error })
        })
        .collect()
}

/// The positive test of `op` with its values, and whether `op` negates it.
fn compile_test(op: Operator, templates: &[Template]) -> Result<(Test, bool), AtomError> {
    use Operator as O;
    let numeric = |cmp| -> Result<Test, AtomError> {
        let values = typed(templates, |text| {
            Decimal::parse(text).map(OwnedDecimal::new)
        })?;
        Ok(Test::Numeric(cmp, values))
    };
    let date = |cmp| -> Result<Test, AtomError> {
        Ok(Test::Date(cmp, typed(templates, Timestamp::parse)?))
    };
    let equals = || Test::Equals(values(templates, |t| plain_text(t).into_boxed_str()));
    let ignore_case = || {
        Test::EqualsIgnoreCase(values(templates, |t| {
            fold_text(&plain_text(t)).into_boxed_str()
        }))
    };
    let like = || Test::Like(values(templates, |t| plain_tokens(t).into_boxed_slice()));
    let arn = || Test::Arn(values(templates, |t| ArnPattern::new(&plain_tokens(t))));
    Ok(match op {
        O::StringEquals => (equals(), false),
        O::StringNotEquals => (equals(), true),
        O::StringEqualsIgnoreCase => (ignore_case(), false),
        O::StringNotEqualsIgnoreCase => (ignore_case(), true),
        O::StringLike => (like(), false),
        O::StringNotLike => (like(), true),
        O::NumericEquals => (numeric(Cmp::Eq)?, false),
        O::NumericNotEquals => (numeric(Cmp::Eq)?, true),
        O::NumericLessThan => (numeric(Cmp::Lt)?, false),
        O::NumericLessThanEquals => (numeric(Cmp::Le)?, false),
        O::NumericGreaterThan => (numeric(Cmp::Gt)?, false),
        O::NumericGreaterThanEquals => (numeric(Cmp::Ge)?, false),
        O::DateEquals => (date(Cmp::Eq)?, false),
        O::DateNotEquals => (date(Cmp::Eq)?, true),
        O::DateLessThan => (date(Cmp::Lt)?, false),
        O::DateLessThanEquals => (date(Cmp::Le)?, false),
        O::DateGreaterThan => (date(Cmp::Gt)?, false),
        O::DateGreaterThanEquals => (date(Cmp::Ge)?, false),
        O::Bool => (
            Test::Bool(values(templates, |t| parse_bool(&plain_text(t)))),
            false,
        ),
        O::BinaryEquals => {
            let values = typed(templates, |text| {
                value::decode_base64(text).map(Vec::into_boxed_slice)
            })?;
            (Test::Binary(values), false)
        }
        O::IpAddress => (Test::Ip(typed(templates, IpNetwork::parse)?), false),
        O::NotIpAddress => (Test::Ip(typed(templates, IpNetwork::parse)?), true),
        O::ArnEquals | O::ArnLike => (arn(), false),
        O::ArnNotEquals | O::ArnNotLike => (arn(), true),
        O::Null => {
            let (mut if_absent, mut if_present) = (false, false);
            for template in templates {
                match parse_bool(&plain_text(template)) {
                    Some(true) => if_absent = true,
                    Some(false) => if_present = true,
                    None => {}
                }
            }
            (
                Test::Null {
                    if_absent,
                    if_present,
                },
                false,
            )
        }
    })
}

/// Unicode lower-casing per character (C8, C3): `ß` stays `ß`.
fn fold_text(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

// ---------------------------------------------------------------------------
// Evaluation (check time).

impl Program {
    /// The truth of the atom for `req`.
    pub(crate) fn eval(&self, req: &Request<'_>) -> bool {
        match self {
            Program::Resource { patterns, not } => {
                let fields = glob::resource_fields(req.resource);
                let any = patterns
                    .iter()
                    .any(|pattern| resource_entry_matches(pattern, fields.as_ref(), req.context));
                // R3: NotResource matches iff no entry matches.
                any != *not
            }
            Program::Condition(cond) => cond.eval(req.context),
        }
    }
}

fn resource_entry_matches(
    pattern: &ResourcePattern,
    fields: Option<&[&str; 6]>,
    ctx: &Context,
) -> bool {
    match pattern {
        ResourcePattern::Any => true,
        ResourcePattern::Arn(arn) => glob::resource_matches(arn, fields),
        // R5: an entry whose variable does not resolve matches no resource.
        ResourcePattern::Var(template) => {
            let max_fixed = fields.map_or(0, |f| f.iter().map(|field| field.len() + 1).sum());
            resolve_tokens(template, ctx, max_fixed).is_some_and(|toks| {
                match resource_pattern(&toks) {
                    ResourcePattern::Any => true,
                    ResourcePattern::Arn(arn) => glob::resource_matches(&arn, fields),
                    ResourcePattern::Var(_) => false,
                }
            })
        }
    }
}

/// The value of an atom's key for one request: read from the context, or the
/// single value the model fixed.
#[derive(Clone, Copy)]
enum Subject<'a> {
    Absent,
    Single(&'a str),
    Multi(&'a [String]),
}

impl CondProgram {
    fn eval(&self, ctx: &Context) -> bool {
        let value = match &self.fixed {
            // Never read from the request: the request cannot say who the principal is.
            Some(fixed) => Subject::Single(fixed),
            None => match ctx.get_folded(&self.key) {
                None => Subject::Absent,
                Some(ContextValue::Single(value)) => Subject::Single(value),
                Some(ContextValue::Multi(values)) => Subject::Multi(values),
            },
        };
        if let Test::Null {
            if_absent,
            if_present,
        } = self.test
        {
            // C14: an empty list counts as absent, a single "" as present.
            let absent = match value {
                Subject::Absent => true,
                Subject::Multi(values) => values.is_empty(),
                Subject::Single(_) => false,
            };
            return if absent { if_absent } else { if_present };
        }
        match (self.set, value) {
            // C4, C6: absent is false for positive operators, true for negated ones,
            // true with IfExists.
            (SetOp::None, Subject::Absent) => self.if_exists || self.negated,
            // C7: a multivalued key needs a set operator, IfExists or not.
            (SetOp::None, Subject::Multi(_)) => false,
            // C16, C20.
            (SetOp::ForAllValues, Subject::Absent) => true,
            // C17, C20.
            (SetOp::ForAnyValue, Subject::Absent) => self.if_exists,
            // C19: a single value is a one-element set.
            (_, Subject::Single(value)) => self.eval_value(value, ctx),
            (SetOp::ForAllValues, Subject::Multi(values)) => {
                values.iter().all(|value| self.eval_value(value, ctx))
            }
            (SetOp::ForAnyValue, Subject::Multi(values)) => {
                values.iter().any(|value| self.eval_value(value, ctx))
            }
        }
    }

    /// The base operator on one request value (C5, C-TYPE).
    fn eval_value(&self, value: &str, ctx: &Context) -> bool {
        match self.test.matches_any(value, ctx) {
            Some(matched) => matched != self.negated,
            None => false,
        }
    }
}

impl Test {
    /// Whether some policy value matches the request value `v`; `None` if `v` cannot
    /// be read as the operator's type (C-TYPE).
    fn matches_any(&self, v: &str, ctx: &Context) -> Option<bool> {
        Some(match self {
            Test::Null { .. } => false,
            Test::Equals(values) => values.iter().any(|value| match value {
                Value::Fixed(text) => **text == *v,
                Value::Var(template) => template_equals(template, v, ctx),
            }),
            Test::EqualsIgnoreCase(values) => values.iter().any(|value| match value {
                Value::Fixed(folded) => v.chars().flat_map(char::to_lowercase).eq(folded.chars()),
                Value::Var(template) => template_equals_folded(template, v, ctx),
            }),
            Test::Like(values) => values.iter().any(|value| match value {
                Value::Fixed(toks) => glob::glob(toks, v, false),
                Value::Var(template) => resolve_tokens(template, ctx, v.len())
                    .is_some_and(|toks| glob::glob(&toks, v, false)),
            }),
            Test::Numeric(cmp, values) => {
                let number = Decimal::parse(v).ok()?;
                values
                    .iter()
                    .any(|value| cmp.holds(number.cmp(&value.as_decimal())))
            }
            Test::Date(cmp, values) => {
                let time = Timestamp::parse(v).ok()?;
                values.iter().any(|value| cmp.holds(time.cmp(value)))
            }
            Test::Bool(values) => {
                let flag = parse_bool(v)?;
                values.iter().any(|value| match value {
                    Value::Fixed(policy) => *policy == Some(flag),
                    Value::Var(template) => resolve_text(template, ctx, "false".len())
                        .is_some_and(|text| parse_bool(&text) == Some(flag)),
                })
            }
            Test::Binary(values) => {
                // A request value that is not base64 is a type error even when
                // there is no policy value to compare it with.
                value::decode_base64_with(v, |_| ()).ok()?;
                values
                    .iter()
                    .any(|value| base64_equals(v, value) == Some(true))
            }
            Test::Ip(values) => {
                let ip: IpAddr = v.parse().ok()?;
                values.iter().any(|network| network.contains(ip))
            }
            Test::Arn(values) => {
                // C15: a request value with fewer than six fields is not an ARN.
                let fields = glob::split_arn(v)?;
                values.iter().any(|value| match value {
                    Value::Fixed(arn) => arn.matches(&fields, 0, false),
                    Value::Var(template) => resolve_tokens(template, ctx, v.len())
                        .is_some_and(|toks| ArnPattern::new(&toks).matches(&fields, 0, false)),
                })
            }
        })
    }
}

// ---------------------------------------------------------------------------
// Variables (C-VAR-3).

/// The value of a variable: the key's single value, else the default, else
/// unresolved (`None`). A multivalued key never resolves.
fn resolve_var<'c>(key: &str, default: Option<&'c str>, ctx: &'c Context) -> Option<&'c str> {
    match ctx.get_folded(key) {
        Some(ContextValue::Single(value)) => Some(value),
        _ => default,
    }
}

/// The text of each part with variables resolved; `None` at the first unresolved
/// variable.
fn resolved_parts<'t>(
    template: &'t Template,
    ctx: &'t Context,
) -> impl Iterator<Item = Option<(&'t str, bool)>> + 't {
    template.0.iter().map(move |part| match part {
        Part::Text(text) => Some((text.as_str(), false)),
        Part::Literal(text) => Some((text.as_str(), true)),
        Part::Var { key, default } => resolve_var(key, default.as_deref(), ctx).map(|v| (v, true)),
    })
}

/// Whether the resolved template is exactly `v`. Does not allocate.
fn template_equals(template: &Template, v: &str, ctx: &Context) -> bool {
    let mut rest = v;
    for part in resolved_parts(template, ctx) {
        let Some((text, _)) = part else { return false };
        match rest.strip_prefix(text) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    rest.is_empty()
}

/// Whether the resolved template equals `v` after lower-casing both. Does not allocate.
fn template_equals_folded(template: &Template, v: &str, ctx: &Context) -> bool {
    let mut request = v.chars().flat_map(char::to_lowercase);
    for part in resolved_parts(template, ctx) {
        let Some((text, _)) = part else { return false };
        for c in text.chars().flat_map(char::to_lowercase) {
            if request.next() != Some(c) {
                return false;
            }
        }
    }
    request.next().is_none()
}

/// The resolved template as text; `None` also when it would be longer than
/// `max_bytes` (the caller reads only texts that short).
fn resolve_text(template: &Template, ctx: &Context, max_bytes: usize) -> Option<String> {
    let mut text = String::new();
    for part in resolved_parts(template, ctx) {
        text.push_str(part?.0);
        if text.len() > max_bytes {
            return None;
        }
    }
    Some(text)
}

/// The resolved template as wildcard tokens: `*` and `?` are wildcards in Text
/// parts only; resolved values and Literal parts are literal (C-VAR-3, C-VAR-4).
/// `None` also as soon as it has more than `max_fixed` tokens other than `*`:
/// such a pattern matches no text of `max_fixed` bytes or fewer (each such token
/// matches one character), and stopping there bounds the work and the memory by
/// the text, however many variables the template repeats.
fn resolve_tokens(template: &Template, ctx: &Context, max_fixed: usize) -> Option<Vec<Tok>> {
    let mut toks = Vec::new();
    let mut fixed = 0usize;
    for part in resolved_parts(template, ctx) {
        let start = toks.len();
        match part? {
            (text, false) => glob::push_text(&mut toks, text),
            (text, true) => glob::push_literal(&mut toks, text),
        }
        let added = toks.get(start..).unwrap_or_default();
        fixed += added.iter().filter(|&&tok| tok != Tok::Star).count();
        if fixed > max_fixed {
            return None;
        }
    }
    Some(toks)
}

#[cfg(test)]
mod tests;
