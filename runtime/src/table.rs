//! [`Table`]: a loaded, validated decision table, with name lookups and checks.
//!
//! A `Table` owns one copy of its file bytes and remembers where each blob lives
//! ([`Region`]); accessors read the blobs in place. There is exactly one way to get
//! a `Table`: bytes go through `wire::decode` and then `validate`; parts are first
//! encoded to bytes. After that, every method is total: out-of-range ids give a
//! fail-closed answer instead of a panic, and `cell` does not allocate.

mod validate;

#[cfg(test)]
pub(crate) mod tests;

use std::fmt;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::cond::Program;
use crate::error::{CheckError, LoadError, LoadErrorKind, LookupError};
use crate::eval::{self, Context, Request, RequestError, RequestLimits};
use crate::grid::Grid;
use crate::hash;
use crate::outcome::Outcomes;
use crate::parts::{Atom, Residual, TableParts};
use crate::provenance::{self, Provenance};
use crate::types::{AccessLevel, ActionId, Cell, Decision, PrincipalId};
use crate::wire::{self, u32_at, GridLayout, Region};

/// A compiled decision table: principals × actions → [`Cell`].
///
/// Get one with [`Table::from_bytes`], [`Table::open`] or [`Table::from_parts`].
/// Cloning is cheap (the bytes are shared).
#[derive(Clone)]
pub struct Table {
    /// The file bytes, exactly as loaded or encoded.
    bytes: Arc<[u8]>,
    version: u32,
    /// INVARIANT: every region lies inside `bytes` and has the length its count
    /// implies; every value in it was checked by `validate`.
    catalog: Region,
    n_principals: u32,
    n_actions: u32,
    n_rows: u32,
    n_cols: u32,
    principal_names: Names,
    principal_arns: Names,
    action_names: Names,
    action_access: Region,
    action_wildcard_only: Region,
    principal_row: Region,
    action_col: Region,
    /// The cell grid's blocks and block references.
    grid: GridLayout,
    principal_index: Region,
    principal_arn_index: Region,
    action_index: Region,
    /// (row, col, residual) u32 triples, strictly increasing in (row, col).
    conditional: Region,
    atoms: Vec<Atom>,
    /// INVARIANT: `atoms` compiled, index for index.
    programs: Arc<[Program]>,
    residuals: Vec<Residual>,
    /// (from, to, residual) u32 triples, strictly increasing in (from, to); principals
    /// in range, residual in range or `wire::NO_RESIDUAL`.
    trust_edges: Region,
    /// The optional provenance section, validated; never read by checks.
    provenance: Option<Arc<provenance::Loaded>>,
    /// The outcome set of each residual program, derived on first use
    /// (`outcome`); never read by checks.
    outcomes: Arc<[OnceLock<Outcomes>]>,
}

/// One edge of the assume-role graph (SEMANTICS G3, G4, T6): `from` may assume the
/// role `to`, always or when the residual program [`Table::trust_residual`] gives
/// decides Allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrustEdge {
    /// The principal assuming the role.
    pub from: PrincipalId,
    /// The role assumed.
    pub to: PrincipalId,
    /// Index of the edge's residual program in [`Table::residuals`]; `None` for an
    /// unconditional edge.
    pub residual: Option<u32>,
}

/// How a table's cell grid is stored (format version 4): rows of column
/// classes cut into blocks, each distinct block stored once, a row as block
/// references; or one block per row without references (the dense layout),
/// whichever is smaller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GridStats {
    /// Cells per block.
    pub block_cells: u64,
    /// Blocks per row class.
    pub blocks_per_row: usize,
    /// Distinct blocks stored.
    pub n_blocks: usize,
    /// Bytes of the stored blocks.
    pub block_bytes: usize,
    /// Bytes of the block references; 0 for the dense layout.
    pub ref_bytes: usize,
    /// Bytes per block reference; 0 for the dense layout.
    pub ref_width: u32,
    /// Bytes the dense grid (row classes × column classes, 2 bits a cell)
    /// would take.
    pub dense_bytes: usize,
}

/// A table is built once and shared by every thread that checks (`Arc<Table>`,
/// or a clone per thread: the bytes are shared). Nothing in it is mutated after
/// loading, so it is `Send + Sync`; this fails to compile if a field ever stops
/// being so. The same holds for the [`TableHandle`](crate::TableHandle) that
/// serves a table while reloading it.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Table>();
    assert_send_sync::<crate::reload::TableHandle>();
};

