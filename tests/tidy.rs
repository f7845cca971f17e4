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

// Declared facts: rust-version, fuzz targets and their seeds.

/// `1.88` or `1.85.0` as (major, minor, patch).
fn rust_version(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.split('.').map(str::parse::<u32>);
    let major = parts.next()?.ok()?;
    let minor = parts.next()?.ok()?;
    let patch = parts.next().unwrap_or(Ok(0)).ok()?;
    parts.next().is_none().then_some((major, minor, patch))
}

#[test]
fn rust_version_is_what_the_locked_dependencies_need() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    // Offline: the lock file and the local registry cache answer.
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--offline", "--format-version", "1", "--locked"])
        .current_dir(root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let members: Vec<&str> = meta["workspace_members"]
        .as_array()
        .expect("workspace_members")
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    let resolved: Vec<&str> = meta["resolve"]["nodes"]
        .as_array()
        .expect("resolve.nodes")
        .iter()
        .filter_map(|n| n["id"].as_str())
        .collect();
    let mut declared = Vec::new();
    let mut needed: Option<((u32, u32, u32), String)> = None;
    for package in meta["packages"].as_array().expect("packages") {
        let id = package["id"].as_str().unwrap_or_default();
        let name = package["name"].as_str().unwrap_or_default();
        let Some(text) = package["rust_version"].as_str() else {
            assert!(!members.contains(&id), "`{name}` declares no rust-version");
            continue;
        };
        let version = rust_version(text).expect("a rust-version reads");
        if members.contains(&id) {
            declared.push((name.to_string(), version));
        } else if resolved.contains(&id) && needed.as_ref().is_none_or(|(v, _)| version > *v) {
            needed = Some((
                version,
                format!("{name} {}", package["version"].as_str().unwrap_or_default()),
            ));
        }
    }
    let (needed, by) = needed.expect("some dependency declares a rust-version");
    assert_eq!(declared.len(), members.len());
    for (name, version) in &declared {
        assert_eq!(
            *version, needed,
            "`{name}` declares rust-version {version:?}, the locked dependencies need {needed:?} ({by}): \
             set `rust-version` in the workspace Cargo.toml to it"
        );
    }
    // The README's quick start says which toolchain to have.
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let said = format!("Rust toolchain ({}.{} or newer)", needed.0, needed.1);
    assert!(readme.contains(&said), "README.md should say `{said}`");
}

/// The `[[bin]]` targets of fuzz/Cargo.toml, as (name, path).
fn fuzz_targets(manifest: &str) -> Vec<(String, String)> {
    let value = |line: &str, key: &str| {
        let rest = line
            .trim()
            .strip_prefix(key)?
            .trim_start()
            .strip_prefix('=')?;
        Some(rest.trim().trim_matches('"').to_string())
    };
    let mut targets = Vec::new();
    let mut in_bin = false;
    let (mut name, mut path) = (None, None);
    for line in manifest.lines().chain(["[end]"]) {
        if line.trim_start().starts_with('[') {
            if let (true, Some(n), Some(p)) = (in_bin, name.take(), path.take()) {
                targets.push((n, p));
            }
            in_bin = line.trim() == "[[bin]]";
            (name, path) = (None, None);
        } else if in_bin {
            name = name.or_else(|| value(line, "name"));
            path = path.or_else(|| value(line, "path"));
        }
    }
    targets
}

#[test]
fn every_fuzz_target_has_seeds_and_every_seed_folder_a_target() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).expect("fuzz/Cargo.toml");
    let targets = fuzz_targets(&manifest);
    assert!(targets.len() >= 9, "fuzz targets: {targets:?}");
    let mut names: Vec<String> = targets.iter().map(|(n, _)| n.clone()).collect();
    names.sort();

    let sources = |dir: &Path, want_dirs: bool| -> Vec<String> {
        let mut found: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.path().is_dir() == want_dirs)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    };
    // Every target's source is in fuzz_targets/ and every file there is a target.
    for (name, path) in &targets {
        assert!(
            fuzz.join(path).is_file(),
            "fuzz target `{name}`: no file {path}"
        );
    }
    let mut paths: Vec<String> = targets.iter().map(|(_, p)| p.clone()).collect();
    paths.sort();
    let files: Vec<String> = sources(&fuzz.join("fuzz_targets"), false)
        .into_iter()
        .map(|f| format!("fuzz_targets/{f}"))
        .collect();
    assert_eq!(
        paths, files,
        "fuzz/fuzz_targets/ and the [[bin]] targets differ"
    );

    // `cargo fuzz run TARGET corpus/TARGET seeds/TARGET` needs the folder,
    // and a folder without a target is seeds for nothing.
    let seeds = fuzz.join("seeds");
    assert_eq!(
        sources(&seeds, true),
        names,
        "fuzz/seeds/ folders and the [[bin]] targets of fuzz/Cargo.toml differ"
    );
    for name in &names {
        let non_empty = std::fs::read_dir(seeds.join(name))
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.metadata().is_ok_and(|m| m.is_file() && m.len() > 0))
                    .count()
            })
            .unwrap_or(0);
        assert!(non_empty > 0, "fuzz/seeds/{name} has no seed");
    }

    // The README's table of targets lists each of them once.
    let readme = std::fs::read_to_string(fuzz.join("../README.md")).expect("README.md");
    let section = readme
        .split("\n## Fuzzing\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("README.md has a Fuzzing section");
    let mut listed: Vec<String> = section
        .lines()
        .filter_map(|l| {
            l.strip_prefix("| `")?
                .split_once('`')
                .map(|(n, _)| n.to_string())
        })
        .collect();
    listed.sort();
    assert_eq!(
        listed, names,
        "README's fuzz target table and fuzz/Cargo.toml differ"
    );
}
