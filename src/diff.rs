//! `verdict diff OLD NEW`: what a change grants and takes away, per
//! principal, grouped by access level, as text, JSON or Markdown, with a
//! `--fail-on` gate for pipelines.
//!
//! Each side is a table (a file starting with the table magic `VERDICT\0`) or
//! a source compiled on the fly (a `.vp` file, an IAM JSON policy or an
//! account dump, with `--catalog`). The two tables are compared by names,
//! never by ids: they may have different principals and different catalogs.

/* Design note.

The comparison works on classes, not on cells. Actions are grouped by the
pair (old column class, new column class) — `None` where the action is
missing from one catalog — and principals by the pair (old row class, new
row class); one pair of row classes is compared once over the action groups,
and every principal with that pair shares the result. The cost is
distinct row pairs × distinct column pairs, not principals × actions.

A missing principal or action counts as `implicit-deny` on its missing side:
that is what the runtime answers for it (unknown names fail closed). So a new
principal gains everything it is allowed, and a removed one loses it all. */

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use verdict_runtime::{AccessLevel, Cell, PrincipalId, Table};

use crate::access::{level_rank, level_slug, parse_level, service_of, verb_of, LEVEL_ORDER};
use crate::render;
use crate::{MessageFormat, EXIT_DENY, EXIT_ERROR, EXIT_OK};

/// The table file magic; anything else is read as a source.
const TABLE_MAGIC: &[u8] = b"VERDICT\0";

/// Text output shows at most this many entries per principal and direction.
const TEXT_LIMIT: usize = 40;

/// `--format` of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Grouped lines for people.
    Text,
    /// Every change, exactly.
    Json,
    /// A summary table and details, for a pull-request comment.
    Markdown,
}

/// One `--fail-on` condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    /// Any principal gains any action.
    Gained,
    /// Any principal loses any action.
    Lost,
    /// Any cell changed (including explicit denies added or removed).
    Any,
    /// Any principal gains an action of this access level.
    Level(AccessLevel),
}

impl FailOn {
    /// `clap` value parser: `gained`, `lost`, `any` or an access level.
    pub fn parse(text: &str) -> Result<FailOn, String> {
        match text.to_ascii_lowercase().as_str() {
            "gained" => Ok(FailOn::Gained),
            "lost" => Ok(FailOn::Lost),
            "any" => Ok(FailOn::Any),
            _ => parse_level(text).map(FailOn::Level).ok_or_else(|| {
                format!(
                    "`{text}` is not `gained`, `lost`, `any` or an access level ({})",
                    crate::access::level_choices()
                )
            }),
        }
    }

    fn describe(self) -> String {
        match self {
            FailOn::Gained => "gained".to_string(),
            FailOn::Lost => "lost".to_string(),
            FailOn::Any => "any".to_string(),
            FailOn::Level(level) => level_slug(level),
        }
    }
}

/// Which way a cell moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Direction {
    /// Allowed now where it was not, or conditional now where it was denied.
    Gained,
    /// Allowed before and not now (or only conditionally), or conditional before and denied now.
    Lost,
    /// `deny` ↔ `implicit-deny`: still not allowed, but an explicit deny came or went.
    DenyChanged,
}

fn direction(before: Cell, after: Cell) -> Option<Direction> {
    use Cell::{Allow, Conditional, Deny, ImplicitDeny};
    match (before, after) {
        _ if before == after => None,
        (_, Allow) | (Deny | ImplicitDeny, Conditional) => Some(Direction::Gained),
        (Allow, _) | (Conditional, Deny | ImplicitDeny) => Some(Direction::Lost),
        (Deny, ImplicitDeny) | (ImplicitDeny, Deny) => Some(Direction::DenyChanged),
        // Unreachable: equal cells were handled above.
        _ => None,
    }
}

/// One action as both tables see it.
#[derive(Clone, Debug)]
struct ActionInfo {
    name: String,
    access: AccessLevel,
    /// The action is in the new table's catalog (else only in the old one).
    in_new: bool,
}

