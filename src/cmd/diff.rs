//! `verdict diff OLD NEW`: what a change grants and takes away, per
//! principal, grouped by access level, as text, JSON or Markdown, with a
//! `--fail-on` gate for pipelines.
//!
//! Each side is a table (a file starting with the table magic `VERDICT\0`) or
//! a source compiled on the fly (a `.vp` file, an IAM JSON policy or an
//! account dump, with `--catalog`). The two tables are compared by names,
//! never by ids: they may have different principals and different catalogs.
//!
//! This file is the comparison (a [`Report`] of row diffs and the queries
//! `--fail-on` asks of it); `diff/report.rs` puts the report in words,
//! Markdown and JSON.

/* Design note.

The comparison works on classes, not on cells. Actions are grouped by the
pair (old column class, new column class) — `None` where the action is
missing from one catalog — and principals by the pair (old row class, new
row class); one pair of row classes is compared once over the action groups,
and every principal with that pair shares the result. The cost is
distinct row pairs × distinct column pairs, not principals × actions.

A missing principal or action counts as `implicit-deny` on its missing side:
that is what the runtime answers for it (unknown names fail closed). So a new
principal gains everything it is allowed, and a removed one loses it all.

A pair of cells where either side is conditional is compared by its
programs, not its states (`verdict_runtime::outcome::compare`, an unconditional side
being the constant program): a gain is a request the new table allows and
the old does not, found by the runtime's witness search and checked with
`Table::check_with` on both tables for a principal and an action of the pair
before it is reported; a loss the reverse. A pair the search cannot decide
is reported as such and counts as a possible gain and a possible loss for
`--fail-on` (fail closed). A conditional cell that can never allow is never
a gain. Comparisons are cached per pair of programs. */

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use std::sync::Arc;

use verdict_runtime::outcome::{constant_residual, OwnedRequest, Verdict};
use verdict_runtime::parts::Residual;
use verdict_runtime::{AccessLevel, ActionId, Cell, Decision, PrincipalId, Table};

use crate::access::{level_rank, level_slug, parse_level, service_of};
use crate::args::{DiffArgs, DiffFormat};
use crate::cmd::Shown;
use crate::files::{open_table, path_text, write_output};
use crate::inputs::{is_table, Compiled, Pipeline, Run};
use crate::render::MessageFormat;
use crate::{CliError, CmdResult, Io, EXIT_DENY, EXIT_ERROR, EXIT_OK};

mod report;

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

/// The direction of a change between two unconditional cells.
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

/// Why a change is reported.
#[derive(Clone, Debug)]
enum Evidence {
    /// Two unconditional cells differ.
    Cells,
    /// A request, checked on both tables, that shows it.
    Witness(Arc<Witness>),
    /// The programs could not be compared: a possible change (fail closed).
    Undecided(Arc<str>),
}

/// A witness request and what each table decides for it.
#[derive(Debug)]
struct Witness {
    request: OwnedRequest,
    before: Decision,
    after: Decision,
}

/// One side of a cell pair, for comparison: a program of a table, or a
/// constant decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum SideKey {
    Constant(Decision),
    Residual(u32),
}

/// What a comparison of two sides found, per direction.
#[derive(Clone, Debug, Default)]
struct PairVerdict {
    gained: Option<Evidence>,
    lost: Option<Evidence>,
    deny_changed: Option<Evidence>,
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
    evidence: Evidence,
    /// The action group.
    group: usize,
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

/// The changes between one old row class and one new row class, per
/// action group: what every principal with this pair of rows gains and loses.
#[derive(Clone, Debug, Default)]
struct RowDiff {
    /// The old and new row classes.
    rows: ClassPair,
    /// The groups whose cells changed, with what changed.
    changed: Vec<GroupChange>,
    /// Gains and losses counted as possible because they could not be decided.
    n_undecided: usize,
    n_gained: usize,
    n_lost: usize,
    n_deny_changed: usize,
    /// Gained actions per access level (indexed by the level's byte value).
    gained_by_level: [usize; 6],
}

impl RowDiff {
    fn is_empty(&self) -> bool {
        self.changed.is_empty()
    }

