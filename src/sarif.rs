//! SARIF 2.1.0 logs, for code scanning (GitHub, GitLab, SARIF viewers): the
//! compiler's diagnostics (`--message-format sarif` of `compile`, `lint`,
//! `fmt`, `convert`), plain errors, and the findings of `verdict audit`
//! (`--format sarif`, built in `cmd/audit.rs` from the pieces here).
//!
//! Every log carries the whole rule set: each code of the registry
//! (`verdict_compiler::codes::ALL`) and each finding code
//! (`verdict_compiler::findings::CODES`), with its summary as description and
//! help, and its severity as default level; results point at their rule by
//! id and index. Locations are artifact URIs relative to the working
//! directory (base id `%SRCROOT%`, which `originalUriBaseIds` resolves) or
//! `file:` URIs outside it, with regions in 1-based lines and Unicode code
//! point columns (`columnKind`), end column exclusive, as the compiler's
//! source map counts them. `partialFingerprints` hash what identifies a
//! result (code, file, policy and statement, message without positions, the
//! primary span's text; for findings the method and principals), never a
//! line number, so code scanning follows a result when unrelated lines move.
//!
//! The libraries know nothing of SARIF; this file is the CLI's renderer.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use verdict_compiler::{codes, findings, Diagnostic, Label, Severity, SourceMap};

/// The schema URI written in `$schema`.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of verdict's partial fingerprint (versioned: a change of what is
/// hashed is a new key, so code scanning does not mistake old for new).
pub const FINGERPRINT_KEY: &str = "verdictResult/v1";

/// The base id relative artifact URIs are resolved against.
const SRCROOT: &str = "%SRCROOT%";

/// One rule: its id, default level and the text that explains it.
struct Rule {
    code: &'static str,
    level: &'static str,
    summary: &'static str,
    finding: bool,
}

fn level_of(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// Every rule, diagnostic codes first (in registry order), then the finding
/// codes. A result's `ruleIndex` is its code's position here.
fn all_rules() -> Vec<Rule> {
    let mut rules: Vec<Rule> = codes::ALL
        .iter()
        .map(|c| Rule {
            code: c.code,
            level: level_of(c.severity),
            summary: c.summary,
            finding: false,
        })
        .collect();
    rules.extend(
        findings::CODES
            .iter()
            .map(|(code, severity, summary)| Rule {
                code,
                level: level_of(*severity),
                summary,
                finding: true,
            }),
    );
    rules
}

/// The rule index of `code`, if it is a known code.
pub fn rule_index(code: &str) -> Option<usize> {
    all_rules().iter().position(|r| r.code == code)
}

fn rule_json(rule: &Rule) -> Value {
    // The family of a code: its letter and the first two digits.
    let family = match (rule.code.get(..1), rule.code.get(1..3)) {
        (Some("E"), Some("00")) => "reading inputs and limits",
        (Some("E" | "W"), Some("01")) => "policy documents",
        (Some("E"), Some("02")) => "names and the model",
        (Some("W"), Some("02")) => "catalog matches and the model",
        (Some("E" | "W"), Some("03")) => "IAM quotas",
        (Some("E"), Some("09")) => "internal",
        (Some("W"), Some("04")) => "policy lints",
        (Some("F"), _) => "security findings (`verdict audit`)",
        _ => "diagnostics",
    };
    let text = format!(
        "{}: {}. The diagnostic's own help says how to fix the place it points at; \
         the README's code table lists every code.",
        rule.code, rule.summary
    );
    let markdown = format!(
        "**{}** ({family}): {}.\n\nThe diagnostic's own help says how to fix the place it points at; \
         the README's code table lists every code.",
        rule.code, rule.summary
    );
    let mut tags = vec![family.to_owned()];
    if rule.finding || rule.code == codes::W0404 || rule.code == codes::W0406 {
        tags.push("security".to_owned());
    }
    json!({
        "id": rule.code,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": format!("{}: {}", rule.code, rule.summary)},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": rule.level},
        "properties": {"tags": tags},
    })
}

/// The `tool` object: verdict and every rule.
fn tool() -> Value {
    let rules: Vec<Value> = all_rules().iter().map(rule_json).collect();
    json!({
        "driver": {
            "name": "verdict",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": rules,
        }
    })
}

/// Where relative artifact URIs are resolved and how to make them.
#[derive(Clone, Debug, Default)]
pub struct Base {
    /// The working directory (absolute), when known.
    pub cwd: Option<PathBuf>,
}

impl Base {
    /// The process's working directory.
    pub fn current() -> Base {
        Base {
            cwd: std::env::current_dir().ok(),
        }
    }

