//! `verdict bench`: how fast is *this* table? Load time (read + `from_bytes`),
//! then random checks by names, by ids and on conditional cells, each as the
//! median ns/check over batches, against a plain hash map measured in the same
//! run. `verdict bench --generate` writes a synthetic organisation instead.
//!
//! Requests are deterministic by `--seed`; timings are not. No criterion here:
//! `std::time::Instant` and `std::hint::black_box` only, so the command works
//! in any release build of the CLI. Nothing here asserts on a timing.

/* Design notes.

Median over batches: each kind of check runs its request stream once as a
warm-up, then in batches of `BATCH` requests, each batch timed as a whole
(one `Instant::now()` pair per batch, so the clock costs well under 0.1 ns per
check). The reported figure is the median of the per-batch ns/check, which
ignores batches hit by an interrupt; checks/s is its reciprocal.

The hash-map baseline is keyed by `(String, String)` as a user would build it,
but looked up by `(&str, &str)` through `dyn NamePair` without allocating:
a baseline that allocated two strings per lookup would flatter the table. For
large tables the map covers a random subset of the principals (at most
`MAP_CELLS` cells), and the names stream of both contenders draws from that
subset, so the ratio compares like with like. */

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use serde_json::{json, Value};
use verdict_runtime::parts::{Atom, Part, Template};
use verdict_runtime::{
    ActionId, Cell, Context, ContextValue, Decision, PrincipalId, Request, Table,
};

use crate::synth::{Mix, Shape};
use crate::{render, Io, MessageFormat, EXIT_ERROR, EXIT_OK};

/// Requests per timed batch.
const BATCH: usize = 1024;
/// Most cells the hash-map baseline holds (about 130 MB).
const MAP_CELLS: usize = 1 << 20;
/// Load repetitions: at least this many...
const MIN_LOADS: usize = 5;
/// ...and more, up to `MAX_LOADS`, while the total is under `LOAD_BUDGET`.
const MAX_LOADS: usize = 101;
const LOAD_BUDGET: Duration = Duration::from_millis(500);
/// Upper bounds of `--checks` and of the `--generate` sizes.
const MAX_CHECKS: usize = 100_000_000;
const MAX_USERS: usize = 10_000_000;
const MAX_POLICIES: usize = 1_000_000;

/// `verdict bench` options.
#[derive(Args, Debug)]
pub(crate) struct BenchArgs {
    /// The table to measure.
    #[arg(required_unless_present = "generate", conflicts_with = "generate")]
    table: Option<PathBuf>,
    /// Random checks of each kind.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100_000,
        conflicts_with = "generate"
    )]
    checks: usize,
    /// Seed of the random requests (and of `--generate`).
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// Report as text or as one JSON object.
    #[arg(long, value_enum, default_value = "text", conflicts_with = "generate")]
    format: ReportFormat,
    /// Write a synthetic organisation (DSL) instead of measuring a table.
    #[arg(long, requires_all = ["users", "output"])]
    generate: bool,
    /// Users of the synthetic organisation.
    #[arg(long, value_name = "N", requires = "generate")]
    users: Option<usize>,
    /// Groups (default: policies / 5).
    #[arg(long, value_name = "G", requires = "generate")]
    groups: Option<usize>,
    /// Policies (default: users / 20, between 10 and 5,000).
    #[arg(long, value_name = "P", requires = "generate")]
    policies: Option<usize>,
    /// Roles (default: users / 100).
    #[arg(long, value_name = "R", requires = "generate")]
    roles: Option<usize>,
    /// Catalog the actions are drawn from: `chime` (default), `aws`, or a catalog file.
    #[arg(long, value_name = "NAME|FILE", requires = "generate")]
    catalog: Option<String>,
    /// Where to write the organisation (`-` for standard output).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        requires = "generate"
    )]
    output: Option<PathBuf>,
    /// Write the organisation as a one-line AWS account dump (JSON, account
    /// 123456789012) instead of DSL.
    #[arg(long, requires = "generate")]
    dump: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
}

pub(crate) fn run(args: BenchArgs, format: MessageFormat, io: &mut Io<'_>) -> i32 {
    let result = if args.generate {
        generate(&args, io)
    } else {
        match &args.table {
            Some(table) => measure(table, &args, io),
            None => Err("no table given".to_string()),
        }
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(why) => {
            render::plain_error(io, format, &why);
            EXIT_ERROR
        }
    }
}

