//! Partial evaluation of one statement for one principal (SEMANTICS.md K1,
//! T2, T5): what the model knows about the principal is substituted and
//! decided here, and what only the request knows becomes interned atoms.
//!
//! A statement reduces, per principal, to at most two clauses (conjunctions
//! of atoms): one for the wildcard-only actions it names and one for its
//! resource-typed actions, or `None` where it cannot apply. Action matching
//! is not here: it is static and done with bitsets by the caller. Pairs on
//! static keys are decided by the runtime's own condition evaluator
//! ([`decide_static`]), never by a second implementation; a static key
//! compared with a request-key variable becomes an atom whose key is fixed
//! (`Condition::fixed`).
//!
//! A service key that the catalog's key data does not define for its service
//! (K3, [`undefined_service_key`]) is never in a request: it is decided as an
//! absent static key, in pairs and in variables alike.

use crate::codes;
use std::collections::{HashMap, HashSet};

use verdict_runtime::parts::{Atom, Condition, Part, Template};
use verdict_runtime::Context;

use crate::catalog::{key_prefix, ActionSet, Catalog};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{ConditionPair, Loc, Model, PolicyVersion, Principal, Statement, StaticFact};
use crate::validate::parse_operator;

/// Atom ids, sorted and deduplicated: their conjunction. Empty = true.
pub(crate) type Clause = Vec<u32>;

/// What a statement is for one principal: `None` = it never applies,
/// `Some(clause)` = it applies iff the clause holds (T2).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct StmtEval {
    /// For the statement's wildcard-only actions ([`Conditional::wo`]).
    pub wo: Option<Clause>,
    /// For its resource-typed actions ([`Conditional::rt`]).
    pub rt: Option<Clause>,
}

/// A statement whose outcome depends on the principal or on the request:
/// it has a Condition, or a Resource/NotResource without `"*"` on
/// resource-typed actions.
#[derive(Clone, Debug)]
pub(crate) struct Conditional<'m> {
    pub stmt: &'m Statement,
    pub version: PolicyVersion,
    /// The wildcard-only actions it names whose request resource `"*"` its
    /// Resource matches (R4): decided by the Condition alone.
    pub wo: ActionSet,
    /// The resource-typed actions it names (empty if its Resource cannot
    /// match anything, i.e. `NotResource` with `"*"`).
    pub rt: ActionSet,
    /// `rt` needs a Resource atom: Resource/NotResource without `"*"`.
    pub scoped: bool,
    /// The keys whose static facts decide its partial evaluation: condition
    /// keys and the variables of its values and resource patterns, lower-cased,
    /// sorted, deduplicated.
    pub keys: Vec<String>,
}

impl<'m> Conditional<'m> {
    pub fn new(
        stmt: &'m Statement,
        version: PolicyVersion,
        wo: ActionSet,
        rt: ActionSet,
        scoped: bool,
    ) -> Conditional<'m> {
        let mut keys = Vec::new();
        for pair in &stmt.conditions {
            keys.push(pair.key.to_lowercase());
            if let Ok(op) = parse_operator(&pair.operator) {
                if version == PolicyVersion::V2012_10_17 && op.takes_variables() {
                    for value in &pair.values {
                        keys.extend(variables(value));
                    }
                }
            }
        }
        if scoped && version == PolicyVersion::V2012_10_17 {
            for pattern in &stmt.resources {
                if let Some((_, field6)) = split_arn(&pattern.text) {
                    keys.extend(variables(field6));
                }
            }
        }
        keys.sort();
        keys.dedup();
        Conditional {
            stmt,
            version,
            wo,
            rt,
            scoped,
            keys,
        }
    }
}

/// Atoms interned table-wide: identical atoms get one id (T4).
#[derive(Debug, Default)]
pub(crate) struct Atoms {
    pub list: Vec<Atom>,
    index: HashMap<Atom, u32>,
}

impl Atoms {
    pub fn intern(&mut self, atom: Atom) -> u32 {
        if let Some(&id) = self.index.get(&atom) {
            return id;
        }
        let id = self.list.len() as u32;
        self.list.push(atom.clone());
        self.index.insert(atom, id);
        id
    }
}

