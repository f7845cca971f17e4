//! Syntax of verdict: parsers for IAM JSON policy documents, AWS account dumps
//! (`aws iam get-account-authorization-details`) and the `.vp` DSL, producing
//! the trees of [`ast`] with a [`Span`] on every node; and the way back:
//! [`format_dsl`] lays a `.vp` file out canonically, keeping its comments,
//! and [`print`] writes policy trees as IAM JSON or DSL text. [`EraseSpans`]
//! lets trees read from different texts be compared by content.
//!
//! This crate knows no semantics: no action catalog, no evaluation, no
//! tables. It accepts every syntactically valid input, including policies
//! that mean nothing, and leaves meaning to `verdict-compiler`. nom is private;
//! the public API is a handful of `parse_*` functions returning
//! `Result<_, ParseError>`.
//!
//! ```
//! let policy = verdict_grammar::parse_policy_json(
//!     r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"chime:List*","Resource":"*"}}"#,
//! ).unwrap();
//! let statements = policy.statements.unwrap().node;
//! assert_eq!(statements[0].action.as_ref().unwrap().node[0].node, "chime:List*");
//! ```
//!
//! # Crate features
//! None.
#![forbid(unsafe_code)]

pub mod ast;
mod dsl;
mod dump;
pub mod erase;
mod error;
mod iam;
mod json;
mod limits;
pub mod print;
mod span;
mod yaml;

pub use ast::*;
pub use dsl::{FormatError, MAX_WIDTH};
pub use erase::EraseSpans;
pub use error::{ParseError, ParseErrorKind};
pub use limits::{ParseLimits, JSON_DEPTH_CEILING};
pub use print::{policy_to_dsl, policy_to_json, ConvertError, Origin};
pub use span::{LineIndex, Span, Spanned};

/// Most nested arrays and objects a JSON input may have by default (deeper →
/// error; see [`ParseLimits`]).
pub const MAX_JSON_DEPTH: usize = 64;
/// Largest input the parsers accept by default, in bytes (larger → error; see
/// [`ParseLimits`]).
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Parses any JSON text into a [`Json`] tree with spans.
///
/// # Errors
/// The first syntax error, with its span.
///
/// # Panics
/// Never; nesting deeper than [`MAX_JSON_DEPTH`] is an error.
pub fn parse_json(src: &str) -> Result<Json, ParseError> {
    json::parse(src, &ParseLimits::default())
}

/// [`parse_json`] with the given limits (input size, depth, string length).
///
/// # Errors
/// The first syntax error or exceeded limit, with its span.
///
/// # Panics
/// Never.
pub fn parse_json_with(src: &str, limits: &ParseLimits) -> Result<Json, ParseError> {
    json::parse(src, limits)
}

/// Parses one IAM JSON policy document (identity, boundary, session, SCP or
/// trust policy: the shape is the same).
///
/// # Errors
/// JSON syntax errors, and shape errors: unknown or repeated keys, values of
/// the wrong JSON type. Shape errors are all reported, in document order.
///
/// # Panics
/// Never.
pub fn parse_policy_json(src: &str) -> Result<Policy, Vec<ParseError>> {
    iam::parse_policy(src, &ParseLimits::default())
}

/// [`parse_policy_json`] with the given limits.
///
/// # Errors
/// As [`parse_policy_json`], and every exceeded limit.
///
/// # Panics
/// Never.
pub fn parse_policy_json_with(src: &str, limits: &ParseLimits) -> Result<Policy, Vec<ParseError>> {
    iam::parse_policy(src, limits)
}

/// Converts an already parsed JSON value into a policy document (used for
/// documents embedded in account dumps).
///
/// # Errors
/// Shape errors, all of them, in document order.
pub fn policy_from_json(value: &Json) -> Result<Policy, Vec<ParseError>> {
    iam::policy_from_json(value, &ParseLimits::default())
}

