//! Load a verdict decision table and answer "may principal P perform action A?" in
//! constant time.
//!
//! The verdict compiler turns IAM-style policies into a table of principal row
//! classes × action column classes; this crate owns that table's binary format and
//! answers checks from it. It has no policy parser and no policy interpreter:
//! everything static was decided at compile time, and what depends on the request
//! (a resource narrower than `"*"`, condition keys such as `aws:SourceIp` or
//! `aws:MultiFactorAuthPresent`, variables over request keys) is a small residual
//! program attached to a conditional cell. Its atoms are Resource entry sets
//! (SEMANTICS R1–R7) and (operator, key) pairs of Condition blocks (C1–C20), read
//! and checked once when the table is loaded.
//!
//! # Main types
//!
//! At the crate root is what a service needs:
//!
//! - [`Table`]: a loaded, validated table. Get one with [`Table::from_bytes`] or
//!   [`Table::open`] (or, for the compiler, [`Table::from_parts`]; it goes through
//!   the bytes too, so there is exactly one way to get a `Table`).
//! - By name: [`Table::check`] (no request: resource `"*"`, empty context) and
//!   [`Table::check_request`] (a [`Request`]: the resource and the [`Context`]
//!   a conditional cell is evaluated against). Both answer a [`Decision`];
//!   unknown names fail closed ([`LookupError`], [`CheckError`]).
//! - By id, for hot paths: [`Table::principal`] and [`Table::action`] resolve
//!   names once into a [`PrincipalId`] and an [`ActionId`] (or
//!   [`Table::principal_at`] / [`Table::action_at`] from an index, range-checked);
//!   [`Table::check_with`] answers a [`Decision`], [`Table::try_check_with`] says
//!   when a request is over its [`RequestLimits`] ([`RequestError`]), and
//!   [`Table::cell`] reads the [`Cell`] the grid stores (no hashing, no
//!   allocation; a [`Cell::Conditional`] is not an answer).
//! - [`Table::fingerprint`]: a [`Fingerprint`] (format version, catalog,
//!   counts, size, digest) to log after a load or a reload.
//! - [`LoadError`]: bytes or a file that are not a valid table, with a
//!   [`LoadErrorClass`] (not found, not a table, another format version,
//!   damaged, too large, I/O, unverified) to act on.
//! - [`TableHandle`]: hot reload for services. Readers take the current table
//!   ([`TableHandle::current`], [`TableHandle::snapshot`]) without ever blocking;
//!   [`TableHandle::reload`] re-reads the file and swaps the new table in atomically
//!   once it is fully validated, or keeps serving the old one and reports why
//!   ([`TableHandle::last_error`], [`TableHandle::generation`]).
//! - The assume-role graph (SEMANTICS G3, G4, T6): [`Table::trust_edges_from`],
//!   [`Table::trust_edges_to`], [`Table::assume`] ([`TrustEdge`], edges conditional on
//!   a residual program), and role chaining: [`Table::reachable`] and
//!   [`Table::reaching`] ([`Assume`], [`Reachable`], [`Reaching`]).
//! - With feature `verify`, `Verifier` (a public key or a pinned digest) and
//!   the verifying loads; see "Crate features".
//!
//! In modules of their own, for the compiler and for tools:
//!
//! - [`parts`]: the plain data a table is built from ([`parts::TableParts`],
//!   [`parts::Residual`], [`parts::Atom`], [`parts::Condition`], …, and
//!   [`parts::Grid`], cells packed as the file stores them, for
//!   [`Table::from_parts_with_grid`]); [`parts::Atom::evaluate`] and
//!   [`parts::Condition::evaluate`] (the check path's evaluator) and
//!   [`parts::validate_policy_value`] (the check path's value readers), so the
//!   compiler decides and rejects exactly what a table would.
//! - [`provenance`]: the optional section `compile --explain` writes, which says
//!   where each statement comes from and how each principal got it
//!   ([`Table::provenance`]). Checks never read it. [`provenance::explain`]
//!   derives from it why the table decides what it decides (the statements,
//!   their roles and the rule ids), for `verdict explain` and the bindings.
//! - [`outcome`]: what a residual program can decide, with witness requests
//!   ([`Table::residual_outcomes`]), and [`outcome::compare`] for two programs.
//!
//! Loading checks the header, the CRC-32C checksum, decodes the body and validates
//! every index, dimension, cross-reference and atom (operator combinations, typed
//! policy values) before a `Table` exists. Afterwards every method is total: no
//! input, request or context makes it panic, and a check never parses a policy
//! value.
//!
//! # Example
//!
//! ```
//! use verdict_runtime::{AccessLevel, Cell, Decision, Table};
//! use verdict_runtime::parts::TableParts;
//!
//! let parts = TableParts {
//!     catalog: "chime".to_owned(),
//!     principals: vec!["user/alice".to_owned(), "role/Ops".to_owned()],
//!     principal_arns: vec![
//!         "arn:aws:iam::111122223333:user/alice".to_owned(),
//!         String::new(),
//!     ],
//!     actions: vec!["chime:ListUsers".to_owned(), "chime:DeleteAccount".to_owned()],
//!     action_access: vec![AccessLevel::List, AccessLevel::Write],
//!     action_wildcard_only: vec![true, true],
//!     principal_row: vec![0, 1],
//!     action_col: vec![0, 1],
//!     n_rows: 2,
//!     n_cols: 2,
//!     cells: vec![Cell::Allow, Cell::Deny, Cell::Allow, Cell::ImplicitDeny],
//!     ..TableParts::default()
//! };
//! let table = Table::from_parts(parts)?;
//!
//! // Ship the bytes; load them elsewhere.
//! let table = Table::from_bytes(&table.to_bytes())?;
//!
//! assert_eq!(table.check("user/alice", "chime:ListUsers")?, Decision::Allow);
//! assert_eq!(table.check("user/alice", "chime:deleteaccount")?, Decision::Deny);
//! assert_eq!(table.check("role/Ops", "chime:DeleteAccount")?, Decision::ImplicitDeny);
//! assert!(table.check("user/mallory", "chime:ListUsers").is_err());
//!
//! // Hot path: resolve names once, then check by id.
//! let alice = table.principal("arn:aws:iam::111122223333:user/alice")?;
//! let list = table.action("chime:ListUsers")?;
//! assert_eq!(table.cell(alice, list), Cell::Allow);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A conditional cell: `Allow` only from the corporate network (SEMANTICS X17's
//! Allow half), evaluated against a request context.
//!
//! ```
//! use verdict_runtime::parts::{Atom, Condition, Lit, Operator, Residual, SetOp, TableParts};
//! use verdict_runtime::{AccessLevel, Cell, Context, Decision, Request, Table};
//!
//! let from_corp = Condition {
//!     set: SetOp::None,
//!     op: Operator::IpAddress,
//!     if_exists: false,
//!     key: "aws:sourceip".to_owned(),
//!     fixed: None,
//!     values: vec!["10.0.0.0/8".into()],
//! };
//! let table = Table::from_parts(TableParts {
//!     principals: vec!["user/alice".to_owned()],
//!     principal_arns: vec![String::new()],
//!     actions: vec!["chime:ListUsers".to_owned()],
//!     action_access: vec![AccessLevel::List],
//!     action_wildcard_only: vec![true],
//!     principal_row: vec![0],
//!     action_col: vec![0],
//!     n_rows: 1,
//!     n_cols: 1,
//!     cells: vec![Cell::Conditional],
//!     atoms: vec![Atom::Condition(from_corp)],
//!     residuals: vec![Residual {
//!         deny: vec![],
//!         allow: vec![vec![vec![Lit { atom: 0, negated: false }]]],
//!     }],
//!     conditional: vec![(0, 0, 0)],
//!     ..TableParts::default()
//! })?;
//! let alice = table.principal("user/alice")?;
//! let list = table.action("chime:ListUsers")?;
//!
//! let corp = Context::new().with("aws:SourceIp", "10.1.2.3");
//! let home = Context::new().with("aws:SourceIp", "203.0.113.9");
//! let at = |context| Request { resource: "*", context };
//! assert_eq!(table.check_with(alice, list, &at(&corp)), Decision::Allow);
//! assert_eq!(table.check_with(alice, list, &at(&home)), Decision::ImplicitDeny);
//! // No context: the key is absent (C4).
//! assert_eq!(table.check("user/alice", "chime:ListUsers")?, Decision::ImplicitDeny);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crate features
//!
//! Without features the only dependencies are `serde`, `bincode` (pinned at
//! 1.3.3) and `arc-swap` (the lock-free pointer behind [`TableHandle`]).
//!
//! - `verify`: signed tables and digest pins. `Table::from_bytes_verified`,
//!   `Table::open_verified`, `TableHandle::open_verified` check a table's
//!   Ed25519 signature (or its SHA-256 digest) before anything else of it is
//!   trusted; `Digest`, `VerifyingKey` (PEM, DER or raw key files), `Verifier`.
//!   Adds `sha2` and `ed25519-dalek` (without default features).
//! - `sign`: `SigningKey` and `Table::to_signed_bytes` (implies `verify`).
//!
//! Without `verify`, a signed table loads like an unsigned one: its signature
//! section's shape is checked, the signature is not ([`Table::is_signed`]).
#![forbid(unsafe_code)]

