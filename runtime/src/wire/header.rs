//! The fixed 40-byte header of a table file and the signature section that
//! may close it: constants, reading and checking the header (magic, byte
//! order, version, flags, body length, CRC-32C), framing a body. No codec:
//! the header is read without trusting bincode (see the design note in
//! `wire`).

use std::ops::Range;

use crate::crc32c::Crc32c;
use crate::error::{LoadError, LoadErrorKind};
use crate::FORMAT_VERSION;

/// The first 8 bytes of every table.
pub(crate) const MAGIC: [u8; 8] = *b"VERDICT\0";
/// Written little-endian; read back as anything else means the wrong byte order.
pub(crate) const ENDIAN_MARKER: u32 = 0x0102_0304;
/// Size of the fixed header.
pub(crate) const HEADER_LEN: usize = 40;
/// Largest accepted body, in bytes (256 MiB).
pub(crate) const MAX_BODY: u64 = 1 << 28;
/// Largest accepted table file, in bytes: header, body, signature section.
pub(crate) const MAX_FILE: u64 = HEADER_LEN as u64 + MAX_BODY + SIGNATURE_LEN as u64;
/// Format versions this runtime reads.
pub(crate) const SUPPORTED_VERSIONS: &[u32] = &[FORMAT_VERSION];
/// Flag bit: a provenance section follows the body.
pub(super) const FLAG_PROVENANCE: u32 = 1;
/// Flag bit: a signature section follows the body (and the provenance section).
pub(super) const FLAG_SIGNED: u32 = 2;
/// Flag bits this runtime understands.
pub(super) const KNOWN_FLAGS: u32 = FLAG_PROVENANCE | FLAG_SIGNED;
/// Size of the signature section: magic, algorithm, public key, signature.
pub(crate) const SIGNATURE_LEN: usize = 4 + 4 + 32 + 64;
/// The first bytes of the signature section.
pub(super) const SIGNATURE_MAGIC: [u8; 4] = *b"VSIG";
/// The one signature algorithm: Ed25519 over [`SIGNATURE_DOMAIN`] followed by
/// the SHA-256 digest of the signed part.
pub(crate) const SIGNATURE_ED25519_SHA256: u32 = 1;
/// What a signature signs, before the digest: no signature over anything else
/// (another format, another protocol using the same key) can pass for one.
#[cfg(feature = "verify")]
pub(crate) const SIGNATURE_DOMAIN: &[u8] = b"verdict table signature v1, ed25519 over sha-256\0";
/// Byte range of the checksum field inside the header.
pub(super) const CHECKSUM_FIELD: Range<usize> = 32..36;

pub(super) fn header_u32(header: &[u8], at: usize) -> u32 {
    header
        .get(at..)
        .and_then(|b| b.first_chunk::<4>())
        .map_or(0, |b| u32::from_le_bytes(*b))
}

/// Checks the header of `bytes`; returns the format version, the flags and the body.
pub(super) fn check_header(bytes: &[u8]) -> Result<(u32, u32, &[u8]), LoadError> {
    let found = bytes.len() as u64;
    let magic_len = bytes.len().min(MAGIC.len());
    if bytes.get(..magic_len) != MAGIC.get(..magic_len) {
        return Err(LoadError::new(LoadErrorKind::BadMagic));
    }
    let (Some(header), Some(body)) = (bytes.get(..HEADER_LEN), bytes.get(HEADER_LEN..)) else {
        return Err(LoadError::new(LoadErrorKind::Truncated {
            expected: HEADER_LEN as u64,
            found,
        }));
    };
    let marker = header_u32(header, 8);
    if marker != ENDIAN_MARKER {
        return Err(LoadError::new(LoadErrorKind::WrongEndianness {
            found: marker,
            expected: ENDIAN_MARKER,
        }));
    }
    let version = header_u32(header, 12);
    if !SUPPORTED_VERSIONS.contains(&version) {
        return Err(LoadError::new(LoadErrorKind::UnsupportedVersion {
            found: version,
            supported: SUPPORTED_VERSIONS,
        }));
    }
    let flags = header_u32(header, 16);
    if flags & !KNOWN_FLAGS != 0 {
        return Err(LoadError::new(LoadErrorKind::UnknownFlags { flags }));
    }
    if header_u32(header, 20) != 0 || header_u32(header, 36) != 0 {
        return Err(LoadError::new(LoadErrorKind::ReservedNotZero));
    }
    let declared = header
        .get(24..)
        .and_then(|b| b.first_chunk::<8>())
        .map_or(0, |b| u64::from_le_bytes(*b));
    if declared > MAX_BODY {
        return Err(LoadError::new(LoadErrorKind::TooLarge {
            len: declared,
            limit: MAX_BODY,
        }));
    }
    let body = if flags & FLAG_SIGNED != 0 {
        let Some(split) = body.len().checked_sub(SIGNATURE_LEN) else {
            return Err(LoadError::new(LoadErrorKind::Truncated {
                expected: (HEADER_LEN as u64)
                    .saturating_add(declared)
                    .saturating_add(SIGNATURE_LEN as u64),
                found,
            }));
        };
        let (body, section) = body.split_at(split);
        if signature_section(section).is_none() {
            return Err(LoadError::invalid("malformed signature section"));
        }
        body
    } else {
        body
    };
    let actual = body.len() as u64;
    if actual < declared {
        return Err(LoadError::new(LoadErrorKind::Truncated {
            expected: (HEADER_LEN as u64).saturating_add(declared),
            found,
        }));
    }
    if actual > declared {
        return Err(LoadError::new(LoadErrorKind::BodyLengthMismatch {
            declared,
            found: actual,
        }));
    }
    let stored = header_u32(header, CHECKSUM_FIELD.start);
    let computed = checksum(header, body);
    if stored != computed {
        return Err(LoadError::new(LoadErrorKind::ChecksumMismatch {
            stored,
            computed,
        }));
    }
    Ok((version, flags, body))
}

