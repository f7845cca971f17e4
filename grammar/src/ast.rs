//! The syntax trees: IAM policy documents (shared by the JSON reader and the
//! DSL), `.vp` DSL files, AWS account dumps, and the generic JSON value with
//! spans that the JSON readers are built on.
//!
//! Nothing here has meaning attached: a `Policy` may name unknown actions,
//! carry `"Effect": "allow"` or have both `Action` and `NotAction`. The
//! compiler validates (SEMANTICS.md V-rules) and gives meaning. Every node keeps
//! the span of the text it came from so a diagnostic can point at it.

use crate::span::{Span, Spanned};

// ---------------------------------------------------------------------------
// JSON with spans
// ---------------------------------------------------------------------------

/// A JSON value with the span of its text. Numbers keep their source text
/// (SEMANTICS.md V12 converts them to that text); object members keep their
/// order and any repeated keys (the readers report repeats).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Json {
    pub kind: JsonKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonKind {
    Null,
    Bool(bool),
    /// The number exactly as written, e.g. `-1.5e3`.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(Spanned<String>, Json)>),
}

// ---------------------------------------------------------------------------
// IAM policy documents
// ---------------------------------------------------------------------------

/// One policy document: `{"Version": .., "Id": .., "Statement": ..}`.
///
/// Shape rules that are plain syntax (unknown or repeated keys, a string where
/// an array of strings is allowed, nested arrays in condition values) are
/// enforced by the readers; value rules (`Version` values, `Effect` spelling,
/// action string format, empty arrays, `Principal` in an identity policy) are
/// the compiler's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The whole document.
    pub span: Span,
    pub version: Option<Spanned<String>>,
    pub id: Option<Spanned<String>>,
    /// `None` when the document has no `Statement` key.
    pub statements: Option<Spanned<Vec<Statement>>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub span: Span,
    pub sid: Option<Spanned<String>>,
    pub effect: Option<Spanned<String>>,
    /// `Action`; the span covers the whole value (string or array).
    pub action: Option<Spanned<Vec<Spanned<String>>>>,
    /// `NotAction`.
    pub not_action: Option<Spanned<Vec<Spanned<String>>>>,
    /// `Resource` as written (JSON key or DSL `on` clause).
    pub resource: Option<Spanned<Vec<Spanned<String>>>>,
    pub not_resource: Option<Spanned<Vec<Spanned<String>>>>,
    /// A DSL statement with no `on`, `on not` or principal clause: its
    /// resource is implied (`*` in an identity policy, nothing in a trust
    /// policy), at this span (the effect keyword). `resource` and
    /// `not_resource` are then `None`; the JSON reader never sets it.
    pub implied_resource: Option<Span>,
    pub principal: Option<Spanned<Principal>>,
    pub not_principal: Option<Spanned<Principal>>,
    pub condition: Option<Spanned<Condition>>,
}

impl Statement {
    /// A statement with no elements yet, covering `span`; readers fill it in.
    pub fn empty(span: Span) -> Statement {
        Statement {
            span,
            sid: None,
            effect: None,
            action: None,
            not_action: None,
            resource: None,
            not_resource: None,
            implied_resource: None,
            principal: None,
            not_principal: None,
            condition: None,
        }
    }

    /// `Resource` as it reads in an identity policy: the written list, or
    /// `["*"]` at the implied span when the DSL left the resource out.
    pub fn resource_or_implied(&self) -> Option<StringList> {
        self.resource.clone().or_else(|| {
            self.implied_resource
                .map(|at| Spanned::new(vec![Spanned::new("*".to_owned(), at)], at))
        })
    }
}

/// `Principal` / `NotPrincipal` value (only meaningful in trust policies).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// `"*"` (or any other bare string, kept as written).
    Bare(Spanned<String>),
    /// `{"AWS": [...], "Service": ..., "Federated": ..., "CanonicalUser": ...}`.
    Map(Vec<(Spanned<String>, StringList)>),
}

