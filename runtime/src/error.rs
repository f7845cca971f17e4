//! Errors of the runtime: [`LoadError`] (with its [`LoadErrorClass`]) for bytes
//! that are not a valid table, [`LookupError`] for names a valid table does not
//! know, [`CheckError`] for a by-name check of a request.
//!
//! Messages are lowercase, without a final period; names from the caller are in
//! backticks. There is no renderer here: the CLI turns these into diagnostics.

use std::fmt;

use crate::eval::RequestError;
use crate::parts::Operator;
use crate::value::ValueError;

/// Why table bytes (or parts) could not be turned into a [`Table`](crate::Table).
///
/// Callers show it (`Display`, one lowercase line) and may branch on its
/// [`class`](LoadError::class); the details are for people, not for code.
#[derive(Debug)]
pub struct LoadError {
    kind: LoadErrorKind,
}

/// What kind of failure a [`LoadError`] is: the distinctions a service (or a
/// binding raising one exception per kind) acts on.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoadErrorClass {
    /// No file at the path.
    NotFound,
    /// Not a verdict table at all: other magic bytes, an empty file, or a path
    /// that is not a regular file (a directory, a FIFO, a device).
    NotATable,
    /// A verdict table this build does not read: another format version, the
    /// other byte order, or header flags of a newer writer
    /// ([`LoadError::format_version_found`] says which version, when known).
    UnsupportedVersion,
    /// A table of this format that is damaged: truncated, a checksum or length
    /// mismatch, a body that does not decode or breaks an invariant.
    Damaged,
    /// Larger than the runtime accepts.
    TooLarge,
    /// Reading the file failed for another reason (permissions, I/O).
    Io,
    /// A verifying load found no signature, another key's signature, a
    /// signature that does not verify, or a digest other than the pinned one.
    Unverified,
}

impl LoadErrorClass {
    /// A stable lowercase name, e.g. `"not-a-table"`, for logs and bindings.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            LoadErrorClass::NotFound => "not-found",
            LoadErrorClass::NotATable => "not-a-table",
            LoadErrorClass::UnsupportedVersion => "unsupported-version",
            LoadErrorClass::Damaged => "damaged",
            LoadErrorClass::TooLarge => "too-large",
            LoadErrorClass::Io => "io",
            LoadErrorClass::Unverified => "unverified",
        }
    }
}

impl fmt::Display for LoadErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug)]
pub(crate) enum LoadErrorKind {
    /// The first 8 bytes are not `VERDICT\0`.
    BadMagic,
    /// The endianness marker is not `expected` (`0x01020304`) read little-endian.
    WrongEndianness { found: u32, expected: u32 },
    /// The format version is not one this runtime reads (`supported`).
    UnsupportedVersion {
        found: u32,
        supported: &'static [u32],
    },
    /// Flag bits this runtime does not know are set.
    UnknownFlags { flags: u32 },
    /// A reserved header field is not zero.
    ReservedNotZero,
    /// Fewer bytes than the header (or the header's body length) requires.
    Truncated { expected: u64, found: u64 },
    /// More bytes than the header's body length says.
    BodyLengthMismatch { declared: u64, found: u64 },
    /// The stored CRC-32C does not match the bytes.
    ChecksumMismatch { stored: u32, computed: u32 },
    /// The body is larger than the runtime accepts (or can encode).
    TooLarge { len: u64, limit: u64 },
    /// bincode could not decode the body.
    Decode(String),
    /// The body decoded but breaks an invariant of the table.
    Invalid(String),
    /// Reading the file at `path` failed.
    Io { path: String, err: std::io::Error },
    /// The path is not a regular file (a directory, a FIFO, a device).
    NotAFile { path: String, what: &'static str },
    /// A verifying load of a table without a signature section.
    #[cfg(feature = "verify")]
    NotSigned,
    /// Signed, but by the key with this fingerprint, not the verifier's.
    #[cfg(feature = "verify")]
    WrongKey { fingerprint: String },
    /// The signature does not verify over the table's digest.
    #[cfg(feature = "verify")]
    BadSignature,
    /// The table's digest is not the pinned one.
    #[cfg(feature = "verify")]
    DigestMismatch { expected: String, found: String },
}

impl LoadError {
    pub(crate) fn new(kind: LoadErrorKind) -> LoadError {
        LoadError { kind }
    }

