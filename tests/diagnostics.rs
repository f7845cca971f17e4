//! Diagnostics that fit a terminal, for any input (issue 11, item 1): the
//! reproductions of the issue on generated one-line and pretty-printed
//! account dumps (the miette panic past column 65,535, distant labels, the
//! false E0205 errors under `--limit policies=10`, many findings of one
//! kind), the dump context (entity, policy, statement) in every format,
//! and snapshots of a windowed long-line diagnostic and a multi-label one.

use crate::cli::{run, Output, TempDir};
use verdict::synth::{self, Mix, Shape};
use verdict_compiler::Catalog;

const FORMATS: [&str; 3] = ["human", "short", "json"];

/// A generated organisation of `users` users as a one-line account dump.
fn org_dump(users: usize) -> String {
    let shape = Shape {
        users,
        roles: users / 100,
        groups: 20,
        policies: 100,
        seed: 7,
    };
    synth::generate(shape, Mix::default(), &Catalog::builtin("chime").unwrap())
        .to_dump("123456789012")
}

/// `dump` with one more user at the end, attaching `policies` (names of
/// customer managed policies the dump may lack), with an inline policy
/// naming an unknown action.
fn with_last_user(dump: &str, policies: &[&str]) -> String {
    let mut value: serde_json::Value = serde_json::from_str(dump).unwrap();
    let attached: Vec<serde_json::Value> = policies
        .iter()
        .map(|name| {
            serde_json::json!({
                "PolicyName": name,
                "PolicyArn": format!("arn:aws:iam::123456789012:policy/{name}"),
            })
        })
        .collect();
    let user = serde_json::json!({
        "UserName": "zed",
        "Arn": "arn:aws:iam::123456789012:user/zed",
        "AttachedManagedPolicies": attached,
        "UserPolicyList": [{
            "PolicyName": "ZedOwn",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Sid": "First", "Effect": "Allow", "Action": "chime:ListUsers", "Resource": "*"},
                {"Sid": "Typo", "Effect": "Allow", "Action": "chime:ListUser", "Resource": "*"},
            ]},
        }],
    });
    value["UserDetailList"].as_array_mut().unwrap().push(user);
    value.to_string()
}

fn lines_within(out: &str, max_chars: usize) {
    for line in out.lines() {
        assert!(
            line.chars().count() <= max_chars,
            "a line of {} characters: {}…",
            line.chars().count(),
            line.chars().take(120).collect::<String>()
        );
    }
}

fn compile(dir: &TempDir, format: &str, dump: &std::path::Path, extra: &[&str]) -> Output {
    let out = dir.path("t.vdt");
    let mut args = vec![
        "compile",
        "--message-format",
        format,
        "--aws-account",
        dump.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// The issue's first reproduction: a diagnostic past column 65,535 of a
/// one-line dump made miette panic (exit 101) in `compile` and `lint`.
#[test]
fn a_diagnostic_past_column_65535_renders_in_every_format() {
    let dir = TempDir::new();
    let text = with_last_user(&org_dump(1_000), &["Missing"]);
    assert!(text.len() > 100_000 && !text.contains('\n'));
    let dump = dir.write("dump.json", &text);
    for format in FORMATS {
        let out = compile(&dir, format, &dump, &[]);
        assert_eq!(out.status, 1, "{format}: {}", out.stderr);
        assert!(out.stderr.contains("E0205"), "{format}: {}", out.stderr);
        assert!(out.stderr.contains("W0201"), "{format}: {}", out.stderr);
        let lint = run(&["--message-format", format, "lint", dump.to_str().unwrap()]);
        assert_eq!(lint.status, 1, "{format}: {}", lint.stderr);
        assert!(lint.stdout.contains("E0205"), "{format}");
        if format == "human" {
            lines_within(&out.stderr, 200);
            lines_within(&lint.stdout, 200);
            // The real column (of the string's opening quote), not one of
            // the excerpt.
            let col = text
                .find("\"arn:aws:iam::123456789012:policy/Missing")
                .unwrap()
                + 1;
            assert!(col > 65_535);
            assert!(out.stderr.contains(&format!(":1:{col}]")), "{}", out.stderr);
        }
    }
}

/// One error whose labels are in distant places printed every line
/// between them; now each label gets its own few lines.
#[test]
fn distant_labels_get_their_own_excerpts() {
    let dir = TempDir::new();
    let compact = org_dump(300);
    let mut value: serde_json::Value = serde_json::from_str(&compact).unwrap();
    let users = value["UserDetailList"].as_array_mut().unwrap();
    let n_users = users.len();
    for idx in [0, n_users / 2, n_users - 1] {
        users[idx]["AttachedManagedPolicies"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "PolicyName": "Gone",
                "PolicyArn": "arn:aws:iam::123456789012:policy/Gone",
            }));
    }
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    assert!(pretty.lines().count() > 5_000);
    let dump = dir.write("dump.json", &pretty);
    let out = compile(&dir, "human", &dump, &[]);
    assert_eq!(out.status, 1);
    assert_eq!(out.stderr.matches("× ").count(), 1, "{}", out.stderr);
    // Three places, each with a line of context either side, in three
    // snippets: a few dozen lines, not the thousands between them.
    let e0205 = section(&out.stderr, "E0205");
    assert_eq!(e0205.matches("╭─[").count(), 3, "{e0205}");
    assert!(e0205.lines().count() < 30, "{e0205}");
    lines_within(&out.stderr, 200);
    // The same on one line: three excerpts of line 1.
    let one_line = dir.write("one-line.json", &value.to_string());
    let out = compile(&dir, "human", &one_line, &[]);
    let e0205 = section(&out.stderr, "E0205");
    assert_eq!(e0205.matches("╭─[").count(), 3, "{e0205}");
    assert!(e0205.lines().count() < 30, "{e0205}");
    lines_within(&out.stderr, 200);
}

