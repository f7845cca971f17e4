//! End to end in a real browser: `verdict export --format html` opened in
//! headless Chromium (Debian's `chromium` package), whose DOM after the
//! page's script ran must hold the expected rows, cells, legend counts and
//! filters. Skipped, with a notice on stderr, only when no Chromium is
//! installed (install it with `apt-get install chromium`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use verdict_runtime::{Cell, Table};

use crate::cli::{run, TempDir};

/// The Chromium binary, if one is installed.
fn chromium() -> Option<PathBuf> {
    let candidates = ["chromium", "chromium-browser", "google-chrome"];
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in candidates {
            let bin = dir.join(name);
            if bin.is_file() {
                return Some(bin);
            }
        }
    }
    None
}

/// The DOM of `url` after its scripts ran, from `chromium --dump-dom`.
fn dump_dom(chromium: &Path, profile: &Path, url: &str) -> String {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut { stdout }, &mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().expect("reader")
}

/// The `<tr data-principal="NAME">…</tr>` element of the dumped DOM.
fn row<'a>(dom: &'a str, principal: &str) -> &'a str {
    let start = dom
        .find(&format!("<tr data-principal=\"{principal}\">"))
        .unwrap_or_else(|| panic!("no row for {principal}"));
    let len = dom[start..].find("</tr>").expect("row end");
    &dom[start..start + len]
}

fn attribute<'a>(dom: &'a str, name: &str) -> &'a str {
    let key = format!("{name}=\"");
    let start = dom.find(&key).unwrap_or_else(|| panic!("no {name}")) + key.len();
    let len = dom[start..].find('"').expect("quote");
    &dom[start..start + len]
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        eprintln!(
            "NOTICE: html_report_renders_in_headless_chromium skipped: no chromium installed (apt-get install chromium)"
        );
        return;
    };
    let dir = TempDir::new();
    let table_path = dir.path("org.vdt");
    let source = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/test_data/audit/before.vp"
    );
    let catalog = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/test_data/audit/mini-catalog.tsv"
    );
    let out = run(&[
        "compile",
        source,
        "--catalog",
        catalog,
        "-o",
        table_path.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let html = dir.path("report.html");
    let out = run(&[
        "export",
        table_path.to_str().unwrap(),
        "--format",
        "html",
        "-o",
        html.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let table = Table::open(&table_path).unwrap();
    let url = format!("file://{}", html.display());
    let profile = dir.path("profile");

    let dom = dump_dom(&chromium, &profile, &url);
    assert_eq!(attribute(&dom, "data-rendered"), "true", "the script ran");
    assert_eq!(attribute(&dom, "data-shown-principals"), "4");
    assert_eq!(attribute(&dom, "data-shown-actions"), "14");
    // Every principal's row has one cell per action, of the table's kinds.
    for p in table.principals() {
        let name = table.principal_name(p);
        let tr = row(&dom, name);
        for (cell, class) in [
            (Cell::Allow, "c allow"),
            (Cell::Deny, "c deny"),
            (Cell::ImplicitDeny, "c implicit-deny"),
        ] {
            let expected = table
                .actions()
                .filter(|&a| table.cell(p, a) == cell)
                .count();
            assert_eq!(
                tr.matches(&format!("class=\"{class}\"")).count(),
                expected,
                "{name}: {class}"
            );
        }
    }
    // The legend counts the whole table's cells.
    let denies = table
        .principals()
        .flat_map(|p| table.actions().map(move |a| (p, a)))
        .filter(|&(p, a)| table.cell(p, a) == Cell::Deny)
        .count();
    assert_eq!(attribute(&dom, "data-count-deny"), denies.to_string());
    // Access-level bands head the columns.
    assert!(dom.contains("data-level=\"Permissions management\""));

    // Filters from the address: one principal, the Delete actions.
    let dom = dump_dom(&chromium, &profile, &format!("{url}#p=bob&a=Delete"));
    assert_eq!(attribute(&dom, "data-shown-principals"), "1");
    assert_eq!(attribute(&dom, "data-shown-actions"), "4");
    assert!(dom.contains("<tr data-principal=\"user/bob\">"));
    assert!(!dom.contains("<tr data-principal=\"user/alice\">"));
    assert_eq!(
        row(&dom, "user/bob")
            .matches("class=\"c implicit-deny\"")
            .count(),
        4
    );
    // An access level filters actions too.
    let dom = dump_dom(
        &chromium,
        &profile,
        &format!("{url}#a=permissions%20management"),
    );
    assert_eq!(attribute(&dom, "data-shown-actions"), "2");
}
