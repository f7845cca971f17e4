//! The `verdict` Python module: a thin PyO3 layer over `verdict-runtime`.
//!
//! Python objects are converted here; every runtime call goes through `rt.rs`.
//! No semantics live in this crate, and nothing in it panics: every failure is
//! a Python exception (a load error class, an unknown name, a bad argument).

#[path = "../../common/rt.rs"]
mod rt;

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyIndexError, PyLookupError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyString, PyTuple};

use rt::{CheckFailure, Context, ContextValue, LoadError as RtLoadError, LoadErrorClass};

create_exception!(
    verdict,
    LoadError,
    PyException,
    "The bytes or file are not a table this runtime can use."
);
create_exception!(verdict, NotFound, LoadError, "No file at the path.");
create_exception!(
    verdict,
    NotATable,
    LoadError,
    "Not a verdict table: bad magic bytes, or not a regular file."
);
create_exception!(
    verdict,
    UnsupportedVersion,
    LoadError,
    "A table of a format version this runtime does not read."
);
create_exception!(
    verdict,
    Damaged,
    LoadError,
    "A damaged table: checksum, truncation, decoding or validation failed."
);
create_exception!(
    verdict,
    TooLarge,
    LoadError,
    "The table is larger than the runtime accepts."
);
create_exception!(
    verdict,
    IoError,
    LoadError,
    "The table file could not be read."
);
create_exception!(
    verdict,
    Unverified,
    LoadError,
    "A verifying load whose signature or digest pin failed."
);
create_exception!(
    verdict,
    UnknownName,
    PyLookupError,
    "A principal or action the table does not know (fail closed)."
);
create_exception!(
    verdict,
    UnknownPrincipal,
    UnknownName,
    "A principal the table does not know."
);
create_exception!(
    verdict,
    UnknownAction,
    UnknownName,
    "An action the table's catalog does not know."
);
create_exception!(
    verdict,
    RequestError,
    PyValueError,
    "A request over the runtime's request limits; it is not evaluated."
);

/// The answer to a check.
#[pyclass(eq, eq_int, frozen, hash, module = "verdict")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Decision {
    #[pyo3(name = "ALLOW")]
    Allow,
    #[pyo3(name = "DENY")]
    Deny,
    #[pyo3(name = "IMPLICIT_DENY")]
    ImplicitDeny,
}

#[pymethods]
impl Decision {
    /// True only for `ALLOW`.
    #[getter]
    fn allowed(&self) -> bool {
        matches!(self, Decision::Allow)
    }

    fn __str__(&self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
            Decision::ImplicitDeny => "implicit-deny",
        }
    }
}

/// The three `Decision` objects of the class (`Decision.ALLOW`, …), returned
/// by every check: no allocation per answer, and `is` comparisons hold.
static DECISIONS: GILOnceCell<[Py<Decision>; 3]> = GILOnceCell::new();

fn decision_object(py: Python<'_>, d: rt::Decision) -> PyResult<Py<Decision>> {
    let all = DECISIONS.get_or_try_init(py, || -> PyResult<[Py<Decision>; 3]> {
        let class = py.get_type::<Decision>();
        let get = |name: &str| -> PyResult<Py<Decision>> {
            Ok(class.getattr(name)?.downcast_into::<Decision>()?.unbind())
        };
        Ok([get("ALLOW")?, get("DENY")?, get("IMPLICIT_DENY")?])
    })?;
    let [allow, deny, implicit] = all;
    Ok(match d {
        rt::Decision::Allow => allow,
        rt::Decision::Deny => deny,
        rt::Decision::ImplicitDeny => implicit,
    }
    .clone_ref(py))
}

/// A stored cell: a decision, or `CONDITIONAL` when the request decides.
#[pyclass(eq, eq_int, frozen, hash, module = "verdict")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Cell {
    #[pyo3(name = "ALLOW")]
    Allow,
    #[pyo3(name = "DENY")]
    Deny,
    #[pyo3(name = "IMPLICIT_DENY")]
    ImplicitDeny,
    #[pyo3(name = "CONDITIONAL")]
    Conditional,
}

