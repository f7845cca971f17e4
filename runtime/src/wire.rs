//! The table file format: the fixed header, the bincode body, and the only code
//! that encodes or decodes either.
//!
//! This module turns [`TableParts`] into bytes ([`encode`]) and bytes into byte
//! [`Region`]s plus the small decoded residual programs ([`decode`]). It checks the
//! header and that the body decodes; it does not check what the body means — that
//! is `table::validate`. Only the types in this file derive `Serialize`/`Deserialize`,
//! so replacing bincode touches this file and `FORMAT_VERSION`, nothing else.

/*
Design note: layout of a version 3 table

    offset  size  field
    0       8     magic b"VERDICT\0"
    8       4     endianness marker 0x0102_0304, written little-endian (04 03 02 01)
    12      4     format version, u32 LE
    16      4     flags, u32 LE; bit 0: a provenance section follows the body;
                  bit 1: a signature section closes the file;
                  any other set bit is rejected
    20      4     reserved, must be 0
    24      8     body length, u64 LE
    32      4     CRC-32C of the header (with this field zeroed) and the body, u32 LE
    36      4     padding, must be 0
    40      ...   body: `Body`, bincode 1.3.3, fixint, little-endian

Why a header outside bincode: a reader must be able to say "not a table", "wrong
byte order" or "version 2, I read version 1" without trusting the codec, and the
codec must be replaceable by a version bump. The endianness marker is redundant
today (everything is little-endian) but turns a table written by a hypothetical
native-endian writer into a clear error instead of garbage. The checksum covers the
whole file, header included: any single-byte change is detected before bincode sees
a byte, so decoding and validation only ever meet deliberate corruption (which they
must still handle, because a checksum is not a signature).

Why blobs: the big arrays — names, offsets, class maps, the cell grid, the hash
indexes — are bincode byte strings (`u64` length + raw bytes). Decoding one is a
borrow of the input, not per-element work, so loading a table with 22,000 actions
costs one copy of the file plus one linear validation pass. The table keeps only the
byte ranges ([`Region`]) of the blobs inside its owned copy and reads `u32`s with
`from_le_bytes` on access: no alignment requirement, no `unsafe`. Names are one UTF-8
blob plus `n + 1` u32 offsets (first 0, last the blob length), so a name is a slice.

Why stored hash indexes: name lookup is the other hot path (`check(&str, &str)`).
The indexes are open-addressing tables (linear probing, load at most 50%, see
`hash`), built once by the compiler and validated — not rebuilt — on load: every
name must be found from its home slot before an empty slot, with no equal name on
the way. That proves lookups are correct and terminate. Validation also caps the
total probe length, so a crafted file cannot make loading quadratic.

Why 8-byte slots with a tag: a slot is a u32 LE entry id then a u32 LE tag, the high
32 bits of the name's hash (the home slot uses the low bits). A probe compares the
tag before it reads the entry's offsets and name bytes, so the slots of other names
on the way (about half a slot per successful lookup at 50% load, more for absent
names) cost a register compare instead of two offset reads, a slice and a name
comparison, and a false tag match happens once in 2^32 comparisons. The hash
(`hash::hash`: 8-byte words, folded multiply, murmur3 finalizer) is part of the
format, tag included. The price is bytes: an index
takes 16 to 32 bytes per name instead of 8 to 16 (load between 25% and 50%); the
benchmark table of 101,000 principals grows from 4.05 MB to 5.11 MB. An empty slot
is id u32::MAX with tag 0 and no other value, so each table keeps exactly one
encoding. Validation checks that every non-empty slot's tag is its entry's tag;
lookups still compare the name after an equal tag, so a tag only ever saves work.

Cells: 2 bits each, row-major, each row padded to whole bytes (stride =
ceil(n_cols / 4)); cell c of a row sits at bits (c % 4) * 2 of byte c / 4. Padding
bits must be zero, so each table has exactly one encoding.

Residual programs and atoms are ordinary bincode sequences: they are small, and
decoding them into owned values keeps evaluation simple. Operators and set
prefixes are stored as their index in `OPERATORS` and `SET_OPS` (appending is not
a format change for old tables, reordering is).

Version 2 differs from version 1 in what atoms may be, not in layout: version 1
tables held only Resource atoms with plain text patterns; version 2 adds Condition
atoms and template parts (literal text, request-key variables). A version 1 runtime
would misread such a table as broken, and this runtime does not read version 1
tables (recompiling them is cheap), so the version is bumped and the header check
turns the mismatch into a clear message. The `conditional` list is a
blob of (row, col, residual) u32 triples sorted by (row, col) for binary search.

Version 3 differs from version 2 in one field: a Condition atom carries
`fixed`, the value the model fixes for its key (`None` for a key read from the
request), so that a key like `aws:PrincipalAccount` can be compared with a
request-key variable like `${aws:ResourceAccount}`. A version 2 reader would
fail to decode it, and this runtime does not read version 2 tables, so the
version is bumped.

The assume-role graph (SEMANTICS G3, G4, T6) closes the body: a blob of (from, to,
residual) u32 triples, principal indexes, sorted by (from, to) so that the edges
leaving one principal are one binary-searched run; residual `u32::MAX` marks an
unconditional edge, any other value indexes the shared residual list (edge residuals
use the table's atoms, like cells do). It is part of version 2, which had not been
released when it was added.

The provenance section (`compile --explain`) is optional and never read by
checks: when flag bit 0 is set, the body is followed by a `WireProvenance` (in
the same bincode stream, so the body length and checksum cover both). Without
the flag the bytes are exactly those of a table without the section, which is
why it is a flag and not an `Option` field (that would add a byte to every
table). Its arrays are ordinary bincode sequences: it is read only by
`explain`, so decoding cost matters less than simplicity; its enums are stored
as their index in `POLICY_KINDS` and `CREDENTIAL_KINDS` (checked on load);
action sets as ranges or as a bitset, whichever is smaller (`WireActions`: one
valid encoding per set, so re-encoding a loaded table gives its bytes back).

The signature section (`compile --sign`, flag bit 1) closes the file, after
the body length the header declares, outside the CRC: 104 bytes, `VSIG`, the
algorithm (u32 LE, 1 = Ed25519 over a domain string and the SHA-256 of
everything before the section), the signer's 32-byte public key, the 64-byte
signature. Without the `verify` feature the runtime checks only its shape
(magic, algorithm, length) and loads the table as if unsigned; `sign.rs`
verifies it (see its design note). It is a flag, not a version bump: an
older runtime refuses a signed table with "unknown table flags", and an
unsigned table has exactly its old bytes.

Determinism: `encode` is a pure function of the parts (the conditional list is
sorted first; indexes are filled in id order), so the same parts give the same
bytes, and `Table::to_bytes` returns exactly the bytes a table was loaded from.

bincode 1.x is unmaintained (RUSTSEC-2025-0141) and pinned at =1.3.3. Every call goes
through the single `Options` value of [`options`], with a byte limit and trailing
bytes rejected, never through bincode's free functions (which have no byte limit
and accept trailing bytes).
*/

