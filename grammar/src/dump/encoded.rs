//! Policy documents embedded in a dump as strings: the URL-encoded JSON text
//! the raw IAM API returns (`%7B%22Version%22...`), or plain JSON text in a
//! string, as some tools re-emit it. Decoding keeps, for every decoded byte,
//! the offset of the dump text it came from, so the document's tree gets
//! spans into the dump file and diagnostics point at the encoded text.
//!
//! Not here: reading the decoded document (that is `iam::policy_at`).

/*
Two layers are undone, each keeping offsets: the JSON string escapes of the
dump (`\"`, `\u0025`, ...), then the percent-encoding (RFC 3986: `%XX` is one
byte, every other character stands for itself; `+` stays `+`, since policy
text may contain a literal plus and the API does not use form encoding).
A string whose first non-blank character is `{` is plain JSON text and is not
percent-decoded: a `%` in it is literal.

Offsets. `offsets[k]` is the dump offset of the source unit (a character, a
JSON escape or a `%XX` triple) that produced decoded byte `k`; one extra
entry, the offset of the closing quote, stands for the end of the text.
Spans of the decoded tree map start to `offsets[start]` and end to
`offsets[end]`: units are contiguous, so the start of the next unit is the
end of the previous one, and span ends never fall inside a character.
*/

use crate::ast::{Json, JsonKind};
use crate::error::{ParseError, ParseErrorKind};
use crate::span::Span;

/// Decoded text of an embedded document and the dump offset of each of its
/// bytes (plus one for the end).
pub(super) struct Decoded {
    pub text: String,
    offsets: Vec<usize>,
}

impl Decoded {
    /// The dump offset of decoded offset `at`.
    fn map(&self, at: u32) -> usize {
        let last = self.offsets.last().copied().unwrap_or(0);
        self.offsets.get(at as usize).copied().unwrap_or(last)
    }

    /// `span` of the decoded text as a span of the dump.
    pub fn span(&self, span: Span) -> Span {
        Span::new(self.map(span.start), self.map(span.end))
    }

    /// Moves every span of `json` (parsed from `text`) into the dump.
    pub fn relocate(&self, json: &mut Json) {
        json.span = self.span(json.span);
        match &mut json.kind {
            JsonKind::Array(items) => items.iter_mut().for_each(|item| self.relocate(item)),
            JsonKind::Object(members) => {
                for (key, value) in members {
                    key.span = self.span(key.span);
                    self.relocate(value);
                }
            }
            JsonKind::Null | JsonKind::Bool(_) | JsonKind::Number(_) | JsonKind::String(_) => {}
        }
    }
}

/// Decodes the string token at `token` of `src` (quotes included; the JSON
/// reader already accepted it, so its escapes are well formed).
///
/// # Errors
/// A `%` not followed by two hex digits, or decoded bytes that are not UTF-8.
pub(super) fn decode(src: &str, token: Span) -> Result<Decoded, ParseError> {
    let start = token.start as usize + 1;
    let end = (token.end as usize).saturating_sub(1).max(start);
    let raw = src.get(start..end).unwrap_or("");
    let chars = unescape(raw, start);
    let plain = chars
        .iter()
        .find(|(c, _)| !c.is_whitespace())
        .is_some_and(|(c, _)| *c == '{');
    let mut bytes = Vec::with_capacity(chars.len());
    let mut offsets = Vec::with_capacity(chars.len() + 1);
    let mut idx = 0;
    while let Some(&(c, at)) = chars.get(idx) {
        if c == '%' && !plain {
            let hex = |k: usize| chars.get(idx + k).and_then(|(c, _)| c.to_digit(16));
            let (Some(high), Some(low)) = (hex(1), hex(2)) else {
                let len = chars.get(idx + 3).map_or(end, |(_, next)| *next) - at;
                return Err(ParseError::new(
                    Span::new(at, at + len.min(3)),
                    ParseErrorKind::BadEncoding("`%` must be followed by two hex digits"),
                ));
            };
            // Both digits are below 16, so the byte fits.
            bytes.push(u8::try_from(high * 16 + low).unwrap_or(0));
            offsets.push(at);
            idx += 3;
            continue;
        }
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            bytes.push(b);
            offsets.push(at);
        }
        idx += 1;
    }
    offsets.push(end);
    let text = String::from_utf8(bytes).map_err(|_| {
        ParseError::new(
            token,
            ParseErrorKind::BadEncoding("the decoded document is not UTF-8"),
        )
    })?;
    Ok(Decoded { text, offsets })
}

