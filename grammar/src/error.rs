//! The one error type of the grammar crate: a span and a kind. Plain data; the
//! CLI renders it.

use crate::span::Span;

/// A syntax or shape error at `span` of the parsed text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct ParseError {
    pub span: Span,
    pub kind: ParseErrorKind,
}

impl ParseError {
    pub fn new(span: Span, kind: ParseErrorKind) -> ParseError {
        ParseError { span, kind }
    }
}

/// What went wrong. Messages are lowercase, without a final period, with user
/// text in backticks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// Generic syntax error: what the parser expected and what it found.
    #[error("expected {expected}, found {found}")]
    Expected { expected: String, found: String },
    #[error("unterminated string")]
    UnterminatedString,
    #[error("invalid escape sequence in string")]
    InvalidEscape,
    #[error("invalid number")]
    InvalidNumber,
    #[error("nesting deeper than {0} levels")]
    TooDeep(usize),
    #[error("input larger than {0} bytes")]
    TooLarge(usize),
    /// A JSON string, or a DSL word or string, longer than the limit.
    #[error("string longer than {0} bytes")]
    StringTooLong(usize),
    /// A policy document with more statements than the limit.
    #[error("more than {0} statements in one policy")]
    TooManyStatements(usize),
    /// A YAML syntax error (the YAML reader's own words).
    #[error("invalid YAML: {0}")]
    Yaml(String),
    /// YAML aliases that would expand the document past the limit (a
    /// "billion laughs" document): the expanded tree may have no more nodes
    /// than the text has bytes.
    #[error("YAML aliases expand to more than {0} nodes")]
    AliasExpansion(usize),
    /// A YAML tag that is neither a CloudFormation short form nor a core tag.
    #[error("unknown YAML tag `{0}`")]
    UnknownTag(String),
    #[error("unexpected text after the end of the document")]
    TrailingText,
    /// A key repeated in one JSON object (SEMANTICS.md V1).
    #[error("duplicate key `{0}`")]
    DuplicateKey(String),
    /// A key not allowed in this object (SEMANTICS.md V1, V5).
    #[error("unknown key `{key}` in {context}")]
    UnknownKey { key: String, context: &'static str },
    /// A required key is missing.
    #[error("missing key `{key}` in {context}")]
    MissingKey {
        key: &'static str,
        context: &'static str,
    },
    /// A policy document in a dump string that cannot be URL-decoded.
    #[error("invalid URL-encoded policy document: {0}")]
    BadEncoding(&'static str),
    /// A JSON value of the wrong type, e.g. a number where a string belongs.
    #[error("`{field}` must be {expected}")]
    WrongType {
        field: String,
        expected: &'static str,
    },
}
