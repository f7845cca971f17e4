//! `verdict who-can TABLE ACTION` and `verdict what-can TABLE PRINCIPAL`:
//! questions answered from the table alone, through its classes, for one
//! name or every name a pattern matches (`chime:Delete*`, `role/*`), and
//! the access gate `--fail-if-any` over the answer.
//!
//! `who-can` reads the action's column once per row class, then keeps the
//! principals whose row class allows (or conditionally allows) it: row
//! classes + principals steps, no per-principal cell work. `what-can` reads
//! the principal's row once per column class, then lists the actions. A
//! conditional cell counts only if its outcome set holds `allow` (a deny under
//! a condition is never listed as allowed). With a pattern, each answer is
//! computed once per column class (`who-can`) or row class (`what-can`) and
//! shared by the names of that class.
//!
//! The gate fails (exit 1) when a listed grant is not excepted; a
//! conditional grant is a possible grant and fails it too unless
//! `--ignore-conditional`, as Access Analyzer's `CheckAccessNotGranted`
//! treats access that may be granted.

use std::collections::HashMap;

use serde_json::{json, Value};
use verdict_runtime::{AccessLevel, ActionId, PrincipalId, Table};

use crate::access::{level_rank, Shown, LEVEL_ORDER};
use crate::args::{GateArgs, QueryFormat, WhatCanArgs, WhoCanArgs};
use crate::cmd::reach::{self, Can};
use crate::files::open_table;
use crate::lookup;
use crate::{CmdResult, Io, EXIT_DENY, EXIT_OK};

/// The principals whose cell for `action` may allow (`allow`, or
/// `conditional` with `allow` among its outcomes), in table order, with what
/// the cell is.
pub fn who_can(table: &Table, action: ActionId) -> Vec<(PrincipalId, Shown)> {
    let col = table.col_class(action);
    let row_cells: Vec<Shown> = (0..table.n_row_classes() as u32)
        .map(|row| Shown::of(table, row, col))
        .collect();
    table
        .principals()
        .filter_map(|p| {
            let cell = *row_cells.get(table.row_class(p) as usize)?;
            cell.may_allow().then_some((p, cell))
        })
        .collect()
}

fn suffix(cell: Shown) -> &'static str {
    if cell == Shown::Conditional {
        "  (conditional)"
    } else {
        ""
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// One grant a gate looks at: who, what, and whether only conditionally
/// (a conditional cell, or a chain with a conditional step).
struct Grant {
    principal: PrincipalId,
    action: ActionId,
    conditional: bool,
}

/// What a gate decided: the grants that fail it, in the answer's order.
struct Gate<'g> {
    args: &'g GateArgs,
    except: &'g [String],
    failing: Vec<Grant>,
}

