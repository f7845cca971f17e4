//! IAM policy documents from JSON (stub until implemented).
use crate::{ast::Json, ast::Policy, error::ParseError};

pub(crate) fn parse_policy(src: &str) -> Result<Policy, Vec<ParseError>> {
    let json = crate::json::parse(src).map_err(|e| vec![e])?;
    policy_from_json(&json)
}

pub(crate) fn policy_from_json(_value: &Json) -> Result<Policy, Vec<ParseError>> {
    Err(vec![])
}
