//! verdict compiler (stub until implemented).
#![forbid(unsafe_code)]
pub mod catalog;
pub mod glob;