/// A names blob and its `n + 1` offsets.
#[derive(Clone, Copy, Debug)]
struct Names {
    /// INVARIANT: valid UTF-8.
    blob: Region,
    /// INVARIANT: monotone, first 0, last `blob.len()`, all on char boundaries.
    offsets: Region,
}

impl Names {
    #[inline]
    fn get(self, bytes: &[u8], idx: u32) -> Option<&[u8]> {
        // `wire::name_at`, with the blob's region resolved only once the offsets
        // are read: the compiler then keeps it out of the probe loop (measured: 17
        // fewer instructions per principal lookup).
        let offsets = self.offsets.of(bytes);
        let at = (idx as usize).checked_mul(4)?;
        let pair = u64::from_le_bytes(*offsets.get(at..)?.first_chunk::<8>()?);
        self.blob
            .of(bytes)
            .get(pair as u32 as usize..(pair >> 32) as usize)
    }

    fn get_str(self, bytes: &[u8], idx: u32) -> &str {
        self.get(bytes, idx)
            .and_then(|name| std::str::from_utf8(name).ok())
            .unwrap_or("")
    }
}

/// `O_NONBLOCK` where we know its value: opening a FIFO then returns at once.
/// Elsewhere the type is checked before opening too, which leaves a window
/// in which a path swapped for a FIFO would block the open.
const O_NONBLOCK: Option<i32> = if cfg!(all(
    any(target_os = "linux", target_os = "android"),
    any(
        target_arch = "x86",
        target_arch = "x86_64",
        target_arch = "arm",
        target_arch = "aarch64",
        target_arch = "riscv64",
        target_arch = "powerpc",
        target_arch = "powerpc64",
        target_arch = "s390x",
        target_arch = "loongarch64"
    )
)) {
    Some(0o4000)
} else if cfg!(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
)) {
    Some(0x0004)
} else {
    None
};

/// The bytes of the table file at `path`, read into one shared buffer: a
/// regular file only, at most `wire::MAX_FILE` bytes (plus one to tell).
pub(crate) fn read_file(path: &Path) -> Result<Arc<[u8]>, LoadError> {
    use std::io::{Read, Seek};

    let io = |err| LoadError::io(path, err);
    let not_a_file = |meta: &std::fs::Metadata| {
        let what = if meta.is_dir() {
            "is a directory"
        } else {
            "not a regular file"
        };
        LoadError::new(LoadErrorKind::NotAFile {
            path: path.display().to_string(),
            what,
        })
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    match O_NONBLOCK {
        #[cfg(unix)]
        Some(flag) => {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(flag);
        }
        _ => {
            let meta = std::fs::metadata(path).map_err(io)?;
            if !meta.is_file() {
                return Err(not_a_file(&meta));
            }
        }
    }
    let mut file = options.open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(not_a_file(&meta));
    }
    let limit = wire::MAX_FILE;
    let len = meta.len();
    if len > limit {
        return Err(LoadError::new(LoadErrorKind::TooLarge { len, limit }));
    }
    // Read straight into the table's own buffer: no second copy of the file,
    // when the file holds what its metadata says.
    let len =
        usize::try_from(len).map_err(|_| LoadError::new(LoadErrorKind::TooLarge { len, limit }))?;
    let mut bytes: Arc<[u8]> = std::iter::repeat_n(0u8, len).collect();
    let buffer = Arc::get_mut(&mut bytes).unwrap_or_default();
    let exact = match file.read_exact(buffer) {
        Ok(()) => file.read(&mut [0u8; 1]).map_err(io)? == 0,
        Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => false,
        Err(err) => return Err(io(err)),
    };
    if exact {
        return Ok(bytes);
    }
    // The file changed size since its length was read (or its metadata does
    // not know it, as for `/proc`): read what it holds now, bounded.
    drop(bytes);
    file.rewind().map_err(io)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let len = bytes.len() as u64;
    if len > limit {
        return Err(LoadError::new(LoadErrorKind::TooLarge { len, limit }));
    }
    Ok(Arc::from(bytes))
}

/// Size of one entry of the conditional list.
const CONDITIONAL_ENTRY: usize = 12;
/// Size of one entry of the trust edge list.
const TRUST_EDGE_ENTRY: usize = 12;

