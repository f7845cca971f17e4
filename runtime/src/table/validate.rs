//! Validation of a decoded table: every invariant that `Table`'s accessors and
//! lookups rely on, checked once at load time.
//!
//! Runs after `wire::decode` (header, checksum and bincode are already checked) and
//! before a `Table` exists. Work is linear in the table size: the hash index checks
//! run under a probe budget so that a crafted file cannot make loading quadratic.
//! Allocations are bounded by the size of the input, never by a length field alone.

use crate::cond::{self, Program};
use crate::error::LoadError;
use crate::hash::{self, EMPTY};
use crate::parts::{Atom, Residual};
use crate::types::AccessLevel;
use crate::wire::{self, u32_at, Decoded, GridLayout, Region};

/// Checks `decoded` (decoded from `bytes`) completely; returns its atoms compiled
/// for evaluation.
pub(super) fn validate(bytes: &[u8], decoded: &Decoded) -> Result<Vec<Program>, LoadError> {
    let n_principals = decoded.n_principals as usize;
    let n_actions = decoded.n_actions as usize;

    let principal_names = names(
        bytes,
        "principal",
        decoded.principal_names,
        decoded.principal_name_offsets,
        n_principals,
    )?;
    let principal_arns = names(
        bytes,
        "principal arn",
        decoded.principal_arns,
        decoded.principal_arn_offsets,
        n_principals,
    )?;
    let action_names = names(
        bytes,
        "action",
        decoded.action_names,
        decoded.action_name_offsets,
        n_actions,
    )?;

    let access = exact_len(bytes, "access level", decoded.action_access, n_actions, 1)?;
    if let Some((idx, &byte)) = access
        .iter()
        .enumerate()
        .find(|(_, &b)| AccessLevel::from_u8(b).is_none())
    {
        return Err(LoadError::invalid(format!(
            "action {idx} has invalid access level {byte}"
        )));
    }
    let wildcard = exact_len(
        bytes,
        "wildcard-only flag byte",
        decoded.action_wildcard_only,
        n_actions.div_ceil(8),
        1,
    )?;
    let used_bits = n_actions % 8;
    if used_bits != 0 && wildcard.last().is_some_and(|&last| last >> used_bits != 0) {
        return Err(LoadError::invalid(
            "padding bits of the wildcard-only flags are not zero",
        ));
    }

    let rows = exact_len(
        bytes,
        "principal row",
        decoded.principal_row,
        n_principals,
        4,
    )?;
    classes(rows, "principal", "row", decoded.n_rows)?;
    let cols = exact_len(bytes, "action column", decoded.action_col, n_actions, 4)?;
    classes(cols, "action", "column", decoded.n_cols)?;

    let (layout, n_conditional_cells) = grid(bytes, decoded)?;

    let principal_name = |id: u32| principal_names.get(id);
    let principal_arn = |id: u32| principal_arns.get(id);
    let action_name = |id: u32| action_names.get(id);
    let n_arns = (0..decoded.n_principals)
        .filter(|&id| principal_arn(id).is_some_and(|arn| !arn.is_empty()))
        .count();
    let mut budget = Budget::new(
        n_principals
            .saturating_add(n_arns)
            .saturating_add(n_actions),
    );

    index(
        Index {
            what: "principal",
            slots: decoded.principal_index.of(bytes),
            fold: false,
            n_ids: decoded.n_principals,
        },
        n_principals,
        (0..decoded.n_principals).filter_map(|id| Some((id, principal_name(id)?))),
        principal_name,
        &mut budget,
    )?;
    index(
        Index {
            what: "principal arn",
            slots: decoded.principal_arn_index.of(bytes),
            fold: false,
            n_ids: decoded.n_principals,
        },
        n_arns,
        (0..decoded.n_principals)
            .filter_map(|id| Some((id, principal_arn(id)?)))
            .filter(|(_, arn)| !arn.is_empty()),
        principal_arn,
        &mut budget,
    )?;
    index(
        Index {
            what: "action",
            slots: decoded.action_index.of(bytes),
            fold: true,
            n_ids: decoded.n_actions,
        },
        n_actions,
        (0..decoded.n_actions).filter_map(|id| Some((id, action_name(id)?))),
        action_name,
        &mut budget,
    )?;

    // An ARN must not be the id of another principal: `principal()` would be ambiguous.
    let principal_slots = decoded.principal_index.of(bytes);
    for id in 0..decoded.n_principals {
        let arn = principal_arn(id).unwrap_or_default();
        if arn.is_empty() {
            continue;
        }
        let other = lookup(
            principal_slots,
            hash::hash_exact(arn),
            |other| principal_name(other).is_some_and(|name| hash::same_exact(name, arn)),
            &mut budget,
        )?;
        if let Some(other) = other.filter(|&other| other != id) {
            return Err(LoadError::invalid(format!(
                "arn `{}` of principal `{}` is the id of principal `{}`",
                lossy(arn),
                lossy(principal_name(id).unwrap_or_default()),
                lossy(principal_name(other).unwrap_or_default()),
            )));
        }
    }

    conditional(bytes, decoded, &layout, n_conditional_cells)?;
    trust_edges(bytes, decoded, |id| principal_name(id).unwrap_or_default())?;
    programs(&decoded.atoms, &decoded.residuals)
}

fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// The bytes of `region`, which must hold exactly `n` items of `size` bytes.
fn exact_len<'b>(
    bytes: &'b [u8],
    what: &str,
    region: Region,
    n: usize,
    size: usize,
) -> Result<&'b [u8], LoadError> {
    let blob = region.of(bytes);
    if n.checked_mul(size) != Some(blob.len()) {
        return Err(LoadError::invalid(format!(
            "{} bytes of {what}s for {n} entries",
            blob.len()
        )));
    }
    Ok(blob)
}

/// The names of a validated names blob.
#[derive(Clone, Copy)]
struct NameList<'b> {
    blob: &'b [u8],
    /// `n + 1` offsets, monotone, from 0 to `blob.len()`, on char boundaries.
    offsets: &'b [u8],
}

impl<'b> NameList<'b> {
    /// Name `id`; `None` if out of range.
    #[inline]
    fn get(self, id: u32) -> Option<&'b [u8]> {
        wire::name_at(self.blob, self.offsets, id)
    }
}

/// Checks a names blob and its offsets (valid UTF-8, `n + 1` offsets from 0 to the
/// blob length, monotone, on character boundaries); returns the names.
///
/// Allocates nothing: names are read through the offsets afterwards.
fn names<'b>(
    bytes: &'b [u8],
    what: &str,
    blob: Region,
    offsets: Region,
    n: usize,
) -> Result<NameList<'b>, LoadError> {
    let offsets = exact_len(
        bytes,
        &format!("{what} offset"),
        offsets,
        n.saturating_add(1),
        4,
    )?;
    let blob_bytes = blob.of(bytes);
    let text = std::str::from_utf8(blob_bytes)
        .map_err(|err| LoadError::invalid(format!("{what} names are not valid utf-8: {err}")))?;
    if u32_at(offsets, 0) != Some(0) {
        return Err(LoadError::invalid(format!(
            "{what} offsets do not start at 0"
        )));
    }
    let mut start = 0usize;
    for (idx, chunk) in offsets.chunks_exact(4).enumerate().skip(1) {
        let end = u32_at(chunk, 0).unwrap_or(u32::MAX) as usize;
        // `is_char_boundary` is false beyond the end of the text.
        if end < start || !text.is_char_boundary(end) {
            return Err(LoadError::invalid(format!(
                "{what} offset {idx} ({end}) is out of order, out of bounds or inside a character"
            )));
        }
        start = end;
    }
    if start != text.len() {
        return Err(LoadError::invalid(format!(
            "{what} offsets end at {start}, names blob has {} bytes",
            text.len()
        )));
    }
    Ok(NameList {
        blob: blob_bytes,
        offsets,
    })
}

