//! Lexical layer of the `.vp` parser: trivia (whitespace and comments),
//! words, strings and punctuation, the failure type of every parser, and the
//! furthest-failure tracker [`Cx`] that turns failed expectations into
//! "expected …, found …" messages.
//!
//! Every token parser here skips the trivia *after* its token, so a parser
//! always starts at a token (or at the end of the input). The productions of
//! the grammar live in `parse.rs`; nothing here knows about policies.

use std::cell::Cell;

use nom::error::ErrorKind;
use nom::{Err, IResult};

use crate::error::{ParseError, ParseErrorKind};
use crate::limits::ParseLimits;
use crate::span::{Span, Spanned};

/// What every parser of the DSL returns; the input is always a suffix of
/// [`Cx`]'s source text, so offsets are `src.len() - rest.len()`.
pub(super) type PResult<'s, T> = IResult<&'s str, T, Fail>;

/// Why a parser failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Fail {
    /// The input did not match. What would have matched was recorded in the
    /// [`Cx`], which builds the message.
    Mismatch,
    /// A definite error (a bad string, an unclosed comment, a duplicate key),
    /// reported as is. Always wrapped in [`Err::Failure`].
    Fatal(ParseError),
}

impl nom::error::ParseError<&str> for Fail {
    fn from_error_kind(_input: &str, _kind: ErrorKind) -> Fail {
        Fail::Mismatch
    }

    fn append(_input: &str, _kind: ErrorKind, other: Fail) -> Fail {
        other
    }
}

/// One thing a parser looked for and did not find.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Expected {
    /// A literal token: a keyword or a punctuation mark, shown in backticks.
    Token(&'static str),
    /// A class of tokens, e.g. `an action` or `end of input`, shown as is.
    Thing(&'static str),
}

/// Parsing context: the source text and the furthest-failure tracker.
///
/// Every failed expectation is recorded with its offset. The error reported
/// for a failed parse lists everything that was tried at the furthest offset
/// any expectation failed at, so optional parts that were skipped still show
/// up as alternatives ("expected `,`, `on`, `when` … or `}`").
pub(super) struct Cx<'s> {
    src: &'s str,
    /// Longest word or string, in bytes (decoded, for strings).
    max_token: usize,
    /// Most statements in one policy block.
    pub(super) max_statements: usize,
    /// Byte offset of the furthest failed expectation.
    furthest: Cell<usize>,
    /// INVARIANT: what was tried at offset `furthest`, in the order tried,
    /// without duplicates. A `Cell` (taken and put back) rather than a
    /// `RefCell`, so there is no borrow that could panic.
    expected: Cell<Vec<Expected>>,
}

/// Characters a bare word is made of: IAM names, action patterns, ARNs,
/// numbers, condition keys. Comment openers (`//`, `/*`) inside a word are
/// part of the word; comments only start between tokens.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '*' | '?' | '+' | '@' | '/')
}

/// Length in bytes of the bare word at the start of `i` (0 if none).
fn word_len(i: &str) -> usize {
    i.find(|c: char| !is_word_char(c)).unwrap_or(i.len())
}

/// Longest text shown for the found token in a message, in characters.
const MAX_FOUND_CHARS: usize = 40;

