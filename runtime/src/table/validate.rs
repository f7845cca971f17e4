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
use crate::wire::{self, u32_at, Decoded, Region};

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
        "wildcard-only flag",
        decoded.action_wildcard_only,
        n_actions,
        1,
    )?;
    if let Some((idx, &byte)) = wildcard.iter().enumerate().find(|(_, &b)| b > 1) {
        return Err(LoadError::invalid(format!(
            "action {idx} has invalid wildcard-only flag {byte}"
        )));
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

    let n_conditional_cells = grid(bytes, decoded)?;

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

    conditional(bytes, decoded, n_conditional_cells)?;
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

/// Checks the cell grid; returns its number of conditional cells.
fn grid(bytes: &[u8], decoded: &Decoded) -> Result<usize, LoadError> {
    let stride = wire::stride(decoded.n_cols);
    let cells = decoded.cells.of(bytes);
    let expected = (decoded.n_rows as usize).checked_mul(stride);
    if expected != Some(cells.len()) {
        return Err(LoadError::invalid(format!(
            "cell grid has {} bytes, expected {} row classes of {stride} bytes",
            cells.len(),
            decoded.n_rows
        )));
    }
    let used_bits = (decoded.n_cols % 4) * 2;
    if used_bits != 0 {
        for (row, row_bytes) in cells.chunks_exact(stride).enumerate() {
            if row_bytes.last().is_some_and(|&last| last >> used_bits != 0) {
                return Err(LoadError::invalid(format!(
                    "padding bits of cell row {row} are not zero"
                )));
            }
        }
    }
    // A cell is conditional iff both of its bits are set; a word at a time (the
    // shift moves no bit across a cell, let alone a byte, into the mask).
    const LOW_BITS: u64 = 0x5555_5555_5555_5555;
    let mut words = cells.chunks_exact(8);
    let mut n_conditional = 0usize;
    for word in &mut words {
        let word = wire::u64_at(word, 0).unwrap_or(0);
        n_conditional += (word & (word >> 1) & LOW_BITS).count_ones() as usize;
    }
    for &byte in words.remainder() {
        n_conditional += (byte & (byte >> 1) & 0x55).count_ones() as usize;
    }
    Ok(n_conditional)
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
    n_conditional_cells: usize,
) -> Result<(), LoadError> {
    let entries = decoded.conditional.of(bytes);
    if !entries.len().is_multiple_of(12) || entries.len() / 12 != n_conditional_cells {
        return Err(LoadError::invalid(format!(
            "{} bytes of conditional entries for {n_conditional_cells} conditional cells",
            entries.len()
        )));
    }
    let stride = wire::stride(decoded.n_cols);
    let cells = decoded.cells.of(bytes);
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
        let cell = (row as usize)
            .checked_mul(stride)
            .and_then(|start| cells.get(start..))
            .and_then(|grid_row| wire::cell_in_row(grid_row, col as usize));
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
