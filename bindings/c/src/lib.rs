//! The C ABI of verdict: load a decision table and answer checks from C (and
//! from any language with a C FFI, such as Go through cgo).
//!
//! The header is `include/verdict.h`, generated from this file by cbindgen
//! (`VERDICT_BLESS=1 cargo test -p verdict-c --test header` rewrites it; the
//! same test fails when it is stale). This crate is a thin layer: every answer
//! comes from `verdict-runtime` through `rt.rs`; nothing here decides.
//!
//! # Conventions
//!
//! - **Strings** are a pointer and a length in bytes (`const char *ptr, size_t
//!   len`), never NUL-terminated on the way in; they must be valid UTF-8
//!   (paths: any bytes on Unix). A NULL pointer is an error
//!   (`VERDICT_ERR_NULL`), except where an argument is documented as optional,
//!   and then only with length 0. Strings on the way out (error messages,
//!   decision names) are NUL-terminated.
//! - **Return codes**: checks return a decision (`VERDICT_ALLOW`,
//!   `VERDICT_DENY`, `VERDICT_IMPLICIT_DENY`, all positive) or an error code
//!   (negative, `VERDICT_ERR_*`); other calls return `VERDICT_OK` (0) or an
//!   error code, or a pointer that is NULL on error. Only `VERDICT_ALLOW`
//!   allows: compare with it, never with "not an error".
//! - **Errors** are reported per call, through an optional out-parameter
//!   `verdict_error **err` (not a thread-local "last error", which would be
//!   wrong for callers such as Go whose code moves between threads): when `err`
//!   is not NULL, `*err` is set to NULL on success and to a new error object on
//!   failure, which the caller reads (`verdict_error_code`,
//!   `verdict_error_load_class`, `verdict_error_message`) and frees with
//!   `verdict_error_free`. Passing NULL skips the allocation.
//! - **Ownership**: every object returned by a `_open`, `_from_bytes`,
//!   `_current` or `_last_error` call is the caller's and is freed by its
//!   `_free` function, exactly once; `_free(NULL)` does nothing.
//! - **Threads**: a `verdict_table` is immutable: share it between threads and
//!   check from all of them at once. A `verdict_handle` may be checked and
//!   reloaded from any thread at the same time; a check sees one table, never a
//!   mix, and a failed reload leaves the old table serving. A table taken from
//!   a handle (`verdict_handle_current`) stays valid and unchanged until freed,
//!   whatever reloads happen meanwhile.
//! - **Ids** (`verdict_principal_id`, `verdict_action_id`) are indexes into one
//!   table; use them only with that table (take it with
//!   `verdict_handle_current`, resolve ids, and resolve them again after a
//!   reload). An index out of range is an error (`VERDICT_ERR_UNKNOWN_ID`),
//!   never another principal's answer.
//! - **No panic crosses the boundary**: no code path is meant to panic, and every
//!   entry point catches one anyway and reports `VERDICT_ERR_INTERNAL`.
//!
//! # Crate features
//!
//! None. The crate builds a `cdylib` (`libverdict_c.so`), a `staticlib`
//! (`libverdict_c.a`, link with `-lpthread -ldl -lm`) and an `rlib`.

// The C ABI takes raw pointers from foreign code; reading them is `unsafe` by
// nature. The unsafe code is confined to this file: small blocks, each with a
// `// SAFETY:` comment saying what the caller's contract guarantees (clippy's
// `undocumented_unsafe_blocks` is denied). `rt.rs` forbids unsafe code.
#![allow(unsafe_code)]
#![allow(non_camel_case_types)]

mod rt;

use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;

use verdict_runtime::{Decision, Table, TableHandle};

/// Success of a call that returns no decision.
pub const VERDICT_OK: i32 = 0;
/// The request is allowed. The only code that allows.
pub const VERDICT_ALLOW: i32 = 1;
/// The request is explicitly denied.
pub const VERDICT_DENY: i32 = 2;
/// No statement allows the request.
pub const VERDICT_IMPLICIT_DENY: i32 = 3;

/// A required pointer argument is NULL (or an optional one is NULL with a
/// non-zero length).
pub const VERDICT_ERR_NULL: i32 = -1;
/// A string argument is not valid UTF-8.
pub const VERDICT_ERR_UTF8: i32 = -2;
/// An argument is malformed: a context entry's kind is neither
/// `VERDICT_SINGLE` nor `VERDICT_MULTI`, or a single-valued entry does not
/// have exactly one value, or a length exceeds the address space.
pub const VERDICT_ERR_INVALID_ARGUMENT: i32 = -3;
/// The table has no principal of this name or ARN.
pub const VERDICT_ERR_UNKNOWN_PRINCIPAL: i32 = -4;
/// The table's catalog has no action of this name.
pub const VERDICT_ERR_UNKNOWN_ACTION: i32 = -5;
/// A principal or action index is out of the table's range.
pub const VERDICT_ERR_UNKNOWN_ID: i32 = -6;
/// The request is over one of the runtime's request limits (resource
/// length, context keys, context values, value length); it was not evaluated.
pub const VERDICT_ERR_REQUEST_LIMIT: i32 = -7;
/// A table could not be loaded; `verdict_error_load_class` says why.
pub const VERDICT_ERR_LOAD: i32 = -8;
/// A bug: a panic was caught at the boundary. Treat as deny.
pub const VERDICT_ERR_INTERNAL: i32 = -9;

