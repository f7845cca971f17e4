//! The integration tests of verdict, in one binary: semantic cases from
//! SEMANTICS.md run through the compiler, the table and the reference
//! evaluator; property tests comparing the table with the reference
//! evaluator; the CLI contract; the audit commands (diff, lint, queries,
//! exports, explain) and the HTML report in headless Chromium; the tidy checks.

mod accounts;
mod audit;
mod browser;
mod cli;
mod conditions;
mod dumps;
mod explain;
mod golden;
mod managed;
mod props;
mod semantics;
mod support;
mod tidy;