/// With `--limit policies=10`, the dropped policies made every attachment
/// of theirs an E0205 error before the real E0003.
#[test]
fn a_limit_error_stops_the_front_end() {
    let dir = TempDir::new();
    let dump = dir.write("dump.json", &org_dump(500));
    for format in FORMATS {
        let out = compile(&dir, format, &dump, &["--limit", "policies=10"]);
        assert_eq!(out.status, 1, "{}", out.stderr);
        assert!(!out.stderr.contains("E0205"), "{format}: {}", out.stderr);
        assert_eq!(out.stderr.matches("E0003").count(), 1, "{}", out.stderr);
        assert!(out.stderr.contains("policies=N"), "{}", out.stderr);
    }
}

/// Many findings of one kind: the human format shows the first few per
/// code and counts the rest; `--all-diagnostics`, `short` and `json` list
/// every one.
#[test]
fn many_findings_are_summarised_in_the_human_format() {
    let dir = TempDir::new();
    let dump = dir.write("dump.json", &org_dump(2_000));
    let lint = |args: &[&str]| {
        let mut argv = args.to_vec();
        argv.extend(["lint", dump.to_str().unwrap()]);
        run(&argv)
    };
    let short = lint(&["--message-format", "short"]);
    let all: Vec<&str> = short.stdout.lines().collect();
    let json = lint(&["--message-format", "json"]);
    assert_eq!(json.stdout.lines().count(), all.len());
    let mut per_code = std::collections::BTreeMap::<&str, usize>::new();
    for line in &all {
        let code = line.split('[').nth(1).unwrap().split(']').next().unwrap();
        *per_code.entry(code).or_default() += 1;
    }
    let many = per_code.iter().filter(|(_, n)| **n > 5).count();
    assert!(many > 0, "the organisation has a code with many findings");
    let human = lint(&[]);
    assert_eq!(human.status, short.status);
    let shown: usize = per_code.values().map(|n| (*n).min(5)).sum();
    let n_reports = |text: &str| text.lines().filter(|l| is_code_line(l)).count();
    assert_eq!(n_reports(&human.stdout), shown, "{}", human.stdout);
    let hidden = all.len() - shown;
    assert!(
        human.stdout.contains(&format!(
            "note: {} more diagnostic(s) not shown",
            thousands(hidden)
        )),
        "{}",
        human.stdout
    );
    for (code, n) in per_code.iter().filter(|(_, n)| **n > 5) {
        assert!(
            human
                .stdout
                .contains(&format!("{code}: {} more", thousands(n - 5))),
            "{code}: {}",
            human.stdout
        );
    }
    assert!(human.stdout.contains("--all-diagnostics"));
    let every = lint(&["--all-diagnostics"]);
    assert_eq!(n_reports(&every.stdout), all.len());
    assert!(!every.stdout.contains("not shown"));
}

/// The human report of the first diagnostic of `code` in `out`: from the
/// line with the code to the next report's code line (or the end).
fn section(out: &str, code: &str) -> String {
    let mut lines = out.lines().skip_while(|l| *l != code);
    let mut section = vec![lines.next().unwrap_or_else(|| panic!("no {code}: {out}"))];
    section.extend(lines.take_while(|l| !is_code_line(l) && !l.starts_with("error: ")));
    section.join("\n")
}

