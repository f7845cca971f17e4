//! The JSON reader: strict RFC 8259 JSON text to a [`Json`] tree with a byte
//! span on every value and object key.
//!
//! This file knows nothing about IAM: objects keep their members in source
//! order, repeated keys included (the IAM and account-dump readers report
//! repeats), and numbers keep their source text. It stops at the first error.

/*
Design notes.

- Spans are byte offsets into the text given to `parse`, computed as
  `src.len() - rest.len()` from the remaining input; a skipped byte-order mark
  still counts, so spans index the caller's text. The span of a string (value
  or object key) is the whole token, quotes included.
- Errors are all committed (`nom::Err::Failure`): JSON needs no
  backtracking once a value's first character is seen. `Fail` carries the
  remaining input at the error, the length of the offending text and what went
  wrong; `Fail::into_parse_error` turns it into a `ParseError` with a span.
- Nesting is bounded: `value` recurses once per array or object level and
  refuses to open a level deeper than the limit (`ParseLimits::json_depth`,
  itself capped at `JSON_DEPTH_CEILING`), so stack use is bounded no matter
  the input or the configuration. Strings are bounded by
  `ParseLimits::string_bytes`, checked as they are decoded. Everything else is loops, and every loop consumes input,
  so the reader is linear in the input length.
- A number is read as the longest run of characters that could belong to a
  number-like token (`[0-9A-Za-z.+-]`) and then checked against the JSON
  number grammar, so `01`, `1.`, `-`, `1e5x` and `-Infinity` are one
  "invalid number" error on the whole token instead of a confusing error on
  the character after a valid prefix.
*/

use nom::{
    branch::alt,
    bytes::complete::{tag, take_while, take_while1, take_while_m_n},
    character::complete::{char, digit0, digit1, multispace0, one_of, satisfy},
    combinator::{all_consuming, cut, opt, recognize},
    error::{ContextError, ErrorKind},
    IResult, Parser,
};

use crate::{
    ast::{Json, JsonKind},
    error::{ParseError, ParseErrorKind},
    limits::ParseLimits,
    span::{Span, Spanned},
};

/// Parses one JSON text (surrounding whitespace and a leading UTF-8 byte-order
/// mark allowed) into a tree with spans.
pub(crate) fn parse(src: &str, limits: &ParseLimits) -> Result<Json, ParseError> {
    if src.len() > limits.input_bytes {
        return Err(ParseError::new(
            Span::new(0, 0),
            ParseErrorKind::TooLarge(limits.input_bytes),
        ));
    }
    let reader = Reader {
        src,
        max_depth: limits.effective_json_depth(),
        max_string: limits.string_bytes,
    };
    let input = src.strip_prefix('\u{feff}').unwrap_or(src);
    let res = (ws, |i| reader.value(i, 0, "a value"), ws).parse(input);
    match res {
        Ok((rest, (_, value, _))) => {
            if rest.is_empty() {
                Ok(value)
            } else {
                Err(reader.error(Fail::new(
                    rest,
                    offending_len(rest),
                    FailKind::Kind(ParseErrorKind::TrailingText),
                )))
            }
        }
        Err(nom::Err::Error(fail) | nom::Err::Failure(fail)) => Err(reader.error(fail)),
        // Only streaming parsers report `Incomplete`; these are all complete.
        Err(nom::Err::Incomplete(_)) => {
            Err(reader.error(Fail::new("", 0, FailKind::Expected("a value"))))
        }
    }
}

type PResult<'a, T> = IResult<&'a str, T, Fail<'a>>;

/// The error type of the nom parsers in this file.
#[derive(Debug)]
struct Fail<'a> {
    /// The remaining input where the offending text starts.
    at: &'a str,
    /// Length in bytes of the offending text (0 at the end of input).
    len: usize,
    kind: FailKind,
}

#[derive(Debug)]
enum FailKind {
    /// A nom combinator failed without a label; should not reach users.
    Nom,
    /// `expected {0}, found <the text at `at`>`.
    Expected(&'static str),
    Kind(ParseErrorKind),
}

impl<'a> Fail<'a> {
    fn new(at: &'a str, len: usize, kind: FailKind) -> Fail<'a> {
        Fail { at, len, kind }
    }

    /// A committed "expected X, found Y" error at `at`.
    fn expected<T>(at: &'a str, expected: &'static str) -> PResult<'a, T> {
        Err(nom::Err::Failure(Fail::new(
            at,
            offending_len(at),
            FailKind::Expected(expected),
        )))
    }

