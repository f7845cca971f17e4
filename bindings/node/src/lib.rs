//! The `verdict` Node addon: a thin N-API layer (napi-rs) over `verdict-runtime`.
//!
//! JavaScript values are converted here; every runtime call goes through
//! `rt.rs`. No semantics live in this crate and nothing in it panics: every
//! failure is a thrown `Error` whose `code` names its kind (`VERDICT_NOT_FOUND`,
//! `VERDICT_DAMAGED`, `VERDICT_UNKNOWN_PRINCIPAL`, …; see `index.d.ts`).

#[path = "../../common/rt.rs"]
mod rt;

use std::collections::HashMap;
use std::sync::Arc;

use napi::bindgen_prelude::{Buffer, Either, Either3, Either4, Null};
use napi_derive::napi;

use rt::{CheckFailure, Context, ContextValue, LoadError, LoadErrorClass};

/// The `code` of every error this addon throws.
#[derive(Clone, Copy, Debug)]
pub enum Code {
    NotFound,
    NotATable,
    UnsupportedVersion,
    Damaged,
    TooLarge,
    Io,
    Unverified,
    OtherLoadError,
    UnknownPrincipal,
    UnknownAction,
    RequestLimit,
    IdOutOfRange,
    InvalidArgument,
}

impl Code {
    /// The `code` property of the thrown error.
    const fn name(self) -> &'static str {
        match self {
            Code::NotFound => "VERDICT_NOT_FOUND",
            Code::NotATable => "VERDICT_NOT_A_TABLE",
            Code::UnsupportedVersion => "VERDICT_UNSUPPORTED_VERSION",
            Code::Damaged => "VERDICT_DAMAGED",
            Code::TooLarge => "VERDICT_TOO_LARGE",
            Code::Io => "VERDICT_IO",
            Code::Unverified => "VERDICT_UNVERIFIED",
            Code::OtherLoadError => "VERDICT_LOAD_ERROR",
            Code::UnknownPrincipal => "VERDICT_UNKNOWN_PRINCIPAL",
            Code::UnknownAction => "VERDICT_UNKNOWN_ACTION",
            Code::RequestLimit => "VERDICT_REQUEST_LIMIT",
            Code::IdOutOfRange => "VERDICT_ID_OUT_OF_RANGE",
            Code::InvalidArgument => "VERDICT_INVALID_ARGUMENT",
        }
    }
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.name()
    }
}

type Result<T> = napi::Result<T, Code>;
type Error = napi::Error<Code>;

fn load_error(err: &LoadError) -> Error {
    let code = match rt::load_class(err) {
        LoadErrorClass::NotFound => Code::NotFound,
        LoadErrorClass::NotATable => Code::NotATable,
        LoadErrorClass::UnsupportedVersion => Code::UnsupportedVersion,
        LoadErrorClass::Damaged => Code::Damaged,
        LoadErrorClass::TooLarge => Code::TooLarge,
        LoadErrorClass::Io => Code::Io,
        LoadErrorClass::Unverified => Code::Unverified,
        // A class of a newer runtime: still a load error.
        _ => Code::OtherLoadError,
    };
    Error::new(code, err.to_string())
}

fn check_error(err: &CheckFailure, prefix: &str) -> Error {
    let code = match err {
        CheckFailure::UnknownPrincipal(_) => Code::UnknownPrincipal,
        CheckFailure::UnknownAction(_) => Code::UnknownAction,
        CheckFailure::Request(_) => Code::RequestLimit,
    };
    Error::new(code, format!("{prefix}{}", err.message()))
}

fn out_of_range() -> Error {
    Error::new(
        Code::IdOutOfRange,
        "principal or action id out of range".to_owned(),
    )
}

fn decision_word(d: rt::Decision) -> &'static str {
    match d {
        rt::Decision::Allow => "allow",
        rt::Decision::Deny => "deny",
        rt::Decision::ImplicitDeny => "implicit-deny",
    }
}

fn cell_word(c: rt::Cell) -> &'static str {
    match c {
        rt::Cell::Allow => "allow",
        rt::Cell::Deny => "deny",
        rt::Cell::ImplicitDeny => "implicit-deny",
        rt::Cell::Conditional => "conditional",
    }
}

/// A context value as JavaScript gives it: a string, a boolean or an integer
/// (read as its text, as the CLI's batch reads JSON), or an array of them.
type Scalar = Either3<String, bool, f64>;
type JsContextValue = Either4<String, bool, f64, Vec<Scalar>>;
type JsContext = HashMap<String, JsContextValue>;

static EMPTY_CONTEXT: Context = Context::new();