/// A string-or-array-of-strings value: the span covers the whole value, each
/// string has its own span.
pub type StringList = Spanned<Vec<Spanned<String>>>;

/// `Condition`: operator → key → values, in source order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Condition {
    pub operators: Vec<ConditionOperator>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionOperator {
    /// The operator name as written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub name: Spanned<String>,
    pub entries: Vec<ConditionEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionEntry {
    /// The key as written, e.g. `aws:SourceIp`.
    pub key: Spanned<String>,
    /// The values, each converted to its text (V12: `true` → `"true"`,
    /// `10` → `"10"`). A single value and a one-element array are the same.
    pub values: Spanned<Vec<Spanned<String>>>,
}

// ---------------------------------------------------------------------------
// The .vp DSL
// ---------------------------------------------------------------------------

/// One `.vp` source file.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct File {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// `include "other.vp"`: another DSL file, path relative to this one.
    Include(Spanned<String>),
    /// `account "111122223333"`: the AWS account of everything declared in
    /// this file (an entity's own `account` clause overrides it).
    Account(Spanned<String>),
    Policy(PolicyDecl),
    /// `scp NAME [at LEVEL] { ... }` or `scp NAME [at LEVEL] from "file.json"`.
    Scp(ScpDecl),
    Entity(EntityDecl),
}

/// A service control policy and the level of the organisation it is
/// attached at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScpDecl {
    pub span: Span,
    pub name: Spanned<String>,
    /// `at root`, `at ou NAME`, `at account`; `None` when not written (root).
    pub level: Option<Spanned<ScpLevel>>,
    pub body: PolicyBody,
}

/// Where in the organisation an SCP is attached.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScpLevel {
    Root,
    /// An organisational unit, by name.
    Ou(String),
    Account,
}

