//! Fuzz target: the account-dump reader never panics, and error spans stay inside the input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(errors) = verdict_grammar::parse_account_dump(text) {
            for err in errors {
                assert!(err.span.start <= err.span.end && err.span.end as usize <= text.len());
            }
        }
    }
});
