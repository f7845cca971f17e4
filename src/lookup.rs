//! Names as the commands take them from the command line or a batch line:
//! exact lookups whose error says what was probably meant ([`principal`],
//! [`action`]: `unknown principal `user/alcie`; did you mean `user/alice`?`),
//! and IAM `*`/`?` patterns over a table's actions and principals
//! ([`matching_actions`], [`matching_principals`]), whose error for a
//! pattern that matches nothing has the same shape.
//!
//! Matching is the compiler's `glob` (the one policies are matched with):
//! actions ASCII case-insensitively, as policies match actions (A3),
//! principals exactly, as `check` looks them up; a principal pattern that
//! starts with `arn:` matches principals' ARNs, any other their names.
//!
//! Suggestions use the compiler's `closest_name` (the measure and threshold
//! of every did-you-mean of the diagnostics). Their cost is bounded on large
//! tables: only names of the query's kind (`user/`, `role/`, `ACCOUNT:role/`,
//! an ARN's `arn:…:role/`, an action's `service:`) whose length is within
//! the threshold of the query's are compared, so 100,000 principals cost
//! one pass over the names and the distances of those few candidates
//! (`cargo bench --bench check -- suggest`, in the README). Only error
//! paths call them.
//!
//! Public for the benchmark; the commands are its only other users.

use std::collections::BTreeSet;

use verdict_compiler::catalog::closest_name;
use verdict_compiler::glob::{glob, iglob};
use verdict_runtime::{ActionId, PrincipalId, Table};

/// Whether `text` is a pattern (`*` or `?`) rather than a name. IAM names
/// of users, roles and actions never hold either character.
pub fn is_pattern(text: &str) -> bool {
    text.contains(['*', '?'])
}

/// The principal named `name` (its name or its ARN, exactly), or an error
/// with a did-you-mean.
pub fn principal(table: &Table, name: &str) -> Result<PrincipalId, String> {
    table
        .principal(name)
        .map_err(|e| with_suggestion(e.to_string(), suggest_principal(table, name)))
}

/// The action named `name` (ASCII case-insensitively), or an error with a
/// did-you-mean.
pub fn action(table: &Table, name: &str) -> Result<ActionId, String> {
    table
        .action(name)
        .map_err(|e| with_suggestion(e.to_string(), suggest_action(table, name)))
}

/// `message`, then `; did you mean `SUGGESTION`?` when there is one: the
/// one shape of every did-you-mean of the command line.
pub fn with_suggestion(message: String, suggestion: Option<String>) -> String {
    match suggestion {
        Some(s) => format!("{message}; did you mean `{s}`?"),
        None => message,
    }
}

/// Whether the action `name` matches the action pattern `pattern` (IAM's
/// glob, ASCII case-insensitive).
pub fn action_matches(pattern: &str, name: &str) -> bool {
    iglob(pattern, name)
}

/// Whether principal `p` matches the principal pattern `pattern`: its ARN
/// when the pattern starts with `arn:`, else its name, exactly.
pub fn principal_matches(table: &Table, p: PrincipalId, pattern: &str) -> bool {
    if pattern.starts_with("arn:") {
        let arn = table.principal_arn(p);
        !arn.is_empty() && glob(pattern, arn)
    } else {
        glob(pattern, table.principal_name(p))
    }
}

/// The actions `pattern` matches, in table order; an error with a
/// did-you-mean when it matches none.
pub fn matching_actions(table: &Table, pattern: &str) -> Result<Vec<ActionId>, String> {
    let found: Vec<ActionId> = table
        .actions()
        .filter(|&a| action_matches(pattern, table.action_name(a)))
        .collect();
    if !found.is_empty() {
        return Ok(found);
    }
    let names: Vec<&str> = table.actions().map(|a| table.action_name(a)).collect();
    let suggestion = if is_pattern(pattern) {
        suggest_pattern(&names, pattern, action_kind, |candidate| {
            names.iter().any(|n| action_matches(candidate, n))
        })
    } else {
        suggest(&names, pattern, action_kind)
    };
    Err(with_suggestion(
        format!("no action matches `{pattern}`"),
        suggestion,
    ))
}

/// The principals `pattern` matches, in table order; an error with a
/// did-you-mean when it matches none.
pub fn matching_principals(table: &Table, pattern: &str) -> Result<Vec<PrincipalId>, String> {
    let found: Vec<PrincipalId> = table
        .principals()
        .filter(|&p| principal_matches(table, p, pattern))
        .collect();
    if !found.is_empty() {
        return Ok(found);
    }
    Err(no_principal_matches(table, pattern))
}