#[pymethods]
impl Cell {
    fn __str__(&self) -> &'static str {
        match self {
            Cell::Allow => "allow",
            Cell::Deny => "deny",
            Cell::ImplicitDeny => "implicit-deny",
            Cell::Conditional => "conditional",
        }
    }
}

/// The four `Cell` objects of the class, as for [`DECISIONS`].
static CELLS: GILOnceCell<[Py<Cell>; 4]> = GILOnceCell::new();

fn cell_object(py: Python<'_>, c: rt::Cell) -> PyResult<Py<Cell>> {
    let all = CELLS.get_or_try_init(py, || -> PyResult<[Py<Cell>; 4]> {
        let class = py.get_type::<Cell>();
        let get = |name: &str| -> PyResult<Py<Cell>> {
            Ok(class.getattr(name)?.downcast_into::<Cell>()?.unbind())
        };
        Ok([
            get("ALLOW")?,
            get("DENY")?,
            get("IMPLICIT_DENY")?,
            get("CONDITIONAL")?,
        ])
    })?;
    let [allow, deny, implicit, conditional] = all;
    Ok(match c {
        rt::Cell::Allow => allow,
        rt::Cell::Deny => deny,
        rt::Cell::ImplicitDeny => implicit,
        rt::Cell::Conditional => conditional,
    }
    .clone_ref(py))
}

fn load_error(err: &RtLoadError) -> PyErr {
    let msg = err.to_string();
    match rt::load_class(err) {
        LoadErrorClass::NotFound => NotFound::new_err(msg),
        LoadErrorClass::NotATable => NotATable::new_err(msg),
        LoadErrorClass::UnsupportedVersion => UnsupportedVersion::new_err(msg),
        LoadErrorClass::Damaged => Damaged::new_err(msg),
        LoadErrorClass::TooLarge => TooLarge::new_err(msg),
        LoadErrorClass::Io => IoError::new_err(msg),
        LoadErrorClass::Unverified => Unverified::new_err(msg),
        // A class of a newer runtime: still a load error.
        _ => LoadError::new_err(msg),
    }
}

fn check_error(err: &CheckFailure, prefix: &str) -> PyErr {
    let msg = format!("{prefix}{}", err.message());
    match err {
        CheckFailure::UnknownPrincipal(_) => UnknownPrincipal::new_err(msg),
        CheckFailure::UnknownAction(_) => UnknownAction::new_err(msg),
        CheckFailure::Request(_) => RequestError::new_err(msg),
    }
}

static EMPTY_CONTEXT: Context = Context::new();

/// One context value as the CLI's batch reads it: a string, or a boolean or
/// integer read as its text; floats are refused (their text is ambiguous).
fn scalar(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = value.downcast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    if let Ok(b) = value.downcast::<PyBool>() {
        return Ok(if b.is_true() { "true" } else { "false" }.to_owned());
    }
    if value.downcast::<PyInt>().is_ok() {
        return Ok(value.str()?.to_cow()?.into_owned());
    }
    Err(PyTypeError::new_err(format!(
        "a context value must be a str, bool or int (or a list of them), not {}",
        value.get_type().name()?
    )))
}