    fn count(&self, direction: Direction) -> usize {
        match direction {
            Direction::Gained => self.n_gained,
            Direction::Lost => self.n_lost,
            Direction::DenyChanged => self.n_deny_changed,
        }
    }
}

/// How the cells of one action group changed for one pair of rows.
#[derive(Clone, Debug)]
struct GroupChange {
    group: usize,
    before: Cell,
    after: Cell,
    verdict: PairVerdict,
}

impl GroupChange {
    fn evidence(&self, direction: Direction) -> Option<&Evidence> {
        match direction {
            Direction::Gained => self.verdict.gained.as_ref(),
            Direction::Lost => self.verdict.lost.as_ref(),
            Direction::DenyChanged => self.verdict.deny_changed.as_ref(),
        }
    }
}

/// One principal of either table with changes (or added or removed).
struct PrincipalEntry {
    name: String,
    status: Status,
    /// Index into [`Report::rows`].
    row: usize,
}

/// The whole comparison, kept at class level: a principal points to the
/// [`RowDiff`] of its pair of rows, and action lists are expanded only while
/// writing, one principal at a time.
struct Report<'a> {
    old: &'a Table,
    new: &'a Table,
    /// The representative action (an index into `actions`) of each group.
    group_action: Vec<usize>,
    /// The (old, new) column classes of each group.
    group_keys: Vec<ClassPair>,
    old_label: String,
    new_label: String,
    old_catalog: String,
    new_catalog: String,
    n_compared: usize,
    actions: &'a [ActionInfo],
    /// Action indexes sorted by access level (in [`LEVEL_ORDER`]), then name.
    order: Vec<usize>,
    /// The action group of each action.
    group_of_action: Vec<usize>,
    n_groups: usize,
    rows: Vec<RowDiff>,
    principals: Vec<PrincipalEntry>,
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

/// Reads one side: a table by its magic, else a source compiled by the
/// pipeline with the shared options (the same for both sides).
fn load_side(
    path: &Path,
    pipeline: &Pipeline<'_>,
    format: MessageFormat,
    io: &mut Io<'_>,
) -> Result<Table, CliError> {
    if is_table(path) {
        return Ok(open_table(path)?);
    }
    let Compiled { out, .. } = pipeline.compile_quietly(
        &[path.to_path_buf()],
        Run::default(),
        EXIT_ERROR,
        format,
        io,
    )?;
    out.table
        .ok_or_else(|| CliError::from("internal error: a compile without errors made no table"))
}

/// A pair of classes, old and new; `None` where the name is missing from that table.
type ClassPair = (Option<u32>, Option<u32>);

/// Compares the two tables by names.
fn compare<'a>(
    old: &'a Table,
    new: &'a Table,
    actions: &'a [ActionInfo],
    old_label: String,
    new_label: String,
) -> Report<'a> {
    // Action groups by (old column class, new column class).
    let mut group_of: HashMap<ClassPair, usize> = HashMap::new();
    let mut group_keys: Vec<ClassPair> = Vec::new();
    let mut group_levels: Vec<[usize; 6]> = Vec::new();
    let mut group_action: Vec<usize> = Vec::new();
    let mut group_of_action = Vec::with_capacity(actions.len());
    for (i, info) in actions.iter().enumerate() {
        let old_col = old.action(&info.name).ok().map(|a| old.col_class(a));
        let new_col = if info.in_new {
            new.action(&info.name).ok().map(|a| new.col_class(a))
        } else {
            None
        };
        let key = (old_col, new_col);
        let next = group_keys.len();
        let g = *group_of.entry(key).or_insert_with(|| {
            group_keys.push(key);
            group_levels.push([0; 6]);
            group_action.push(i);
            next
        });
        if let Some(n) = group_levels
            .get_mut(g)
            .and_then(|levels| levels.get_mut(info.access.as_u8() as usize))
        {
            *n += 1;
        }
        group_of_action.push(g);
    }
    let group_size = |levels: &[usize; 6]| levels.iter().sum::<usize>();
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
    let mut comparer = Comparer {
        old,
        new,
        cache: HashMap::new(),
    };
    let mut row_of: HashMap<ClassPair, usize> = HashMap::new();
    let mut rows: Vec<RowDiff> = Vec::new();
    let mut principals = Vec::new();
    for &name in &names {
        let old_p = old_ids.get(name).copied();
        let new_p = new_ids.get(name).copied();
        let old_row = old_p.map(|p| old.row_class(p));
        let new_row = new_p.map(|p| new.row_class(p));
        let status = match (old_row, new_row) {
            (Some(_), Some(_)) => Status::Changed,
            (None, _) => Status::Added,
            (_, None) => Status::Removed,
        };
        let next = rows.len();
        let row = *row_of.entry((old_row, new_row)).or_insert_with(|| {
            let mut diff = RowDiff {
                rows: (old_row, new_row),
                ..RowDiff::default()
            };
            for (g, ((old_col, new_col), levels)) in
                group_keys.iter().zip(&group_levels).enumerate()
            {
                let before = cell(old, old_row, *old_col);
                let after = cell(new, new_row, *new_col);
                if before != Cell::Conditional && after != Cell::Conditional {
                    let Some(d) = direction(before, after) else {
                        continue;
                    };
                    let mut verdict = PairVerdict::default();
                    *verdict.slot(d) = Some(Evidence::Cells);
                    diff.add(g, before, after, verdict, levels, group_size(levels));
                    continue;
                }
                let old_side = side(old, old_row, *old_col, before);
                let new_side = side(new, new_row, *new_col, after);
                let info = group_action.get(g).and_then(|&i| actions.get(i));
                let ids = Ids {
                    old_p,
                    new_p,
                    old_a: info.and_then(|info| old.action(&info.name).ok()),
                    new_a: info
                        .filter(|info| info.in_new)
                        .and_then(|info| new.action(&info.name).ok()),
                };
                let verdict = comparer.compare(old_side, new_side, ids);
                if verdict.gained.is_none()
                    && verdict.lost.is_none()
                    && verdict.deny_changed.is_none()
                {
                    continue;
                }
                diff.add(g, before, after, verdict, levels, group_size(levels));
            }
            rows.push(diff);
            next
        });
        let unchanged = rows.get(row).is_none_or(RowDiff::is_empty);
        if status != Status::Changed || !unchanged {
            principals.push(PrincipalEntry {
                name: name.to_string(),
                status,
                row,
            });
        }
    }
    let mut order: Vec<usize> = (0..actions.len()).collect();
    order.sort_by(|&x, &y| {
        let key = |i: usize| {
            actions
                .get(i)
                .map(|a| (level_rank(a.access), a.name.as_str()))
        };
        key(x).cmp(&key(y))
    });
    Report {
        old,
        new,
        group_action,
        n_groups: group_keys.len(),
        group_keys,
        old_label,
        new_label,
        old_catalog: old.catalog().to_string(),
        new_catalog: new.catalog().to_string(),
        n_compared: names.len(),
        actions,
        order,
        group_of_action,
        rows,
        principals,
        old_index: CatalogIndex::of(old),
        new_index: CatalogIndex::of(new),
    }
}

