//! IAM wildcard matching (`glob` and `iglob` of SEMANTICS, conventions) over
//! token sequences, and ARN patterns split into their six fields (SEMANTICS R2, R6,
//! C15).
//!
//! A pattern is a sequence of [`Tok`]s: `*` and `?` from policy text are
//! wildcards, while literal text (substituted variable values, `${*}`; C-VAR-3,
//! C-VAR-4) gives only [`Tok::Char`], so a `*` in it matches itself. The matcher is
//! iterative with a single backtrack point (O(pattern × text)) on short inputs,
//! and matches segment by segment on long ones, where time does not grow with
//! pattern × text (see [`glob`]); there is no recursion to blow the stack.
//! Matching short inputs never allocates; building a pattern does. Which fields fold case and what a resource
//! entry must look like is decided by the caller (`cond`).

/// One element of a wildcard pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// This character, literally.
    Char(char),
    /// `*`: any run of characters, including none.
    Star,
    /// `?`: exactly one character.
    One,
}

/// Appends policy text, where `*` and `?` are wildcards.
pub(crate) fn push_text(out: &mut Vec<Tok>, text: &str) {
    out.extend(text.chars().map(|c| match c {
        '*' => Tok::Star,
        '?' => Tok::One,
        c => Tok::Char(c),
    }));
}

/// Appends literal text: every character matches only itself.
pub(crate) fn push_literal(out: &mut Vec<Tok>, text: &str) {
    out.extend(text.chars().map(Tok::Char));
}

/// Up to this many pattern tokens × text bytes, [`glob`] uses the
/// single-backtrack loop (no allocation, fastest on short names); above it,
/// the segment matcher, whose time does not grow with pattern × text.
const SMALL_MATCH: usize = 1 << 14;

/// `glob(pattern, text)`, or `iglob` when `fold_case` (ASCII case folding).
///
/// Time: O(pattern × text) for small inputs; otherwise O(pattern + text) when
/// the pattern has no `?`, and O(pattern + text × segment / 64) with `?`
/// (bit-parallel search of each segment between `*`s); a pattern with more
/// non-`*` tokens than the text has bytes is refused after reading at most
/// text-length tokens of it.
pub(crate) fn glob(pattern: &[Tok], text: &str, fold_case: bool) -> bool {
    if pattern.len().saturating_mul(text.len()) <= SMALL_MATCH {
        glob_backtrack(pattern, text, fold_case)
    } else {
        glob_segments(pattern, text, fold_case)
    }
}

/// Whether `toks`, a run of pattern tokens without `*`, matches the text
/// starting at byte `start` of `text` (a char boundary); the end of the match.
fn match_at(toks: &[Tok], text: &str, start: usize, fold_case: bool) -> Option<usize> {
    let mut chars = text.get(start..)?.chars();
    let mut end = start;
    for &tok in toks {
        let c = chars.next()?;
        let matches = match tok {
            Tok::Char(p) if fold_case => p.eq_ignore_ascii_case(&c),
            Tok::Char(p) => p == c,
            Tok::One | Tok::Star => true,
        };
        if !matches {
            return None;
        }
        end += c.len_utf8();
    }
    Some(end)
}

/// The leftmost match of `toks` (no `*`) in `text[from..]`: its end.
/// Literal runs are searched with the standard library's linear-time
/// substring search (on ASCII-lowered copies when folding, which keep byte
/// positions); runs with `?` bit-parallel, or position by position when
/// their masks would be too large.
fn find_segment(toks: &[Tok], text: &str, from: usize, fold_case: bool) -> Option<usize> {
    let rest = text.get(from..)?;
    match toks {
        [] => return Some(from),
        [Tok::Char(c)] => {
            let c = if fold_case {
                c.to_ascii_lowercase()
            } else {
                *c
            };
            return rest.find(c).map(|at| from + at + c.len_utf8());
        }
        [Tok::One] => return rest.chars().next().map(|c| from + c.len_utf8()),
        _ => {}
    }
    let literal: Option<String> = toks
        .iter()
        .map(|tok| match tok {
            Tok::Char(c) if fold_case => Some(c.to_ascii_lowercase()),
            Tok::Char(c) => Some(*c),
            Tok::One | Tok::Star => None,
        })
        .collect();
    if let Some(literal) = literal {
        return rest.find(&literal).map(|at| from + at + literal.len());
    }
    if let Some(found) = find_bit_parallel(toks, text, from, fold_case) {
        return found;
    }
    // A start with fewer bytes left than the segment has tokens cannot match.
    let last_start = text.len().checked_sub(toks.len())?;
    rest.char_indices()
        .map(|(at, _)| from + at)
        .take_while(|&at| at <= last_start)
        .find_map(|at| match_at(toks, text, at, fold_case))
}