/// One changed cell.
#[derive(Clone, Debug)]
struct Change<'a> {
    action: &'a ActionInfo,
    before: Cell,
    after: Cell,
}

/// Whether the principal is in both tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Changed,
    Added,
    Removed,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Changed => "changed",
            Status::Added => "added",
            Status::Removed => "removed",
        }
    }
}

struct PrincipalDiff<'a> {
    name: String,
    status: Status,
    gained: Vec<Change<'a>>,
    lost: Vec<Change<'a>>,
    deny_changed: Vec<Change<'a>>,
}

impl PrincipalDiff<'_> {
    fn is_empty(&self) -> bool {
        self.gained.is_empty() && self.lost.is_empty() && self.deny_changed.is_empty()
    }
}

/// The whole comparison.
struct Report<'a> {
    old_label: String,
    new_label: String,
    old_catalog: String,
    new_catalog: String,
    n_compared: usize,
    n_actions: usize,
    principals: Vec<PrincipalDiff<'a>>,
    /// How many catalog actions share each (service, level) and each
    /// lowercase `service:verb` prefix, per side: for the wildcard summaries.
    old_index: CatalogIndex,
    new_index: CatalogIndex,
}

/// Counts of a table's catalog, for compact summaries.
#[derive(Default)]
struct CatalogIndex {
    by_service_level: HashMap<(String, AccessLevel), usize>,
    /// Lowercase `service:name` of each access level, sorted.
    sorted: HashMap<AccessLevel, Vec<String>>,
}

impl CatalogIndex {
    fn of(table: &Table) -> CatalogIndex {
        let mut index = CatalogIndex::default();
        for a in table.actions() {
            let name = table.action_name(a);
            *index
                .by_service_level
                .entry((service_of(name).to_string(), table.action_access(a)))
                .or_default() += 1;
            index
                .sorted
                .entry(table.action_access(a))
                .or_default()
                .push(name.to_ascii_lowercase());
        }
        for names in index.sorted.values_mut() {
            names.sort();
        }
        index
    }

    /// Actions of access level `level` whose name starts with `prefix`
    /// (lowercase `service:verb`), as the pattern `prefix*` would match them.
    fn n_with_prefix(&self, level: AccessLevel, prefix: &str) -> usize {
        let Some(sorted) = self.sorted.get(&level) else {
            return 0;
        };
        let start = sorted.partition_point(|n| n.as_str() < prefix);
        sorted
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|n| n.starts_with(prefix))
            .count()
    }
}

/// Reads one side: a table by its magic, else a source compiled with `catalog`.
fn load_side(
    path: &Path,
    catalog: &str,
    format: MessageFormat,
    io: &mut crate::Io<'_>,
) -> Result<Table, String> {
    let head = read_head(path).map_err(|why| format!("cannot read `{}`: {why}", path.display()))?;
    if head.starts_with(TABLE_MAGIC) {
        return crate::open_table(path);
    }
    let catalog = crate::load_catalog(catalog)?;
    let input = verdict_compiler::Input::auto(crate::path_text(path));
    let config = verdict_compiler::Config { catalog };
    let out = verdict_compiler::compile(&[input], &config, &mut crate::FsLoader);
    let errors: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    render::diagnostics(io, format, &out.sources, &errors);
    out.table.ok_or_else(|| {
        format!(
            "cannot compile `{}`: {} error(s)",
            path.display(),
            errors.len()
        )
    })
}

fn read_head(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| crate::io_reason(&e))?;
    let mut head = vec![0; TABLE_MAGIC.len()];
    let mut filled = 0;
    while filled < head.len() {
        let n = file
            .read(head.get_mut(filled..).unwrap_or_default())
            .map_err(|e| crate::io_reason(&e))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    head.truncate(filled);
    Ok(head)
}

/// A pair of classes, old and new; `None` where the name is missing from that table.
type ClassPair = (Option<u32>, Option<u32>);

