//! Requests and the evaluation of residual programs (SEMANTICS T4, T5).
//!
//! Only Resource atoms are evaluated in format version 1. Condition atoms are
//! rejected when a table is loaded; should one be reached anyway, evaluation fails
//! closed with [`Decision::Deny`]. Evaluation never allocates.

use crate::glob::resource_matches;
use crate::parts::{Atom, Dnf, Part, Residual};
use crate::types::Decision;

/// What a conditional cell is evaluated against.
///
/// Build one with [`Request::new`] or as a struct literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    /// The request resource: an ARN, or `"*"` for none (SEMANTICS R7).
    pub resource: &'a str,
    /// The request context: condition keys with their values.
    pub context: &'a Context,
}

impl<'a> Request<'a> {
    /// A request on `resource` with an empty context.
    #[must_use]
    pub const fn new(resource: &'a str) -> Request<'a> {
        Request {
            resource,
            context: &EMPTY_CONTEXT,
        }
    }
}

impl Default for Request<'_> {
    /// No resource (`"*"`) and an empty context: what [`Table::check`](crate::Table::check) uses.
    fn default() -> Self {
        Request::new("*")
    }
}

static EMPTY_CONTEXT: Context = Context {
    entries: Vec::new(),
};

/// The value of one context key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContextValue {
    /// A single-valued key (a JSON string in a batch request).
    Single(String),
    /// A multivalued key (a JSON array, whatever its length; SEMANTICS C7).
    /// An empty list counts as absent for `Null` (C14) and as an empty set for
    /// set operators (C16, C17).
    Multi(Vec<String>),
}

/// The request context: condition keys and their values.
///
/// Keys are matched case-insensitively (SEMANTICS C3); inserting a key that is
/// already present replaces its value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    entries: Vec<(String, ContextValue)>,
}

impl Context {
    /// An empty context.
    #[must_use]
    pub const fn new() -> Context {
        Context {
            entries: Vec::new(),
        }
    }

    /// Sets `key` to `value`, replacing a previous value of the same key.
    pub fn insert(&mut self, key: impl Into<String>, value: ContextValue) {
        let key = key.into();
        match self.entries.iter_mut().find(|(k, _)| same_key(k, &key)) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Sets a single-valued key; builder form of [`Context::insert`].
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Context {
        self.insert(key, ContextValue::Single(value.into()));
        self
    }

    /// Sets a multivalued key; builder form of [`Context::insert`].
    #[must_use]
    pub fn with_multi<I, S>(mut self, key: impl Into<String>, values: I) -> Context
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let values = values.into_iter().map(Into::into).collect();
        self.insert(key, ContextValue::Multi(values));
        self
    }

    /// The value of `key`, compared case-insensitively.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.entries
            .iter()
            .find(|(k, _)| same_key(k, key))
            .map(|(_, v)| v)
    }

    /// True if no key is set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The keys and values, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// Condition keys compare case-insensitively (C3), with Unicode simple
/// lower-casing, without allocating.
pub(crate) fn same_key(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// An atom this runtime cannot evaluate.
#[derive(Debug)]
pub(crate) struct Unsupported;

/// The decision of `residual` for `req`; [`Decision::Deny`] if it cannot be evaluated.
pub(crate) fn decide(residual: &Residual, atoms: &[Atom], req: &Request<'_>) -> Decision {
    decide_inner(residual, atoms, req).unwrap_or(Decision::Deny)
}

fn decide_inner(
    residual: &Residual,
    atoms: &[Atom],
    req: &Request<'_>,
) -> Result<Decision, Unsupported> {
    if eval_dnf(&residual.deny, atoms, req)? {
        return Ok(Decision::Deny);
    }
    for step in &residual.allow {
        if !eval_dnf(step, atoms, req)? {
            return Ok(Decision::ImplicitDeny);
        }
    }
    Ok(Decision::Allow)
}

fn eval_dnf(dnf: &Dnf, atoms: &[Atom], req: &Request<'_>) -> Result<bool, Unsupported> {
    'clauses: for clause in dnf {
        for lit in clause {
            let atom = atoms.get(lit.atom as usize).ok_or(Unsupported)?;
            if eval_atom(atom, req)? == lit.negated {
                continue 'clauses;
            }
        }
        return Ok(true);
    }
    Ok(false)
}