/// Most 64-bit words of position masks [`find_bit_parallel`] builds (1 MiB).
const MAX_MASK_WORDS: usize = 1 << 17;

/// [`find_segment`] for a segment with `?`, by bit-parallel matching
/// (Shift-And): one bit per token tells whether the segment's first tokens
/// up to it match the text ending here, so each text character costs
/// (segment length / 64) word operations, not the segment length.
/// `None` (not `Some(None)`) when the masks would take more than
/// [`MAX_MASK_WORDS`] (a pattern of very many distinct characters).
#[expect(
    clippy::option_option,
    reason = "outer: whether this method applies; inner: the match"
)]
fn find_bit_parallel(
    toks: &[Tok],
    text: &str,
    from: usize,
    fold_case: bool,
) -> Option<Option<usize>> {
    let fold = |c: char| if fold_case { c.to_ascii_lowercase() } else { c };
    let mut chars: Vec<char> = toks
        .iter()
        .filter_map(|tok| match tok {
            Tok::Char(c) => Some(fold(*c)),
            Tok::One | Tok::Star => None,
        })
        .collect();
    chars.sort_unstable();
    chars.dedup();
    let words = toks.len().div_ceil(64);
    // Mask 0: the `?` positions (any other character); mask i + 1: those
    // and the positions of `chars[i]`.
    if (chars.len() + 1).saturating_mul(words) > MAX_MASK_WORDS {
        return None;
    }
    let mut masks = vec![0u64; (chars.len() + 1) * words];
    for (j, tok) in toks.iter().enumerate() {
        let (word, bit) = (j / 64, 1u64 << (j % 64));
        match tok {
            Tok::One | Tok::Star => {
                for mask in masks.chunks_mut(words) {
                    if let Some(w) = mask.get_mut(word) {
                        *w |= bit;
                    }
                }
            }
            Tok::Char(c) => {
                let i = chars.binary_search(&fold(*c)).map_or(0, |i| i + 1);
                if let Some(w) = masks.get_mut(i * words + word) {
                    *w |= bit;
                }
            }
        }
    }
    let last = toks.len().checked_sub(1)?;
    let (last_word, last_bit) = (last / 64, 1u64 << (last % 64));
    let mut state = vec![0u64; words];
    for (at, c) in text.get(from..)?.char_indices() {
        let i = chars.binary_search(&c).map_or(0, |i| i + 1);
        let mask = masks.get(i * words..(i + 1) * words)?;
        let mut carry = 1u64;
        for (w, m) in state.iter_mut().zip(mask) {
            let next = *w >> 63;
            *w = ((*w << 1) | carry) & m;
            carry = next;
        }
        if state.get(last_word).is_some_and(|w| w & last_bit != 0) {
            return Some(Some(from + at + c.len_utf8()));
        }
    }
    Some(None)
}

/// `glob` by segments: the pattern is `S0 * S1 * … * Sk` with no `*` inside a
/// segment; S0 must start the text, Sk end it, and S1…Sk-1 are found
/// leftmost one after the other between them (leftmost is never worse for
/// what follows, so no backtracking is needed).
fn glob_segments(pattern: &[Tok], text: &str, fold_case: bool) -> bool {
    // Every non-`*` token matches one character, which is at least one byte.
    // Counted only as far as the text's length: O(min(pattern, text)).
    let too_many = pattern
        .iter()
        .filter(|&&tok| tok != Tok::Star)
        .nth(text.len())
        .is_some();
    if too_many {
        return false;
    }
    let lowered;
    let text = if fold_case {
        lowered = text.to_ascii_lowercase();
        lowered.as_str()
    } else {
        text
    };
    let segments: Vec<&[Tok]> = pattern.split(|&tok| tok == Tok::Star).collect();
    let (Some(first), Some(last)) = (segments.first(), segments.last()) else {
        return text.is_empty();
    };
    if segments.len() == 1 {
        return match_at(first, text, 0, fold_case) == Some(text.len());
    }
    let Some(mut pos) = match_at(first, text, 0, fold_case) else {
        return false;
    };
    // Where the last segment must start: as many characters before the end
    // as it has tokens.
    let mut suffix_start = text.len();
    let mut from_end = text.char_indices().rev();
    for _ in 0..last.len() {
        match from_end.next() {
            Some((at, _)) => suffix_start = at,
            None => return false,
        }
    }
    if suffix_start < pos || match_at(last, text, suffix_start, fold_case) != Some(text.len()) {
        return false;
    }
    let window = text.get(..suffix_start).unwrap_or_default();
    for segment in segments.get(1..segments.len() - 1).unwrap_or_default() {
        match find_segment(segment, window, pos, fold_case) {
            Some(end) => pos = end,
            None => return false,
        }
    }
    true
}

