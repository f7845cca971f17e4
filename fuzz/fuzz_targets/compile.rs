//! Fuzz target: compiling arbitrary DSL text (which may import one arbitrary
//! JSON policy) never panics; a table comes out exactly when there are no
//! errors, and it survives a bytes round trip.
#![no_main]

use verdict_compiler::{compile, Config, Input, MemoryLoader};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Split at the first NUL: DSL before, an importable `p.json` after.
    let (dsl, json) = text.split_once('\0').unwrap_or((text, "{}"));
    let mut files = MemoryLoader::default();
    files.insert("org.vp", dsl);
    files.insert("p.json", json);
    let out = compile(&[Input::auto("org.vp")], &Config::default(), &mut files);
    assert_eq!(out.table.is_some(), !out.has_errors());
    if let Some(table) = out.table {
        let again = verdict_runtime::Table::from_bytes(&table.to_bytes()).expect("round trip");
        assert_eq!(again, table);
    }
});