    /// A committed error of `kind` on the `len` bytes at `at`.
    fn kind_at<T>(at: &'a str, len: usize, kind: ParseErrorKind) -> PResult<'a, T> {
        Err(nom::Err::Failure(Fail::new(at, len, FailKind::Kind(kind))))
    }
}

impl<'a> nom::error::ParseError<&'a str> for Fail<'a> {
    fn from_error_kind(input: &'a str, _kind: ErrorKind) -> Self {
        Fail::new(input, offending_len(input), FailKind::Nom)
    }

    fn append(_input: &'a str, _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

impl<'a> ContextError<&'a str> for Fail<'a> {
    /// Labels an unlabelled error with what the parser expected.
    fn add_context(_input: &'a str, ctx: &'static str, other: Self) -> Self {
        match other.kind {
            FailKind::Nom => Fail::new(other.at, other.len, FailKind::Expected(ctx)),
            FailKind::Expected(_) | FailKind::Kind(_) => other,
        }
    }
}

/// Length of the text an error at `rest` points at: a run of ASCII letters and
/// digits (so `True` is reported as `True`, not `T`), else one character, else
/// nothing at the end of input.
fn offending_len(rest: &str) -> usize {
    const MAX_WORD: usize = 32;
    let word = rest
        .bytes()
        .take(MAX_WORD)
        .take_while(u8::is_ascii_alphanumeric)
        .count();
    if word > 0 {
        word
    } else {
        rest.chars().next().map_or(0, char::len_utf8)
    }
}

/// How an error message names the text `text`.
fn describe(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (None, _) => "end of input".to_owned(),
        (Some(c), None) if c.is_control() => {
            format!("control character U+{:04X}", u32::from(c))
        }
        (Some(c), None) if c.is_whitespace() || c == '\u{feff}' => {
            format!("character U+{:04X}", u32::from(c))
        }
        (Some('`'), None) => "`` ` ``".to_owned(),
        _ => format!("`{text}`"),
    }
}

/// JSON whitespace: space, tab, line feed, carriage return.
fn ws(input: &str) -> PResult<'_, &str> {
    multispace0(input)
}

/// The text being parsed, for byte offsets.
struct Reader<'s> {
    src: &'s str,
    /// Most nested arrays and objects.
    max_depth: usize,
    /// Longest string, in bytes after unescaping.
    max_string: usize,
}

impl<'s> Reader<'s> {
    fn offset(&self, rest: &str) -> usize {
        self.src.len().saturating_sub(rest.len())
    }

    /// The span from `start` (remaining input at the start of a token) to
    /// `end` (remaining input after it).
    fn span(&self, start: &str, end: &str) -> Span {
        Span::new(self.offset(start), self.offset(end))
    }

    fn error(&self, fail: Fail<'_>) -> ParseError {
        let start = self.offset(fail.at);
        let span = Span::new(start, start.saturating_add(fail.len));
        let found = || describe(fail.at.get(..fail.len).unwrap_or(""));
        let kind = match fail.kind {
            FailKind::Nom => ParseErrorKind::Expected {
                expected: "valid JSON".to_owned(),
                found: found(),
            },
            FailKind::Expected(expected) => ParseErrorKind::Expected {
                expected: expected.to_owned(),
                found: found(),
            },
            FailKind::Kind(kind) => kind,
        };
        ParseError::new(span, kind)
    }