fn generate(args: &BenchArgs, io: &mut Io<'_>) -> Result<(), String> {
    let users = args.users.unwrap_or_default();
    let policies = args.policies.unwrap_or((users / 20).clamp(10, 5_000));
    let groups = args.groups.unwrap_or((policies / 5).max(1));
    let roles = args.roles.unwrap_or(users / 100);
    if users.max(roles) > MAX_USERS || policies.max(groups) > MAX_POLICIES {
        return Err(format!(
            "organisation too large: at most {MAX_USERS} users or roles and {MAX_POLICIES} policies or groups"
        ));
    }
    let catalog = crate::load_catalog(args.catalog.as_deref().unwrap_or("chime"))?;
    let shape = Shape {
        users,
        roles,
        groups,
        policies,
        seed: args.seed,
    };
    let org = crate::synth::generate(shape, Mix::default(), &catalog);
    let text = if args.dump {
        org.to_dump("123456789012")
    } else {
        org.to_dsl()
    };
    let output = args.output.as_deref().unwrap_or(Path::new("-"));
    if output == Path::new("-") {
        return crate::closed_output(io.stdout.write_all(text.as_bytes()))
            .map_err(|e| format!("cannot write to standard output: {}", crate::io_reason(&e)));
    }
    crate::write_atomically(output, text.as_bytes())
        .map_err(|why| format!("cannot write `{}`: {why}", output.display()))?;
    let _ = writeln!(
        io.stderr,
        "generated {users} users, {roles} roles, {groups} groups, {policies} policies ({} catalog, seed {}) into `{}` ({} bytes)",
        catalog.name(),
        args.seed,
        output.display(),
        text.len()
    );
    Ok(())
}

/// A `(String, String)` map key that can be looked up by `(&str, &str)`.
trait NamePair {
    fn pair(&self) -> (&str, &str);
}

impl NamePair for (String, String) {
    fn pair(&self) -> (&str, &str) {
        (&self.0, &self.1)
    }
}

impl NamePair for (&str, &str) {
    fn pair(&self) -> (&str, &str) {
        (self.0, self.1)
    }
}

impl<'a> Borrow<dyn NamePair + 'a> for (String, String) {
    fn borrow(&self) -> &(dyn NamePair + 'a) {
        self
    }
}

impl Hash for dyn NamePair + '_ {
    // INVARIANT: hashes like `(String, String)` does (a tuple hashes its fields
    // in order, a `String` like its `str`), as `Borrow` requires.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.pair().hash(state);
    }
}

impl PartialEq for dyn NamePair + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.pair() == other.pair()
    }
}

impl Eq for dyn NamePair + '_ {}

/// The request generator (SplitMix64), separate from `synth`'s so the two can
/// change independently.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

/// The median of `values` (the upper one for an even count); 0 when empty.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// One measured kind of check.
#[derive(Clone, Debug, Default)]
struct Timing {
    /// Median over batches, in ns per check.
    ns_per_check: f64,
    /// Answers of the timed stream, indexed by `decision_index`.
    decisions: [usize; 3],
    n_checks: usize,
}

