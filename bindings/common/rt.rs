//! Every call the Python and Node bindings make into `verdict-runtime`, in one
//! file both include (`#[path = "../../common/rt.rs"] mod rt;`), so that a change
//! of the runtime's API is a change of this file only.
//!
//! Nothing here decides anything: it forwards to the runtime and reshapes its
//! answers into the small plain types each language layer turns into values.

use std::path::Path;

pub use verdict_runtime::{
    Cell, Context, ContextValue, Decision, LoadError, LoadErrorClass, Table, TableHandle,
};
use verdict_runtime::{CheckError, Request, RequestLimits};

/// Why a check by names gave no decision.
#[derive(Debug)]
pub enum CheckFailure {
    UnknownPrincipal(String),
    UnknownAction(String),
    Request(String),
}

impl CheckFailure {
    pub fn message(&self) -> String {
        match self {
            CheckFailure::UnknownPrincipal(name) => format!("unknown principal `{name}`"),
            CheckFailure::UnknownAction(name) => format!("unknown action `{name}`"),
            CheckFailure::Request(msg) => msg.clone(),
        }
    }
}

impl From<CheckError> for CheckFailure {
    fn from(err: CheckError) -> CheckFailure {
        match err {
            CheckError::UnknownPrincipal(name) => CheckFailure::UnknownPrincipal(name),
            CheckError::UnknownAction(name) => CheckFailure::UnknownAction(name),
            other => CheckFailure::Request(other.to_string()),
        }
    }
}

/// The class of `err`, for the exception raised or the error code thrown.
pub fn load_class(err: &LoadError) -> LoadErrorClass {
    err.class()
}

pub fn open(path: &Path) -> Result<Table, LoadError> {
    Table::open(path)
}

pub fn from_bytes(bytes: &[u8]) -> Result<Table, LoadError> {
    Table::from_bytes(bytes)
}

pub fn open_handle(path: &Path) -> Result<TableHandle, LoadError> {
    TableHandle::open(path)
}

/// The handle's new generation, or why the table stayed.
pub fn reload(handle: &TableHandle) -> Result<u64, std::sync::Arc<LoadError>> {
    handle.reload()
}

pub fn reload_from_bytes(
    handle: &TableHandle,
    bytes: &[u8],
) -> Result<u64, std::sync::Arc<LoadError>> {
    handle.reload_from_bytes(bytes)
}

/// The decision for a request by names; `resource` `None` is `"*"`.
pub fn check(
    table: &Table,
    principal: &str,
    action: &str,
    resource: Option<&str>,
    context: &Context,
) -> Result<Decision, CheckFailure> {
    let req = Request {
        resource: resource.unwrap_or("*"),
        context,
    };
    table
        .check_request(principal, action, &req)
        .map_err(CheckFailure::from)
}

pub fn principal_index(table: &Table, name: &str) -> Option<u32> {
    table.principal(name).ok().map(|p| p.index())
}

pub fn action_index(table: &Table, name: &str) -> Option<u32> {
    table.action(name).ok().map(|a| a.index())
}

/// The stored cell of two ids; `None` when either is out of range.
pub fn cell(table: &Table, p: u32, a: u32) -> Option<Cell> {
    Some(table.cell(table.principal_at(p)?, table.action_at(a)?))
}

/// The decision of two ids on a request; `Ok(None)` when either is out of range.
pub fn check_ids(
    table: &Table,
    p: u32,
    a: u32,
    resource: Option<&str>,
    context: &Context,
) -> Result<Option<Decision>, CheckFailure> {
    let (Some(p), Some(a)) = (table.principal_at(p), table.action_at(a)) else {
        return Ok(None);
    };
    let req = Request {
        resource: resource.unwrap_or("*"),
        context,
    };
    table
        .try_check_with(p, a, &req, &RequestLimits::DEFAULT)
        .map(Some)
        .map_err(|err| CheckFailure::Request(err.to_string()))
}

/// One loggable line naming the table (format version, catalog, counts,
/// byte length, checksum, compile facts when the table has provenance).
pub fn fingerprint(table: &Table) -> String {
    table.fingerprint().to_string()
}

pub fn counts(table: &Table) -> (usize, usize) {
    (table.n_principals(), table.n_actions())
}
