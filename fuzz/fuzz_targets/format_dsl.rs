//! Fuzz target: the `.vp` formatter never panics, never fails its own check
//! (same tree, same comments) on a file that parses, and is idempotent.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match verdict_grammar::format_dsl(text) {
            Ok(once) => {
                let twice = verdict_grammar::format_dsl(&once).expect("formatted text formats");
                assert_eq!(once, twice, "formatting is idempotent");
            }
            Err(verdict_grammar::FormatError::Syntax(_)) => {
                assert!(verdict_grammar::parse_dsl(text).is_err());
            }
            Err(err @ verdict_grammar::FormatError::Internal(_)) => panic!("{err}"),
        }
    }
});
