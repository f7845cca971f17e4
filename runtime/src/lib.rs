//! Load a verdict decision table and answer "may principal P perform action A?" in
//! constant time.
//!
//! The verdict compiler turns IAM-style policies into a table of principal row
//! classes × action column classes; this crate owns that table's binary format and
//! answers checks from it. It has no parser and no policy interpreter: everything
//! static was decided at compile time, and what depends on the request (a resource
//! narrower than `"*"`) is a small residual program attached to a conditional cell.
//!
//! # Main types
//!
//! - [`Table`]: a loaded, validated table. Get one with [`Table::from_bytes`],
//!   [`Table::open`] or [`Table::from_parts`] (the compiler's way; it goes through
//!   the bytes too, so there is exactly one way to get a `Table`).
//!   [`Table::check`] answers by name; [`Table::principal`] and [`Table::action`]
//!   give ids for [`Table::check_ids`] (no hashing, no allocation) and
//!   [`Table::check_with`] (evaluates conditional cells against a [`Request`]).
//! - [`Cell`] is what the grid stores; [`Decision`] is what a check answers.
//! - [`TableParts`], [`Residual`], [`Atom`], [`Lit`], [`Dnf`]: the plain data a table
//!   is built from.
//! - [`LoadError`] (bytes that are not a valid table) and [`LookupError`] (a name the
//!   table does not know; unknown names fail closed).
//! - [`TableHandle`]: hot reload for services. Readers take the current table
//!   ([`TableHandle::current`], [`TableHandle::snapshot`]) without ever blocking;
//!   [`TableHandle::reload`] re-reads the file and swaps the new table in atomically
//!   once it is fully validated, or keeps serving the old one and reports why
//!   ([`TableHandle::last_error`], [`TableHandle::generation`]).
//!
//! Loading checks the header, the CRC-32C checksum, decodes the body and validates
//! every index, dimension and cross-reference before a `Table` exists. Afterwards
//! every method is total: no input makes it panic.
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
//! # Crate features
//!
//! None. The only dependencies are `serde`, `bincode` (pinned at 1.3.3) and
//! `arc-swap` (the lock-free pointer behind [`TableHandle`]).
#![forbid(unsafe_code)]

mod crc32c;
mod error;
mod eval;
mod glob;
mod hash;
mod parts;
mod reload;
mod table;
mod types;
mod wire;

pub use error::{LoadError, LookupError};
pub use eval::{Context, ContextValue, Request};
pub use parts::{Atom, Condition, Dnf, Lit, Operator, Part, Residual, SetOp, TableParts, Template};
pub use reload::{Snapshot, TableHandle};
pub use table::Table;
pub use types::{AccessLevel, ActionId, Cell, Decision, PrincipalId};

/// The table format version this runtime writes (and the only one it reads).
pub const FORMAT_VERSION: u32 = 1;
