//! The `.vp` formatter: [`format`] rewrites a source file in the canonical
//! layout and keeps every comment. It reads the file three times: with the
//! real parser (a file with a syntax error is never formatted), as a
//! lossless token stream in which every comment is attached to the token
//! after it, and as a small concrete syntax tree over those tokens that
//! decides the layout. The result is parsed again and must give the same
//! tree (spans aside) and the same comments, or formatting fails.
//!
//! Not here: meaning (the formatter neither resolves names nor merges
//! conditions) and reordering of any kind.

/*
Design notes.

Why a second parse. The parser of `parse.rs` lowers while parsing (default
resources, merged conditions and principal kinds) and skips trivia inside the
token parsers, so its tree cannot say where a comment was or how the user
grouped conditions. The formatter needs the tokens as written, so it has its
own tokenizer (`tokenize`, reusing the lexer's string reader) and a concrete
tree (`Cst*` types) that records token indexes only. It runs after the real
parser accepted the file, so its own parser may be simple; it still fails
with an error, never a panic, on anything unexpected.

Comments. Each comment is attached to the next token (or to the end of the
file) and remembers whether it started a line (`own_line`) and whether a
blank line preceded it. The writer prints a token's comments just before the
token: an own-line comment on its own line, any other after the previous
token on the same line; a line comment always ends the line. Those two facts
survive formatting, which is what makes formatting idempotent: the output
tokenizes to the same tokens with the same comments attached the same way,
and the layout is a function of exactly that (token texts, comment
attachment, blank-line flags, nesting).

Layout. A construct is printed flat (on one line) when it has no comment
inside and fits in `MAX_WIDTH` columns, and broken otherwise; the flat text of
a token range depends only on its tokens (`gap`), so widths are computed from
the token texts. Blank lines: at most one, only where the source had one, and
never right after an opening brace.

Safety net. `format` re-parses its output and compares trees and comments;
a difference is an internal error and the caller keeps the original text.
*/

#[cfg(test)]
use crate::ast::File;
use crate::erase::EraseSpans;
use crate::error::ParseError;
use crate::limits::ParseLimits;

mod cst;
mod tokens;
mod writer;

use cst::Parser;
use tokens::tokenize;
use writer::{Sep, Writer};

/// Longest line the formatter aims for, in characters (a token longer than
/// that still gets printed, on its own line).
pub const MAX_WIDTH: usize = 100;
/// Indentation step.
const INDENT: usize = 2;

/// Why a file could not be formatted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The file does not parse; it is left as it is.
    #[error("{0}")]
    Syntax(ParseError),
    /// The formatter failed its own check; the file is left as it is.
    #[error("internal error in the formatter: {0}")]
    Internal(String),
}

/// Formats one `.vp` source text under the default limits (for tests).
#[cfg(test)]
pub(crate) fn format(src: &str) -> Result<String, FormatError> {
    format_with(src, &ParseLimits::default())
}

/// Formats one `.vp` source text; `limits` bound the input as for parsing.
///
/// # Errors
/// [`FormatError::Syntax`] when the text does not parse;
/// [`FormatError::Internal`] when the formatted text would not parse to the
/// same tree or would lose a comment (a bug; the original text is kept).
///
/// # Panics
/// Never.
pub(crate) fn format_with(src: &str, limits: &ParseLimits) -> Result<String, FormatError> {
    let mut before = super::parse(src, limits).map_err(FormatError::Syntax)?;
    let (mut toks, eof_comments) = tokenize(src, limits)?;
    let file = {
        let mut parser = Parser {
            toks: &mut toks,
            pos: 0,
        };
        parser.file()?
    };
    let mut w = Writer {
        toks: &toks,
        out: String::with_capacity(src.len() + src.len() / 8),
        indent: 0,
        has_content: false,
        force_break: false,
        no_blank: true,
    };
    for item in &file {
        w.indent = 0;
        w.item(item, Sep::Item);
    }
    w.comments(&eof_comments, 0);
    if w.has_content {
        w.out.push('\n');
    }
    let out = w.out;

    // The safety net: same tree, same comments. The output may be longer
    // than the input, but its tokens and statements are the input's.
    let out_limits = ParseLimits {
        input_bytes: usize::MAX,
        ..*limits
    };
    let mut after = super::parse(&out, &out_limits)
        .map_err(|e| FormatError::Internal(format!("the formatted text does not parse: {e}")))?;
    before.erase_spans();
    after.erase_spans();
    if before != after {
        return Err(FormatError::Internal(
            "the formatted text means something else".to_owned(),
        ));
    }
    if comment_texts(src, limits)? != comment_texts(&out, &out_limits)? {
        return Err(FormatError::Internal(
            "the formatted text lost or changed a comment".to_owned(),
        ));
    }
    Ok(out)
}

/// Every comment of `src`, in order, as the formatter prints it.
fn comment_texts(src: &str, limits: &ParseLimits) -> Result<Vec<String>, FormatError> {
    let (toks, eof) = tokenize(src, limits)?;
    Ok(toks
        .into_iter()
        .flat_map(|t| t.leading)
        .chain(eof)
        .map(|c| c.text)
        .collect())
}

/// Trees of the real parser compare equal when they mean the same.
#[cfg(test)]
pub(crate) fn same_tree(a: &File, b: &File) -> bool {
    let (mut a, mut b) = (a.clone(), b.clone());
    a.erase_spans();
    b.erase_spans();
    a == b
}

#[cfg(test)]
mod tests;