/// Evaluates conditional statements per principal, memoised by the static
/// facts each statement reads, so principals that look alike to a statement
/// share the work and the result.
pub(crate) struct Evaluator<'m> {
    model: &'m Model,
    /// Key data for K3; `None` (trust edges): every non-static key is a
    /// request key.
    catalog: Option<&'m Catalog>,
    pub atoms: Atoms,
    memo: HashMap<(usize, Vec<StaticFact>), StmtEval>,
    /// Pairs already reported (E0900).
    reported: HashSet<Loc>,
}

/// One (operator, key) pair after partial evaluation.
enum PairEval {
    True,
    False,
    Atom(u32),
    /// The runtime rejects the pair (E0900, internal).
    Invalid(String),
}

enum ResourceEval {
    True,
    False,
    Atom(u32),
}

impl<'m> Evaluator<'m> {
    /// An evaluator that knows no key data (every non-static key is a
    /// request key).
    pub fn new(model: &'m Model) -> Evaluator<'m> {
        Evaluator {
            model,
            catalog: None,
            atoms: Atoms::default(),
            memo: HashMap::new(),
            reported: HashSet::new(),
        }
    }

    /// An evaluator that decides the service keys `catalog` does not define
    /// as absent (K3): the table's and the provenance section's.
    pub fn with_catalog(model: &'m Model, catalog: &'m Catalog) -> Evaluator<'m> {
        Evaluator {
            catalog: Some(catalog),
            ..Evaluator::new(model)
        }
    }

    /// Statement `cond` (number `index` of the caller's list, the memo key)
    /// for `principal`.
    pub fn eval(
        &mut self,
        index: usize,
        cond: &Conditional<'_>,
        principal: Principal,
        diags: &mut Diagnostics,
    ) -> StmtEval {
        let facts: Vec<StaticFact> = cond.keys.iter().map(|k| self.fact(principal, k)).collect();
        let key = (index, facts);
        if let Some(hit) = self.memo.get(&key) {
            return hit.clone();
        }
        let result = self.compute(cond, principal, diags);
        self.memo.insert(key, result.clone());
        result
    }

    /// What the build knows of `key` for `principal`: the model's static
    /// fact (K1), except that a service key the catalog does not define is
    /// absent (K3).
    fn fact(&self, principal: Principal, key: &str) -> StaticFact {
        match self.model.static_fact(principal, key) {
            StaticFact::Request if self.catalog.is_some_and(|c| undefined_service_key(c, key)) => {
                StaticFact::Absent
            }
            fact => fact,
        }
    }

    fn compute(
        &mut self,
        cond: &Conditional<'_>,
        principal: Principal,
        diags: &mut Diagnostics,
    ) -> StmtEval {
        // C1: AND over the pairs; an empty Condition is true.
        let mut clause = Some(Vec::new());
        for pair in &cond.stmt.conditions {
            match self.pair(pair, cond.version, principal) {
                PairEval::True => {}
                PairEval::Atom(id) => {
                    if let Some(c) = clause.as_mut() {
                        c.push(id);
                    }
                }
                PairEval::False => clause = None,
                PairEval::Invalid(why) => {
                    if self.reported.insert(pair.loc) {
                        diags.push(
                            Diagnostic::error(
                                codes::E0900,
                                format!(
                                    "internal error: the runtime rejects this condition: {why}"
                                ),
                            )
                            .at(
                                pair.loc.file,
                                pair.loc.span,
                                "validated, yet not a valid atom",
                            ),
                        );
                    }
                    clause = None;
                }
            }
        }
        let Some(mut clause) = clause else {
            return StmtEval { wo: None, rt: None };
        };
        clause.sort_unstable();
        clause.dedup();
        let wo = (!cond.wo.is_empty()).then(|| clause.clone());
        let rt = if cond.rt.is_empty() {
            None
        } else if !cond.scoped {
            Some(clause)
        } else {
            match self.resource(cond, principal) {
                ResourceEval::False => None,
                ResourceEval::True => Some(clause),
                ResourceEval::Atom(id) => {
                    clause.push(id);
                    clause.sort_unstable();
                    clause.dedup();
                    Some(clause)
                }
            }
        };
        StmtEval { wo, rt }
    }