/// Checks that every u32 class index in `blob` is below `n_classes`.
fn classes(blob: &[u8], of: &str, class: &str, n_classes: u32) -> Result<(), LoadError> {
    for (idx, chunk) in blob.chunks_exact(4).enumerate() {
        let value = u32_at(chunk, 0).unwrap_or(u32::MAX);
        if value >= n_classes {
            return Err(LoadError::invalid(format!(
                "{of} {idx} has {class} class {value}, but the table has {n_classes} {class} classes"
            )));
        }
    }
    Ok(())
}

/// Checks the cell grid (format version 4, see `wire::GridLayout`): the block
/// shape, every block reference in range, blocks distinct and numbered by
/// first reference, zero padding bits in the last block of every row. Returns
/// the grid and its number of conditional cells. Work is linear in the stored
/// bytes (blocks and references), not in `n_rows * n_cols`.
fn grid(bytes: &[u8], decoded: &Decoded) -> Result<(GridLayout, usize), LoadError> {
    let n_rows = decoded.n_rows as usize;
    let layout = GridLayout::new(
        decoded.n_cols,
        decoded.block_shift,
        decoded.ref_width,
        decoded.blocks,
        decoded.block_refs,
    )
    .ok_or_else(|| {
        LoadError::invalid(format!(
            "grid block shift {} is outside {}..={}",
            decoded.block_shift,
            wire::MIN_BLOCK_SHIFT,
            wire::MAX_BLOCK_SHIFT
        ))
    })?;
    let (per_row, block_len) = (layout.per_row, layout.block_len);
    let blocks = decoded.blocks.of(bytes);
    let n_blocks = match block_len {
        0 if blocks.is_empty() => 0,
        0 => {
            return Err(LoadError::invalid(format!(
                "{} bytes of grid blocks for a grid without columns",
                blocks.len()
            )))
        }
        len if blocks.len().is_multiple_of(len) => blocks.len() / len,
        len => {
            return Err(LoadError::invalid(format!(
                "{} bytes of grid blocks, not a whole number of {len}-byte blocks",
                blocks.len()
            )))
        }
    };
    let n_refs = n_rows
        .checked_mul(per_row)
        .ok_or_else(|| LoadError::invalid("grid too large"))?;
    let refs = decoded.block_refs.of(bytes);

    // Per block: its number of conditional cells, and whether its padding (the
    // cells past the row's end when it is a row's last block) is zero.
    let last_cells = (decoded.n_cols as usize)
        .saturating_sub(per_row.saturating_sub(1) << layout.shift.min(usize::BITS - 1));
    let mut n_conditional_of = Vec::with_capacity(n_blocks);
    let mut clean_tail = Vec::with_capacity(n_blocks);
    for block in blocks.chunks_exact(block_len.max(1)) {
        n_conditional_of.push(n_conditional(block));
        clean_tail.push(padding_is_zero(block, last_cells));
    }

    let mut n_conditional_cells = 0usize;
    if decoded.ref_width == 0 {
        if !refs.is_empty() || per_row > 1 || n_blocks != n_refs {
            return Err(LoadError::invalid(format!(
                "a grid without block references has {n_blocks} blocks of {per_row} per row and {} bytes of references for {n_rows} row classes",
                refs.len()
            )));
        }
        if decoded.block_shift != wire::dense_shift(decoded.n_cols) {
            return Err(LoadError::invalid(format!(
                "a grid without block references has block shift {}, expected {}",
                decoded.block_shift,
                wire::dense_shift(decoded.n_cols)
            )));
        }
        for (row, (&clean, &n)) in clean_tail.iter().zip(&n_conditional_of).enumerate() {
            if !clean {
                return Err(LoadError::invalid(format!(
                    "padding bits of cell row {row} are not zero"
                )));
            }
            n_conditional_cells += n;
        }
        return Ok((layout, n_conditional_cells));
    }

    let width = decoded.ref_width;
    if width != wire::ref_width(n_blocks) {
        return Err(LoadError::invalid(format!(
            "grid block references are {width} bytes wide, expected {} for {n_blocks} blocks",
            wire::ref_width(n_blocks)
        )));
    }
    if n_refs.checked_mul(width as usize) != Some(refs.len()) {
        return Err(LoadError::invalid(format!(
            "{} bytes of grid block references for {n_rows} row classes of {per_row} blocks",
            refs.len()
        )));
    }
    // Blocks are numbered by first reference: a reference is at most the next
    // new id, and every block is referenced.
    let mut next = 0usize;
    for index in 0..n_refs {
        let id = wire::ref_at(refs, width, index).unwrap_or(usize::MAX);
        if id > next || id >= n_blocks {
            return Err(LoadError::invalid(format!(
                "row class {} refers to grid block {id}, but {} blocks are numbered by first use of {n_blocks}",
                index / per_row.max(1),
                next
            )));
        }
        if id == next {
            next += 1;
        }
        if index % per_row == per_row - 1 && clean_tail.get(id) != Some(&true) {
            return Err(LoadError::invalid(format!(
                "padding bits of grid block {id}, the last of row class {}, are not zero",
                index / per_row
            )));
        }
        n_conditional_cells += n_conditional_of.get(id).copied().unwrap_or(0);
    }
    if next != n_blocks {
        return Err(LoadError::invalid(format!(
            "{} of {n_blocks} grid blocks are not referenced",
            n_blocks - next
        )));
    }
    // Each block once: one encoding per table.
    let mut seen: std::collections::HashMap<&[u8], usize, BlockHasher> =
        std::collections::HashMap::with_capacity_and_hasher(n_blocks, BlockHasher);
    for (id, block) in blocks.chunks_exact(block_len.max(1)).enumerate() {
        if let Some(first) = seen.insert(block, id) {
            return Err(LoadError::invalid(format!(
                "grid blocks {first} and {id} are equal"
            )));
        }
    }
    Ok((layout, n_conditional_cells))
}