/// Not a load error.
pub const VERDICT_LOAD_NONE: i32 = 0;
/// The table file does not exist.
pub const VERDICT_LOAD_NOT_FOUND: i32 = 1;
/// Not a verdict table: bad magic bytes, or not a regular file.
pub const VERDICT_LOAD_NOT_A_TABLE: i32 = 2;
/// A verdict table of a format version this library does not read.
pub const VERDICT_LOAD_UNSUPPORTED_VERSION: i32 = 3;
/// A damaged table: checksum, truncation, undecodable or invalid contents.
pub const VERDICT_LOAD_DAMAGED: i32 = 4;
/// The table is larger than the runtime accepts.
pub const VERDICT_LOAD_TOO_LARGE: i32 = 5;
/// The file could not be read (permissions, I/O error).
pub const VERDICT_LOAD_IO: i32 = 6;
/// Signature or digest verification failed.
pub const VERDICT_LOAD_UNVERIFIED: i32 = 7;

/// A context entry with exactly one value (a single-valued key).
pub const VERDICT_SINGLE: u32 = 0;
/// A context entry with a list of values (a multivalued key, whatever the
/// list's length, as in IAM).
pub const VERDICT_MULTI: u32 = 1;

/// A loaded, validated decision table. Immutable: share it between threads.
pub struct verdict_table {
    table: Arc<Table>,
}

/// A reloadable table: checks see the current table, `verdict_handle_reload`
/// swaps in a new one atomically once it is fully validated.
pub struct verdict_handle {
    handle: TableHandle,
}

/// What went wrong in one call: a code, a load class and a message.
pub struct verdict_error {
    code: i32,
    load_class: i32,
    message: CString,
}

/// A string passed by pointer and length (UTF-8, not NUL-terminated).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct verdict_str {
    /// The first byte; may be NULL only when `len` is 0.
    pub ptr: *const c_char,
    /// The length in bytes.
    pub len: usize,
}

/// One context key with its values.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct verdict_context_entry {
    /// The condition key, matched case-insensitively (`aws:SourceIp`).
    pub key: verdict_str,
    /// `VERDICT_SINGLE` (then `n_values` is 1) or `VERDICT_MULTI`.
    pub kind: u32,
    /// The values; may be NULL only when `n_values` is 0.
    pub values: *const verdict_str,
    /// The number of values.
    pub n_values: usize,
}

/// An error before it becomes a `verdict_error`.
struct Failure {
    code: i32,
    load_class: i32,
    message: String,
}

impl Failure {
    fn new(code: i32, message: impl Into<String>) -> Failure {
        Failure {
            code,
            load_class: VERDICT_LOAD_NONE,
            message: message.into(),
        }
    }

    fn load(err: &verdict_runtime::LoadError) -> Failure {
        let (class, message) = rt::load_failure(err);
        let load_class = match class {
            rt::LoadClass::NotFound => VERDICT_LOAD_NOT_FOUND,
            rt::LoadClass::NotATable => VERDICT_LOAD_NOT_A_TABLE,
            rt::LoadClass::UnsupportedVersion => VERDICT_LOAD_UNSUPPORTED_VERSION,
            rt::LoadClass::Damaged => VERDICT_LOAD_DAMAGED,
            rt::LoadClass::TooLarge => VERDICT_LOAD_TOO_LARGE,
            rt::LoadClass::Io => VERDICT_LOAD_IO,
            rt::LoadClass::Unverified => VERDICT_LOAD_UNVERIFIED,
        };
        Failure {
            code: VERDICT_ERR_LOAD,
            load_class,
            message,
        }
    }

    fn check(err: rt::CheckFailure) -> Failure {
        match err {
            rt::CheckFailure::UnknownPrincipal(name) => Failure::new(
                VERDICT_ERR_UNKNOWN_PRINCIPAL,
                format!("unknown principal `{name}`"),
            ),
            rt::CheckFailure::UnknownAction(name) => Failure::new(
                VERDICT_ERR_UNKNOWN_ACTION,
                format!("unknown action `{name}`"),
            ),
            rt::CheckFailure::Request(why) => Failure::new(VERDICT_ERR_REQUEST_LIMIT, why),
        }
    }

    fn ids(err: rt::IdFailure) -> Failure {
        match err {
            rt::IdFailure::Principal(index) => Failure::new(
                VERDICT_ERR_UNKNOWN_ID,
                format!("principal index {index} is out of range"),
            ),
            rt::IdFailure::Action(index) => Failure::new(
                VERDICT_ERR_UNKNOWN_ID,
                format!("action index {index} is out of range"),
            ),
            rt::IdFailure::Request(why) => Failure::new(VERDICT_ERR_REQUEST_LIMIT, why),
        }
    }