impl Timing {
    fn checks_per_s(&self) -> f64 {
        if self.ns_per_check > 0.0 {
            1e9 / self.ns_per_check
        } else {
            0.0
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "checks": self.n_checks,
            "median_ns_per_check": round2(self.ns_per_check),
            "checks_per_s": self.checks_per_s().round(),
            "decisions": {
                "allow": self.decisions[0],
                "deny": self.decisions[1],
                "implicit-deny": self.decisions[2],
            },
        })
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn decision_index(d: Decision) -> usize {
    match d {
        Decision::Allow => 0,
        Decision::Deny => 1,
        Decision::ImplicitDeny => 2,
    }
}

fn cell_decision(c: Cell) -> Decision {
    match c {
        Cell::Allow => Decision::Allow,
        Cell::ImplicitDeny => Decision::ImplicitDeny,
        // A conditional cell, asked by ids, is not an allow.
        Cell::Deny | Cell::Conditional => Decision::Deny,
    }
}

/// Times `check` over `items`: one warm-up pass, then batches; see the design note.
fn time_checks<T>(items: &[T], mut check: impl FnMut(&T) -> Decision) -> Timing {
    for item in items {
        black_box(check(black_box(item)));
    }
    let mut per_batch = Vec::with_capacity(items.len() / BATCH + 1);
    let mut decisions = [0usize; 3];
    for batch in items.chunks(BATCH) {
        let start = Instant::now();
        for item in batch {
            let d = check(black_box(item));
            decisions[decision_index(black_box(d))] += 1;
        }
        let elapsed = start.elapsed();
        per_batch.push(elapsed.as_nanos() as f64 / batch.len() as f64);
    }
    Timing {
        ns_per_check: median(&mut per_batch),
        decisions,
        n_checks: items.len(),
    }
}

/// Load time: median of several (read + `from_bytes`), and its parts.
struct LoadTiming {
    runs: usize,
    total_ns: f64,
    read_ns: f64,
    from_bytes_ns: f64,
}

fn time_load(path: &Path) -> Result<(Table, LoadTiming), String> {
    let load_error = |why: String| format!("cannot load table `{}`: {why}", path.display());
    let mut total = Vec::new();
    let mut read = Vec::new();
    let mut decode = Vec::new();
    let budget = Instant::now();
    let mut table = None;
    while total.len() < MIN_LOADS || (total.len() < MAX_LOADS && budget.elapsed() < LOAD_BUDGET) {
        let start = Instant::now();
        let limit = usize::try_from(verdict_runtime::MAX_TABLE_BYTES).unwrap_or(usize::MAX);
        let bytes = crate::fsio::read_bounded(path, limit).map_err(|e| load_error(e.reason("")))?;
        let after_read = Instant::now();
        let loaded = Table::from_bytes(black_box(&bytes)).map_err(|e| load_error(e.to_string()))?;
        let end = Instant::now();
        read.push((after_read - start).as_nanos() as f64);
        decode.push((end - after_read).as_nanos() as f64);
        total.push((end - start).as_nanos() as f64);
        table = Some(black_box(loaded));
    }
    let table = table.ok_or_else(|| load_error("no load ran".to_string()))?;
    let timing = LoadTiming {
        runs: total.len(),
        total_ns: median(&mut total),
        read_ns: median(&mut read),
        from_bytes_ns: median(&mut decode),
    };
    Ok((table, timing))
}

/// What can be said about the conditional cells.
enum Conditional {
    /// The table has none.
    None,
    Measured {
        timing: Timing,
        n_cells: usize,
        /// Conditional class cells whose outcome set holds `allow`.
        n_may_allow: usize,
        n_contexts: usize,
    },
}

/// Text of a template with every variable and wildcard replaced by `x`.
fn sample_text(template: &Template) -> String {
    template
        .0
        .iter()
        .map(|part| match part {
            Part::Text(text) => text.replace(['*', '?'], "x"),
            Part::Literal(text) => text.clone(),
            Part::Var { default, .. } => default.clone().unwrap_or_else(|| "x".to_string()),
        })
        .collect()
}

/// Resources and contexts for conditional checks, from the table's own atoms:
/// `*` and an empty context come first, then resources made from the resource
/// patterns and contexts that set a random subset of the condition keys to one
/// of their policy values or to a random token.
fn request_pool(table: &Table, rng: &mut Rng) -> (Vec<String>, Vec<Context>) {
    let mut resources = vec![
        "*".to_string(),
        "arn:aws:chime::123456789012:meeting/x".to_string(),
    ];
    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
    for atom in table.atoms() {
        if let Atom::Resource { patterns, .. } = atom {
            resources.extend(patterns.iter().map(sample_text));
        }
        if let Atom::Condition(condition) = atom {
            match &condition.fixed {
                // The key is not read: the variables are, and the fixed value
                // makes them match.
                Some(fixed) => {
                    for part in condition.values.iter().flat_map(|t| &t.0) {
                        if let Part::Var { key, .. } = part {
                            keys.push((key.clone(), vec![fixed.clone()]));
                        }
                    }
                }
                None => {
                    let values = condition.values.iter().map(sample_text).collect();
                    keys.push((condition.key.clone(), values));
                }
            }
        }
    }
    resources.sort();
    resources.dedup();
    let mut contexts = vec![Context::new()];
    if !keys.is_empty() {
        for _ in 0..63 {
            let mut context = Context::new();
            for (key, values) in &keys {
                if rng.below(2) == 0 {
                    continue;
                }
                let value = match rng.pick(values) {
                    Some(v) if rng.below(4) != 0 => v.clone(),
                    _ => format!("v{}", rng.below(1000)),
                };
                let value = if rng.below(5) == 0 {
                    ContextValue::Multi(vec![value, format!("v{}", rng.below(1000))])
                } else {
                    ContextValue::Single(value)
                };
                context.insert(key.clone(), value);
            }
            contexts.push(context);
        }
    }
    (resources, contexts)
}

fn time_conditional(table: &Table, n_checks: usize, rng: &mut Rng) -> Conditional {
    let cells: Vec<(u32, u32)> = table.conditional_cells().map(|(r, c, _)| (r, c)).collect();
    if cells.is_empty() {
        return Conditional::None;
    }
    let mut by_row: HashMap<u32, Vec<PrincipalId>> = HashMap::new();
    for p in table.principals() {
        by_row.entry(table.row_class(p)).or_default().push(p);
    }
    let mut by_col: HashMap<u32, Vec<ActionId>> = HashMap::new();
    for a in table.actions() {
        by_col.entry(table.col_class(a)).or_default().push(a);
    }
    let (mut resources, mut contexts) = request_pool(table, rng);
    // The witnesses of each residual's outcomes (a bounded number of them),
    // so that every decision a cell can give is among the checks.
    for id in (0..table.n_residuals() as u32).take(64) {
        for decision in [Decision::Allow, Decision::Deny, Decision::ImplicitDeny] {
            if let Some(witness) = table.residual_witness(id, decision) {
                resources.push(witness.resource);
                contexts.push(witness.context);
            }
        }
    }
    let n_may_allow = table
        .conditional_cells()
        .filter(|&(_, _, id)| table.residual_outcomes(id).may_allow())
        .count();
    let mut requests = Vec::with_capacity(n_checks);
    while requests.len() < n_checks {
        let Some(&(row, col)) = rng.pick(&cells) else {
            break;
        };
        let p = by_row.get(&row).and_then(|ps| rng.pick(ps));
        let a = by_col.get(&col).and_then(|actions| rng.pick(actions));
        // A class cell whose row or column no principal or action uses is skipped.
        if let (Some(&p), Some(&a)) = (p, a) {
            let resource = rng.pick(&resources).map_or("*", String::as_str);
            if let Some(context) = rng.pick(&contexts) {
                requests.push((p, a, resource, context));
            }
        }
    }
    let timing = time_checks(&requests, |&(p, a, resource, context)| {
        table.check_with(p, a, &Request { resource, context })
    });
    Conditional::Measured {
        timing,
        n_cells: cells.len(),
        n_may_allow,
        n_contexts: contexts.len(),
    }
}

fn measure(path: &Path, args: &BenchArgs, io: &mut Io<'_>) -> Result<(), String> {
    if args.checks == 0 || args.checks > MAX_CHECKS {
        return Err(format!("--checks must be between 1 and {MAX_CHECKS}"));
    }
    let (table, load) = time_load(path)?;
    let n_principals = table.n_principals();
    let n_actions = table.n_actions();
    if n_principals == 0 || n_actions == 0 {
        return Err(format!(
            "table `{}` has no principals or no actions: nothing to check",
            path.display()
        ));
    }
    let mut rng = Rng(args.seed);

    // The principals the names stream (and the hash map) draw from.
    let map_principals: Vec<PrincipalId> = if n_principals.saturating_mul(n_actions) <= MAP_CELLS {
        table.principals().collect()
    } else {
        let keep = (MAP_CELLS / n_actions).max(1);
        let mut all: Vec<PrincipalId> = table.principals().collect();
        // A partial Fisher–Yates shuffle: the first `keep` are a random subset.
        for i in 0..keep.min(all.len()) {
            let j = i + rng.below(all.len() - i);
            all.swap(i, j);
        }
        all.truncate(keep);
        all
    };
    let names: Vec<(String, String)> = (0..args.checks)
        .filter_map(|_| {
            let p = rng.pick(&map_principals).copied()?;
            let a = table.action_at(rng.below(n_actions) as u32)?;
            Some((
                table.principal_name(p).to_string(),
                table.action_name(a).to_string(),
            ))
        })
        .collect();
    let ids: Vec<(PrincipalId, ActionId)> = (0..args.checks)
        .filter_map(|_| {
            Some((
                table.principal_at(rng.below(n_principals) as u32)?,
                table.action_at(rng.below(n_actions) as u32)?,
            ))
        })
        .collect();

    let by_names = time_checks(&names, |(p, a)| table.check(p, a).unwrap_or(Decision::Deny));
    let by_ids = time_checks(&ids, |&(p, a)| cell_decision(table.cell(p, a)));
    let conditional = time_conditional(&table, args.checks, &mut rng);

    let build = Instant::now();
    let mut map: HashMap<(String, String), Decision> =
        HashMap::with_capacity(map_principals.len() * n_actions);
    for &p in &map_principals {
        for a in table.actions() {
            // What `check` by names answers: no resource, empty context.
            let decision = table.check_with(p, a, &Request::default());
            let key = (
                table.principal_name(p).to_string(),
                table.action_name(a).to_string(),
            );
            map.insert(key, decision);
        }
    }
    let map_build = build.elapsed();
    let by_map = time_checks(&names, |(p, a)| {
        let key: &dyn NamePair = &(p.as_str(), a.as_str());
        map.get(key).copied().unwrap_or(Decision::Deny)
    });

    let report = Report {
        path,
        table: &table,
        seed: args.seed,
        load,
        by_names,
        by_ids,
        conditional,
        by_map,
        map_principals: map_principals.len(),
        map_build,
    };
    let written = match args.format {
        ReportFormat::Text => report.write_text(io.stdout),
        ReportFormat::Json => writeln!(io.stdout, "{}", report.to_json()),
    };
    crate::closed_output(written)
        .map_err(|e| format!("cannot write the report: {}", crate::io_reason(&e)))
}

struct Report<'a> {
    path: &'a Path,
    table: &'a Table,
    seed: u64,
    load: LoadTiming,
    by_names: Timing,
    by_ids: Timing,
    conditional: Conditional,
    by_map: Timing,
    map_principals: usize,
    map_build: Duration,
}

