//! Requests, request contexts, and the evaluation of residual programs (SEMANTICS
//! T4, T5): clauses, the Deny condition and the steps of the allow chain.
//!
//! What one atom means is `cond`'s business; this module combines atom values.
//! An atom index out of range (impossible in a validated table) fails closed with
//! [`Decision::Deny`].

use crate::cond::Program;
use crate::parts::{Dnf, Residual};
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

/// Bounds on one request, so that the work of a check is bounded too: a
/// check costs at most about (resource or value length) × (policy text of the
/// cell's residual program), and allocates no more than that.
///
/// The defaults are a little above what AWS itself accepts. The IAM API takes
/// resource ARNs of at most 2,048 characters (`ResourceArns` of
/// `SimulatePrincipalPolicy`/`SimulateCustomPolicy`: "Length Constraints:
/// Minimum length of 1. Maximum length of 2048", IAM API Reference) and
/// context key names of 5 to 256 characters (`ContextEntry.ContextKeyName`);
/// tag values, which become `aws:RequestTag/…`, `aws:PrincipalTag/…` and
/// session-tag values, are at most 256 characters, with at most 50 tags per
/// resource or session (IAM User Guide, "IAM and AWS STS quotas").
/// [`Table::check_with`](crate::Table::check_with) applies the defaults and
/// answers [`Decision::Deny`] to a request over them;
/// [`Table::try_check_with`](crate::Table::try_check_with) takes limits of
/// the caller's choice and says which one was exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestLimits {
    /// Longest resource, in bytes (`resource-bytes`).
    pub resource_bytes: usize,
    /// Most context keys (`context-keys`).
    pub context_keys: usize,
    /// Most context values, all keys together; a single-valued key counts
    /// one (`context-values`).
    pub context_values: usize,
    /// Longest context key or value, in bytes (`value-bytes`).
    pub value_bytes: usize,
}

impl RequestLimits {
    /// The defaults: 4 KiB resources, 1,000 keys, 10,000 values, 4 KiB keys
    /// and values.
    pub const DEFAULT: RequestLimits = RequestLimits {
        resource_bytes: 4 << 10,
        context_keys: 1_000,
        context_values: 10_000,
        value_bytes: 4 << 10,
    };

    /// Whether `req` is within these limits.
    ///
    /// # Errors
    /// The first limit `req` exceeds. Linear in the number of context values.
    pub fn check(&self, req: &Request<'_>) -> Result<(), RequestError> {
        let over = |limit: Limit| {
            Err(RequestError {
                limit,
                limits: *self,
            })
        };
        if req.resource.len() > self.resource_bytes {
            return over(Limit::ResourceBytes);
        }
        let entries = &req.context.entries;
        if entries.len() > self.context_keys {
            return over(Limit::ContextKeys);
        }
        let mut n_values = 0usize;
        for entry in entries {
            if entry.key.len() > self.value_bytes {
                return over(Limit::ValueBytes);
            }
            let long = match &entry.value {
                ContextValue::Single(value) => {
                    n_values = n_values.saturating_add(1);
                    value.len() > self.value_bytes
                }
                ContextValue::Multi(values) => {
                    n_values = n_values.saturating_add(values.len());
                    n_values <= self.context_values
                        && values.iter().any(|value| value.len() > self.value_bytes)
                }
            };
            if n_values > self.context_values {
                return over(Limit::ContextValues);
            }
            if long {
                return over(Limit::ValueBytes);
            }
        }
        Ok(())
    }
}

impl Default for RequestLimits {
    fn default() -> RequestLimits {
        RequestLimits::DEFAULT
    }
}

/// A request over one of its [`RequestLimits`]: it was not evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestError {
    limit: Limit,
    limits: RequestLimits,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Limit {
    ResourceBytes,
    ContextKeys,
    ContextValues,
    ValueBytes,
}