    /// One (operator, key) pair (C1–C20, C-VAR).
    fn pair(
        &mut self,
        pair: &ConditionPair,
        version: PolicyVersion,
        principal: Principal,
    ) -> PairEval {
        let Ok(op) = parse_operator(&pair.operator) else {
            // Validation rejects the document first (E0112); never reached.
            return PairEval::False;
        };
        let vars = version == PolicyVersion::V2012_10_17 && op.takes_variables();
        let mut values: Vec<Template> = pair
            .values
            .iter()
            .filter_map(|v| {
                if vars {
                    template(v, |name| self.fact(principal, name))
                } else {
                    Some(Template::from(v.as_str()))
                }
            })
            .collect();
        values.sort();
        values.dedup();
        let key = pair.key.to_lowercase();
        let fact = self.fact(principal, &key);
        let mut condition = Condition {
            set: op.set_op(),
            op: op.op,
            if_exists: op.if_exists,
            key,
            fixed: None,
            values,
        };
        let context = match fact {
            StaticFact::Request => {
                return PairEval::Atom(self.atoms.intern(Atom::Condition(condition)));
            }
            // A static key compared with a request-key variable: the key's value is
            // known, the policy values are resolved per request (K1, C-VAR-3).
            StaticFact::Value(value) if condition.values.iter().any(has_var) => {
                condition.fixed = Some(value);
                return PairEval::Atom(self.atoms.intern(Atom::Condition(condition)));
            }
            // An absent key decides the pair without its values (C4, C6, C16,
            // C17), variables or not.
            StaticFact::Absent => Context::new(),
            StaticFact::Value(value) => Context::new().with(condition.key.clone(), value),
        };
        match decide_static(&condition, &context) {
            Ok(true) => PairEval::True,
            Ok(false) => PairEval::False,
            Err(why) => PairEval::Invalid(why),
        }
    }

    /// Resource/NotResource without `"*"`, on resource-typed actions (R2,
    /// R3, R5): patterns with the principal's variables substituted; entries
    /// with an unresolved variable match nothing and are dropped.
    fn resource(&mut self, cond: &Conditional<'_>, principal: Principal) -> ResourceEval {
        let stmt = cond.stmt;
        let mut patterns: Vec<Template> = stmt
            .resources
            .iter()
            .filter_map(|p| {
                if cond.version != PolicyVersion::V2012_10_17 {
                    return Some(Template::from(p.text.as_str()));
                }
                match split_arn(&p.text) {
                    // R5: variables only in field 6.
                    Some((head, field6)) => {
                        let rest = template(field6, |name| self.fact(principal, name))?;
                        let mut parts = vec![Part::Text(head.to_string())];
                        parts.extend(rest.0);
                        Some(normalize(parts))
                    }
                    None => Some(Template::from(p.text.as_str())),
                }
            })
            .collect();
        patterns.sort();
        patterns.dedup();
        if patterns.is_empty() {
            // Every entry is unresolved: Resource matches nothing, NotResource
            // excludes nothing (R5, §12 D7).
            return if stmt.not_resource {
                ResourceEval::True
            } else {
                ResourceEval::False
            };
        }
        ResourceEval::Atom(self.atoms.intern(Atom::Resource {
            patterns,
            not: stmt.not_resource,
        }))
    }
}

/// Decides a condition pair over a static key: the runtime evaluates it
/// against a context holding the principal's value (or nothing, for an
/// absent key). The only place the compiler evaluates a condition.
///
/// # Errors
/// The runtime rejects the pair as an atom (a compiler bug: validation
/// checked its values).
fn decide_static(condition: &Condition, context: &Context) -> Result<bool, String> {
    condition.evaluate(context).map_err(|err| err.to_string())
}

