//! [`ParseLimits`]: the bounds the parsers enforce on untrusted text (input
//! size, JSON nesting, the length of one string or token, statements in one
//! policy). Each has a generous default; the compiler's `Limits` carries them
//! and the CLI raises them with `--limit NAME=N`.

use crate::{MAX_INPUT_BYTES, MAX_JSON_DEPTH};

/// The deepest JSON nesting any configuration may allow: the JSON reader
/// recurses once per level, so this bounds its stack use whatever the
/// caller asks for.
pub const JSON_DEPTH_CEILING: usize = 256;

/// Bounds on what one parsed text may contain. Over a bound, parsing stops
/// with an error at the offending place ([`ParseErrorKind::TooLarge`],
/// [`ParseErrorKind::TooDeep`], [`ParseErrorKind::StringTooLong`],
/// [`ParseErrorKind::TooManyStatements`]).
///
/// [`ParseErrorKind::TooLarge`]: crate::ParseErrorKind::TooLarge
/// [`ParseErrorKind::TooDeep`]: crate::ParseErrorKind::TooDeep
/// [`ParseErrorKind::StringTooLong`]: crate::ParseErrorKind::StringTooLong
/// [`ParseErrorKind::TooManyStatements`]: crate::ParseErrorKind::TooManyStatements
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseLimits {
    /// Largest input, in bytes (default 64 MiB).
    pub input_bytes: usize,
    /// Most nested JSON arrays and objects (default 64; at most
    /// [`JSON_DEPTH_CEILING`], a larger value counts as the ceiling).
    pub json_depth: usize,
    /// Longest JSON string (object keys included) or DSL word or string, in
    /// bytes after unescaping (default 64 KiB).
    pub string_bytes: usize,
    /// Most statements in one policy document (default 10,000).
    pub statements: usize,
}

impl ParseLimits {
    /// The JSON nesting actually allowed: `json_depth`, capped at
    /// [`JSON_DEPTH_CEILING`].
    #[must_use]
    pub fn effective_json_depth(&self) -> usize {
        self.json_depth.min(JSON_DEPTH_CEILING)
    }
}

impl Default for ParseLimits {
    fn default() -> ParseLimits {
        ParseLimits {
            input_bytes: MAX_INPUT_BYTES,
            json_depth: MAX_JSON_DEPTH,
            string_bytes: 64 * 1024,
            statements: 10_000,
        }
    }
}