/// `glob` by the iterative single-backtrack loop: O(pattern × text).
fn glob_backtrack(pattern: &[Tok], text: &str, fold_case: bool) -> bool {
    let eq = |a: char, b: char| {
        if fold_case {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    // The next unmatched token, and the byte position of the next unmatched character.
    let mut pat_pos = 0;
    let mut text_pos = 0;
    // After the last `*` seen: the pattern position after it, and the text position
    // where its match currently ends.
    let mut star: Option<(usize, usize)> = None;
    loop {
        let text_char = text.get(text_pos..).and_then(|rest| rest.chars().next());
        let Some(text_char) = text_char else { break };
        match pattern.get(pat_pos) {
            Some(Tok::Star) => {
                pat_pos += 1;
                star = Some((pat_pos, text_pos));
            }
            Some(Tok::One) => {
                pat_pos += 1;
                text_pos += text_char.len_utf8();
            }
            Some(&Tok::Char(pat_char)) if eq(pat_char, text_char) => {
                pat_pos += 1;
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
        .is_some_and(|rest| rest.iter().all(|&tok| tok == Tok::Star))
}

/// A pattern split into the six fields of an ARN (`arn:partition:service:region:
/// account:resource`) at its first five `:`; field 6 is the rest, colons included.
/// A pattern with fewer than six fields is padded with `*` fields (R6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ArnPattern {
    /// The fields' tokens, without the separating colons.
    toks: Box<[Tok]>,
    /// INVARIANT: field `i` is `toks[bounds[i]..bounds[i + 1]]`; monotone, last =
    /// `toks.len()`.
    bounds: [usize; 7],
}

impl ArnPattern {
    pub(crate) fn new(pattern: &[Tok]) -> ArnPattern {
        let mut toks = Vec::with_capacity(pattern.len() + 5);
        let mut bounds = [0; 7];
        let mut n_fields = 1;
        for &tok in pattern {
            if tok == Tok::Char(':') && n_fields < 6 {
                if let Some(bound) = bounds.get_mut(n_fields) {
                    *bound = toks.len();
                }
                n_fields += 1;
            } else {
                toks.push(tok);
            }
        }
        for field in n_fields..=6 {
            if let Some(bound) = bounds.get_mut(field) {
                *bound = toks.len();
            }
            // Padding: a missing field is `*` (the last bound closes field 6).
            if field < 6 {
                toks.push(Tok::Star);
            }
        }
        if let Some(last) = bounds.get_mut(6) {
            *last = toks.len();
        }
        ArnPattern {
            toks: toks.into_boxed_slice(),
            bounds,
        }
    }

    /// Field `idx` (0-based) of the pattern.
    pub(crate) fn field(&self, idx: usize) -> &[Tok] {
        let start = self.bounds.get(idx).copied().unwrap_or(0);
        let end = self.bounds.get(idx + 1).copied().unwrap_or(0);
        self.toks.get(start..end).unwrap_or_default()
    }

    /// Whether fields `from..6` match the request's fields, each with `glob`; fields
    /// 2–5 (indexes 1–4) with `iglob` if `fold_middle`.
    pub(crate) fn matches(&self, fields: &[&str; 6], from: usize, fold_middle: bool) -> bool {
        fields
            .iter()
            .enumerate()
            .skip(from)
            .all(|(idx, text)| glob(self.field(idx), text, fold_middle && (1..=4).contains(&idx)))
    }
}

/// The six fields of an ARN (field 6 is the rest and may contain `:`); `None` if
/// `text` has fewer than six fields.
pub(crate) fn split_arn(text: &str) -> Option<[&str; 6]> {
    let mut fields = text.splitn(6, ':');
    Some([
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    ])
}

/// The fields of a request resource that ARN entries can match: `None` for the
/// resource `"*"` (R7, R4) and for anything that is not a complete ARN starting
/// with `arn` (R2).
pub(crate) fn resource_fields(resource: &str) -> Option<[&str; 6]> {
    split_arn(resource).filter(|fields| fields[0] == "arn")
}

/// Whether the Resource entry `pattern` (not the entry `"*"`, which the caller
/// matches first, R1) matches a request resource with `fields`
/// ([`resource_fields`]): field 1 of the entry must be `arn`; fields 2–5 match
/// with `iglob`, field 6 with `glob` (R2); a short entry is padded (R6).
pub(crate) fn resource_matches(pattern: &ArnPattern, fields: Option<&[&str; 6]>) -> bool {
    const ARN: [Tok; 3] = [Tok::Char('a'), Tok::Char('r'), Tok::Char('n')];
    match fields {
        Some(fields) => pattern.field(0) == ARN && pattern.matches(fields, 1, true),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(pattern: &str) -> Vec<Tok> {
        let mut toks = Vec::new();
        push_text(&mut toks, pattern);
        toks
    }

    fn check(pattern: &str, subject: &str, expected: bool) {
        assert_eq!(
            glob(&text(pattern), subject, false),
            expected,
            "glob({pattern:?}, {subject:?})"
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
        assert!(glob(&text("ListUsers"), "listusers", true));
        assert!(glob(&text("list*"), "ListUsers", true));
        assert!(!glob(&text("é"), "É", true));
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
        let subject = "a".repeat(5000);
        assert!(!glob(&text(&pattern), &subject, false));
        let pattern = "*a".repeat(100) + "*";
        assert!(glob(&text(&pattern), &subject, false));
    }

    fn arb_toks() -> impl proptest::strategy::Strategy<Value = Vec<Tok>> {
        use proptest::prelude::*;
        let tok = prop_oneof![
            3 => prop::sample::select(vec!['a', 'b', 'A', 'é', ':']).prop_map(Tok::Char),
            1 => Just(Tok::Star),
            1 => Just(Tok::One),
        ];
        prop::collection::vec(tok, 0..12)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

        /// The segment matcher (long inputs) and the backtracking loop
        /// (short ones) are the same function.
        #[test]
        fn segments_agree_with_backtracking(
            pattern in arb_toks(),
            text in "[abAé:]{0,14}",
            fold_case: bool,
        ) {
            proptest::prop_assert_eq!(
                glob_segments(&pattern, &text, fold_case),
                glob_backtrack(&pattern, &text, fold_case)
            );
        }

        /// The same on long texts, where `glob` itself takes the segments.
        #[test]
        fn long_inputs_agree_with_backtracking(
            pattern in arb_toks(),
            text in "[abAé:]{0,8}",
            repeat in 1usize..400,
            fold_case: bool,
        ) {
            let text = text.repeat(repeat);
            let pattern: Vec<Tok> = pattern.repeat(1 + repeat / 8);
            proptest::prop_assert_eq!(
                glob(&pattern, &text, fold_case),
                glob_backtrack(&pattern, &text, fold_case)
            );
        }
    }

    /// A pattern as large as a policy string may be against the longest
    /// resource the default limits allow: each finishes at once (a test that
    /// never finishes is the failure; no timing assertion).
    #[test]
    fn quota_sized_patterns_against_limit_sized_texts() {
        let text = "a".repeat(4096);
        let cases = [
            ("*a".repeat(30_000), false),
            ("*?".repeat(2_048) + "*", true),
            ("a?".repeat(2_048), true),
            ("*".to_string() + &"a?".repeat(1_000) + "b*", false),
            ("*".to_string() + &"a".repeat(4_000) + "*", true),
            (
                "*".to_string() + &"a".repeat(3_000) + "b" + &"*a".repeat(500),
                false,
            ),
        ];
        for (pattern, expected) in cases {
            assert_eq!(
                glob(&text_toks(&pattern), &text, false),
                expected,
                "{}",
                &pattern[..20]
            );
            assert_eq!(
                glob(&text_toks(&pattern), &text, true),
                expected,
                "{}",
                &pattern[..20]
            );
        }
    }

    fn text_toks(pattern: &str) -> Vec<Tok> {
        text(pattern)
    }

    #[test]
    fn literal_tokens_are_never_wildcards() {
        // C-VAR-3, C-VAR-4: `*` and `?` from a variable value or `${*}` are literal.
        let mut toks = text("home/");
        push_literal(&mut toks, "*?");
        push_text(&mut toks, "/*");
        assert!(glob(&toks, "home/*?/x", false));
        assert!(glob(&toks, "home/*?/", false));
        assert!(!glob(&toks, "home/ab/x", false));
        assert!(!glob(&toks, "home/a?/x", false));
        assert!(!glob(&toks, "home/*x/x", false));
    }

    fn fields(pattern: &str) -> Vec<String> {
        let arn = ArnPattern::new(&text(pattern));
        (0..6)
            .map(|idx| {
                arn.field(idx)
                    .iter()
                    .map(|tok| match tok {
                        Tok::Char(c) => *c,
                        Tok::Star => '*',
                        Tok::One => '?',
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn arn_patterns_split_into_six_fields() {
        assert_eq!(
            fields("arn:aws:s3:::bucket/a:b"),
            ["arn", "aws", "s3", "", "", "bucket/a:b"]
        );
        // R6: short patterns are padded with `*` fields.
        assert_eq!(fields("arn:aws:s3"), ["arn", "aws", "s3", "*", "*", "*"]);
        assert_eq!(fields("*"), ["*", "*", "*", "*", "*", "*"]);
        assert_eq!(fields(""), ["", "*", "*", "*", "*", "*"]);
        assert_eq!(fields("a:b:c:d:e:"), ["a", "b", "c", "d", "e", ""]);
        assert_eq!(
            split_arn("a:b:c:d:e:f:g"),
            Some(["a", "b", "c", "d", "e", "f:g"])
        );
        assert_eq!(split_arn("a:b:c:d:e"), None);
        // A literal colon separates fields like any other.
        let mut toks = text("arn:aws:s3:");
        push_literal(&mut toks, "x:y");
        let arn = ArnPattern::new(&toks);
        assert_eq!(arn.field(3), [Tok::Char('x')]);
        assert_eq!(arn.field(4), [Tok::Char('y')]);
        assert_eq!(arn.field(5), [Tok::Star]);
    }

    /// A Resource entry as `cond` compiles it: `"*"` first (R1), then an ARN pattern.
    fn resource_entry_matches(pattern: &str, resource: &str) -> bool {
        pattern == "*"
            || resource_matches(
                &ArnPattern::new(&text(pattern)),
                resource_fields(resource).as_ref(),
            )
    }

    /// Adversarial patterns against long names: an exponential matcher would
    /// never finish. No timing assertion: a test that never finishes is the
    /// failure.
    #[test]
    fn adversarial_wildcards_finish() {
        let long_name = "a".repeat(20_000);
        let star_any = "*?".repeat(5_000);
        assert!(glob(&text(&star_any), &long_name, false));
        assert!(!glob(&text(&(star_any.clone() + "b")), &long_name, false));
        assert!(!glob(&text(&(star_any.clone() + "?B*")), &long_name, true));
        let star_a = "*a".repeat(5_000);
        assert!(glob(&text(&star_a), &long_name, true));
        assert!(!glob(&text(&(star_a + "*b")), &long_name, false));
        let tail = "a".repeat(200) + "b";
        assert!(!glob(&text(&format!("*{tail}")), &long_name, false));
        let wide = "é".repeat(5_000);
        assert!(!glob(&text(&("*?".repeat(1_000) + "e")), &wide, false));
        // Through Resource matching: the last ARN field, colons and all.
        let resource = format!("arn:aws:chime:us-east-1:111122223333:meeting/{long_name}");
        let pattern = format!("arn:aws:chime:*:*:meeting/{}b", "*?".repeat(5_000));
        assert!(!resource_entry_matches(&pattern, &resource));
        let pattern = format!("arn:*:*:*:*:{}", "*?".repeat(5_000));
        assert!(resource_entry_matches(&pattern, &resource));
    }

    fn res(pattern: &str, resource: &str, expected: bool) {
        assert_eq!(
            resource_entry_matches(pattern, resource),
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
        res("ar?:aws:s3:::b", "arn:aws:s3:::b", false);
        res("*:aws:s3:::b", "arn:aws:s3:::b", false);
    }
}
