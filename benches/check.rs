//! bench stub
fn main() {}