use std::ops::Range;

use bincode::Options;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::crc32c::Crc32c;
use crate::error::{LoadError, LoadErrorKind};
use crate::grid::Grid;
use crate::hash;
use crate::parts::{Atom, Condition, Lit, Operator, Part, Residual, SetOp, TableParts, Template};
use crate::provenance::{
    ActionRanges, CredentialKind, Effect, Grant, GrantSource, PolicyKind, Profile, Provenance,
    ProvenanceGroup, ProvenancePolicy, ProvenanceStatement, StatementEval, Step,
};
use crate::types::Cell;
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
const FLAG_PROVENANCE: u32 = 1;
/// Flag bit: a signature section follows the body (and the provenance section).
const FLAG_SIGNED: u32 = 2;
/// Flag bits this runtime understands.
const KNOWN_FLAGS: u32 = FLAG_PROVENANCE | FLAG_SIGNED;
/// Size of the signature section: magic, algorithm, public key, signature.
pub(crate) const SIGNATURE_LEN: usize = 4 + 4 + 32 + 64;
/// The first bytes of the signature section.
const SIGNATURE_MAGIC: [u8; 4] = *b"VSIG";
/// The one signature algorithm: Ed25519 over [`SIGNATURE_DOMAIN`] followed by
/// the SHA-256 digest of the signed part.
pub(crate) const SIGNATURE_ED25519_SHA256: u32 = 1;
/// What a signature signs, before the digest: no signature over anything else
/// (another format, another protocol using the same key) can pass for one.
#[cfg(feature = "verify")]
pub(crate) const SIGNATURE_DOMAIN: &[u8] = b"verdict table signature v1, ed25519 over sha-256\0";
/// Byte range of the checksum field inside the header.
const CHECKSUM_FIELD: Range<usize> = 32..36;

/// The one bincode configuration, for both directions.
fn options() -> impl Options + Copy {
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .with_little_endian()
        .with_limit(MAX_BODY)
        .reject_trailing_bytes()
}

/// A byte string borrowed from the input; serialized as bincode bytes (length + raw).
#[derive(Clone, Copy, Debug, Default)]
struct Blob<'a>(&'a [u8]);

impl Serialize for Blob<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Blob<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'a [u8]>::deserialize(deserializer).map(Blob)
    }
}

/// The body of a version 3 table, in file order.
#[derive(Serialize, Deserialize)]
struct Body<'a> {
    catalog: &'a str,
    n_principals: u32,
    n_actions: u32,
    n_rows: u32,
    n_cols: u32,
    /// UTF-8 principal ids, concatenated.
    #[serde(borrow)]
    principal_names: Blob<'a>,
    /// `n_principals + 1` u32 offsets into `principal_names`.
    #[serde(borrow)]
    principal_name_offsets: Blob<'a>,
    /// UTF-8 principal ARNs (possibly empty), concatenated.
    #[serde(borrow)]
    principal_arns: Blob<'a>,
    /// `n_principals + 1` u32 offsets into `principal_arns`.
    #[serde(borrow)]
    principal_arn_offsets: Blob<'a>,
    /// UTF-8 action names, concatenated.
    #[serde(borrow)]
    action_names: Blob<'a>,
    /// `n_actions + 1` u32 offsets into `action_names`.
    #[serde(borrow)]
    action_name_offsets: Blob<'a>,
    /// One `AccessLevel` byte per action.
    #[serde(borrow)]
    action_access: Blob<'a>,
    /// One byte (0 or 1) per action.
    #[serde(borrow)]
    action_wildcard_only: Blob<'a>,
    /// One u32 row class per principal.
    #[serde(borrow)]
    principal_row: Blob<'a>,
    /// One u32 column class per action.
    #[serde(borrow)]
    action_col: Blob<'a>,
    /// The 2-bit cell grid.
    #[serde(borrow)]
    cells: Blob<'a>,
    /// Hash index over principal names (exact).
    #[serde(borrow)]
    principal_index: Blob<'a>,
    /// Hash index over non-empty principal ARNs (exact).
    #[serde(borrow)]
    principal_arn_index: Blob<'a>,
    /// Hash index over action names (ASCII case-folded).
    #[serde(borrow)]
    action_index: Blob<'a>,
    /// (row, col, residual) u32 triples, sorted by (row, col).
    #[serde(borrow)]
    conditional: Blob<'a>,
    atoms: Vec<WireAtom>,
    residuals: Vec<WireResidual>,
    /// (from, to, residual) u32 triples of the assume-role graph, sorted by
    /// (from, to); residual `u32::MAX` for an unconditional edge.
    #[serde(borrow)]
    trust_edges: Blob<'a>,
}

/// The residual index stored for an unconditional trust edge.
pub(crate) const NO_RESIDUAL: u32 = u32::MAX;

#[derive(Serialize, Deserialize)]
enum WireAtom {
    Resource {
        patterns: Vec<Vec<WirePart>>,
        not: bool,
    },
    Condition {
        /// [`SetOp`] as its index in [`SET_OPS`].
        set: u8,
        /// [`Operator`] as its index in [`OPERATORS`].
        op: u8,
        if_exists: bool,
        key: String,
        /// [`Condition::fixed`] (version 3).
        fixed: Option<String>,
        values: Vec<Vec<WirePart>>,
    },
}

#[derive(Serialize, Deserialize)]
enum WirePart {
    Text(String),
    Literal(String),
    Var {
        key: String,
        default: Option<String>,
    },
}

/// Set operators in their stored order.
const SET_OPS: [SetOp; 3] = [SetOp::None, SetOp::ForAllValues, SetOp::ForAnyValue];

/// Condition operators in their stored order: [`Operator::ALL`] (the
/// wire format stores an operator as its index there).
const OPERATORS: [Operator; 27] = Operator::ALL;

#[derive(Serialize, Deserialize)]
struct WireLit {
    atom: u32,
    negated: bool,
}

type WireDnf = Vec<Vec<WireLit>>;

#[derive(Serialize, Deserialize)]
struct WireResidual {
    deny: WireDnf,
    allow: Vec<WireDnf>,
}

/// A byte range inside a table's owned buffer, checked to be in bounds on load.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Region {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Region {
    /// The bytes of this region; empty if out of bounds (impossible once validated).
    #[inline]
    pub(crate) fn of(self, bytes: &[u8]) -> &[u8] {
        bytes.get(self.start..self.end).unwrap_or_default()
    }

    pub(crate) fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// The region of `part`, a subslice of `base`.
    fn within(base: &[u8], part: &[u8]) -> Result<Region, LoadError> {
        if part.is_empty() {
            return Ok(Region::default());
        }
        let start = (part.as_ptr() as usize)
            .checked_sub(base.as_ptr() as usize)
            .ok_or_else(|| LoadError::invalid("blob outside the table"))?;
        let end = start
            .checked_add(part.len())
            .filter(|&end| end <= base.len())
            .ok_or_else(|| LoadError::invalid("blob outside the table"))?;
        Ok(Region { start, end })
    }
}