/// One side of a cell pair with a conditional cell: its program, or the
/// constant of an unconditional cell.
fn side(table: &Table, row: Option<u32>, col: Option<u32>, cell: Cell) -> SideKey {
    match cell {
        Cell::Allow => SideKey::Constant(Decision::Allow),
        Cell::Deny => SideKey::Constant(Decision::Deny),
        Cell::ImplicitDeny => SideKey::Constant(Decision::ImplicitDeny),
        // A conditional cell without a program is impossible in a loaded
        // table; a check would answer Deny.
        Cell::Conditional => row
            .zip(col)
            .and_then(|(r, c)| table.residual_index(r, c))
            .map_or(SideKey::Constant(Decision::Deny), SideKey::Residual),
    }
}

/// A principal and an action on each side, to check witnesses with.
#[derive(Clone, Copy, Debug)]
struct Ids {
    old_p: Option<PrincipalId>,
    new_p: Option<PrincipalId>,
    old_a: Option<ActionId>,
    new_a: Option<ActionId>,
}

/// Compares pairs of programs, once each.
struct Comparer<'t> {
    old: &'t Table,
    new: &'t Table,
    cache: HashMap<(SideKey, SideKey), PairVerdict>,
}

impl PairVerdict {
    fn slot(&mut self, direction: Direction) -> &mut Option<Evidence> {
        match direction {
            Direction::Gained => &mut self.gained,
            Direction::Lost => &mut self.lost,
            Direction::DenyChanged => &mut self.deny_changed,
        }
    }
}