/// Hashes grid blocks with the table's own hash: cheaper than SipHash, and
/// a crafted file that collides only costs comparisons bounded by its size.
#[derive(Clone, Copy, Default)]
struct BlockHasher;

impl std::hash::BuildHasher for BlockHasher {
    type Hasher = BlockHash;
    fn build_hasher(&self) -> BlockHash {
        BlockHash(0)
    }
}

struct BlockHash(u64);

impl std::hash::Hasher for BlockHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = self.0.rotate_left(5) ^ hash::hash_exact(bytes);
    }
}

/// Whether the cells (bit pairs) of `block` from `from` on are all zero.
fn padding_is_zero(block: &[u8], from: usize) -> bool {
    let (byte, bits) = (from / 4, (from % 4) * 2);
    let mut rest = block.get(byte..).unwrap_or_default().iter();
    if bits != 0 {
        if let Some(&first) = rest.next() {
            if first >> bits != 0 {
                return false;
            }
        }
    }
    rest.all(|&b| b == 0)
}

/// The number of conditional cells (both bits set) of packed `cells`; a
/// word at a time (the shift moves no bit across a cell, let alone a byte,
/// into the mask).
fn n_conditional(cells: &[u8]) -> usize {
    const LOW_BITS: u64 = 0x5555_5555_5555_5555;
    let mut words = cells.chunks_exact(8);
    let mut n = 0usize;
    for word in &mut words {
        let word = wire::u64_at(word, 0).unwrap_or(0);
        n += (word & (word >> 1) & LOW_BITS).count_ones() as usize;
    }
    for &byte in words.remainder() {
        n += (byte & (byte >> 1) & 0x55).count_ones() as usize;
    }
    n
}

/// Limits the total probing work of index validation.
struct Budget {
    left: usize,
}

