//! The report of `verdict diff`, in words: text grouped by principal and
//! access level (long lists compacted to `service:Verb*` prefixes where the
//! catalog agrees), Markdown for a pull-request comment, and JSON with every
//! change exactly; witnesses of conditional gains and losses as requests.
//! The comparison it reports is the parent module's.

use std::collections::HashMap;
use std::io::Write;

use verdict_runtime::outcome::OwnedRequest;
use verdict_runtime::{AccessLevel, Cell, ContextValue};

use super::{CatalogIndex, Change, Direction, Evidence, FailOn, Report, RowDiff, Status};
use crate::access::{service_of, verb_of, LEVEL_ORDER};

/// Text output shows at most this many entries per principal and direction.
const TEXT_LIMIT: usize = 40;

/// Text and Markdown output show at most this many witnesses per principal
/// and direction.
const WITNESS_LIMIT: usize = 5;

impl Report<'_> {
    /// What one side of a group's cells is, in words: its program for a
    /// conditional cell, else its cell.
    fn condition(&self, row: &RowDiff, group: usize, new_side: bool) -> String {
        let (table, row_class) = if new_side {
            (self.new, row.rows.1)
        } else {
            (self.old, row.rows.0)
        };
        let col = self
            .group_keys
            .get(group)
            .and_then(|&(old, new)| if new_side { new } else { old });
        let (Some(r), Some(c)) = (row_class, col) else {
            return Cell::ImplicitDeny.to_string();
        };
        match table.residual_of(r, c) {
            Some(residual) => crate::residual::describe(residual, table.atoms()),
            None => table.class_cell(r, c).to_string(),
        }
    }
    /// The witnesses (and undecided pairs) of one pair of rows in one
    /// direction, in words, at most `limit` of them; with how many there are.
    fn witness_lines(
        &self,
        row: &RowDiff,
        direction: Direction,
        limit: usize,
    ) -> (Vec<String>, usize) {
        let mut lines = Vec::new();
        let mut n = 0;
        for change in &row.changed {
            let Some(evidence) = change.evidence(direction) else {
                continue;
            };
            if matches!(evidence, Evidence::Cells) {
                continue;
            }
            n += 1;
            if n > limit {
                continue;
            }
            let action = self
                .group_action
                .get(change.group)
                .and_then(|&i| self.actions.get(i))
                .map_or("?", |a| a.name.as_str());
            let size = self
                .group_of_action
                .iter()
                .filter(|&&g| g == change.group)
                .count();
            let more = if size > 1 {
                format!(
                    " (and {} more action{} alike)",
                    size - 1,
                    if size == 2 { "" } else { "s" }
                )
            } else {
                String::new()
            };
            let head = match evidence {
                Evidence::Witness(w) => format!(
                    "{action}{more}: {} → {} before, {} now",
                    request_words(&w.request),
                    w.before,
                    w.after
                ),
                Evidence::Undecided(why) => {
                    format!("{action}{more}: could not decide ({why}); counted as possible")
                }
                Evidence::Cells => String::new(),
            };
            lines.push(format!(
                "{head}\n      before: {}\n      now:    {}",
                self.condition(row, change.group, false),
                self.condition(row, change.group, true)
            ));
        }
        (lines, n)
    }
    fn catalogs(&self, quote: &str) -> String {
        if self.old_catalog == self.new_catalog {
            format!("catalog {quote}{}{quote}", self.new_catalog)
        } else {
            format!(
                "catalog {quote}{}{quote} → {quote}{}{quote}",
                self.old_catalog, self.new_catalog
            )
        }
    }
    fn summary_line(&self) -> String {
        let mut line = format!(
            "{} principal(s) changed, {} added, {} removed; {} action grant(s) gained, {} lost",
            self.n_status(Status::Changed),
            self.n_status(Status::Added),
            self.n_status(Status::Removed),
            self.total(Direction::Gained),
            self.total(Direction::Lost),
        );
        let denies = self.total(Direction::DenyChanged);
        if denies > 0 {
            line.push_str(&format!(", {denies} explicit deny change(s)"));
        }
        let undecided = self.n_undecided();
        if undecided > 0 {
            line.push_str(&format!(
                "; {undecided} gained grant(s) could not be decided and count as gained"
            ));
        }
        line
    }
    /// The compact summary of one pair of rows in one direction: per access
    /// level, the entries of [`compact`].
    fn grouped(&self, row: &RowDiff, direction: Direction) -> Vec<(AccessLevel, Vec<String>)> {
        let changes = self.changes(row, direction);
        let index = match direction {
            Direction::Lost => &self.old_index,
            Direction::Gained | Direction::DenyChanged => &self.new_index,
        };
        LEVEL_ORDER
            .into_iter()
            .filter_map(|level| {
                let of_level: Vec<&Change<'_>> = changes
                    .iter()
                    .filter(|c| c.action.access == level)
                    .collect();
                (!of_level.is_empty()).then(|| (level, compact(&of_level, level, index, direction)))
            })
            .collect()
    }
    pub(super) fn text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(
            out,
            "verdict diff: {} → {} ({}; {} principals, {} actions compared)",
            self.old_label,
            self.new_label,
            self.catalogs(""),
            self.n_compared,
            self.actions.len()
        )?;
        if self.principals.is_empty() {
            return writeln!(out, "no changes");
        }
        writeln!(out, "{}", self.summary_line())?;
        // Principals with the same pair of rows print the same lines.
        let mut bodies: HashMap<(usize, u8), String> = HashMap::new();
        for p in &self.principals {
            let tag = match p.status {
                Status::Changed => "",
                Status::Added => " (new principal)",
                Status::Removed => " (removed principal)",
            };
            let row = self.row(p);
            if row.is_empty() {
                writeln!(out, "\n{}{tag}: no actions allowed before or after", p.name)?;
                continue;
            }
            for (direction, key, verb) in [
                (Direction::Gained, 0, "gains"),
                (Direction::Lost, 1, "loses"),
                (Direction::DenyChanged, 2, "has explicit deny changes on"),
            ] {
                let n = row.count(direction);
                if n == 0 {
                    continue;
                }
                writeln!(
                    out,
                    "\n{}{tag} {verb} {n} action{}:",
                    p.name,
                    if n == 1 { "" } else { "s" }
                )?;
                let body = bodies.entry((p.row, key)).or_insert_with(|| {
                    let mut body = String::new();
                    for (level, entries) in self.grouped(row, direction) {
                        let shown = entries.len().min(TEXT_LIMIT);
                        let mut line = entries.get(..shown).unwrap_or_default().join(", ");
                        if entries.len() > shown {
                            line.push_str(&format!(
                                ", … and {} more (--format json lists all)",
                                entries.len() - shown
                            ));
                        }
                        body.push_str(&format!("  {level}: {line}\n"));
                    }
                    let (lines, n) = self.witness_lines(row, direction, WITNESS_LIMIT);
                    for line in &lines {
                        body.push_str(&format!("    why: {line}\n"));
                    }
                    if n > lines.len() {
                        body.push_str(&format!(
                            "    … and {} more (--format json lists all)\n",
                            n - lines.len()
                        ));
                    }
                    body
                });
                out.write_all(body.as_bytes())?;
            }
        }
        Ok(())
    }
    pub(super) fn markdown(&self, out: &mut dyn Write) -> std::io::Result<()> {
        write!(
            out,
            "### verdict diff\n\n`{}` → `{}` ({}; {} principals, {} actions compared)\n\n",
            self.old_label,
            self.new_label,
            self.catalogs("`"),
            self.n_compared,
            self.actions.len()
        )?;
        if self.principals.is_empty() {
            return writeln!(out, "**No changes.**");
        }
        write!(out, "**{}**\n\n", self.summary_line())?;
        writeln!(
            out,
            "| principal | status | gained | lost | gained by access level |"
        )?;
        writeln!(out, "|---|---|---:|---:|---|")?;
        for p in &self.principals {
            let row = self.row(p);
            let by_level: Vec<String> = LEVEL_ORDER
                .into_iter()
                .filter_map(|level| {
                    let n = row
                        .gained_by_level
                        .get(level.as_u8() as usize)
                        .copied()
                        .unwrap_or(0);
                    (n > 0).then(|| format!("{level} {n}"))
                })
                .collect();
            writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                p.name,
                p.status.word(),
                row.n_gained,
                row.n_lost,
                by_level.join(", ")
            )?;
        }
        writeln!(out)?;
        let mut bodies: HashMap<usize, String> = HashMap::new();
        for p in &self.principals {
            let row = self.row(p);
            if row.is_empty() {
                continue;
            }
            write!(
                out,
                "<details><summary><code>{}</code> ({}): +{} −{}</summary>\n\n",
                p.name,
                p.status.word(),
                row.n_gained,
                row.n_lost
            )?;
            let body = bodies.entry(p.row).or_insert_with(|| {
                let mut body = String::new();
                for (direction, title) in [
                    (Direction::Gained, "Gains"),
                    (Direction::Lost, "Loses"),
                    (Direction::DenyChanged, "Explicit deny changes"),
                ] {
                    if row.count(direction) == 0 {
                        continue;
                    }
                    body.push_str(&format!("**{title}**\n\n"));
                    for (level, entries) in self.grouped(row, direction) {
                        let entries: Vec<String> = entries.iter().map(|e| md_code(e)).collect();
                        body.push_str(&format!("- {level}: {}\n", entries.join(", ")));
                    }
                    let (lines, n) = self.witness_lines(row, direction, WITNESS_LIMIT);
                    if !lines.is_empty() {
                        body.push_str("\n```text\n");
                        for line in &lines {
                            body.push_str(&format!("{line}\n"));
                        }
                        if n > lines.len() {
                            body.push_str(&format!("… and {} more\n", n - lines.len()));
                        }
                        body.push_str("```\n");
                    }
                    body.push('\n');
                }
                body
            });
            out.write_all(body.as_bytes())?;
            write!(out, "</details>\n\n")?;
        }
        Ok(())
    }
    /// JSON with every change listed exactly; one principal per line, written
    /// as it is expanded.
    pub(super) fn json(
        &self,
        out: &mut dyn Write,
        fail_on: &[FailOn],
        matched: &[FailOn],
    ) -> std::io::Result<()> {
        use serde_json::json;
        let head = [
            (
                "old",
                json!({"path": self.old_label, "catalog": self.old_catalog}),
            ),
            (
                "new",
                json!({"path": self.new_label, "catalog": self.new_catalog}),
            ),
            (
                "summary",
                json!({
                    "principals_compared": self.n_compared,
                    "actions_compared": self.actions.len(),
                    "principals_changed": self.n_status(Status::Changed),
                    "principals_added": self.n_status(Status::Added),
                    "principals_removed": self.n_status(Status::Removed),
                    "gained": self.total(Direction::Gained),
                    "lost": self.total(Direction::Lost),
                    "deny_changed": self.total(Direction::DenyChanged),
                    "gained_undecided": self.n_undecided(),
                }),
            ),
            (
                "fail_on",
                json!(fail_on.iter().map(|f| f.describe()).collect::<Vec<_>>()),
            ),
            (
                "failed",
                json!(matched.iter().map(|f| f.describe()).collect::<Vec<_>>()),
            ),
        ];
        writeln!(out, "{{")?;
        for (key, value) in head {
            writeln!(out, "  \"{key}\": {value},")?;
        }
        write!(out, "  \"principals\": [")?;
        for (i, p) in self.principals.iter().enumerate() {
            let row = self.row(p);
            let change = |c: &Change<'_>| {
                let mut value = json!({
                    "action": c.action.name,
                    "access": c.action.access.as_str(),
                    "before": c.before.to_string(),
                    "after": c.after.to_string(),
                });
                match &c.evidence {
                    Evidence::Cells => {}
                    Evidence::Witness(w) => {
                        let mut witness = request_json(&w.request);
                        witness["before"] = json!(w.before.to_string());
                        witness["after"] = json!(w.after.to_string());
                        value["witness"] = witness;
                    }
                    Evidence::Undecided(why) => value["undecided"] = json!(why.as_ref()),
                }
                if c.before == Cell::Conditional || c.after == Cell::Conditional {
                    value["before_condition"] = json!(self.condition(row, c.group, false));
                    value["after_condition"] = json!(self.condition(row, c.group, true));
                }
                value
            };
            let list = |d: Direction| -> Vec<serde_json::Value> {
                self.changes(row, d).iter().map(change).collect()
            };
            let value = json!({
                "principal": p.name,
                "status": p.status.word(),
                "gained": list(Direction::Gained),
                "lost": list(Direction::Lost),
                "deny_changed": list(Direction::DenyChanged),
            });
            write!(out, "{}\n    {value}", if i == 0 { "" } else { "," })?;
        }
        writeln!(out, "\n  ]\n}}")
    }
}

