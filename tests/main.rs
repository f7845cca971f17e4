//! The integration tests of verdict, in one binary: semantic cases from
//! SEMANTICS.md run through the compiler, the table and the reference
//! evaluator; property tests comparing the table with the reference
//! evaluator; the CLI contract; the audit commands (diff, lint, queries,
//! exports, explain) and the HTML report in headless Chromium; access
//! gates, patterns and did-you-mean (`gates.rs`); the CI examples' commands
//! on their before/after pair (`ci.rs`); diagnostics
//! that fit a terminal for any input; `verdict bench`;
//! `fmt` and `convert` round trips; fail-closed behaviour; pipes and
//! co-processes with the real binary; one compile pipeline for five commands; the same requests through the CLI
//! batch and the C and Go bindings; the tidy checks.
//! co-processes with the real binary; the same requests through the CLI
//! batch and the C and Go bindings; CloudFormation and CDK templates; the
//! tidy checks.

mod accounts;
mod audit;
mod bench;
mod bindings;
mod browser;
mod ci;
mod cli;
mod conditions;
mod convert;
mod diagnostics;
mod dumps;
mod exits;
mod explain;
mod findings;
mod fmt;
mod formats;
mod gates;
mod golden;
mod hostile;
mod keys;
mod managed;
mod outcomes;
mod pipeline;
mod pipes;
mod props;
mod reach;
mod requests;
mod robust;
mod semantics;
mod signed;
mod support;
mod templates;
mod terraform;
mod tidy;