impl<'g> Gate<'g> {
    fn new(args: &'g GateArgs, except: &'g [String]) -> Gate<'g> {
        Gate {
            args,
            except,
            failing: Vec::new(),
        }
    }

    /// Records `grant` as failing the gate unless it is conditional and
    /// conditional grants are ignored (exceptions are the caller's).
    fn consider(&mut self, grant: Grant) {
        if self.args.fail_if_any && !(grant.conditional && self.args.ignore_conditional) {
            self.failing.push(grant);
        }
    }

    fn failed(&self) -> bool {
        !self.failing.is_empty()
    }

    /// The `gate` member of the JSON answers (only with `--fail-if-any`).
    fn json(&self, table: &Table) -> Value {
        json!({
            "failed": self.failed(),
            "except": self.except,
            "conditional": if self.args.ignore_conditional { "ignored" } else { "fails" },
            "failing": self.failing.iter().map(|g| json!({
                "principal": table.principal_name(g.principal),
                "action": table.action_name(g.action),
                "decision": if g.conditional { "conditional" } else { "allow" },
            })).collect::<Vec<_>>(),
        })
    }

    /// The exit status, after saying on standard error what failed the
    /// gate: each failing principal with its actions (at most 20
    /// principals and 5 actions each, then counts).
    fn finish(&self, table: &Table, command: &str, asked: &str, io: &mut Io<'_>) -> i32 {
        if !self.failed() {
            return EXIT_OK;
        }
        let mut by_principal: Vec<(PrincipalId, Vec<&Grant>)> = Vec::new();
        let mut at: HashMap<PrincipalId, usize> = HashMap::new();
        for g in &self.failing {
            let i = *at.entry(g.principal).or_insert_with(|| {
                by_principal.push((g.principal, Vec::new()));
                by_principal.len() - 1
            });
            if let Some((_, grants)) = by_principal.get_mut(i) {
                grants.push(g);
            }
        }
        let n = by_principal.len();
        let unconditionally = if self.args.ignore_conditional {
            " unconditionally"
        } else {
            ""
        };
        let mut text = if command == "who-can" {
            format!(
                "verdict who-can: failing: {n} principal{} not excepted may perform `{asked}`{unconditionally}:\n",
                plural(n)
            )
        } else {
            format!(
                "verdict what-can: failing: {n} principal{} of `{asked}` may perform actions not excepted{unconditionally}:\n",
                plural(n)
            )
        };
        const PRINCIPALS: usize = 20;
        const ACTIONS: usize = 5;
        for (p, grants) in by_principal.iter().take(PRINCIPALS) {
            let mut shown: Vec<String> = grants
                .iter()
                .take(ACTIONS)
                .map(|g| {
                    let name = table.action_name(g.action);
                    if g.conditional {
                        format!("{name} (conditional)")
                    } else {
                        name.to_string()
                    }
                })
                .collect();
            if grants.len() > ACTIONS {
                shown.push(format!("and {} more", grants.len() - ACTIONS));
            }
            text.push_str(&format!(
                "  {}: {}\n",
                table.principal_name(*p),
                shown.join(", ")
            ));
        }
        if n > PRINCIPALS {
            text.push_str(&format!(
                "  and {} more principal{} (every one in `--format json`)\n",
                n - PRINCIPALS,
                plural(n - PRINCIPALS)
            ));
        }
        let _ = io.stderr.write_all(text.as_bytes());
        EXIT_DENY
    }
}

/// Which principals `--except` patterns name, by principal index; a
/// pattern that names none is said on standard error (the gate still
/// runs: an exception that excepts nobody only makes it stricter).
fn excepted_principals(table: &Table, except: &[String], io: &mut Io<'_>) -> Vec<bool> {
    let mut excepted = vec![false; table.n_principals()];
    for pattern in except {
        let mut any = false;
        for p in table.principals() {
            if lookup::principal_matches(table, p, pattern) {
                any = true;
                if let Some(e) = excepted.get_mut(p.index() as usize) {
                    *e = true;
                }
            }
        }
        if !any {
            let why = lookup::no_principal_matches(table, pattern);
            let _ = writeln!(io.stderr, "warning: --except: {why}");
        }
    }
    excepted
}

/// The actions `name` stands for: every action a pattern matches, or the
/// one it names.
fn actions_of(table: &Table, name: &str) -> Result<Vec<ActionId>, String> {
    if lookup::is_pattern(name) {
        lookup::matching_actions(table, name)
    } else {
        Ok(vec![lookup::action(table, name)?])
    }
}

/// The principals `name` stands for: every principal a pattern matches, or
/// the one it names.
fn principals_of(table: &Table, name: &str) -> Result<Vec<PrincipalId>, String> {
    if lookup::is_pattern(name) {
        lookup::matching_principals(table, name)
    } else {
        Ok(vec![lookup::principal(table, name)?])
    }
}

