//! The `.vp` DSL parser: [`parse`] turns one source file into a [`File`].
//!
//! Policies written in the DSL are lowered while parsing to exactly the
//! [`Policy`](crate::ast::Policy) / `Statement` / `Condition` trees the IAM
//! JSON reader produces, so a DSL policy and its JSON twin compile alike
//! (a statement without resource or principal clause keeps its resource
//! absent, as `Statement::implied_resource`, which means `*`). The
//! grammar is `grammar/verdict.ebnf`; `dsl/parse.rs` has one function per
//! production and `dsl/lex.rs` the tokens. No semantics here: names are not
//! resolved, actions and ARNs are not checked, and IAM-invalid combinations
//! (a `trust` clause on a user, `on` and `on not` together) are accepted for
//! the compiler to reject.

/*
Design notes.

Errors. nom's own error merging only sees the branches of one `alt`; an
optional part that was skipped (`opt`) leaves no trace, so the classic nom
message after `allow s3:GetObject frob` would only mention what the *next*
parser wanted. Instead every token parser records what it looked for, at
which offset, in `lex::Cx`; the reported error lists everything tried at the
furthest offset and names the token found there. Because every production is
led by a keyword or a punctuation mark and commits with `cut` right after it,
no parser backtracks over more than one token, so the furthest failure is
where parsing actually stopped. Lexical errors (bad strings, an unclosed
comment) and duplicate keys are `Fail::Fatal` and reported as they are.

Limits. The grammar is not recursive: the deepest nesting is
entity › inline policy › statement › condition block › operator group ›
value list, a constant. Every loop consumes at least one token per turn.
Condition keys are checked for duplicates through hash sets, so the work is
linear in the input, and the input is capped at `ParseLimits::input_bytes`;
words and strings at `ParseLimits::string_bytes`, statements per policy at
`ParseLimits::statements`.

Keywords are positional: `policy` is a keyword where an item may start and an
ordinary word where a name is expected, so no name needs quoting for being a
keyword. The exceptions are the places where a keyword and a word could both
appear: after `allow`/`deny` and after `on`, `not` is the keyword (quote an
action or resource literally named "not").
*/

mod format;
mod lex;
mod parse;
#[cfg(test)]
mod tests;

pub(crate) use format::format_with;
pub use format::{FormatError, MAX_WIDTH};
pub(crate) use lex::is_word_char;

use crate::ast::File;
use crate::error::{ParseError, ParseErrorKind};
use crate::limits::ParseLimits;
use crate::span::Span;

/// Parses one `.vp` file.
///
/// # Errors
/// The first syntax error: its span, and what was expected and found.
///
/// # Panics
/// Never; inputs, tokens and policies over `limits` are an error.
pub(crate) fn parse(src: &str, limits: &ParseLimits) -> Result<File, ParseError> {
    if src.len() > limits.input_bytes {
        return Err(ParseError::new(
            Span::new(limits.input_bytes, src.len()),
            ParseErrorKind::TooLarge(limits.input_bytes),
        ));
    }
    let cx = lex::Cx::new(src, limits);
    let body = src.strip_prefix('\u{feff}').unwrap_or(src);
    let res = cx
        .trivia(body)
        .and_then(|(rest, ())| parse::file(&cx, rest));
    match res {
        Ok((_, file)) => Ok(file),
        Err(nom::Err::Error(fail) | nom::Err::Failure(fail)) => Err(cx.into_error(fail)),
        Err(nom::Err::Incomplete(_)) => Err(cx.into_error(lex::Fail::Mismatch)),
    }
}