    fn into_error(self) -> verdict_error {
        // A message with a NUL byte (a caller's name) keeps what precedes it.
        let mut bytes = self.message.into_bytes();
        if let Some(nul) = bytes.iter().position(|&b| b == 0) {
            bytes.truncate(nul);
        }
        verdict_error {
            code: self.code,
            load_class: self.load_class,
            message: CString::new(bytes).unwrap_or_default(),
        }
    }
}

/// Stores `result`'s error (if any) in `*err` when `err` is not NULL.
fn report<T>(err: *mut *mut verdict_error, result: Result<T, Failure>) -> Result<T, i32> {
    match result {
        Ok(value) => {
            if !err.is_null() {
                // SAFETY: the caller passes NULL or a pointer to a writable
                // `verdict_error *` (the documented contract of `err`).
                unsafe { *err = std::ptr::null_mut() };
            }
            Ok(value)
        }
        Err(failure) => {
            let code = failure.code;
            if !err.is_null() {
                let boxed = Box::into_raw(Box::new(failure.into_error()));
                // SAFETY: as above.
                unsafe { *err = boxed };
            }
            Err(code)
        }
    }
}

/// Runs `body`, catching a panic (a bug) as `VERDICT_ERR_INTERNAL`.
fn guarded<T>(
    err: *mut *mut verdict_error,
    body: impl FnOnce() -> Result<T, Failure>,
) -> Result<T, i32> {
    let result = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| {
        Err(Failure::new(
            VERDICT_ERR_INTERNAL,
            "internal error: a panic was caught at the C boundary",
        ))
    });
    report(err, result)
}

/// A decision's code.
fn decision_code(decision: Decision) -> i32 {
    match decision {
        Decision::Allow => VERDICT_ALLOW,
        Decision::Deny => VERDICT_DENY,
        Decision::ImplicitDeny => VERDICT_IMPLICIT_DENY,
    }
}

/// The bytes at `ptr`, `len` long; NULL is an error unless `len` is 0 and
/// `optional`.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes that stay unchanged for
/// `'a` (the duration of the call).
unsafe fn bytes_arg<'a>(
    ptr: *const u8,
    len: usize,
    what: &str,
    optional: bool,
) -> Result<&'a [u8], Failure> {
    if ptr.is_null() {
        return if optional && len == 0 {
            Ok(&[])
        } else {
            Err(Failure::new(VERDICT_ERR_NULL, format!("{what} is NULL")))
        };
    }
    if len == 0 {
        return Ok(&[]);
    }
    if isize::try_from(len).is_err() {
        return Err(Failure::new(
            VERDICT_ERR_INVALID_ARGUMENT,
            format!("{what} length {len} is too large"),
        ));
    }
    // SAFETY: `ptr` is not NULL and, by the caller's contract, points to
    // `len` readable bytes (len ≤ isize::MAX, checked) alive for `'a`.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// The UTF-8 string at `ptr`, `len` long.
///
/// # Safety
/// As [`bytes_arg`].
unsafe fn str_arg<'a>(
    ptr: *const c_char,
    len: usize,
    what: &str,
    optional: bool,
) -> Result<&'a str, Failure> {
    // SAFETY: forwarded contract.
    let bytes = unsafe { bytes_arg(ptr.cast::<u8>(), len, what, optional) }?;
    std::str::from_utf8(bytes)
        .map_err(|_| Failure::new(VERDICT_ERR_UTF8, format!("{what} is not valid UTF-8")))
}

/// A path: any bytes on Unix, UTF-8 elsewhere.
///
/// # Safety
/// As [`bytes_arg`].
unsafe fn path_arg(ptr: *const c_char, len: usize) -> Result<PathBuf, Failure> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        // SAFETY: forwarded contract.
        let bytes = unsafe { bytes_arg(ptr.cast::<u8>(), len, "path", false) }?;
        Ok(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
    }
    #[cfg(not(unix))]
    {
        // SAFETY: forwarded contract.
        let text = unsafe { str_arg(ptr, len, "path", false) }?;
        Ok(PathBuf::from(text))
    }
}

/// The caller's array of `n` items at `ptr` (NULL allowed when `n` is 0).
///
/// # Safety
/// `ptr` is NULL or points to `n` readable, initialised `T`s alive for `'a`.
unsafe fn array_arg<'a, T>(ptr: *const T, n: usize, what: &str) -> Result<&'a [T], Failure> {
    if ptr.is_null() {
        return if n == 0 {
            Ok(&[])
        } else {
            Err(Failure::new(VERDICT_ERR_NULL, format!("{what} is NULL")))
        };
    }
    if n == 0 {
        // The pointer is not read: any value will do.
        return Ok(&[]);
    }
    if !ptr.is_aligned() {
        return Err(Failure::new(
            VERDICT_ERR_INVALID_ARGUMENT,
            format!("{what} is not aligned"),
        ));
    }
    if n.checked_mul(std::mem::size_of::<T>())
        .is_none_or(|bytes| isize::try_from(bytes).is_err())
    {
        return Err(Failure::new(
            VERDICT_ERR_INVALID_ARGUMENT,
            format!("{what} count {n} is too large"),
        ));
    }
    // SAFETY: not NULL, and by the caller's contract `n` initialised items
    // (whose total size fits in isize, checked) alive for `'a`.
    Ok(unsafe { std::slice::from_raw_parts(ptr, n) })
}