/// Compares the two tables by names.
fn compare<'a>(old: &Table, new: &Table, actions: &'a [ActionInfo]) -> Vec<PrincipalDiff<'a>> {
    // Action groups by (old column class, new column class).
    let mut group_of: HashMap<ClassPair, usize> = HashMap::new();
    let mut groups: Vec<(ClassPair, Vec<usize>)> = Vec::new();
    for (idx, info) in actions.iter().enumerate() {
        let old_col = old.action(&info.name).ok().map(|a| old.col_class(a));
        let new_col = if info.in_new {
            new.action(&info.name).ok().map(|a| new.col_class(a))
        } else {
            None
        };
        let key = (old_col, new_col);
        let next = groups.len();
        let g = *group_of.entry(key).or_insert_with(|| {
            groups.push((key, Vec::new()));
            next
        });
        if let Some((_, members)) = groups.get_mut(g) {
            members.push(idx);
        }
    }
    // Principals by name, in name order.
    let old_ids: HashMap<&str, PrincipalId> = old
        .principals()
        .map(|p| (old.principal_name(p), p))
        .collect();
    let new_ids: HashMap<&str, PrincipalId> = new
        .principals()
        .map(|p| (new.principal_name(p), p))
        .collect();
    let names: BTreeSet<&str> = old_ids.keys().chain(new_ids.keys()).copied().collect();
    let cell = |table: &Table, row: Option<u32>, col: Option<u32>| match (row, col) {
        (Some(r), Some(c)) => table.class_cell(r, c),
        _ => Cell::ImplicitDeny,
    };
    // (old row, new row) → changed action groups with their cells.
    let mut memo: HashMap<ClassPair, Vec<(usize, Cell, Cell)>> = HashMap::new();
    let mut out = Vec::new();
    for name in names {
        let old_row = old_ids.get(name).map(|&p| old.row_class(p));
        let new_row = new_ids.get(name).map(|&p| new.row_class(p));
        let status = match (old_row, new_row) {
            (Some(_), Some(_)) => Status::Changed,
            (None, _) => Status::Added,
            (_, None) => Status::Removed,
        };
        let changed = memo.entry((old_row, new_row)).or_insert_with(|| {
            groups
                .iter()
                .enumerate()
                .filter_map(|(g, ((old_col, new_col), _))| {
                    let before = cell(old, old_row, *old_col);
                    let after = cell(new, new_row, *new_col);
                    (before != after).then_some((g, before, after))
                })
                .collect()
        });
        let mut diff = PrincipalDiff {
            name: name.to_string(),
            status,
            gained: Vec::new(),
            lost: Vec::new(),
            deny_changed: Vec::new(),
        };
        for &(g, before, after) in changed.iter() {
            let Some(list) = direction(before, after).map(|d| match d {
                Direction::Gained => &mut diff.gained,
                Direction::Lost => &mut diff.lost,
                Direction::DenyChanged => &mut diff.deny_changed,
            }) else {
                continue;
            };
            for &idx in groups.get(g).map(|(_, m)| m.as_slice()).unwrap_or_default() {
                if let Some(action) = actions.get(idx) {
                    list.push(Change {
                        action,
                        before,
                        after,
                    });
                }
            }
        }
        for list in [&mut diff.gained, &mut diff.lost, &mut diff.deny_changed] {
            list.sort_by(|a, b| {
                (level_rank(a.action.access), &a.action.name)
                    .cmp(&(level_rank(b.action.access), &b.action.name))
            });
        }
        if status != Status::Changed || !diff.is_empty() {
            out.push(diff);
        }
    }
    out
}

/// Every action of either catalog, the new one's first, with the new
/// one's access level where it has the action.
fn action_union(old: &Table, new: &Table) -> Vec<ActionInfo> {
    let mut actions: Vec<ActionInfo> = new
        .actions()
        .map(|a| ActionInfo {
            name: new.action_name(a).to_string(),
            access: new.action_access(a),
            in_new: true,
        })
        .collect();
    actions.extend(
        old.actions()
            .filter(|&a| new.action(old.action_name(a)).is_err())
            .map(|a| ActionInfo {
                name: old.action_name(a).to_string(),
                access: old.action_access(a),
                in_new: false,
            }),
    );
    actions
}