/// A line holding only a diagnostic code (`W0201`), as miette starts a report.
fn is_code_line(line: &str) -> bool {
    line.len() == 5
        && line.starts_with(['E', 'W'])
        && line.chars().skip(1).all(|c| c.is_ascii_digit())
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (idx, c) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Diagnostics inside a dump name the entity, policy and statement.
#[test]
fn dump_diagnostics_name_their_entity_policy_and_statement() {
    let dir = TempDir::new();
    let dump = dir.write("dump.json", &with_last_user(&org_dump(50), &[]));
    let path = dump.to_str().unwrap();
    let short = run(&["--message-format", "short", "lint", path]);
    let typo = short
        .stdout
        .lines()
        .find(|l| l.contains("W0201"))
        .unwrap_or_else(|| panic!("{}", short.stdout));
    assert!(
        typo.contains(r#"(in policy ZedOwn, statement 2 (Sid "Typo") of user zed)"#),
        "{typo}"
    );
    let json = run(&["--message-format", "json", "lint", path]);
    let typo: serde_json::Value = json
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["code"] == "W0201")
        .unwrap();
    assert_eq!(typo["entity_kind"], "user");
    assert_eq!(typo["entity"], "zed");
    assert_eq!(typo["policy"], "ZedOwn");
    assert_eq!(typo["statement"], 2);
    assert_eq!(typo["sid"], "Typo");
    let human = run(&["--all-diagnostics", "lint", path]);
    assert!(
        human
            .stdout
            .contains(r#"in policy ZedOwn, statement 2 (Sid "Typo") of user zed"#),
        "{}",
        human.stdout
    );
}

/// Snapshots: a diagnostic deep in a one-line dump (windowed, with the
/// real column), and one with several labels.
#[test]
fn windowed_and_multi_label_snapshots() {
    let dir = TempDir::new();
    let text = with_last_user(&org_dump(200), &["Missing"]);
    let dump = dir.write("dump.json", &text);
    let lint = run(&["--message-format", "human", "lint", dump.to_str().unwrap()]);
    let path = dump.to_str().unwrap();
    let pick = |code: &str| section(&lint.stdout, code).replace(path, "dump.json");
    insta::assert_snapshot!("windowed_long_line", pick("W0201"));
    // Several labels: a policy missing from the dump, attached in distant
    // places of a pretty-printed dump and of the same line.
    let mut value: serde_json::Value = serde_json::from_str(&org_dump(40)).unwrap();
    for idx in [0, 1, 39] {
        value["UserDetailList"][idx]["AttachedManagedPolicies"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "PolicyName": "Gone",
                "PolicyArn": "arn:aws:iam::123456789012:policy/Gone",
            }));
    }
    let pretty = dir.write(
        "pretty.json",
        &serde_json::to_string_pretty(&value).unwrap(),
    );
    let out = compile(&dir, "human", &pretty, &[]);
    let text = out.stderr.replace(pretty.to_str().unwrap(), "pretty.json");
    insta::assert_snapshot!("multi_label", section(&text, "E0205"));
}

// ---------------------------------------------------------------------------
// The renderer's property: any spans on any text render in every format,
// without panic, within a size that does not grow with the source.
// ---------------------------------------------------------------------------

use proptest::prelude::*;
use verdict::render;
use verdict_compiler::{Diagnostic, FileId, SourceMap};
use verdict_grammar::Span;

/// Pieces of source text: plain runs, multi-byte characters, tabs, line
/// terminators of every kind, control and bidirectional characters, and
/// runs long enough to pass column 65,535.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z\"{}:,]{1,20}",
        2 => Just("é".to_string()),
        1 => Just("€😀".to_string()),
        1 => Just("\t".to_string()),
        2 => Just("\n".to_string()),
        1 => Just("\r\n".to_string()),
        1 => Just("\r".to_string()),
        1 => Just("\u{1}\u{202E}\u{85}".to_string()),
        1 => (1usize..3_000).prop_map(|n| "x".repeat(n)),
        1 => (65_000usize..140_000).prop_map(|n| "é".repeat(n / 2)),
    ]
}

fn source_text() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        6 => prop::collection::vec(piece(), 0..24).prop_map(|p| p.concat()),
    ]
}