/// `no principal matches `PATTERN``, with a did-you-mean when a pattern
/// close to it matches some principal.
pub fn no_principal_matches(table: &Table, pattern: &str) -> String {
    let names = principal_names(table, pattern.starts_with("arn:"));
    let suggestion = if is_pattern(pattern) {
        suggest_pattern(&names, pattern, principal_kind, |candidate| {
            names.iter().any(|n| glob(candidate, n))
        })
    } else {
        suggest(&names, pattern, principal_kind)
    };
    with_suggestion(format!("no principal matches `{pattern}`"), suggestion)
}

/// The table's principal names, or their ARNs (those it has).
fn principal_names(table: &Table, arns: bool) -> Vec<&str> {
    table
        .principals()
        .map(|p| {
            if arns {
                table.principal_arn(p)
            } else {
                table.principal_name(p)
            }
        })
        .filter(|n| !n.is_empty())
        .collect()
}

/// The kind of a principal name: through its first `/` (`user/`,
/// `111122223333:role/`, `arn:aws:iam::111122223333:user/`), or the whole
/// name when it has none.
fn principal_kind(name: &str) -> &str {
    name.find('/').and_then(|i| name.get(..=i)).unwrap_or(name)
}

/// The kind of an action name: its service through the `:`, or the whole
/// name when it has none.
fn action_kind(name: &str) -> &str {
    name.find(':').and_then(|i| name.get(..=i)).unwrap_or(name)
}

/// The closest principal name (or ARN, for a query starting with `arn:`)
/// to the unknown `query`.
pub fn suggest_principal(table: &Table, query: &str) -> Option<String> {
    let names = principal_names(table, query.starts_with("arn:"));
    suggest(&names, query, principal_kind)
}

/// The closest action name to the unknown `query`.
pub fn suggest_action(table: &Table, query: &str) -> Option<String> {
    let names: Vec<&str> = table.actions().map(|a| table.action_name(a)).collect();
    suggest(&names, query, action_kind)
}

/// How far a candidate's length may be from the query's and still be
/// within `closest_name`'s threshold (`max(2, len / 4)` edits): every edit
/// changes the length by at most one.
fn window(len: usize) -> usize {
    (len / 4).max(2)
}

/// Whether `candidate` could be within the threshold of `query`, by length.
fn near_in_length(query: &str, candidate: &str) -> bool {
    if query.is_ascii() && candidate.is_ascii() {
        candidate.len().abs_diff(query.len()) <= window(query.len())
    } else {
        let (q, c) = (query.chars().count(), candidate.chars().count());
        c.abs_diff(q) <= window(q)
    }
}

/// The closest of `names` to `query`: among the names of the query's kind
/// (ASCII case-insensitively) near it in length; when no name has that
/// kind, the closest kind is tried in its place; a query without kind
/// separator (`alice`, `ListUsers`) is compared with what follows the kind
/// of every name (`user/alice`, `chime:ListUsers`).
fn suggest(names: &[&str], query: &str, kind: fn(&str) -> &str) -> Option<String> {
    let query_kind = kind(query);
    if query_kind.len() == query.len() {
        return suggest_bare(names, query, kind);
    }
    let same_kind = |k: &str| names.iter().any(|n| kind(n).eq_ignore_ascii_case(k));
    let fixed;
    let query = if same_kind(query_kind) {
        query
    } else {
        let kinds: BTreeSet<&str> = names.iter().map(|n| kind(n)).collect();
        let kinds: Vec<&str> = kinds.into_iter().collect();
        let better = closest_name(&kinds, query_kind)?;
        fixed = format!("{better}{}", query.get(query_kind.len()..).unwrap_or(""));
        fixed.as_str()
    };
    let query_kind = kind(query);
    let mut candidates: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| kind(n).eq_ignore_ascii_case(query_kind) && near_in_length(query, n))
        .collect();
    // Of equally close names the first wins: those of the query's length
    // first (a mistyped character is likelier than a missing one).
    candidates.sort_by_key(|n| n.len().abs_diff(query.len()));
    closest_name(&candidates, query).map(str::to_string)
}

/// [`suggest`] for a query without kind: the closest name by what follows
/// its kind.
fn suggest_bare(names: &[&str], query: &str, kind: fn(&str) -> &str) -> Option<String> {
    let (tails, full): (Vec<&str>, Vec<&str>) = names
        .iter()
        .filter_map(|n| {
            let tail = n.get(kind(n).len()..)?;
            (!tail.is_empty() && near_in_length(query, tail)).then_some((tail, *n))
        })
        .unzip();
    let best = closest_name(&tails, query)?;
    let at = tails.iter().position(|t| std::ptr::eq(*t, best))?;
    full.get(at).map(|n| n.to_string())
}