/// Probes a hash index (see `hash`) for an entry accepted by `is_match`, which is
/// asked only about entries whose tag is the tag of `hash`.
#[inline]
fn probe(slots: &[u8], hash: u64, mut is_match: impl FnMut(u32) -> bool) -> Option<u32> {
    let n_slots = slots.len() / hash::SLOT_LEN;
    let tag = hash::tag(hash);
    let mut pos = hash::home_slot(hash, n_slots);
    // INVARIANT: validated indexes have an empty slot; the bound is belt and braces.
    for _ in 0..n_slots {
        let word = hash::slot_at(slots, pos)?;
        if word == hash::EMPTY_SLOT {
            return None;
        }
        let (id, slot_tag) = hash::split_slot(word);
        if slot_tag == tag && is_match(id) {
            return Some(id);
        }
        pos = (pos + 1) & (n_slots - 1);
    }
    None
}

impl Table {
    /// Builds a table from parts: encodes them, then loads the bytes like [`Table::from_bytes`].
    ///
    /// # Errors
    /// Any rule of [`TableParts`] broken (lengths, uniqueness, ranges, the conditional
    /// list, malformed atoms), or a table too large to encode.
    ///
    /// # Panics
    /// Never.
    pub fn from_parts(parts: TableParts) -> Result<Table, LoadError> {
        let bytes = wire::encode(parts)?;
        Table::from_bytes(&bytes)
    }

    /// Builds a table from parts whose cells come packed in `grid` instead of in
    /// `parts.cells`, which must be empty: for large tables, a quarter of the memory
    /// and no packing. Otherwise like [`Table::from_parts`].
    ///
    /// # Errors
    /// `parts.cells` not empty, a grid whose dimensions are not `parts.n_rows` ×
    /// `parts.n_cols`, or any error of [`Table::from_parts`].
    ///
    /// # Panics
    /// Never.
    pub fn from_parts_with_grid(parts: TableParts, grid: Grid) -> Result<Table, LoadError> {
        let bytes = wire::encode_with_grid(parts, Some(grid))?;
        Table::from_bytes(&bytes)
    }