impl Budget {
    /// Far above what a well-mixed index at load ≤ 50% needs (about 1.5 probes per
    /// present name and 2.5 per absent name), far below quadratic.
    fn new(n_lookups: usize) -> Budget {
        Budget {
            left: n_lookups.saturating_mul(16).saturating_add(4096),
        }
    }

    fn spend(&mut self, what: &str) -> Result<(), LoadError> {
        self.left = self
            .left
            .checked_sub(1)
            .ok_or_else(|| LoadError::invalid(format!("{what} index is too clustered")))?;
        Ok(())
    }
}

#[derive(Clone, Copy)]
struct Index<'b> {
    what: &'static str,
    slots: &'b [u8],
    /// Names compare ASCII case-insensitively.
    fold: bool,
    /// Entry ids are below this.
    n_ids: u32,
}

fn same(a: &[u8], b: &[u8], fold: bool) -> bool {
    if fold {
        hash::same_folded(a, b)
    } else {
        hash::same_exact(a, b)
    }
}

/// Checks a hash index over `entries` (`(id, name)`, `n_entries` of them): canonical
/// slot count, canonical empty slots, slot ids in range, exactly one slot per entry,
/// each entry reachable from its home slot with no equal name before it, and each
/// entry's slot tagged with its name's tag.
fn index<'b>(
    index: Index<'_>,
    n_entries: usize,
    entries: impl Iterator<Item = (u32, &'b [u8])>,
    name_of: impl Fn(u32) -> Option<&'b [u8]>,
    budget: &mut Budget,
) -> Result<(), LoadError> {
    let Index {
        what,
        slots,
        fold,
        n_ids,
    } = index;
    let n_slots = hash::n_slots(n_entries)
        .ok_or_else(|| LoadError::invalid(format!("{what} index is too large")))?;
    if n_slots.checked_mul(hash::SLOT_LEN) != Some(slots.len()) {
        return Err(LoadError::invalid(format!(
            "{what} index has {} bytes, expected {n_slots} slots for {n_entries} entries",
            slots.len()
        )));
    }
    // Without branches on the slot contents: occupied and empty slots alternate
    // at random, and a mispredicted branch per slot would cost more than the scan.
    // The error, if any, is found again slot by slot.
    let mut used = 0usize;
    let mut bad = false;
    for chunk in slots.chunks_exact(hash::SLOT_LEN) {
        let word = hash::slot_at(chunk, 0).unwrap_or(hash::EMPTY_SLOT);
        let (id, _) = hash::split_slot(word);
        used += usize::from(id != EMPTY);
        // EMPTY is out of range too, so this is "an id out of range, or an empty
        // slot with a tag".
        bad |= (word != hash::EMPTY_SLOT) & (id >= n_ids);
    }
    if bad {
        for (pos, chunk) in slots.chunks_exact(hash::SLOT_LEN).enumerate() {
            let word = hash::slot_at(chunk, 0).unwrap_or(hash::EMPTY_SLOT);
            let (id, tag) = hash::split_slot(word);
            if id == EMPTY && tag != 0 {
                return Err(LoadError::invalid(format!(
                    "{what} index slot {pos} is empty but has tag {tag:#x}"
                )));
            }
            if id != EMPTY && id >= n_ids {
                return Err(LoadError::invalid(format!(
                    "{what} index refers to {what} {id}, out of range"
                )));
            }
        }
    }
    if used != n_entries {
        return Err(LoadError::invalid(format!(
            "{what} index has {used} entries, expected {n_entries}"
        )));
    }
    // With `used == n_entries`, finding every entry proves that slots and entries
    // correspond one to one, so every non-empty slot's tag is checked below.
    //
    // In batches: first the hashes of a batch of names (read in order), then their
    // probes. The probes of a batch read slots at random but independently of each
    // other, so the processor overlaps their cache misses instead of waiting for
    // each one behind a hash computation.
    const BATCH: usize = 64;
    let mut batch = [(0u32, 0u64); BATCH];
    let mut entries = entries.fuse();
    loop {
        let mut len = 0;
        for (slot, (id, name)) in batch.iter_mut().zip(&mut entries) {
            let hash = if fold {
                hash::hash_folded(name)
            } else {
                hash::hash_exact(name)
            };
            *slot = (id, hash);
            len += 1;
        }
        for &(id, hash) in batch.get(..len).unwrap_or_default() {
            find_entry(&index, id, hash, &name_of, budget)?;
        }
        if len < BATCH {
            return Ok(());
        }
    }
}