impl Comparer<'_> {
    fn compare(&mut self, old_side: SideKey, new_side: SideKey, ids: Ids) -> PairVerdict {
        if let Some(verdict) = self.cache.get(&(old_side, new_side)) {
            return verdict.clone();
        }
        let program = |table: &Table, key: SideKey| -> Residual {
            match key {
                SideKey::Constant(decision) => constant_residual(decision),
                SideKey::Residual(idx) => table
                    .residuals()
                    .get(idx as usize)
                    .cloned()
                    .unwrap_or_else(|| constant_residual(Decision::Deny)),
            }
        };
        let (old_program, new_program) = (program(self.old, old_side), program(self.new, new_side));
        let found =
            verdict_runtime::outcome::compare((self.old, &old_program), (self.new, &new_program));
        let mut out = PairVerdict::default();
        for (direction, verdict) in [
            (Direction::Gained, found.gain),
            (Direction::Lost, found.loss),
            (Direction::DenyChanged, found.deny_changed),
        ] {
            *out.slot(direction) = match verdict {
                Verdict::None => None,
                Verdict::Unknown(reason) => Some(Evidence::Undecided(reason.into())),
                Verdict::Witness(request) => Some(self.checked(direction, request, ids)),
            };
        }
        self.cache.insert((old_side, new_side), out.clone());
        out
    }

    /// The witness, checked end to end: each table's `check_with` for a
    /// principal and an action of the pair (a missing one is implicit-deny).
    fn checked(&self, direction: Direction, request: OwnedRequest, ids: Ids) -> Evidence {
        let decide = |table: &Table, p: Option<PrincipalId>, a: Option<ActionId>| match (p, a) {
            (Some(p), Some(a)) => table.check_with(p, a, &request.as_request()),
            _ => Decision::ImplicitDeny,
        };
        let before = decide(self.old, ids.old_p, ids.old_a);
        let after = decide(self.new, ids.new_p, ids.new_a);
        let holds = match direction {
            Direction::Gained => after == Decision::Allow && before != Decision::Allow,
            Direction::Lost => before == Decision::Allow && after != Decision::Allow,
            Direction::DenyChanged => {
                before != after && before != Decision::Allow && after != Decision::Allow
            }
        };
        if holds {
            Evidence::Witness(Arc::new(Witness {
                request,
                before,
                after,
            }))
        } else {
            Evidence::Undecided("the witness did not check on both tables".into())
        }
    }
}

