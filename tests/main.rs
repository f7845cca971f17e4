//! The integration tests of verdict, in one binary: semantic cases from
//! SEMANTICS.md run through the compiler, the table and the reference
//! evaluator; property tests comparing the table with the reference
//! evaluator; the CLI contract; `fmt` and `convert` round trips; the tidy
//! checks.

mod cli;
mod conditions;
mod convert;
mod dumps;
mod fmt;
mod golden;
mod managed;
mod props;
mod robust;
mod semantics;
mod support;
mod tidy;
