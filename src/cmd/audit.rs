//! `verdict audit`: the security findings of a table (or of sources compiled
//! on the fly), from `verdict_compiler::findings`, rendered as bounded text or
//! complete JSON; `--fail-on` gates on a category, a code or a severity;
//! suppressions (a JSON project file, and the DSL's `verdict: allow` pragmas
//! when the input is sources) accept findings with a reason; `--baseline`
//! gates only on findings not recorded, and `--write-baseline` records them.
//!
//! The findings are plain data and each format only renders them: text, JSON,
//! and SARIF 2.1.0 (`--format sarif`, from `crate::sarif`'s pieces: one result
//! per finding, located at the audited file since a table has no source
//! positions, fingerprinted by code, method and principals).
//!
//! Exit status: 0 no `--fail-on` condition matched (or none given), 1 one
//! matched (by a finding not accepted and not in the baseline), 2 any error.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use verdict_compiler::findings::{self, accept, Category, Finding, Level};
use verdict_runtime::Table;

use crate::args::{AuditArgs, AuditFormat};
use crate::cmd::Shown;
use crate::inputs::{is_table, Compiled, Pipeline, Run};
use crate::render::MessageFormat;
use crate::{CliError, CmdResult, EXIT_DENY, EXIT_ERROR, EXIT_OK};

/// Most bytes a suppressions or baseline file may have.
const MAX_PROJECT_FILE_BYTES: usize = 64 << 20;

/// How many principals a text finding names before it counts the rest.
const NAMED_PRINCIPALS: usize = 5;

/// How many principals a SARIF result lists in its properties (all are
/// counted; `--format json` lists every one).
const SARIF_PRINCIPALS: usize = 100;

/// A `--fail-on` condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FailOn {
    /// Any finding of this category.
    Category(Category),
    /// Any finding of this code.
    Code(String),
    /// Any finding at least this serious.
    Level(Level),
}

impl FailOn {
    /// Reads `privilege-escalation`, `F0001`, `high`, ….
    pub(crate) fn parse(text: &str) -> Result<FailOn, String> {
        if let Some(level) = Level::parse(text) {
            return Ok(FailOn::Level(level));
        }
        if let Some(category) = Category::parse(text) {
            return Ok(FailOn::Category(category));
        }
        let code = text.trim().to_ascii_uppercase();
        if findings::CODES
            .iter()
            .any(|(c, _, _)| *c == code && c.starts_with('F'))
        {
            return Ok(FailOn::Code(code));
        }
        let categories: Vec<&str> = Category::ALL.iter().map(|c| c.slug()).collect();
        let levels: Vec<&str> = Level::ALL.iter().map(|l| l.as_str()).collect();
        Err(format!(
            "unknown `--fail-on {text}`: expected a severity ({}), a category ({}) or a finding code (F0001…)",
            levels.join(", "),
            categories.join(", ")
        ))
    }

    fn matches(&self, finding: &Finding) -> bool {
        match self {
            FailOn::Category(c) => finding.category == *c,
            FailOn::Code(code) => finding.code == code,
            FailOn::Level(level) => finding.level >= *level,
        }
    }

    fn describe(&self) -> String {
        match self {
            FailOn::Category(c) => c.slug().to_owned(),
            FailOn::Code(code) => code.clone(),
            FailOn::Level(level) => format!("{level} or above"),
        }
    }
}

/// One audit, ready to render.
struct Audit<'a> {
    table: &'a Table,
    input: String,
    findings: Vec<Finding>,
    new: Vec<bool>,
    n_suppressed: usize,
    has_baseline: bool,
    n_methods: usize,
}

/// Runs `verdict audit`.
pub(crate) fn run(args: AuditArgs, shown: Shown, io: &mut crate::Io<'_>) -> CmdResult {
    audit(&args, shown.format, io)
}