impl<'s> Cx<'s> {
    pub(super) fn new(src: &'s str, limits: &ParseLimits) -> Cx<'s> {
        Cx {
            src,
            max_token: limits.string_bytes,
            max_statements: limits.statements,
            furthest: Cell::new(0),
            expected: Cell::new(Vec::new()),
        }
    }

    /// Byte offset of `rest`, a suffix of the source text.
    pub(super) fn offset(&self, rest: &str) -> usize {
        self.src.len().saturating_sub(rest.len())
    }

    /// The span from the start of `from` to the start of `to` (both suffixes
    /// of the source, `to` no longer than `from`).
    fn span_between(&self, from: &str, to: &str) -> Span {
        Span::new(self.offset(from), self.offset(to))
    }

    /// Records that `what` was expected at the start of `i`, and fails.
    pub(super) fn fail<T>(&self, i: &'s str, what: Expected) -> PResult<'s, T> {
        let at = self.offset(i);
        let mut expected = self.expected.take();
        if at > self.furthest.get() {
            self.furthest.set(at);
            expected.clear();
        }
        if at == self.furthest.get() && !expected.contains(&what) {
            expected.push(what);
        }
        self.expected.set(expected);
        Err(Err::Error(Fail::Mismatch))
    }

    /// Turns the failure of the whole parse into the error to report.
    pub(super) fn into_error(self, fail: Fail) -> ParseError {
        match fail {
            Fail::Fatal(error) => error,
            Fail::Mismatch => {
                let at = self.furthest.get();
                let (found, span) = found_at(self.src, at);
                let expected = render_expected(&self.expected.take());
                ParseError::new(span, ParseErrorKind::Expected { expected, found })
            }
        }
    }

    /// `trivia = { whitespace | line_comment | block_comment } ;`
    ///
    /// `line_comment = ( "//" | "#" ) { ? any character but a line feed ? } ;`
    /// `block_comment = "/*" { ? any character ? } "*/" ;` (not nested)
    pub(super) fn trivia(&self, mut i: &'s str) -> PResult<'s, ()> {
        loop {
            let t = i.trim_start();
            if let Some(rest) = t.strip_prefix("//").or_else(|| t.strip_prefix('#')) {
                i = rest.find('\n').and_then(|n| rest.get(n..)).unwrap_or("");
            } else if let Some(rest) = t.strip_prefix("/*") {
                match rest.find("*/").and_then(|n| rest.get(n + 2..)) {
                    Some(after) => i = after,
                    None => {
                        let start = self.offset(t);
                        return Err(Err::Failure(Fail::Fatal(ParseError::new(
                            Span::new(start, start + 2),
                            ParseErrorKind::Expected {
                                expected: "`*/` to close this comment".to_owned(),
                                found: "end of input".to_owned(),
                            },
                        ))));
                    }
                }
            } else {
                return Ok((t, ()));
            }
        }
    }

    /// Finishes a token that ends where `rest` starts: skips the trivia
    /// after it and returns its span.
    fn token(&self, start: &'s str, rest: &'s str) -> PResult<'s, Span> {
        let span = self.span_between(start, rest);
        let (rest, ()) = self.trivia(rest)?;
        Ok((rest, span))
    }

    /// A keyword: the bare word `kw` exactly (`allowed` is not `allow`).
    pub(super) fn keyword(&self, i: &'s str, kw: &'static str) -> PResult<'s, Span> {
        match i.split_at_checked(word_len(i)) {
            Some((word, rest)) if word == kw => self.token(i, rest),
            _ => self.fail(i, Expected::Token(kw)),
        }
    }

    /// A punctuation token: one of `{ } [ ] , = ;`.
    pub(super) fn punct(&self, i: &'s str, p: &'static str) -> PResult<'s, Span> {
        match i.strip_prefix(p) {
            Some(rest) => self.token(i, rest),
            None => self.fail(i, Expected::Token(p)),
        }
    }

