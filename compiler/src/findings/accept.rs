//! Accepting findings: suppressions (each with a reason: from a project file
//! or from the DSL's pragmas) remove principals from findings; a baseline (the
//! keys of the findings recorded earlier) marks what is already known, so a
//! gate fails only on what is new. Plain data: reading and writing the files
//! is the CLI's.
//!
//! A finding's stable key, per principal, is `code`, `method` and the
//! principal's table name: never a line number or a row-class number, which
//! change with unrelated edits.

use std::collections::HashSet;

use verdict_runtime::{PrincipalId, Table};

use super::analyze::Finding;

/// One accepted kind of finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// `F0001`, …
    pub code: String,
    /// Only this method (`None`: every method of the code).
    pub method: Option<String>,
    /// Only principals whose table name matches this pattern (`*` and `?`,
    /// case-sensitive; `None`: every principal).
    pub principal: Option<String>,
    pub reason: String,
}

impl Suppression {
    fn matches(&self, finding: &Finding, principal: &str) -> bool {
        self.code == finding.code
            && self.method.as_deref().is_none_or(|m| m == finding.method)
            && self
                .principal
                .as_deref()
                .is_none_or(|pattern| crate::glob::glob(pattern, principal))
    }
}

/// A baseline key: one principal's share of a finding.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: String,
    pub method: String,
    pub principal: String,
}

/// The keys of a finding, one per principal.
pub fn keys<'a>(table: &'a Table, finding: &'a Finding) -> impl Iterator<Item = Key> + 'a {
    finding.principals.iter().map(move |p| Key {
        code: finding.code.to_owned(),
        method: finding.method.clone(),
        principal: table.principal_name(*p).to_owned(),
    })
}

/// What acceptance made of a report.
#[derive(Clone, Debug, Default)]
pub struct Accepted {
    /// The findings left, with the principals not suppressed.
    pub findings: Vec<Finding>,
    /// Per finding of `findings`: some principal of it is not in the
    /// baseline (always true without a baseline).
    pub new: Vec<bool>,
    /// Principal shares removed by suppressions.
    pub n_suppressed: usize,
}

/// Applies `suppressions`, then marks what `baseline` knows.
#[must_use]
pub fn accept(
    table: &Table,
    findings: Vec<Finding>,
    suppressions: &[Suppression],
    baseline: Option<&HashSet<Key>>,
) -> Accepted {
    let mut out = Accepted::default();
    for mut finding in findings {
        if !suppressions.is_empty() {
            let before = finding.principals.len();
            let kept: Vec<PrincipalId> = finding
                .principals
                .iter()
                .copied()
                .filter(|p| {
                    let name = table.principal_name(*p);
                    !suppressions.iter().any(|s| s.matches(&finding, name))
                })
                .collect();
            out.n_suppressed += before - kept.len();
            finding.principals = kept;
            if finding.principals.is_empty() {
                continue;
            }
        }
        let new = baseline.is_none_or(|known| keys(table, &finding).any(|k| !known.contains(&k)));
        out.findings.push(finding);
        out.new.push(new);
    }
    out
}
