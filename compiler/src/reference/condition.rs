//! One (operator, key) pair of a Condition block, evaluated against the
//! effective request context (SEMANTICS.md §5: C1–C20, C-TYPE, C-VAR).
//!
//! The pair is read straight from the model's strings on every call: the
//! operator name is parsed, the policy values are read as the operator's type
//! (with policy variables substituted where C-VAR-1 allows them), and the
//! request value is compared with them. Nothing is cached or normalised
//! across calls; this is the oracle, not the fast path.

/* Design note.

Every operator except `Null` is evaluated as "positive twin, then maybe
negate" per request value: the twin answers "does this request value match
some policy value?" (C5: OR over the policy values), and a negated operator
takes the complement (NOR). A request value that cannot be read as the
operator's type makes the twin answer "type error", and a type error makes
the per-value result false whatever the operator (C-TYPE). An unresolved
variable in a policy value makes that one policy value match nothing, which
is exactly C-VAR-5 for positive and negated operators alike. The set
prefixes and IfExists (C4, C6, C7, C16–C20) only decide which request
values are fed to that per-value test and how the results combine. */

use std::cmp::Ordering;

use verdict_runtime::ContextValue;

use super::base64;
use super::date::Instant;
use super::ip::{self, Network};
use super::number::Number;
use super::vars::{expand, glob_pieces, text_of, Lookup, Piece};
use super::{Facts, ReferenceError};
use crate::model::{ConditionPair, PolicyVersion};
use crate::validate::{parse_operator, SetPrefix};

/// How a request value is compared with a policy value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    String,
    StringIgnoreCase,
    StringLike,
    Numeric(Compare),
    Date(Compare),
    Bool,
    Binary,
    Ip,
    Arn,
}

/// The comparison of an ordered family: request value `op` policy value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compare {
    Equal,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
}

impl Compare {
    /// Whether `request.cmp(policy)` satisfies the comparison.
    fn holds(self, order: Ordering) -> bool {
        match self {
            Compare::Equal => order == Ordering::Equal,
            Compare::Less => order == Ordering::Less,
            Compare::LessEqual => order != Ordering::Greater,
            Compare::Greater => order == Ordering::Greater,
            Compare::GreaterEqual => order != Ordering::Less,
        }
    }
}

/// C2: the family of a canonical base name and whether it is negated.
/// `None` for `Null`, which has neither.
fn family(base: &str) -> Option<(Family, bool)> {
    use Compare::*;
    use Family::*;
    Some(match base {
        "StringEquals" => (String, false),
        "StringNotEquals" => (String, true),
        "StringEqualsIgnoreCase" => (StringIgnoreCase, false),
        "StringNotEqualsIgnoreCase" => (StringIgnoreCase, true),
        "StringLike" => (StringLike, false),
        "StringNotLike" => (StringLike, true),
        "NumericEquals" => (Numeric(Equal), false),
        "NumericNotEquals" => (Numeric(Equal), true),
        "NumericLessThan" => (Numeric(Less), false),
        "NumericLessThanEquals" => (Numeric(LessEqual), false),
        "NumericGreaterThan" => (Numeric(Greater), false),
        "NumericGreaterThanEquals" => (Numeric(GreaterEqual), false),
        "DateEquals" => (Date(Equal), false),
        "DateNotEquals" => (Date(Equal), true),
        "DateLessThan" => (Date(Less), false),
        "DateLessThanEquals" => (Date(LessEqual), false),
        "DateGreaterThan" => (Date(Greater), false),
        "DateGreaterThanEquals" => (Date(GreaterEqual), false),
        "Bool" => (Bool, false),
        "BinaryEquals" => (Binary, false),
        "IpAddress" => (Ip, false),
        "NotIpAddress" => (Ip, true),
        "ArnEquals" | "ArnLike" => (Arn, false),
        "ArnNotEquals" | "ArnNotLike" => (Arn, true),
        _ => return None,
    })
}

/// The policy values of one pair, read as the operator's type.
#[derive(Clone, Debug)]
enum PolicyValues {
    /// String and Arn families; `None` = unresolved variable (C-VAR-5).
    Text(Vec<Option<Vec<Piece>>>),
    Numbers(Vec<Number>),
    Dates(Vec<Instant>),
    /// `None` = a value other than `true`/`false` (it never matches, C11),
    /// or an unresolved variable.
    Bools(Vec<Option<bool>>),
    Bytes(Vec<Vec<u8>>),
    Networks(Vec<Network>),
}

/// A pair ready to be evaluated.
#[derive(Clone, Debug)]
enum Prepared {
    /// C14: the policy values as written.
    Null(Vec<String>),
    Compare {
        family: Family,
        negated: bool,
        set: Option<SetPrefix>,
        if_exists: bool,
        values: PolicyValues,
    },
}

