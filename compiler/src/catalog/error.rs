//! [`CatalogError`]: why a catalog file was rejected, with its line and span.
//! Plain data; the CLI renders it.

use std::fmt;

use verdict_grammar::{ParseError, Span};

/// A rejected catalog: what is wrong, and where.
///
/// Text catalogs always carry `line` and `span`; JSON catalogs carry `span`,
/// and also `line` when they were read through [`super::Catalog::from_text`].
/// Errors about the whole catalog (e.g. [`CatalogErrorKind::Empty`]) carry
/// neither. `Display` prefixes the message with `line N: ` when the line is known.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{kind}", LinePrefix(*line))]
pub struct CatalogError {
    pub kind: CatalogErrorKind,
    /// 1-based line of `span` in the catalog text.
    pub line: Option<usize>,
    /// Byte range of the offending text.
    pub span: Option<Span>,
}

impl CatalogError {
    pub(crate) fn whole(kind: CatalogErrorKind) -> CatalogError {
        CatalogError {
            kind,
            line: None,
            span: None,
        }
    }

    pub(crate) fn at(
        kind: CatalogErrorKind,
        line: Option<usize>,
        span: Option<Span>,
    ) -> CatalogError {
        CatalogError { kind, line, span }
    }
}

struct LinePrefix(Option<usize>);

impl fmt::Display for LinePrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(line) => write!(f, "line {line}: "),
            None => Ok(()),
        }
    }
}

/// What is wrong with a catalog.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CatalogErrorKind {
    /// An action that is not `service:Action` with a valid prefix and name.
    #[error("invalid action `{action}`: {reason}")]
    InvalidAction {
        action: String,
        reason: &'static str,
    },
    /// A service prefix (JSON `Name`/`service`) that is not `[A-Za-z0-9.-]+`.
    #[error("invalid service prefix `{0}`")]
    InvalidService(String),
    #[error("unknown access level `{0}`")]
    UnknownAccessLevel(String),
    #[error("expected at most 3 tab-separated columns, found {0}")]
    TooManyColumns(usize),
    /// The same action twice, compared case-insensitively.
    #[error("duplicate action `{action}`{}", first_line.map(|l| format!(" (first listed on line {l})")).unwrap_or_default())]
    Duplicate {
        action: String,
        first_line: Option<usize>,
        first_span: Option<Span>,
    },
    #[error("catalog `{0}` has no actions")]
    Empty(String),
    #[error("catalog has more than {0} actions")]
    TooManyActions(u32),
    #[error("catalog larger than {0} bytes")]
    TooLarge(usize),
    /// The JSON text does not parse.
    #[error("invalid JSON: {0}")]
    Json(ParseError),
    /// Valid JSON that is neither an AWS service reference document, nor the
    /// project's own catalog shape, nor an array of those.
    #[error("not a catalog document: expected an object with `Name` and `Actions` (AWS service reference) or `service` and `actions`, or an array of those")]
    NotACatalog,
    #[error("missing key `{key}` in {context}")]
    MissingKey {
        key: &'static str,
        context: &'static str,
    },
    /// A condition-key line (`service`, `key`, `resource`, `action`) that
    /// does not read.
    #[error("invalid condition-key data: {0}")]
    InvalidKeyData(String),
    #[error("duplicate key `{0}`")]
    DuplicateKey(String),
    /// A JSON value of the wrong type.
    #[error("`{field}` must be {expected}")]
    WrongType {
        field: &'static str,
        expected: &'static str,
    },
}