    /// Loads and validates table bytes. Copies `bytes` once.
    ///
    /// # Errors
    /// Bad magic, wrong endianness, unsupported version, unknown flags, truncated or
    /// over-long input, checksum mismatch, too large, undecodable body, or a body that
    /// breaks any invariant of the table.
    ///
    /// # Panics
    /// Never, whatever the bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Table, LoadError> {
        let decoded = wire::decode(bytes)?;
        let programs = validate::validate(bytes, &decoded)?;
        Table::assemble(Arc::from(bytes), decoded, programs)
    }

    /// Loads and validates table bytes already in their final buffer.
    pub(crate) fn from_shared_bytes(bytes: Arc<[u8]>) -> Result<Table, LoadError> {
        let decoded = wire::decode(&bytes)?;
        let programs = validate::validate(&bytes, &decoded)?;
        Table::assemble(bytes, decoded, programs)
    }

    /// The table of validated `bytes`, decoded into `decoded`; validates the
    /// provenance section, if any.
    fn assemble(
        bytes: Arc<[u8]>,
        decoded: wire::Decoded,
        programs: Vec<Program>,
    ) -> Result<Table, LoadError> {
        let provenance = match decoded.provenance {
            Some((data, len)) => Some(Arc::new(provenance::validate(
                data,
                decoded.n_principals,
                decoded.n_actions,
                len,
            )?)),
            None => None,
        };
        let grid = GridLayout::new(
            decoded.n_cols,
            decoded.block_shift,
            decoded.ref_width,
            decoded.blocks,
            decoded.block_refs,
        )
        .unwrap_or_default();
        let outcomes = (0..decoded.residuals.len())
            .map(|_| OnceLock::new())
            .collect();
        Ok(Table {
            bytes,
            version: decoded.version,
            catalog: decoded.catalog,
            n_principals: decoded.n_principals,
            n_actions: decoded.n_actions,
            n_rows: decoded.n_rows,
            n_cols: decoded.n_cols,
            principal_names: Names {
                blob: decoded.principal_names,
                offsets: decoded.principal_name_offsets,
            },
            principal_arns: Names {
                blob: decoded.principal_arns,
                offsets: decoded.principal_arn_offsets,
            },
            action_names: Names {
                blob: decoded.action_names,
                offsets: decoded.action_name_offsets,
            },
            action_access: decoded.action_access,
            action_wildcard_only: decoded.action_wildcard_only,
            principal_row: decoded.principal_row,
            action_col: decoded.action_col,
            grid,
            principal_index: decoded.principal_index,
            principal_arn_index: decoded.principal_arn_index,
            action_index: decoded.action_index,
            conditional: decoded.conditional,
            atoms: decoded.atoms,
            programs: programs.into(),
            residuals: decoded.residuals,
            trust_edges: decoded.trust_edges,
            provenance,
            outcomes,
        })
    }

    /// Reads and loads a table file.
    ///
    /// Only a regular file is read (a link to one is followed): a FIFO, a
    /// device or a directory is refused without blocking (the file is opened
    /// non-blocking and its type checked on the opened handle), and at most
    /// [`MAX_TABLE_BYTES`](crate::MAX_TABLE_BYTES) plus one byte are read
    /// whatever the file's metadata says.
    ///
    /// # Errors
    /// Not a regular file, an I/O error reading `path`, more than
    /// [`MAX_TABLE_BYTES`](crate::MAX_TABLE_BYTES) bytes, or any error of
    /// [`Table::from_bytes`].
    ///
    /// # Panics
    /// Never.
    pub fn open(path: impl AsRef<Path>) -> Result<Table, LoadError> {
        Table::from_shared_bytes(read_file(path.as_ref())?)
    }

    /// The table's bytes, identical to those it was loaded from or built into.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        self.bytes.to_vec()
    }

    /// The table's bytes, borrowed.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The principal with this id (exact match), or else with this ARN (exact match).
    ///
    /// # Errors
    /// [`LookupError::UnknownPrincipal`] if neither matches.
    pub fn principal(&self, name: &str) -> Result<PrincipalId, LookupError> {
        self.find_principal(name)
            .ok_or_else(|| LookupError::UnknownPrincipal(name.to_owned()))
    }

    #[inline]
    fn find_principal(&self, name: &str) -> Option<PrincipalId> {
        let bytes: &[u8] = &self.bytes;
        let name = name.as_bytes();
        let hash = hash::hash_exact(name);
        let is_name = |id| {
            self.principal_names
                .get(bytes, id)
                .is_some_and(|n| hash::same_exact(n, name))
        };
        let is_arn = |id| {
            self.principal_arns
                .get(bytes, id)
                .is_some_and(|n| hash::same_exact(n, name))
        };
        probe(self.principal_index.of(bytes), hash, is_name)
            .or_else(|| probe(self.principal_arn_index.of(bytes), hash, is_arn))
            .map(PrincipalId)
    }

    /// The action with this name, compared ASCII case-insensitively. Does not allocate
    /// unless the action is unknown.
    ///
    /// # Errors
    /// [`LookupError::UnknownAction`] if the catalog has no such action.
    pub fn action(&self, name: &str) -> Result<ActionId, LookupError> {
        self.find_action(name)
            .ok_or_else(|| LookupError::UnknownAction(name.to_owned()))
    }

    #[inline]
    fn find_action(&self, name: &str) -> Option<ActionId> {
        let bytes: &[u8] = &self.bytes;
        let hash = hash::hash_folded(name.as_bytes());
        let is_name = |id| {
            self.action_names
                .get(bytes, id)
                .is_some_and(|n| hash::same_folded(n, name.as_bytes()))
        };
        probe(self.action_index.of(bytes), hash, is_name).map(ActionId)
    }

    /// The cell of principal `p` and action `a`, as the grid stores it. No hashing,
    /// no allocation, no panic.
    ///
    /// A [`Cell::Conditional`] is not an answer: [`Table::check_with`] evaluates it
    /// against a request. Ids come from this table's lookups; an id out of range
    /// gives [`Cell::Deny`] (fail closed).
    #[inline]
    #[must_use]
    pub fn cell(&self, p: PrincipalId, a: ActionId) -> Cell {
        self.try_cell(p, a).unwrap_or(Cell::Deny)
    }

    #[inline]
    fn try_cell(&self, p: PrincipalId, a: ActionId) -> Option<Cell> {
        let row = u32_at(self.principal_row.of(&self.bytes), p.0 as usize)?;
        let col = u32_at(self.action_col.of(&self.bytes), a.0 as usize)?;
        self.try_class_cell(row, col)
    }

    #[inline]
    fn try_class_cell(&self, row: u32, col: u32) -> Option<Cell> {
        if row >= self.n_rows || col >= self.n_cols {
            return None;
        }
        self.grid.cell(&self.bytes, row, col)
    }

    /// May `principal` perform `action`? A conditional cell is evaluated for a request
    /// without resource (`"*"`) and with an empty context.
    ///
    /// # Errors
    /// An unknown principal or action (fail closed).
    pub fn check(&self, principal: &str, action: &str) -> Result<Decision, LookupError> {
        let p = self.principal(principal)?;
        let a = self.action(action)?;
        Ok(self.check_with(p, a, &Request::default()))
    }

    /// May `principal` perform `action` on `req` (its resource and context)? The
    /// one by-name call for callers that have a request: a conditional cell is
    /// evaluated against it, so the answer is always a [`Decision`].
    ///
    /// # Errors
    /// An unknown principal or action (fail closed), or a request over the
    /// default [`RequestLimits`] ([`CheckError::Request`]; not evaluated).
    pub fn check_request(
        &self,
        principal: &str,
        action: &str,
        req: &Request<'_>,
    ) -> Result<Decision, CheckError> {
        let p = self
            .find_principal(principal)
            .ok_or_else(|| CheckError::UnknownPrincipal(principal.to_owned()))?;
        let a = self
            .find_action(action)
            .ok_or_else(|| CheckError::UnknownAction(action.to_owned()))?;
        Ok(self.try_check_with(p, a, req, &RequestLimits::DEFAULT)?)
    }

    /// The decision for `p` and `a` on `req`; a conditional cell evaluates its residual
    /// program against the request. Never panics; out-of-range ids give
    /// [`Decision::Deny`], and so does a request over the default
    /// [`RequestLimits`] (fail closed; [`Table::try_check_with`] says why and
    /// takes other limits).
    #[must_use]
    pub fn check_with(&self, p: PrincipalId, a: ActionId, req: &Request<'_>) -> Decision {
        self.try_check_with(p, a, req, &RequestLimits::DEFAULT)
            .unwrap_or(Decision::Deny)
    }

    /// [`Table::check_with`] under `limits`: a request over them is an error
    /// and is not evaluated. Within them, the work of one check is bounded by
    /// the limits and the size of the cell's residual program.
    ///
    /// # Errors
    /// The limit the request exceeds.
    pub fn try_check_with(
        &self,
        p: PrincipalId,
        a: ActionId,
        req: &Request<'_>,
        limits: &RequestLimits,
    ) -> Result<Decision, RequestError> {
        limits.check(req)?;
        Ok(self.decide(p, a, req))
    }

    fn decide(&self, p: PrincipalId, a: ActionId, req: &Request<'_>) -> Decision {
        match self.try_cell(p, a) {
            Some(Cell::Allow) => Decision::Allow,
            Some(Cell::ImplicitDeny) => Decision::ImplicitDeny,
            Some(Cell::Deny) | None => Decision::Deny,
            Some(Cell::Conditional) => {
                let residual = self.residual_of(self.row_class(p), self.col_class(a));
                match residual {
                    Some(residual) => eval::decide(residual, &self.programs, req),
                    None => Decision::Deny,
                }
            }
        }
    }

    /// The catalog name.
    #[must_use]
    pub fn catalog(&self) -> &str {
        std::str::from_utf8(self.catalog.of(&self.bytes)).unwrap_or("")
    }

    /// Number of principals.
    #[must_use]
    pub fn n_principals(&self) -> usize {
        self.n_principals as usize
    }

    /// Number of actions.
    #[must_use]
    pub fn n_actions(&self) -> usize {
        self.n_actions as usize
    }

    /// Number of row classes.
    #[must_use]
    pub fn n_row_classes(&self) -> usize {
        self.n_rows as usize
    }

    /// Number of column classes.
    #[must_use]
    pub fn n_col_classes(&self) -> usize {
        self.n_cols as usize
    }

    /// The id of principal `id`, e.g. `"user/alice"`; `""` if out of range.
    #[must_use]
    pub fn principal_name(&self, id: PrincipalId) -> &str {
        self.principal_names.get_str(&self.bytes, id.0)
    }

    /// The ARN of principal `id`; `""` if unknown or out of range.
    #[must_use]
    pub fn principal_arn(&self, id: PrincipalId) -> &str {
        self.principal_arns.get_str(&self.bytes, id.0)
    }

    /// The canonical name of action `id`; `""` if out of range.
    #[must_use]
    pub fn action_name(&self, id: ActionId) -> &str {
        self.action_names.get_str(&self.bytes, id.0)
    }

    /// The access level of action `id`; [`AccessLevel::Unknown`] if out of range.
    #[must_use]
    pub fn action_access(&self, id: ActionId) -> AccessLevel {
        self.action_access
            .of(&self.bytes)
            .get(id.0 as usize)
            .and_then(|&byte| AccessLevel::from_u8(byte))
            .unwrap_or(AccessLevel::Unknown)
    }

    /// Whether action `id` takes no resource ARN (SEMANTICS R4); `false` if out of range.
    #[must_use]
    pub fn action_wildcard_only(&self, id: ActionId) -> bool {
        let a = id.0 as usize;
        self.action_wildcard_only
            .of(&self.bytes)
            .get(a / 8)
            .is_some_and(|&byte| byte >> (a % 8) & 1 == 1)
    }

    /// The row class of principal `p`; `u32::MAX` if out of range.
    #[must_use]
    pub fn row_class(&self, p: PrincipalId) -> u32 {
        u32_at(self.principal_row.of(&self.bytes), p.0 as usize).unwrap_or(u32::MAX)
    }

    /// The column class of action `a`; `u32::MAX` if out of range.
    #[must_use]
    pub fn col_class(&self, a: ActionId) -> u32 {
        u32_at(self.action_col.of(&self.bytes), a.0 as usize).unwrap_or(u32::MAX)
    }

    /// The cell of row class `row` and column class `col`; [`Cell::Deny`] if out of range.
    #[must_use]
    pub fn class_cell(&self, row: u32, col: u32) -> Cell {
        self.try_class_cell(row, col).unwrap_or(Cell::Deny)
    }

    /// How the cell grid is stored: blocks, references, and the size of the
    /// dense grid beside them.
    #[must_use]
    pub fn grid_stats(&self) -> GridStats {
        let block_bytes = self.grid.blocks.len();
        GridStats {
            block_cells: 1u64 << self.grid.shift.min(63),
            blocks_per_row: self.grid.per_row,
            n_blocks: block_bytes.checked_div(self.grid.block_len).unwrap_or(0),
            block_bytes,
            ref_bytes: self.grid.refs.len(),
            ref_width: self.grid.ref_width,
            dense_bytes: (self.n_rows as usize).saturating_mul(wire::stride(self.n_cols)),
        }
    }

    /// Number of conditional cells of the class grid.
    #[must_use]
    pub fn n_conditional_cells(&self) -> usize {
        self.conditional.len() / CONDITIONAL_ENTRY
    }

    /// Number of residual programs.
    #[must_use]
    pub fn n_residuals(&self) -> usize {
        self.residuals.len()
    }

    /// The residual program of the class cell (`row`, `col`), if it is conditional.
    #[must_use]
    pub fn residual_of(&self, row: u32, col: u32) -> Option<&Residual> {
        self.residuals.get(self.residual_index(row, col)? as usize)
    }

    /// The index in [`Table::residuals`] of the residual program of the class cell
    /// (`row`, `col`), if it is conditional.
    #[must_use]
    pub fn residual_index(&self, row: u32, col: u32) -> Option<u32> {
        let entries = self.conditional.of(&self.bytes);
        let key = (row, col);
        // Binary search over the sorted entries, in place.
        let mut lo = 0;
        let mut hi = entries.len() / CONDITIONAL_ENTRY;
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let entry_row = u32_at(entries, mid * 3)?;
            let entry_col = u32_at(entries, mid * 3 + 1)?;
            match (entry_row, entry_col).cmp(&key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    return u32_at(entries, mid * 3 + 2);
                }
            }
        }
        None
    }

    /// The conditional class cells as `(row, col, residual index)`, sorted.
    pub fn conditional_cells(&self) -> impl Iterator<Item = (u32, u32, u32)> + '_ {
        self.conditional
            .of(&self.bytes)
            .chunks_exact(CONDITIONAL_ENTRY)
            .map(|entry| {
                (
                    u32_at(entry, 0).unwrap_or(0),
                    u32_at(entry, 1).unwrap_or(0),
                    u32_at(entry, 2).unwrap_or(0),
                )
            })
    }

    /// The atoms referenced by the residual programs.
    #[must_use]
    pub fn atoms(&self) -> &[Atom] {
        &self.atoms
    }

    /// The residual programs.
    #[must_use]
    pub fn residuals(&self) -> &[Residual] {
        &self.residuals
    }

    /// Size of the table file in bytes.
    #[must_use]
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// The format version the table was written in.
    #[must_use]
    pub fn format_version(&self) -> u32 {
        self.version
    }

    /// The principal with index `index` (see [`PrincipalId::index`]), or `None`
    /// if the table has no such principal. For callers that keep ids as plain
    /// integers (a foreign function interface).
    #[must_use]
    pub fn principal_at(&self, index: u32) -> Option<PrincipalId> {
        (index < self.n_principals).then_some(PrincipalId(index))
    }

    /// The action with index `index` (see [`ActionId::index`]), or `None` if
    /// the catalog has no such action.
    #[must_use]
    pub fn action_at(&self, index: u32) -> Option<ActionId> {
        (index < self.n_actions).then_some(ActionId(index))
    }

    /// All principal ids, in order.
    pub fn principals(
        &self,
    ) -> impl ExactSizeIterator<Item = PrincipalId> + DoubleEndedIterator + Clone {
        (0..self.n_principals).map(PrincipalId)
    }

    /// All action ids, in order.
    pub fn actions(&self) -> impl ExactSizeIterator<Item = ActionId> + DoubleEndedIterator + Clone {
        (0..self.n_actions).map(ActionId)
    }

    /// The parts this table was built from (with the conditional list sorted):
    /// `Table::from_parts(t.to_parts())` equals `t`.
    #[must_use]
    pub fn to_parts(&self) -> TableParts {
        let principals = self.principals();
        let actions = self.actions();
        let n_cells = self.n_row_classes().saturating_mul(self.n_col_classes());
        let mut cells = Vec::with_capacity(n_cells);
        for row in 0..self.n_rows {
            cells.extend((0..self.n_cols).map(|col| self.class_cell(row, col)));
        }
        TableParts {
            catalog: self.catalog().to_owned(),
            principals: principals
                .clone()
                .map(|p| self.principal_name(p).to_owned())
                .collect(),
            principal_arns: principals
                .clone()
                .map(|p| self.principal_arn(p).to_owned())
                .collect(),
            actions: actions
                .clone()
                .map(|a| self.action_name(a).to_owned())
                .collect(),
            action_access: actions.clone().map(|a| self.action_access(a)).collect(),
            action_wildcard_only: actions
                .clone()
                .map(|a| self.action_wildcard_only(a))
                .collect(),
            principal_row: principals.map(|p| self.row_class(p)).collect(),
            action_col: actions.map(|a| self.col_class(a)).collect(),
            n_rows: self.n_rows,
            n_cols: self.n_cols,
            cells,
            atoms: self.atoms.clone(),
            residuals: self.residuals.clone(),
            conditional: self.conditional_cells().collect(),
            trust_edges: self
                .trust_edges()
                .map(|edge| (edge.from.0, edge.to.0, edge.residual))
                .collect(),
            provenance: self.provenance().cloned(),
        }
    }

    /// The provenance section (`compile --explain`), if the table has one.
    #[must_use]
    pub fn provenance(&self) -> Option<&Provenance> {
        self.provenance.as_deref().map(|p| &p.data)
    }

    /// Size in bytes of the provenance section in the file; 0 without one.
    #[must_use]
    pub fn provenance_byte_len(&self) -> usize {
        self.provenance.as_deref().map_or(0, |p| p.byte_len)
    }

    /// The truth of atom `atom` of the provenance section for `req`, by the
    /// evaluator `check_with` uses; `None` without provenance or for an atom
    /// out of range.
    #[must_use]
    pub fn provenance_atom(&self, atom: u32, req: &Request<'_>) -> Option<bool> {
        let loaded = self.provenance.as_deref()?;
        RequestLimits::DEFAULT.check(req).ok()?;
        loaded.programs.get(atom as usize).map(|p| p.eval(req))
    }

    /// Whether the table carries a signature section (header flag bit 1).
    /// Loading with [`Table::from_bytes`] does not verify it; see
    /// `Table::from_bytes_verified` (feature `verify`).
    #[must_use]
    pub fn is_signed(&self) -> bool {
        wire::signature_of(&self.bytes).is_some()
    }

    /// Number of edges of the assume-role graph.
    #[must_use]
    pub fn n_trust_edges(&self) -> usize {
        self.trust_edges.len() / TRUST_EDGE_ENTRY
    }

    /// Every edge of the assume-role graph, sorted by (from, to).
    pub fn trust_edges(&self) -> impl ExactSizeIterator<Item = TrustEdge> + '_ {
        self.trust_edges
            .of(&self.bytes)
            .chunks_exact(TRUST_EDGE_ENTRY)
            .map(edge_at)
    }

    /// The roles `p` may assume directly, in increasing id order, each with the
    /// residual program of the edge (`None`: unconditional). Binary search, then one
    /// step per edge; no allocation.
    pub fn trust_edges_from(
        &self,
        p: PrincipalId,
    ) -> impl Iterator<Item = (PrincipalId, Option<&Residual>)> + '_ {
        let entries = self.trust_edges.of(&self.bytes);
        let n = entries.len() / TRUST_EDGE_ENTRY;
        let from_at = |i: usize| u32_at(entries, i * 3).unwrap_or(u32::MAX);
        // First entry whose `from` is not below `p`.
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if from_at(mid) < p.0 {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        entries
            .get(lo.saturating_mul(TRUST_EDGE_ENTRY)..)
            .unwrap_or_default()
            .chunks_exact(TRUST_EDGE_ENTRY)
            .map(edge_at)
            .take_while(move |edge| edge.from == p)
            .map(|edge| (edge.to, self.trust_residual(edge)))
    }

    /// The principals that may assume the role `p` directly, in increasing id order,
    /// each with the residual program of the edge. A scan of every edge.
    pub fn trust_edges_to(
        &self,
        p: PrincipalId,
    ) -> impl Iterator<Item = (PrincipalId, Option<&Residual>)> + '_ {
        self.trust_edges()
            .filter(move |edge| edge.to == p)
            .map(|edge| (edge.from, self.trust_residual(edge)))
    }

    /// The residual program of a conditional edge; `None` for an unconditional one.
    #[must_use]
    pub fn trust_residual(&self, edge: TrustEdge) -> Option<&Residual> {
        self.residuals.get(edge.residual? as usize)
    }

    /// May `from` assume the role `to` directly, for a request with `context`? The
    /// edge's residual program is evaluated for `sts:AssumeRole` on `to`'s ARN (`"*"`
    /// if the table has none). No edge: [`Decision::ImplicitDeny`].
    #[must_use]
    pub fn assume(&self, from: PrincipalId, to: PrincipalId, context: &Context) -> Decision {
        match self
            .trust_edges_from(from)
            .find(|(target, _)| *target == to)
        {
            None => Decision::ImplicitDeny,
            Some((_, None)) => Decision::Allow,
            Some((_, Some(residual))) => self.decide_edge(to, residual, context),
        }
    }

    /// The decision of an edge's residual program into role `to` for `context`.
    pub(crate) fn decide_edge(
        &self,
        to: PrincipalId,
        residual: &Residual,
        context: &Context,
    ) -> Decision {
        let arn = self.principal_arn(to);
        let request = Request {
            resource: if arn.is_empty() { "*" } else { arn },
            context,
        };
        match RequestLimits::DEFAULT.check(&request) {
            Ok(()) => eval::decide(residual, &self.programs, &request),
            Err(_) => Decision::Deny,
        }
    }

    /// The lazily filled outcome sets, one per residual program.
    pub(crate) fn outcome_cache(&self) -> &[OnceLock<Outcomes>] {
        &self.outcomes
    }

    /// The decision of `residual`, one of this table's residual programs (or any
    /// program over its atoms), for `req`. [`Decision::Deny`] if it refers to an atom
    /// the table does not have, or if `req` is over the default [`RequestLimits`].
    #[must_use]
    pub(crate) fn decide_residual(&self, residual: &Residual, req: &Request<'_>) -> Decision {
        match RequestLimits::DEFAULT.check(req) {
            Ok(()) => eval::decide(residual, &self.programs, req),
            Err(_) => Decision::Deny,
        }
    }
}

/// The edge in a 12-byte entry (validated on load).
fn edge_at(entry: &[u8]) -> TrustEdge {
    let residual = u32_at(entry, 2).unwrap_or(wire::NO_RESIDUAL);
    TrustEdge {
        from: PrincipalId(u32_at(entry, 0).unwrap_or(u32::MAX)),
        to: PrincipalId(u32_at(entry, 1).unwrap_or(u32::MAX)),
        residual: (residual != wire::NO_RESIDUAL).then_some(residual),
    }
}

impl PartialEq for Table {
    /// Tables are equal iff their bytes are: everything else is derived from them.
    fn eq(&self, other: &Table) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for Table {}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("format_version", &self.version)
            .field("catalog", &self.catalog())
            .field("n_principals", &self.n_principals)
            .field("n_actions", &self.n_actions)
            .field("n_row_classes", &self.n_rows)
            .field("n_col_classes", &self.n_cols)
            .field("n_conditional_cells", &self.n_conditional_cells())
            .field("n_residuals", &self.residuals.len())
            .field("n_trust_edges", &self.n_trust_edges())
            .field("provenance", &self.provenance.is_some())
            .field("byte_len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}
