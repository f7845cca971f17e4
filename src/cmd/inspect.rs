//! `verdict inspect TABLE [--show summary]`: what a table holds — format,
//! size, digest and signature, catalog, classes, cell counts, residual
//! programs, trust edges, provenance — and, unless `--show summary`, every
//! principal, action, program, edge and the class grid; as text, or as one
//! JSON document with `--format json`.

use std::io::Write;
use std::path::Path;

use verdict_runtime::Table;

use crate::args::{InspectArgs, InspectPart, QueryFormat};
use crate::files::open_table;
use crate::{access, explain, residual, signing, CmdResult, Io, EXIT_OK};

/// Runs `verdict inspect`: 0, or 2 when the table cannot be loaded.
pub(crate) fn run(args: InspectArgs, io: &mut Io<'_>) -> CmdResult {
    let table = open_table(&args.table)?;
    let _ = match args.format.format {
        QueryFormat::Text => write_inspection(&table, &args.table, args.show, io.stdout),
        QueryFormat::Json => write_json(&table, &args.table, args.show, io.stdout),
    };
    Ok(EXIT_OK)
}

/// The inspection as one JSON document: the summary's fields, and unless
/// `--show summary` the principals, actions, residual programs, trust edges
/// and the class grid (one string of cell characters per row class).
fn write_json(
    table: &Table,
    path: &Path,
    show: InspectPart,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    use serde_json::{json, Value};
    use verdict_runtime::Cell;
    let n_rows = table.n_row_classes() as u32;
    let n_cols = table.n_col_classes() as u32;
    let mut counts = [0usize; 4];
    for p in table.principals() {
        for a in table.actions() {
            if let Some(n) = counts.get_mut(table.cell(p, a) as usize) {
                *n += 1;
            }
        }
    }
    let count = |c: Cell| counts.get(c as usize).copied().unwrap_or(0);
    let signer = table
        .signer()
        .map(|key| format!("sha256:{}", key.fingerprint()));
    let provenance = table.provenance().map(|prov| {
        json!({
            "bytes": table.provenance_byte_len(),
            "files": prov.files.len(),
            "policies": prov.policies.len(),
            "statements": prov.statements.len(),
            "profiles": prov.profiles.len(),
            "atoms": prov.atoms.len(),
        })
    });
    let mut doc = json!({
        "table": crate::files::path_text(path),
        "format_version": table.format_version(),
        "bytes": table.byte_len(),
        "digest": format!("sha256:{}", table.digest()),
        "signer": signer,
        "catalog": table.catalog(),
        "actions_total": table.n_actions(),
        "principals_total": table.n_principals(),
        "row_classes": n_rows,
        "column_classes": n_cols,
        "cells": {
            "total": table.n_principals() * table.n_actions(),
            "allow": count(Cell::Allow),
            "deny": count(Cell::Deny),
            "implicit_deny": count(Cell::ImplicitDeny),
            "conditional": count(Cell::Conditional),
        },
        "conditional_class_cells": table.n_conditional_cells(),
        "residual_programs_total": table.n_residuals(),
        "trust_edges_total": table.n_trust_edges(),
        "conditional_trust_edges": table.trust_edges().filter(|e| e.residual.is_some()).count(),
        "provenance": provenance,
    });
    if show == InspectPart::All {
        let principals: Vec<Value> = table
            .principals()
            .map(|p| {
                let mut c = [0usize; 4];
                for a in table.actions() {
                    if let Some(n) = c.get_mut(table.cell(p, a) as usize) {
                        *n += 1;
                    }
                }
                let at = |cell: Cell| c.get(cell as usize).copied().unwrap_or(0);
                json!({
                    "name": table.principal_name(p),
                    "row_class": table.row_class(p),
                    "allow": at(Cell::Allow),
                    "deny": at(Cell::Deny),
                    "implicit_deny": at(Cell::ImplicitDeny),
                    "conditional": at(Cell::Conditional),
                })
            })
            .collect();
        let actions: Vec<Value> = table
            .actions()
            .map(|a| {
                json!({
                    "name": table.action_name(a),
                    "column_class": table.col_class(a),
                    "access_level": table.action_access(a).to_string(),
                })
            })
            .collect();
        let mut uses = vec![0usize; table.n_residuals()];
        for (_, _, id) in table.conditional_cells() {
            if let Some(n) = uses.get_mut(id as usize) {
                *n += 1;
            }
        }
        let residuals: Vec<Value> = table
            .residuals()
            .iter()
            .enumerate()
            .map(|(id, residual)| {
                json!({
                    "id": id,
                    "class_cells": uses.get(id).copied().unwrap_or(0),
                    "program": residual::describe(residual, table.atoms()),
                    "can_give": table.residual_outcomes(id as u32).to_string(),
                })
            })
            .collect();
        let edges: Vec<Value> = table
            .trust_edges()
            .map(|edge| {
                json!({
                    "from": table.principal_name(edge.from),
                    "to": table.principal_name(edge.to),
                    "condition": table
                        .trust_residual(edge)
                        .map(|r| residual::describe(r, table.atoms())),
                })
            })
            .collect();
        let grid: Vec<String> = (0..n_rows)
            .map(|r| {
                (0..n_cols)
                    .map(|c| access::Shown::of(table, r, c).char())
                    .collect()
            })
            .collect();
        if let Some(map) = doc.as_object_mut() {
            map.insert("principals".to_owned(), principals.into());
            map.insert("actions".to_owned(), actions.into());
            map.insert("residual_programs".to_owned(), residuals.into());
            map.insert("trust_edges".to_owned(), edges.into());
            map.insert("class_grid".to_owned(), grid.into());
        }
    }
    serde_json::to_writer(&mut *out, &doc).map_err(std::io::Error::other)?;
    writeln!(out)
}