/// A span given as fractions of the text (so it lands anywhere, at odd
/// bytes inside characters too), or past the end, or reversed.
fn span(len: usize) -> impl Strategy<Value = Span> {
    let len = len as u64;
    (0u64..=1000, 0u64..=1000, 0u32..8).prop_map(move |(a, b, kind)| {
        let at = |f: u64| (len * f / 1000) as u32;
        match kind {
            0 => Span {
                start: at(a),
                end: at(a),
            },
            1 => Span {
                start: at(b),
                end: at(a),
            }, // maybe reversed
            2 => Span {
                start: len as u32,
                end: len as u32 + 3,
            },
            3 => Span {
                start: at(a),
                end: at(a).saturating_add(3),
            },
            _ => Span::new(at(a.min(b)) as usize, at(a.max(b)) as usize),
        }
    })
}

fn text_of(n: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z `]{0,30}".prop_map(String::from),
        1 => Just("w".repeat(n)),
        1 => Just("\n\t\u{1}".repeat(n / 3)),
    ]
}

/// A source map of one or two files and a diagnostic with labels in them.
fn case() -> impl Strategy<Value = (SourceMap, Diagnostic)> {
    (source_text(), source_text()).prop_flat_map(|(first, second)| {
        let (len1, len2) = (first.len(), second.len());
        let labels =
            prop::collection::vec((any::<bool>(), span(len1), span(len2), text_of(900)), 0..12);
        (
            Just(first),
            Just(second),
            labels,
            text_of(3_000),
            proptest::option::of(text_of(2_000)),
            any::<bool>(),
        )
            .prop_map(|(first, second, labels, message, help, error)| {
                let mut sources = SourceMap::default();
                let a = sources.add("a.json", first);
                let b = sources.add("b.vp", second);
                let mut d = if error {
                    Diagnostic::error("E0001", message)
                } else {
                    Diagnostic::warning("W0001", message)
                };
                for (idx, (in_a, span_a, span_b, label)) in labels.into_iter().enumerate() {
                    let (file, span) = if in_a { (a, span_a) } else { (b, span_b) };
                    d = if idx == 0 {
                        d.at(file, span, label)
                    } else {
                        d.with_related(file, span, label)
                    };
                }
                if let Some(help) = help {
                    d = d.with_help(help);
                }
                // Now and then a label in a file the map does not have.
                if d.related.len() == 3 {
                    d = d.with_related(FileId(7), Span::new(0, 1), "elsewhere");
                }
                (sources, d)
            })
    })
}

/// Most bytes of one human report, whatever the source: the message, help
/// and label texts are clipped to `MAX_TEXT` characters, at most
/// `MAX_LABELS` labels are drawn, each over at most three lines of
/// `MAX_COLS` characters (4 bytes each at most) with a gutter and
/// underline of similar width.
const HUMAN_BOUND: usize = {
    let text = render::MAX_TEXT * 4 * 3; // message, help, a label; UTF-8
    let snippet = 12 * (render::MAX_COLS + 2) * 4 + 400; // lines of a box
    text + render::MAX_LABELS * (snippet + render::MAX_TEXT * 4 + 200) + 2_000
};

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::props::cases(64), ..ProptestConfig::default() })]

    #[test]
    fn any_spans_render_in_every_format_within_a_bound((sources, d) in case()) {
        let plain = render::human(&sources, &d, false);
        prop_assert!(plain.len() <= HUMAN_BOUND, "{} bytes:\n{plain}", plain.len());
        for line in plain.lines() {
            prop_assert!(line.chars().count() <= render::MAX_COLS + render::MAX_TEXT + 120, "{line}");
        }
        let coloured = render::human(&sources, &d, true);
        prop_assert!(coloured.len() <= 4 * HUMAN_BOUND);
        // short and json are complete, so their size follows the
        // diagnostic's texts, never the source's.
        let texts: usize = d.message.len()
            + d.help.as_ref().map_or(0, String::len)
            + d.primary.iter().chain(&d.related).map(|l| l.message.len()).sum::<usize>();
        let n_labels = d.primary.iter().count() + d.related.len();
        let short = render::short(&sources, &d);
        prop_assert!(short.len() <= d.message.len() + d.help.as_ref().map_or(0, String::len) + 200);
        let json = render::json(&sources, &d).to_string();
        prop_assert!(json.len() <= 6 * texts + 300 * (n_labels + 1), "{} bytes", json.len());
        // The primary label's real position is in the human header.
        if let Some(primary) = &d.primary {
            let file = sources.get(primary.file).unwrap();
            let (line, col) = file.line_col(primary.span.start);
            let header = format!("[{}:{line}:{col}]", file.path);
            prop_assert!(plain.contains(&header), "{header} in\n{plain}");
        }
    }
}
