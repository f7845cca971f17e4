//! Errors of the runtime: [`LoadError`] for bytes that are not a valid table,
//! [`LookupError`] for names a valid table does not know.
//!
//! Messages are lowercase, without a final period; names from the caller are in
//! backticks. There is no renderer here: the CLI turns these into diagnostics.

use std::fmt;

use crate::wire::{ENDIAN_MARKER, SUPPORTED_VERSIONS};

/// Why table bytes (or parts) could not be turned into a [`Table`](crate::Table).
///
/// The error is opaque on purpose: callers show it, they don't branch on it.
#[derive(Debug)]
pub struct LoadError {
    kind: LoadErrorKind,
}

#[derive(Debug)]
pub(crate) enum LoadErrorKind {
    /// The first 8 bytes are not `VERDICT\0`.
    BadMagic,
    /// The endianness marker is not `0x01020304` read little-endian.
    WrongEndianness { found: u32 },
    /// The format version is not one this runtime reads.
    UnsupportedVersion { found: u32 },
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
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            LoadErrorKind::BadMagic => f.write_str("not a verdict table (bad magic bytes)"),
            LoadErrorKind::WrongEndianness { found } if *found == ENDIAN_MARKER.swap_bytes() => {
                write!(
                    f,
                    "wrong endianness: the table is big-endian (marker {found:#010x}), \
                     this runtime reads little-endian tables"
                )
            }
            LoadErrorKind::WrongEndianness { found } => write!(
                f,
                "wrong endianness marker {found:#010x} (expected {ENDIAN_MARKER:#010x})"
            ),
            LoadErrorKind::UnsupportedVersion { found } => {
                write!(
                    f,
                    "table format version {found} is not supported (this build reads "
                )?;
                f.write_str(if SUPPORTED_VERSIONS.len() == 1 {
                    "version "
                } else {
                    "versions "
                })?;
                for (idx, version) in SUPPORTED_VERSIONS.iter().enumerate() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_lowercase_without_period() {
        let errors = [
            LoadError::new(LoadErrorKind::BadMagic),
            LoadError::new(LoadErrorKind::WrongEndianness { found: 0x0403_0201 }),
            LoadError::new(LoadErrorKind::UnsupportedVersion { found: 9 }),
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
        let big = LoadError::new(LoadErrorKind::WrongEndianness { found: 0x0403_0201 });
        assert!(big.to_string().contains("big-endian"), "{big}");
        let other = LoadError::new(LoadErrorKind::WrongEndianness { found: 7 });
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
        let msg = LoadError::new(LoadErrorKind::UnsupportedVersion { found: 1 }).to_string();
        assert_eq!(
            msg,
            "table format version 1 is not supported (this build reads version 3); \
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