/// Checks that `pair` can be evaluated at all: see [`prepare`].
///
/// # Errors
/// As [`prepare`].
pub(super) fn check(
    pair: &ConditionPair,
    version: PolicyVersion,
    facts: &Facts<'_>,
) -> Result<(), ReferenceError> {
    prepare(pair, version, facts).map(|_| ())
}

/// Reads `pair`: its operator, and its policy values as the operator's type.
///
/// # Errors
/// The operator is not valid (C2), or a Numeric, Date, Binary or IpAddress
/// policy value cannot be read (C9, C10, C12, C13: compile-time errors).
fn prepare(
    pair: &ConditionPair,
    version: PolicyVersion,
    facts: &Facts<'_>,
) -> Result<Prepared, ReferenceError> {
    let op = parse_operator(&pair.operator)
        .map_err(|_| ReferenceError::InvalidOperator(pair.operator.clone()))?;
    let Some((family, negated)) = family(op.base) else {
        // C14: a set prefix on Null is ignored; IfExists is refused by the parser.
        return Ok(Prepared::Null(pair.values.clone()));
    };
    let invalid = |value: &String| ReferenceError::InvalidConditionValue {
        operator: pair.operator.clone(),
        key: pair.key.clone(),
        value: value.clone(),
    };
    // C-VAR-1: variables only in 2012-10-17 documents, and only for String*,
    // Arn* and Bool (D5); elsewhere `${` is literal.
    let lookup = |name: &str| facts.get(name);
    let variables: Option<Lookup<'_>> = (version == PolicyVersion::V2012_10_17).then_some(&lookup);
    let values = match family {
        Family::String | Family::StringIgnoreCase | Family::StringLike | Family::Arn => {
            PolicyValues::Text(pair.values.iter().map(|v| expand(v, variables)).collect())
        }
        Family::Bool => PolicyValues::Bools(
            pair.values
                .iter()
                .map(|v| expand(v, variables).and_then(|p| read_bool(&text_of(&p))))
                .collect(),
        ),
        Family::Numeric(_) => PolicyValues::Numbers(
            pair.values
                .iter()
                .map(|v| Number::parse(v).ok_or_else(|| invalid(v)))
                .collect::<Result<_, _>>()?,
        ),
        Family::Date(_) => PolicyValues::Dates(
            pair.values
                .iter()
                .map(|v| Instant::parse(v).ok_or_else(|| invalid(v)))
                .collect::<Result<_, _>>()?,
        ),
        Family::Binary => PolicyValues::Bytes(
            pair.values
                .iter()
                .map(|v| base64::decode(v).ok_or_else(|| invalid(v)))
                .collect::<Result<_, _>>()?,
        ),
        Family::Ip => PolicyValues::Networks(
            pair.values
                .iter()
                .map(|v| Network::parse(v).ok_or_else(|| invalid(v)))
                .collect::<Result<_, _>>()?,
        ),
    };
    Ok(Prepared::Compare {
        family,
        negated,
        set: op.set,
        if_exists: op.if_exists,
        values,
    })
}

/// Whether `pair` holds for the effective context `facts`.
///
/// # Errors
/// As [`prepare`].
pub(super) fn holds(
    pair: &ConditionPair,
    version: PolicyVersion,
    facts: &Facts<'_>,
) -> Result<bool, ReferenceError> {
    let prepared = prepare(pair, version, facts)?;
    Ok(prepared.holds(facts.get(&pair.key).as_ref()))
}

impl Prepared {
    /// The pair's value for the key's value `value` (`None` = absent).
    fn holds(&self, value: Option<&ContextValue>) -> bool {
        match self {
            Prepared::Null(policy) => null_holds(policy, value),
            Prepared::Compare {
                family,
                negated,
                set,
                if_exists,
                values,
            } => {
                // One request value against the policy values: C5 (OR /
                // NOR) and C-TYPE.
                let test = |v: &str| match twin(*family, values, v) {
                    None => false, // C-TYPE: false, negated or not
                    Some(matched) => matched != *negated,
                };
                compare_holds(*set, *if_exists, *negated, value, test)
            }
        }
    }
}

/// C4, C6, C7, C16–C20: which request values `test` sees, and how the
/// answers combine.
fn compare_holds(
    set: Option<SetPrefix>,
    if_exists: bool,
    negated: bool,
    value: Option<&ContextValue>,
    test: impl Fn(&str) -> bool,
) -> bool {
    match set {
        None => match value {
            None => if_exists || negated,          // C6, C4
            Some(ContextValue::Multi(_)) => false, // C7, IfExists too
            Some(ContextValue::Single(v)) => test(v),
        },
        Some(set) => {
            let request: Vec<&str> = match value {
                // C20, C16, C17
                None => return if_exists || set == SetPrefix::ForAllValues,
                Some(ContextValue::Single(v)) => vec![v.as_str()], // C19
                Some(ContextValue::Multi(vs)) => vs.iter().map(String::as_str).collect(),
            };
            match set {
                // C16, C18: vacuously true for an empty set.
                SetPrefix::ForAllValues => request.into_iter().all(test),
                // C17, C18: false for an empty set.
                SetPrefix::ForAnyValue => request.into_iter().any(test),
            }
        }
    }
}

