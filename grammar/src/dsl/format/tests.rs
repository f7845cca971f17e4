//! Tests of the formatter: the expected output for every file of the parser
//! corpus and of `test_data/dsl/fmt` (`UPDATE_EXPECT=1` rewrites them), the
//! layout rules one by one, and property tests on random files written in a
//! random layout with random comments: formatting keeps the tree and every
//! comment, and formatting twice changes nothing.

use super::super::tests::{run_corpus, TestResult};
use super::*;
use crate::print::{dsl_text, quoted};

/// Formats `src` and checks the result is a fixed point.
fn fmt(src: &str) -> Result<String, String> {
    let once = format(src).map_err(|e| e.to_string())?;
    let twice = format(&once).map_err(|e| format!("second pass: {e}"))?;
    if once != twice {
        return Err(format!(
            "not idempotent:\n--- once ---\n{once}\n--- twice ---\n{twice}"
        ));
    }
    Ok(once)
}

#[test]
fn ok_corpus_formats_to_the_expected_text() -> TestResult {
    run_corpus("ok", "fmt", fmt)
}

#[test]
fn fmt_corpus_formats_to_the_expected_text() -> TestResult {
    run_corpus("fmt", "fmt", fmt)
}

// ---------------------------------------------------------------------------
// Layout rules, one by one
// ---------------------------------------------------------------------------

#[test]
fn syntax_errors_are_reported_not_formatted() -> TestResult {
    let Err(err) = format("policy P { allow }") else {
        return Err("formatted a file with a syntax error".to_owned());
    };
    assert!(
        matches!(&err, FormatError::Syntax(e) if e.to_string() == "expected `not` or an action, found `}`"),
        "{err:?}"
    );
    Ok(())
}

#[test]
fn empty_and_blank_files_format_to_nothing() -> TestResult {
    for src in ["", "   \n\n\t", "\u{feff}"] {
        assert_eq!(fmt(src)?, "");
    }
    Ok(())
}

#[test]
fn texts_are_quoted_only_when_needed() -> TestResult {
    let src =
        r#"policy "P" { allow "a:b", "a b", "", "//x", "é", "*" on "*", "arn:aws:s3:::b/*" }"#;
    assert_eq!(
        fmt(src)?,
        "policy P {\n  allow a:b, \"a b\", \"\", \"//x\", \"é\", * on *, arn:aws:s3:::b/*\n}\n"
    );
    Ok(())
}

#[test]
fn a_text_not_first_in_a_list_stays_quoted() -> TestResult {
    let src = r#"policy P { allow "not", "not" on "not" deny not "not" on not "not" }"#;
    assert_eq!(
        fmt(src)?,
        "policy P {\n  allow \"not\", not on \"not\"\n  deny not \"not\" on not \"not\"\n}\n"
    );
    Ok(())
}

#[test]
fn principal_strings_stay_strings() -> TestResult {
    let src =
        r#"policy P { allow sts:AssumeRole principal "x" allow sts:AssumeRole principal "*" }"#;
    assert_eq!(
        fmt(src)?,
        "policy P {\n  allow sts:AssumeRole principal \"x\"\n  allow sts:AssumeRole principal *\n}\n"
    );
    Ok(())
}

#[test]
fn at_most_one_blank_line_and_none_after_a_brace() -> TestResult {
    let src = "\n\nuser a\n\n\n\nuser b\nuser c\n\n\n// note\n\nuser d {\n\n  member g\n\n  attach p\n}\n";
    assert_eq!(
        fmt(src)?,
        "user a\n\nuser b\nuser c\n\n// note\n\nuser d {\n  member g\n\n  attach p\n}\n"
    );
    Ok(())
}

#[test]
fn long_lists_break_one_item_per_line() -> TestResult {
    let actions: Vec<String> = (0..12).map(|n| format!("chime:Action{n:02}")).collect();
    let src = format!("policy P {{ allow {} }}", actions.join(", "));
    let out = fmt(&src)?;
    let mut want = String::from("policy P {\n  allow\n");
    for (n, action) in actions.iter().enumerate() {
        let comma = if n + 1 < actions.len() { "," } else { "" };
        want.push_str(&format!("      {action}{comma}\n"));
    }
    want.push_str("}\n");
    assert_eq!(out, want);
    assert!(out.lines().all(|l| l.chars().count() <= MAX_WIDTH));
    Ok(())
}