    /// `[ ";" ]`: an optional separator, silently skipped (never listed in
    /// "expected …" messages).
    pub(super) fn semicolon(&self, i: &'s str) -> PResult<'s, ()> {
        match i.strip_prefix(';') {
            Some(rest) => self.trivia(rest),
            None => Ok((i, ())),
        }
    }

    /// The end of the input.
    pub(super) fn eof(&self, i: &'s str) -> PResult<'s, ()> {
        if i.is_empty() {
            Ok((i, ()))
        } else {
            self.fail(i, Expected::Thing("end of input"))
        }
    }

    /// `text = word | string ;` — `what` names it in error messages
    /// ("a policy name", "an action", …).
    ///
    /// `word = word_char { word_char } ;`
    /// `word_char = letter | digit | "_" | "-" | "." | ":" | "*" | "?" | "+" | "@" | "/" ;`
    pub(super) fn text(&self, i: &'s str, what: &'static str) -> PResult<'s, Spanned<String>> {
        if i.starts_with('"') {
            return self.string(i);
        }
        match i.split_at_checked(word_len(i)) {
            Some((word, _)) if word.len() > self.max_token => Err(self.too_long(i)),
            Some((word, rest)) if !word.is_empty() => {
                let (rest, span) = self.token(i, rest)?;
                Ok((rest, Spanned::new(word.to_owned(), span)))
            }
            _ => self.fail(i, Expected::Thing(what)),
        }
    }

    /// `string = '"' { ? any character but '"', '\' or a line feed ? | escape } '"' ;`
    ///
    /// `escape = '\' ( '"' | '\' | "/" | "b" | "f" | "n" | "r" | "t" | "u" hex hex hex hex ) ;`
    /// (JSON's escapes; a UTF-16 surrogate pair is two `\u` escapes).
    fn string(&self, i: &'s str) -> PResult<'s, Spanned<String>> {
        // The span of an unterminated string: to the end of its line (not
        // counting the `\r` of a CRLF line ending) or of the input.
        let unterminated = |end: &str| {
            let start = self.offset(i);
            let mut end = self.offset(end);
            if end > start + 1 && self.src.as_bytes().get(end - 1) == Some(&b'\r') {
                end -= 1;
            }
            Err(Err::Failure(Fail::Fatal(ParseError::new(
                Span::new(start, end),
                ParseErrorKind::UnterminatedString,
            ))))
        };
        let mut out = String::new();
        let mut rest = i.get(1..).unwrap_or("");
        loop {
            let Some(c) = rest.chars().next() else {
                return unterminated(rest);
            };
            match c {
                '"' => {
                    let after = rest.get(1..).unwrap_or("");
                    let (after, span) = self.token(i, after)?;
                    return Ok((after, Spanned::new(out, span)));
                }
                '\n' => return unterminated(rest),
                '\\' => {
                    let (ch, after) = self.escape(rest)?;
                    out.push(ch);
                    rest = after;
                }
                _ => {
                    out.push(c);
                    rest = rest.get(c.len_utf8()..).unwrap_or("");
                }
            }
            if out.len() > self.max_token {
                return Err(self.too_long(i));
            }
        }
    }

    /// The error for a word or string at the start of `i` that is longer
    /// than the limit: on its first character.
    fn too_long(&self, i: &str) -> Err<Fail> {
        let start = self.offset(i);
        let len = i.chars().next().map_or(0, char::len_utf8);
        Err::Failure(Fail::Fatal(ParseError::new(
            Span::new(start, start + len),
            ParseErrorKind::StringTooLong(self.max_token),
        )))
    }

    /// The error for the first statement over the limit of a policy block.
    pub(super) fn too_many_statements(&self, statement: Span) -> Err<Fail> {
        Err::Failure(Fail::Fatal(ParseError::new(
            statement,
            ParseErrorKind::TooManyStatements(self.max_statements),
        )))
    }

    /// One escape sequence at the start of `i` (which starts with `\`).
    fn escape(&self, i: &'s str) -> Result<(char, &'s str), Err<Fail>> {
        // The span of an invalid escape: `\` and up to `n_chars - 1` more
        // characters, stopping at the end of the string or of the line.
        let invalid = |n_chars: usize| {
            let start = self.offset(i);
            let len: usize = i
                .chars()
                .enumerate()
                .take_while(|&(k, c)| k < 2 || (k < n_chars && c != '"' && c != '\n'))
                .map(|(_, c)| c.len_utf8())
                .sum();
            Err::Failure(Fail::Fatal(ParseError::new(
                Span::new(start, start + len),
                ParseErrorKind::InvalidEscape,
            )))
        };
        let mut chars = i.chars();
        chars.next();
        let simple = match chars.next() {
            Some('"') => '"',
            Some('\\') => '\\',
            Some('/') => '/',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                let high = hex4(i.get(2..)).ok_or_else(|| invalid(6))?;
                let rest = i.get(6..).unwrap_or("");
                if !(0xD800..=0xDFFF).contains(&high) {
                    let c = char::from_u32(u32::from(high)).ok_or_else(|| invalid(6))?;
                    return Ok((c, rest));
                }
                if high >= 0xDC00 {
                    return Err(invalid(6));
                }
                let low = rest
                    .strip_prefix("\\u")
                    .and_then(|r| hex4(Some(r)))
                    .filter(|low| (0xDC00..=0xDFFF).contains(low))
                    .ok_or_else(|| invalid(6))?;
                let code = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                let c = char::from_u32(code).ok_or_else(|| invalid(12))?;
                return Ok((c, rest.get(6..).unwrap_or("")));
            }
            // A raw line feed after `\` ends the line, so the string is unterminated.
            Some('\n') | None => {
                let start = self.offset(i);
                let end = i.find('\n').unwrap_or(i.len());
                return Err(Err::Failure(Fail::Fatal(ParseError::new(
                    Span::new(start, start + end),
                    ParseErrorKind::UnterminatedString,
                ))));
            }
            Some(_) => return Err(invalid(2)),
        };
        Ok((simple, chars.as_str()))
    }
}

/// Four hex digits at the start of `s`, as a number.
fn hex4(s: Option<&str>) -> Option<u16> {
    let digits = s?.get(..4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(digits, 16).ok()
}

/// Describes the token at byte offset `at` of `src` for a message (in
/// backticks, shortened if long, or `end of input`), with its span.
fn found_at(src: &str, at: usize) -> (String, Span) {
    let rest = src.get(at..).unwrap_or("");
    let len = if rest.starts_with('"') {
        // Up to the closing quote, or to the end of the line if there is none.
        let mut escaped = false;
        rest.char_indices()
            .skip(1)
            .find(|&(_, c)| {
                let end = (c == '"' && !escaped) || c == '\n';
                escaped = c == '\\' && !escaped;
                end
            })
            .map_or(rest.len(), |(n, c)| if c == '"' { n + 1 } else { n })
    } else {
        match word_len(rest) {
            0 => rest.chars().next().map_or(0, char::len_utf8),
            n => n,
        }
    };
    let token = rest.get(..len).unwrap_or("");
    let span = Span::new(at, at + token.len());
    if token.is_empty() {
        return ("end of input".to_owned(), span);
    }
    let shown: String = token.chars().take(MAX_FOUND_CHARS).collect();
    let ellipsis = if shown.len() < token.len() { "..." } else { "" };
    (format!("`{shown}{ellipsis}`"), span)
}

/// `a`, `a or b`, `a, b or c`.
fn render_expected(expected: &[Expected]) -> String {
    let names: Vec<String> = expected
        .iter()
        .map(|e| match e {
            Expected::Token(t) => format!("`{t}`"),
            Expected::Thing(t) => (*t).to_owned(),
        })
        .collect();
    match names.split_last() {
        None => "valid syntax".to_owned(),
        Some((last, [])) => last.clone(),
        Some((last, init)) => format!("{} or {last}", init.join(", ")),
    }
}
