//! Every call this crate makes into `verdict-runtime`, in one small safe file,
//! so that a change of the runtime's API is a change here only.
//!
//! Nothing here decides anything: each function forwards to the runtime and
//! maps its answer to the plain types `lib.rs` turns into C codes.
#![forbid(unsafe_code)]

use std::path::Path;
use std::sync::Arc;

use verdict_runtime::{
    ActionId, Context, ContextValue, Decision, LoadError, LookupError, PrincipalId, Request,
    RequestLimits, Table, TableHandle,
};

/// What a load error is, as the C API reports it (`VERDICT_LOAD_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LoadClass {
    NotFound,
    NotATable,
    UnsupportedVersion,
    Damaged,
    TooLarge,
    Io,
    Unverified,
}

/// Why a check by names gave no decision.
#[derive(Debug)]
pub(crate) enum CheckFailure {
    UnknownPrincipal(String),
    UnknownAction(String),
    /// The request is over a request limit: the runtime's message.
    Request(String),
}

/// A load error: its class and its message.
pub(crate) fn load_failure(err: &LoadError) -> (LoadClass, String) {
    // TEMPORARY until `LoadError::class` lands: read from the I/O source and
    // the message's opening words.
    let message = err.to_string();
    let io = std::error::Error::source(err).and_then(|src| src.downcast_ref::<std::io::Error>());
    let class = match io {
        Some(io) if io.kind() == std::io::ErrorKind::NotFound => LoadClass::NotFound,
        Some(_) => LoadClass::Io,
        None if message.starts_with("not a verdict table") => LoadClass::NotATable,
        None if message.starts_with("cannot read table") => LoadClass::NotATable,
        None if message.starts_with("table format version") => LoadClass::UnsupportedVersion,
        None if message.starts_with("table is too large") => LoadClass::TooLarge,
        None if message.starts_with("table is not signed")
            || message.starts_with("table is signed by another key")
            || message.starts_with("table signature")
            || message.starts_with("table digest mismatch") =>
        {
            LoadClass::Unverified
        }
        None => LoadClass::Damaged,
    };
    (class, message)
}

pub(crate) fn open(path: &Path) -> Result<Table, LoadError> {
    Table::open(path)
}

pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Table, LoadError> {
    Table::from_bytes(bytes)
}

pub(crate) fn open_handle(path: &Path) -> Result<TableHandle, LoadError> {
    TableHandle::open(path)
}

pub(crate) fn new_handle(table: Table) -> TableHandle {
    TableHandle::new(table)
}

pub(crate) fn reload(handle: &TableHandle) -> Result<u64, Arc<LoadError>> {
    handle.reload()
}

pub(crate) fn reload_from_bytes(handle: &TableHandle, bytes: &[u8]) -> Result<u64, Arc<LoadError>> {
    handle.reload_from_bytes(bytes)
}

pub(crate) fn snapshot(handle: &TableHandle) -> verdict_runtime::Snapshot {
    handle.snapshot()
}

pub(crate) fn current(handle: &TableHandle) -> Arc<Table> {
    handle.current()
}

pub(crate) fn generation(handle: &TableHandle) -> u64 {
    handle.generation()
}

pub(crate) fn last_error(handle: &TableHandle) -> Option<Arc<LoadError>> {
    handle.last_error()
}

/// A context from the caller's keys and values: `None` for a single value,
/// `Some` for a list (multivalued, whatever its length).
pub(crate) fn context<'a>(
    entries: impl Iterator<Item = (&'a str, Option<Vec<&'a str>>, &'a str)>,
) -> Context {
    entries
        .map(|(key, multi, single)| {
            let value = match multi {
                Some(values) => {
                    ContextValue::Multi(values.into_iter().map(str::to_owned).collect())
                }
                None => ContextValue::Single(single.to_owned()),
            };
            (key, value)
        })
        .collect()
}

/// The decision for a request by names (`resource` `"*"` for none).
pub(crate) fn check_request(
    table: &Table,
    principal: &str,
    action: &str,
    resource: &str,
    context: &Context,
) -> Result<Decision, CheckFailure> {
    let req = Request { resource, context };
    let lookup = |err| match err {
        LookupError::UnknownPrincipal(name) => CheckFailure::UnknownPrincipal(name),
        LookupError::UnknownAction(name) => CheckFailure::UnknownAction(name),
    };
    let p = table.principal(principal).map_err(lookup)?;
    let a = table.action(action).map_err(lookup)?;
    table
        .try_check_with(p, a, &req, &RequestLimits::DEFAULT)
        .map_err(|err| CheckFailure::Request(err.to_string()))
}

/// The decision for a request without resource or context, by names.
pub(crate) fn check(
    table: &Table,
    principal: &str,
    action: &str,
) -> Result<Decision, CheckFailure> {
    check_request(table, principal, action, "*", &Context::new())
}

pub(crate) fn principal_index(table: &Table, name: &str) -> Option<u32> {
    table.principal(name).ok().map(|id| id.0)
}

pub(crate) fn action_index(table: &Table, name: &str) -> Option<u32> {
    table.action(name).ok().map(|id| id.0)
}

/// What checking by ids can fail on.
#[derive(Debug)]
pub(crate) enum IdFailure {
    Principal(u32),
    Action(u32),
    Request(String),
}

/// The decision for ids given as indexes (range-checked), on a request.
pub(crate) fn check_ids(
    table: &Table,
    principal: u32,
    action: u32,
    resource: &str,
    context: &Context,
) -> Result<Decision, IdFailure> {
    let (p, a) = ids(table, principal, action)?;
    let req = Request { resource, context };
    table
        .try_check_with(p, a, &req, &RequestLimits::DEFAULT)
        .map_err(|err| IdFailure::Request(err.to_string()))
}

/// The decision for ids without resource or context: no allocation.
pub(crate) fn check_ids_plain(
    table: &Table,
    principal: u32,
    action: u32,
) -> Result<Decision, IdFailure> {
    let (p, a) = ids(table, principal, action)?;
    Ok(table.check_with(p, a, &Request::default()))
}

/// The ids at these indexes, range-checked (TEMPORARY until `principal_at`
/// and `action_at` land).
fn ids(table: &Table, principal: u32, action: u32) -> Result<(PrincipalId, ActionId), IdFailure> {
    if principal as usize >= table.n_principals() {
        return Err(IdFailure::Principal(principal));
    }
    if action as usize >= table.n_actions() {
        return Err(IdFailure::Action(action));
    }
    Ok((PrincipalId(principal), ActionId(action)))
}

pub(crate) fn n_principals(table: &Table) -> usize {
    table.n_principals()
}

pub(crate) fn n_actions(table: &Table) -> usize {
    table.n_actions()
}

/// The table's fingerprint, as one loggable line.
pub(crate) fn fingerprint(table: &Table) -> String {
    // TEMPORARY until `Table::fingerprint` lands.
    format!(
        "verdict table format {}, catalog {}, {} principals, {} actions, {} bytes",
        table.format_version(),
        table.catalog(),
        table.n_principals(),
        table.n_actions(),
        table.byte_len()
    )
}