/// The resource (optional: NULL with length 0 is `"*"`) and the context.
///
/// # Safety
/// `resource` as [`bytes_arg`]; `context` as [`array_arg`], and each entry's
/// strings and value arrays as [`bytes_arg`] and [`array_arg`].
unsafe fn request_args<'a>(
    resource: *const c_char,
    resource_len: usize,
    context: *const verdict_context_entry,
    n_context: usize,
) -> Result<(&'a str, verdict_runtime::Context), Failure> {
    // SAFETY: forwarded contract.
    let resource = unsafe { str_arg(resource, resource_len, "resource", true) }?;
    let resource = if resource.is_empty() { "*" } else { resource };
    // SAFETY: forwarded contract.
    let entries = unsafe { array_arg(context, n_context, "context") }?;
    let mut read = Vec::with_capacity(entries.len());
    for entry in entries {
        // SAFETY: forwarded contract (each entry's key).
        let key = unsafe { str_arg(entry.key.ptr, entry.key.len, "context key", false) }?;
        // SAFETY: forwarded contract (each entry's value array).
        let raw = unsafe { array_arg(entry.values, entry.n_values, "context values") }?;
        let mut values = Vec::with_capacity(raw.len());
        for value in raw {
            // SAFETY: forwarded contract (each value).
            values.push(unsafe { str_arg(value.ptr, value.len, "context value", false) }?);
        }
        match (entry.kind, values.as_slice()) {
            (VERDICT_SINGLE, [single]) => read.push((key, None, *single)),
            (VERDICT_SINGLE, _) => {
                return Err(Failure::new(
                    VERDICT_ERR_INVALID_ARGUMENT,
                    format!(
                        "context key `{key}` is single-valued but has {} values",
                        values.len()
                    ),
                ))
            }
            (VERDICT_MULTI, _) => read.push((key, Some(values), "")),
            (kind, _) => {
                return Err(Failure::new(
                    VERDICT_ERR_INVALID_ARGUMENT,
                    format!("context key `{key}` has unknown kind {kind}"),
                ))
            }
        }
    }
    Ok((resource, rt::context(read.into_iter())))
}

/// The table behind `table`.
///
/// # Safety
/// `table` is NULL or a live `verdict_table` from this library.
unsafe fn table_arg<'a>(table: *const verdict_table) -> Result<&'a Table, Failure> {
    // SAFETY: by the caller's contract, NULL or a live table.
    match unsafe { table.as_ref() } {
        Some(table) => Ok(&table.table),
        None => Err(Failure::new(VERDICT_ERR_NULL, "table is NULL")),
    }
}

/// The handle behind `handle`.
///
/// # Safety
/// `handle` is NULL or a live `verdict_handle` from this library.
unsafe fn handle_arg<'a>(handle: *const verdict_handle) -> Result<&'a TableHandle, Failure> {
    // SAFETY: by the caller's contract, NULL or a live handle.
    match unsafe { handle.as_ref() } {
        Some(handle) => Ok(&handle.handle),
        None => Err(Failure::new(VERDICT_ERR_NULL, "handle is NULL")),
    }
}

fn new_table(table: Arc<Table>) -> *mut verdict_table {
    Box::into_raw(Box::new(verdict_table { table }))
}

fn code_of(result: Result<i32, i32>) -> i32 {
    result.unwrap_or_else(|code| code)
}

/// Opens the table file at `path` (`path_len` bytes, not NUL-terminated).
///
/// Returns a new table, or NULL with `*err` set (`VERDICT_ERR_LOAD` with a
/// load class, `VERDICT_ERR_NULL`).
///
/// # Safety
/// `path` points to `path_len` readable bytes; `err` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn verdict_table_open(
    path: *const c_char,
    path_len: usize,
    err: *mut *mut verdict_error,
) -> *mut verdict_table {
    guarded(err, || {
        // SAFETY: the caller's contract.
        let path = unsafe { path_arg(path, path_len) }?;
        rt::open(&path).map_err(|e| Failure::load(&e))
    })
    .map_or(std::ptr::null_mut(), |table| new_table(Arc::new(table)))
}

/// Loads a table from `len` bytes at `bytes` (copied; the caller keeps them).
///
/// Returns a new table, or NULL with `*err` set.
///
/// # Safety
/// `bytes` points to `len` readable bytes; `err` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn verdict_table_from_bytes(
    bytes: *const u8,
    len: usize,
    err: *mut *mut verdict_error,
) -> *mut verdict_table {
    guarded(err, || {
        // SAFETY: the caller's contract.
        let bytes = unsafe { bytes_arg(bytes, len, "bytes", false) }?;
        rt::from_bytes(bytes).map_err(|e| Failure::load(&e))
    })
    .map_or(std::ptr::null_mut(), |table| new_table(Arc::new(table)))
}