#[test]
fn crlf_and_trailing_space_are_normalised() -> TestResult {
    let src = "user a { member g }   // note   \r\n/* x\r\n y */\r\nuser b\r\n";
    assert_eq!(
        fmt(src)?,
        "user a { member g } // note\n/* x\n y */\nuser b\n"
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// Property tests: random files in a random layout
// ---------------------------------------------------------------------------

/// A small deterministic generator (xorshift), so one `u64` from proptest
/// gives one file; the failing source is printed in full.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from.get(self.below(from.len())).copied().unwrap_or("")
    }
}

const TEXTS: &[&str] = &[
    "a",
    "chime:ListUsers",
    "chime:List*",
    "*",
    "s3:Get?bject",
    "arn:aws:s3:::bucket/*",
    "not",
    "on",
    "policy",
    "allow",
    "when",
    "x-1.2@b+c",
    "2012-10-17",
    "true",
    "a b",
    "",
    "//x",
    "/*y",
    "é",
    "q\"t",
    "tab\there",
    "${aws:username}",
    "arn:aws:iam::111122223333:role/a-rather-long-role-name-to-make-lines-wrap-sooner",
    "111122223333",
    "scp",
    "at",
    "root",
    "ou",
    "from",
    "trust",
    "account",
    "service",
    "user",
    "assumed-role",
    "Ops/standup",
    "chime.amazonaws.com",
];

/// Builds a random file as a list of tokens; `None` marks a place where a
/// `;` may go.
struct Source<'g> {
    g: &'g mut Gen,
    toks: Vec<Option<String>>,
}

impl Source<'_> {
    fn raw(&mut self, t: &str) {
        self.toks.push(Some(t.to_owned()));
    }

    fn semi(&mut self) {
        self.toks.push(None);
    }

    /// A text, bare when it can be and the dice say so.
    fn text(&mut self, head: bool) {
        let value = self.g.pick(TEXTS);
        let can_be_bare =
            matches!(dsl_text(value), std::borrow::Cow::Borrowed(_)) && !(head && value == "not");
        let t = if can_be_bare && self.g.chance(60) {
            value.to_owned()
        } else {
            quoted(value)
        };
        self.toks.push(Some(t));
    }

    fn list(&mut self, head: bool, max: usize) {
        let n = 1 + self.g.below(max);
        for k in 0..n {
            if k > 0 {
                self.raw(",");
            }
            self.text(head && k == 0);
        }
    }

    fn values(&mut self) {
        if self.g.chance(50) {
            self.text(false);
            return;
        }
        self.raw("[");
        if self.g.chance(85) {
            self.list(false, 6);
        }
        self.raw("]");
    }

    fn file(&mut self) {
        for _ in 0..self.g.below(5) {
            match self.g.below(6) {
                0 => {
                    let kw = self.g.pick(&["include", "account"]);
                    self.raw(kw);
                    self.text(false);
                }
                1 | 2 => self.policy(),
                3 => self.scp(),
                _ => self.entity(),
            }
            if self.g.chance(20) {
                self.semi();
            }
        }
    }

    fn policy(&mut self) {
        if self.g.chance(20) {
            self.raw("managed");
        }
        self.raw("policy");
        self.text(false);
        self.body();
    }

    /// `scp NAME [at LEVEL] BODY`.
    fn scp(&mut self) {
        self.raw("scp");
        self.text(false);
        match self.g.below(5) {
            0 => {
                self.raw("at");
                self.raw("root");
            }
            1 => {
                self.raw("at");
                self.raw("account");
            }
            2 => {
                self.raw("at");
                self.raw("ou");
                self.text(false);
            }
            _ => {}
        }
        self.body();
    }

    /// `{ headers statements }` or `from PATH`.
    fn body(&mut self) {
        if self.g.chance(15) {
            self.raw("from");
            self.text(false);
            return;
        }
        self.raw("{");
        if self.g.chance(30) {
            self.raw("version");
            self.text(false);
        }
        if self.g.chance(15) {
            self.raw("id");
            self.text(false);
        }
        for _ in 0..self.g.below(4) {
            self.statement();
            if self.g.chance(20) {
                self.semi();
            }
        }
        self.raw("}");
    }

    fn statement(&mut self) {
        if self.g.chance(30) {
            self.raw("sid");
            self.text(false);
        }
        let effect = if self.g.chance(50) { "allow" } else { "deny" };
        self.raw(effect);
        if self.g.chance(20) {
            self.raw("not");
        }
        let max = if self.g.chance(10) { 20 } else { 3 };
        self.list(true, max);
        let mut kinds = vec![0, 1, 2, 3, 4];
        for _ in 0..self.g.below(4) {
            let pick = self.g.below(kinds.len());
            let kind = kinds.remove(pick.min(kinds.len().saturating_sub(1)));
            match kind {
                0 | 1 => {
                    self.raw("on");
                    if kind == 1 {
                        self.raw("not");
                    }
                    self.list(true, 4);
                }
                2 => self.when(),
                _ => {
                    if kind == 4 {
                        self.raw("not");
                    }
                    self.raw("principal");
                    self.principal();
                }
            }
            if kinds.is_empty() {
                break;
            }
        }
    }

    fn when(&mut self) {
        self.raw("when");
        self.raw("{");
        let mut key = 0;
        for _ in 0..self.g.below(4) {
            let op = self
                .g
                .pick(&["StringEquals", "Bool", "ForAnyValue:StringLike", "Null"]);
            // Distinct keys everywhere, so no operator and key repeat.
            self.raw(op);
            if self.g.chance(30) {
                self.raw("{");
                for _ in 0..self.g.below(3) {
                    key += 1;
                    self.raw(&format!("k{key}"));
                    self.raw("=");
                    self.values();
                }
                self.raw("}");
            } else {
                key += 1;
                self.raw(&format!("aws:Key{key}"));
                self.raw("=");
                self.values();
            }
        }
        self.raw("}");
    }

    fn principal(&mut self) {
        match self.g.below(3) {
            0 => self.raw("*"),
            1 => {
                let t = quoted(self.g.pick(TEXTS));
                self.raw(&t);
            }
            _ => {
                for k in 0..1 + self.g.below(3) {
                    if k > 0 {
                        self.raw(",");
                    }
                    let kind = self
                        .g
                        .pick(&["aws", "service", "federated", "canonical_user"]);
                    self.raw(kind);
                    self.values();
                }
            }
        }
    }

    fn entity(&mut self) {
        let kind = self.g.pick(&[
            "user",
            "group",
            "role",
            "role",
            "service-linked-role",
            "assumed-role",
            "federated-user",
        ]);
        self.raw(kind);
        self.text(false);
        if self.g.chance(25) {
            return;
        }
        self.raw("{");
        for _ in 0..self.g.below(5) {
            match self.g.below(11) {
                0 => {
                    self.raw("member");
                    let max = if self.g.chance(10) { 15 } else { 3 };
                    self.list(false, max);
                }
                1 => {
                    self.raw("attach");
                    self.list(false, 3);
                }
                2 => {
                    self.raw("boundary");
                    self.text(false);
                }
                3 => self.policy(),
                4 => {
                    self.raw("trust");
                    for k in 0..1 + self.g.below(3) {
                        if k > 0 {
                            self.raw(",");
                        }
                        let kind = self.g.pick(&["user", "role", "account", "service"]);
                        self.raw(kind);
                        self.text(false);
                    }
                }
                5 => {
                    self.raw("tag");
                    self.text(false);
                    self.raw("=");
                    self.text(false);
                }
                6 => {
                    self.raw("trust");
                    self.body();
                }
                7 | 8 => {
                    let kw = self.g.pick(&["account", "service", "user"]);
                    self.raw(kw);
                    self.text(false);
                }
                _ => {
                    self.raw("path");
                    self.text(false);
                }
            }
            if self.g.chance(15) {
                self.semi();
            }
        }
        self.raw("}");
    }
}

