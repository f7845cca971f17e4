//! verdict runtime (stub until implemented).
#![forbid(unsafe_code)]