/// Runs `verdict diff`.
#[expect(
    clippy::too_many_arguments,
    reason = "one parameter per command-line option"
)]
pub fn run(
    old_path: &Path,
    new_path: &Path,
    catalog: &str,
    diff_format: DiffFormat,
    fail_on: &[FailOn],
    output: Option<&Path>,
    format: MessageFormat,
    io: &mut crate::Io<'_>,
) -> i32 {
    let tables = load_side(old_path, catalog, format, io)
        .and_then(|old| Ok((old, load_side(new_path, catalog, format, io)?)));
    let (old, new) = match tables {
        Ok(pair) => pair,
        Err(why) => {
            render::plain_error(io, format, &why);
            return EXIT_ERROR;
        }
    };
    let actions = action_union(&old, &new);
    let principals = compare(&old, &new, &actions);
    let n_compared = old
        .principals()
        .map(|p| old.principal_name(p))
        .chain(new.principals().map(|p| new.principal_name(p)))
        .collect::<BTreeSet<_>>()
        .len();
    let report = Report {
        old_label: crate::path_text(old_path),
        new_label: crate::path_text(new_path),
        old_catalog: old.catalog().to_string(),
        new_catalog: new.catalog().to_string(),
        n_compared,
        n_actions: actions.len(),
        principals,
        old_index: CatalogIndex::of(&old),
        new_index: CatalogIndex::of(&new),
    };
    let matched: Vec<FailOn> = fail_on
        .iter()
        .copied()
        .filter(|f| report.matches(*f))
        .collect();
    let text = match diff_format {
        DiffFormat::Text => report.text(),
        DiffFormat::Json => format!("{:#}\n", report.json(fail_on, &matched)),
        DiffFormat::Markdown => report.markdown(),
    };
    if let Err(why) = crate::write_output(output, text.as_bytes(), io) {
        render::plain_error(io, format, &why);
        return EXIT_ERROR;
    }
    if matched.is_empty() {
        return EXIT_OK;
    }
    let words: Vec<String> = matched.iter().map(|f| f.describe()).collect();
    let _ = writeln!(io.stderr, "verdict diff: failing on {}", words.join(", "));
    EXIT_DENY
}

