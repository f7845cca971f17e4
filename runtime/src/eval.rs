//! Requests and the evaluation of residual programs (SEMANTICS T4, T5).
//!
//! Only Resource atoms are evaluated in format version 1. Condition atoms are
//! rejected when a table is loaded; should one be reached anyway, evaluation fails
//! closed with [`Decision::Deny`]. Evaluation never allocates.

use crate::glob::resource_matches;
use crate::parts::{Atom, Dnf, Residual};
use crate::types::Decision;

/// What a conditional cell is evaluated against.
///
/// Build one with [`Request::new`] or as a struct literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    /// The request resource: an ARN, or `"*"` for none (SEMANTICS R7).
    pub resource: &'a str,
    /// The request context: condition keys with their values. Evaluated from
    /// format version 2 on; ignored by version 1 tables, which have no condition atoms.
    pub context: &'a [(String, Vec<String>)],
}

impl<'a> Request<'a> {
    /// A request on `resource` with an empty context.
    #[must_use]
    pub const fn new(resource: &'a str) -> Request<'a> {
        Request {
            resource,
            context: &[],
        }
    }
}

impl Default for Request<'_> {
    /// No resource (`"*"`) and an empty context: what [`Table::check`](crate::Table::check) uses.
    fn default() -> Self {
        Request::new("*")
    }
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
            let any = patterns
                .iter()
                .any(|pattern| resource_matches(pattern, req.resource));
            // R3: NotResource matches iff no entry matches.
            Ok(any != *not)
        }
        Atom::Condition { .. } => Err(Unsupported),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parts::Lit;

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
            Atom::Condition {
                operator: "Bool".into(),
                key: "aws:securetransport".into(),
                values: vec!["true".into()],
            },
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