/// The characters of a JSON string's content with their offsets in the dump
/// (`base` is the offset of `raw`). Malformed escapes cannot occur here (the
/// JSON reader rejected them); should one appear, it is kept as written.
fn unescape(raw: &str, base: usize) -> Vec<(char, usize)> {
    let mut out = Vec::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        let at = base + (raw.len() - rest.len());
        if c != '\\' {
            out.push((c, at));
            rest = rest.get(c.len_utf8()..).unwrap_or("");
            continue;
        }
        let (decoded, len) = match rest.get(1..2) {
            Some("\"") => ('"', 2),
            Some("\\") => ('\\', 2),
            Some("/") => ('/', 2),
            Some("b") => ('\u{8}', 2),
            Some("f") => ('\u{c}', 2),
            Some("n") => ('\n', 2),
            Some("r") => ('\r', 2),
            Some("t") => ('\t', 2),
            Some("u") => unicode_escape(rest),
            _ => ('\\', 1),
        };
        out.push((decoded, at));
        rest = rest.get(len..).unwrap_or("");
    }
    out
}

/// A `\uXXXX` escape (or a surrogate pair of two) at the start of `s`: the
/// character and the length of its text.
fn unicode_escape(s: &str) -> (char, usize) {
    let hex4 = |from: usize| {
        s.get(from..from + 4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    let Some(high) = hex4(2) else {
        return ('\\', 1);
    };
    if (0xD800..0xDC00).contains(&high) && s.get(6..8) == Some("\\u") {
        if let Some(low) = hex4(8).filter(|low| (0xDC00..0xE000).contains(low)) {
            let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            return (char::from_u32(code).unwrap_or('\u{fffd}'), 12);
        }
    }
    (char::from_u32(high).unwrap_or('\u{fffd}'), 6)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes the one JSON string in `src` and renders the result: the
    /// decoded text, then each object key of the document (if it parses) with
    /// the dump text its relocated span covers; or the error as
    /// `start..end: message`.
    #[track_caller]
    fn check(src: &str, expected: &str) {
        let start = src.find('"').unwrap_or(0);
        let end = src.rfind('"').map_or(src.len(), |e| e + 1);
        let actual = match decode(src, Span::new(start, end)) {
            Err(e) => format!("{}..{}: {e}", e.span.start, e.span.end),
            Ok(d) => {
                let mut out = d.text.clone();
                if let Ok(mut json) = crate::json::parse(&d.text, &crate::ParseLimits::default()) {
                    d.relocate(&mut json);
                    let text = |s: Span| src.get(s.start as usize..s.end as usize).unwrap_or("?");
                    out += &format!(" | doc={}", text(json.span));
                    if let JsonKind::Object(members) = &json.kind {
                        for (key, value) in members {
                            out += &format!(" | {} => {}", text(key.span), text(value.span));
                        }
                    }
                }
                out
            }
        };
        assert_eq!(actual, expected, "input: {src:?}");
    }

    #[test]
    fn percent_escapes_decode_and_map_back() {
        check(
            r#"  "%7B%22Version%22%3A%222012-10-17%22%7D"  "#,
            r#"{"Version":"2012-10-17"} | doc=%7B%22Version%22%3A%222012-10-17%22%7D | %22Version%22 => %222012-10-17%22"#,
        );
    }

    #[test]
    fn json_escapes_and_multibyte_characters_keep_offsets() {
        // `\u0025` is a `%` written as a JSON escape; `%C3%A9` is `é`.
        check(
            r#""\u00257B%22caf%C3%A9%22:1%7D""#,
            r#"{"café":1} | doc=\u00257B%22caf%C3%A9%22:1%7D | %22caf%C3%A9%22 => 1"#,
        );
    }

    #[test]
    fn plain_json_text_in_a_string_is_not_percent_decoded() {
        check(
            r#""{\"Sid\": \"100%\"}""#,
            r#"{"Sid": "100%"} | doc={\"Sid\": \"100%\"} | \"Sid\" => \"100%\""#,
        );
    }

    #[test]
    fn plus_is_literal() {
        check(
            r#""%7B%22a+b%22:1%7D""#,
            r#"{"a+b":1} | doc=%7B%22a+b%22:1%7D | %22a+b%22 => 1"#,
        );
    }

    #[test]
    fn bad_escapes_and_bad_utf8_are_errors() {
        check(
            r#""%7B%2""#,
            "4..6: invalid URL-encoded policy document: `%` must be followed by two hex digits",
        );
        check(
            r#""%7B%FF%7D""#,
            "0..11: invalid URL-encoded policy document: the decoded document is not UTF-8",
        );
    }
}
