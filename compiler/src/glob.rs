//! IAM wildcard matching (SEMANTICS.md "Conventions"): [`glob`] and its ASCII
//! case-folding twin [`iglob`]. `*` matches any run of characters (including
//! none, and including `/` and `:`), `?` matches exactly one character, and
//! every other character is literal: no classes, no escapes.
//!
//! Both functions work on whole characters, never on bytes, so `?` matches one
//! `é` just as it matches one `e`. Policy variables (`${..}`) are not handled
//! here; callers substitute them first.

/* Design note.

The matcher is the classic two-pointer loop with a single backtrack point:
when a literal or `?` fails, return to the most recent `*` and let it swallow
one more character. Remembering only the *last* star is enough because `*`
and `?` cannot constrain what an earlier star swallowed: once the part of the
pattern after the last star matches somewhere, any earlier split still
works. The running time is therefore O(|pattern| * |text|) in the worst case
(and linear on the patterns seen in practice), never exponential, even for
`*?*?*?*a`.

ASCII inputs, the common case (catalog action names, ARNs), run directly on
bytes. Anything else is decoded into `char`s once, so `?` consumes one
character. */

/// Whether `pattern` matches all of `text`, case-sensitively.
///
/// `*` matches any run of characters including none, `?` exactly one
/// character, every other character itself.
///
/// # Panics
/// Never.
///
/// ```
/// use verdict_compiler::glob::glob;
/// assert!(glob("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b"));
/// assert!(!glob("arn:aws:s3:::bucket/*", "arn:aws:s3:::Bucket/a"));
/// ```
pub fn glob(pattern: &str, text: &str) -> bool {
    matches(pattern, text, false)
}

/// Like [`glob`], with ASCII case folding on both sides (non-ASCII characters
/// compare exactly).
///
/// # Panics
/// Never.
///
/// ```
/// use verdict_compiler::glob::iglob;
/// assert!(iglob("list*", "ListUsers"));
/// assert!(!iglob("*Object", "GetObjectAcl"));
/// ```
pub fn iglob(pattern: &str, text: &str) -> bool {
    matches(pattern, text, true)
}

fn matches(pattern: &str, text: &str, fold: bool) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        if fold {
            match_units(pattern.as_bytes(), text.as_bytes(), b'*', b'?', |a, b| {
                a.eq_ignore_ascii_case(&b)
            })
        } else {
            match_units(pattern.as_bytes(), text.as_bytes(), b'*', b'?', |a, b| {
                a == b
            })
        }
    } else {
        let pattern: Vec<char> = pattern.chars().collect();
        let text: Vec<char> = text.chars().collect();
        if fold {
            match_units(&pattern, &text, '*', '?', |a, b| a.eq_ignore_ascii_case(&b))
        } else {
            match_units(&pattern, &text, '*', '?', |a, b| a == b)
        }
    }
}