/// `chime:X` → `` `chime:X` ``; the count or note after it stays plain.
fn md_code(entry: &str) -> String {
    match entry.split_once(' ') {
        Some((name, rest)) => format!("`{name}` {rest}"),
        None => format!("`{entry}`"),
    }
}

/// The changes of one access level as short entries: `service:*` when a
/// principal gains or loses every action of the service at this level,
/// `service:Verb*` when it gains or loses every action of this level that
/// the pattern matches,
/// otherwise each action by name; changes with a note (`conditional`, `deny
/// added`, …) are summarised only with changes of the same note, which
/// follows the summary.
fn compact(
    changes: &[&Change<'_>],
    level: AccessLevel,
    index: &CatalogIndex,
    direction: Direction,
) -> Vec<String> {
    let mut entries = Vec::new();
    let mut by_service: Vec<(&str, Vec<&Change<'_>>)> = Vec::new();
    for &c in changes {
        let service = service_of(&c.action.name);
        match by_service.last_mut() {
            Some((s, list)) if *s == service => list.push(c),
            _ => by_service.push((service, vec![c])),
        }
    }
    // Services sorted by name (changes are sorted by action name already).
    by_service.sort_by(|a, b| a.0.cmp(b.0));
    for (service, list) in by_service {
        let total = index
            .by_service_level
            .get(&(service.to_string(), level))
            .copied()
            .unwrap_or(0);
        // Changes with the same note are summarised together; the note
        // follows the summary.
        let mut notes: Vec<Option<&'static str>> =
            list.iter().map(|c| note(c, direction)).collect();
        notes.sort();
        notes.dedup();
        let mut rest: Vec<&Change<'_>> = Vec::new();
        for wanted in notes {
            let same: Vec<&Change<'_>> = list
                .iter()
                .copied()
                .filter(|c| note(c, direction) == wanted)
                .collect();
            let tail = wanted.map_or(String::new(), |n| format!("; {n}"));
            if same.len() >= 3 && same.len() == total {
                entries.push(format!("{service}:* (every {level} action, {total}{tail})"));
                continue;
            }
            // Verb groups.
            let mut verbs: Vec<(&str, Vec<&Change<'_>>)> = Vec::new();
            for &c in &same {
                match verb_of(&c.action.name) {
                    Some(verb) => match verbs.iter_mut().find(|(v, _)| *v == verb) {
                        Some((_, members)) => members.push(c),
                        None => verbs.push((verb, vec![c])),
                    },
                    None => rest.push(c),
                }
            }
            for (verb, members) in verbs {
                let prefix = format!("{}:{}", service, verb).to_ascii_lowercase();
                if members.len() >= 3 && index.n_with_prefix(level, &prefix) == members.len() {
                    entries.push(format!("{service}:{verb}* ({}{tail})", members.len()));
                } else {
                    rest.extend(members);
                }
            }
        }
        rest.sort_by(|a, b| a.action.name.cmp(&b.action.name));
        entries.extend(rest.iter().map(|c| match note(c, direction) {
            Some(n) => format!("{} ({n})", c.action.name),
            None => c.action.name.clone(),
        }));
    }
    entries
}

/// What to say next to a change beyond its direction, if anything.
fn note(c: &Change<'_>, direction: Direction) -> Option<&'static str> {
    use Cell::{Allow, Conditional, Deny, ImplicitDeny};
    if matches!(c.evidence, Evidence::Undecided(_)) {
        return Some(match direction {
            Direction::Gained => "possible gain: could not decide",
            Direction::Lost => "possible loss: could not decide",
            Direction::DenyChanged => "possible deny change: could not decide",
        });
    }
    match (direction, c.before, c.after) {
        (Direction::Gained, Conditional, Conditional) => Some("condition widened"),
        (Direction::Gained, _, Conditional) => Some("conditional"),
        (Direction::Gained, Conditional, Allow) => Some("was conditional"),
        (Direction::Lost, Conditional, Conditional) => Some("condition narrowed"),
        (Direction::Lost, _, Conditional) => Some("now conditional"),
        (Direction::Lost, Conditional, _) => Some("was conditional"),
        (Direction::Lost, Allow, Deny) => Some("now denied"),
        (Direction::DenyChanged, ImplicitDeny, Deny) => Some("deny added"),
        (Direction::DenyChanged, Deny, ImplicitDeny) => Some("deny removed"),
        (Direction::DenyChanged, _, Conditional) => Some("deny under a condition"),
        (Direction::DenyChanged, Conditional, _) => Some("was a deny under a condition"),
        _ => None,
    }
}

/// A witness request in words: `resource *, aws:sourceip = "11.0.0.0"`.
fn request_words(request: &OwnedRequest) -> String {
    let mut words = format!("resource {}", request.resource);
    if request.context.is_empty() {
        words.push_str(", no context keys");
    }
    for (key, value) in request.context.iter() {
        match value {
            ContextValue::Single(v) => words.push_str(&format!(", {key} = {v:?}")),
            ContextValue::Multi(vs) => words.push_str(&format!(", {key} = {vs:?}")),
        }
    }
    words
}

/// A witness request as JSON.
fn request_json(request: &OwnedRequest) -> serde_json::Value {
    let context: serde_json::Map<String, serde_json::Value> = request
        .context
        .iter()
        .map(|(key, value)| {
            let value = match value {
                ContextValue::Single(v) => serde_json::json!(v),
                ContextValue::Multi(vs) => serde_json::json!(vs),
            };
            (key.to_string(), value)
        })
        .collect();
    serde_json::json!({"resource": request.resource, "context": context})
}