    /// An "invalid table" error saying what is wrong.
    pub(crate) fn invalid(what: impl Into<String>) -> LoadError {
        LoadError::new(LoadErrorKind::Invalid(what.into()))
    }

    #[cfg(test)]
    pub(crate) fn kind(&self) -> &LoadErrorKind {
        &self.kind
    }

    /// What kind of failure this is.
    #[must_use]
    pub fn class(&self) -> LoadErrorClass {
        use LoadErrorClass as C;
        match &self.kind {
            LoadErrorKind::BadMagic
            | LoadErrorKind::NotAFile { .. }
            | LoadErrorKind::Truncated { found: 0, .. } => C::NotATable,
            LoadErrorKind::WrongEndianness { found, expected }
                if *found == expected.swap_bytes() =>
            {
                C::UnsupportedVersion
            }
            LoadErrorKind::UnsupportedVersion { .. } | LoadErrorKind::UnknownFlags { .. } => {
                C::UnsupportedVersion
            }
            LoadErrorKind::WrongEndianness { .. }
            | LoadErrorKind::ReservedNotZero
            | LoadErrorKind::Truncated { .. }
            | LoadErrorKind::BodyLengthMismatch { .. }
            | LoadErrorKind::ChecksumMismatch { .. }
            | LoadErrorKind::Decode(_)
            | LoadErrorKind::Invalid(_) => C::Damaged,
            LoadErrorKind::TooLarge { .. } => C::TooLarge,
            LoadErrorKind::Io { err, .. } if err.kind() == std::io::ErrorKind::NotFound => {
                C::NotFound
            }
            LoadErrorKind::Io { .. } => C::Io,
            #[cfg(feature = "verify")]
            LoadErrorKind::NotSigned
            | LoadErrorKind::WrongKey { .. }
            | LoadErrorKind::BadSignature
            | LoadErrorKind::DigestMismatch { .. } => C::Unverified,
        }
    }

