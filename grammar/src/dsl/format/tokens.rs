//! The formatter's lossless token stream: every token as written, with
//! the comments before it attached (and whether each started a line or
//! followed a blank line); the comments after the last token apart.

use super::FormatError;
use crate::dsl::lex::is_word_char;
use crate::dsl::lex::Cx;
use crate::limits::ParseLimits;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Comment {
    /// As printed: without white space at the end of its lines (so a block
    /// comment's CRLF line ends become LF).
    pub(super) text: String,
    /// The first thing on its line (or in the file).
    pub(super) own_line: bool,
    /// A blank line before it.
    pub(super) blank_before: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// A bare word (keywords are words).
    Word,
    /// A quoted string.
    Str,
    /// `{ } [ ] , =`.
    Punct,
}

#[derive(Clone, Debug)]
pub(super) struct Tok<'s> {
    pub(super) kind: Kind,
    /// The text as written.
    pub(super) raw: &'s str,
    /// A text's value (a string's content, unescaped).
    pub(super) value: String,
    /// Comments between the previous token and this one.
    pub(super) leading: Vec<Comment>,
    /// A blank line right before the token (after its comments).
    pub(super) blank_before: bool,
    /// How the token is printed; set by the parser from its context.
    pub(super) display: String,
}

/// Splits `src` into tokens with their comments, and the comments after the
/// last token. `;` separators are dropped (they never carry meaning), their
/// comments moving to the next token.
pub(super) fn tokenize<'s>(
    src: &'s str,
    limits: &ParseLimits,
) -> Result<(Vec<Tok<'s>>, Vec<Comment>), FormatError> {
    let cx = Cx::new(src, limits);
    let mut rest = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut toks = Vec::new();
    let mut pending: Vec<Comment> = Vec::new();
    // Nothing read yet, and line feeds since the last token or comment.
    let mut at_start = true;
    let mut newlines = 0usize;
    loop {
        let trimmed = rest.trim_start();
        let space = rest.get(..rest.len() - trimmed.len()).unwrap_or("");
        newlines = newlines.saturating_add(space.matches('\n').count());
        rest = trimmed;
        let own_line = at_start || newlines >= 1;
        let blank_before = !at_start && newlines >= 2;
        at_start = false;
        if rest.starts_with("//") || rest.starts_with('#') {
            let end = rest.find('\n').unwrap_or(rest.len());
            let (text, after) = rest.split_at_checked(end).unwrap_or((rest, ""));
            pending.push(Comment {
                text: text.trim_end().to_owned(),
                own_line,
                blank_before,
            });
            newlines = 0;
            rest = after;
            continue;
        }
        if rest.starts_with("/*") {
            let end = rest
                .get(2..)
                .and_then(|r| r.find("*/"))
                .map(|n| n + 4)
                .ok_or_else(|| internal("unclosed block comment"))?;
            let (text, after) = rest.split_at_checked(end).unwrap_or((rest, ""));
            let lines: Vec<&str> = text.split('\n').map(str::trim_end).collect();
            pending.push(Comment {
                text: lines.join("\n"),
                own_line,
                blank_before,
            });
            newlines = 0;
            rest = after;
            continue;
        }
        let Some(c) = rest.chars().next() else {
            break;
        };
        if c == ';' {
            rest = rest.get(1..).unwrap_or("");
            continue;
        }
        let (kind, raw, value, after) = if c == '"' {
            let (_, text) = cx
                .text(rest, "a string")
                .map_err(|_| internal("a string the parser accepted does not lex"))?;
            let start = cx.offset(rest);
            let len = (text.span.end as usize).saturating_sub(start);
            let (raw, after) = rest
                .split_at_checked(len)
                .ok_or_else(|| internal("string span"))?;
            (Kind::Str, raw, text.node, after)
        } else if is_word_char(c) {
            let len = rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len());
            let (raw, after) = rest.split_at_checked(len).unwrap_or((rest, ""));
            (Kind::Word, raw, raw.to_owned(), after)
        } else if matches!(c, '{' | '}' | '[' | ']' | ',' | '=') {
            let (raw, after) = rest.split_at_checked(1).unwrap_or((rest, ""));
            (Kind::Punct, raw, raw.to_owned(), after)
        } else {
            return Err(internal(&format!("unexpected character `{c}`")));
        };
        toks.push(Tok {
            kind,
            raw,
            display: raw.to_owned(),
            value,
            leading: std::mem::take(&mut pending),
            blank_before,
        });
        newlines = 0;
        rest = after;
    }
    Ok((toks, pending))
}

pub(super) fn internal(what: &str) -> FormatError {
    FormatError::Internal(what.to_owned())
}
