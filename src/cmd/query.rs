//! `verdict who-can TABLE ACTION` and `verdict what-can TABLE PRINCIPAL`:
//! questions answered from the table alone, through its classes.
//!
//! `who-can` reads the action's column once per row class, then keeps the
//! principals whose row class allows (or conditionally allows) it: row
//! classes + principals steps, no per-principal cell work. `what-can` reads
//! the principal's row once per column class, then lists the actions. A
//! conditional cell counts only if its outcome set holds `allow` (a deny under
//! a condition is never listed as allowed).

use verdict_runtime::{AccessLevel, Table};

use crate::access::{level_rank, Shown, LEVEL_ORDER};
use crate::args::{QueryFormat, ReachFormat, WhatCanArgs, WhoCanArgs};
use crate::cmd::reach;
use crate::files::open_table;
use crate::{CmdResult, Io, EXIT_OK};

/// The principals whose cell for `action` may allow (`allow`, or
/// `conditional` with `allow` among its outcomes), in table order, with what
/// the cell is.
pub fn who_can(table: &Table, action: verdict_runtime::ActionId) -> Vec<(String, Shown)> {
    let col = table.col_class(action);
    let row_cells: Vec<Shown> = (0..table.n_row_classes() as u32)
        .map(|row| Shown::of(table, row, col))
        .collect();
    table
        .principals()
        .filter_map(|p| {
            let cell = *row_cells.get(table.row_class(p) as usize)?;
            cell.may_allow()
                .then(|| (table.principal_name(p).to_string(), cell))
        })
        .collect()
}

/// The actions whose cell for `principal` may allow, sorted by access level
/// (in [`LEVEL_ORDER`]) and name.
pub fn what_can(
    table: &Table,
    principal: verdict_runtime::PrincipalId,
    level: Option<AccessLevel>,
) -> Vec<(String, AccessLevel, Shown)> {
    let row = table.row_class(principal);
    let col_cells: Vec<Shown> = (0..table.n_col_classes() as u32)
        .map(|col| Shown::of(table, row, col))
        .collect();
    let mut found: Vec<(String, AccessLevel, Shown)> = table
        .actions()
        .filter(|&a| level.is_none_or(|l| table.action_access(a) == l))
        .filter_map(|a| {
            let cell = *col_cells.get(table.col_class(a) as usize)?;
            cell.may_allow().then(|| {
                (
                    table.action_name(a).to_string(),
                    table.action_access(a),
                    cell,
                )
            })
        })
        .collect();
    found.sort_by(|a, b| (level_rank(a.1), &a.0).cmp(&(level_rank(b.1), &b.0)));
    found
}

fn suffix(cell: Shown) -> &'static str {
    if cell == Shown::Conditional {
        "  (conditional)"
    } else {
        ""
    }
}

/// Runs `verdict who-can` (with `--via-roles`, `reach`'s search).
pub(crate) fn run_who_can(args: WhoCanArgs, io: &mut Io<'_>) -> CmdResult {
    let out_format = args.format.format;
    if args.via_roles {
        let out = match out_format {
            QueryFormat::Text => ReachFormat::Text,
            QueryFormat::Json => ReachFormat::Json,
        };
        return reach::who_can_command(&args.table, &args.action, true, out, io);
    }
    let table = open_table(&args.table)?;
    let a = table.action(&args.action).map_err(|e| e.to_string())?;
    let (name, access, found) = (
        table.action_name(a).to_string(),
        table.action_access(a),
        who_can(&table, a),
    );
    let n_conditional = found
        .iter()
        .filter(|(_, c)| *c == Shown::Conditional)
        .count();
    let text = match out_format {
        QueryFormat::Text => {
            let mut text = format!(
                "{name} ({access}): {} principal{} allowed{}\n",
                found.len(),
                if found.len() == 1 { "" } else { "s" },
                if n_conditional > 0 {
                    format!(", {n_conditional} of them conditionally")
                } else {
                    String::new()
                }
            );
            for (principal, cell) in &found {
                text.push_str(&format!("{principal}{}\n", suffix(*cell)));
            }
            text
        }
        QueryFormat::Json => {
            let value = serde_json::json!({
                "action": name,
                "access": access.as_str(),
                "principals": found.iter().map(|(p, c)| serde_json::json!({
                    "principal": p,
                    "decision": c.word(),
                })).collect::<Vec<_>>(),
            });
            format!("{value:#}\n")
        }
    };
    let _ = io.stdout.write_all(text.as_bytes());
    Ok(EXIT_OK)
}

/// Runs `verdict what-can`.
pub(crate) fn run_what_can(args: WhatCanArgs, io: &mut Io<'_>) -> CmdResult {
    let (out_format, level) = (args.format.format, args.access_level);
    let table = open_table(&args.table)?;
    let p = table
        .principal(&args.principal)
        .map_err(|e| e.to_string())?;
    let (name, found) = (
        table.principal_name(p).to_string(),
        what_can(&table, p, level),
    );
    let n_conditional = found.iter().filter(|f| f.2 == Shown::Conditional).count();
    let text = match out_format {
        QueryFormat::Text => {
            let scope = level.map_or(String::new(), |l| format!(" {l}"));
            let mut text = format!(
                "{name}: {}{scope} action{} allowed{}\n",
                found.len(),
                if found.len() == 1 { "" } else { "s" },
                if n_conditional > 0 {
                    format!(", {n_conditional} of them conditionally")
                } else {
                    String::new()
                }
            );
            for l in LEVEL_ORDER {
                let of_level: Vec<_> = found.iter().filter(|f| f.1 == l).collect();
                if of_level.is_empty() {
                    continue;
                }
                text.push_str(&format!("\n{l} ({}):\n", of_level.len()));
                for (action, _, cell) in of_level {
                    text.push_str(&format!("  {action}{}\n", suffix(*cell)));
                }
            }
            text
        }
        QueryFormat::Json => {
            let value = serde_json::json!({
                "principal": name,
                "access_level": level.map(AccessLevel::as_str),
                "actions": found.iter().map(|(a, l, c)| serde_json::json!({
                    "action": a,
                    "access": l.as_str(),
                    "decision": c.word(),
                })).collect::<Vec<_>>(),
            });
            format!("{value:#}\n")
        }
    };
    let _ = io.stdout.write_all(text.as_bytes());
    Ok(EXIT_OK)
}