    /// `value = object / array / string / number / "true" / "false" / "null"`
    ///
    /// `depth` is the number of arrays and objects around this value;
    /// `expected` says what may stand here, for the error message.
    fn value<'a>(&self, input: &'a str, depth: usize, expected: &'static str) -> PResult<'a, Json> {
        let Some(first) = input.chars().next() else {
            return Fail::expected(input, expected);
        };
        let (rest, kind) = match first {
            '{' | '[' if depth >= self.max_depth => {
                return Fail::kind_at(input, 1, ParseErrorKind::TooDeep(self.max_depth));
            }
            '{' => self.object(input, depth + 1)?,
            '[' => self.array(input, depth + 1)?,
            '"' => {
                let (rest, text) = string(input, self.max_string)?;
                (rest, JsonKind::String(text))
            }
            '-' | '0'..='9' => {
                let (rest, text) = number(input)?;
                (rest, JsonKind::Number(text.to_owned()))
            }
            _ => {
                let mut literal = alt((
                    tag("true").map(|_| JsonKind::Bool(true)),
                    tag("false").map(|_| JsonKind::Bool(false)),
                    tag("null").map(|_| JsonKind::Null),
                ));
                let parsed: PResult<'a, JsonKind> = literal.parse(input);
                let (rest, kind) = match parsed {
                    Ok(ok) => ok,
                    Err(_) => return Fail::expected(input, expected),
                };
                // `truex` or `nullable` is one bad word, not `true` + garbage.
                if rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                    return Fail::expected(input, expected);
                }
                (rest, kind)
            }
        };
        Ok((
            rest,
            Json {
                kind,
                span: self.span(input, rest),
            },
        ))
    }

    /// `array = "[" [ value *( "," value ) ] "]"`
    fn array<'a>(&self, input: &'a str, depth: usize) -> PResult<'a, JsonKind> {
        let (mut rest, _) = (char('['), ws).parse(input)?;
        let mut items = Vec::new();
        if let Ok((after, _)) = char::<_, Fail<'a>>(']').parse(rest) {
            return Ok((after, JsonKind::Array(items)));
        }
        // INVARIANT: each iteration consumes at least one value and a `,`.
        loop {
            let expected = if items.is_empty() {
                "a value or `]`"
            } else {
                "a value"
            };
            let (after, item) = self.value(rest, depth, expected)?;
            items.push(item);
            let (after, _) = ws(after)?;
            let (after, sep) = cut(nom::error::context("`,` or `]`", one_of(",]"))).parse(after)?;
            if sep == ']' {
                return Ok((after, JsonKind::Array(items)));
            }
            let (after, _) = ws(after)?;
            rest = after;
        }
    }

    /// `object = "{" [ member *( "," member ) ] "}"`,
    /// `member = string ":" value`
    fn object<'a>(&self, input: &'a str, depth: usize) -> PResult<'a, JsonKind> {
        let (mut rest, _) = (char('{'), ws).parse(input)?;
        let mut members = Vec::new();
        if let Ok((after, _)) = char::<_, Fail<'a>>('}').parse(rest) {
            return Ok((after, JsonKind::Object(members)));
        }
        // INVARIANT: each iteration consumes a key, a `:`, a value and a `,`.
        loop {
            if !rest.starts_with('"') {
                let expected = if members.is_empty() {
                    "a string key or `}`"
                } else {
                    "a string key"
                };
                return Fail::expected(rest, expected);
            }
            let (after, key) = string(rest, self.max_string)?;
            let key = Spanned::new(key, self.span(rest, after));
            let (after, _) = (ws, cut(nom::error::context("`:`", char(':'))), ws).parse(after)?;
            let (after, value) = self.value(after, depth, "a value")?;
            members.push((key, value));
            let (after, _) = ws(after)?;
            let (after, sep) = cut(nom::error::context("`,` or `}`", one_of(",}"))).parse(after)?;
            if sep == '}' {
                return Ok((after, JsonKind::Object(members)));
            }
            let (after, _) = ws(after)?;
            rest = after;
        }
    }
}

/// `string = quotation-mark *char quotation-mark`
///
/// Decodes every escape, `\uXXXX` surrogate pairs included; a lone surrogate
/// is an invalid escape and an unescaped control character an error. A
/// string longer than `max` bytes (decoded) is an error at its opening quote.
fn string(input: &str, max: usize) -> PResult<'_, String> {
    let (mut rest, _) = char('"').parse(input)?;
    let mut text = String::new();
    // INVARIANT: each iteration consumes a plain run, an escape or the
    // closing quote (or fails).
    loop {
        let (after, plain) =
            take_while(|c: char| c != '"' && c != '\\' && !is_json_control(c)).parse(rest)?;
        if text.len().saturating_add(plain.len()) > max {
            return Fail::kind_at(input, 1, ParseErrorKind::StringTooLong(max));
        }
        text.push_str(plain);
        rest = after;
        match rest.chars().next() {
            None => return Fail::kind_at(input, 1, ParseErrorKind::UnterminatedString),
            Some('"') => return Ok((rest.get(1..).unwrap_or(""), text)),
            Some('\\') => {
                let (after, c) = escape(rest, input)?;
                if text.len().saturating_add(c.len_utf8()) > max {
                    return Fail::kind_at(input, 1, ParseErrorKind::StringTooLong(max));
                }
                text.push(c);
                rest = after;
            }
            Some(c) => {
                return Err(nom::Err::Failure(Fail::new(
                    rest,
                    c.len_utf8(),
                    FailKind::Expected("`\"` or a string character"),
                )));
            }
        }
    }
}