/// Runs `verdict who-can` (with `--via-roles`, `reach`'s search): 0, or 1
/// when the `--fail-if-any` gate fails, 2 on errors.
pub(crate) fn run_who_can(args: WhoCanArgs, io: &mut Io<'_>) -> CmdResult {
    let table = open_table(&args.table)?;
    let actions = actions_of(&table, &args.action)?;
    let excepted = excepted_principals(&table, &args.except, io);
    let is_excepted = |p: PrincipalId| excepted.get(p.index() as usize).copied().unwrap_or(false);
    let mut gate = Gate::new(&args.gate, &args.except);
    let pattern = lookup::is_pattern(&args.action).then_some(args.action.as_str());
    let text = if args.via_roles {
        // One search per column class: every action of a class has the
        // same cells, so the same principals and chains.
        let mut by_class: HashMap<u32, Vec<(PrincipalId, Can)>> = HashMap::new();
        let mut answers: Vec<(ActionId, u32)> = Vec::new();
        for &a in &actions {
            let class = table.col_class(a);
            let list = by_class
                .entry(class)
                .or_insert_with(|| reach::who_can(&table, a, true));
            for (p, can) in list.iter() {
                if !is_excepted(*p) {
                    gate.consider(Grant {
                        principal: *p,
                        action: a,
                        conditional: matches!(can, Can::Conditional | Can::ConditionalVia(_)),
                    });
                }
            }
            answers.push((a, class));
        }
        let list_of = |class: u32| by_class.get(&class).map(Vec::as_slice).unwrap_or(&[]);
        match (args.format.format, pattern) {
            (QueryFormat::Text, None) => answers
                .iter()
                .map(|&(a, class)| reach::who_can_text(&table, a, list_of(class)))
                .collect(),
            (QueryFormat::Text, Some(pattern)) => {
                let with = answers
                    .iter()
                    .filter(|(_, class)| !list_of(*class).is_empty())
                    .count();
                let mut text = matched_header(pattern, answers.len(), with);
                let mut nobody = Vec::new();
                for &(a, class) in &answers {
                    let list = list_of(class);
                    if list.is_empty() {
                        nobody.push(a);
                        continue;
                    }
                    text.push_str(&format!(
                        "\n{} ({}): {} principal{}\n",
                        table.action_name(a),
                        table.action_access(a),
                        list.len(),
                        plural(list.len())
                    ));
                    text.push_str(&reach::who_can_text(&table, a, list));
                }
                text.push_str(&nobody_line(&table, &nobody));
                text
            }
            (QueryFormat::Json, pattern) => {
                let mut value = match pattern {
                    None => answers
                        .first()
                        .map(|&(a, class)| reach::who_can_json(&table, a, list_of(class)))
                        .unwrap_or(Value::Null),
                    Some(pattern) => json!({
                        "pattern": pattern,
                        "actions": answers
                            .iter()
                            .map(|&(a, class)| reach::who_can_json(&table, a, list_of(class)))
                            .collect::<Vec<_>>(),
                    }),
                };
                add_gate(&mut value, &gate, &table);
                // One line, as `--via-roles` always printed it.
                format!("{value}\n")
            }
        }
    } else {
        let mut by_class: HashMap<u32, Vec<(PrincipalId, Shown)>> = HashMap::new();
        let mut answers: Vec<(ActionId, u32)> = Vec::new();
        for &a in &actions {
            let class = table.col_class(a);
            let list = by_class.entry(class).or_insert_with(|| who_can(&table, a));
            for (p, cell) in list.iter() {
                if !is_excepted(*p) {
                    gate.consider(Grant {
                        principal: *p,
                        action: a,
                        conditional: *cell == Shown::Conditional,
                    });
                }
            }
            answers.push((a, class));
        }
        let list_of = |class: u32| by_class.get(&class).map(Vec::as_slice).unwrap_or(&[]);
        match (args.format.format, pattern) {
            (QueryFormat::Text, None) => answers
                .iter()
                .map(|&(a, class)| who_can_block(&table, a, list_of(class)))
                .collect(),
            (QueryFormat::Text, Some(pattern)) => {
                let with = answers
                    .iter()
                    .filter(|(_, class)| !list_of(*class).is_empty())
                    .count();
                let mut text = matched_header(pattern, answers.len(), with);
                let mut nobody = Vec::new();
                for &(a, class) in &answers {
                    let list = list_of(class);
                    if list.is_empty() {
                        nobody.push(a);
                    } else {
                        text.push('\n');
                        text.push_str(&who_can_block(&table, a, list));
                    }
                }
                text.push_str(&nobody_line(&table, &nobody));
                text
            }
            (QueryFormat::Json, pattern) => {
                let mut value = match pattern {
                    None => answers
                        .first()
                        .map(|&(a, class)| who_can_json(&table, a, list_of(class)))
                        .unwrap_or(Value::Null),
                    Some(pattern) => json!({
                        "pattern": pattern,
                        "actions": answers
                            .iter()
                            .map(|&(a, class)| who_can_json(&table, a, list_of(class)))
                            .collect::<Vec<_>>(),
                    }),
                };
                add_gate(&mut value, &gate, &table);
                format!("{value:#}\n")
            }
        }
    };
    let _ = io.stdout.write_all(text.as_bytes());
    Ok(gate.finish(&table, "who-can", &args.action, io))
}