/// Frees a table; NULL does nothing. Tables taken from a handle stay valid
/// until freed, whatever the handle does.
///
/// # Safety
/// `table` is NULL or a table from this library not yet freed.
#[no_mangle]
pub unsafe extern "C" fn verdict_table_free(table: *mut verdict_table) {
    if !table.is_null() {
        // SAFETY: a pointer from `Box::into_raw` in this library, freed once
        // (the caller's contract).
        drop(unsafe { Box::from_raw(table) });
    }
}

/// May `principal` perform `action`, with no resource and an empty context?
///
/// Returns `VERDICT_ALLOW`, `VERDICT_DENY`, `VERDICT_IMPLICIT_DENY`, or an
/// error code (unknown names, NULL, bad UTF-8) with `*err` set.
///
/// # Safety
/// `table` is a live table; each string points to its length in readable
/// bytes; `err` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn verdict_table_check(
    table: *const verdict_table,
    principal: *const c_char,
    principal_len: usize,
    action: *const c_char,
    action_len: usize,
    err: *mut *mut verdict_error,
) -> i32 {
    code_of(guarded(err, || {
        // SAFETY: the caller's contract.
        let table = unsafe { table_arg(table) }?;
        // SAFETY: the caller's contract.
        let principal = unsafe { str_arg(principal, principal_len, "principal", false) }?;
        // SAFETY: the caller's contract.
        let action = unsafe { str_arg(action, action_len, "action", false) }?;
        rt::check(table, principal, action)
            .map(decision_code)
            .map_err(Failure::check)
    }))
}

/// The decision for a full request by names: `resource` (optional: NULL or
/// length 0 means no resource, `"*"`) and `n_context` context entries.
///
/// Returns a decision code, or an error code with `*err` set (also
/// `VERDICT_ERR_REQUEST_LIMIT` for a request over the runtime's limits and
/// `VERDICT_ERR_INVALID_ARGUMENT` for a malformed context entry).
///
/// # Safety
/// `table` is a live table; each string and array points to its length in
/// readable items; `err` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn verdict_table_check_request(
    table: *const verdict_table,
    principal: *const c_char,
    principal_len: usize,
    action: *const c_char,
    action_len: usize,
    resource: *const c_char,
    resource_len: usize,
    context: *const verdict_context_entry,
    n_context: usize,
    err: *mut *mut verdict_error,
) -> i32 {
    code_of(guarded(err, || {
        // SAFETY: the caller's contract.
        let table = unsafe { table_arg(table) }?;
        // SAFETY: the caller's contract.
        let principal = unsafe { str_arg(principal, principal_len, "principal", false) }?;
        // SAFETY: the caller's contract.
        let action = unsafe { str_arg(action, action_len, "action", false) }?;
        // SAFETY: the caller's contract.
        let (resource, context) =
            unsafe { request_args(resource, resource_len, context, n_context) }?;
        rt::check_request(table, principal, action, resource, &context)
            .map(decision_code)
            .map_err(Failure::check)
    }))
}

/// The id (index) of the principal named `name` (or with that ARN), in
/// `*out`. Returns `VERDICT_OK` or an error code with `*err` set.
///
/// # Safety
/// `table` is a live table; `name` points to `name_len` readable bytes; `out`
/// is writable; `err` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn verdict_principal_id(
    table: *const verdict_table,
    name: *const c_char,
    name_len: usize,
    out: *mut u32,
    err: *mut *mut verdict_error,
) -> i32 {
    code_of(guarded(err, || {
        // SAFETY: the caller's contract.
        let table = unsafe { table_arg(table) }?;
        // SAFETY: the caller's contract.
        let name = unsafe { str_arg(name, name_len, "principal", false) }?;
        if out.is_null() {
            return Err(Failure::new(VERDICT_ERR_NULL, "out is NULL"));
        }
        let index = rt::principal_index(table, name).ok_or_else(|| {
            Failure::new(
                VERDICT_ERR_UNKNOWN_PRINCIPAL,
                format!("unknown principal `{name}`"),
            )
        })?;
        // SAFETY: `out` is not NULL and writable (the caller's contract).
        unsafe { *out = index };
        Ok(VERDICT_OK)
    }))
}

/// The id (index) of the action named `name` (ASCII case-insensitive), in
/// `*out`. Returns `VERDICT_OK` or an error code with `*err` set.
///
/// # Safety
/// As `verdict_principal_id`.
#[no_mangle]
pub unsafe extern "C" fn verdict_action_id(
    table: *const verdict_table,
    name: *const c_char,
    name_len: usize,
    out: *mut u32,
    err: *mut *mut verdict_error,
) -> i32 {
    code_of(guarded(err, || {
        // SAFETY: the caller's contract.
        let table = unsafe { table_arg(table) }?;
        // SAFETY: the caller's contract.
        let name = unsafe { str_arg(name, name_len, "action", false) }?;
        if out.is_null() {
            return Err(Failure::new(VERDICT_ERR_NULL, "out is NULL"));
        }
        let index = rt::action_index(table, name).ok_or_else(|| {
            Failure::new(
                VERDICT_ERR_UNKNOWN_ACTION,
                format!("unknown action `{name}`"),
            )
        })?;
        // SAFETY: `out` is not NULL and writable (the caller's contract).
        unsafe { *out = index };
        Ok(VERDICT_OK)
    }))
}

