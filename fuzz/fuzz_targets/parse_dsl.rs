//! Fuzz target: the `.vp` DSL parser never panics, and error spans stay inside the input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(err) = verdict_grammar::parse_dsl(text) {
            assert!(err.span.start <= err.span.end && err.span.end as usize <= text.len());
        }
    }
});