impl RequestError {
    /// The name of the limit exceeded, as the CLI's `--limit NAME=N` spells
    /// it: `resource-bytes`, `context-keys`, `context-values` or `value-bytes`.
    #[must_use]
    pub fn limit_name(&self) -> &'static str {
        match self.limit {
            Limit::ResourceBytes => "resource-bytes",
            Limit::ContextKeys => "context-keys",
            Limit::ContextValues => "context-values",
            Limit::ValueBytes => "value-bytes",
        }
    }

    /// The value of the limit exceeded.
    #[must_use]
    pub fn limit(&self) -> usize {
        let limits = &self.limits;
        match self.limit {
            Limit::ResourceBytes => limits.resource_bytes,
            Limit::ContextKeys => limits.context_keys,
            Limit::ContextValues => limits.context_values,
            Limit::ValueBytes => limits.value_bytes,
        }
    }
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.limit();
        match self.limit {
            Limit::ResourceBytes => write!(f, "resource longer than {n} bytes"),
            Limit::ContextKeys => write!(f, "more than {n} context keys"),
            Limit::ContextValues => write!(f, "more than {n} context values"),
            Limit::ValueBytes => write!(f, "a context key or value longer than {n} bytes"),
        }
    }
}

impl std::error::Error for RequestError {}

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
    entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    key: String,
    /// INVARIANT: `fold_key(&key)`; unique within a context.
    folded: String,
    value: ContextValue,
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
        let folded = fold_key(&key);
        match self.entries.iter_mut().find(|entry| entry.folded == folded) {
            Some(entry) => entry.value = value,
            None => self.entries.push(Entry { key, folded, value }),
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
            .find(|entry| {
                entry
                    .folded
                    .chars()
                    .eq(key.chars().flat_map(char::to_lowercase))
            })
            .map(|entry| &entry.value)
    }

    /// The value of the key whose folded form ([`fold_key`]) is `folded`: a byte
    /// comparison per entry, what checks use.
    #[inline]
    pub(crate) fn get_folded(&self, folded: &str) -> Option<&ContextValue> {
        self.entries
            .iter()
            .find(|entry| entry.folded == folded)
            .map(|entry| &entry.value)
    }

    /// True if no key is set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The keys and values, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries
            .iter()
            .map(|entry| (entry.key.as_str(), &entry.value))
    }
}

impl<K: Into<String>> FromIterator<(K, ContextValue)> for Context {
    /// A context of these keys; of keys equal up to case (C3), the last
    /// one's value wins, as with [`Context::insert`]. Linear in the number
    /// of keys (`insert` one by one is quadratic).
    fn from_iter<I: IntoIterator<Item = (K, ContextValue)>>(items: I) -> Context {
        let mut entries: Vec<Entry> = Vec::new();
        let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (key, value) in items {
            let key = key.into();
            let folded = fold_key(&key);
            match index.get(&folded).and_then(|&i| entries.get_mut(i)) {
                Some(entry) => entry.value = value,
                None => {
                    index.insert(folded.clone(), entries.len());
                    entries.push(Entry { key, folded, value });
                }
            }
        }
        Context { entries }
    }
}

/// A key folded for comparison (C3): Unicode lower-casing per character.
pub(crate) fn fold_key(key: &str) -> String {
    key.chars().flat_map(char::to_lowercase).collect()
}

/// An atom index out of range.
#[derive(Debug)]
struct Dangling;

/// The decision of `residual` for `req`; [`Decision::Deny`] if it refers to an atom
/// that `atoms` does not have.
pub(crate) fn decide(residual: &Residual, atoms: &[Program], req: &Request<'_>) -> Decision {
    decide_inner(residual, atoms, req).unwrap_or(Decision::Deny)
}

