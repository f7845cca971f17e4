//! The `verdict` command line (stub until implemented).
#![forbid(unsafe_code)]
fn main() {}
