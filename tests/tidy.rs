//! Tidy checks over the repository's own sources: every `.rs` file starts
//! with a `//!` module doc (STYLE.md §4); bincode is called from one file;
//! the diagnostic codes of `verdict_compiler::codes` are documented in the
//! README, spelled through the registry's constants, and each made to fire by
//! a test.

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
        "src", "grammar", "compiler", "runtime", "tests", "benches", "fuzz", "peers", "bindings",
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

/// The lines of `text` outside inline test modules (`#[cfg(test)]` at
/// column 0, maybe further attributes and comments, then `mod NAME {`, up
/// to the next `}` at column 0).
fn non_test_lines(text: &str) -> Vec<(usize, &str)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        // `#[cfg(test)]`, maybe more attributes and comments, `mod NAME {`.
        let mut head = i + 1;
        while lines.get(head).is_some_and(|l| {
            l.starts_with("//") || l.starts_with("#[") || l.starts_with(' ') || l.starts_with(")]")
        }) {
            head += 1;
        }
        let opens_tests = lines[i].trim_end() == "#[cfg(test)]"
            && lines
                .get(head)
                .is_some_and(|next| next.starts_with("mod ") && next.trim_end().ends_with('{'));
        if opens_tests {
            i = head + 1;
            while i < lines.len() && lines[i].trim_end() != "}" {
                i += 1;
            }
        } else {
            out.push((i + 1, lines[i]));
        }
        i += 1;
    }
    out
}

/// The diagnostic codes quoted as string literals in `line` (`"E0101"`).
fn quoted_codes(line: &str) -> Vec<&str> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    for (at, window) in bytes.windows(7).enumerate() {
        if window[0] == b'"'
            && window[6] == b'"'
            && matches!(window[1], b'E' | b'W' | b'N')
            && window[2..6].iter().all(u8::is_ascii_digit)
        {
            out.push(&line[at + 1..at + 6]);
        }
    }
    out
}

/// The README's code table: `| CODE | level | meaning |` rows.
fn readme_code_table() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            match cells.as_slice() {
                ["", code, level, _meaning, ""]
                    if code.len() == 5 && matches!(*level, "error" | "warning") =>
                {
                    Some((code.to_string(), level.to_string()))
                }
                _ => None,
            }
        })
        .collect()
}

#[test]
fn every_registered_code_is_in_the_readme_table_with_its_level() {
    use verdict_compiler::{codes, Severity};
    let table = readme_code_table();
    let mut problems = Vec::new();
    for info in codes::ALL {
        let level = match info.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let rows: Vec<_> = table.iter().filter(|(c, _)| c == info.code).collect();
        match rows.as_slice() {
            [(_, l)] if l == level => {}
            [] => problems.push(format!("{} is not in the README's code table", info.code)),
            _ => problems.push(format!(
                "{}: README rows {rows:?}, registry {level}",
                info.code
            )),
        }
    }
    for (code, _) in &table {
        if codes::info(code).is_none() {
            problems.push(format!("README documents {code}, which the registry lacks"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn no_code_literal_outside_the_registry_and_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "grammar/src", "compiler/src", "runtime/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 10);
    let mut found = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(root).unwrap_or(file);
        let is_test = rel.file_name().is_some_and(|n| n == "tests.rs")
            || rel.components().any(|c| c.as_os_str() == "tests");
        if is_test || rel == Path::new("compiler/src/codes.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in non_test_lines(&text) {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for code in quoted_codes(line) {
                found.push(format!("{}:{n}: \"{code}\"", rel.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "use the constants of `verdict_compiler::codes` (python3 codes-replace.py): {found:#?}"
    );
}

/// Whether `word` occurs in `text` with no letter, digit or `_` either side.
fn mentions_word(text: &str, word: &str) -> bool {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    text.match_indices(word).any(|(at, _)| {
        let before = text.as_bytes().get(at.wrapping_sub(1)).copied();
        let after = text.as_bytes().get(at + word.len()).copied();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// Codes no test makes fire, each with why. The list may only shrink: a
/// code listed here that a test does make fire fails the check below.
const CODES_WITHOUT_A_FIRING_TEST: &[(&str, &str)] = &[];

#[test]
fn every_code_has_a_test_that_makes_it_fire() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    for dir in ["src", "grammar", "compiler", "runtime", "tests"] {
        rust_files(&root.join(dir), &mut sources);
    }
    let mut test_text = String::new();
    for file in &sources {
        let rel = file.strip_prefix(root).unwrap_or(file);
        if rel == Path::new("tests/tidy.rs") || rel == Path::new("compiler/src/codes.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        let whole_file_is_tests = rel.starts_with("tests")
            || rel.file_name().is_some_and(|n| n == "tests.rs")
            || rel.components().any(|c| c.as_os_str() == "tests");
        if whole_file_is_tests {
            test_text.push_str(&text);
        } else {
            // Only the inline test modules count.
            let kept: std::collections::HashSet<usize> =
                non_test_lines(&text).into_iter().map(|(n, _)| n).collect();
            for (n, line) in text.lines().enumerate() {
                if !kept.contains(&(n + 1)) {
                    test_text.push_str(line);
                    test_text.push('\n');
                }
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(root.join("tests/snapshots")) {
        for entry in entries.flatten() {
            test_text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    let mut untested = Vec::new();
    let mut listed_but_tested = Vec::new();
    for info in verdict_compiler::codes::ALL {
        let fired = mentions_word(&test_text, info.code);
        let excused = CODES_WITHOUT_A_FIRING_TEST
            .iter()
            .any(|(c, _)| *c == info.code);
        match (fired, excused) {
            (false, false) => untested.push(info.code),
            (true, true) => listed_but_tested.push(info.code),
            _ => {}
        }
    }
    assert!(
        untested.is_empty(),
        "codes no test or snapshot mentions: {untested:?}"
    );
    assert!(
        listed_but_tested.is_empty(),
        "tested now, remove from CODES_WITHOUT_A_FIRING_TEST: {listed_but_tested:?}"
    );
}

/// bincode is unmaintained and pinned: it is called from one file of the
/// runtime only, so that swapping the codec is a format version bump.
#[test]
fn bincode_is_called_from_the_runtime_codec_only() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "grammar", "compiler", "runtime", "benches"] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut callers: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            text.lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .any(|line| line.contains("bincode::"))
        })
        .map(|f| f.strip_prefix(root).unwrap_or(f).display().to_string())
        .collect();
    callers.sort();
    assert_eq!(callers, ["runtime/src/wire/codec.rs"]);
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