/// The little-endian u32 at index `idx` of `blob`.
#[inline]
pub(crate) fn u32_at(blob: &[u8], idx: usize) -> Option<u32> {
    let start = idx.checked_mul(4)?;
    blob.get(start..)?
        .first_chunk::<4>()
        .map(|b| u32::from_le_bytes(*b))
}

/// The little-endian u64 at index `idx` of `blob`.
#[inline]
pub(crate) fn u64_at(blob: &[u8], idx: usize) -> Option<u64> {
    let start = idx.checked_mul(8)?;
    blob.get(start..)?
        .first_chunk::<8>()
        .map(|b| u64::from_le_bytes(*b))
}

/// Name `idx` of a names blob with its `n + 1` u32 offsets; `None` if out of range.
#[inline]
pub(crate) fn name_at<'b>(blob: &'b [u8], offsets: &[u8], idx: u32) -> Option<&'b [u8]> {
    // Offsets `idx` and `idx + 1` are adjacent: read both with one slice.
    let at = (idx as usize).checked_mul(4)?;
    let pair = u64::from_le_bytes(*offsets.get(at..)?.first_chunk::<8>()?);
    blob.get(pair as u32 as usize..(pair >> 32) as usize)
}

/// Bytes per row of a grid with `n_cols` columns.
#[inline]
pub(crate) fn stride(n_cols: u32) -> usize {
    (n_cols as usize).div_ceil(4)
}

/// The cell in column `col` of a packed grid row.
#[inline]
pub(crate) fn cell_in_row(row: &[u8], col: usize) -> Option<Cell> {
    let byte = row.get(col / 4)?;
    Some(Cell::from_bits(byte >> ((col % 4) * 2)))
}

/// A decoded table: where each blob is in the input, plus the residual programs.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub(crate) version: u32,
    pub(crate) catalog: Region,
    pub(crate) n_principals: u32,
    pub(crate) n_actions: u32,
    pub(crate) n_rows: u32,
    pub(crate) n_cols: u32,
    pub(crate) principal_names: Region,
    pub(crate) principal_name_offsets: Region,
    pub(crate) principal_arns: Region,
    pub(crate) principal_arn_offsets: Region,
    pub(crate) action_names: Region,
    pub(crate) action_name_offsets: Region,
    pub(crate) action_access: Region,
    pub(crate) action_wildcard_only: Region,
    pub(crate) principal_row: Region,
    pub(crate) action_col: Region,
    pub(crate) cells: Region,
    pub(crate) principal_index: Region,
    pub(crate) principal_arn_index: Region,
    pub(crate) action_index: Region,
    pub(crate) conditional: Region,
    pub(crate) atoms: Vec<Atom>,
    pub(crate) residuals: Vec<Residual>,
    pub(crate) trust_edges: Region,
    /// The provenance section and its size in bytes, if the table has one.
    pub(crate) provenance: Option<(Provenance, usize)>,
}

/// Checks the header and decodes the body of `bytes`. Does not validate the body.
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, LoadError> {
    let (version, flags, body) = check_header(bytes)?;
    let decode_error = |err: bincode::Error| LoadError::new(LoadErrorKind::Decode(err.to_string()));
    let (body, provenance): (Body<'_>, Option<WireProvenance>) = if flags & FLAG_PROVENANCE != 0 {
        let (body, provenance) = options().deserialize(body).map_err(decode_error)?;
        (body, Some(provenance))
    } else {
        (options().deserialize(body).map_err(decode_error)?, None)
    };
    let provenance = match provenance {
        Some(wire) => {
            let len = options()
                .serialized_size(&wire)
                .ok()
                .and_then(|len| usize::try_from(len).ok())
                .unwrap_or(0);
            Some((provenance_from_wire(wire, body.n_actions)?, len))
        }
        None => None,
    };
    let region = |part: &[u8]| Region::within(bytes, part);
    Ok(Decoded {
        version,
        catalog: region(body.catalog.as_bytes())?,
        n_principals: body.n_principals,
        n_actions: body.n_actions,
        n_rows: body.n_rows,
        n_cols: body.n_cols,
        principal_names: region(body.principal_names.0)?,
        principal_name_offsets: region(body.principal_name_offsets.0)?,
        principal_arns: region(body.principal_arns.0)?,
        principal_arn_offsets: region(body.principal_arn_offsets.0)?,
        action_names: region(body.action_names.0)?,
        action_name_offsets: region(body.action_name_offsets.0)?,
        action_access: region(body.action_access.0)?,
        action_wildcard_only: region(body.action_wildcard_only.0)?,
        principal_row: region(body.principal_row.0)?,
        action_col: region(body.action_col.0)?,
        cells: region(body.cells.0)?,
        principal_index: region(body.principal_index.0)?,
        principal_arn_index: region(body.principal_arn_index.0)?,
        action_index: region(body.action_index.0)?,
        conditional: region(body.conditional.0)?,
        atoms: body
            .atoms
            .into_iter()
            .map(atom_from_wire)
            .collect::<Result<_, _>>()?,
        residuals: body.residuals.into_iter().map(residual_from_wire).collect(),
        trust_edges: region(body.trust_edges.0)?,
        provenance,
    })
}

fn atom_from_wire(atom: WireAtom) -> Result<Atom, LoadError> {
    Ok(match atom {
        WireAtom::Resource { patterns, not } => Atom::Resource {
            patterns: patterns.into_iter().map(template_from_wire).collect(),
            not,
        },
        WireAtom::Condition {
            set,
            op,
            if_exists,
            key,
            fixed,
            values,
        } => Atom::Condition(Condition {
            set: *SET_OPS
                .get(usize::from(set))
                .ok_or_else(|| LoadError::invalid(format!("unknown set operator {set}")))?,
            op: *OPERATORS
                .get(usize::from(op))
                .ok_or_else(|| LoadError::invalid(format!("unknown condition operator {op}")))?,
            if_exists,
            key,
            fixed,
            values: values.into_iter().map(template_from_wire).collect(),
        }),
    })
}

fn template_from_wire(parts: Vec<WirePart>) -> Template {
    Template(
        parts
            .into_iter()
            .map(|part| match part {
                WirePart::Text(text) => Part::Text(text),
                WirePart::Literal(text) => Part::Literal(text),
                WirePart::Var { key, default } => Part::Var { key, default },
            })
            .collect(),
    )
}