/// C14. `true` asks for an absent key, `false` for a present one, other
/// values never hold; several values combine with OR. A multivalued key with
/// no values is absent; a single `""` is present (D6).
fn null_holds(policy: &[String], value: Option<&ContextValue>) -> bool {
    let present = match value {
        None => false,
        Some(ContextValue::Multi(vs)) => !vs.is_empty(),
        Some(ContextValue::Single(_)) => true,
    };
    policy.iter().any(|p| match read_bool(p) {
        Some(true) => !present,
        Some(false) => present,
        None => false,
    })
}

/// C11: `true` / `false`, ASCII case-insensitively.
fn read_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The positive twin: does request value `v` match some policy value?
/// `None` if `v` cannot be read as the family's type (C-TYPE).
fn twin(family: Family, values: &PolicyValues, v: &str) -> Option<bool> {
    let any_text = |matches: &dyn Fn(&[Piece]) -> bool| match values {
        PolicyValues::Text(list) => list.iter().flatten().any(|p| matches(p)),
        _ => false,
    };
    Some(match (family, values) {
        // C8: exact, `*` literal.
        (Family::String, _) => any_text(&|p| text_of(p) == v),
        // C8: Unicode simple lower-casing on both sides.
        (Family::StringIgnoreCase, _) => {
            let v = simple_lowercase(v);
            any_text(&|p| simple_lowercase(&text_of(p)) == v)
        }
        // C8: glob, case-sensitive; substituted text is literal (C-VAR-3).
        (Family::StringLike, _) => any_text(&|p| glob_pieces(p, v)),
        (Family::Numeric(cmp), PolicyValues::Numbers(list)) => {
            let n = Number::parse(v)?;
            list.iter().any(|p| cmp.holds(n.cmp(p)))
        }
        (Family::Date(cmp), PolicyValues::Dates(list)) => {
            let t = Instant::parse(v)?;
            list.iter().any(|p| cmp.holds(t.cmp(p)))
        }
        (Family::Bool, PolicyValues::Bools(list)) => {
            let b = read_bool(v)?;
            list.contains(&Some(b))
        }
        (Family::Binary, PolicyValues::Bytes(list)) => {
            let bytes = base64::decode(v)?;
            list.contains(&bytes)
        }
        (Family::Ip, PolicyValues::Networks(list)) => {
            let address = ip::address(v)?;
            list.iter().any(|n| n.contains(address))
        }
        (Family::Arn, _) => {
            let request = request_arn_fields(v)?;
            any_text(&|p| arn_like(p, &request))
        }
        // `prepare` pairs every family with its own kind of values.
        _ => false,
    })
}

/// Lower-cases each character by its simple (one-to-one) Unicode mapping:
/// `ß` stays `ß`, `İ` becomes `i` (its only multi-character full mapping).
fn simple_lowercase(text: &str) -> String {
    text.chars()
        .map(|c| {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) => l,
                _ if c == '\u{130}' => 'i',
                _ => c,
            }
        })
        .collect()
}

/// C15: a request ARN in 6 fields (the last keeps its colons); `None` if it
/// has fewer (C-TYPE).
fn request_arn_fields(v: &str) -> Option<Vec<&str>> {
    let fields: Vec<&str> = v.splitn(6, ':').collect();
    (fields.len() == 6).then_some(fields)
}

/// C15: ArnLike. The expanded pattern is cut into 6 fields at its first five
/// colons (written or substituted: a variable may stand for a whole ARN),
/// missing fields are `*` (as R6), and each field is matched with `glob`,
/// case-sensitively, so a `*` in fields 1–5 cannot cross a colon.
fn arn_like(pattern: &[Piece], request: &[&str]) -> bool {
    let mut fields: Vec<Vec<Piece>> = Vec::new();
    let mut current: Vec<Piece> = Vec::new();
    for &piece in pattern {
        let is_colon = matches!(piece, Piece::Written(':') | Piece::Literal(':'));
        if is_colon && fields.len() < 5 {
            fields.push(std::mem::take(&mut current));
        } else {
            current.push(piece);
        }
    }
    fields.push(current);
    while fields.len() < 6 {
        fields.push(vec![Piece::Written('*')]); // R6
    }
    fields.len() == request.len()
        && fields
            .iter()
            .zip(request)
            .all(|(pattern, text)| glob_pieces(pattern, text))
}