/// Checks that entry `id`, whose name hashes to `hash`, is reachable in `index`
/// from its home slot, with its tag, and with no equal name on the way.
fn find_entry<'b>(
    index: &Index<'_>,
    id: u32,
    hash: u64,
    name_of: impl Fn(u32) -> Option<&'b [u8]>,
    budget: &mut Budget,
) -> Result<(), LoadError> {
    let Index {
        what, slots, fold, ..
    } = *index;
    let n_slots = slots.len() / hash::SLOT_LEN;
    let tag = hash::tag(hash);
    let name = || name_of(id).unwrap_or_default();
    let mut pos = hash::home_slot(hash, n_slots);
    loop {
        let word = hash::slot_at(slots, pos).unwrap_or(hash::EMPTY_SLOT);
        let (slot_id, slot_tag) = hash::split_slot(word);
        if slot_id == id {
            if slot_tag != tag {
                return Err(LoadError::invalid(format!(
                    "{what} `{}` has tag {slot_tag:#x} in the {what} index, expected {tag:#x}",
                    lossy(name())
                )));
            }
            return Ok(());
        }
        if slot_id == EMPTY {
            return Err(LoadError::invalid(format!(
                "{what} `{}` is not reachable through the {what} index",
                lossy(name())
            )));
        }
        // Equal names have equal tags; a wrong tag on this slot is caught when
        // its own entry is checked.
        if slot_tag == tag && name_of(slot_id).is_some_and(|other| same(other, name(), fold)) {
            let note = if fold {
                " (action names are case-insensitive)"
            } else {
                ""
            };
            return Err(LoadError::invalid(format!(
                "duplicate {what} `{}`{note}",
                lossy(name())
            )));
        }
        budget.spend(what)?;
        pos = (pos + 1) & n_slots.wrapping_sub(1);
    }
}

/// Looks up a name in a validated index, spending the budget; `is_match` is asked
/// only about entries with the tag of `hash`.
fn lookup(
    slots: &[u8],
    hash: u64,
    is_match: impl Fn(u32) -> bool,
    budget: &mut Budget,
) -> Result<Option<u32>, LoadError> {
    let n_slots = slots.len() / hash::SLOT_LEN;
    let tag = hash::tag(hash);
    let mut pos = hash::home_slot(hash, n_slots);
    loop {
        let word = hash::slot_at(slots, pos).unwrap_or(hash::EMPTY_SLOT);
        if word == hash::EMPTY_SLOT {
            return Ok(None);
        }
        let (slot_id, slot_tag) = hash::split_slot(word);
        if slot_tag == tag && is_match(slot_id) {
            return Ok(Some(slot_id));
        }
        budget.spend("principal")?;
        pos = (pos + 1) & n_slots.wrapping_sub(1);
    }
}