fn audit(args: &AuditArgs, format: MessageFormat, io: &mut crate::Io<'_>) -> CmdResult {
    let mut suppressions = match &args.suppressions {
        Some(path) => read_suppressions(path)?,
        None => Vec::new(),
    };
    let baseline = match &args.baseline {
        Some(path) => Some(read_baseline(path)?),
        None => None,
    };
    let table = load(args, format, io, &mut suppressions)?;
    let methods = findings::methods().map_err(|e| format!("internal error: {e}"))?;
    let report = findings::analyze(&table, &methods);
    let accepted = accept::accept(&table, report.findings, &suppressions, baseline.as_ref());
    let audit = Audit {
        table: &table,
        input: args
            .inputs
            .iter()
            .map(|p| crate::files::path_text(p))
            .collect::<Vec<_>>()
            .join(" "),
        findings: accepted.findings,
        new: accepted.new,
        n_suppressed: accepted.n_suppressed,
        has_baseline: baseline.is_some(),
        n_methods: report.n_methods,
    };
    if let Some(path) = &args.write_baseline {
        crate::files::write_output(Some(path), io, |out| audit.write_baseline(out))?;
    }
    let matched: Vec<&FailOn> = args
        .fail_on
        .iter()
        .filter(|f| audit.gated().any(|finding| f.matches(finding)))
        .collect();
    crate::files::write_output(args.output.as_deref(), io, |out| match args.format {
        AuditFormat::Text => audit.text(out, args.top),
        AuditFormat::Json => audit.json(out, &matched),
        AuditFormat::Sarif => audit.sarif(out, args.inputs.first()),
    })?;
    if matched.is_empty() {
        return Ok(EXIT_OK);
    }
    let words: Vec<String> = matched.iter().map(|f| f.describe()).collect();
    let _ = writeln!(io.stderr, "verdict audit: failing on {}", words.join(", "));
    Ok(EXIT_DENY)
}

/// The table: read by its magic, else the sources compiled (their pragmas'
/// accepted findings added to `suppressions`).
fn load(
    args: &AuditArgs,
    format: MessageFormat,
    io: &mut crate::Io<'_>,
    suppressions: &mut Vec<accept::Suppression>,
) -> Result<Table, CliError> {
    let pipeline = Pipeline::new(&args.compile)?;
    if let [path] = args.inputs.as_slice() {
        if is_table(path) {
            if let Some(option) = args.compile.first_given() {
                return Err(format!(
                    "`{option}` applies to sources, and `{}` is a table",
                    path.display()
                )
                .into());
            }
            return Ok(crate::files::open_table(path)?);
        }
    }
    let Compiled { out, .. } =
        pipeline.compile_quietly(&args.inputs, Run::default(), EXIT_ERROR, format, io)?;
    if let Some(model) = &out.model {
        let (pragmas, _) = findings::pragma::collect(&out.sources, model);
        for (code, principal, reason) in findings::pragma::accepted_findings(&pragmas, model) {
            suppressions.push(accept::Suppression {
                code,
                method: None,
                principal: Some(principal),
                reason,
            });
        }
    }
    out.table
        .ok_or_else(|| CliError::from("internal error: a compile without errors made no table"))
}

fn read_json(path: &Path, what: &str) -> Result<serde_json::Value, String> {
    let text = crate::files::fsio::read_text(path, MAX_PROJECT_FILE_BYTES, what)?;
    serde_json::from_str(&text).map_err(|e| format!("`{}` is not valid JSON: {e}", path.display()))
}