/// Writes the tokens with random white space, semicolons and comments.
fn messy_text(g: &mut Gen, toks: &[Option<String>]) -> String {
    const SPACE: &[&str] = &[" ", " ", " ", "\n", "\n  ", "\n\n", "\t", "\n\n\n    "];
    const COMMENTS: &[&str] = &[
        "// line comment",
        "# hash comment   ",
        "/* block */",
        "/* multi\n   line */",
        "/**/",
        "// with \"quotes\" and /* inside",
    ];
    let mut out = String::new();
    for tok in toks.iter().map(Some).chain([None]) {
        if g.chance(12) {
            out.push_str(g.pick(SPACE));
            let c = g.pick(COMMENTS);
            out.push_str(c);
            if c.starts_with("//") || c.starts_with('#') {
                out.push('\n');
            }
        }
        match tok {
            Some(Some(t)) => {
                out.push_str(g.pick(SPACE));
                out.push_str(t);
            }
            Some(None) if g.chance(50) => out.push(';'),
            Some(None) | None => {}
        }
    }
    if g.chance(50) {
        out.push('\n');
    }
    out
}

fn random_source(seed: u64) -> String {
    let mut g = Gen(seed | 1);
    let mut source = Source {
        g: &mut g,
        toks: Vec::new(),
    };
    source.file();
    let toks = source.toks;
    messy_text(&mut g, &toks)
}