fn template_to_wire(parts: Template) -> Vec<WirePart> {
    parts
        .0
        .into_iter()
        .map(|part| match part {
            Part::Text(text) => WirePart::Text(text),
            Part::Literal(text) => WirePart::Literal(text),
            Part::Var { key, default } => WirePart::Var { key, default },
        })
        .collect()
}

fn position<T: PartialEq>(all: &[T], item: &T) -> u8 {
    // Every variant is listed, so the position exists; the lists are short.
    all.iter()
        .position(|x| x == item)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(u8::MAX)
}

fn dnf_from_wire(dnf: WireDnf) -> Vec<Vec<Lit>> {
    dnf.into_iter()
        .map(|clause| {
            clause
                .into_iter()
                .map(|lit| Lit {
                    atom: lit.atom,
                    negated: lit.negated,
                })
                .collect()
        })
        .collect()
}

fn residual_from_wire(residual: WireResidual) -> Residual {
    Residual {
        deny: dnf_from_wire(residual.deny),
        allow: residual.allow.into_iter().map(dnf_from_wire).collect(),
    }
}

fn header_u32(header: &[u8], at: usize) -> u32 {
    header
        .get(at..)
        .and_then(|b| b.first_chunk::<4>())
        .map_or(0, |b| u32::from_le_bytes(*b))
}