/// `PATTERN: N actions matched, M with principals allowed`.
fn matched_header(pattern: &str, matched: usize, with: usize) -> String {
    format!(
        "{pattern}: {matched} action{} matched, {with} with principals allowed\n",
        plural(matched)
    )
}

/// The closing line of a pattern's text answer: the matched actions nobody
/// may perform (the first 20, then a count).
fn nobody_line(table: &Table, nobody: &[ActionId]) -> String {
    if nobody.is_empty() {
        return String::new();
    }
    const SHOWN: usize = 20;
    let mut names: Vec<String> = nobody
        .iter()
        .take(SHOWN)
        .map(|&a| table.action_name(a).to_string())
        .collect();
    if nobody.len() > SHOWN {
        names.push(format!("and {} more", nobody.len() - SHOWN));
    }
    format!("\nno principal allowed: {}\n", names.join(", "))
}

/// Adds the gate's verdict to a JSON answer, with `--fail-if-any` only.
fn add_gate(value: &mut Value, gate: &Gate<'_>, table: &Table) {
    if let (true, Some(object)) = (gate.args.fail_if_any, value.as_object_mut()) {
        object.insert("gate".into(), gate.json(table));
    }
}

/// The text answer of `who-can` for one action.
fn who_can_block(table: &Table, a: ActionId, found: &[(PrincipalId, Shown)]) -> String {
    let n_conditional = found
        .iter()
        .filter(|(_, c)| *c == Shown::Conditional)
        .count();
    let mut text = format!(
        "{} ({}): {} principal{} allowed{}\n",
        table.action_name(a),
        table.action_access(a),
        found.len(),
        plural(found.len()),
        if n_conditional > 0 {
            format!(", {n_conditional} of them conditionally")
        } else {
            String::new()
        }
    );
    for (p, cell) in found {
        text.push_str(&format!("{}{}\n", table.principal_name(*p), suffix(*cell)));
    }
    text
}

/// The JSON answer of `who-can` for one action.
fn who_can_json(table: &Table, a: ActionId, found: &[(PrincipalId, Shown)]) -> Value {
    json!({
        "action": table.action_name(a),
        "access": table.action_access(a).as_str(),
        "principals": found.iter().map(|(p, c)| json!({
            "principal": table.principal_name(*p),
            "decision": c.word(),
        })).collect::<Vec<_>>(),
    })
}