impl RowDiff {
    fn add(
        &mut self,
        group: usize,
        before: Cell,
        after: Cell,
        verdict: PairVerdict,
        levels: &[usize; 6],
        n: usize,
    ) {
        // A deny change is reported only where nothing was gained or lost.
        let mut verdict = verdict;
        if verdict.gained.is_some() || verdict.lost.is_some() {
            verdict.deny_changed = None;
        }
        if let Some(evidence) = &verdict.gained {
            self.n_gained += n;
            for (total, add) in self.gained_by_level.iter_mut().zip(levels) {
                *total += add;
            }
            if matches!(evidence, Evidence::Undecided(_)) {
                self.n_undecided += n;
            }
        }
        if verdict.lost.is_some() {
            self.n_lost += n;
        }
        if verdict.deny_changed.is_some() {
            self.n_deny_changed += n;
        }
        self.changed.push(GroupChange {
            group,
            before,
            after,
            verdict,
        });
    }
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

/// Runs `verdict diff`: 0 no `--fail-on` condition matched, 1 one matched,
/// 2 errors.
pub(crate) fn run(args: DiffArgs, shown: Shown, io: &mut Io<'_>) -> CmdResult {
    let pipeline = Pipeline::new(&args.compile)?;
    if is_table(&args.old) && is_table(&args.new) {
        if let Some(option) = args.compile.first_given() {
            return Err(format!(
                "`{option}` applies to sides given as sources, and `{}` and `{}` are tables",
                args.old.display(),
                args.new.display()
            )
            .into());
        }
    }
    let old = load_side(&args.old, &pipeline, shown.format, io)?;
    let new = load_side(&args.new, &pipeline, shown.format, io)?;
    let actions = action_union(&old, &new);
    let report = compare(
        &old,
        &new,
        &actions,
        path_text(&args.old),
        path_text(&args.new),
    );
    let fail_on = &args.fail_on;
    let matched: Vec<FailOn> = fail_on
        .iter()
        .copied()
        .filter(|f| report.matches(*f))
        .collect();
    write_output(args.output.output.as_deref(), io, |out| match args.format {
        DiffFormat::Text => report.text(out),
        DiffFormat::Json => report.json(out, fail_on, &matched),
        DiffFormat::Markdown => report.markdown(out),
    })?;
    if matched.is_empty() {
        return Ok(EXIT_OK);
    }
    let words: Vec<String> = matched.iter().map(|f| f.describe()).collect();
    let _ = writeln!(io.stderr, "verdict diff: failing on {}", words.join(", "));
    Ok(EXIT_DENY)
}

impl<'a> Report<'a> {
    fn row(&self, p: &PrincipalEntry) -> &RowDiff {
        static EMPTY: RowDiff = RowDiff {
            rows: (None, None),
            changed: Vec::new(),
            n_undecided: 0,
            n_gained: 0,
            n_lost: 0,
            n_deny_changed: 0,
            gained_by_level: [0; 6],
        };
        self.rows.get(p.row).unwrap_or(&EMPTY)
    }
    /// The changes of one pair of rows in one direction, by access level and name.
    fn changes(&self, row: &RowDiff, direction_wanted: Direction) -> Vec<Change<'a>> {
        let mut by_group: Vec<Option<&GroupChange>> = vec![None; self.n_groups];
        for change in &row.changed {
            if change.evidence(direction_wanted).is_some() {
                if let Some(slot) = by_group.get_mut(change.group) {
                    *slot = Some(change);
                }
            }
        }
        self.order
            .iter()
            .filter_map(|&i| {
                let g = *self.group_of_action.get(i)?;
                let change = (*by_group.get(g)?)?;
                Some(Change {
                    action: self.actions.get(i)?,
                    before: change.before,
                    after: change.after,
                    evidence: change.evidence(direction_wanted)?.clone(),
                    group: g,
                })
            })
            .collect()
    }
    fn matches(&self, fail_on: FailOn) -> bool {
        self.principals.iter().any(|p| {
            let row = self.row(p);
            match fail_on {
                FailOn::Gained => row.n_gained > 0,
                FailOn::Lost => row.n_lost > 0,
                FailOn::Any => !row.is_empty(),
                FailOn::Level(level) => row.gained_by_level.get(level.as_u8() as usize) > Some(&0),
            }
        })
    }
    fn total(&self, direction: Direction) -> usize {
        self.principals
            .iter()
            .map(|p| self.row(p).count(direction))
            .sum()
    }
    fn n_undecided(&self) -> usize {
        self.principals
            .iter()
            .map(|p| self.row(p).n_undecided)
            .sum()
    }
    fn n_status(&self, status: Status) -> usize {
        self.principals
            .iter()
            .filter(|p| p.status == status)
            .count()
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
