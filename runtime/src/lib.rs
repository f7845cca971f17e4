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
//! - [`Table`]: a loaded, validated table. Get one with [`Table::from_bytes`],
//!   [`Table::open`] or [`Table::from_parts`] (the compiler's way; it goes through
//!   the bytes too, so there is exactly one way to get a `Table`).
//!   [`Table::check`] answers by name; [`Table::principal`] and [`Table::action`]
//!   give ids for [`Table::check_ids`] (no hashing, no allocation) and
//!   [`Table::check_with`] (evaluates conditional cells against a [`Request`]).
//! - The assume-role graph (SEMANTICS G3, G4, T6): [`Table::trust_edges_from`],
//!   [`Table::trust_edges_to`], [`Table::assume`] ([`TrustEdge`], edges conditional on
//!   a residual program), and role chaining: [`Table::reachable`] and
//!   [`Table::reaching`] ([`Assume`], [`Reachable`], [`Reaching`]).
//! - [`Cell`] is what the grid stores; [`Decision`] is what a check answers.
//!   [`Grid`] holds cells packed as the file stores them, for
//!   [`Table::from_parts_with_grid`] (large tables).
//! - [`Request`] and [`Context`]: the resource and the condition keys a conditional
//!   cell is evaluated against.
//! - [`TableParts`], [`Residual`], [`Atom`], [`Condition`], [`Template`], [`Lit`],
//!   [`Dnf`]: the plain data a table is built from.
//! - [`Decimal`], [`Timestamp`], [`IpNetwork`], [`decode_base64`], [`parse_bool`]
//!   and [`validate_policy_value`]: how condition values are read (the compiler uses
//!   the same readers to reject malformed policy values).
//! - [`Provenance`] and its parts ([`ProvenancePolicy`], [`ProvenanceStatement`],
//!   [`Profile`], …): the optional section `compile --explain` writes, which says
//!   where each statement comes from and how each principal got it
//!   ([`Table::provenance`]). Checks never read it. [`provenance::explain`]
//!   derives from it why the table decides what it decides (the statements,
//!   their roles and the rule ids), for `verdict explain` and the bindings.
//! - [`LoadError`] (bytes that are not a valid table) and [`LookupError`] (a name the
//!   table does not know; unknown names fail closed).
//! - With feature `verify`, `Verifier` (a public key or a pinned digest) and
//!   the verifying loads; see "Crate features".
//! - [`TableHandle`]: hot reload for services. Readers take the current table
//!   ([`TableHandle::current`], [`TableHandle::snapshot`]) without ever blocking;
//!   [`TableHandle::reload`] re-reads the file and swaps the new table in atomically
//!   once it is fully validated, or keeps serving the old one and reports why
//!   ([`TableHandle::last_error`], [`TableHandle::generation`]).
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
//! use verdict_runtime::{AccessLevel, Cell, Decision, Table, TableParts};
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
//! assert_eq!(table.check_ids(alice, list), Cell::Allow);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A conditional cell: `Allow` only from the corporate network (SEMANTICS X17's
//! Allow half), evaluated against a request context.
//!
//! ```
//! use verdict_runtime::{
//!     AccessLevel, Atom, Cell, Condition, Context, Decision, Lit, Operator, Request, Residual,
//!     SetOp, Table, TableParts,
//! };
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
mod glob;
mod grid;
mod hash;
mod outcome;
mod parts;
pub mod provenance;
mod reach;
mod reload;
#[cfg(feature = "verify")]
mod sign;
mod table;
mod types;
mod value;
mod wire;

pub use error::{LoadError, LookupError};
pub use eval::{Context, ContextValue, Request, RequestError, RequestLimits};
pub use grid::Grid;
pub use outcome::{compare, constant_residual, Comparison, Outcomes, OwnedRequest, Verdict};
pub use parts::{Atom, Condition, Dnf, Lit, Operator, Part, Residual, SetOp, TableParts, Template};
pub use provenance::{
    ActionRanges, CredentialKind, Effect, Grant, GrantSource, PolicyKind, Profile, Provenance,
    ProvenanceGroup, ProvenancePolicy, ProvenanceStatement, StatementEval, Step,
};
pub use reach::{Assume, Reachable, Reaching};
pub use reload::{Snapshot, TableHandle};
#[cfg(feature = "sign")]
pub use sign::SigningKey;
#[cfg(feature = "verify")]
pub use sign::{Digest, KeyError, Verifier, VerifyingKey};
pub use table::{Table, TrustEdge};
pub use types::{AccessLevel, ActionId, Cell, Decision, PrincipalId};
pub use value::{
    decode_base64, parse_bool, validate_policy_value, Decimal, IpNetwork, Timestamp, ValueError,
};

/// The largest table file [`Table::open`] reads, in bytes.
pub const MAX_TABLE_BYTES: u64 = wire::MAX_FILE;

/// The table format version this runtime writes (and the only one it reads).
pub const FORMAT_VERSION: u32 = 3;

impl Condition {
    /// The truth of this (operator, key) pair for `context`, exactly as a check
    /// evaluates it inside a residual program (SEMANTICS C1–C20, C-TYPE, C-VAR-3/5).
    ///
    /// For the compiler, which decides pairs on keys it knows per principal by
    /// evaluating them against a context holding that one key (K1), so the table
    /// and `check` share one condition evaluator.
    ///
    /// # Errors
    /// The pair is not a valid atom: the message a table load would give (an
    /// unreadable number, date, network or base64 value, a variable where the
    /// operator takes none, `Null` with `IfExists`).
    ///
    /// # Panics
    /// Never.
    ///
    /// ```
    /// use verdict_runtime::{Condition, Context, Operator, SetOp};
    ///
    /// let mfa = Condition {
    ///     set: SetOp::None,
    ///     op: Operator::Bool,
    ///     if_exists: true,
    ///     key: "aws:multifactorauthpresent".to_owned(),
    ///     fixed: None,
    ///     values: vec!["false".into()],
    /// };
    /// assert_eq!(mfa.evaluate(&Context::new()), Ok(true)); // absent: IfExists (C6)
    /// let with_mfa = Context::new().with("aws:MultiFactorAuthPresent", "true");
    /// assert_eq!(mfa.evaluate(&with_mfa), Ok(false));
    /// ```
    pub fn evaluate(&self, context: &Context) -> Result<bool, String> {
        let program = cond::compile(&Atom::Condition(self.clone()))?;
        Ok(program.eval(&Request {
            resource: "*",
            context,
        }))
    }
}

impl Atom {
    /// The truth of this atom for `request`, exactly as a check evaluates it inside a
    /// residual program: a Resource atom against the request resource (SEMANTICS
    /// R1–R7), a Condition atom against the context (C1–C20).
    ///
    /// For the compiler, which decides Resource atoms of `sts:AssumeRole` statements
    /// against the ARN of the role to assume (G3), with the evaluator `check` uses.
    ///
    /// # Errors
    /// The atom is not valid: the message a table load would give.
    ///
    /// # Panics
    /// Never.
    ///
    /// ```
    /// use verdict_runtime::{Atom, Request};
    ///
    /// let ops = Atom::Resource { patterns: vec!["arn:aws:iam::*:role/Ops*".into()], not: false };
    /// assert_eq!(ops.evaluate(&Request::new("arn:aws:iam::111122223333:role/Ops")), Ok(true));
    /// assert_eq!(ops.evaluate(&Request::new("arn:aws:iam::111122223333:role/Dev")), Ok(false));
    /// ```
    pub fn evaluate(&self, request: &Request<'_>) -> Result<bool, String> {
        Ok(cond::compile(self)?.eval(request))
    }
}

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
