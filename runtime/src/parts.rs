//! The plain-data description of a table that the compiler builds:
//! [`TableParts`] and the residual programs ([`Residual`], [`Dnf`], [`Lit`],
//! [`Atom`], [`Condition`], [`Template`]), [`Grid`] for cells packed as stored;
//! the optional provenance section is in [`provenance`](crate::provenance).
//!
//! Also the two ways the compiler reuses the check path instead of a second
//! implementation: [`Atom::evaluate`] / [`Condition::evaluate`] (errors:
//! [`AtomError`]) and [`validate_policy_value`] (errors: [`ValueError`]).
//!
//! These types carry no invariants of their own; [`Table::from_parts`](crate::Table::from_parts)
//! encodes them and then validates the result exactly like bytes read from a file.
//! They do not derive `Serialize`: the wire format has its own mirror types in `wire`.

use crate::cond;
use crate::eval::{Context, Request};
use crate::provenance::Provenance;
use crate::types::{AccessLevel, Cell};

pub use crate::error::AtomError;
pub use crate::grid::Grid;
pub use crate::value::{validate_policy_value, ValueError};

/// Everything a table is made of, as the compiler produces it.
///
/// Parallel vectors must have equal lengths; see the field docs for the other rules.
/// [`Table::from_parts`](crate::Table::from_parts) checks all of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableParts {
    /// Catalog name, e.g. `"chime"`, `"aws"`, or a file name.
    pub catalog: String,
    /// Principal ids like `"user/alice"`, `"role/Ops"`; unique (exact match).
    pub principals: Vec<String>,
    /// Same length as `principals`: the full ARN of each principal, or `""` if unknown.
    /// Accepted as alias names; unique when non-empty, and never the id of another principal.
    pub principal_arns: Vec<String>,
    /// Canonical `"service:Action"` names; unique under ASCII case folding.
    pub actions: Vec<String>,
    /// Same length as `actions`.
    pub action_access: Vec<AccessLevel>,
    /// Same length as `actions`: `true` if the action takes no resource ARN (SEMANTICS R4).
    pub action_wildcard_only: Vec<bool>,
    /// Same length as `principals`: the row class of each principal (`< n_rows`).
    pub principal_row: Vec<u32>,
    /// Same length as `actions`: the column class of each action (`< n_cols`).
    pub action_col: Vec<u32>,
    /// Number of row classes.
    pub n_rows: u32,
    /// Number of column classes.
    pub n_cols: u32,
    /// `n_rows * n_cols` cells, row-major.
    pub cells: Vec<Cell>,
    /// Atoms referenced by the residuals.
    pub atoms: Vec<Atom>,
    /// Residual programs of the conditional cells.
    pub residuals: Vec<Residual>,
    /// `(row class, column class, residual index)`: exactly one entry per
    /// [`Cell::Conditional`] cell and none for other cells. Any order; stored sorted.
    pub conditional: Vec<(u32, u32, u32)>,
    /// The assume-role graph (SEMANTICS G3, G4, T6): `(from, to, residual)` means
    /// principal `from` may assume role `to`, unconditionally (`None`) or when the
    /// residual program `residual` (an index into `residuals`) decides Allow for the
    /// request `sts:AssumeRole` on `to`'s ARN. Indexes in range; at most one edge per
    /// `(from, to)`. Any order; stored sorted by `(from, to)`.
    pub trust_edges: Vec<(u32, u32, Option<u32>)>,
    /// The optional provenance section (`compile --explain`); `None` leaves the
    /// table's bytes exactly as without the section.
    pub provenance: Option<Provenance>,
}

/// What decides a conditional cell (SEMANTICS T4).
///
/// If `deny` is true the decision is Deny; else if every `allow[i]` is true it is
/// Allow; else ImplicitDeny.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Residual {
    /// When the request is explicitly denied.
    pub deny: Dnf,
    /// One condition per step of the allow chain; all must hold for Allow.
    pub allow: Vec<Dnf>,
}

impl Residual {
    /// Whether some request could make this residual decide Allow, as far as its
    /// structure tells: no allow step is false (empty) and the deny condition is not
    /// true. A residual whose allow chain is false only tells Deny from ImplicitDeny.
    #[must_use]
    pub fn may_allow(&self) -> bool {
        self.allow.iter().all(|step| !step.is_empty()) && !self.deny.iter().any(Vec::is_empty)
    }
}

/// A disjunction of clauses; a clause is a conjunction of literals.
///
/// An empty `Dnf` is false; a `Dnf` containing an empty clause is true.
pub type Dnf = Vec<Vec<Lit>>;

/// An atom of the table, possibly negated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lit {
    /// Index into [`TableParts::atoms`].
    pub atom: u32,
    /// `true` for the negation of the atom.
    pub negated: bool,
}

/// A test on the request, evaluated at check time.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Atom {
    /// A `Resource` (or, with `not`, `NotResource`) entry set, matched against the
    /// request resource per SEMANTICS R1–R7.
    ///
    /// An entry whose variable cannot be resolved matches no resource (R5), so the
    /// compiler drops entries it knows to be unresolved: an empty `Resource` set
    /// matches nothing and an empty `NotResource` set matches everything.
    Resource {
        /// The entries: `"*"` or ARN patterns, possibly with request-key variables.
        patterns: Vec<Template>,
        /// `true` for `NotResource`: matches iff no pattern matches.
        not: bool,
    },
    /// One (operator, key) pair of a Condition block (SEMANTICS C1–C20).
    Condition(Condition),
}

