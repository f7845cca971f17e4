//! The .vp DSL parser (stub until implemented).
use crate::{ast::File, error::ParseError};

pub(crate) fn parse(_src: &str) -> Result<File, ParseError> {
    Ok(File::default())
}