fn eval_atom(atom: &Atom, req: &Request<'_>) -> Result<bool, Unsupported> {
    match atom {
        Atom::Resource { patterns, not } => {
            let mut any = false;
            for pattern in patterns {
                // Variables and literal parts arrive with format version 2.
                let [Part::Text(pattern)] = pattern.0.as_slice() else {
                    return Err(Unsupported);
                };
                any |= resource_matches(pattern, req.resource);
            }
            // R3: NotResource matches iff no entry matches.
            Ok(any != *not)
        }
        Atom::Condition(_) => Err(Unsupported),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parts::{Condition, Lit, Operator, SetOp};

    fn lit(atom: u32, negated: bool) -> Lit {
        Lit { atom, negated }
    }

    fn atoms() -> Vec<Atom> {
        vec![
            Atom::Resource {
                patterns: vec!["arn:aws:chime:*:*:meeting/*".into()],
                not: false,
            },
            Atom::Resource {
                patterns: vec!["arn:aws:chime:*:*:meeting/secret*".into()],
                not: true,
            },
            Atom::Condition(Condition {
                set: SetOp::None,
                op: Operator::Bool,
                if_exists: false,
                key: "aws:securetransport".into(),
                values: vec!["true".into()],
            }),
        ]
    }

    fn check(residual: &Residual, resource: &str, expected: Decision) {
        assert_eq!(
            decide(residual, &atoms(), &Request::new(resource)),
            expected,
            "{resource}"
        );
    }

    const MEETING: &str = "arn:aws:chime:us-east-1:111122223333:meeting/m1";
    const SECRET: &str = "arn:aws:chime:us-east-1:111122223333:meeting/secret1";
    const APP: &str = "arn:aws:chime:us-east-1:111122223333:app-instance/a";

    #[test]
    fn empty_dnf_is_false_and_empty_clause_is_true() {
        // deny false, no allow steps: Allow.
        check(
            &Residual {
                deny: vec![],
                allow: vec![],
            },
            "*",
            Decision::Allow,
        );
        // deny true.
        check(
            &Residual {
                deny: vec![vec![]],
                allow: vec![],
            },
            "*",
            Decision::Deny,
        );
        // an allow step that is false.
        check(
            &Residual {
                deny: vec![],
                allow: vec![vec![]],
            },
            "*",
            Decision::ImplicitDeny,
        );
        check(
            &Residual {
                deny: vec![],
                allow: vec![vec![vec![]]],
            },
            "*",
            Decision::Allow,
        );
    }

    #[test]
    fn resource_scoped_allow() {
        // Allow on meetings only (R2); a resource-less check does not match (R7).
        let residual = Residual {
            deny: vec![],
            allow: vec![vec![vec![lit(0, false)]]],
        };
        check(&residual, MEETING, Decision::Allow);
        check(&residual, APP, Decision::ImplicitDeny);
        check(&residual, "*", Decision::ImplicitDeny);
    }

    #[test]
    fn resource_scoped_deny_and_not_resource() {
        // Allow meetings, Deny everything but non-secret ones: NotResource (R3).
        let residual = Residual {
            deny: vec![vec![lit(0, false), lit(1, true)]],
            allow: vec![vec![vec![lit(0, false)]]],
        };
        check(&residual, MEETING, Decision::Allow);
        check(&residual, SECRET, Decision::Deny);
        check(&residual, APP, Decision::ImplicitDeny);
    }

    #[test]
    fn not_resource_on_star_request() {
        // R4: NotResource without a "*" entry matches the resource "*".
        let residual = Residual {
            deny: vec![],
            allow: vec![vec![vec![lit(1, false)]]],
        };
        check(&residual, "*", Decision::Allow);
        let star = vec![Atom::Resource {
            patterns: vec!["*".into()],
            not: true,
        }];
        let residual = Residual {
            deny: vec![],
            allow: vec![vec![vec![lit(0, false)]]],
        };
        assert_eq!(
            decide(&residual, &star, &Request::default()),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn clauses_or_and_steps_and() {
        let residual = Residual {
            deny: vec![],
            allow: vec![
                vec![vec![lit(0, true)], vec![lit(0, false)]],
                vec![vec![lit(0, false)]],
            ],
        };
        check(&residual, MEETING, Decision::Allow);
        check(&residual, APP, Decision::ImplicitDeny);
    }

    #[test]
    fn unsupported_atoms_fail_closed() {
        let allow = Residual {
            deny: vec![],
            allow: vec![vec![vec![lit(2, false)]]],
        };
        check(&allow, "*", Decision::Deny);
        let dangling = Residual {
            deny: vec![],
            allow: vec![vec![vec![lit(99, false)]]],
        };
        check(&dangling, "*", Decision::Deny);
    }

    #[test]
    fn default_request_has_no_resource() {
        let req = Request::default();
        assert_eq!(req.resource, "*");
        assert!(req.context.is_empty());
    }
}