/// Reads a suppressions file: `{"suppressions": [ENTRY…]}` or `[ENTRY…]`,
/// each entry `{"code", "method"?, "principal"?, "reason"}`; every entry needs
/// a reason, and unknown fields are errors (a typo must not accept more).
fn read_suppressions(path: &Path) -> Result<Vec<accept::Suppression>, String> {
    let value = read_json(path, "a suppressions file")?;
    let bad = |why: String| format!("`{}`: {why}", path.display());
    let entries = match &value {
        serde_json::Value::Array(list) => list,
        serde_json::Value::Object(map) if map.len() == 1 => map
            .get("suppressions")
            .and_then(|v| v.as_array())
            .ok_or_else(|| bad("expected {\"suppressions\": [...]}".to_owned()))?,
        _ => return Err(bad("expected {\"suppressions\": [...]}".to_owned())),
    };
    let mut out = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let n = i + 1;
        let map = entry
            .as_object()
            .ok_or_else(|| bad(format!("entry {n} is not an object")))?;
        for key in map.keys() {
            if !["code", "method", "principal", "reason"].contains(&key.as_str()) {
                return Err(bad(format!(
                    "entry {n}: unknown field `{key}` (fields: code, method, principal, reason)"
                )));
            }
        }
        let text = |key: &str| -> Result<Option<String>, String> {
            match map.get(key) {
                None => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(bad(format!("entry {n}: `{key}` is not a string"))),
            }
        };
        let code = text("code")?.ok_or_else(|| bad(format!("entry {n}: no `code`")))?;
        if !findings::CODES.iter().any(|(c, _, _)| *c == code) {
            return Err(bad(format!("entry {n}: unknown code `{code}`")));
        }
        let reason = text("reason")?
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| bad(format!("entry {n}: every suppression needs a `reason`")))?;
        out.push(accept::Suppression {
            code,
            method: text("method")?,
            principal: text("principal")?,
            reason,
        });
    }
    Ok(out)
}

/// The baseline format's version.
const BASELINE_VERSION: u64 = 1;

/// Reads a baseline: `{"verdict-audit-baseline": 1, "findings": [{"code",
/// "method", "principal"}…]}`.
fn read_baseline(path: &Path) -> Result<HashSet<accept::Key>, String> {
    let value = read_json(path, "a baseline")?;
    let bad = |why: &str| format!("`{}` is not a baseline: {why}", path.display());
    if value.get("verdict-audit-baseline").and_then(|v| v.as_u64()) != Some(BASELINE_VERSION) {
        return Err(bad("expected \"verdict-audit-baseline\": 1"));
    }
    let list = value
        .get("findings")
        .and_then(|v| v.as_array())
        .ok_or_else(|| bad("no \"findings\" list"))?;
    let mut keys = HashSet::with_capacity(list.len());
    for entry in list {
        let field = |k: &str| entry.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        match (field("code"), field("method"), field("principal")) {
            (Some(code), Some(method), Some(principal)) => {
                keys.insert(accept::Key {
                    code,
                    method,
                    principal,
                });
            }
            _ => return Err(bad("an entry lacks code, method or principal")),
        }
    }
    Ok(keys)
}