fn check_formatting(src: &str) -> Result<(), proptest::test_runner::TestCaseError> {
    use proptest::prelude::*;
    let before = crate::dsl::parse(src, &ParseLimits::default())
        .map_err(|e| TestCaseError::fail(format!("the generator wrote a bad file: {e}\n{src}")))?;
    let out = format(src).map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
    let after = crate::dsl::parse(&out, &ParseLimits::default())
        .map_err(|e| TestCaseError::fail(format!("{e}\n{out}")))?;
    prop_assert!(
        same_tree(&before, &after),
        "tree changed:\n{}\n---\n{}",
        src,
        out
    );
    prop_assert_eq!(
        comment_texts(src, &ParseLimits::default()).ok(),
        comment_texts(&out, &ParseLimits::default()).ok()
    );
    let again = format(&out).map_err(|e| TestCaseError::fail(format!("{e}\n{out}")))?;
    prop_assert_eq!(&again, &out, "not idempotent; source:\n{}", src);
    prop_assert!(out.is_empty() || out.ends_with('\n'));
    prop_assert!(!out.ends_with("\n\n"));
    for line in out.lines() {
        prop_assert_eq!(line, line.trim_end(), "trailing white space in\n{}", out);
    }
    Ok(())
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512),
        ..proptest::test_runner::Config::default()
    })]

    /// Random files in a random layout: the formatted text means the same,
    /// keeps every comment, and formats to itself.
    #[test]
    fn formatting_keeps_meaning_and_comments_and_is_idempotent(seed in proptest::prelude::any::<u64>()) {
        check_formatting(&random_source(seed))?;
    }
}

#[test]
fn the_generator_writes_varied_files() {
    let sources: Vec<String> = (1..200u64).map(|s| random_source(s * 7919)).collect();
    let parsed = sources
        .iter()
        .filter(|s| crate::dsl::parse(s, &ParseLimits::default()).is_ok())
        .count();
    assert_eq!(parsed, sources.len(), "every generated file parses");
    for needle in [
        "//",
        "/*",
        ";",
        "when",
        "principal",
        "\"not\"",
        "trust",
        "trust {",
        "scp",
        " at ou ",
        "account",
        "service-linked-role",
        "assumed-role",
        "federated-user",
    ] {
        assert!(
            sources.iter().any(|s| s.contains(needle)),
            "no generated file contains {needle}"
        );
    }
}

/// Whatever `src` is: a syntax error exactly when it does not parse, and
/// otherwise the checks of `check_formatting`.
fn check_any(src: &str) -> Result<(), proptest::test_runner::TestCaseError> {
    use proptest::prelude::*;
    match format(src) {
        Err(FormatError::Syntax(_)) => {
            prop_assert!(crate::dsl::parse(src, &ParseLimits::default()).is_err());
            Ok(())
        }
        Err(err @ FormatError::Internal(_)) => Err(TestCaseError::fail(format!("{err}\n{src:?}"))),
        Ok(_) => check_formatting(src),
    }
}

/// White space the lexer skips, beyond the usual.
const ODD_SPACE: &[&str] = &[
    "\r\n", "\r", "\u{a0}", "\u{2028}", "\u{b}", "\u{c}", "\t", "\u{3000}",
];

proptest::proptest! {
    /// Token soups: most do not parse; those that do format properly.
    #[test]
    fn token_soups_format_or_fail_cleanly(
        tokens in proptest::collection::vec((0..super::super::tests::SOUP.len(), 0..ODD_SPACE.len() + 3), 0..60),
    ) {
        let mut src = String::new();
        for (idx, space) in tokens {
            src.push_str(super::super::tests::SOUP.get(idx).copied().unwrap_or(""));
            src.push_str(match space { 0 => "", 1 | 2 => " ", n => ODD_SPACE.get(n - 3).copied().unwrap_or(" ") });
        }
        check_any(&src)?;
    }

    /// The realistic corpus file with a few random edits, including odd
    /// white space.
    #[test]
    fn mutated_org_file_formats_or_fails_cleanly(
        edits in proptest::collection::vec((proptest::prelude::any::<proptest::sample::Index>(), 0u8..4, 0x20u8..0x7f, 0..ODD_SPACE.len()), 1..6),
    ) {
        let mut src = super::super::tests::ORG.to_owned();
        for (at, op, byte, space) in edits {
            let mut at = at.index(src.len() + 1);
            while !src.is_char_boundary(at) {
                at -= 1;
            }
            match op {
                0 => src.insert(at, char::from(byte)),
                1 if at < src.len() => { src.remove(at); }
                2 => src.insert_str(at, ODD_SPACE.get(space).copied().unwrap_or(" ")),
                _ => src.insert_str(at, if byte % 2 == 0 { " // c\n" } else { " /* c */ " }),
            }
        }
        check_any(&src)?;
    }
}
