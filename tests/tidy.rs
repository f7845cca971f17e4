//! Tidy checks over the repository's own sources: every `.rs` file starts
//! with a `//!` module doc (STYLE.md §4).

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !matches!(name.as_ref(), "target" | ".git" | "corpus" | "artifacts")
                && !name.starts_with("target")
            {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        "src", "grammar", "compiler", "runtime", "tests", "benches", "fuzz", "peers",
    ] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 10);
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|f| f.strip_prefix(root).unwrap_or(f).display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` module doc: {missing:?}"
    );
}

// Rule ids: every id cited is defined in docs/semantics.md.

/// Tokens that look like rule ids but are not, by file: (path, token, why).
const NOT_RULE_IDS: &[(&str, &str)] = &[
    // The name of a generated managed policy.
    ("benches/render.rs", "P0"),
];

/// Files that may cite rule ids: code, docs, snapshots of rendered output,
/// test cases and example policies in the DSL. JSON data (AWS's managed
/// policies, dumps) is not a citation.
fn citing_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !matches!(
                name.as_ref(),
                "target" | ".git" | "corpus" | "artifacts" | "seeds"
            ) && !name.starts_with("target")
            {
                citing_files(&path, out);
            }
        } else if [".rs", ".md", ".toml", ".ebnf", ".snap", ".vp"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            out.push(path);
        }
    }
}

/// The rule ids in `text`: `C-VAR-N`, `C-TYPE`, and a rule letter with one or
/// two digits and an optional `.N` step (`P1.4`), standing alone (not part
/// of a longer word such as `E0101` or `sha256`).
fn rule_ids(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let digits = |from: usize| {
        bytes.get(from..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_digit()).count()
        })
    };
    let mut ids = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || bytes.get(i - 1).is_none_or(|&b| !word(b));
        let letter = bytes.get(i).copied().unwrap_or(0);
        if !starts_word || !b"VNARCEPGKXTD".contains(&letter) {
            i += 1;
            continue;
        }
        let mut end = None;
        if text.get(i..).is_some_and(|t| t.starts_with("C-VAR-")) && digits(i + 6) > 0 {
            end = Some(i + 6 + digits(i + 6));
        } else if text.get(i..).is_some_and(|t| t.starts_with("C-TYPE")) {
            end = Some(i + 6);
        } else {
            let n = digits(i + 1);
            if (1..=2).contains(&n) {
                let mut e = i + 1 + n;
                if bytes.get(e) == Some(&b'.') && digits(e + 1) > 0 {
                    e += 1 + digits(e + 1);
                }
                end = Some(e);
            }
        }
        match end {
            Some(e) if bytes.get(e).is_none_or(|&b| !word(b)) => {
                ids.push(text.get(i..e).unwrap_or_default().to_string());
                i = e;
            }
            _ => i += 1,
        }
    }
    ids
}

/// The ids docs/semantics.md defines: each written once in bold, `**P1.4**`.
fn defined_rule_ids(doc: &str) -> Vec<String> {
    doc.split("**")
        .skip(1)
        .step_by(2)
        .filter(|inner| rule_ids(inner).first().map(String::as_str) == Some(*inner))
        .map(str::to_string)
        .collect()
}

#[test]
fn rule_ids_are_found_as_written() {
    assert_eq!(
        rule_ids("P1.4, C13 (X17) R7; C-VAR-3 and C-TYPE. G2–G5 [V1]"),
        ["P1.4", "C13", "X17", "R7", "C-VAR-3", "C-TYPE", "G2", "G5", "V1"]
    );
    // Not ids: diagnostic codes, longer words, hex, digests, a sentence's dot.
    assert!(rule_ids("E0101 W0204 sha256 0xA1 PT1H T100 V1x a_P1").is_empty());
    assert_eq!(rule_ids("ends with X1."), ["X1"]);
    assert_eq!(
        defined_rule_ids("**A1** — text `**`x`**` **bold** | **X1** |"),
        ["A1", "X1"]
    );
}

#[test]
fn every_cited_rule_id_is_defined_in_the_semantics_document() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/semantics.md"))
        .expect("docs/semantics.md is readable");
    let defined = defined_rule_ids(&doc);
    let mut seen = std::collections::BTreeSet::new();
    let twice: Vec<&String> = defined.iter().filter(|id| !seen.insert(*id)).collect();
    assert!(
        twice.is_empty(),
        "rule ids defined more than once: {twice:?}"
    );
    assert!(defined.len() > 100, "too few rule ids defined: {defined:?}");

    let mut files = Vec::new();
    for dir in [
        "grammar", "compiler", "runtime", "src", "tests", "benches", "examples", "fuzz",
    ] {
        citing_files(&root.join(dir), &mut files);
    }
    files.push(root.join("README.md"));
    files.push(root.join("ARCHITECTURE.md"));
    assert!(files.len() > 50);
    let mut missing: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut n_cited = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let rel = file
            .strip_prefix(root)
            .unwrap_or(file)
            .display()
            .to_string();
        if rel == "tests/tidy.rs" {
            continue; // its own examples and exceptions
        }
        for id in rule_ids(&text) {
            n_cited += 1;
            let exempt = NOT_RULE_IDS.iter().any(|&(f, t)| f == rel && t == id);
            if !exempt && !seen.contains(&id) {
                let places = missing.entry(id).or_default();
                if !places.contains(&rel) {
                    places.push(rel.clone());
                }
            }
        }
    }
    assert!(n_cited > 500, "the scan found only {n_cited} citations");
    assert!(
        missing.is_empty(),
        "rule ids cited but not defined (in bold) in docs/semantics.md: {missing:?}"
    );
}