    /// `(uri, uriBaseId)` of a path as the compiler names it: relative to
    /// the working directory when it is inside it, else a `file:` URI.
    pub fn artifact(&self, path: &str) -> Value {
        let p = Path::new(path);
        let relative = if p.is_absolute() {
            self.cwd
                .as_deref()
                .and_then(|cwd| p.strip_prefix(cwd).ok())
                .map(|rest| rest.to_string_lossy().into_owned())
        } else {
            Some(path.strip_prefix("./").unwrap_or(path).to_owned())
        };
        match relative {
            Some(rel) => json!({"uri": encode(&rel.replace('\\', "/")), "uriBaseId": SRCROOT}),
            None => json!({"uri": format!("file://{}", encode(&path.replace('\\', "/")))}),
        }
    }

    fn original_uri_base_ids(&self) -> Option<Value> {
        let cwd = self.cwd.as_deref()?.to_string_lossy().replace('\\', "/");
        let mut uri = format!("file://{}", encode(&cwd));
        if !uri.ends_with('/') {
            uri.push('/');
        }
        Some(json!({ SRCROOT: {"uri": uri} }))
    }
}

/// Percent-encodes everything of `text` but unreserved characters and `/`.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A 64-bit FNV-1a hash, written as 16 hex digits: stable across builds and
/// platforms (the standard library's hasher is not).
pub fn stable_hash(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// `text` without the positions it may quote (`:12:5`, `line 12`), so a
/// fingerprint of it does not change when lines move.
fn without_positions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        if c == ':' {
            let n = digits(rest.get(1..).unwrap_or(""));
            if n > 0 {
                out.push_str(":N");
                rest = rest.get(1 + n..).unwrap_or("");
                continue;
            }
        }
        if let Some(after) = rest.strip_prefix("line ") {
            let n = digits(after);
            if n > 0 {
                out.push_str("line N");
                rest = after.get(n..).unwrap_or("");
                continue;
            }
        }
        out.push(c);
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    out
}

/// Numbers repeated fingerprints `HASH:1`, `HASH:2`, … in the order results
/// come, as code scanning does with its own.
#[derive(Default)]
pub struct Fingerprints {
    seen: HashMap<String, usize>,
}

impl Fingerprints {
    /// The fingerprint of `parts`, numbered among equal ones.
    pub fn next(&mut self, parts: &[&str]) -> Value {
        let hash = stable_hash(parts);
        let n = self.seen.entry(hash.clone()).or_insert(0);
        *n += 1;
        json!({ FINGERPRINT_KEY: format!("{hash}:{n}") })
    }
}

fn region(sources: &SourceMap, label: &Label) -> Option<Value> {
    let file = sources.get(label.file)?;
    let start = label.span.start;
    let end = label.span.end.max(start);
    let (start_line, start_col) = file.line_col(start);
    let (end_line, end_col) = file.line_col(end);
    let len = file.text.len();
    let byte_start = (start as usize).min(len);
    let byte_end = (end as usize).clamp(byte_start, len);
    Some(json!({
        "startLine": start_line,
        "startColumn": start_col,
        "endLine": end_line,
        "endColumn": end_col,
        "byteOffset": byte_start,
        "byteLength": byte_end - byte_start,
    }))
}

fn location(sources: &SourceMap, base: &Base, label: &Label, id: Option<usize>) -> Option<Value> {
    let file = sources.get(label.file)?;
    let mut physical = json!({"artifactLocation": base.artifact(&file.path)});
    if let (Some(region), Some(map)) = (region(sources, label), physical.as_object_mut()) {
        map.insert("region".to_owned(), region);
    }
    let mut loc = json!({"physicalLocation": physical});
    if let Some(map) = loc.as_object_mut() {
        if let Some(id) = id {
            map.insert("id".to_owned(), id.into());
        }
        if !label.message.is_empty() {
            map.insert("message".to_owned(), json!({"text": label.message}));
        }
    }
    Some(loc)
}