/// The decision for ids from this table, with no resource and an empty
/// context (a conditional cell is evaluated for that request): the hot path,
/// no hashing and no allocation. Returns a decision code, `VERDICT_ERR_NULL`
/// or `VERDICT_ERR_UNKNOWN_ID`; no error object (call
/// `verdict_check_ids_request` for one).
///
/// # Safety
/// `table` is NULL or a live table.
#[no_mangle]
pub unsafe extern "C" fn verdict_check_ids(
    table: *const verdict_table,
    principal: u32,
    action: u32,
) -> i32 {
    code_of(guarded(std::ptr::null_mut(), || {
        // SAFETY: the caller's contract.
        let table = unsafe { table_arg(table) }?;
        rt::check_ids_plain(table, principal, action)
            .map(decision_code)
            .map_err(Failure::ids)
    }))
}

/// The decision for ids from this table on a request (resource and context
/// as in `verdict_table_check_request`).
///
/// # Safety
/// As `verdict_table_check_request`.
#[no_mangle]
pub unsafe extern "C" fn verdict_check_ids_request(
    table: *const verdict_table,
    principal: u32,
    action: u32,
    resource: *const c_char,
    resource_len: usize,
    context: *const verdict_context_entry,
    n_context: usize,
    err: *mut *mut verdict_error,
) -> i32 {
    code_of(guarded(err, || {
        // SAFETY: the caller's contract.
        let table = unsafe { table_arg(table) }?;
        // SAFETY: the caller's contract.
        let (resource, context) =
            unsafe { request_args(resource, resource_len, context, n_context) }?;
        rt::check_ids(table, principal, action, resource, &context)
            .map(decision_code)
            .map_err(Failure::ids)
    }))
}

/// The number of principals (ids are 0 to this minus one); 0 for NULL.
///
/// # Safety
/// `table` is NULL or a live table.
#[no_mangle]
pub unsafe extern "C" fn verdict_table_n_principals(table: *const verdict_table) -> usize {
    guarded(std::ptr::null_mut(), || {
        // SAFETY: the caller's contract.
        unsafe { table_arg(table) }.map(rt::n_principals)
    })
    .unwrap_or(0)
}

/// The number of catalog actions (ids are 0 to this minus one); 0 for NULL.
///
/// # Safety
/// `table` is NULL or a live table.
#[no_mangle]
pub unsafe extern "C" fn verdict_table_n_actions(table: *const verdict_table) -> usize {
    guarded(std::ptr::null_mut(), || {
        // SAFETY: the caller's contract.
        unsafe { table_arg(table) }.map(rt::n_actions)
    })
    .unwrap_or(0)
}

/// Writes the table's fingerprint (one loggable line: format version,
/// catalog, counts, size, digest) into `buf`, at most `cap - 1` bytes and a
/// NUL, like `snprintf`. Returns the fingerprint's full length in bytes
/// (without the NUL; call again with a larger buffer if it is `>= cap`), or
/// an error code (NULL table or NULL `buf` with `cap > 0`).
///
/// # Safety
/// `table` is a live table; `buf` is NULL (with `cap` 0) or points to `cap`
/// writable bytes.
#[no_mangle]
pub unsafe extern "C" fn verdict_table_fingerprint(
    table: *const verdict_table,
    buf: *mut c_char,
    cap: usize,
) -> i64 {
    let result = guarded(std::ptr::null_mut(), || {
        // SAFETY: the caller's contract.
        let table = unsafe { table_arg(table) }?;
        let line = rt::fingerprint(table);
        if cap > 0 {
            if buf.is_null() {
                return Err(Failure::new(VERDICT_ERR_NULL, "buf is NULL"));
            }
            let n = line.len().min(cap - 1);
            // SAFETY: `buf` has `cap` writable bytes (the caller's contract)
            // and `n + 1 <= cap`; `line` does not overlap the caller's buffer.
            let out = unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), n + 1) };
            if let (Some(text), Some(src)) = (out.get_mut(..n), line.as_bytes().get(..n)) {
                text.copy_from_slice(src);
            }
            if let Some(last) = out.get_mut(n) {
                *last = 0;
            }
        }
        Ok(i64::try_from(line.len()).unwrap_or(i64::MAX))
    });
    result.unwrap_or_else(i64::from)
}

