//! Fuzz target: the `.vp` DSL parser never panics, and error spans stay inside the input.
//! Under tight limits it also never panics, its spans stay inside the input,
//! and whatever it accepts it parses exactly as with the default limits
//! (a limit only ever turns an answer into an error).
#![no_main]

use verdict_grammar::{parse_dsl, parse_dsl_with, ParseLimits};

/// Tight limits, so the fuzzer reaches every limit check with small inputs.
const TIGHT: ParseLimits = ParseLimits {
    input_bytes: 2048,
    json_depth: 6,
    string_bytes: 12,
    statements: 3,
};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let loose = parse_dsl(text);
        let tight = parse_dsl_with(text, &TIGHT);
        for err in [&loose, &tight]
            .into_iter()
            .filter_map(|r| r.as_ref().err())
        {
            assert!(err.span.start <= err.span.end && err.span.end as usize <= text.len());
        }
        if let Ok(file) = &tight {
            assert_eq!(loose.as_ref().ok(), Some(file));
        }
    }
});