/// `b / a`, or 0 when `a` is 0.
fn ratio(b: f64, a: f64) -> f64 {
    if a > 0.0 {
        b / a
    } else {
        0.0
    }
}

impl Report<'_> {
    fn to_json(&self) -> Value {
        let conditional = match &self.conditional {
            Conditional::None => json!({
                "measured": false,
                "reason": "the table has no conditional cells",
            }),
            Conditional::Measured {
                timing,
                n_cells,
                n_may_allow,
                n_contexts,
            } => {
                let mut value = timing.to_json();
                value["measured"] = json!(true);
                value["class_cells"] = json!(n_cells);
                value["class_cells_may_allow"] = json!(n_may_allow);
                value["contexts"] = json!(n_contexts);
                value
            }
        };
        json!({
            "table": self.path.display().to_string(),
            "format_version": self.table.format_version(),
            "bytes": self.table.byte_len(),
            "principals": self.table.n_principals(),
            "actions": self.table.n_actions(),
            "seed": self.seed,
            "batch": BATCH,
            "load": {
                "runs": self.load.runs,
                "median_ns": self.load.total_ns.round(),
                "read_median_ns": self.load.read_ns.round(),
                "from_bytes_median_ns": self.load.from_bytes_ns.round(),
            },
            "by_names": self.by_names.to_json(),
            "by_ids": self.by_ids.to_json(),
            "conditional": conditional,
            "hashmap_names": {
                "principals": self.map_principals,
                "entries": self.map_principals * self.table.n_actions(),
                "build_ns": self.map_build.as_nanos() as f64,
                "timing": self.by_map.to_json(),
                "ratio_to_by_names": round2(ratio(self.by_map.ns_per_check, self.by_names.ns_per_check)),
            },
        })
    }

    fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let t = self.table;
        writeln!(
            out,
            "table: {} ({} principals × {} actions, {} bytes, format version {})",
            self.path.display(),
            t.n_principals(),
            t.n_actions(),
            t.byte_len(),
            t.format_version()
        )?;
        writeln!(
            out,
            "load (read + from_bytes), median of {}: {} (read {}, from_bytes {})",
            self.load.runs,
            duration_text(self.load.total_ns),
            duration_text(self.load.read_ns),
            duration_text(self.load.from_bytes_ns)
        )?;
        writeln!(
            out,
            "checks: {} random requests per kind, seed {}; median over batches of {BATCH}",
            self.by_names.n_checks, self.seed
        )?;
        let line = |out: &mut dyn Write, what: &str, timing: &Timing| {
            writeln!(
                out,
                "  {what:<36} {:>9.1} ns/check {:>10} checks/s",
                timing.ns_per_check,
                rate_text(timing.checks_per_s())
            )
        };
        line(out, "by names (check)", &self.by_names)?;
        line(out, "by ids (check_ids)", &self.by_ids)?;
        match &self.conditional {
            Conditional::None => writeln!(
                out,
                "  {:<36} none: the table has no conditional cells",
                "conditional (check_with)"
            )?,
            Conditional::Measured {
                timing,
                n_cells,
                n_may_allow,
                n_contexts,
            } => {
                line(out, "conditional (check_with)", timing)?;
                writeln!(
                    out,
                    "  {:<36} over {n_cells} conditional class cells ({n_may_allow} can allow), {n_contexts} contexts (one empty, witnesses of each outcome)",
                    ""
                )?;
            }
        }
        line(out, "HashMap<(String, String), Decision>", &self.by_map)?;
        writeln!(
            out,
            "  {:<36} by names: {:.2}× the time of the table by names",
            "",
            ratio(self.by_map.ns_per_check, self.by_names.ns_per_check)
        )?;
        if self.map_principals < t.n_principals() {
            writeln!(
                out,
                "  {:<36} map and names stream cover {} random principals of {} ({} entries)",
                "",
                self.map_principals,
                t.n_principals(),
                self.map_principals * t.n_actions()
            )?;
        }
        writeln!(
            out,
            "  {:<36} map built in {}",
            "",
            duration_text(self.map_build.as_nanos() as f64)
        )?;
        let d = &self.by_names.decisions;
        writeln!(
            out,
            "decisions by names: allow {}, deny {}, implicit-deny {}",
            d[0], d[1], d[2]
        )?;
        Ok(())
    }
}

