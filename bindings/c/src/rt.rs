//! Every call this crate makes into `verdict-runtime`, in one small safe file,
//! so that a change of the runtime's API is a change here only.
//!
//! Nothing here decides anything: each function forwards to the runtime and
//! maps its answer to the plain types `lib.rs` turns into C codes.
#![forbid(unsafe_code)]

use std::path::Path;
use std::sync::Arc;

use verdict_runtime::{
    ActionId, CheckError, Context, ContextValue, Decision, LoadError, LoadErrorClass, PrincipalId,
    Request, RequestLimits, Table, TableHandle,
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
    let class = match err.class() {
        LoadErrorClass::NotFound => LoadClass::NotFound,
        LoadErrorClass::NotATable => LoadClass::NotATable,
        LoadErrorClass::UnsupportedVersion => LoadClass::UnsupportedVersion,
        LoadErrorClass::Damaged => LoadClass::Damaged,
        LoadErrorClass::TooLarge => LoadClass::TooLarge,
        LoadErrorClass::Io => LoadClass::Io,
        LoadErrorClass::Unverified => LoadClass::Unverified,
        // A class of a newer runtime: the table is not usable, whatever it is.
        _ => LoadClass::Damaged,
    };
    (class, err.to_string())
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
    table
        .check_request(principal, action, &req)
        .map_err(|err| match err {
            CheckError::UnknownPrincipal(name) => CheckFailure::UnknownPrincipal(name),
            CheckError::UnknownAction(name) => CheckFailure::UnknownAction(name),
            CheckError::Request(err) => CheckFailure::Request(err.to_string()),
        })
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
    table.principal(name).ok().map(|id| id.index())
}

pub(crate) fn action_index(table: &Table, name: &str) -> Option<u32> {
    table.action(name).ok().map(|id| id.index())
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

/// The ids at these indexes, range-checked.
fn ids(table: &Table, principal: u32, action: u32) -> Result<(PrincipalId, ActionId), IdFailure> {
    let p = table
        .principal_at(principal)
        .ok_or(IdFailure::Principal(principal))?;
    let a = table.action_at(action).ok_or(IdFailure::Action(action))?;
    Ok((p, a))
}

pub(crate) fn n_principals(table: &Table) -> usize {
    table.n_principals()
}

pub(crate) fn n_actions(table: &Table) -> usize {
    table.n_actions()
}

/// The table's fingerprint, as one loggable line.
pub(crate) fn fingerprint(table: &Table) -> String {
    table.fingerprint().to_string()
}