    /// The format version the header declares, when the error is about it
    /// ([`LoadErrorClass::UnsupportedVersion`] because of the version field).
    #[must_use]
    pub fn format_version_found(&self) -> Option<u32> {
        match &self.kind {
            LoadErrorKind::UnsupportedVersion { found, .. } => Some(*found),
            _ => None,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            LoadErrorKind::BadMagic => f.write_str("not a verdict table (bad magic bytes)"),
            LoadErrorKind::WrongEndianness { found, expected }
                if *found == expected.swap_bytes() =>
            {
                write!(
                    f,
                    "wrong endianness: the table is big-endian (marker {found:#010x}), \
                     this runtime reads little-endian tables"
                )
            }
            LoadErrorKind::WrongEndianness { found, expected } => write!(
                f,
                "wrong endianness marker {found:#010x} (expected {expected:#010x})"
            ),
            LoadErrorKind::UnsupportedVersion { found, supported } => {
                write!(
                    f,
                    "table format version {found} is not supported (this build reads "
                )?;
                f.write_str(if supported.len() == 1 {
                    "version "
                } else {
                    "versions "
                })?;
                for (idx, version) in supported.iter().enumerate() {
                    if idx > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{version}")?;
                }
                f.write_str("); recompile the table")
            }
            LoadErrorKind::UnknownFlags { flags } => {
                write!(f, "unknown table flags {flags:#010x}")
            }
            LoadErrorKind::ReservedNotZero => {
                f.write_str("reserved table header field is not zero")
            }
            LoadErrorKind::Truncated { expected, found } => {
                write!(
                    f,
                    "table is truncated: expected {expected} bytes, found {found}"
                )
            }
            LoadErrorKind::BodyLengthMismatch { declared, found } => write!(
                f,
                "table body length mismatch: header says {declared} bytes, found {found}"
            ),
            LoadErrorKind::ChecksumMismatch { stored, computed } => write!(
                f,
                "table checksum mismatch: stored {stored:#010x}, computed {computed:#010x}"
            ),
            LoadErrorKind::TooLarge { len, limit } => {
                write!(f, "table is too large: {len} bytes (limit {limit})")
            }
            LoadErrorKind::Decode(msg) => write!(f, "cannot decode table body: {msg}"),
            LoadErrorKind::Invalid(what) => write!(f, "invalid table: {what}"),
            LoadErrorKind::Io { path, err } => write!(f, "cannot read table `{path}`: {err}"),
            LoadErrorKind::NotAFile { path, what } => {
                write!(f, "cannot read table `{path}`: {what}")
            }
            #[cfg(feature = "verify")]
            LoadErrorKind::NotSigned => f.write_str("table is not signed"),
            #[cfg(feature = "verify")]
            LoadErrorKind::WrongKey { fingerprint } => {
                write!(f, "table is signed by another key (sha256:{fingerprint})")
            }
            #[cfg(feature = "verify")]
            LoadErrorKind::BadSignature => f.write_str("table signature does not verify"),
            #[cfg(feature = "verify")]
            LoadErrorKind::DigestMismatch { expected, found } => write!(
                f,
                "table digest mismatch: expected sha256:{expected}, found sha256:{found}"
            ),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            LoadErrorKind::Io { err, .. } => Some(err),
            _ => None,
        }
    }
}

impl LoadError {
    /// An I/O error while reading the table file at `path`.
    pub(crate) fn io(path: &std::path::Path, err: std::io::Error) -> LoadError {
        LoadError::new(LoadErrorKind::Io {
            path: path.display().to_string(),
            err,
        })
    }
}

/// Why an [`Atom`](crate::parts::Atom) is not one a table can hold (SEMANTICS
/// C2, C-VAR-1, C9, C10, C12, C13): what a table load reports for it, and what
/// [`Atom::evaluate`](crate::parts::Atom::evaluate) and
/// [`Condition::evaluate`](crate::parts::Condition::evaluate) return.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AtomError {
    /// `Null` with `IfExists`.
    NullIfExists,
    /// A variable in a value of an operator that takes none (numbers, dates,
    /// base64, networks, `Null`).
    VariablesNotAllowed(Operator),
    /// A fixed key with an operator that cannot compare one.
    FixedKeyOperator(Operator),
    /// A fixed key compared with values without a request-key variable.
    FixedKeyWithoutVariable,
    /// A policy value its operator cannot read.
    Value {
        /// The value, after compile-time substitution.
        value: String,
        /// What it should have been and why it is not.
        error: ValueError,
    },
}

impl fmt::Display for AtomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AtomError::NullIfExists => f.write_str("`Null` cannot take `IfExists`"),
            AtomError::VariablesNotAllowed(op) => {
                write!(f, "`{op:?}` values cannot contain variables")
            }
            AtomError::FixedKeyOperator(op) => write!(f, "`{op:?}` cannot compare a fixed key"),
            AtomError::FixedKeyWithoutVariable => {
                f.write_str("a fixed key needs a value with a request-key variable")
            }
            AtomError::Value { value, error } => write!(f, "`{value}` is {error}"),
        }
    }
}

impl std::error::Error for AtomError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AtomError::Value { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// A name that a valid table does not know. Unknown names fail closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupError {
    /// No principal has this id or ARN.
    UnknownPrincipal(String),
    /// No action of the catalog has this name (compared ASCII case-insensitively).
    UnknownAction(String),
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::UnknownPrincipal(name) => write!(f, "unknown principal `{name}`"),
            LookupError::UnknownAction(name) => write!(f, "unknown action `{name}`"),
        }
    }
}

impl std::error::Error for LookupError {}

/// Why [`Table::check_request`](crate::Table::check_request) has no answer.
/// Every case fails closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckError {
    /// No principal has this id or ARN.
    UnknownPrincipal(String),
    /// No action of the catalog has this name (compared ASCII case-insensitively).
    UnknownAction(String),
    /// The request is over the default [`RequestLimits`](crate::RequestLimits);
    /// it was not evaluated.
    Request(RequestError),
}