/// The signature section's public key and signature, if `section` is one of
/// the algorithm this runtime knows.
pub(crate) fn signature_section(section: &[u8]) -> Option<([u8; 32], [u8; 64])> {
    let (magic, rest) = section.split_first_chunk::<4>()?;
    let (algorithm, rest) = rest.split_first_chunk::<4>()?;
    let (key, rest) = rest.split_first_chunk::<32>()?;
    let signature: [u8; 64] = rest.try_into().ok()?;
    (*magic == SIGNATURE_MAGIC && u32::from_le_bytes(*algorithm) == SIGNATURE_ED25519_SHA256)
        .then_some((*key, signature))
}

/// Where the signed part of `bytes` ends: before the signature section if the
/// header's flags announce one (and the bytes are long enough to hold it),
/// else at the end. Reads the flags without trusting them: whatever they say,
/// a digest or signature over the part chosen must still match.
pub(crate) fn signed_len(bytes: &[u8]) -> usize {
    let signed = bytes.len() >= HEADER_LEN.saturating_add(SIGNATURE_LEN)
        && header_u32(bytes, 16) & FLAG_SIGNED != 0;
    if signed {
        bytes.len().saturating_sub(SIGNATURE_LEN)
    } else {
        bytes.len()
    }
}

/// The signature section of `bytes` (which the header's flags announce), if
/// it is well-formed.
pub(crate) fn signature_of(bytes: &[u8]) -> Option<([u8; 32], [u8; 64])> {
    let signed = signed_len(bytes);
    if signed == bytes.len() {
        return None;
    }
    signature_section(bytes.get(signed..)?)
}

/// The header and body of the valid table `bytes`, without any signature
/// section, with the signed flag set and the checksum recomputed: what a
/// signature signs, once [`append_signature`] closes it.
#[cfg(feature = "sign")]
pub(crate) fn to_be_signed(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.get(..signed_len(bytes)).unwrap_or_default().to_vec();
    let value = header_u32(&out, 16) | FLAG_SIGNED;
    if let Some(flags) = out.get_mut(16..20) {
        flags.copy_from_slice(&value.to_le_bytes());
    }
    if out.len() >= HEADER_LEN {
        let (header, body) = out.split_at_mut(HEADER_LEN);
        let crc = checksum(header, body);
        if let Some(field) = header.get_mut(CHECKSUM_FIELD) {
            field.copy_from_slice(&crc.to_le_bytes());
        }
    }
    out
}

/// Appends the signature section for `key` and `signature` to `out`.
#[cfg(feature = "sign")]
pub(crate) fn append_signature(out: &mut Vec<u8>, key: &[u8; 32], signature: &[u8; 64]) {
    out.extend_from_slice(&SIGNATURE_MAGIC);
    out.extend_from_slice(&SIGNATURE_ED25519_SHA256.to_le_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(signature);
}

/// The CRC-32C stored in the header of `bytes` (validated on load).
#[cfg(not(feature = "verify"))]
pub(crate) fn stored_checksum(bytes: &[u8]) -> u32 {
    header_u32(bytes, CHECKSUM_FIELD.start)
}

/// CRC-32C of `header` with its checksum field zeroed, followed by `body`.
pub(super) fn checksum(header: &[u8], body: &[u8]) -> u32 {
    let mut crc = Crc32c::new();
    crc.update(header.get(..CHECKSUM_FIELD.start).unwrap_or_default());
    crc.update(&[0; 4]);
    crc.update(header.get(CHECKSUM_FIELD.end..).unwrap_or_default());
    crc.update(body);
    crc.finish()
}

/// The header (with `flags`) of a table with this body, checksum included.
pub(super) fn header(body: &[u8], flags: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&ENDIAN_MARKER.to_le_bytes());
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&flags.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes()); // reserved
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes()); // checksum, filled in below
    out.extend_from_slice(&0u32.to_le_bytes()); // padding
    let crc = checksum(&out, body);
    if let Some(field) = out.get_mut(CHECKSUM_FIELD) {
        field.copy_from_slice(&crc.to_le_bytes());
    }
    out
}

/// Fills in the header (with `flags`) of `out`: [`HEADER_LEN`] placeholder bytes,
/// then the body.
pub(super) fn frame(out: &mut [u8], flags: u32) {
    let (head, body) = out.split_at_mut(HEADER_LEN.min(out.len()));
    head.copy_from_slice(header(body, flags).get(..head.len()).unwrap_or_default());
}
