//! Fuzz target: the CLI's batch reader (`verdict check TABLE --batch`) on
//! arbitrary input never panics, answers every input line with exactly one
//! JSON line, and never answers `allow` to a line that names no principal
//! and action of the table.
//!
//! The tables are compiled once from the example organisation and from a
//! policy with Resource and Condition blocks (used when the compiler accepts
//! it, so conditional cells and residual programs are reached); the first
//! input byte chooses the table (its low 4 bits) and the limits (bit 4 set:
//! small limits, so the limit paths are reachable); seeds start with `@`
//! (first table, default limits), `A` (second table) or `P` (small limits).
#![no_main]

use std::sync::OnceLock;

use verdict::batch::{answer_lines, RequestLimits};
use verdict_compiler::{compile, Config, Input, MemoryLoader};
use verdict_runtime::Table;

const ORG: &str = include_str!("../../examples/chime-org.vp");
const POLICIES: [&str; 4] = [
    "AmazonChimeFullAccess",
    "AmazonChimeReadOnly",
    "AmazonChimeUserManagement",
    "AmazonChimeSDK",
];
const POLICY_TEXTS: [&str; 4] = [
    include_str!("../../examples/policies/AmazonChimeFullAccess.json"),
    include_str!("../../examples/policies/AmazonChimeReadOnly.json"),
    include_str!("../../examples/policies/AmazonChimeUserManagement.json"),
    include_str!("../../examples/policies/AmazonChimeSDK.json"),
];
const CONDITIONAL: &str = r#"
policy Meetings {
  allow chime:GetMeeting, chime:CreateAttendee on "arn:aws:chime:*:111122223333:meeting/*"
  allow chime:ListUsers when { IpAddress aws:SourceIp = 10.0.0.0/8 }
  deny chime:DeleteMeeting when { StringNotEquals aws:PrincipalTag/team = [red, blue] }
  allow chime:*Meeting*
}
user alice { attach Meetings }
role Bot { attach Meetings }
"#;

fn tables() -> &'static [Table] {
    static TABLES: OnceLock<Vec<Table>> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut files = MemoryLoader::default();
        files.insert("org.vp", ORG);
        for (name, text) in POLICIES.iter().zip(POLICY_TEXTS) {
            files.insert(format!("policies/{name}.json"), text);
        }
        files.insert("conditional.vp", CONDITIONAL);
        ["org.vp", "conditional.vp"]
            .iter()
            .filter_map(|path| compile(&[Input::auto(*path)], &Config::default(), &mut files).table)
            .collect()
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let tables = tables();
    let Some((&mode, input)) = data.split_first() else {
        return;
    };
    let Some(table) = tables.get(usize::from(mode & 0x0f) % tables.len().max(1)) else {
        return;
    };
    let limits = if mode & 0x10 == 0 {
        RequestLimits::default()
    } else {
        RequestLimits {
            line_bytes: 64,
            context_keys: 2,
            context_values: 3,
            resource_bytes: 40,
            value_bytes: 8,
        }
    };
    let mut reader = input;
    let mut output = Vec::new();
    let res = answer_lines(table, &limits, &mut reader, &mut output);
    assert!(
        res.is_ok(),
        "reading a slice and writing a vector cannot fail"
    );
    let output = String::from_utf8(output).expect("the output is UTF-8");
    let n_lines = if input.is_empty() {
        0
    } else {
        input.split(|&b| b == b'\n').count() - usize::from(input.ends_with(b"\n"))
    };
    assert_eq!(output.lines().count(), n_lines, "one answer per line");
    for (answer, line) in output.lines().zip(input.split(|&b| b == b'\n')) {
        let answer: serde_json::Value = serde_json::from_str(answer).expect("answers are JSON");
        let decision = answer["decision"].as_str().expect("a decision");
        assert!(
            ["allow", "deny", "implicit-deny", "error"].contains(&decision),
            "{decision}"
        );
        if decision == "error" {
            assert!(answer["error"].is_string(), "an error says why");
            continue;
        }
        // A decision was given: the line was a request for a known principal
        // and action, echoed back.
        let request: serde_json::Value =
            serde_json::from_slice(line).expect("an answered line is JSON");
        let principal = request["principal"].as_str().expect("a principal");
        let action = request["action"].as_str().expect("an action");
        assert_eq!(answer["principal"], principal);
        assert_eq!(answer["action"], action);
        assert!(table.principal(principal).is_ok() && table.action(action).is_ok());
    }
});
