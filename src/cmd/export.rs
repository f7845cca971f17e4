//! `verdict export TABLE --format csv|json|dot|html`: the table's matrix for
//! spreadsheets and scripts, its principal graph for Graphviz, and a
//! self-contained HTML report for people.
//!
//! - `csv`, long layout (default): `principal,action,access,decision`, one
//!   line per cell that is not `implicit-deny` (implicit deny is the rest):
//!   the size follows the grants, not principals × actions, so the 22,321
//!   action `aws` catalog stays usable. `--layout wide`: one line per
//!   principal, one column per action, every cell spelled out.
//! - `json`: the actions with their access levels, and per principal the
//!   `allow`, `deny`, `conditional` and `conditional_deny` action lists (the
//!   rest is `implicit-deny`).
//!
//! Every format shows a conditional cell by its outcome set
//! ([`Shown`]): `conditional` only if some request is allowed,
//! `conditional-deny` if it is deny or implicit-deny depending on the
//! request, and the decision itself if only one is possible.
//! - `dot`: principals → the row classes they share. Nodes and edges carry a
//!   Graphviz `class` attribute (`principal`, `row-class`; edges `row`) so
//!   later edge kinds (trust, group membership) can be added and styled
//!   without changing these.
//! - `html`: `report.html` with the table's classes embedded as JSON; the
//!   page draws the heat map itself, needs no network, and marks
//!   `<body data-rendered="true">` once drawn (the end-to-end test waits for it).

use std::fmt::Write as _;
use std::io::Write;

use verdict_runtime::Table;

use crate::access::{level_rank, shown_grid, Shown, LEVEL_ORDER};
use crate::args::{CsvLayout, ExportArgs, ExportFormat};
use crate::files::{open_table, path_text, write_output};
use crate::{CmdResult, Io, EXIT_OK};

/// Runs `verdict export`: 0, or 2 on errors.
pub(crate) fn run(args: ExportArgs, io: &mut Io<'_>) -> CmdResult {
    let path = args.table.as_path();
    let table = open_table(path)?;
    let title = path
        .file_name()
        .map_or_else(|| path_text(path), |n| n.to_string_lossy().into_owned());
    let layout = args.layout;
    write_output(args.output.output.as_deref(), io, |out| match args.format {
        ExportFormat::Csv => csv(&table, layout, out),
        ExportFormat::Json => json(&table, out),
        ExportFormat::Dot => out.write_all(dot(&table).as_bytes()),
        ExportFormat::Html => out.write_all(html(&table, &title).as_bytes()),
    })?;
    Ok(EXIT_OK)
}

/// One CSV field, quoted when it needs to be (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The cells of one principal's row, indexed by column class.
fn row_cells<'g>(
    grid: &'g [Vec<Shown>],
    table: &Table,
    p: verdict_runtime::PrincipalId,
) -> &'g [Shown] {
    grid.get(table.row_class(p) as usize)
        .map_or(&[], Vec::as_slice)
}

fn cell_at(cells: &[Shown], table: &Table, a: verdict_runtime::ActionId) -> Shown {
    cells
        .get(table.col_class(a) as usize)
        .copied()
        .unwrap_or(Shown::Deny)
}