/// A pattern close to `pattern` that matches some name (`matches`), for a
/// pattern that matches none: its kind corrected when no name has it
/// (`chmie:Delete*` → `chime:Delete*`, `rol/*` → `role/*`), else the text
/// before its first wildcard corrected to the closest prefix of a name
/// (`chime:Delte*` → `chime:Delet*`).
fn suggest_pattern(
    names: &[&str],
    pattern: &str,
    kind: fn(&str) -> &str,
    matches: impl Fn(&str) -> bool,
) -> Option<String> {
    let head_len = pattern.find(['*', '?']).unwrap_or(pattern.len());
    let head = pattern.get(..head_len)?;
    let rest = pattern.get(head_len..)?;
    let pattern_kind = kind(pattern);
    let has_kind = pattern_kind.len() < pattern.len() && pattern_kind.len() <= head_len;
    if has_kind
        && !names
            .iter()
            .any(|n| kind(n).eq_ignore_ascii_case(pattern_kind))
    {
        let kinds: BTreeSet<&str> = names.iter().map(|n| kind(n)).collect();
        let kinds: Vec<&str> = kinds.into_iter().collect();
        let better = closest_name(&kinds, pattern_kind)?;
        let fixed = format!("{better}{}", pattern.get(pattern_kind.len()..)?);
        return matches(&fixed).then_some(fixed);
    }
    if head.is_empty() || (has_kind && head_len == pattern_kind.len()) {
        return None;
    }
    // The distinct prefixes of names (of the pattern's kind) as long as the
    // head, then those one character shorter or longer: of equally close
    // ones the first wins, so a same-length correction is preferred.
    let n = head.chars().count();
    let mut by_length: [BTreeSet<&str>; 3] = Default::default();
    for name in names {
        if has_kind && !kind(name).eq_ignore_ascii_case(pattern_kind) {
            continue;
        }
        for (set, len) in by_length.iter_mut().zip([n, n.saturating_sub(1), n + 1]) {
            if let Some((end, _)) = name.char_indices().nth(len) {
                set.insert(name.get(..end)?);
            } else if name.chars().count() == len {
                set.insert(*name);
            }
        }
    }
    let prefixes: Vec<&str> = by_length.into_iter().flatten().collect();
    let better = closest_name(&prefixes, head)?;
    let fixed = format!("{better}{rest}");
    (fixed != pattern && matches(&fixed)).then_some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 5] = [
        "user/alice",
        "user/bob",
        "role/Ops",
        "role/BreakGlass",
        "assumed-role/Ops/nightly",
    ];

    #[test]
    fn suggests_names_of_the_same_kind() {
        assert_eq!(
            suggest(&NAMES, "user/alcie", principal_kind).as_deref(),
            Some("user/alice")
        );
        assert_eq!(
            suggest(&NAMES, "usr/alice", principal_kind).as_deref(),
            Some("user/alice")
        );
        assert_eq!(
            suggest(&NAMES, "role/breakglass", principal_kind).as_deref(),
            Some("role/BreakGlass")
        );
        assert_eq!(
            suggest(&NAMES, "alice", principal_kind).as_deref(),
            Some("user/alice")
        );
        assert_eq!(suggest(&NAMES, "user/mallory", principal_kind), None);
        // A name of another kind is not a candidate.
        assert_eq!(suggest(&NAMES, "role/bob", principal_kind), None);
    }

    #[test]
    fn suggests_patterns_that_match() {
        let matches = |p: &str| NAMES.iter().any(|n| glob(p, n));
        assert_eq!(
            suggest_pattern(&NAMES, "rol/*", principal_kind, matches).as_deref(),
            Some("role/*")
        );
        assert_eq!(
            suggest_pattern(&NAMES, "role/Brek*", principal_kind, matches).as_deref(),
            Some("role/Brea*")
        );
        assert_eq!(
            suggest_pattern(&NAMES, "group/*", principal_kind, matches),
            None
        );
        assert_eq!(
            suggest_pattern(&NAMES, "*nobody*", principal_kind, matches),
            None
        );
        let actions = ["chime:DeleteAccount", "chime:ListUsers", "iam:PassRole"];
        let matches = |p: &str| actions.iter().any(|n| iglob(p, n));
        assert_eq!(
            suggest_pattern(&actions, "chmie:Delete*", action_kind, matches).as_deref(),
            Some("chime:Delete*")
        );
        assert_eq!(
            suggest_pattern(&actions, "chime:Delte*", action_kind, matches).as_deref(),
            Some("chime:Delet*")
        );
    }

    #[test]
    fn patterns_are_recognised() {
        assert!(is_pattern("chime:Delete*"));
        assert!(is_pattern("role/?ps"));
        assert!(!is_pattern("chime:DeleteAccount"));
    }
}