/// Checks the header of `bytes`; returns the format version, the flags and the body.
fn check_header(bytes: &[u8]) -> Result<(u32, u32, &[u8]), LoadError> {
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
        }));
    }
    let version = header_u32(header, 12);
    if !SUPPORTED_VERSIONS.contains(&version) {
        return Err(LoadError::new(LoadErrorKind::UnsupportedVersion {
            found: version,
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

/// CRC-32C of `header` with its checksum field zeroed, followed by `body`.
/// The CRC-32C stored in the header of `bytes` (validated on load).
#[cfg(not(feature = "verify"))]
pub(crate) fn stored_checksum(bytes: &[u8]) -> u32 {
    header_u32(bytes, CHECKSUM_FIELD.start)
}

fn checksum(header: &[u8], body: &[u8]) -> u32 {
    let mut crc = Crc32c::new();
    crc.update(header.get(..CHECKSUM_FIELD.start).unwrap_or_default());
    crc.update(&[0; 4]);
    crc.update(header.get(CHECKSUM_FIELD.end..).unwrap_or_default());
    crc.update(body);
    crc.finish()
}

/// The header (with `flags`) of a table with this body, checksum included.
fn header(body: &[u8], flags: u32) -> Vec<u8> {
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
fn frame(out: &mut [u8], flags: u32) {
    let (head, body) = out.split_at_mut(HEADER_LEN.min(out.len()));
    head.copy_from_slice(header(body, flags).get(..head.len()).unwrap_or_default());
}

fn too_large(len: usize) -> LoadError {
    LoadError::new(LoadErrorKind::TooLarge {
        len: len as u64,
        limit: MAX_BODY,
    })
}

fn count(len: usize) -> Result<u32, LoadError> {
    u32::try_from(len).map_err(|_| too_large(len))
}

fn mismatch(what: &str, found: usize, expected: usize, of: &str) -> LoadError {
    LoadError::invalid(format!("{found} {what} for {expected} {of}"))
}

/// Concatenated names and their `n + 1` u32 offsets.
fn names_blob(names: &[String]) -> Result<(Vec<u8>, Vec<u8>), LoadError> {
    let total = names
        .iter()
        .try_fold(0usize, |acc, name| acc.checked_add(name.len()));
    let total = total.ok_or_else(|| too_large(usize::MAX))?;
    count(total)?;
    let mut blob = Vec::with_capacity(total);
    let mut offsets = Vec::with_capacity(names.len().saturating_add(1).saturating_mul(4));
    offsets.extend_from_slice(&0u32.to_le_bytes());
    for name in names {
        blob.extend_from_slice(name.as_bytes());
        offsets.extend_from_slice(&count(blob.len())?.to_le_bytes());
    }
    Ok((blob, offsets))
}

fn u32_blob(values: impl IntoIterator<Item = u32>) -> Vec<u8> {
    values.into_iter().flat_map(u32::to_le_bytes).collect()
}

fn index_blob(entries: &[(u32, u64)]) -> Result<Vec<u8>, LoadError> {
    let slots = hash::build_index(entries).ok_or_else(|| too_large(entries.len()))?;
    Ok(slots.into_iter().flat_map(u64::to_le_bytes).collect())
}

/// The packed grid of `cells` (`n_rows * n_cols`, row-major; checked by the caller).
fn pack_cells(cells: &[Cell], n_cols: u32) -> Result<Vec<u8>, LoadError> {
    let stride = stride(n_cols);
    if stride == 0 {
        return Ok(Vec::new());
    }
    let n_rows = cells.len() / (n_cols as usize);
    let len = n_rows
        .checked_mul(stride)
        .ok_or_else(|| too_large(usize::MAX))?;
    let mut grid = vec![0u8; len];
    for (row_cells, row_bytes) in cells
        .chunks_exact(n_cols as usize)
        .zip(grid.chunks_exact_mut(stride))
    {
        // A byte at a time: four cells, the last byte of a row padded with zeros.
        for (quad, byte) in row_cells.chunks(4).zip(row_bytes.iter_mut()) {
            *byte = quad
                .iter()
                .rev()
                .fold(0, |acc, cell| (acc << 2) | cell.as_u8());
        }
    }
    Ok(grid)
}

/// Checks what encoding relies on: parallel vectors of equal length and a full
/// grid, in `parts.cells` or else in `grid`.
fn check_shape(parts: &TableParts, grid: Option<&Grid>) -> Result<(), LoadError> {
    let n_principals = parts.principals.len();
    let n_actions = parts.actions.len();
    if parts.principal_arns.len() != n_principals {
        return Err(mismatch(
            "principal arns",
            parts.principal_arns.len(),
            n_principals,
            "principals",
        ));
    }
    if parts.principal_row.len() != n_principals {
        return Err(mismatch(
            "principal rows",
            parts.principal_row.len(),
            n_principals,
            "principals",
        ));
    }
    if parts.action_access.len() != n_actions {
        return Err(mismatch(
            "access levels",
            parts.action_access.len(),
            n_actions,
            "actions",
        ));
    }
    if parts.action_wildcard_only.len() != n_actions {
        return Err(mismatch(
            "wildcard-only flags",
            parts.action_wildcard_only.len(),
            n_actions,
            "actions",
        ));
    }
    if parts.action_col.len() != n_actions {
        return Err(mismatch(
            "action columns",
            parts.action_col.len(),
            n_actions,
            "actions",
        ));
    }
    if let Some(grid) = grid {
        if !parts.cells.is_empty() {
            return Err(LoadError::invalid(format!(
                "{} cells beside a packed grid",
                parts.cells.len()
            )));
        }
        if (grid.n_rows(), grid.n_cols()) != (parts.n_rows, parts.n_cols) {
            return Err(LoadError::invalid(format!(
                "a grid of {} rows and {} columns for {} row classes and {} column classes",
                grid.n_rows(),
                grid.n_cols(),
                parts.n_rows,
                parts.n_cols
            )));
        }
        return Ok(());
    }
    let n_cells = (parts.n_rows as usize).checked_mul(parts.n_cols as usize);
    if n_cells != Some(parts.cells.len()) {
        return Err(LoadError::invalid(format!(
            "{} cells for {} row classes and {} column classes",
            parts.cells.len(),
            parts.n_rows,
            parts.n_cols
        )));
    }
    Ok(())
}

/// Encodes `parts` into table bytes. Checks only what encoding needs; the caller
/// validates the result with `decode` and `table::validate`.
pub(crate) fn encode(parts: TableParts) -> Result<Vec<u8>, LoadError> {
    encode_with_grid(parts, None)
}

/// [`encode`], with the cells packed in `grid` instead of in `parts.cells`.
pub(crate) fn encode_with_grid(
    mut parts: TableParts,
    grid: Option<Grid>,
) -> Result<Vec<u8>, LoadError> {
    check_shape(&parts, grid.as_ref())?;
    parts.conditional.sort_unstable();

    let (principal_names, principal_name_offsets) = names_blob(&parts.principals)?;
    let (principal_arns, principal_arn_offsets) = names_blob(&parts.principal_arns)?;
    let (action_names, action_name_offsets) = names_blob(&parts.actions)?;

    let mut entries = Vec::with_capacity(parts.principals.len());
    for (id, name) in parts.principals.iter().enumerate() {
        entries.push((count(id)?, hash::hash_exact(name.as_bytes())));
    }
    let principal_index = index_blob(&entries)?;
    entries.clear();
    for (id, arn) in parts.principal_arns.iter().enumerate() {
        if !arn.is_empty() {
            entries.push((count(id)?, hash::hash_exact(arn.as_bytes())));
        }
    }
    let principal_arn_index = index_blob(&entries)?;
    entries.clear();
    for (id, name) in parts.actions.iter().enumerate() {
        entries.push((count(id)?, hash::hash_folded(name.as_bytes())));
    }
    let action_index = index_blob(&entries)?;

    let action_access: Vec<u8> = parts
        .action_access
        .iter()
        .map(|level| level.as_u8())
        .collect();
    let action_wildcard_only: Vec<u8> = parts
        .action_wildcard_only
        .iter()
        .map(|&w| u8::from(w))
        .collect();
    let principal_row = u32_blob(parts.principal_row.iter().copied());
    let action_col = u32_blob(parts.action_col.iter().copied());
    let cells = match grid {
        Some(grid) => grid.into_bytes(),
        None => pack_cells(&std::mem::take(&mut parts.cells), parts.n_cols)?,
    };
    let conditional = u32_blob(
        parts
            .conditional
            .iter()
            .flat_map(|&(row, col, residual)| [row, col, residual]),
    );

    parts.trust_edges.sort_unstable();
    let mut trust_edges = Vec::with_capacity(parts.trust_edges.len().saturating_mul(12));
    for &(from, to, residual) in &parts.trust_edges {
        let residual = match residual {
            None => NO_RESIDUAL,
            Some(id) if (id as usize) < parts.residuals.len() => id,
            Some(id) => {
                return Err(LoadError::invalid(format!(
                    "trust edge ({from}, {to}) refers to residual {id}, but the table has {}",
                    parts.residuals.len()
                )))
            }
        };
        for value in [from, to, residual] {
            trust_edges.extend_from_slice(&value.to_le_bytes());
        }
    }

    let body = Body {
        catalog: &parts.catalog,
        n_principals: count(parts.principals.len())?,
        n_actions: count(parts.actions.len())?,
        n_rows: parts.n_rows,
        n_cols: parts.n_cols,
        principal_names: Blob(&principal_names),
        principal_name_offsets: Blob(&principal_name_offsets),
        principal_arns: Blob(&principal_arns),
        principal_arn_offsets: Blob(&principal_arn_offsets),
        action_names: Blob(&action_names),
        action_name_offsets: Blob(&action_name_offsets),
        action_access: Blob(&action_access),
        action_wildcard_only: Blob(&action_wildcard_only),
        principal_row: Blob(&principal_row),
        action_col: Blob(&action_col),
        cells: Blob(&cells),
        principal_index: Blob(&principal_index),
        principal_arn_index: Blob(&principal_arn_index),
        action_index: Blob(&action_index),
        conditional: Blob(&conditional),
        atoms: parts.atoms.into_iter().map(atom_to_wire).collect(),
        residuals: parts.residuals.into_iter().map(residual_to_wire).collect(),
        trust_edges: Blob(&trust_edges),
    };
    match parts.provenance {
        None => encode_body(&body, 0),
        Some(provenance) => {
            let n_actions = body.n_actions;
            encode_body(
                &(body, provenance_to_wire(provenance, n_actions)),
                FLAG_PROVENANCE,
            )
        }
    }
}

fn encode_body(body: &impl Serialize, flags: u32) -> Result<Vec<u8>, LoadError> {
    let encode_error = |err: bincode::Error| match *err {
        bincode::ErrorKind::SizeLimit => too_large(usize::MAX),
        other => LoadError::invalid(format!("cannot encode table: {other}")),
    };
    let len = options().serialized_size(body).map_err(encode_error)?;
    let len = usize::try_from(len).map_err(|_| too_large(usize::MAX))?;
    // The header, then the body serialized in place behind it: one buffer,
    // no copy of the body.
    let mut out = Vec::with_capacity(HEADER_LEN.saturating_add(len));
    out.resize(HEADER_LEN, 0);
    options()
        .serialize_into(&mut out, body)
        .map_err(encode_error)?;
    frame(&mut out, flags);
    Ok(out)
}

fn atom_to_wire(atom: Atom) -> WireAtom {
    match atom {
        Atom::Resource { patterns, not } => WireAtom::Resource {
            patterns: patterns.into_iter().map(template_to_wire).collect(),
            not,
        },
        Atom::Condition(Condition {
            set,
            op,
            if_exists,
            key,
            fixed,
            values,
        }) => WireAtom::Condition {
            set: position(&SET_OPS, &set),
            op: position(&OPERATORS, &op),
            if_exists,
            key,
            fixed,
            values: values.into_iter().map(template_to_wire).collect(),
        },
    }
}

fn dnf_to_wire(dnf: Vec<Vec<Lit>>) -> WireDnf {
    dnf.into_iter()
        .map(|clause| {
            clause
                .into_iter()
                .map(|lit| WireLit {
                    atom: lit.atom,
                    negated: lit.negated,
                })
                .collect()
        })
        .collect()
}

fn residual_to_wire(residual: Residual) -> WireResidual {
    WireResidual {
        deny: dnf_to_wire(residual.deny),
        allow: residual.allow.into_iter().map(dnf_to_wire).collect(),
    }
}

// ---------------------------------------------------------------------------
// The provenance section (flag bit 0).

#[derive(Serialize, Deserialize)]
struct WireProvenance {
    files: Vec<String>,
    names: Vec<String>,
    /// (name, policies).
    groups: Vec<(u32, Vec<u32>)>,
    policies: Vec<WirePolicy>,
    statements: Vec<WireStatement>,
    atoms: Vec<WireAtom>,
    profiles: Vec<WireProfile>,
    principal_profile: Vec<u32>,
    caller_identity: Option<u32>,
    role_session_forbidden: WireActions,
    federated_forbidden: WireActions,
}

/// A set of actions: as ranges, or as a bitset when that is smaller (a
/// pattern such as `chime:*tion` names many actions that are not adjacent).
/// Exactly one of the two encodings is valid for a given set: the smaller,
/// ranges on a tie.
#[derive(Serialize, Deserialize)]
enum WireActions {
    /// Sorted half-open `(start, end)` ranges.
    Ranges(Vec<(u32, u32)>),
    /// `ceil(n_actions / 8)` bytes; action `a` is bit `a % 8` of byte `a / 8`;
    /// padding bits zero.
    Bits(Vec<u8>),
}

#[derive(Serialize, Deserialize)]
struct WirePolicy {
    name: String,
    /// [`PolicyKind`] as its index in [`POLICY_KINDS`].
    kind: u8,
    file: u32,
    line: u32,
}

#[derive(Serialize, Deserialize)]
struct WireStatement {
    policy: u32,
    sid: Option<String>,
    deny: bool,
    file: u32,
    line: u32,
    conditions: Vec<String>,
    conditional: bool,
    wildcard_only: WireActions,
    resource_typed: WireActions,
}

#[derive(Serialize, Deserialize)]
struct WireProfile {
    /// [`CredentialKind`] as its index in [`CREDENTIAL_KINDS`].
    kind: u8,
    through: Option<u32>,
    steps: Vec<WireStep>,
    /// (step, source): a policy index, or a group index with [`GROUP_BIT`] set.
    grants: Vec<(u32, u32)>,
    evals: Vec<WireEval>,
}

/// (statement, wildcard-only clause, resource-typed clause).
type WireEval = (u32, Option<Vec<u32>>, Option<Vec<u32>>);

#[derive(Serialize, Deserialize)]
enum WireStep {
    Scp(u32),
    Identity,
    Boundary,
    Session,
}

/// Marks a grant's source as a group.
const GROUP_BIT: u32 = 1 << 31;

fn grant_source_to_wire(source: GrantSource) -> u32 {
    match source {
        GrantSource::Policy(policy) if policy < GROUP_BIT => policy,
        GrantSource::Group(group) if group < GROUP_BIT => group | GROUP_BIT,
        // No table has 2^31 policies or groups: an index that validation rejects.
        _ => u32::MAX,
    }
}

fn grant_source_from_wire(source: u32) -> GrantSource {
    if source & GROUP_BIT == 0 {
        GrantSource::Policy(source)
    } else {
        GrantSource::Group(source & !GROUP_BIT)
    }
}

/// Policy kinds in their stored order.
const POLICY_KINDS: [PolicyKind; 4] = [
    PolicyKind::Managed,
    PolicyKind::Standalone,
    PolicyKind::Inline,
    PolicyKind::Scp,
];

/// Credential kinds in their stored order.
const CREDENTIAL_KINDS: [CredentialKind; 4] = [
    CredentialKind::User,
    CredentialKind::RoleSession,
    CredentialKind::DeclaredSession,
    CredentialKind::FederatedUser,
];

/// Bytes of the bitset of a catalog of `n_actions`.
fn bits_len(n_actions: u32) -> usize {
    n_actions.div_ceil(8) as usize
}

/// Whether `n_ranges` ranges take more bytes than a bitset over `n_actions`.
fn bits_are_smaller(n_ranges: usize, n_actions: u32) -> bool {
    bits_len(n_actions) < n_ranges.saturating_mul(8)
}

fn actions_to_wire(set: ActionRanges, n_actions: u32) -> WireActions {
    // Ranges a bitset cannot hold stay ranges, for validation to reject.
    let valid = set
        .0
        .iter()
        .all(|&(start, end)| start < end && end <= n_actions)
        && set.0.windows(2).all(|w| matches!(w, [a, b] if a.1 < b.0));
    if !valid || !bits_are_smaller(set.0.len(), n_actions) {
        return WireActions::Ranges(set.0);
    }
    let mut bits = vec![0u8; bits_len(n_actions)];
    for (start, end) in set.0 {
        for action in start..end {
            if let Some(byte) = bits.get_mut((action / 8) as usize) {
                *byte |= 1 << (action % 8);
            }
        }
    }
    WireActions::Bits(bits)
}

fn actions_from_wire(set: WireActions, n_actions: u32) -> Result<ActionRanges, LoadError> {
    let bits = match set {
        WireActions::Ranges(ranges) => {
            // Ranges a bitset cannot hold are left for validation to reject.
            let fits = ranges
                .iter()
                .all(|&(start, end)| start < end && end <= n_actions)
                && ranges.windows(2).all(|w| matches!(w, [a, b] if a.1 < b.0));
            if fits && bits_are_smaller(ranges.len(), n_actions) {
                return Err(LoadError::invalid(
                    "provenance: action ranges where a bitset is smaller",
                ));
            }
            return Ok(ActionRanges(ranges));
        }
        WireActions::Bits(bits) => bits,
    };
    if bits.len() != bits_len(n_actions) {
        return Err(LoadError::invalid(format!(
            "provenance: action bitset of {} bytes for {n_actions} actions",
            bits.len()
        )));
    }
    let used = n_actions % 8;
    if used != 0 && bits.last().is_some_and(|&last| last >> used != 0) {
        return Err(LoadError::invalid(
            "provenance: padding bits of an action bitset are not zero",
        ));
    }
    let ids = bits.iter().enumerate().flat_map(|(idx, &byte)| {
        (0..8u32)
            .filter(move |bit| byte & (1 << bit) != 0)
            .map(move |bit| (idx as u32) * 8 + bit)
    });
    let set = ActionRanges::from_sorted_ids(ids);
    if !bits_are_smaller(set.0.len(), n_actions) {
        return Err(LoadError::invalid(
            "provenance: an action bitset where ranges are as small",
        ));
    }
    Ok(set)
}

fn provenance_to_wire(p: Provenance, n_actions: u32) -> WireProvenance {
    WireProvenance {
        files: p.files,
        names: p.names,
        groups: p.groups.into_iter().map(|g| (g.name, g.policies)).collect(),
        policies: p
            .policies
            .into_iter()
            .map(|policy| WirePolicy {
                name: policy.name,
                kind: position(&POLICY_KINDS, &policy.kind),
                file: policy.file,
                line: policy.line,
            })
            .collect(),
        statements: p
            .statements
            .into_iter()
            .map(|stmt| WireStatement {
                policy: stmt.policy,
                sid: stmt.sid,
                deny: stmt.effect == Effect::Deny,
                file: stmt.file,
                line: stmt.line,
                conditions: stmt.conditions,
                conditional: stmt.conditional,
                wildcard_only: actions_to_wire(stmt.wildcard_only, n_actions),
                resource_typed: actions_to_wire(stmt.resource_typed, n_actions),
            })
            .collect(),
        atoms: p.atoms.into_iter().map(atom_to_wire).collect(),
        profiles: p
            .profiles
            .into_iter()
            .map(|profile| WireProfile {
                kind: position(&CREDENTIAL_KINDS, &profile.kind),
                through: profile.through,
                steps: profile
                    .steps
                    .into_iter()
                    .map(|step| match step {
                        Step::Scp { level } => WireStep::Scp(level),
                        Step::Identity => WireStep::Identity,
                        Step::Boundary => WireStep::Boundary,
                        Step::Session => WireStep::Session,
                    })
                    .collect(),
                grants: profile
                    .grants
                    .into_iter()
                    .map(|g| (g.step, grant_source_to_wire(g.source)))
                    .collect(),
                evals: profile
                    .evals
                    .into_iter()
                    .map(|e| (e.statement, e.wildcard_only, e.resource_typed))
                    .collect(),
            })
            .collect(),
        principal_profile: p.principal_profile,
        caller_identity: p.caller_identity,
        role_session_forbidden: actions_to_wire(p.role_session_forbidden, n_actions),
        federated_forbidden: actions_to_wire(p.federated_forbidden, n_actions),
    }
}

fn provenance_from_wire(w: WireProvenance, n_actions: u32) -> Result<Provenance, LoadError> {
    let policies = w
        .policies
        .into_iter()
        .map(|policy| {
            Ok(ProvenancePolicy {
                name: policy.name,
                kind: *POLICY_KINDS.get(usize::from(policy.kind)).ok_or_else(|| {
                    LoadError::invalid(format!("provenance: unknown policy kind {}", policy.kind))
                })?,
                file: policy.file,
                line: policy.line,
            })
        })
        .collect::<Result<_, LoadError>>()?;
    let profiles = w
        .profiles
        .into_iter()
        .map(|profile| {
            Ok(Profile {
                kind: *CREDENTIAL_KINDS
                    .get(usize::from(profile.kind))
                    .ok_or_else(|| {
                        LoadError::invalid(format!(
                            "provenance: unknown credential kind {}",
                            profile.kind
                        ))
                    })?,
                through: profile.through,
                steps: profile
                    .steps
                    .into_iter()
                    .map(|step| match step {
                        WireStep::Scp(level) => Step::Scp { level },
                        WireStep::Identity => Step::Identity,
                        WireStep::Boundary => Step::Boundary,
                        WireStep::Session => Step::Session,
                    })
                    .collect(),
                grants: profile
                    .grants
                    .into_iter()
                    .map(|(step, source)| Grant {
                        step,
                        source: grant_source_from_wire(source),
                    })
                    .collect(),
                evals: profile
                    .evals
                    .into_iter()
                    .map(|(statement, wildcard_only, resource_typed)| StatementEval {
                        statement,
                        wildcard_only,
                        resource_typed,
                    })
                    .collect(),
            })
        })
        .collect::<Result<_, LoadError>>()?;
    Ok(Provenance {
        files: w.files,
        names: w.names,
        groups: w
            .groups
            .into_iter()
            .map(|(name, policies)| ProvenanceGroup { name, policies })
            .collect(),
        policies,
        statements: w
            .statements
            .into_iter()
            .map(|stmt| {
                Ok(ProvenanceStatement {
                    policy: stmt.policy,
                    sid: stmt.sid,
                    effect: if stmt.deny {
                        Effect::Deny
                    } else {
                        Effect::Allow
                    },
                    file: stmt.file,
                    line: stmt.line,
                    conditions: stmt.conditions,
                    conditional: stmt.conditional,
                    wildcard_only: actions_from_wire(stmt.wildcard_only, n_actions)?,
                    resource_typed: actions_from_wire(stmt.resource_typed, n_actions)?,
                })
            })
            .collect::<Result<_, LoadError>>()?,
        atoms: w
            .atoms
            .into_iter()
            .map(atom_from_wire)
            .collect::<Result<_, _>>()?,
        profiles,
        principal_profile: w.principal_profile,
        caller_identity: w.caller_identity,
        role_session_forbidden: actions_from_wire(w.role_session_forbidden, n_actions)?,
        federated_forbidden: actions_from_wire(w.federated_forbidden, n_actions)?,
    })
}

#[cfg(test)]
pub(crate) mod test_util {
    //! Helpers for tests that tamper with table bytes.

    use super::*;

    /// Recomputes the checksum of `bytes` after tampering, so that decoding and
    /// validation are reached.
    pub(crate) fn fix_checksum(bytes: &mut [u8]) {
        if bytes.len() < HEADER_LEN {
            return;
        }
        let (header, body) = bytes.split_at_mut(HEADER_LEN);
        let crc = checksum(header, body);
        header[CHECKSUM_FIELD].copy_from_slice(&crc.to_le_bytes());
    }

    /// Recomputes the body length and checksum of `bytes` after the body changed size.
    pub(crate) fn fix_header(bytes: &mut [u8]) {
        if bytes.len() < HEADER_LEN {
            return;
        }
        let body_len = (bytes.len() - HEADER_LEN) as u64;
        bytes[24..32].copy_from_slice(&body_len.to_le_bytes());
        fix_checksum(bytes);
    }

    /// The grid the encoder packs from `cells`.
    pub(crate) fn pack_cells_for_tests(cells: &[Cell], n_cols: u32) -> Vec<u8> {
        super::pack_cells(cells, n_cols).unwrap()
    }

    /// A valid header followed by `body`, whatever `body` is.
    pub(crate) fn frame_raw(body: &[u8]) -> Vec<u8> {
        let mut out = header(body, 0);
        out.extend_from_slice(body);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::*;
    use super::*;
    use crate::types::AccessLevel;

    fn small_parts() -> TableParts {
        TableParts {
            catalog: "chime".into(),
            principals: vec!["user/alice".into()],
            principal_arns: vec![String::new()],
            actions: vec!["chime:ListUsers".into()],
            action_access: vec![AccessLevel::List],
            action_wildcard_only: vec![true],
            principal_row: vec![0],
            action_col: vec![0],
            n_rows: 1,
            n_cols: 1,
            cells: vec![Cell::Allow],
            ..TableParts::default()
        }
    }

    #[test]
    fn header_layout() {
        let bytes = encode(small_parts()).unwrap();
        assert_eq!(&bytes[0..8], b"VERDICT\0");
        assert_eq!(&bytes[8..12], &[4, 3, 2, 1]);
        assert_eq!(&bytes[12..16], &FORMAT_VERSION.to_le_bytes());
        assert_eq!(&bytes[16..24], &[0; 8]);
        let body_len = u64::from_le_bytes(bytes[24..32].try_into().unwrap());
        assert_eq!(body_len as usize, bytes.len() - HEADER_LEN);
        assert_eq!(&bytes[36..40], &[0; 4]);
        let mut zeroed = bytes.clone();
        zeroed[32..36].fill(0);
        let crc = crate::crc32c::crc32c(&zeroed);
        assert_eq!(&bytes[32..36], &crc.to_le_bytes());
    }

    #[test]
    fn body_starts_with_the_catalog_string() {
        // fixint: u64 LE length, then the bytes.
        let bytes = encode(small_parts()).unwrap();
        assert_eq!(&bytes[40..48], &5u64.to_le_bytes());
        assert_eq!(&bytes[48..53], b"chime");
    }

    #[test]
    fn decode_finds_blobs_in_place() {
        let bytes = encode(small_parts()).unwrap();
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.catalog.of(&bytes), b"chime");
        assert_eq!(decoded.principal_names.of(&bytes), b"user/alice");
        assert_eq!(decoded.action_names.of(&bytes), b"chime:ListUsers");
        assert_eq!(
            decoded.principal_name_offsets.of(&bytes),
            &[0, 0, 0, 0, 10, 0, 0, 0]
        );
        assert_eq!(decoded.principal_arns, Region::default());
        assert_eq!(decoded.cells.of(&bytes), &[1]);
        // Two empty slots: id u32::MAX, tag 0.
        assert_eq!(
            decoded.principal_arn_index.of(&bytes),
            &[0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
        );
        // One entry (id 0, tag of its hash) and one empty slot.
        let hash = hash::hash_exact(b"user/alice");
        let mut expected = [hash::EMPTY_SLOT; 2];
        expected[hash::home_slot(hash, 2)] = hash::slot_word(0, hash::tag(hash));
        let expected: Vec<u8> = expected.into_iter().flat_map(u64::to_le_bytes).collect();
        assert_eq!(decoded.principal_index.of(&bytes), expected.as_slice());
    }

    #[test]
    fn cells_are_packed_row_major_with_padded_rows() {
        use Cell::*;
        let cells = [
            Allow,
            Deny,
            Conditional,
            ImplicitDeny,
            Allow,
            Deny,
            Deny,
            Allow,
            Conditional,
            Allow,
        ];
        let grid = pack_cells(&cells, 5).unwrap();
        // Row 0: A D C I | A ; row 1: D D A C | A.
        assert_eq!(grid, vec![0b00_11_10_01, 0b01, 0b11_01_10_10, 0b01]);
        for (idx, &cell) in cells.iter().enumerate() {
            let (row, col) = (idx / 5, idx % 5);
            assert_eq!(cell_in_row(&grid[row * 2..row * 2 + 2], col), Some(cell));
        }
        assert_eq!(pack_cells(&[], 0).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn header_errors_in_order() {
        let good = encode(small_parts()).unwrap();
        let kind = |bytes: &[u8]| format!("{:?}", decode(bytes).unwrap_err().kind());

        assert!(kind(b"").starts_with("Truncated"));
        assert!(kind(b"VERD").starts_with("Truncated"));
        assert_eq!(kind(b"VERX"), "BadMagic");
        assert_eq!(
            kind(b"\x7fELF\x02\x01\x01\x00 and more bytes than a header needs"),
            "BadMagic"
        );

        let mut big_endian = good.clone();
        big_endian[8..12].copy_from_slice(&ENDIAN_MARKER.to_be_bytes());
        assert!(kind(&big_endian).starts_with("WrongEndianness"));

        for version in [1u32, 2, 4, u32::MAX] {
            let mut other = good.clone();
            other[12..16].copy_from_slice(&version.to_le_bytes());
            fix_checksum(&mut other);
            let err = decode(&other).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "table format version {version} is not supported (this build reads \
                     version 3); recompile the table"
                )
            );
        }

        let mut flags = good.clone();
        flags[16] = 4;
        fix_checksum(&mut flags);
        assert!(kind(&flags).starts_with("UnknownFlags"));
        // Bit 1 (signed) is known: the body's last bytes are no signature
        // section.
        let mut signed = good.clone();
        signed[16] = 2;
        fix_checksum(&mut signed);
        assert!(decode(&signed).is_err());
        // Bit 0 (provenance) is known: the missing section is a decode error.
        let mut provenance = good.clone();
        provenance[16] = 1;
        fix_checksum(&mut provenance);
        assert!(kind(&provenance).starts_with("Decode"));

        let mut reserved = good.clone();
        reserved[20] = 1;
        fix_checksum(&mut reserved);
        assert_eq!(kind(&reserved), "ReservedNotZero");
        let mut padding = good.clone();
        padding[39] = 1;
        fix_checksum(&mut padding);
        assert_eq!(kind(&padding), "ReservedNotZero");

        let mut huge = good.clone();
        huge[24..32].copy_from_slice(&(MAX_BODY + 1).to_le_bytes());
        assert!(kind(&huge).starts_with("TooLarge"));

        let mut trailing = good.clone();
        trailing.push(0);
        assert!(kind(&trailing).starts_with("BodyLengthMismatch"));

        assert!(kind(&good[..good.len() - 1]).starts_with("Truncated"));

        let mut flipped = good.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(kind(&flipped).starts_with("ChecksumMismatch"));
    }

    #[test]
    fn trailing_bytes_inside_the_body_are_rejected() {
        let mut bytes = encode(small_parts()).unwrap();
        bytes.push(0);
        fix_header(&mut bytes);
        assert!(format!("{:?}", decode(&bytes).unwrap_err().kind()).starts_with("Decode"));
    }

    #[test]
    fn blob_lengths_beyond_the_body_are_decode_errors() {
        // A catalog claiming u64::MAX bytes.
        let mut body = u64::MAX.to_le_bytes().to_vec();
        body.extend_from_slice(b"chime");
        let bytes = frame_raw(&body);
        let err = decode(&bytes).unwrap_err();
        assert!(
            err.to_string().starts_with("cannot decode table body"),
            "{err}"
        );
    }

    #[test]
    fn encoding_is_deterministic() {
        let mut parts = small_parts();
        parts.principals.push("role/Ops".into());
        parts.principal_arns.push("arn:aws:iam::1:role/Ops".into());
        parts.principal_row.push(0);
        assert_eq!(encode(parts.clone()).unwrap(), encode(parts).unwrap());
    }
}