/// `12.3 M`, `456.7 k`, `89`.
fn rate_text(per_s: f64) -> String {
    if per_s >= 1e6 {
        format!("{:.1} M", per_s / 1e6)
    } else if per_s >= 1e3 {
        format!("{:.1} k", per_s / 1e3)
    } else {
        format!("{per_s:.0}")
    }
}

/// `1.23 ms`, `45.6 µs`, `789 ns`.
fn duration_text(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;

    use super::*;

    fn hash_of(value: &(impl Hash + ?Sized)) -> u64 {
        let mut h = DefaultHasher::new();
        value.hash(&mut h);
        h.finish()
    }

    #[test]
    fn name_pair_hashes_like_the_owned_key_and_finds_it() {
        let owned = ("user/alice".to_string(), "chime:ListUsers".to_string());
        let borrowed: &dyn NamePair = &("user/alice", "chime:ListUsers");
        assert_eq!(hash_of(&owned), hash_of(borrowed));
        let map: HashMap<(String, String), Decision> =
            [(owned, Decision::Allow)].into_iter().collect();
        assert_eq!(map.get(borrowed), Some(&Decision::Allow));
        let other: &dyn NamePair = &("user/alice", "chime:ListUser");
        assert_eq!(map.get(other), None);
        // The split point is part of the key.
        let shifted: &dyn NamePair = &("user/alicec", "hime:ListUsers");
        assert_eq!(map.get(shifted), None);
    }

    #[test]
    fn median_takes_the_middle_and_survives_empty_input() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 3.0);
        assert_eq!(median(&mut []), 0.0);
    }

    #[test]
    fn time_checks_counts_every_answer_once() {
        let items: Vec<u32> = (0..3000).collect();
        let timing = time_checks(&items, |&i| match i % 3 {
            0 => Decision::Allow,
            1 => Decision::Deny,
            _ => Decision::ImplicitDeny,
        });
        assert_eq!(timing.decisions, [1000, 1000, 1000]);
        assert_eq!(timing.n_checks, 3000);
        assert!(timing.ns_per_check >= 0.0);
    }

    #[test]
    fn sample_text_fills_wildcards_and_variables() {
        let template = Template(vec![
            Part::Text("arn:aws:s3:::b/*?".to_string()),
            Part::Literal("*".to_string()),
            Part::Var {
                key: "aws:username".to_string(),
                default: None,
            },
        ]);
        assert_eq!(sample_text(&template), "arn:aws:s3:::b/xx*x");
    }

    #[test]
    fn duration_text_picks_a_unit() {
        assert_eq!(duration_text(12.0), "12 ns");
        assert_eq!(duration_text(1_500.0), "1.5 µs");
        assert_eq!(duration_text(2_340_000.0), "2.34 ms");
        assert_eq!(duration_text(3e9), "3.00 s");
        assert_eq!(rate_text(20_359_877.0), "20.4 M");
        assert_eq!(rate_text(1_270.0), "1.3 k");
        assert_eq!(rate_text(12.0), "12");
    }
}