/// One result of a diagnostic.
fn diagnostic_result(
    sources: &SourceMap,
    base: &Base,
    d: &Diagnostic,
    prints: &mut Fingerprints,
) -> Value {
    let mut text = d.message.clone();
    if let Some(origin) = &d.origin {
        text.push_str(&format!(" (in {origin})"));
    }
    if let Some(help) = &d.help {
        text.push_str(&format!(" (help: {help})"));
    }
    let locations: Vec<Value> = d
        .primary
        .iter()
        .filter_map(|l| location(sources, base, l, None))
        .collect();
    let related: Vec<Value> = d
        .related
        .iter()
        .enumerate()
        .filter_map(|(i, l)| location(sources, base, l, Some(i + 1)))
        .collect();
    let path = d
        .primary
        .as_ref()
        .and_then(|l| sources.get(l.file))
        .map_or("", |f| f.path.as_str());
    let spanned = d
        .primary
        .as_ref()
        .and_then(|l| {
            let f = sources.get(l.file)?;
            let end = (l.span.end as usize).min(l.span.start as usize + 200);
            f.text.get(l.span.start as usize..end)
        })
        .unwrap_or("");
    let origin = d.origin.as_ref();
    let entity = origin
        .and_then(|o| o.entity.as_ref())
        .map(|(kind, name)| format!("{kind}/{name}"))
        .unwrap_or_default();
    let policy = origin.and_then(|o| o.policy.clone()).unwrap_or_default();
    let statement = origin
        .and_then(|o| o.statement.as_ref())
        .map(|(n, sid)| format!("{n}/{}", sid.as_deref().unwrap_or("")))
        .unwrap_or_default();
    let message = without_positions(&d.message);
    let fingerprint = prints.next(&[
        d.code, path, &entity, &policy, &statement, &message, spanned,
    ]);
    let mut result = json!({
        "ruleId": d.code,
        "level": level_of(d.severity),
        "message": {"text": text},
        "locations": locations,
        "partialFingerprints": fingerprint,
    });
    if let Some(map) = result.as_object_mut() {
        if let Some(index) = rule_index(d.code) {
            map.insert("ruleIndex".to_owned(), index.into());
        }
        if !related.is_empty() {
            map.insert("relatedLocations".to_owned(), related.into());
        }
        if let Some(origin) = origin {
            map.insert(
                "properties".to_owned(),
                json!({
                    "entityKind": origin.entity.as_ref().map(|e| e.0),
                    "entity": origin.entity.as_ref().map(|e| e.1.clone()),
                    "policy": origin.policy,
                    "statement": origin.statement.as_ref().map(|s| s.0),
                    "sid": origin.statement.as_ref().and_then(|s| s.1.clone()),
                }),
            );
        }
    }
    result
}

/// A log of one run, with `results` and, when the tool failed to run,
/// the reason as a notification.
pub fn log(base: &Base, results: Vec<Value>, failure: Option<&str>) -> Value {
    let mut invocation = json!({"executionSuccessful": failure.is_none()});
    if let (Some(why), Some(map)) = (failure, invocation.as_object_mut()) {
        map.insert(
            "toolExecutionNotifications".to_owned(),
            json!([{"level": "error", "message": {"text": why}}]),
        );
    }
    let mut run = json!({
        "tool": tool(),
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    if let (Some(ids), Some(map)) = (base.original_uri_base_ids(), run.as_object_mut()) {
        map.insert("originalUriBaseIds".to_owned(), ids);
    }
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [run],
    })
}

/// The SARIF log of a list of diagnostics.
pub fn diagnostics_log(sources: &SourceMap, list: &[Diagnostic], base: &Base) -> Value {
    let mut prints = Fingerprints::default();
    let results = list
        .iter()
        .map(|d| diagnostic_result(sources, base, d, &mut prints))
        .collect();
    log(base, results, None)
}

/// The SARIF log of an error without a source location: no results, the
/// invocation failed with `message`.
pub fn error_log(message: &str, base: &Base) -> Value {
    log(base, Vec::new(), Some(message))
}

#[cfg(test)]
// why: tests may panic
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_inside_the_working_directory_and_encoded() {
        let base = Base {
            cwd: Some(PathBuf::from("/work/repo")),
        };
        assert_eq!(
            base.artifact("/work/repo/policies/a b.vp"),
            json!({"uri": "policies/a%20b.vp", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            base.artifact("./x,y:z%.json"),
            json!({"uri": "x%2Cy%3Az%25.json", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            base.artifact("/elsewhere/é.vp"),
            json!({"uri": "file:///elsewhere/%C3%A9.vp"})
        );
    }

    #[test]
    fn positions_leave_fingerprinted_text() {
        assert_eq!(
            without_positions("first defined at a.vp:12:5, see line 40"),
            "first defined at a.vp:N:N, see line N"
        );
        assert_eq!(
            without_positions("statement 2 of `p`"),
            "statement 2 of `p`"
        );
        assert_ne!(stable_hash(&["ab", "c"]), stable_hash(&["a", "bc"]));
        assert_eq!(stable_hash(&[""]), stable_hash(&[""]));
    }

    #[test]
    fn every_code_is_a_rule_at_its_index() {
        let rules = all_rules();
        assert_eq!(rules.len(), codes::ALL.len() + findings::CODES.len());
        for (i, c) in codes::ALL.iter().enumerate() {
            assert_eq!(rule_index(c.code), Some(i));
        }
        assert_eq!(rule_index("X0000"), None);
    }
}
