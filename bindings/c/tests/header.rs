//! `include/verdict.h` is what cbindgen generates from `src/lib.rs` with
//! `cbindgen.toml`: this test regenerates it and fails when the committed
//! header differs (`VERDICT_BLESS=1` writes it instead).
#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use std::path::Path;

#[test]
fn the_committed_header_is_what_cbindgen_generates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = match cbindgen::Config::from_file(root.join("cbindgen.toml")) {
        Ok(config) => config,
        Err(err) => panic!("cbindgen.toml: {err}"),
    };
    let bindings = match cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("src/lib.rs"))
        .generate()
    {
        Ok(bindings) => bindings,
        Err(err) => panic!("cbindgen: {err}"),
    };
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let generated = String::from_utf8(generated).unwrap_or_default();
    let path = root.join("include/verdict.h");
    if std::env::var_os("VERDICT_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap_or_else(|err| panic!("{err}"));
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/verdict.h is stale: regenerate it with \
         `VERDICT_BLESS=1 cargo test -p verdict-c --test header`"
    );
    for name in [
        "verdict_table_open",
        "verdict_handle_reload",
        "VERDICT_ALLOW",
    ] {
        assert!(generated.contains(name), "{name} missing from the header");
    }
}