/// Opens the table file at `path` as a reloadable handle;
/// `verdict_handle_reload` reads the same path again.
///
/// Returns a new handle, or NULL with `*err` set.
///
/// # Safety
/// As `verdict_table_open`.
#[no_mangle]
pub unsafe extern "C" fn verdict_handle_open(
    path: *const c_char,
    path_len: usize,
    err: *mut *mut verdict_error,
) -> *mut verdict_handle {
    guarded(err, || {
        // SAFETY: the caller's contract.
        let path = unsafe { path_arg(path, path_len) }?;
        rt::open_handle(&path).map_err(|e| Failure::load(&e))
    })
    .map_or(std::ptr::null_mut(), |handle| {
        Box::into_raw(Box::new(verdict_handle { handle }))
    })
}

/// A handle serving the table in `len` bytes at `bytes`, with no file behind
/// it (reload it with `verdict_handle_reload_from_bytes`).
///
/// # Safety
/// As `verdict_table_from_bytes`.
#[no_mangle]
pub unsafe extern "C" fn verdict_handle_from_bytes(
    bytes: *const u8,
    len: usize,
    err: *mut *mut verdict_error,
) -> *mut verdict_handle {
    guarded(err, || {
        // SAFETY: the caller's contract.
        let bytes = unsafe { bytes_arg(bytes, len, "bytes", false) }?;
        rt::from_bytes(bytes).map_err(|e| Failure::load(&e))
    })
    .map_or(std::ptr::null_mut(), |table| {
        Box::into_raw(Box::new(verdict_handle {
            handle: rt::new_handle(table),
        }))
    })
}

/// Frees a handle; NULL does nothing. Tables taken from it stay valid until
/// freed.
///
/// # Safety
/// `handle` is NULL or a handle from this library not yet freed, and no
/// other thread uses it any more.
#[no_mangle]
pub unsafe extern "C" fn verdict_handle_free(handle: *mut verdict_handle) {
    if !handle.is_null() {
        // SAFETY: a pointer from `Box::into_raw` in this library, freed once
        // (the caller's contract).
        drop(unsafe { Box::from_raw(handle) });
    }
}

/// Re-reads the handle's file and, if it is a valid table, swaps it in
/// (atomically; checks in flight finish on the old table). Writes the new
/// generation to `*generation` when it is not NULL.
///
/// Returns `VERDICT_OK`, or `VERDICT_ERR_LOAD` with `*err` set: the old table
/// keeps serving.
///
/// # Safety
/// `handle` is a live handle; `generation` and `err` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn verdict_handle_reload(
    handle: *const verdict_handle,
    generation: *mut u64,
    err: *mut *mut verdict_error,
) -> i32 {
    code_of(guarded(err, || {
        // SAFETY: the caller's contract.
        let handle = unsafe { handle_arg(handle) }?;
        let new = rt::reload(handle).map_err(|e| Failure::load(&e))?;
        if !generation.is_null() {
            // SAFETY: not NULL, writable (the caller's contract).
            unsafe { *generation = new };
        }
        Ok(VERDICT_OK)
    }))
}

/// Validates `len` bytes at `bytes` and, if they are a valid table, swaps it
/// in; as `verdict_handle_reload` otherwise.
///
/// # Safety
/// `handle` is a live handle; `bytes` points to `len` readable bytes;
/// `generation` and `err` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn verdict_handle_reload_from_bytes(
    handle: *const verdict_handle,
    bytes: *const u8,
    len: usize,
    generation: *mut u64,
    err: *mut *mut verdict_error,
) -> i32 {
    code_of(guarded(err, || {
        // SAFETY: the caller's contract.
        let handle = unsafe { handle_arg(handle) }?;
        // SAFETY: the caller's contract.
        let bytes = unsafe { bytes_arg(bytes, len, "bytes", false) }?;
        let new = rt::reload_from_bytes(handle, bytes).map_err(|e| Failure::load(&e))?;
        if !generation.is_null() {
            // SAFETY: not NULL, writable (the caller's contract).
            unsafe { *generation = new };
        }
        Ok(VERDICT_OK)
    }))
}

/// How many tables the handle has swapped in, the first one included (1
/// until the first successful reload); 0 for NULL.
///
/// # Safety
/// `handle` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn verdict_handle_generation(handle: *const verdict_handle) -> u64 {
    guarded(std::ptr::null_mut(), || {
        // SAFETY: the caller's contract.
        unsafe { handle_arg(handle) }.map(rt::generation)
    })
    .unwrap_or(0)
}

/// The handle's current table, as a new reference the caller frees with
/// `verdict_table_free`: it answers every check from that one table, whatever
/// reloads happen meanwhile. NULL for a NULL handle.
///
/// # Safety
/// `handle` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn verdict_handle_current(
    handle: *const verdict_handle,
) -> *mut verdict_table {
    guarded(std::ptr::null_mut(), || {
        // SAFETY: the caller's contract.
        unsafe { handle_arg(handle) }.map(rt::current)
    })
    .map_or(std::ptr::null_mut(), new_table)
}

