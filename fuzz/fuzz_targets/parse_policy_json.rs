//! Fuzz target: the IAM JSON policy reader never panics, and error spans stay inside the input.
//! Under tight limits it also never panics, its spans stay inside the input,
//! and whatever it accepts it reads exactly as with the default limits.
#![no_main]

use verdict_grammar::{parse_policy_json, parse_policy_json_with, ParseLimits};

/// Tight limits, so the fuzzer reaches every limit check with small inputs.
const TIGHT: ParseLimits = ParseLimits {
    input_bytes: 2048,
    json_depth: 6,
    string_bytes: 12,
    statements: 3,
};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let loose = parse_policy_json(text);
        let tight = parse_policy_json_with(text, &TIGHT);
        for errors in [&loose, &tight]
            .into_iter()
            .filter_map(|r| r.as_ref().err())
        {
            for err in errors {
                assert!(err.span.start <= err.span.end && err.span.end as usize <= text.len());
            }
        }
        if let Ok(policy) = &tight {
            assert_eq!(loose.as_ref().ok(), Some(policy));
        }
    }
});