fn write_inspection(
    table: &Table,
    path: &Path,
    show: InspectPart,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    use verdict_runtime::Cell;
    let n_rows = table.n_row_classes() as u32;
    let n_cols = table.n_col_classes() as u32;
    let mut counts = [0usize; 4];
    for p in table.principals() {
        for a in table.actions() {
            counts[table.cell(p, a) as usize] += 1;
        }
    }
    writeln!(out, "table: {}", path.display())?;
    writeln!(out, "format version: {}", table.format_version())?;
    writeln!(out, "bytes: {}", table.byte_len())?;
    for line in signing::inspection(table) {
        writeln!(out, "{line}")?;
    }
    writeln!(
        out,
        "catalog: {} ({} actions)",
        table.catalog(),
        table.n_actions()
    )?;
    writeln!(out, "principals: {}", table.n_principals())?;
    writeln!(out, "row classes: {n_rows}")?;
    writeln!(out, "column classes: {n_cols}")?;
    writeln!(
        out,
        "cells: {} (allow {}, deny {}, implicit-deny {}, conditional {})",
        table.n_principals() * table.n_actions(),
        counts[Cell::Allow as usize],
        counts[Cell::Deny as usize],
        counts[Cell::ImplicitDeny as usize],
        counts[Cell::Conditional as usize]
    )?;
    writeln!(
        out,
        "class grid: {n_rows} × {n_cols} cells, {} conditional",
        table.n_conditional_cells()
    )?;
    writeln!(out, "{}", grid_storage(table))?;
    writeln!(out, "residual programs: {}", table.n_residuals())?;
    let n_conditional_edges = table.trust_edges().filter(|e| e.residual.is_some()).count();
    writeln!(
        out,
        "trust edges: {} ({n_conditional_edges} conditional)",
        table.n_trust_edges()
    )?;
    writeln!(
        out,
        "provenance: {}",
        explain::summary(table).unwrap_or_else(|| "none (compile with --explain)".to_string())
    )?;
    if show == InspectPart::Summary {
        return Ok(());
    }
    writeln!(
        out,
        "\nprincipals (row class: allow/deny/implicit-deny actions):"
    )?;
    for p in table.principals() {
        let mut c = [0usize; 4];
        for a in table.actions() {
            c[table.cell(p, a) as usize] += 1;
        }
        writeln!(
            out,
            "  {:<40} row {:>4}  allow {:>5}  deny {:>5}  implicit-deny {:>5}",
            table.principal_name(p),
            table.row_class(p),
            c[Cell::Allow as usize],
            c[Cell::Deny as usize],
            c[Cell::ImplicitDeny as usize]
        )?;
    }
    writeln!(out, "\nactions (column class, access level):")?;
    for a in table.actions() {
        writeln!(
            out,
            "  {:<60} col {:>4}  {}",
            table.action_name(a),
            table.col_class(a),
            table.action_access(a)
        )?;
    }
    if table.n_residuals() > 0 {
        writeln!(
            out,
            "\nresidual programs (id: class-grid cells using it: program):"
        )?;
        let mut uses = vec![0usize; table.n_residuals()];
        for (_, _, id) in table.conditional_cells() {
            if let Some(n) = uses.get_mut(id as usize) {
                *n += 1;
            }
        }
        for (id, residual) in table.residuals().iter().enumerate() {
            writeln!(
                out,
                "  {id:>4}: {:>5} cells  {}  [can give {}]",
                uses[id],
                residual::describe(residual, table.atoms()),
                table.residual_outcomes(id as u32)
            )?;
        }
    }
    if table.n_trust_edges() > 0 {
        writeln!(out, "\ntrust edges (who may assume which role):")?;
        for edge in table.trust_edges() {
            let condition = table
                .trust_residual(edge)
                .map(|r| format!(": {}", residual::describe(r, table.atoms())))
                .unwrap_or_default();
            writeln!(
                out,
                "  {} → {}{condition}",
                table.principal_name(edge.from),
                table.principal_name(edge.to)
            )?;
        }
    }
    writeln!(out, "\nclass grid (rows = row classes, columns = column classes; A allow, D deny, . implicit-deny, ? conditional, d deny or implicit-deny under a condition):")?;
    for r in 0..n_rows {
        let line: String = (0..n_cols)
            .map(|c| access::Shown::of(table, r, c).char())
            .collect();
        writeln!(out, "  {r:>4} {line}")?;
    }
    Ok(())
}

/// How the class grid is stored (format version 4): distinct blocks and block
/// references, or dense, beside the size of the dense grid.
fn grid_storage(table: &Table) -> String {
    let stats = table.grid_stats();
    if stats.ref_width == 0 {
        return format!(
            "grid storage: dense, one block per row class ({} bytes)",
            stats.block_bytes
        );
    }
    let stored = stats.block_bytes + stats.ref_bytes;
    format!(
        "grid storage: {} distinct blocks of {} cells ({} bytes), {} per row class, {} bytes of {}-byte references; {stored} bytes, {:.3} of the dense {}",
        stats.n_blocks,
        stats.block_cells,
        stats.block_bytes,
        stats.blocks_per_row,
        stats.ref_bytes,
        stats.ref_width,
        stored as f64 / stats.dense_bytes.max(1) as f64,
        stats.dense_bytes
    )
}