/// The matcher proper, generic over bytes or chars.
fn match_units<T: Copy + PartialEq>(
    pattern: &[T],
    text: &[T],
    star: T,
    any: T,
    eq: impl Fn(T, T) -> bool,
) -> bool {
    let mut p_idx = 0;
    let mut t_idx = 0;
    // INVARIANT: when set, `pattern[resume.0 - 1]` is the most recent `*` and
    // that star currently swallows `text[star_start..resume.1]`.
    let mut resume: Option<(usize, usize)> = None;
    while let Some(&t) = text.get(t_idx) {
        match pattern.get(p_idx) {
            Some(&p) if p == star => {
                p_idx += 1;
                resume = Some((p_idx, t_idx));
                continue;
            }
            Some(&p) if p == any || eq(p, t) => {
                p_idx += 1;
                t_idx += 1;
                continue;
            }
            _ => {}
        }
        match resume {
            Some((p_after_star, t_swallowed)) => {
                // Let the last star swallow one more character and retry.
                p_idx = p_after_star;
                t_idx = t_swallowed + 1;
                resume = Some((p_after_star, t_idx));
            }
            None => return false,
        }
    }
    // The text is used up; only stars may remain in the pattern.
    pattern
        .get(p_idx..)
        .is_some_and(|rest| rest.iter().all(|&p| p == star))
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
    use proptest::prelude::*;
    use std::time::{Duration, Instant};

    /// Obviously correct, exponential reference matcher for the property test.
    fn naive(pattern: &[char], text: &[char], fold: bool) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some((&'*', rest)) => (0..=text.len()).any(|k| naive(rest, &text[k..], fold)),
            Some((&p, rest)) => match text.split_first() {
                None => false,
                Some((&t, text_rest)) => {
                    let same = p == '?' || p == t || (fold && p.eq_ignore_ascii_case(&t));
                    same && naive(rest, text_rest, fold)
                }
            },
        }
    }

    fn check(pattern: &str, text: &str, expected: bool) {
        assert_eq!(glob(pattern, text), expected, "glob({pattern:?}, {text:?})");
        assert_eq!(
            iglob(pattern, text),
            expected,
            "iglob({pattern:?}, {text:?})"
        );
    }

    #[test]
    fn literals_and_anchoring() {
        check("", "", true);
        check("", "a", false);
        check("a", "", false);
        check("abc", "abc", true);
        check("abc", "abcd", false);
        check("abcd", "abc", false);
    }

    #[test]
    fn star_matches_any_run_including_separators() {
        check("*", "", true);
        check("*", "anything/at:all", true);
        check("**", "", true);
        check("a*", "a", true);
        check("*a", "ba", true);
        check("*a", "ab", false);
        check("a*b*c", "a/x:b:y/c", true);
        check("a*b*c", "a/x:b:y/cd", false);
        check("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c", true);
        check("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false);
    }

    #[test]
    fn question_mark_is_exactly_one_character() {
        check("?", "", false);
        check("?", "a", true);
        check("?", "ab", false);
        check("a?c", "abc", true);
        check("a?c", "ac", false);
        check("?", "é", true);
        check("a?c", "aéc", true);
        check("??", "é", false);
    }

    #[test]
    fn other_characters_are_literal() {
        check("a.c", "abc", false);
        check("a.c", "a.c", true);
        check("[ab]", "a", false);
        check("[ab]", "[ab]", true);
        check("a\\*", "a\\xyz", true);
        check("${aws:username}", "${aws:username}", true);
        check("${aws:username}", "alice", false);
    }

    #[test]
    fn case_folding_is_ascii_only_and_only_in_iglob() {
        assert!(!glob("ListUsers", "listusers"));
        assert!(iglob("ListUsers", "listusers"));
        assert!(iglob("LIST*", "listAccounts"));
        assert!(!glob("arn:aws:s3:::bucket/*", "arn:aws:s3:::Bucket/a"));
        // Non-ASCII letters are not folded.
        assert!(!iglob("É", "é"));
        assert!(iglob("é*", "éX"));
    }

    /// SEMANTICS.md A3/A4 at the level of the name part.
    #[test]
    fn semantics_a3_a4_examples() {
        assert!(iglob("list*", "ListUsers"));
        assert!(iglob("list*", "listaccounts"));
        assert!(!iglob("list*", "GetUser"));
        assert!(!iglob("*Object", "GetObjectAcl"));
        assert!(iglob("*Object", "GetObject"));
        assert!(iglob("Get?bject", "GetObject"));
        assert!(!iglob("Get?bject", "GetObjects"));
        assert!(iglob("*AccessKey*", "CreateAccessKey"));
        assert!(iglob("*AccessKey*", "ListAccessKeys"));
        assert!(!iglob("*AccessKey*", "ListUsers"));
    }

    #[test]
    fn pathological_patterns_are_fast() {
        let text = "a".repeat(10_000);
        let pattern = "*?".repeat(50) + "b";
        let start = Instant::now();
        assert!(!glob(&pattern, &text));
        assert!(!iglob(&"*?".repeat(2_000), &"x".repeat(1_500)));
        assert!(iglob(&"*a".repeat(200), &text));
        assert!(!glob(&("*a".repeat(200) + "b"), &text));
        let non_ascii = "é".repeat(5_000);
        assert!(!glob(&("*é".repeat(100) + "x"), &non_ascii));
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
    }

    /// Patterns and subjects on which a backtracking (exponential) matcher
    /// would not finish in the lifetime of the universe: `*?` repeated
    /// thousands of times against long names, with and without a match.
    /// No timing assertion: a test that never finishes is the failure.
    #[test]
    fn adversarial_wildcards_finish() {
        let long_name = "a".repeat(20_000);
        let star_any = "*?".repeat(5_000);
        assert!(glob(&star_any, &long_name));
        assert!(!glob(&(star_any.clone() + "b"), &long_name));
        assert!(!iglob(&(star_any.clone() + "?b*"), &long_name));
        assert!(!glob(&star_any, &"a".repeat(4_999)));
        let star_a = "*a".repeat(5_000);
        assert!(iglob(&star_a, &long_name));
        assert!(!iglob(&(star_a.clone() + "*b"), &long_name));
        assert!(glob(&("a*".repeat(5_000) + "a"), &long_name));
        // A long literal after the last star, failing at its very end, at
        // every start position.
        let tail = "a".repeat(200) + "b";
        assert!(!glob(&format!("*{tail}"), &long_name));
        assert!(glob(&format!("*{tail}"), &(long_name.clone() + &tail)));
        // The same with characters outside ASCII.
        let wide = "é".repeat(5_000);
        assert!(glob(&"*?".repeat(1_000), &wide));
        assert!(!glob(&("*?".repeat(1_000) + "e"), &wide));
        // Stars only, a whole string's worth.
        assert!(glob(&"*".repeat(65_536), &long_name));
    }

    proptest! {
        #[test]
        fn agrees_with_naive_matcher(
            pattern in "[abA*?é]{0,8}",
            text in "[abAé]{0,10}",
        ) {
            let p: Vec<char> = pattern.chars().collect();
            let t: Vec<char> = text.chars().collect();
            prop_assert_eq!(glob(&pattern, &text), naive(&p, &t, false));
            prop_assert_eq!(iglob(&pattern, &text), naive(&p, &t, true));
        }

        #[test]
        fn a_text_matches_itself_and_star(text in "[a-zA-Z:/é]{0,12}") {
            prop_assert!(glob(&text, &text));
            prop_assert!(glob("*", &text));
            prop_assert!(iglob(&text.to_ascii_uppercase(), &text));
        }
    }
}