/// `1,234`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Audit<'_> {
    /// The findings a gate looks at: the new ones.
    fn gated(&self) -> impl Iterator<Item = &Finding> + '_ {
        self.findings
            .iter()
            .zip(&self.new)
            .filter(|(_, new)| **new)
            .map(|(f, _)| f)
    }

    fn names<'b>(
        &'b self,
        ids: &'b [verdict_runtime::PrincipalId],
    ) -> impl Iterator<Item = &'b str> + 'b {
        ids.iter().map(|p| self.table.principal_name(*p))
    }

    fn count_by_level(&self) -> Vec<(Level, usize)> {
        Level::ALL
            .iter()
            .map(|l| (*l, self.findings.iter().filter(|f| f.level == *l).count()))
            .collect()
    }

    fn text(&self, out: &mut dyn Write, top: usize) -> std::io::Result<()> {
        writeln!(
            out,
            "audit of `{}` (catalog {}): {} principals, {} row classes, {} methods checked",
            self.input,
            self.table.catalog(),
            thousands(self.table.n_principals()),
            thousands(self.table.n_row_classes()),
            self.n_methods
        )?;
        let levels: Vec<String> = self
            .count_by_level()
            .iter()
            .map(|(l, n)| format!("{l} {n}"))
            .collect();
        let mut extra = String::new();
        if self.n_suppressed > 0 {
            extra.push_str(&format!("; {} suppressed", thousands(self.n_suppressed)));
        }
        if self.has_baseline {
            let known = self.new.iter().filter(|n| !**n).count();
            extra.push_str(&format!("; {known} in the baseline"));
        }
        writeln!(
            out,
            "{} finding(s): {}{extra}",
            thousands(self.findings.len()),
            levels.join(", ")
        )?;
        for category in Category::ALL {
            let of: Vec<&Finding> = self
                .findings
                .iter()
                .filter(|f| f.category == category)
                .collect();
            if of.is_empty() {
                continue;
            }
            let principals: usize = of.iter().map(|f| f.principals.len()).sum();
            writeln!(
                out,
                "  {} {}: {} finding(s), {} principal share(s)",
                category.code(),
                category.slug(),
                of.len(),
                thousands(principals)
            )?;
        }
        for (finding, new) in self.findings.iter().zip(&self.new).take(top) {
            writeln!(out)?;
            let guard = if finding.guarded { " [guarded]" } else { "" };
            let known = if self.has_baseline && !new {
                " [baseline]"
            } else {
                ""
            };
            writeln!(
                out,
                "{} {} {} `{}`: {}{guard}{known}",
                finding.code, finding.level, finding.category, finding.method, finding.name
            )?;
            if finding.chain.is_empty() {
                let shown: Vec<&str> = self
                    .names(&finding.principals)
                    .take(NAMED_PRINCIPALS)
                    .collect();
                let rest = finding.principals.len().saturating_sub(shown.len());
                let more = if rest > 0 {
                    format!(" and {} more", thousands(rest))
                } else {
                    String::new()
                };
                writeln!(out, "  principals: {}{more}", shown.join(", "))?;
                let more = if finding.truncated { ", …" } else { "" };
                writeln!(out, "  actions: {}{more}", finding.actions.join(", "))?;
            } else {
                let chain: Vec<&str> = self.names(&finding.chain).collect();
                writeln!(out, "  chain: {}", chain.join(" → "))?;
            }
            writeln!(out, "  source: {}", finding.source)?;
        }
        let rest = self.findings.len().saturating_sub(top);
        if rest > 0 {
            writeln!(out)?;
            writeln!(
                out,
                "… {} more finding(s); --format json lists every one",
                thousands(rest)
            )?;
        }
        Ok(())
    }

    fn json(&self, out: &mut dyn Write, matched: &[&FailOn]) -> std::io::Result<()> {
        let levels: serde_json::Map<String, serde_json::Value> = self
            .count_by_level()
            .into_iter()
            .map(|(l, n)| (l.as_str().to_owned(), n.into()))
            .collect();
        let head = serde_json::json!({
            "input": self.input,
            "catalog": self.table.catalog(),
            "principals": self.table.n_principals(),
            "row_classes": self.table.n_row_classes(),
            "methods": self.n_methods,
            "findings_total": self.findings.len(),
            "by_severity": levels,
            "suppressed": self.n_suppressed,
            "baseline": self.has_baseline,
            "failed_on": matched.iter().map(|f| f.describe()).collect::<Vec<_>>(),
        });
        // The head, then the findings streamed one by one (a list of every
        // principal of 100,000 is never one value in memory).
        let head = serde_json::to_string(&head).map_err(std::io::Error::other)?;
        let head = head.strip_suffix('}').unwrap_or(&head);
        write!(out, "{head},\"findings\":[")?;
        for (i, (finding, new)) in self.findings.iter().zip(&self.new).enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            let item = serde_json::json!({
                "code": finding.code,
                "severity": finding.level.as_str(),
                "category": finding.category.slug(),
                "method": finding.method,
                "name": finding.name,
                "guarded": finding.guarded,
                "new": new,
                "principals": self.names(&finding.principals).collect::<Vec<_>>(),
                "actions": finding.actions,
                "actions_truncated": finding.truncated,
                "chain": self.names(&finding.chain).collect::<Vec<_>>(),
                "source": finding.source,
            });
            serde_json::to_writer(&mut *out, &item).map_err(std::io::Error::other)?;
        }
        writeln!(out, "]}}")
    }

    /// One SARIF log: a result per finding, at the audited file (`artifact`),
    /// with the principals (at most [`SARIF_PRINCIPALS`] named, all counted),
    /// actions, chain and whether it is new as properties.
    fn sarif(
        &self,
        out: &mut dyn Write,
        artifact: Option<&std::path::PathBuf>,
    ) -> std::io::Result<()> {
        let base = crate::sarif::Base::current();
        let mut prints = crate::sarif::Fingerprints::default();
        let artifact = artifact.map(|p| base.artifact(&crate::files::path_text(p)));
        let results: Vec<serde_json::Value> = self
            .findings
            .iter()
            .zip(&self.new)
            .map(|(finding, new)| {
                let principals: Vec<&str> = self.names(&finding.principals).collect();
                let chain: Vec<&str> = self.names(&finding.chain).collect();
                let shown: Vec<&str> = principals.iter().take(NAMED_PRINCIPALS).copied().collect();
                let rest = principals.len().saturating_sub(shown.len());
                let who = if chain.is_empty() {
                    let more = if rest > 0 { format!(" and {} more", thousands(rest)) } else { String::new() };
                    format!("principals: {}{more}", shown.join(", "))
                } else {
                    format!("chain: {}", chain.join(" → "))
                };
                let guard = if finding.guarded { " (guarded by a condition)" } else { "" };
                let text = format!(
                    "{} ({} {}, method `{}`){guard}; {who}; actions: {}{}",
                    finding.name,
                    finding.level,
                    finding.category,
                    finding.method,
                    finding.actions.join(", "),
                    if finding.truncated { ", …" } else { "" }
                );
                let level = match finding.level {
                    Level::Critical | Level::High => "error",
                    Level::Medium | Level::Low => "warning",
                    Level::Info => "note",
                };
                let mut sorted = principals.clone();
                sorted.sort_unstable();
                let who_key = if chain.is_empty() { sorted.join("\n") } else { chain.join("\n") };
                let mut result = serde_json::json!({
                    "ruleId": finding.code,
                    "level": level,
                    "message": {"text": text},
                    "partialFingerprints": prints.next(&[finding.code, &finding.method, &who_key]),
                    "properties": {
                        "severity": finding.level.as_str(),
                        "category": finding.category.slug(),
                        "method": finding.method,
                        "guarded": finding.guarded,
                        "new": new,
                        "principalCount": principals.len(),
                        "principals": principals.iter().take(SARIF_PRINCIPALS).collect::<Vec<_>>(),
                        "actions": finding.actions,
                        "actionsTruncated": finding.truncated,
                        "chain": chain,
                        "source": finding.source,
                    },
                });
                if let Some(map) = result.as_object_mut() {
                    if let Some(index) = crate::sarif::rule_index(finding.code) {
                        map.insert("ruleIndex".to_owned(), index.into());
                    }
                    if let Some(artifact) = &artifact {
                        map.insert(
                            "locations".to_owned(),
                            serde_json::json!([{"physicalLocation": {"artifactLocation": artifact}}]),
                        );
                    }
                }
                result
            })
            .collect();
        let log = crate::sarif::log(&base, results, None);
        serde_json::to_writer_pretty(&mut *out, &log).map_err(std::io::Error::other)?;
        writeln!(out)
    }

    /// The baseline of every finding left: sorted keys, so equal findings
    /// give equal files.
    fn write_baseline(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut keys: Vec<accept::Key> = self
            .findings
            .iter()
            .flat_map(|f| accept::keys(self.table, f))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        writeln!(
            out,
            "{{\"verdict-audit-baseline\":{BASELINE_VERSION},\"findings\":["
        )?;
        for (i, key) in keys.iter().enumerate() {
            let entry = serde_json::json!({
                "code": key.code,
                "method": key.method,
                "principal": key.principal,
            });
            let sep = if i + 1 < keys.len() { "," } else { "" };
            writeln!(out, "{entry}{sep}")?;
        }
        writeln!(out, "]}}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_values() {
        assert_eq!(FailOn::parse("high"), Ok(FailOn::Level(Level::High)));
        assert_eq!(
            FailOn::parse("privilege-escalation"),
            Ok(FailOn::Category(Category::PrivilegeEscalation))
        );
        assert_eq!(FailOn::parse("f0003"), Ok(FailOn::Code("F0003".to_owned())));
        assert!(FailOn::parse("W0404").is_err());
        assert!(FailOn::parse("bogus").unwrap_err().contains("severity"));
    }

    #[test]
    fn numbers_have_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