/// Writes the CSV export, one principal at a time.
pub fn csv(table: &Table, layout: CsvLayout, out: &mut dyn Write) -> std::io::Result<()> {
    let grid = shown_grid(table);
    match layout {
        CsvLayout::Long => {
            writeln!(out, "principal,action,access,decision")?;
            for p in table.principals() {
                let cells = row_cells(&grid, table, p);
                let name = csv_field(table.principal_name(p));
                for a in table.actions() {
                    let cell = cell_at(cells, table, a);
                    if cell != Shown::ImplicitDeny {
                        writeln!(
                            out,
                            "{name},{},{},{}",
                            csv_field(table.action_name(a)),
                            csv_field(table.action_access(a).as_str()),
                            cell.word()
                        )?;
                    }
                }
            }
        }
        CsvLayout::Wide => {
            let mut header = String::from("principal");
            for a in table.actions() {
                header.push(',');
                header.push_str(&csv_field(table.action_name(a)));
            }
            writeln!(out, "{header}")?;
            for p in table.principals() {
                let cells = row_cells(&grid, table, p);
                let mut line = csv_field(table.principal_name(p));
                for a in table.actions() {
                    let _ = write!(line, ",{}", cell_at(cells, table, a).word());
                }
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(())
}

/// Cells of the whole table by kind, from the classes (rows × columns
/// weighted by how many principals and actions share each).
fn cell_counts(table: &Table, grid: &[Vec<Shown>]) -> [usize; 5] {
    let mut rows = vec![0usize; table.n_row_classes()];
    for p in table.principals() {
        if let Some(n) = rows.get_mut(table.row_class(p) as usize) {
            *n += 1;
        }
    }
    let mut cols = vec![0usize; table.n_col_classes()];
    for a in table.actions() {
        if let Some(n) = cols.get_mut(table.col_class(a) as usize) {
            *n += 1;
        }
    }
    let mut counts = [0usize; 5];
    for (r, n_rows) in rows.iter().enumerate() {
        for (c, n_cols) in cols.iter().enumerate() {
            let cell = grid
                .get(r)
                .and_then(|row| row.get(c))
                .copied()
                .unwrap_or(Shown::Deny);
            if let Some(n) = counts.get_mut(cell.index()) {
                *n += n_rows * n_cols;
            }
        }
    }
    counts
}

/// Writes the JSON export: a header, the actions, then one principal per
/// line, each written as it is computed.
pub fn json(table: &Table, out: &mut dyn Write) -> std::io::Result<()> {
    use serde_json::json;
    let grid = shown_grid(table);
    let counts = cell_counts(table, &grid);
    writeln!(out, "{{")?;
    writeln!(out, "  \"catalog\": {},", json!(table.catalog()))?;
    writeln!(out, "  \"format_version\": {},", table.format_version())?;
    let count = |shown: Shown| counts.get(shown.index()).copied().unwrap_or(0);
    let cells = json!({
        "allow": count(Shown::Allow),
        "deny": count(Shown::Deny),
        "conditional": count(Shown::Conditional),
        "conditional-deny": count(Shown::ConditionalDeny),
        "implicit-deny": count(Shown::ImplicitDeny),
    });
    writeln!(out, "  \"cells\": {cells},")?;
    write!(out, "  \"actions\": [")?;
    for (i, a) in table.actions().enumerate() {
        let action = json!({
            "action": table.action_name(a),
            "access": table.action_access(a).as_str(),
        });
        write!(out, "{}\n    {action}", if i == 0 { "" } else { "," })?;
    }
    write!(out, "\n  ],\n  \"principals\": [")?;
    for (i, p) in table.principals().enumerate() {
        let cells = row_cells(&grid, table, p);
        let mut lists: [Vec<&str>; 5] = Default::default();
        for a in table.actions() {
            if let Some(list) = lists.get_mut(cell_at(cells, table, a).index()) {
                list.push(table.action_name(a));
            }
        }
        let arn = table.principal_arn(p);
        let [allow, deny, _, conditional, conditional_deny] = lists;
        let principal = json!({
            "principal": table.principal_name(p),
            "arn": (!arn.is_empty()).then_some(arn),
            "row_class": table.row_class(p),
            "allow": allow,
            "deny": deny,
            "conditional": conditional,
            "conditional_deny": conditional_deny,
        });
        write!(out, "{}\n    {principal}", if i == 0 { "" } else { "," })?;
    }
    writeln!(out, "\n  ]\n}}")
}

fn row_of(grid: &[Vec<Shown>], row: u32) -> &[Shown] {
    grid.get(row as usize).map_or(&[], Vec::as_slice)
}

/// A DOT quoted id.
fn dot_id(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

pub fn dot(table: &Table) -> String {
    let mut out = String::new();
    let n_rows = table.n_row_classes();
    let mut members = vec![0usize; n_rows];
    for p in table.principals() {
        if let Some(n) = members.get_mut(table.row_class(p) as usize) {
            *n += 1;
        }
    }
    let _ = writeln!(
        out,
        "// verdict export --format dot: {} principals and the {} row classes (distinct permission sets) they share.",
        table.n_principals(),
        n_rows
    );
    out.push_str("digraph verdict {\n");
    out.push_str("  graph [rankdir=LR, fontname=\"Helvetica\", label=");
    out.push_str(&dot_id(&format!(
        "catalog {}: {} principals, {} actions, {} row classes",
        table.catalog(),
        table.n_principals(),
        table.n_actions(),
        n_rows
    )));
    out.push_str(
        "];\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [color=\"#6b7785\"];\n\n",
    );
    out.push_str("  // Principals.\n");
    for p in table.principals() {
        let name = table.principal_name(p);
        let shape = if name.starts_with("role/") {
            "hexagon"
        } else {
            "box"
        };
        let _ = writeln!(
            out,
            "  {} [class=\"principal\", shape={shape}];",
            dot_id(name)
        );
    }
    out.push_str("\n  // Row classes: what each allows, denies and allows conditionally.\n");
    let grid = shown_grid(table);
    for row in 0..n_rows as u32 {
        let mut counts = [0usize; 5];
        for a in table.actions() {
            let cell = cell_at(row_of(&grid, row), table, a);
            if let Some(n) = counts.get_mut(cell.index()) {
                *n += 1;
            }
        }
        let count = |shown: Shown| counts.get(shown.index()).copied().unwrap_or(0);
        let denied_when = if count(Shown::ConditionalDeny) > 0 {
            format!(
                " · deny under a condition {}",
                count(Shown::ConditionalDeny)
            )
        } else {
            String::new()
        };
        let label = format!(
            "row class {row}\\n{} principal{}\\nallow {} · deny {} · conditional {}{denied_when}",
            members.get(row as usize).copied().unwrap_or(0),
            if members.get(row as usize) == Some(&1) {
                ""
            } else {
                "s"
            },
            count(Shown::Allow),
            count(Shown::Deny),
            count(Shown::Conditional),
        );
        let _ = writeln!(
            out,
            "  \"row:{row}\" [class=\"row-class\", shape=ellipse, style=filled, fillcolor=\"#eef3f7\", label=\"{label}\"];"
        );
    }
    out.push_str("\n  // Edges: principal → its row class.\n");
    for p in table.principals() {
        let _ = writeln!(
            out,
            "  {} -> \"row:{}\" [class=\"row\"];",
            dot_id(table.principal_name(p)),
            table.row_class(p)
        );
    }
    out.push_str("}\n");
    out
}

/// Characters that must not appear raw inside a `<script>` element or HTML text.
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const REPORT: &str = include_str!("../report.html");

pub fn html(table: &Table, title: &str) -> String {
    let grid: Vec<String> = shown_grid(table)
        .iter()
        .map(|row| row.iter().map(|cell| cell.char()).collect())
        .collect();
    let mut order: Vec<usize> = (0..LEVEL_ORDER.len()).collect();
    order.sort_by_key(|&i| {
        verdict_runtime::AccessLevel::from_u8(i as u8).map_or(usize::MAX, level_rank)
    });
    let data = serde_json::json!({
        "title": title,
        "catalog": table.catalog(),
        "levels": (0..LEVEL_ORDER.len() as u8)
            .map(|i| verdict_runtime::AccessLevel::from_u8(i).map_or("Unknown", |l| l.as_str()))
            .collect::<Vec<_>>(),
        "level_order": order,
        "principals": table.principals().map(|p| table.principal_name(p)).collect::<Vec<_>>(),
        "principal_row": table.principals().map(|p| table.row_class(p)).collect::<Vec<_>>(),
        "actions": table.actions().map(|a| table.action_name(a)).collect::<Vec<_>>(),
        "action_access": table.actions().map(|a| table.action_access(a).as_u8()).collect::<Vec<_>>(),
        "action_col": table.actions().map(|a| table.col_class(a)).collect::<Vec<_>>(),
        "grid": grid,
    });
    // Inside <script>, JSON must not contain `</script` or `<!--`: escape the
    // characters that could start them (they only occur in strings).
    let data = data
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    // Data first: the template's title marker comes before its data marker,
    // so a title can never be replaced inside the data, nor the reverse.
    REPORT
        .replacen("__DATA__", &data, 1)
        .replacen("__TITLE__", &escape_html(title), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("user/alice"), "user/alice");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn dot_ids_escape_quotes() {
        assert_eq!(dot_id("user/a\"b"), "\"user/a\\\"b\"");
    }
}