mod cond;
mod crc32c;
mod error;
mod eval;
mod fingerprint;
mod glob;
mod grid;
mod hash;
pub mod outcome;
pub mod parts;
pub mod provenance;
mod reach;
mod reload;
#[cfg(feature = "verify")]
mod sign;
mod table;
mod types;
mod value;
mod wire;

pub use error::{CheckError, LoadError, LoadErrorClass, LookupError};
pub use eval::{Context, ContextValue, Request, RequestError, RequestLimits};
pub use fingerprint::{CompileFacts, Fingerprint};
pub use reach::{Assume, Reachable, Reaching};
pub use reload::{Snapshot, TableHandle};
#[cfg(feature = "sign")]
pub use sign::SigningKey;
#[cfg(feature = "verify")]
pub use sign::{Digest, KeyError, Verifier, VerifyingKey};
pub use table::{GridStats, Table, TrustEdge};
pub use types::{AccessLevel, ActionId, Cell, Decision, PrincipalId};

/// The largest table file [`Table::open`] reads, in bytes.
pub const MAX_TABLE_BYTES: u64 = wire::MAX_FILE;

/// The table format version this runtime writes (and the only one it reads).
pub const FORMAT_VERSION: u32 = 4;

/// The hash [`Table::principal`] computes for a principal name or ARN, and
/// with `fold` the one [`Table::action`] computes for an action name (equal up
/// to ASCII case). Part of the file format.
///
/// Not for use: exposed so that the benchmarks can tell the cost of hashing a
/// name from the cost of the rest of a lookup.
#[doc(hidden)]
#[must_use]
pub fn name_hash(name: &str, fold: bool) -> u64 {
    if fold {
        hash::hash_folded(name.as_bytes())
    } else {
        hash::hash_exact(name.as_bytes())
    }
}
