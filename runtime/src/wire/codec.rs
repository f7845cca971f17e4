//! The bincode codec, and the only file that calls bincode: the body of a
//! table (inside the header `header` checks and frames) with the one
//! `Options` value (size limit, no trailing bytes), decoding into
//! [`Decoded`] and encoding [`TableParts`].

use bincode::Options;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{LoadError, LoadErrorKind};
use crate::grid::Grid;
use crate::hash;
use crate::parts::{Atom, Residual, TableParts};
use crate::provenance::Provenance;

use super::atoms::{atom_from_wire, atom_to_wire, residual_from_wire, residual_to_wire};
use super::atoms::{WireAtom, WireResidual};
use super::header::{check_header, frame, FLAG_PROVENANCE, HEADER_LEN, MAX_BODY};
use super::layout::{count, index_blob, names_blob, too_large, u32_blob, Region};
use super::provenance::{provenance_from_wire, provenance_to_wire, WireProvenance};

/// The one bincode configuration, for both directions.
pub(super) fn options() -> impl Options + Copy {
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .with_little_endian()
        .with_limit(MAX_BODY)
        .reject_trailing_bytes()
}

/// A byte string borrowed from the input; serialized as bincode bytes (length + raw).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Blob<'a>(&'a [u8]);

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

/// The body of a version 4 table, in file order.
#[derive(Serialize, Deserialize)]
pub(super) struct Body<'a> {
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
    /// One bit per action (bit `a % 8` of byte `a / 8`), padding bits zero.
    #[serde(borrow)]
    action_wildcard_only: Blob<'a>,
    /// One u32 row class per principal.
    #[serde(borrow)]
    principal_row: Blob<'a>,
    /// One u32 column class per action.
    #[serde(borrow)]
    action_col: Blob<'a>,
    /// Cells per grid block, as a power of two: `2^block_shift`.
    block_shift: u8,
    /// Bytes per block reference: 1, 2 or 4; 0 for none (one block per row).
    ref_width: u8,
    /// The distinct blocks of 2-bit cells.
    #[serde(borrow)]
    blocks: Blob<'a>,
    /// The block references of each row class, row-major.
    #[serde(borrow)]
    block_refs: Blob<'a>,
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
    pub(crate) block_shift: u32,
    pub(crate) ref_width: u32,
    pub(crate) blocks: Region,
    pub(crate) block_refs: Region,
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
        block_shift: u32::from(body.block_shift),
        ref_width: u32::from(body.ref_width),
        blocks: region(body.blocks.0)?,
        block_refs: region(body.block_refs.0)?,
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

fn mismatch(what: &str, found: usize, expected: usize, of: &str) -> LoadError {
    LoadError::invalid(format!("{found} {what} for {expected} {of}"))
}

/// Checks what encoding relies on: parallel vectors of equal length and a full
/// grid, in `parts.cells` or else in `grid`.
pub(super) fn check_shape(parts: &TableParts, grid: Option<&Grid>) -> Result<(), LoadError> {
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
    let mut action_wildcard_only = vec![0u8; parts.action_wildcard_only.len().div_ceil(8)];
    for (a, _) in parts
        .action_wildcard_only
        .iter()
        .enumerate()
        .filter(|(_, &w)| w)
    {
        if let Some(byte) = action_wildcard_only.get_mut(a / 8) {
            *byte |= 1 << (a % 8);
        }
    }
    let principal_row = u32_blob(parts.principal_row.iter().copied());
    let action_col = u32_blob(parts.action_col.iter().copied());
    let grid = match grid {
        Some(grid) => grid,
        None => {
            let cells = std::mem::take(&mut parts.cells);
            let mut grid = Grid::with_capacity(parts.n_cols, parts.n_rows as usize);
            if parts.n_cols > 0 {
                for row in cells.chunks_exact(parts.n_cols as usize) {
                    grid.push_row(row.iter().copied());
                }
            } else {
                (0..parts.n_rows).for_each(|_| grid.push_row([]));
            }
            grid
        }
    }
    .into_wire();
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
        block_shift: u8::try_from(grid.shift).map_err(|_| too_large(usize::MAX))?,
        ref_width: u8::try_from(grid.ref_width).map_err(|_| too_large(usize::MAX))?,
        blocks: Blob(&grid.blocks),
        block_refs: Blob(&grid.refs),
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

pub(super) fn encode_body(body: &impl Serialize, flags: u32) -> Result<Vec<u8>, LoadError> {
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