/// `[managed] policy NAME { ... }` or `[managed] policy NAME from "file.json"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyDecl {
    pub span: Span,
    pub name: Spanned<String>,
    /// Declared `managed` (SEMANTICS.md V2: must then be version 2012-10-17).
    pub managed: bool,
    pub body: PolicyBody,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyBody {
    /// Written in the DSL; lowered to the same tree as IAM JSON.
    Inline(Policy),
    /// `from "path"`: an IAM JSON document read from a file, path relative to
    /// the declaring file.
    Import(Spanned<String>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntityKind {
    User,
    Group,
    Role,
    /// `service-linked-role NAME`: a role owned by an AWS service.
    ServiceLinkedRole,
    /// `assumed-role ROLE/SESSION`: a declared session of a role.
    Session,
    /// `federated-user NAME`: a GetFederationToken session of an IAM user.
    FederatedUser,
}

/// `user NAME { clauses }`, `group NAME { .. }`, `role NAME { .. }`,
/// `service-linked-role NAME { .. }`, `assumed-role ROLE/SESSION { .. }`,
/// `federated-user NAME { .. }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityDecl {
    pub span: Span,
    pub kind: EntityKind,
    pub name: Spanned<String>,
    pub clauses: Vec<Clause>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Clause {
    /// `attach P1, P2`: managed policies (users, groups, roles).
    Attach(Vec<Spanned<String>>),
    /// `member G1, G2`: group membership (users only).
    Member(Vec<Spanned<String>>),
    /// `boundary P`: permissions boundary (users, roles).
    Boundary(Spanned<String>),
    /// `policy NAME { ... }` inside an entity: an inline policy.
    Inline(PolicyDecl),
    /// `trust user alice, role Ops, account "111122223333", service "chime.amazonaws.com"`
    /// (roles only): who may assume the role.
    Trust(Vec<TrustTarget>),
    /// `trust { statements }` or `trust from "trust.json"` (roles only): the
    /// role's trust policy written out; `span` is the `trust` keyword.
    TrustPolicy { span: Span, body: PolicyBody },
    /// `account "111122223333"`: the entity's AWS account.
    Account(Spanned<String>),
    /// `service mediapipelines.chime.amazonaws.com` (service-linked roles):
    /// the service that owns the role.
    Service(Spanned<String>),
    /// `user NAME` (federated users): the IAM user who called
    /// GetFederationToken.
    Caller(Spanned<String>),
    /// `tag KEY = "VALUE"`.
    Tag {
        key: Spanned<String>,
        value: Spanned<String>,
    },
    /// `path "/division/"`.
    Path(Spanned<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustTarget {
    pub span: Span,
    pub kind: TrustKind,
    pub name: Spanned<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrustKind {
    User,
    Role,
    Account,
    Service,
}

// ---------------------------------------------------------------------------
// AWS account dumps (`aws iam get-account-authorization-details`)
// ---------------------------------------------------------------------------

/// The parts of a `get-account-authorization-details` document verdict uses.
/// Unknown keys are ignored (AWS adds fields over time); known keys of the
/// wrong JSON type are errors.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AccountDump {
    pub users: Vec<DumpUser>,
    pub groups: Vec<DumpGroup>,
    pub roles: Vec<DumpRole>,
    pub policies: Vec<DumpManagedPolicy>,
    /// `IsTruncated`, when present: `true` means the dump is one page of
    /// several (the rest is behind `Marker`).
    pub is_truncated: Option<Spanned<bool>>,
}

/// A policy document embedded in a dump: a JSON object, or a string holding
/// the URL-encoded JSON text (as the raw API returns it). For an encoded
/// document the spans of `policy` point into the string in the dump, each
/// node at the encoded text it was decoded from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpDocument {
    pub policy: Policy,
    /// The decoded JSON text, for URL-encoded documents.
    pub decoded: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpUser {
    pub span: Span,
    pub name: Spanned<String>,
    pub path: Option<Spanned<String>>,
    pub arn: Option<Spanned<String>>,
    pub id: Option<Spanned<String>>,
    pub groups: Vec<Spanned<String>>,
    pub inline_policies: Vec<DumpInlinePolicy>,
    pub attached: Vec<DumpAttachment>,
    pub boundary: Option<DumpAttachment>,
    pub tags: Vec<(Spanned<String>, Spanned<String>)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpGroup {
    pub span: Span,
    pub name: Spanned<String>,
    pub path: Option<Spanned<String>>,
    pub arn: Option<Spanned<String>>,
    pub inline_policies: Vec<DumpInlinePolicy>,
    pub attached: Vec<DumpAttachment>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpRole {
    pub span: Span,
    pub name: Spanned<String>,
    pub path: Option<Spanned<String>>,
    pub arn: Option<Spanned<String>>,
    pub id: Option<Spanned<String>>,
    /// `AssumeRolePolicyDocument`.
    pub trust_policy: Option<DumpDocument>,
    pub inline_policies: Vec<DumpInlinePolicy>,
    pub attached: Vec<DumpAttachment>,
    pub boundary: Option<DumpAttachment>,
    pub tags: Vec<(Spanned<String>, Spanned<String>)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpInlinePolicy {
    pub name: Spanned<String>,
    pub document: DumpDocument,
}

/// `{"PolicyName": .., "PolicyArn": ..}` or, for boundaries,
/// `{"PermissionsBoundaryType": .., "PermissionsBoundaryArn": ..}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpAttachment {
    pub span: Span,
    pub name: Option<Spanned<String>>,
    pub arn: Spanned<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpManagedPolicy {
    pub span: Span,
    pub name: Spanned<String>,
    pub arn: Spanned<String>,
    pub path: Option<Spanned<String>>,
    pub default_version_id: Option<Spanned<String>>,
    pub versions: Vec<DumpPolicyVersion>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpPolicyVersion {
    pub version_id: Option<Spanned<String>>,
    pub is_default: bool,
    pub document: DumpDocument,
}
