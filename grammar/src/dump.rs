//! AWS account dumps (stub until implemented).
use crate::{ast::AccountDump, error::ParseError};

pub(crate) fn parse(_src: &str) -> Result<AccountDump, Vec<ParseError>> {
    Err(vec![])
}
