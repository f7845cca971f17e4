//! Integration tests (stub until implemented).