/// Why the handle's most recent reload failed, as a new error object the
/// caller frees; NULL if it succeeded, if there was none, or for a NULL
/// handle.
///
/// # Safety
/// `handle` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn verdict_handle_last_error(
    handle: *const verdict_handle,
) -> *mut verdict_error {
    let last = guarded(std::ptr::null_mut(), || {
        // SAFETY: the caller's contract.
        unsafe { handle_arg(handle) }.map(rt::last_error)
    });
    match last {
        Ok(Some(err)) => Box::into_raw(Box::new(Failure::load(&err).into_error())),
        _ => std::ptr::null_mut(),
    }
}

/// `verdict_table_check` on the handle's current table.
///
/// # Safety
/// As `verdict_table_check`, with a live handle.
#[no_mangle]
pub unsafe extern "C" fn verdict_handle_check(
    handle: *const verdict_handle,
    principal: *const c_char,
    principal_len: usize,
    action: *const c_char,
    action_len: usize,
    err: *mut *mut verdict_error,
) -> i32 {
    code_of(guarded(err, || {
        // SAFETY: the caller's contract.
        let handle = unsafe { handle_arg(handle) }?;
        // SAFETY: the caller's contract.
        let principal = unsafe { str_arg(principal, principal_len, "principal", false) }?;
        // SAFETY: the caller's contract.
        let action = unsafe { str_arg(action, action_len, "action", false) }?;
        let table = rt::snapshot(handle);
        rt::check(&table, principal, action)
            .map(decision_code)
            .map_err(Failure::check)
    }))
}

/// `verdict_table_check_request` on the handle's current table.
///
/// # Safety
/// As `verdict_table_check_request`, with a live handle.
#[no_mangle]
pub unsafe extern "C" fn verdict_handle_check_request(
    handle: *const verdict_handle,
    principal: *const c_char,
    principal_len: usize,
    action: *const c_char,
    action_len: usize,
    resource: *const c_char,
    resource_len: usize,
    context: *const verdict_context_entry,
    n_context: usize,
    err: *mut *mut verdict_error,
) -> i32 {
    code_of(guarded(err, || {
        // SAFETY: the caller's contract.
        let handle = unsafe { handle_arg(handle) }?;
        // SAFETY: the caller's contract.
        let principal = unsafe { str_arg(principal, principal_len, "principal", false) }?;
        // SAFETY: the caller's contract.
        let action = unsafe { str_arg(action, action_len, "action", false) }?;
        // SAFETY: the caller's contract.
        let (resource, context) =
            unsafe { request_args(resource, resource_len, context, n_context) }?;
        let table = rt::snapshot(handle);
        rt::check_request(&table, principal, action, resource, &context)
            .map(decision_code)
            .map_err(Failure::check)
    }))
}

/// The error's code (`VERDICT_ERR_*`); `VERDICT_ERR_NULL` for NULL.
///
/// # Safety
/// `err` is NULL or a live error object.
#[no_mangle]
pub unsafe extern "C" fn verdict_error_code(err: *const verdict_error) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { err.as_ref() }.map_or(VERDICT_ERR_NULL, |err| err.code)
}

/// The error's load class (`VERDICT_LOAD_*`): `VERDICT_LOAD_NONE` unless the
/// code is `VERDICT_ERR_LOAD`, and for NULL.
///
/// # Safety
/// `err` is NULL or a live error object.
#[no_mangle]
pub unsafe extern "C" fn verdict_error_load_class(err: *const verdict_error) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { err.as_ref() }.map_or(VERDICT_LOAD_NONE, |err| err.load_class)
}

/// The error's message (lowercase, one line, NUL-terminated), owned by the
/// error object and valid until it is freed; `""` for NULL.
///
/// # Safety
/// `err` is NULL or a live error object.
#[no_mangle]
pub unsafe extern "C" fn verdict_error_message(err: *const verdict_error) -> *const c_char {
    // SAFETY: the caller's contract.
    match unsafe { err.as_ref() } {
        Some(err) => err.message.as_ptr(),
        None => c"".as_ptr(),
    }
}

/// Frees an error object; NULL does nothing.
///
/// # Safety
/// `err` is NULL or an error object from this library not yet freed.
#[no_mangle]
pub unsafe extern "C" fn verdict_error_free(err: *mut verdict_error) {
    if !err.is_null() {
        // SAFETY: a pointer from `Box::into_raw` in this library, freed once
        // (the caller's contract).
        drop(unsafe { Box::from_raw(err) });
    }
}

/// The name of a decision or error code (`"allow"`, `"deny"`,
/// `"implicit-deny"`, `"error"` for any error code, `"unknown"` otherwise),
/// a static NUL-terminated string.
#[no_mangle]
pub extern "C" fn verdict_code_name(code: i32) -> *const c_char {
    match code {
        VERDICT_OK => c"ok".as_ptr(),
        VERDICT_ALLOW => c"allow".as_ptr(),
        VERDICT_DENY => c"deny".as_ptr(),
        VERDICT_IMPLICIT_DENY => c"implicit-deny".as_ptr(),
        VERDICT_ERR_INTERNAL..=VERDICT_ERR_NULL => c"error".as_ptr(),
        _ => c"unknown".as_ptr(),
    }
}