/// [`policy_from_json`] with the given limits (statements per policy).
///
/// # Errors
/// Shape errors and exceeded limits, all of them, in document order.
pub fn policy_from_json_with(
    value: &Json,
    limits: &ParseLimits,
) -> Result<Policy, Vec<ParseError>> {
    iam::policy_from_json(value, limits)
}

/// Parses an AWS account dump (`aws iam get-account-authorization-details`).
///
/// # Errors
/// JSON syntax errors, and shape errors of the dump or of the policy
/// documents inside it, all of them, in document order.
///
/// # Panics
/// Never.
pub fn parse_account_dump(src: &str) -> Result<AccountDump, Vec<ParseError>> {
    dump::parse(src, &ParseLimits::default())
}

/// [`parse_account_dump`] with the given limits.
///
/// # Errors
/// As [`parse_account_dump`], and every exceeded limit.
///
/// # Panics
/// Never.
pub fn parse_account_dump_with(
    src: &str,
    limits: &ParseLimits,
) -> Result<AccountDump, Vec<ParseError>> {
    dump::parse(src, limits)
}

/// Parses a CloudFormation template written in YAML into the [`Json`] tree
/// a JSON template reads to, with byte spans into `src`: the short-form tags
/// (`!Ref`, `!Sub`, `!GetAtt`, …) become their long form (`{"Ref": ..}`,
/// `{"Fn::Sub": ..}`, `{"Fn::GetAtt": [..]}`), and aliases are expanded
/// within a bound (no more nodes than the text has bytes).
///
/// # Errors
/// The first YAML syntax error, unknown tag or exceeded limit, with its span.
///
/// # Panics
/// Never.
pub fn parse_template_yaml_with(src: &str, limits: &ParseLimits) -> Result<Json, ParseError> {
    yaml::parse(src, limits)
}

/// Reads a policy document embedded in a JSON input whose text is `src`
/// (a Terraform plan, a template): `value` is a JSON object, or a string
/// holding JSON text (plain or URL-encoded), decoded so that every node of
/// the document, and every error, points into `src` (the string's place).
///
/// # Errors
/// Encoding errors, JSON syntax errors of the decoded text, and shape
/// errors of the document, all of them, in document order.
///
/// # Panics
/// Never.
pub fn parse_embedded_document(
    src: &str,
    value: &Json,
    limits: &ParseLimits,
) -> Result<DumpDocument, Vec<ParseError>> {
    dump::embedded_document(src, value, limits)
}

/// Parses one `.vp` DSL file (grammar: `grammar/verdict.ebnf`).
///
/// # Errors
/// The first syntax error, with its span, what was expected and what was found.
///
/// # Panics
/// Never; nesting and size are bounded.
pub fn parse_dsl(src: &str) -> Result<File, ParseError> {
    dsl::parse(src, &ParseLimits::default())
}

/// [`parse_dsl`] with the given limits (input size, token length,
/// statements per policy).
///
/// # Errors
/// The first syntax error or exceeded limit.
///
/// # Panics
/// Never.
pub fn parse_dsl_with(src: &str, limits: &ParseLimits) -> Result<File, ParseError> {
    dsl::parse(src, limits)
}

/// Formats one `.vp` DSL file in the canonical layout, keeping every comment
/// (see `grammar/verdict.ebnf` and the README for the layout). Formatting a
/// formatted text changes nothing, and the result parses to the same tree as
/// `src` (spans aside).
///
/// # Errors
/// [`FormatError::Syntax`] when `src` does not parse (nothing is formatted),
/// [`FormatError::Internal`] when the formatter fails its own check.
///
/// # Panics
/// Never.
pub fn format_dsl(src: &str) -> Result<String, FormatError> {
    dsl::format_with(src, &ParseLimits::default())
}

/// [`format_dsl`] with the given limits (as [`parse_dsl_with`]: over a limit
/// is a [`FormatError::Syntax`] and nothing is formatted).
///
/// # Errors
/// As [`format_dsl`].
///
/// # Panics
/// Never.
pub fn format_dsl_with(src: &str, limits: &ParseLimits) -> Result<String, FormatError> {
    dsl::format_with(src, limits)
}