impl From<LookupError> for CheckError {
    fn from(err: LookupError) -> CheckError {
        match err {
            LookupError::UnknownPrincipal(name) => CheckError::UnknownPrincipal(name),
            LookupError::UnknownAction(name) => CheckError::UnknownAction(name),
        }
    }
}

impl From<RequestError> for CheckError {
    fn from(err: RequestError) -> CheckError {
        CheckError::Request(err)
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::UnknownPrincipal(name) => write!(f, "unknown principal `{name}`"),
            CheckError::UnknownAction(name) => write!(f, "unknown action `{name}`"),
            CheckError::Request(err) => write!(f, "request over the limits: {err}"),
        }
    }
}

impl std::error::Error for CheckError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CheckError::Request(err) => Some(err),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_lowercase_without_period() {
        let errors = [
            LoadError::new(LoadErrorKind::BadMagic),
            LoadError::new(LoadErrorKind::WrongEndianness {
                found: 0x0403_0201,
                expected: 0x0102_0304,
            }),
            LoadError::new(LoadErrorKind::UnsupportedVersion {
                found: 9,
                supported: &[3],
            }),
            LoadError::new(LoadErrorKind::UnknownFlags { flags: 1 }),
            LoadError::new(LoadErrorKind::ReservedNotZero),
            LoadError::new(LoadErrorKind::Truncated {
                expected: 40,
                found: 3,
            }),
            LoadError::new(LoadErrorKind::BodyLengthMismatch {
                declared: 1,
                found: 2,
            }),
            LoadError::new(LoadErrorKind::ChecksumMismatch {
                stored: 1,
                computed: 2,
            }),
            LoadError::new(LoadErrorKind::TooLarge { len: 9, limit: 8 }),
            LoadError::new(LoadErrorKind::Decode("io error".into())),
            LoadError::invalid("row class 3 out of range"),
            LoadError::io(
                std::path::Path::new("t.vt"),
                std::io::Error::new(std::io::ErrorKind::NotFound, "gone"),
            ),
        ];
        for err in errors {
            let msg = err.to_string();
            assert!(!msg.ends_with('.'), "{msg}");
            assert!(!msg.contains('\n'), "{msg}");
            let first = msg.chars().next();
            assert!(first.is_some_and(|c| c.is_lowercase()), "{msg}");
        }
    }

    #[test]
    fn endianness_messages() {
        let big = LoadError::new(LoadErrorKind::WrongEndianness {
            found: 0x0403_0201,
            expected: 0x0102_0304,
        });
        assert!(big.to_string().contains("big-endian"), "{big}");
        let other = LoadError::new(LoadErrorKind::WrongEndianness {
            found: 7,
            expected: 0x0102_0304,
        });
        assert_eq!(
            other.to_string(),
            "wrong endianness marker 0x00000007 (expected 0x01020304)"
        );
    }

    #[test]
    fn load_error_is_send_sync() {
        fn assert_traits<T: Send + Sync + std::error::Error + 'static>() {}
        assert_traits::<LoadError>();
        assert_traits::<LookupError>();
    }

    #[test]
    fn unsupported_version_names_supported_versions() {
        let msg = LoadError::new(LoadErrorKind::UnsupportedVersion {
            found: 1,
            supported: crate::wire::SUPPORTED_VERSIONS,
        })
        .to_string();
        assert_eq!(
            msg,
            "table format version 1 is not supported (this build reads version 4); \
             recompile the table"
        );
    }

    #[test]
    fn lookup_messages() {
        assert_eq!(
            LookupError::UnknownPrincipal("user/x".into()).to_string(),
            "unknown principal `user/x`"
        );
        assert_eq!(
            LookupError::UnknownAction("chime:Nope".into()).to_string(),
            "unknown action `chime:Nope`"
        );
    }

    #[test]
    fn io_error_has_source() {
        use std::error::Error as _;
        let path = std::path::Path::new("dir/t.vt");
        let err = LoadError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "gone"),
        );
        assert_eq!(err.to_string(), "cannot read table `dir/t.vt`: gone");
        assert!(err.source().is_some());
        assert!(LoadError::invalid("x").source().is_none());
    }
}
