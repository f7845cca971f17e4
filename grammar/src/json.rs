//! JSON reader with spans (stub until implemented).
use crate::{ast::Json, error::ParseError};

pub(crate) fn parse(_src: &str) -> Result<Json, ParseError> {
    Err(ParseError::new(
        crate::Span::default(),
        crate::ParseErrorKind::TrailingText,
    ))
}