/// A context from a mapping of key to a value or a list of values (multivalued).
fn context(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Context>> {
    let Some(obj) = obj else { return Ok(None) };
    if obj.is_none() {
        return Ok(None);
    }
    let dict = obj
        .downcast::<PyDict>()
        .map_err(|_| PyTypeError::new_err("context must be a dict"))?;
    let mut entries = Vec::with_capacity(dict.len());
    for (key, value) in dict.iter() {
        let key: String = key
            .downcast::<PyString>()
            .map_err(|_| PyTypeError::new_err("a context key must be a str"))?
            .to_cow()?
            .into_owned();
        let value = if value.downcast::<PyList>().is_ok() || value.downcast::<PyTuple>().is_ok() {
            let mut values = Vec::new();
            for item in value.try_iter()? {
                values.push(scalar(&item?)?);
            }
            ContextValue::Multi(values)
        } else {
            ContextValue::Single(scalar(&value)?)
        };
        entries.push((key, value));
    }
    Ok(Some(entries.into_iter().collect()))
}

fn optional_str(obj: Option<Bound<'_, PyAny>>, what: &str) -> PyResult<Option<String>> {
    match obj {
        None => Ok(None),
        Some(obj) if obj.is_none() => Ok(None),
        Some(obj) => obj
            .downcast::<PyString>()
            .map_err(|_| PyTypeError::new_err(format!("{what} must be a str")))?
            .to_cow()
            .map(|s| Some(s.into_owned())),
    }
}

/// A request of a batch, owned so that it can be checked without the GIL.
struct OwnedRequest {
    principal: String,
    action: String,
    resource: Option<String>,
    context: Option<Context>,
}

/// A request as a dict (`principal`, `action`, optional `resource` and
/// `context`, as in a `verdict check --batch` line) or a tuple
/// `(principal, action[, resource[, context]])`.
fn owned_request(item: &Bound<'_, PyAny>) -> PyResult<OwnedRequest> {
    let (principal, action, resource, ctx) = if let Ok(dict) = item.downcast::<PyDict>() {
        let fields = (
            dict.get_item("principal")?,
            dict.get_item("action")?,
            dict.get_item("resource")?,
            dict.get_item("context")?,
        );
        let known = [&fields.0, &fields.1, &fields.2, &fields.3]
            .iter()
            .filter(|f| f.is_some())
            .count();
        if dict.len() > known {
            // Name the first key that is not a request field.
            for key in dict.keys() {
                let field = key
                    .downcast::<PyString>()
                    .ok()
                    .and_then(|k| k.to_cow().ok());
                if !field
                    .is_some_and(|k| matches!(&*k, "principal" | "action" | "resource" | "context"))
                {
                    return Err(PyValueError::new_err(format!(
                        "unknown request field {}",
                        key.repr()?
                    )));
                }
            }
        }
        fields
    } else if let Ok(tuple) = item.downcast::<PyTuple>() {
        if !(2..=4).contains(&tuple.len()) {
            return Err(PyValueError::new_err(
                "a request tuple is (principal, action[, resource[, context]])",
            ));
        }
        let get = |i: usize| tuple.get_item(i).ok();
        (get(0), get(1), get(2), get(3))
    } else {
        return Err(PyTypeError::new_err("a request must be a dict or a tuple"));
    };
    let principal = optional_str(principal, "principal")?
        .ok_or_else(|| PyValueError::new_err("a request needs a principal"))?;
    let action = optional_str(action, "action")?
        .ok_or_else(|| PyValueError::new_err("a request needs an action"))?;
    Ok(OwnedRequest {
        principal,
        action,
        resource: optional_str(resource, "resource")?,
        context: context(ctx.as_ref())?,
    })
}

fn check_one(
    py: Python<'_>,
    table: &rt::Table,
    principal: &str,
    action: &str,
    resource: Option<&str>,
    ctx: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<Decision>> {
    let ctx = context(ctx)?;
    let decision = rt::check(
        table,
        principal,
        action,
        resource,
        ctx.as_ref().unwrap_or(&EMPTY_CONTEXT),
    )
    .map_err(|err| check_error(&err, ""))?;
    decision_object(py, decision)
}

/// Checks every request of `requests` on one table with the GIL released;
/// the first failing request raises, naming its index.
fn check_batch(
    py: Python<'_>,
    table: &rt::Table,
    requests: &Bound<'_, PyAny>,
) -> PyResult<Vec<Py<Decision>>> {
    let mut owned = Vec::new();
    for item in requests.try_iter()? {
        owned.push(owned_request(&item?)?);
    }
    let answers: Vec<Result<rt::Decision, CheckFailure>> = py.allow_threads(|| {
        owned
            .iter()
            .map(|r| {
                rt::check(
                    table,
                    &r.principal,
                    &r.action,
                    r.resource.as_deref(),
                    r.context.as_ref().unwrap_or(&EMPTY_CONTEXT),
                )
            })
            .collect()
    });
    answers
        .into_iter()
        .enumerate()
        .map(|(idx, answer)| {
            answer
                .map_err(|err| check_error(&err, &format!("request {idx}: ")))
                .and_then(|d| decision_object(py, d))
        })
        .collect()
}

/// A loaded decision table. Immutable and safe to share between threads.
#[pyclass(frozen, module = "verdict")]
struct Table {
    inner: Arc<rt::Table>,
}

#[pymethods]
impl Table {
    /// Loads the table file at `path`.
    #[staticmethod]
    fn open(py: Python<'_>, path: PathBuf) -> PyResult<Table> {
        py.allow_threads(|| rt::open(&path))
            .map(|t| Table { inner: Arc::new(t) })
            .map_err(|err| load_error(&err))
    }

    /// Loads a table from its bytes.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Table> {
        py.allow_threads(|| rt::from_bytes(data))
            .map(|t| Table { inner: Arc::new(t) })
            .map_err(|err| load_error(&err))
    }

    /// The decision for `principal` and `action` on `resource` (default `"*"`)
    /// with `context` (key to str, or list of str for a multivalued key).
    #[pyo3(signature = (principal, action, resource=None, context=None))]
    fn check(
        &self,
        py: Python<'_>,
        principal: PyBackedStr,
        action: PyBackedStr,
        resource: Option<PyBackedStr>,
        context: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<Decision>> {
        check_one(
            py,
            &self.inner,
            &principal,
            &action,
            resource.as_deref(),
            context,
        )
    }

    /// Decisions for many requests, checked with the GIL released.
    fn check_many(
        &self,
        py: Python<'_>,
        requests: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<Py<Decision>>> {
        check_batch(py, &self.inner, requests)
    }

    /// The id of a principal of this table.
    fn principal(&self, name: PyBackedStr) -> PyResult<u32> {
        rt::principal_index(&self.inner, &name).ok_or_else(|| {
            UnknownPrincipal::new_err(CheckFailure::UnknownPrincipal(name.to_string()).message())
        })
    }

    /// The id of an action of this table's catalog.
    fn action(&self, name: PyBackedStr) -> PyResult<u32> {
        rt::action_index(&self.inner, &name).ok_or_else(|| {
            UnknownAction::new_err(CheckFailure::UnknownAction(name.to_string()).message())
        })
    }

    /// The stored cell of two ids (`CONDITIONAL` when the request decides).
    fn check_ids(&self, py: Python<'_>, principal: u32, action: u32) -> PyResult<Py<Cell>> {
        let cell = rt::cell(&self.inner, principal, action)
            .ok_or_else(|| PyIndexError::new_err("principal or action id out of range"))?;
        cell_object(py, cell)
    }

    /// The decision of two ids on a request.
    #[pyo3(signature = (principal, action, resource=None, context=None))]
    fn check_ids_with(
        &self,
        py: Python<'_>,
        principal: u32,
        action: u32,
        resource: Option<PyBackedStr>,
        context: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<Decision>> {
        let ctx = self::context(context)?;
        let decision = rt::check_ids(
            &self.inner,
            principal,
            action,
            resource.as_deref(),
            ctx.as_ref().unwrap_or(&EMPTY_CONTEXT),
        )
        .map_err(|err| check_error(&err, ""))?
        .ok_or_else(|| PyIndexError::new_err("principal or action id out of range"))?;
        decision_object(py, decision)
    }

    /// One loggable line identifying this table.
    #[getter]
    fn fingerprint(&self) -> String {
        rt::fingerprint(&self.inner)
    }

    #[getter]
    fn n_principals(&self) -> usize {
        rt::counts(&self.inner).0
    }

    #[getter]
    fn n_actions(&self) -> usize {
        rt::counts(&self.inner).1
    }

    fn __repr__(&self) -> String {
        format!("<verdict.Table {}>", rt::fingerprint(&self.inner))
    }
}

/// A table that can be reloaded while other threads check: every check (and
/// every `check_many` batch) is answered by one table, old or new, never a mix.
#[pyclass(frozen, module = "verdict")]
struct TableHandle {
    inner: rt::TableHandle,
}

#[pymethods]
impl TableHandle {
    /// Opens the table file at `path`; `reload()` re-reads it.
    #[staticmethod]
    fn open(py: Python<'_>, path: PathBuf) -> PyResult<TableHandle> {
        py.allow_threads(|| rt::open_handle(&path))
            .map(|inner| TableHandle { inner })
            .map_err(|err| load_error(&err))
    }

    /// A handle over a table from bytes; reload it with `reload_from_bytes`.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<TableHandle> {
        py.allow_threads(|| rt::from_bytes(data))
            .map(|t| TableHandle {
                inner: rt::TableHandle::new(t),
            })
            .map_err(|err| load_error(&err))
    }

    /// Re-reads the file and swaps the new table in; returns the generation.
    /// On error the old table keeps serving and the error is raised.
    fn reload(&self, py: Python<'_>) -> PyResult<u64> {
        py.allow_threads(|| rt::reload(&self.inner))
            .map_err(|err| load_error(&err))
    }

    /// Swaps in the table of `data` if it is valid; returns the generation.
    fn reload_from_bytes(&self, py: Python<'_>, data: &[u8]) -> PyResult<u64> {
        py.allow_threads(|| rt::reload_from_bytes(&self.inner, data))
            .map_err(|err| load_error(&err))
    }

    /// How many tables were swapped in, counting the first.
    #[getter]
    fn generation(&self) -> u64 {
        self.inner.generation()
    }

    /// The error of the last reload if it failed, else `None`.
    #[getter]
    fn last_error(&self) -> Option<PyErr> {
        self.inner.last_error().map(|err| load_error(&err))
    }

    /// The table serving now; it stays valid whatever reloads follow.
    fn current(&self) -> Table {
        Table {
            inner: self.inner.current(),
        }
    }

    /// `Table.check` on the current table.
    #[pyo3(signature = (principal, action, resource=None, context=None))]
    fn check(
        &self,
        py: Python<'_>,
        principal: PyBackedStr,
        action: PyBackedStr,
        resource: Option<PyBackedStr>,
        context: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<Decision>> {
        let table = self.inner.snapshot();
        check_one(
            py,
            &table,
            &principal,
            &action,
            resource.as_deref(),
            context,
        )
    }

    /// `Table.check_many` on one table, the current one.
    fn check_many(
        &self,
        py: Python<'_>,
        requests: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<Py<Decision>>> {
        let table = self.inner.current();
        check_batch(py, &table, requests)
    }

    /// The current table's fingerprint.
    #[getter]
    fn fingerprint(&self) -> String {
        rt::fingerprint(&self.inner.snapshot())
    }

    fn __repr__(&self) -> String {
        format!(
            "<verdict.TableHandle generation {} {}>",
            self.inner.generation(),
            rt::fingerprint(&self.inner.snapshot())
        )
    }
}

#[pymodule]
fn verdict(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Decision>()?;
    m.add_class::<Cell>()?;
    m.add_class::<Table>()?;
    m.add_class::<TableHandle>()?;
    m.add("LoadError", py.get_type::<LoadError>())?;
    m.add("NotFound", py.get_type::<NotFound>())?;
    m.add("NotATable", py.get_type::<NotATable>())?;
    m.add("UnsupportedVersion", py.get_type::<UnsupportedVersion>())?;
    m.add("Damaged", py.get_type::<Damaged>())?;
    m.add("TooLarge", py.get_type::<TooLarge>())?;
    m.add("IoError", py.get_type::<IoError>())?;
    m.add("Unverified", py.get_type::<Unverified>())?;
    m.add("UnknownName", py.get_type::<UnknownName>())?;
    m.add("UnknownPrincipal", py.get_type::<UnknownPrincipal>())?;
    m.add("UnknownAction", py.get_type::<UnknownAction>())?;
    m.add("RequestError", py.get_type::<RequestError>())?;
    Ok(())
}