impl Report<'_> {
    fn matches(&self, fail_on: FailOn) -> bool {
        self.principals.iter().any(|p| match fail_on {
            FailOn::Gained => !p.gained.is_empty(),
            FailOn::Lost => !p.lost.is_empty(),
            FailOn::Any => !p.is_empty(),
            FailOn::Level(level) => p.gained.iter().any(|c| c.action.access == level),
        })
    }

    fn totals(&self) -> (usize, usize, usize, usize) {
        let count = |s: Status| self.principals.iter().filter(|p| p.status == s).count();
        (
            count(Status::Changed),
            count(Status::Added),
            count(Status::Removed),
            self.principals.iter().map(|p| p.gained.len()).sum(),
        )
    }

    fn header(&self) -> String {
        let catalogs = if self.old_catalog == self.new_catalog {
            format!("catalog {}", self.new_catalog)
        } else {
            format!("catalog {} → {}", self.old_catalog, self.new_catalog)
        };
        format!(
            "{} → {} ({catalogs}; {} principals, {} actions compared)",
            self.old_label, self.new_label, self.n_compared, self.n_actions
        )
    }

    fn summary_line(&self) -> String {
        let (changed, added, removed, gained) = self.totals();
        let lost: usize = self.principals.iter().map(|p| p.lost.len()).sum();
        let denies: usize = self.principals.iter().map(|p| p.deny_changed.len()).sum();
        let mut line = format!(
            "{changed} principal(s) changed, {added} added, {removed} removed; {gained} action grant(s) gained, {lost} lost"
        );
        if denies > 0 {
            line.push_str(&format!(", {denies} explicit deny change(s)"));
        }
        line
    }

    /// The compact summary of changes: per access level, the entries of
    /// [`Report::compact`] joined by commas.
    fn grouped(
        &self,
        changes: &[Change<'_>],
        direction: Direction,
    ) -> Vec<(AccessLevel, Vec<String>)> {
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

    fn text(&self) -> String {
        let mut out = format!("verdict diff: {}\n", self.header());
        if self.principals.is_empty() {
            out.push_str("no changes\n");
            return out;
        }
        out.push_str(&self.summary_line());
        out.push('\n');
        for p in &self.principals {
            let tag = match p.status {
                Status::Changed => String::new(),
                Status::Added => " (new principal)".to_string(),
                Status::Removed => " (removed principal)".to_string(),
            };
            if p.is_empty() {
                out.push_str(&format!(
                    "\n{}{tag}: no actions allowed before or after\n",
                    p.name
                ));
                continue;
            }
            for (changes, direction, verb) in [
                (&p.gained, Direction::Gained, "gains"),
                (&p.lost, Direction::Lost, "loses"),
                (
                    &p.deny_changed,
                    Direction::DenyChanged,
                    "has explicit deny changes on",
                ),
            ] {
                if changes.is_empty() {
                    continue;
                }
                out.push_str(&format!(
                    "\n{}{tag} {verb} {} action{}:\n",
                    p.name,
                    changes.len(),
                    if changes.len() == 1 { "" } else { "s" }
                ));
                for (level, entries) in self.grouped(changes, direction) {
                    let shown = entries.len().min(TEXT_LIMIT);
                    let mut line = entries.get(..shown).unwrap_or_default().join(", ");
                    if entries.len() > shown {
                        line.push_str(&format!(
                            ", … and {} more (--format json lists all)",
                            entries.len() - shown
                        ));
                    }
                    out.push_str(&format!("  {level}: {line}\n"));
                }
            }
        }
        out
    }

    fn markdown(&self) -> String {
        let mut out = format!(
            "### verdict diff\n\n`{}` → `{}` ({}; {} principals, {} actions compared)\n\n",
            self.old_label,
            self.new_label,
            if self.old_catalog == self.new_catalog {
                format!("catalog `{}`", self.new_catalog)
            } else {
                format!("catalog `{}` → `{}`", self.old_catalog, self.new_catalog)
            },
            self.n_compared,
            self.n_actions
        );
        if self.principals.is_empty() {
            out.push_str("**No changes.**\n");
            return out;
        }
        out.push_str(&format!("**{}**\n\n", self.summary_line()));
        out.push_str("| principal | status | gained | lost | gained by access level |\n");
        out.push_str("|---|---|---:|---:|---|\n");
        for p in &self.principals {
            let by_level: Vec<String> = LEVEL_ORDER
                .into_iter()
                .filter_map(|level| {
                    let n = p.gained.iter().filter(|c| c.action.access == level).count();
                    (n > 0).then(|| format!("{level} {n}"))
                })
                .collect();
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                p.name,
                p.status.word(),
                p.gained.len(),
                p.lost.len(),
                by_level.join(", ")
            ));
        }
        out.push('\n');
        for p in &self.principals {
            if p.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "<details><summary><code>{}</code> ({}): +{} −{}</summary>\n\n",
                p.name,
                p.status.word(),
                p.gained.len(),
                p.lost.len()
            ));
            for (changes, direction, title) in [
                (&p.gained, Direction::Gained, "Gains"),
                (&p.lost, Direction::Lost, "Loses"),
                (
                    &p.deny_changed,
                    Direction::DenyChanged,
                    "Explicit deny changes",
                ),
            ] {
                if changes.is_empty() {
                    continue;
                }
                out.push_str(&format!("**{title}**\n\n"));
                for (level, entries) in self.grouped(changes, direction) {
                    let entries: Vec<String> = entries.iter().map(|e| md_code(e)).collect();
                    out.push_str(&format!("- {level}: {}\n", entries.join(", ")));
                }
                out.push('\n');
            }
            out.push_str("</details>\n\n");
        }
        out
    }

    fn json(&self, fail_on: &[FailOn], matched: &[FailOn]) -> serde_json::Value {
        use serde_json::json;
        let change = |c: &Change<'_>| {
            json!({
                "action": c.action.name,
                "access": c.action.access.as_str(),
                "before": c.before.to_string(),
                "after": c.after.to_string(),
            })
        };
        let (changed, added, removed, gained) = self.totals();
        json!({
            "old": {"path": self.old_label, "catalog": self.old_catalog},
            "new": {"path": self.new_label, "catalog": self.new_catalog},
            "summary": {
                "principals_compared": self.n_compared,
                "actions_compared": self.n_actions,
                "principals_changed": changed,
                "principals_added": added,
                "principals_removed": removed,
                "gained": gained,
                "lost": self.principals.iter().map(|p| p.lost.len()).sum::<usize>(),
                "deny_changed": self.principals.iter().map(|p| p.deny_changed.len()).sum::<usize>(),
            },
            "fail_on": fail_on.iter().map(|f| f.describe()).collect::<Vec<_>>(),
            "failed": matched.iter().map(|f| f.describe()).collect::<Vec<_>>(),
            "principals": self.principals.iter().map(|p| json!({
                "principal": p.name,
                "status": p.status.word(),
                "gained": p.gained.iter().map(change).collect::<Vec<_>>(),
                "lost": p.lost.iter().map(change).collect::<Vec<_>>(),
                "deny_changed": p.deny_changed.iter().map(change).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
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
/// otherwise each action by name; cells that involve `conditional` or an
/// explicit deny are always listed by name with a note.
fn compact(
    changes: &[&Change<'_>],
    level: AccessLevel,
    index: &CatalogIndex,
    direction: Direction,
) -> Vec<String> {
    let plain = |c: &Change<'_>| note(c, direction).is_none();
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
        let plain_list: Vec<&Change<'_>> = list.iter().copied().filter(|c| plain(c)).collect();
        let total = index
            .by_service_level
            .get(&(service.to_string(), level))
            .copied()
            .unwrap_or(0);
        let mut rest: Vec<&Change<'_>> = list.iter().copied().filter(|c| !plain(c)).collect();
        if plain_list.len() >= 3 && plain_list.len() == total {
            entries.push(format!("{service}:* (every {level} action, {total})"));
        } else {
            // Verb groups.
            let mut verbs: Vec<(&str, Vec<&Change<'_>>)> = Vec::new();
            for &c in &plain_list {
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
                    entries.push(format!("{service}:{verb}* ({})", members.len()));
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
    match (direction, c.before, c.after) {
        (Direction::Gained, _, Conditional) => Some("conditional"),
        (Direction::Gained, Conditional, Allow) => Some("was conditional"),
        (Direction::Lost, _, Conditional) => Some("now conditional"),
        (Direction::Lost, Conditional, _) => Some("was conditional"),
        (Direction::Lost, Allow, Deny) => Some("now denied"),
        (Direction::DenyChanged, ImplicitDeny, Deny) => Some("deny added"),
        (Direction::DenyChanged, Deny, ImplicitDeny) => Some("deny removed"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use verdict_runtime::Cell::{Allow, Conditional, Deny, ImplicitDeny};

    #[test]
    fn directions() {
        assert_eq!(direction(ImplicitDeny, Allow), Some(Direction::Gained));
        assert_eq!(direction(Deny, Conditional), Some(Direction::Gained));
        assert_eq!(direction(Conditional, Allow), Some(Direction::Gained));
        assert_eq!(direction(Allow, Conditional), Some(Direction::Lost));
        assert_eq!(direction(Allow, Deny), Some(Direction::Lost));
        assert_eq!(direction(Conditional, ImplicitDeny), Some(Direction::Lost));
        assert_eq!(direction(Deny, ImplicitDeny), Some(Direction::DenyChanged));
        assert_eq!(direction(Allow, Allow), None);
    }

    #[test]
    fn fail_on_values() {
        assert_eq!(FailOn::parse("gained"), Ok(FailOn::Gained));
        assert_eq!(FailOn::parse("ANY"), Ok(FailOn::Any));
        assert_eq!(
            FailOn::parse("permissions-management"),
            Ok(FailOn::Level(AccessLevel::PermissionsManagement))
        );
        assert!(FailOn::parse("everything").is_err());
    }
}
