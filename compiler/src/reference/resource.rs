//! One Resource / NotResource entry against the request resource
//! (SEMANTICS.md R1–R7), with policy variables in the resource part (R5).
//!
//! Statement-level combination (OR over entries, NotResource = none
//! matches, R3) is the caller's; so is the R4 rule that a wildcard-only
//! action is requested on `*`.

use super::vars::{expand, glob_pieces, Lookup};
use crate::glob::iglob;

/// R1, R2, R6, R7: one entry against one request resource, without policy
/// variables (a `${…}` is literal text).
pub fn resource_matches(pattern: &str, resource: &str) -> bool {
    entry_matches(pattern, resource, None)
}

/// As [`resource_matches`]; with `lookup` (2012-10-17 documents) variables
/// in field 6 are substituted (R5). An entry with an unresolved variable
/// matches no resource, so inside `NotResource` it excludes nothing (D7).
pub(super) fn entry_matches(pattern: &str, resource: &str, lookup: Option<Lookup<'_>>) -> bool {
    if pattern == "*" {
        return true; // R1
    }
    if resource == "*" {
        return false; // R4, R7: only the entry `*` matches the resource `*`
    }
    // Split the text as written: a variable before the fifth colon is not
    // one (R5), and its own colons separate fields like any other.
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let r: Vec<&str> = resource.splitn(6, ':').collect();
    if r.len() < 6 || p.first() != Some(&"arn") || r.first() != Some(&"arn") {
        return false;
    }
    let field = |i: usize| p.get(i).copied().unwrap_or("*"); // R6: pad with `*`
                                                             // R2: partition, service, region, account fold case; `*` stays in its field.
    let head = (1..5).all(|i| r.get(i).is_some_and(|r| iglob(field(i), r)));
    // R2, R5: the resource part is case-sensitive and may hold variables.
    head && r.get(5).is_some_and(|rest| {
        expand(field(5), lookup).is_some_and(|pieces| glob_pieces(&pieces, rest))
    })
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
    use verdict_runtime::ContextValue;

    use super::*;

    fn username(key: &str) -> Option<ContextValue> {
        key.eq_ignore_ascii_case("aws:username")
            .then(|| ContextValue::Single("alice".into()))
    }

    fn with_vars(pattern: &str, resource: &str) -> bool {
        entry_matches(pattern, resource, Some(&username))
    }

    #[test]
    fn resource_entries_match_per_r_rules() {
        assert!(resource_matches("*", "*"));
        assert!(resource_matches("*", "arn:aws:s3:::b")); // R1
        assert!(!resource_matches("arn:aws:chime::111122223333:*", "*")); // X28
        assert!(!resource_matches("arn:*:*:*:*:*", "*")); // R4
        assert!(resource_matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a/b/c"
        )); // R2
        assert!(!resource_matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket"
        ));
        assert!(!resource_matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::Bucket/a"
        ));
        assert!(resource_matches(
            "arn:AWS:S3:::bucket/*",
            "arn:aws:s3:::bucket/a"
        ));
        assert!(resource_matches("arn:aws:s3", "arn:aws:s3:::anything")); // R6
        assert!(!resource_matches("arn:aws:s3:*:*:x", "arn:aws:s3:us:1:a:x")); // `*` in field 4 cannot cross `:`
        assert!(resource_matches("arn:aws:s3:*:*:*", "arn:aws:s3:us:1:a:x")); // field 6 keeps its colons
        assert!(resource_matches(
            "arn:aws:iam::1:us*/x",
            "arn:aws:iam::1:user/x"
        )); // D14
        assert!(!resource_matches("arn:aws:s3:::b", "arn:aws:s3::b")); // request with 5 fields
    }

    #[test]
    fn r5_variables_in_the_resource_part() {
        assert!(with_vars(
            "arn:aws:s3:::home/${aws:username}/*",
            "arn:aws:s3:::home/alice/x"
        ));
        assert!(!with_vars(
            "arn:aws:s3:::home/${aws:username}/*",
            "arn:aws:s3:::home/bob/x"
        ));
        assert!(!with_vars(
            "arn:aws:s3:::home/${aws:userid}/*",
            "arn:aws:s3:::home/x/y"
        )); // unresolved
        assert!(with_vars(
            "arn:aws:s3:::home/${aws:userid, 'x'}/*",
            "arn:aws:s3:::home/x/y"
        ));
        assert!(with_vars("arn:aws:s3:::${*}", "arn:aws:s3:::*"));
        assert!(!with_vars("arn:aws:s3:::${*}", "arn:aws:s3:::b"));
        // Without variables (not 2012-10-17) the text is literal (X27).
        assert!(!resource_matches(
            "arn:aws:s3:::${aws:username}",
            "arn:aws:s3:::alice"
        ));
        assert!(resource_matches(
            "arn:aws:s3:::${aws:username}",
            "arn:aws:s3:::${aws:username}"
        ));
        // R5: a variable in fields 1–5 is literal text, cut at its colon.
        assert!(!with_vars(
            "arn:aws:s3:${aws:username}::x",
            "arn:aws:s3:alice::x"
        ));
        assert!(with_vars(
            "arn:aws:s3:${aws:username}:x",
            "arn:aws:s3:${aws:username}:x"
        ));
    }
}