/// K3: whether `key` is a service key (not `aws:`) of a service the
/// catalog's key data covers and does not define: no request carries it.
/// A catalog without key data knows no keys, so nothing is undefined; the
/// same test as W0240's (`lint/keys.rs`), so the warning's "never in a
/// request" is what the table does.
pub(crate) fn undefined_service_key(catalog: &Catalog, key: &str) -> bool {
    let prefix = key_prefix(key);
    if prefix.eq_ignore_ascii_case("aws") {
        return false;
    }
    catalog
        .condition_keys()
        .is_some_and(|keys| keys.has_service(prefix) && keys.find(key).is_none())
}

fn has_var(template: &Template) -> bool {
    template.0.iter().any(|p| matches!(p, Part::Var { .. }))
}

/// A resource entry split after its fifth colon: (fields 1–5 with their
/// colons, field 6). `None` for entries with fewer than six fields (R6).
pub(crate) fn split_arn(text: &str) -> Option<(&str, &str)> {
    let mut at = 0;
    for _ in 0..5 {
        at += text.get(at..)?.find(':')? + 1;
    }
    Some((text.get(..at)?, text.get(at..)?))
}

/// A piece of a policy string as written (C-VAR-2, C-VAR-4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    Text(&'a str),
    /// `${*}`, `${?}`, `${$}`.
    Literal(&'static str),
    Var {
        name: &'a str,
        default: Option<&'a str>,
    },
}

/// Splits `text` into text and variables. A `${` that does not start a
/// well-formed variable is literal text (C-VAR-2): `${name}` or
/// `${name, 'default'}`, spaces allowed around the name and the comma, the
/// name without white space, `$`, `{`, `}`, `,` or `'`.
pub(crate) fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut start = 0; // start of the pending text
    let mut search = 0;
    while let Some(found) = text.get(search..).and_then(|t| t.find("${")) {
        let open = search + found;
        let body = text.get(open + 2..).unwrap_or("");
        match variable(body) {
            Some((piece, len)) => {
                if open > start {
                    out.push(Piece::Text(text.get(start..open).unwrap_or("")));
                }
                out.push(piece);
                start = open + 2 + len;
                search = start;
            }
            None => search = open + 2,
        }
    }
    if start < text.len() {
        out.push(Piece::Text(text.get(start..).unwrap_or("")));
    }
    out
}

/// The variable at the start of `body` (the text after `${`) and the length
/// of `body` it takes, closing brace included.
fn variable(body: &str) -> Option<(Piece<'_>, usize)> {
    for (special, literal) in [("*}", "*"), ("?}", "?"), ("$}", "$")] {
        if body.starts_with(special) {
            return Some((Piece::Literal(literal), 2));
        }
    }
    let end = body.find(['}', ','])?;
    let name = body.get(..end)?.trim_matches(' ');
    if name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '$' | '{' | '}' | ',' | '\''))
    {
        return None;
    }
    if body.get(end..)?.starts_with('}') {
        return Some((
            Piece::Var {
                name,
                default: None,
            },
            end + 1,
        ));
    }
    let after_comma = body.get(end + 1..)?;
    let quoted = after_comma.trim_start_matches(' ');
    let quoted = quoted.strip_prefix('\'')?;
    let close = quoted.find('\'')?;
    let default = quoted.get(..close)?;
    let tail = quoted.get(close + 1..)?;
    let closing = tail.trim_start_matches(' ');
    closing.strip_prefix('}')?;
    let len = body.len() - closing.len() + 1;
    Some((
        Piece::Var {
            name,
            default: Some(default),
        },
        len,
    ))
}

/// The lower-cased names of the variables in `text`.
fn variables(text: &str) -> impl Iterator<Item = String> + '_ {
    pieces(text).into_iter().filter_map(|p| match p {
        Piece::Var { name, .. } => Some(name.to_lowercase()),
        _ => None,
    })
}

