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
use std::io::Write;
use std::path::Path;

use std::sync::Arc;

use verdict_runtime::outcome::{constant_residual, OwnedRequest, Verdict};
use verdict_runtime::parts::Residual;
use verdict_runtime::{AccessLevel, ActionId, Cell, ContextValue, Decision, PrincipalId, Table};

use crate::access::{level_rank, level_slug, parse_level, service_of, verb_of, LEVEL_ORDER};
use crate::render;
use crate::{MessageFormat, EXIT_DENY, EXIT_ERROR, EXIT_OK};

/// The table file magic; anything else is read as a source.
const TABLE_MAGIC: &[u8] = b"VERDICT\0";

/// Text output shows at most this many entries per principal and direction.
const TEXT_LIMIT: usize = 40;

/// Text and Markdown output show at most this many witnesses per principal
/// and direction.
const WITNESS_LIMIT: usize = 5;

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
    let config = verdict_compiler::Config {
        catalog,
        ..verdict_compiler::Config::default()
    };
    let mut loader = crate::FsLoader::new(config.limits.input_bytes);
    let out = verdict_compiler::compile(&[input], &config, &mut loader);
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
    crate::fsio::read_head(path, TABLE_MAGIC.len())
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
    let report = compare(
        &old,
        &new,
        &actions,
        crate::path_text(old_path),
        crate::path_text(new_path),
    );
    let matched: Vec<FailOn> = fail_on
        .iter()
        .copied()
        .filter(|f| report.matches(*f))
        .collect();
    let written = crate::write_output(output, io, |out| match diff_format {
        DiffFormat::Text => report.text(out),
        DiffFormat::Json => report.json(out, fail_on, &matched),
        DiffFormat::Markdown => report.markdown(out),
    });
    if let Err(why) = written {
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

    fn text(&self, out: &mut dyn Write) -> std::io::Result<()> {
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

    fn markdown(&self, out: &mut dyn Write) -> std::io::Result<()> {
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
    fn json(
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