fn scalar_text(value: Scalar) -> Result<String> {
    match value {
        Either3::A(s) => Ok(s),
        Either3::B(b) => Ok(if b { "true" } else { "false" }.to_owned()),
        Either3::C(n) => {
            // Integers only: the text of other numbers is ambiguous.
            if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_992.0 {
                Ok(format!("{n:.0}"))
            } else {
                Err(Error::new(
                    Code::InvalidArgument,
                    format!("a context number must be an integer, not {n}"),
                ))
            }
        }
    }
}

fn context(ctx: Option<JsContext>) -> Result<Option<Context>> {
    let Some(ctx) = ctx else { return Ok(None) };
    let mut entries = Vec::with_capacity(ctx.len());
    for (key, value) in ctx {
        let value = match value {
            Either4::A(s) => ContextValue::Single(s),
            Either4::B(b) => ContextValue::Single(scalar_text(Either3::B(b))?),
            Either4::C(n) => ContextValue::Single(scalar_text(Either3::C(n))?),
            Either4::D(values) => ContextValue::Multi(
                values
                    .into_iter()
                    .map(scalar_text)
                    .collect::<Result<Vec<_>>>()?,
            ),
        };
        entries.push((key, value));
    }
    Ok(Some(entries.into_iter().collect()))
}

/// One request of `checkMany`, as a `verdict check --batch` line.
#[napi(object, object_to_js = false)]
pub struct CheckRequest {
    pub principal: String,
    pub action: String,
    pub resource: Option<Either<String, Null>>,
    pub context: Option<Either<JsContext, Null>>,
}

/// A field that may be absent, `undefined` or `null`.
fn nullable<T>(value: Option<Either<T, Null>>) -> Option<T> {
    match value {
        Some(Either::A(v)) => Some(v),
        Some(Either::B(Null)) | None => None,
    }
}

fn check_one(
    table: &rt::Table,
    principal: &str,
    action: &str,
    resource: Option<&str>,
    ctx: Option<JsContext>,
) -> Result<&'static str> {
    let ctx = context(ctx)?;
    rt::check(
        table,
        principal,
        action,
        resource,
        ctx.as_ref().unwrap_or(&EMPTY_CONTEXT),
    )
    .map(decision_word)
    .map_err(|err| check_error(&err, ""))
}

fn check_batch(table: &rt::Table, requests: Vec<CheckRequest>) -> Result<Vec<&'static str>> {
    requests
        .into_iter()
        .enumerate()
        .map(|(idx, r)| {
            let resource = nullable(r.resource);
            let ctx = context(nullable(r.context))
                .map_err(|err| Error::new(err.status, format!("request {idx}: {}", err.reason)))?;
            rt::check(
                table,
                &r.principal,
                &r.action,
                resource.as_deref(),
                ctx.as_ref().unwrap_or(&EMPTY_CONTEXT),
            )
            .map(decision_word)
            .map_err(|err| check_error(&err, &format!("request {idx}: ")))
        })
        .collect()
}

/// A loaded decision table, immutable.
#[napi]
pub struct Table {
    inner: Arc<rt::Table>,
}

#[napi]
impl Table {
    /// Loads the table file at `path`.
    #[napi(factory)]
    pub fn open(path: String) -> Result<Table> {
        rt::open(std::path::Path::new(&path))
            .map(|t| Table { inner: Arc::new(t) })
            .map_err(|err| load_error(&err))
    }

    /// Loads a table from its bytes.
    #[napi(factory)]
    pub fn from_bytes(data: Buffer) -> Result<Table> {
        rt::from_bytes(&data)
            .map(|t| Table { inner: Arc::new(t) })
            .map_err(|err| load_error(&err))
    }