/// `text` with its variables substituted from `fact` (C-VAR-3): a static
/// value or default becomes literal text, a request key stays a variable.
/// `None` if a variable is known to be unresolved (C-VAR-5: the value never
/// matches).
fn template(text: &str, fact: impl Fn(&str) -> StaticFact) -> Option<Template> {
    let mut parts = Vec::new();
    for piece in pieces(text) {
        parts.push(match piece {
            Piece::Text(t) => Part::Text(t.to_string()),
            Piece::Literal(l) => Part::Literal(l.to_string()),
            Piece::Var { name, default } => match fact(name) {
                StaticFact::Value(v) => Part::Literal(v),
                StaticFact::Absent => Part::Literal(default?.to_string()),
                StaticFact::Request => Part::Var {
                    key: name.to_lowercase(),
                    default: default.map(str::to_string),
                },
            },
        });
    }
    Some(normalize(parts))
}

/// Canonical form of a template: adjacent text or literal parts merged,
/// empty ones dropped; the empty template is one empty text part.
fn normalize(parts: Vec<Part>) -> Template {
    let mut out: Vec<Part> = Vec::with_capacity(parts.len());
    for part in parts {
        match (out.last_mut(), part) {
            (_, Part::Text(t) | Part::Literal(t)) if t.is_empty() => {}
            (Some(Part::Text(a)), Part::Text(b)) | (Some(Part::Literal(a)), Part::Literal(b)) => {
                a.push_str(&b);
            }
            (_, part) => out.push(part),
        }
    }
    if out.is_empty() {
        out.push(Part::Text(String::new()));
    }
    Template(out)
}

#[cfg(test)]
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    #[test]
    fn variables_parse_per_c_var_2() {
        assert_eq!(
            pieces("home/${aws:username}/*"),
            [
                Piece::Text("home/"),
                Piece::Var {
                    name: "aws:username",
                    default: None
                },
                Piece::Text("/*"),
            ]
        );
        assert_eq!(
            pieces("${aws:username , 'a}b'}x"),
            [
                Piece::Var {
                    name: "aws:username",
                    default: Some("a}b")
                },
                Piece::Text("x"),
            ]
        );
        assert_eq!(
            pieces("${*}${?}${$}"),
            [
                Piece::Literal("*"),
                Piece::Literal("?"),
                Piece::Literal("$")
            ]
        );
        // Unterminated or malformed: literal text.
        assert_eq!(pieces("a${aws:username"), [Piece::Text("a${aws:username")]);
        assert_eq!(pieces("${a, b}"), [Piece::Text("${a, b}")]);
        assert_eq!(
            pieces("${${aws:username}}"),
            [
                Piece::Text("${"),
                Piece::Var {
                    name: "aws:username",
                    default: None
                },
                Piece::Text("}"),
            ]
        );
        assert_eq!(pieces(""), []);
    }

    #[test]
    fn templates_substitute_static_values_literally() {
        let fact = |name: &str| match name.to_lowercase().as_str() {
            "aws:username" => StaticFact::Value("a*b".into()),
            "aws:principaltag/none" => StaticFact::Absent,
            _ => StaticFact::Request,
        };
        assert_eq!(
            template("x/${aws:username}/*", fact),
            Some(Template(vec![
                Part::Text("x/".into()),
                Part::Literal("a*b".into()),
                Part::Text("/*".into()),
            ]))
        );
        // Absent without default: unresolved (C-VAR-5); with default: literal.
        assert_eq!(template("${aws:PrincipalTag/none}", fact), None);
        assert_eq!(
            template("${aws:PrincipalTag/none, 'd'}${*}", fact),
            Some(Template(vec![Part::Literal("d*".into())]))
        );
        assert_eq!(
            template("${aws:SourceIdentity, 'x'}", fact),
            Some(Template(vec![Part::Var {
                key: "aws:sourceidentity".into(),
                default: Some("x".into())
            }]))
        );
        assert_eq!(template("", fact), Some(Template::from("")));
    }

    #[test]
    fn arns_split_after_the_fifth_colon() {
        assert_eq!(
            split_arn("arn:aws:s3:::b/${aws:username}:x"),
            Some(("arn:aws:s3:::", "b/${aws:username}:x"))
        );
        assert_eq!(split_arn("arn:aws:s3"), None);
    }
}
