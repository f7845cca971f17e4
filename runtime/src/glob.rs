//! IAM wildcard matching (`glob` and `iglob` of SEMANTICS, conventions) and
//! Resource entry matching (SEMANTICS R1, R2, R6, R7).
//!
//! `*` matches any run of characters (including none, `/` and `:`), `?` exactly one
//! character, everything else is literal. The matcher is iterative with a single
//! backtrack point, so time is O(pattern × text) in the worst case and there is no
//! recursion to blow the stack. It never allocates.

/// `glob(pattern, text)`, or `iglob` when `fold_case` (ASCII case folding).
pub(crate) fn glob(pattern: &str, text: &str, fold_case: bool) -> bool {
    let eq = |a: char, b: char| {
        if fold_case {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    // Byte positions of the next unmatched characters.
    let mut pat_pos = 0;
    let mut text_pos = 0;
    // After the last `*` seen: the pattern position after it, and the text position
    // where its match currently ends.
    let mut star: Option<(usize, usize)> = None;
    loop {
        let text_char = text.get(text_pos..).and_then(|rest| rest.chars().next());
        let Some(text_char) = text_char else { break };
        let pat_char = pattern.get(pat_pos..).and_then(|rest| rest.chars().next());
        match pat_char {
            Some('*') => {
                pat_pos += 1;
                star = Some((pat_pos, text_pos));
            }
            Some(pat_char) if pat_char == '?' || eq(pat_char, text_char) => {
                pat_pos += pat_char.len_utf8();
                text_pos += text_char.len_utf8();
            }
            _ => match star {
                // Let the last `*` swallow one more character and retry after it.
                Some((after_star, star_end)) => {
                    let swallowed = text.get(star_end..).and_then(|rest| rest.chars().next());
                    let Some(swallowed) = swallowed else {
                        return false;
                    };
                    let star_end = star_end + swallowed.len_utf8();
                    star = Some((after_star, star_end));
                    pat_pos = after_star;
                    text_pos = star_end;
                }
                None => return false,
            },
        }
    }
    // The text is consumed: the rest of the pattern must be all `*`.
    pattern
        .get(pat_pos..)
        .is_some_and(|rest| rest.bytes().all(|b| b == b'*'))
}

/// Whether the Resource entry `pattern` matches the request `resource`.
///
/// - R1: the entry `"*"` matches everything, including the resource `"*"`.
/// - R7/R4: the request resource `"*"` (no resource, or a wildcard-only action) is
///   matched by no other entry.
/// - R2: otherwise both must be ARNs (`arn:` followed by five more `:`-separated fields
///   for the request); fields 2–5 match with `iglob`, field 6 (the rest, colons
///   included) with `glob`.
/// - R6: an entry with fewer than 6 fields is padded with `*` fields.
pub(crate) fn resource_matches(pattern: &str, resource: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if resource == "*" {
        return false;
    }
    let mut pat_fields = pattern.splitn(6, ':');
    let mut res_fields = resource.splitn(6, ':');
    if pat_fields.next() != Some("arn") || res_fields.next() != Some("arn") {
        return false;
    }
    for field in 2..=6 {
        let Some(res_field) = res_fields.next() else {
            // The request resource is not a complete ARN.
            return false;
        };
        let pat_field = pat_fields.next().unwrap_or("*");
        if !glob(pat_field, res_field, field < 6) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pattern: &str, text: &str, expected: bool) {
        assert_eq!(
            glob(pattern, text, false),
            expected,
            "glob({pattern:?}, {text:?})"
        );
    }

    #[test]
    fn glob_basics() {
        check("", "", true);
        check("", "a", false);
        check("*", "", true);
        check("*", "anything/at:all", true);
        check("a*", "a", true);
        check("a*", "ab/c:d", true);
        check("*b", "ab", true);
        check("*b", "abc", false);
        check("a?c", "abc", true);
        check("a?c", "ac", false);
        check("a?c", "abbc", false);
        check("?", "é", true);
        check("??", "é", false);
        check("a*b*c", "aXXbYYc", true);
        check("a*b*c", "aXXbYY", false);
        check("a**b", "ab", true);
        check("abc", "ABC", false);
        check("[a]", "[a]", true);
        check(".", "x", false);
    }

    #[test]
    fn glob_case_folding_is_ascii_only() {
        assert!(glob("ListUsers", "listusers", true));
        assert!(glob("list*", "ListUsers", true));
        assert!(!glob("é", "É", true));
    }

    #[test]
    fn glob_backtracks_to_the_last_star() {
        // SEMANTICS A4: anchoring.
        check("*Object", "GetObjectAcl", false);
        check("Get?bject", "GetObject", true);
        check("*AccessKey*", "ListAccessKeys", true);
        check("*aab", "aaaab", true);
        check("*a*b", "aXaXaXb", true);
    }

    #[test]
    fn glob_pathological_pattern_is_fast() {
        let pattern = "*?".repeat(200) + "x";
        let text = "a".repeat(5000);
        assert!(!glob(&pattern, &text, false));
        let pattern = "*a".repeat(100) + "*";
        assert!(glob(&pattern, &text, false));
    }

    /// Adversarial patterns against long names: an exponential matcher would
    /// never finish. No timing assertion: a test that never finishes is the
    /// failure.
    #[test]
    fn adversarial_wildcards_finish() {
        let long_name = "a".repeat(20_000);
        let star_any = "*?".repeat(5_000);
        assert!(glob(&star_any, &long_name, false));
        assert!(!glob(&(star_any.clone() + "b"), &long_name, false));
        assert!(!glob(&(star_any.clone() + "?B*"), &long_name, true));
        let star_a = "*a".repeat(5_000);
        assert!(glob(&star_a, &long_name, true));
        assert!(!glob(&(star_a + "*b"), &long_name, false));
        let tail = "a".repeat(200) + "b";
        assert!(!glob(&format!("*{tail}"), &long_name, false));
        let wide = "é".repeat(5_000);
        assert!(!glob(&("*?".repeat(1_000) + "e"), &wide, false));
        // Through Resource matching: the last ARN field, colons and all.
        let resource = format!("arn:aws:chime:us-east-1:111122223333:meeting/{long_name}");
        let pattern = format!("arn:aws:chime:*:*:meeting/{}b", "*?".repeat(5_000));
        assert!(!resource_matches(&pattern, &resource));
        let pattern = format!("arn:*:*:*:*:{}", "*?".repeat(5_000));
        assert!(resource_matches(&pattern, &resource));
    }

    fn res(pattern: &str, resource: &str, expected: bool) {
        assert_eq!(
            resource_matches(pattern, resource),
            expected,
            "{pattern:?} vs {resource:?}"
        );
    }

    #[test]
    fn resource_r1_star_matches_everything() {
        res("*", "*", true);
        res("*", "arn:aws:s3:::bucket", true);
        res("*", "not an arn", true);
    }

    #[test]
    fn resource_r7_star_request_matches_only_star() {
        res("arn:*:*:*:*:*", "*", false);
        res("arn:aws:chime::123456789012:*", "*", false);
        res("arn:aws:chime:*", "*", false);
        res("**", "*", false);
    }

    #[test]
    fn resource_r2_fields() {
        res("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c", true);
        res("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false);
        res("arn:aws:s3:::bucket/*", "arn:aws:s3:::Bucket/a", false);
        // Fields 2-5 fold case; a `*` there does not cross a colon.
        res("arn:AWS:S3:::bucket", "arn:aws:s3:::bucket", true);
        res("arn:aws:*:::bucket", "arn:aws:s3:::bucket", true);
        res("arn:aws:s*:::bucket", "arn:aws:s3:x::bucket", false);
        // Field 6 may contain colons; `*` crosses them.
        res(
            "arn:aws:chime:us-east-1:111122223333:meeting/*",
            "arn:aws:chime:us-east-1:111122223333:meeting/m1:extra",
            true,
        );
        res("arn:aws:iam::1:us*/x", "arn:aws:iam::1:user/x", true);
        res("arn:aws:iam::1:user/?", "arn:aws:iam::1:user/x", true);
    }

    #[test]
    fn resource_r6_short_patterns_are_padded() {
        res("arn:aws:s3", "arn:aws:s3:::bucket/key", true);
        res("arn:aws:s3", "arn:aws:ec2:us-east-1:1:instance/i", false);
        res("arn:aws", "arn:aws:ec2:us-east-1:1:instance/i", true);
    }

    #[test]
    fn resource_non_arns_match_nothing_but_star() {
        res("arn:aws:s3:::b", "arn:aws:s3", false);
        res("bucket", "bucket", false);
        res("arn:aws:s3:::b", "ARN:aws:s3:::b", false);
        res("ARN:aws:s3:::b", "arn:aws:s3:::b", false);
    }
}
