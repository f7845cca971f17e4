//! Every call this binding makes into `verdict-runtime`, in one place, so that a
//! change of the runtime's API is a change of this file only.
//!
//! Nothing here decides anything: it forwards to the runtime and reshapes its
//! answers into the small plain types the JavaScript layer turns into values.

use std::path::Path;

use verdict_runtime::{ActionId, PrincipalId, Request, RequestLimits};
pub use verdict_runtime::{Cell, Context, ContextValue, Decision, LoadError, Table, TableHandle};

/// The kind of a load error, one JavaScript error code each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadClass {
    NotFound,
    NotATable,
    UnsupportedVersion,
    Damaged,
    TooLarge,
    Io,
}

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

/// The class of `err`, for the exception raised.
pub fn load_class(err: &LoadError) -> LoadClass {
    // The runtime's error is opaque before its class API lands: read the kind
    // off the I/O source and the message.
    if let Some(io) =
        std::error::Error::source(err).and_then(|s| s.downcast_ref::<std::io::Error>())
    {
        return if io.kind() == std::io::ErrorKind::NotFound {
            LoadClass::NotFound
        } else {
            LoadClass::Io
        };
    }
    let msg = err.to_string();
    if msg.starts_with("not a verdict table") || msg.starts_with("cannot read table") {
        LoadClass::NotATable
    } else if msg.starts_with("table format version") {
        LoadClass::UnsupportedVersion
    } else if msg.starts_with("table is too large") {
        LoadClass::TooLarge
    } else {
        LoadClass::Damaged
    }
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
    let p = table
        .principal(principal)
        .map_err(|_| CheckFailure::UnknownPrincipal(principal.to_owned()))?;
    let a = table
        .action(action)
        .map_err(|_| CheckFailure::UnknownAction(action.to_owned()))?;
    let req = Request {
        resource: resource.unwrap_or("*"),
        context,
    };
    table
        .try_check_with(p, a, &req, &RequestLimits::DEFAULT)
        .map_err(|err| CheckFailure::Request(err.to_string()))
}

pub fn principal_index(table: &Table, name: &str) -> Option<u32> {
    table.principal(name).ok().map(|p| p.0)
}

pub fn action_index(table: &Table, name: &str) -> Option<u32> {
    table.action(name).ok().map(|a| a.0)
}

fn ids(table: &Table, p: u32, a: u32) -> Option<(PrincipalId, ActionId)> {
    let in_range = |i: u32, n: usize| usize::try_from(i).is_ok_and(|i| i < n);
    (in_range(p, table.n_principals()) && in_range(a, table.n_actions()))
        .then_some((PrincipalId(p), ActionId(a)))
}

/// The stored cell of two ids; `None` when either is out of range.
pub fn cell(table: &Table, p: u32, a: u32) -> Option<Cell> {
    ids(table, p, a).map(|(p, a)| table.check_ids(p, a))
}

/// The decision of two ids on a request; `Ok(None)` when either is out of range.
pub fn check_ids(
    table: &Table,
    p: u32,
    a: u32,
    resource: Option<&str>,
    context: &Context,
) -> Result<Option<Decision>, CheckFailure> {
    let Some((p, a)) = ids(table, p, a) else {
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

/// One loggable line naming the table.
pub fn fingerprint(table: &Table) -> String {
    format!(
        "format {} catalog {} principals {} actions {} bytes {}",
        table.format_version(),
        table.catalog(),
        table.n_principals(),
        table.n_actions(),
        table.byte_len()
    )
}

pub fn counts(table: &Table) -> (usize, usize) {
    (table.n_principals(), table.n_actions())
}