/// One (operator, key) pair of a Condition block, with the policy values.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Condition {
    /// `ForAllValues:` / `ForAnyValue:` prefix (C16–C20).
    pub set: SetOp,
    /// The base operator; negated operators are their own variants (C5).
    pub op: Operator,
    /// The `IfExists` suffix (C6). Never set with [`Operator::Null`].
    pub if_exists: bool,
    /// The condition key, lower-cased (C3), e.g. `aws:principaltag/team`.
    pub key: String,
    /// `Some(v)`: the key is not read from the request; the model fixes it for the
    /// principal (SEMANTICS K1) to the single value `v`, and `values` hold templates
    /// with request-key variables (C-VAR-3), resolved at check time. `key` is kept
    /// for display. `None`: the key is read from the request context.
    ///
    /// A fixed key is always single-valued and present; it takes an operator of the
    /// String, Arn or Bool family (those that take variables, C-VAR-1), and some value
    /// has a variable (otherwise the compiler decides the pair itself).
    pub fixed: Option<String>,
    /// Policy values, sorted and deduplicated (the list is a set; C1, C5).
    ///
    /// May be empty: a value with a variable the compiler knows to be unresolved
    /// never matches (C-VAR-5) and is dropped.
    pub values: Vec<Template>,
}

/// Set-operator prefix of a condition operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SetOp {
    /// No prefix.
    None,
    /// `ForAllValues:`.
    ForAllValues,
    /// `ForAnyValue:`.
    ForAnyValue,
}

/// Base condition operators of SEMANTICS C2. Negated operators are the negation
/// of their positive twin evaluated per policy value and combined with NOR (C5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[expect(missing_docs, reason = "the variants are IAM's operator names")]
pub enum Operator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

impl Operator {
    /// Every operator, in a fixed order; the table format stores an operator
    /// as its index here, so the order must never change (append only with a
    /// format version bump).
    pub const ALL: [Operator; 27] = [
        Operator::StringEquals,
        Operator::StringNotEquals,
        Operator::StringEqualsIgnoreCase,
        Operator::StringNotEqualsIgnoreCase,
        Operator::StringLike,
        Operator::StringNotLike,
        Operator::NumericEquals,
        Operator::NumericNotEquals,
        Operator::NumericLessThan,
        Operator::NumericLessThanEquals,
        Operator::NumericGreaterThan,
        Operator::NumericGreaterThanEquals,
        Operator::DateEquals,
        Operator::DateNotEquals,
        Operator::DateLessThan,
        Operator::DateLessThanEquals,
        Operator::DateGreaterThan,
        Operator::DateGreaterThanEquals,
        Operator::Bool,
        Operator::BinaryEquals,
        Operator::IpAddress,
        Operator::NotIpAddress,
        Operator::ArnEquals,
        Operator::ArnLike,
        Operator::ArnNotEquals,
        Operator::ArnNotLike,
        Operator::Null,
    ];
}

/// A policy value or resource pattern after compile-time substitution of the
/// static policy variables: a sequence of parts.
///
/// A value without variables is one [`Part::Text`]; `Template::from("text")`
/// makes one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Template(pub Vec<Part>);

impl From<&str> for Template {
    fn from(text: &str) -> Template {
        Template(vec![Part::Text(text.to_owned())])
    }
}

impl From<String> for Template {
    fn from(text: String) -> Template {
        Template(vec![Part::Text(text)])
    }
}

/// A piece of a [`Template`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    /// Policy text: for `StringLike`, `Arn*` and resource patterns `*` and `?` are
    /// wildcards; for other operators plain text.
    Text(String),
    /// Text that is never a wildcard: a substituted variable value or default,
    /// or `${*}`, `${?}`, `${$}` (C-VAR-3, C-VAR-4).
    Literal(String),
    /// A variable over a request key, resolved at check time (C-VAR-3, T5).
    Var {
        /// The key, lower-cased.
        key: String,
        /// The default of `${key, 'default'}`, literal text.
        default: Option<String>,
    },
}

impl Condition {
    /// The truth of this (operator, key) pair for `context`, exactly as a check
    /// evaluates it inside a residual program (SEMANTICS C1–C20, C-TYPE, C-VAR-3/5).
    ///
    /// For the compiler, which decides pairs on keys it knows per principal by
    /// evaluating them against a context holding that one key (K1), so the table
    /// and `check` share one condition evaluator.
    ///
    /// # Errors
    /// The pair is not a valid atom: what a table load would report (an
    /// unreadable number, date, network or base64 value, a variable where the
    /// operator takes none, `Null` with `IfExists`).
    ///
    /// # Panics
    /// Never.
    ///
    /// ```
    /// use verdict_runtime::parts::{Condition, Operator, SetOp};
    /// use verdict_runtime::Context;
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
    pub fn evaluate(&self, context: &Context) -> Result<bool, AtomError> {
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
    /// The atom is not valid: what a table load would report.
    ///
    /// # Panics
    /// Never.
    ///
    /// ```
    /// use verdict_runtime::parts::Atom;
    /// use verdict_runtime::Request;
    ///
    /// let ops = Atom::Resource { patterns: vec!["arn:aws:iam::*:role/Ops*".into()], not: false };
    /// assert_eq!(ops.evaluate(&Request::new("arn:aws:iam::111122223333:role/Ops")), Ok(true));
    /// assert_eq!(ops.evaluate(&Request::new("arn:aws:iam::111122223333:role/Dev")), Ok(false));
    /// ```
    pub fn evaluate(&self, request: &Request<'_>) -> Result<bool, AtomError> {
        Ok(cond::compile(self)?.eval(request))
    }
}
