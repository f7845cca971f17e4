//! The table file format: the fixed header, the bincode body, and the only code
//! that encodes or decodes either.
//!
//! Split where the format draws its lines: `header` (the 40-byte header and
//! the signature section; no codec), `layout` (byte regions, integers, names
//! and packed cells, read in place and built for the encoder), `codec` (the
//! body, and the one file that calls bincode), `atoms` (the wire form of
//! atoms and residual programs) and `provenance` (the provenance section).
//!
//! This module turns [`TableParts`] into bytes ([`encode`]) and bytes into byte
//! [`Region`]s plus the small decoded residual programs ([`decode`]). It checks the
//! header and that the body decodes; it does not check what the body means — that
//! is `table::validate`. Only the types of this module derive `Serialize`/`Deserialize`,
//! so replacing bincode touches `codec.rs` (and the derives here) and `FORMAT_VERSION`,
//! nothing else.

/*
Design note: layout of a version 4 table

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

Cells (version 4): 2 bits each; a row of column classes is cut into blocks of
B = 2^block_shift cells (cell c of a block at bits (c % 4) * 2 of byte c / 4, a
block min(B, n_cols) cells rounded up to whole bytes, the last block of a row padded
with zero bits). `blocks` holds each distinct block once, numbered by first use;
`block_refs` holds each row class as its ceil(n_cols / B) block ids, 1, 2 or 4
bytes each (`ref_width`, the narrowest that holds every id). A cell is then a
constant number of reads: row class, column class, the block reference at
(row * blocks_per_row + col / B), the byte of the block. Most rows of a large
table differ from each other in a few services only, and columns are numbered by
their first action (so a block is mostly one service): the all-implicit-deny
block, and the blocks of a service every group grants alike, are stored once.
At organisation scale (100,000 users against the AWS catalog) the grid goes from
165 MB dense to a few MB (README, Performance). When blocks and references
would not be smaller than the dense grid (small tables, such as the Chime
examples), the encoder writes `ref_width` 0 and the dense grid as one block per
row (block_shift the smallest with 2^block_shift >= n_cols, no references), which
is the version 3 grid. Validation reads every stored byte once: the block count
and lengths, every reference in range and blocks numbered by first use (so every
block is used), blocks distinct (hashed), zero padding in the last block of every
row (a flag per block, checked per reference), and the conditional cells counted
per block and summed over references; it never walks n_rows × n_cols cells. So
each table still has one encoding for its block size, and the encoder's block
size (`Grid::DEFAULT_BLOCK_CELLS`) and its choice of layout are functions of the
cells: re-encoding a loaded table gives its bytes back.

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

Version 4 differs from version 3 in the grid (the blocks above, instead of one
dense `cells` blob) and in `action_wildcard_only`, now one bit per action (bit a
% 8 of byte a / 8, padding bits zero) instead of a byte: that saves more than the
two shape bytes and the second blob length cost, so a Chime table is smaller
than in version 3. A version 3 reader would fail to decode it, and this runtime
does not read version 3 tables, so the version is bumped.

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

mod atoms;
mod codec;
mod header;
mod layout;
mod provenance;

#[cfg(test)]
mod tests;

pub(crate) use codec::{decode, encode, encode_with_grid, Decoded, NO_RESIDUAL};
#[cfg(not(feature = "verify"))]
pub(crate) use header::stored_checksum;
#[cfg(all(test, feature = "sign"))]
pub(crate) use header::SIGNATURE_LEN;
#[cfg(feature = "sign")]
pub(crate) use header::{append_signature, to_be_signed};
pub(crate) use header::{signature_of, MAX_FILE};
#[cfg(feature = "verify")]
pub(crate) use header::{signed_len, SIGNATURE_DOMAIN};
#[cfg(test)]
pub(crate) use header::{HEADER_LEN, MAX_BODY, SUPPORTED_VERSIONS};
pub(crate) use layout::{
    block_shape, cell_in_row, dense_shift, name_at, ref_at, ref_width, stride, u32_at, u64_at,
    GridLayout, Region, MAX_BLOCK_SHIFT, MIN_BLOCK_SHIFT,
};

#[cfg(test)]
pub(crate) mod test_util {
    //! Helpers for tests that tamper with table bytes.

    use super::header::{checksum, header, CHECKSUM_FIELD, HEADER_LEN};
    use super::layout::pack_cells;
    use crate::types::Cell;

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
        pack_cells(cells, n_cols).unwrap()
    }

    /// A valid header followed by `body`, whatever `body` is.
    pub(crate) fn frame_raw(body: &[u8]) -> Vec<u8> {
        let mut out = header(body, 0);
        out.extend_from_slice(body);
        out
    }
}