    /// `"allow"`, `"deny"` or `"implicit-deny"` for a request by names.
    #[napi]
    pub fn check(
        &self,
        principal: String,
        action: String,
        resource: Option<String>,
        context: Option<JsContext>,
    ) -> Result<&'static str> {
        check_one(
            &self.inner,
            &principal,
            &action,
            resource.as_deref(),
            context,
        )
    }

    /// The decisions of many requests, in order.
    #[napi]
    pub fn check_many(&self, requests: Vec<CheckRequest>) -> Result<Vec<&'static str>> {
        check_batch(&self.inner, requests)
    }

    /// The id of a principal of this table.
    #[napi]
    pub fn principal(&self, name: String) -> Result<u32> {
        rt::principal_index(&self.inner, &name)
            .ok_or_else(|| check_error(&CheckFailure::UnknownPrincipal(name), ""))
    }

    /// The id of an action of this table's catalog.
    #[napi]
    pub fn action(&self, name: String) -> Result<u32> {
        rt::action_index(&self.inner, &name)
            .ok_or_else(|| check_error(&CheckFailure::UnknownAction(name), ""))
    }

    /// The stored cell of two ids: a decision, or `"conditional"`.
    #[napi]
    pub fn check_ids(&self, principal: u32, action: u32) -> Result<&'static str> {
        rt::cell(&self.inner, principal, action)
            .map(cell_word)
            .ok_or_else(out_of_range)
    }

    /// The decision of two ids on a request.
    #[napi]
    pub fn check_ids_with(
        &self,
        principal: u32,
        action: u32,
        resource: Option<String>,
        context: Option<JsContext>,
    ) -> Result<&'static str> {
        let ctx = self::context(context)?;
        rt::check_ids(
            &self.inner,
            principal,
            action,
            resource.as_deref(),
            ctx.as_ref().unwrap_or(&EMPTY_CONTEXT),
        )
        .map_err(|err| check_error(&err, ""))?
        .map(decision_word)
        .ok_or_else(out_of_range)
    }

    /// One loggable line identifying this table.
    #[napi(getter)]
    pub fn fingerprint(&self) -> String {
        rt::fingerprint(&self.inner)
    }

    #[napi(getter)]
    pub fn principal_count(&self) -> u32 {
        u32::try_from(rt::counts(&self.inner).0).unwrap_or(u32::MAX)
    }

    #[napi(getter)]
    pub fn action_count(&self) -> u32 {
        u32::try_from(rt::counts(&self.inner).1).unwrap_or(u32::MAX)
    }
}

/// A reloadable table: each check, and each `checkMany` batch, is answered by
/// one table, never a mix.
#[napi]
pub struct TableHandle {
    inner: rt::TableHandle,
}

#[napi]
impl TableHandle {
    /// Opens the table file at `path`; `reload()` re-reads it.
    #[napi(factory)]
    pub fn open(path: String) -> Result<TableHandle> {
        rt::open_handle(std::path::Path::new(&path))
            .map(|inner| TableHandle { inner })
            .map_err(|err| load_error(&err))
    }

    /// A handle over a table from bytes; reload it with `reloadFromBytes`.
    #[napi(factory)]
    pub fn from_bytes(data: Buffer) -> Result<TableHandle> {
        rt::from_bytes(&data)
            .map(|t| TableHandle {
                inner: rt::TableHandle::new(t),
            })
            .map_err(|err| load_error(&err))
    }

    /// Re-reads the file and swaps the new table in; returns the generation.
    /// On error the old table keeps serving and the error is thrown.
    #[napi]
    pub fn reload(&self) -> Result<i64> {
        rt::reload(&self.inner)
            .map(generation)
            .map_err(|err| load_error(&err))
    }

    /// Swaps in the table of `data` if it is valid; returns the generation.
    #[napi]
    pub fn reload_from_bytes(&self, data: Buffer) -> Result<i64> {
        rt::reload_from_bytes(&self.inner, &data)
            .map(generation)
            .map_err(|err| load_error(&err))
    }

    /// How many tables were swapped in, counting the first.
    #[napi(getter)]
    pub fn generation(&self) -> i64 {
        generation(self.inner.generation())
    }

    /// The message of the last reload's error if it failed, else `null`.
    #[napi(getter)]
    pub fn last_error(&self) -> Option<String> {
        self.inner.last_error().map(|err| err.to_string())
    }

    /// The code of the last reload's error if it failed, else `null`.
    #[napi(getter)]
    pub fn last_error_code(&self) -> Option<&'static str> {
        self.inner
            .last_error()
            .map(|err| load_error(&err).status.name())
    }

    /// The table serving now; it stays valid whatever reloads follow.
    #[napi]
    pub fn current(&self) -> Table {
        Table {
            inner: self.inner.current(),
        }
    }

    /// `Table.check` on the current table.
    #[napi]
    pub fn check(
        &self,
        principal: String,
        action: String,
        resource: Option<String>,
        context: Option<JsContext>,
    ) -> Result<&'static str> {
        let table = self.inner.snapshot();
        check_one(&table, &principal, &action, resource.as_deref(), context)
    }

    /// `Table.checkMany` on one table, the current one.
    #[napi]
    pub fn check_many(&self, requests: Vec<CheckRequest>) -> Result<Vec<&'static str>> {
        check_batch(&self.inner.snapshot(), requests)
    }

    /// The current table's fingerprint.
    #[napi(getter)]
    pub fn fingerprint(&self) -> String {
        rt::fingerprint(&self.inner.snapshot())
    }
}

fn generation(g: u64) -> i64 {
    i64::try_from(g).unwrap_or(i64::MAX)
}