/// Runs `verdict what-can`: 0, or 1 when the `--fail-if-any` gate fails, 2
/// on errors.
pub(crate) fn run_what_can(args: WhatCanArgs, io: &mut Io<'_>) -> CmdResult {
    let level = args.access_level;
    let table = open_table(&args.table)?;
    let principals = principals_of(&table, &args.principal)?;
    for pattern in &args.except {
        // An exception that excepts nothing only makes the gate stricter:
        // said, not an error.
        if let Err(why) = lookup::matching_actions(&table, pattern) {
            let _ = writeln!(io.stderr, "warning: --except: {why}");
        }
    }
    let is_excepted = |a: ActionId| {
        let name = table.action_name(a);
        args.except.iter().any(|p| lookup::action_matches(p, name))
    };
    let mut gate = Gate::new(&args.gate, &args.except);
    // One answer per row class: every principal of a class has the same
    // cells.
    let mut by_class: HashMap<u32, Vec<(ActionId, AccessLevel, Shown)>> = HashMap::new();
    let mut answers: Vec<(PrincipalId, u32)> = Vec::new();
    for &p in &principals {
        let class = table.row_class(p);
        let list = by_class
            .entry(class)
            .or_insert_with(|| what_can(&table, p, level));
        for (a, _, cell) in list.iter() {
            if !is_excepted(*a) {
                gate.consider(Grant {
                    principal: p,
                    action: *a,
                    conditional: *cell == Shown::Conditional,
                });
            }
        }
        answers.push((p, class));
    }
    let list_of = |class: u32| by_class.get(&class).map(Vec::as_slice).unwrap_or(&[]);
    let pattern = lookup::is_pattern(&args.principal).then_some(args.principal.as_str());
    let text = match (args.format.format, pattern) {
        (QueryFormat::Text, None) => answers
            .iter()
            .map(|&(p, class)| what_can_block(&table, p, level, list_of(class)))
            .collect(),
        (QueryFormat::Text, Some(pattern)) => {
            let n = answers.len();
            let mut text = format!("{pattern}: {n} principal{} matched\n", plural(n));
            for &(p, class) in &answers {
                text.push('\n');
                text.push_str(&what_can_block(&table, p, level, list_of(class)));
            }
            text
        }
        (QueryFormat::Json, pattern) => {
            let mut value = match pattern {
                None => answers
                    .first()
                    .map(|&(p, class)| what_can_json(&table, p, level, list_of(class)))
                    .unwrap_or(Value::Null),
                Some(pattern) => json!({
                    "pattern": pattern,
                    "access_level": level.map(AccessLevel::as_str),
                    "principals": answers
                        .iter()
                        .map(|&(p, class)| what_can_json(&table, p, level, list_of(class)))
                        .collect::<Vec<_>>(),
                }),
            };
            add_gate(&mut value, &gate, &table);
            format!("{value:#}\n")
        }
    };
    let _ = io.stdout.write_all(text.as_bytes());
    Ok(gate.finish(&table, "what-can", &args.principal, io))
}

/// The actions whose cell for `principal` may allow, sorted by access level
/// (in [`LEVEL_ORDER`]) and name.
fn what_can(
    table: &Table,
    principal: PrincipalId,
    level: Option<AccessLevel>,
) -> Vec<(ActionId, AccessLevel, Shown)> {
    let row = table.row_class(principal);
    let col_cells: Vec<Shown> = (0..table.n_col_classes() as u32)
        .map(|col| Shown::of(table, row, col))
        .collect();
    let mut found: Vec<(ActionId, AccessLevel, Shown)> = table
        .actions()
        .filter(|&a| level.is_none_or(|l| table.action_access(a) == l))
        .filter_map(|a| {
            let cell = *col_cells.get(table.col_class(a) as usize)?;
            cell.may_allow().then(|| (a, table.action_access(a), cell))
        })
        .collect();
    found.sort_by(|a, b| {
        (level_rank(a.1), table.action_name(a.0)).cmp(&(level_rank(b.1), table.action_name(b.0)))
    });
    found
}

/// The text answer of `what-can` for one principal.
fn what_can_block(
    table: &Table,
    p: PrincipalId,
    level: Option<AccessLevel>,
    found: &[(ActionId, AccessLevel, Shown)],
) -> String {
    let n_conditional = found.iter().filter(|f| f.2 == Shown::Conditional).count();
    let scope = level.map_or(String::new(), |l| format!(" {l}"));
    let mut text = format!(
        "{}: {}{scope} action{} allowed{}\n",
        table.principal_name(p),
        found.len(),
        plural(found.len()),
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
            text.push_str(&format!(
                "  {}{}\n",
                table.action_name(*action),
                suffix(*cell)
            ));
        }
    }
    text
}

/// The JSON answer of `what-can` for one principal.
fn what_can_json(
    table: &Table,
    p: PrincipalId,
    level: Option<AccessLevel>,
    found: &[(ActionId, AccessLevel, Shown)],
) -> Value {
    json!({
        "principal": table.principal_name(p),
        "access_level": level.map(AccessLevel::as_str),
        "actions": found.iter().map(|(a, l, c)| json!({
            "action": table.action_name(*a),
            "access": l.as_str(),
            "decision": c.word(),
        })).collect::<Vec<_>>(),
    })
}