/// Characters that must be escaped in a JSON string (RFC 8259 §7).
fn is_json_control(c: char) -> bool {
    c < '\u{20}'
}

/// One escape sequence starting at the backslash in `input`; `string_start`
/// is the remaining input at the string's opening quote.
fn escape<'a>(input: &'a str, string_start: &'a str) -> PResult<'a, char> {
    let invalid = |len: usize| Fail::kind_at(input, len, ParseErrorKind::InvalidEscape);
    let after_backslash = input.get(1..).unwrap_or("");
    let Some(c) = after_backslash.chars().next() else {
        return Fail::kind_at(string_start, 1, ParseErrorKind::UnterminatedString);
    };
    let simple = match c {
        '"' => Some('"'),
        '\\' => Some('\\'),
        '/' => Some('/'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'u' => None,
        _ => return invalid(1 + c.len_utf8()),
    };
    if let Some(decoded) = simple {
        return Ok((after_backslash.get(1..).unwrap_or(""), decoded));
    }
    let (rest, high) = match unicode_escape(input) {
        Ok(ok) => ok,
        Err(_) => return invalid(bad_unicode_escape_len(input)),
    };
    match high {
        0xD800..=0xDBFF => {
            let Ok((rest, low)) = unicode_escape(rest) else {
                return invalid(6);
            };
            if !(0xDC00..=0xDFFF).contains(&low) {
                return invalid(6);
            }
            let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            match char::from_u32(code) {
                Some(decoded) => Ok((rest, decoded)),
                None => invalid(12),
            }
        }
        0xDC00..=0xDFFF => invalid(6),
        _ => match char::from_u32(high) {
            Some(decoded) => Ok((rest, decoded)),
            None => invalid(6),
        },
    }
}

/// `\uXXXX` → the code unit `XXXX`.
fn unicode_escape(input: &str) -> PResult<'_, u32> {
    let (rest, hex) = (
        tag("\\u"),
        take_while_m_n(4, 4, |c: char| c.is_ascii_hexdigit()),
    )
        .map(|(_, hex)| hex)
        .parse(input)?;
    match u32::from_str_radix(hex, 16) {
        Ok(unit) => Ok((rest, unit)),
        Err(_) => Err(nom::Err::Error(Fail::new(input, 0, FailKind::Nom))),
    }
}

/// Length of a malformed `\u` escape: the backslash, the `u` and up to four
/// following characters, stopping before a quote.
fn bad_unicode_escape_len(input: &str) -> usize {
    let tail: usize = input
        .get(2..)
        .unwrap_or("")
        .chars()
        .take(4)
        .take_while(|&c| c != '"' && c != '\\' && !is_json_control(c))
        .map(char::len_utf8)
        .sum();
    2 + tail
}

/// `number = [ minus ] int [ frac ] [ exp ]`; returns the source text.
fn number(input: &str) -> PResult<'_, &str> {
    let (rest, token) =
        take_while1(|c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'))
            .parse(input)?;
    match all_consuming(number_grammar).parse(token) {
        Ok(_) => Ok((rest, token)),
        Err(_) => Fail::kind_at(input, token.len(), ParseErrorKind::InvalidNumber),
    }
}

/// The JSON number grammar of RFC 8259 §6.
fn number_grammar(input: &str) -> PResult<'_, &str> {
    let int = alt((
        tag("0"),
        recognize((satisfy(|c| matches!(c, '1'..='9')), digit0)),
    ));
    let frac = (char('.'), digit1);
    let exp = (one_of("eE"), opt(one_of("+-")), digit1);
    recognize((opt(char('-')), int, opt(frac), opt(exp))).parse(input)
}

#[cfg(test)]
mod tests;