fn decide_inner(
    residual: &Residual,
    atoms: &[Program],
    req: &Request<'_>,
) -> Result<Decision, Dangling> {
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

fn eval_dnf(dnf: &Dnf, atoms: &[Program], req: &Request<'_>) -> Result<bool, Dangling> {
    'clauses: for clause in dnf {
        for lit in clause {
            let atom = atoms.get(lit.atom as usize).ok_or(Dangling)?;
            if atom.eval(req) == lit.negated {
                continue 'clauses;
            }
        }
        return Ok(true);
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_context_collected_is_the_context_inserted_key_by_key() {
        let items = [
            ("aws:SourceIp", ContextValue::Single("10.0.0.1".into())),
            (
                "aws:TagKeys",
                ContextValue::Multi(vec!["a".into(), "b".into()]),
            ),
            ("AWS:SOURCEIP", ContextValue::Single("10.0.0.2".into())),
        ];
        let mut inserted = Context::new();
        for (key, value) in items.clone() {
            inserted.insert(key, value);
        }
        let collected: Context = items.into_iter().collect();
        assert_eq!(collected, inserted);
        assert_eq!(
            collected.get("aws:sourceip"),
            Some(&ContextValue::Single("10.0.0.2".into()))
        );
        assert_eq!(collected.iter().count(), 2);
    }
    use crate::cond::compile;
    use crate::parts::{Atom, Condition, Lit, Operator, SetOp};

    fn lit(atom: u32, negated: bool) -> Lit {
        Lit { atom, negated }
    }

    fn programs(atoms: &[Atom]) -> Vec<Program> {
        atoms.iter().map(|atom| compile(atom).unwrap()).collect()
    }

    fn atoms() -> Vec<Program> {
        programs(&[
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
                fixed: None,
                values: vec!["true".into()],
            }),
        ])
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
        let star = programs(&[Atom::Resource {
            patterns: vec!["*".into()],
            not: true,
        }]);
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
    fn condition_atoms_are_evaluated_against_the_context() {
        let allow = Residual {
            deny: vec![],
            allow: vec![vec![vec![lit(2, false)]]],
        };
        // C4: the key is absent, so `Bool` is false.
        check(&allow, "*", Decision::ImplicitDeny);
        let secure = Context::new().with("AWS:SecureTransport", "TRUE");
        let req = Request {
            resource: "*",
            context: &secure,
        };
        assert_eq!(decide(&allow, &atoms(), &req), Decision::Allow);
    }

    #[test]
    fn dangling_atoms_fail_closed() {
        let dangling = Residual {
            deny: vec![],
            allow: vec![vec![vec![lit(99, false)]]],
        };
        check(&dangling, "*", Decision::Deny);
        let dangling_deny = Residual {
            deny: vec![vec![lit(99, true)]],
            allow: vec![],
        };
        check(&dangling_deny, "*", Decision::Deny);
    }

    #[test]
    fn context_keys_fold_case() {
        // C3: Unicode lower-casing per character; a later insert replaces.
        let mut ctx = Context::new()
            .with("aws:PrincipalTag/Team", "red")
            .with_multi("aws:TagKeys", ["a"]);
        assert_eq!(
            ctx.get("AWS:principaltag/TEAM"),
            Some(&ContextValue::Single("red".into()))
        );
        assert_eq!(
            ctx.get_folded("aws:principaltag/team"),
            Some(&ContextValue::Single("red".into()))
        );
        assert_eq!(ctx.get_folded("aws:PrincipalTag/Team"), None);
        ctx.insert("AWS:PRINCIPALTAG/TEAM", ContextValue::Single("blue".into()));
        assert_eq!(ctx.iter().count(), 2);
        assert_eq!(
            ctx.get("aws:principaltag/team"),
            Some(&ContextValue::Single("blue".into()))
        );
        // The first spelling of a key is kept.
        assert_eq!(
            ctx.iter().next().map(|(key, _)| key),
            Some("aws:PrincipalTag/Team")
        );
        let greek = Context::new().with("tag/ΣΑΣ", "x");
        assert!(greek.get("TAG/σασ").is_some());
        assert_eq!(fold_key("ẞ/İ"), "ß/i\u{307}");
    }

    #[test]
    fn lower_casing_is_idempotent() {
        // EqualsIgnoreCase folds policy values once, at load time, and the request
        // value at check time: that is only right if folding twice changes nothing.
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let once: Vec<char> = c.to_lowercase().collect();
            let twice: Vec<char> = once.iter().flat_map(|c| c.to_lowercase()).collect();
            assert_eq!(once, twice, "{c:?}");
        }
    }

    #[test]
    fn default_request_has_no_resource() {
        let req = Request::default();
        assert_eq!(req.resource, "*");
        assert!(req.context.is_empty());
    }
}
