//! Fuzz target: the `.vp` formatter never panics, never fails its own check
//! (same tree, same comments) on a file that parses, and is idempotent.
//! Under tight limits it formats exactly the files the parser accepts under
//! them, and formats them as with the default limits.
#![no_main]

use verdict_grammar::{
    format_dsl, format_dsl_with, parse_dsl, parse_dsl_with, FormatError, ParseLimits,
};

/// Tight limits, so the fuzzer reaches every limit check with small inputs.
const TIGHT: ParseLimits = ParseLimits {
    input_bytes: 2048,
    json_depth: 6,
    string_bytes: 12,
    statements: 3,
};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let loose = format_dsl(text);
        match &loose {
            Ok(once) => {
                let twice = format_dsl(once).expect("formatted text formats");
                assert_eq!(once, &twice, "formatting is idempotent");
            }
            Err(FormatError::Syntax(_)) => {
                assert!(parse_dsl(text).is_err());
            }
            Err(err @ FormatError::Internal(_)) => panic!("{err}"),
        }
        match format_dsl_with(text, &TIGHT) {
            Ok(tight) => assert_eq!(loose.as_ref().ok(), Some(&tight)),
            Err(FormatError::Syntax(_)) => assert!(parse_dsl_with(text, &TIGHT).is_err()),
            Err(err @ FormatError::Internal(_)) => panic!("{err}"),
        }
    }
});