/// Checks the conditional list against the grid and the residuals.
fn conditional(
    bytes: &[u8],
    decoded: &Decoded,
    layout: &GridLayout,
    n_conditional_cells: usize,
) -> Result<(), LoadError> {
    let entries = decoded.conditional.of(bytes);
    if !entries.len().is_multiple_of(12) || entries.len() / 12 != n_conditional_cells {
        return Err(LoadError::invalid(format!(
            "{} bytes of conditional entries for {n_conditional_cells} conditional cells",
            entries.len()
        )));
    }
    let mut previous: Option<(u32, u32)> = None;
    for entry in entries.chunks_exact(12) {
        let (row, col, residual) = (
            u32_at(entry, 0).unwrap_or(u32::MAX),
            u32_at(entry, 1).unwrap_or(u32::MAX),
            u32_at(entry, 2).unwrap_or(u32::MAX),
        );
        if previous.is_some_and(|previous| previous >= (row, col)) {
            return Err(LoadError::invalid(format!(
                "conditional entry ({row}, {col}) is a duplicate or out of order"
            )));
        }
        previous = Some((row, col));
        if row >= decoded.n_rows || col >= decoded.n_cols {
            return Err(LoadError::invalid(format!(
                "conditional entry ({row}, {col}) is outside the grid"
            )));
        }
        if residual as usize >= decoded.residuals.len() {
            return Err(LoadError::invalid(format!(
                "conditional entry ({row}, {col}) refers to residual {residual}, but the table has {}",
                decoded.residuals.len()
            )));
        }
        let cell = layout.cell(bytes, row, col);
        if cell != Some(crate::Cell::Conditional) {
            return Err(LoadError::invalid(format!(
                "conditional entry ({row}, {col}) is not a conditional cell"
            )));
        }
    }
    // Entries are unique, all on conditional cells, and as many as those cells: each
    // conditional cell has exactly one entry.
    Ok(())
}

/// Checks the assume-role graph: whole (from, to, residual) entries, principal
/// indexes in range, residual indexes in range (or the unconditional mark), strictly
/// increasing in (from, to), so no edge is listed twice.
fn trust_edges<'b>(
    bytes: &[u8],
    decoded: &Decoded,
    name_of: impl Fn(u32) -> &'b [u8],
) -> Result<(), LoadError> {
    let entries = decoded.trust_edges.of(bytes);
    if !entries.len().is_multiple_of(12) {
        return Err(LoadError::invalid(format!(
            "{} bytes of trust edges, not a whole number of entries",
            entries.len()
        )));
    }
    let mut previous: Option<(u32, u32)> = None;
    for entry in entries.chunks_exact(12) {
        let (from, to, residual) = (
            u32_at(entry, 0).unwrap_or(u32::MAX),
            u32_at(entry, 1).unwrap_or(u32::MAX),
            u32_at(entry, 2).unwrap_or(u32::MAX),
        );
        if from >= decoded.n_principals || to >= decoded.n_principals {
            return Err(LoadError::invalid(format!(
                "trust edge ({from}, {to}) refers to a principal out of range, but the table has {}",
                decoded.n_principals
            )));
        }
        if previous.is_some_and(|previous| previous >= (from, to)) {
            return Err(LoadError::invalid(format!(
                "trust edge `{}` → `{}` is a duplicate or out of order",
                lossy(name_of(from)),
                lossy(name_of(to))
            )));
        }
        previous = Some((from, to));
        if residual != wire::NO_RESIDUAL && residual as usize >= decoded.residuals.len() {
            return Err(LoadError::invalid(format!(
                "trust edge `{}` → `{}` refers to residual {residual}, but the table has {}",
                lossy(name_of(from)),
                lossy(name_of(to)),
                decoded.residuals.len()
            )));
        }
    }
    Ok(())
}

/// Checks atoms and residual programs; returns the atoms compiled for evaluation.
fn programs(atoms: &[Atom], residuals: &[Residual]) -> Result<Vec<Program>, LoadError> {
    let programs = atoms
        .iter()
        .enumerate()
        .map(|(idx, atom)| {
            cond::compile(atom).map_err(|msg| LoadError::invalid(format!("atom {idx}: {msg}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    for (idx, residual) in residuals.iter().enumerate() {
        let lits = residual
            .deny
            .iter()
            .chain(residual.allow.iter().flatten())
            .flatten();
        for lit in lits {
            if lit.atom as usize >= atoms.len() {
                return Err(LoadError::invalid(format!(
                    "residual {idx} refers to atom {}, but the table has {}",
                    lit.atom,
                    atoms.len()
                )));
            }
        }
    }
    Ok(programs)
}
