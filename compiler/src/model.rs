//! The semantic model: validated policies, users, groups, roles (with their
//! trust policies; service-linked roles among them), declared role sessions,
//! federated users, SCPs and the accounts they belong to, and the principal
//! graph that ties them together (petgraph). Built by `lower`, read by
//! `build` (table construction) and `reference` (the oracle).
//!
//! Nothing here is serialized; the table format lives in `verdict-runtime`.

/*
Principal names. A principal is addressed like the resource part of its IAM
ARN: `user/NAME`, `role/NAME`, `assumed-role/ROLE/SESSION`,
`federated-user/NAME`. When the model holds principals of two or more
accounts, every name is qualified by its account, `111122223333:user/NAME`
(the ARN with its `arn:PARTITION:iam::` or `arn:PARTITION:sts::` prefix
dropped), so equal names in different accounts do not clash. Full ARNs are
aliases in every case. Paths are part of ARNs but not of names, as in IAM,
where names are unique per account whatever the path.
*/

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};
use verdict_grammar::Span;

use crate::source::FileId;

/// A location in a source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub(crate) u32);
        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// Index into [`Model::policies`].
    PolicyId
);
id_type!(
    /// Index into [`Model::users`].
    UserId
);
id_type!(
    /// Index into [`Model::groups`].
    GroupId
);
id_type!(
    /// Index into [`Model::roles`].
    RoleId
);
id_type!(
    /// Index into [`Model::sessions`].
    SessionId
);
id_type!(
    /// Index into [`Model::federated_users`].
    FederatedUserId
);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Version` of a policy document (SEMANTICS.md V2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyVersion {
    V2012_10_17,
    V2008_10_17,
}

/// An action or resource string with its location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    pub text: String,
    pub loc: Loc,
}

/// One (operator, key) pair of a Condition block, values in source order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionPair {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
    pub loc: Loc,
}

/// A validated statement (SEMANTICS.md §1–§6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub loc: Loc,
    pub sid: Option<String>,
    pub effect: Effect,
    /// `true` for `NotAction`.
    pub not_action: bool,
    pub actions: Vec<Pattern>,
    /// `true` for `NotResource`.
    pub not_resource: bool,
    pub resources: Vec<Pattern>,
    /// The Condition block flattened to (operator, key) pairs; empty = no
    /// condition (SEMANTICS.md C1).
    pub conditions: Vec<ConditionPair>,
    /// Span of the Condition block, if any.
    pub condition_loc: Option<Loc>,
    /// `Principal` / `NotPrincipal`: present in trust policies only (G1);
    /// identity policies, boundaries, session policies and SCPs never have
    /// one (V6).
    pub principal: Option<PrincipalSet>,
}

/// The `Principal` (or, with `not`, `NotPrincipal`) element of a trust
/// statement (SEMANTICS.md G2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalSet {
    /// `NotPrincipal`: the statement applies to everyone *not* listed.
    pub not: bool,
    pub entries: Vec<PrincipalEntry>,
}

/// One principal named by a trust statement, as written and as resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalEntry {
    pub value: PrincipalValue,
    /// The text as written (for a DSL `trust user alice`: `user/alice`).
    pub text: String,
    pub loc: Loc,
}

/// What a principal entry names (SEMANTICS.md G2). ARNs naming principals
/// of the model resolve to them; a role ARN stands for the sessions of that
/// role (G2), a user ARN for the user.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalValue {
    /// `"*"` or `{"AWS": "*"}`: everyone.
    Everyone,
    /// `{"AWS": "111122223333"}` or `arn:aws:iam::111122223333:root`: every
    /// principal of the account (account delegation: the principal's own
    /// policies must also allow, G3).
    Account(String),
    User(UserId),
    Role(RoleId),
    Session(SessionId),
    FederatedUser(FederatedUserId),
    /// An IAM or STS principal ARN, or a unique id (`AROA…`), that names
    /// nothing in the model: a principal of another account, or a deleted
    /// one. Matches no principal of the model.
    Other(String),
    /// `{"Service": "chime.amazonaws.com"}`.
    Service(String),
    /// `{"Federated": ...}`: a SAML or OIDC provider (web identity).
    Federated(String),
    /// `{"CanonicalUser": ...}`.
    CanonicalUser(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyDocument {
    pub version: PolicyVersion,
    pub statements: Vec<Statement>,
}

/// Where a policy comes from; decides the V2 and V14 rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// Declared `managed` in the DSL, or a managed policy of an account dump.
    Managed,
    /// A DSL policy or an imported JSON file not declared managed.
    Standalone,
    /// An inline policy of a user, group or role, or the inline session
    /// policy of a session or federated user.
    Inline,
    /// A service control policy (SEMANTICS.md P1.2; V2: version
    /// 2012-10-17 required).
    Scp,
}

#[derive(Clone, Debug)]
pub struct PolicyDef {
    pub name: String,
    /// Where the policy is declared (its name).
    pub loc: Loc,
    pub kind: PolicyKind,
    pub arn: Option<String>,
    /// `None` when the document had errors (it is then never evaluated, V15).
    pub document: Option<PolicyDocument>,
    /// Size as IAM counts it (V14): characters other than white space of the
    /// JSON document (for DSL policies, of their canonical JSON rendering).
    pub size: usize,
}

#[derive(Clone, Debug)]
pub struct User {
    pub name: String,
    pub loc: Loc,
    /// The AWS account (12 digits): from the ARN in a dump, from an
    /// `account` declaration in the DSL; `None` when not given.
    pub account: Option<String>,
    /// IAM path, `/` unless given.
    pub path: String,
    /// From the dump, or built from account, path and name; `None` without
    /// an account.
    pub arn: Option<String>,
    /// The unique id (`AIDA…`, dumps' `UserId`), the value of `aws:userid`.
    pub unique_id: Option<String>,
    pub groups: Vec<GroupId>,
    /// Attached managed policies and inline policies of the user itself.
    pub policies: Vec<PolicyId>,
    pub boundary: Option<PolicyId>,
    pub tags: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub name: String,
    pub loc: Loc,
    pub account: Option<String>,
    pub policies: Vec<PolicyId>,
}

#[derive(Clone, Debug)]
pub struct Role {
    pub name: String,
    pub loc: Loc,
    pub account: Option<String>,
    /// IAM path; `/aws-service-role/SERVICE/` for service-linked roles.
    pub path: String,
    pub arn: Option<String>,
    /// The unique id (`AROA…`, dumps' `RoleId`); with a session name it
    /// makes `aws:userid` of a session.
    pub unique_id: Option<String>,
    pub policies: Vec<PolicyId>,
    pub boundary: Option<PolicyId>,
    pub tags: Vec<(String, String)>,
    /// The validated trust policy, principals resolved against the model;
    /// `None` when the role has none (a DSL role without `trust`: nobody
    /// can assume it) or when it had errors.
    pub trust_policy: Option<PolicyDocument>,
    /// A service-linked role (SEMANTICS.md G5): fixed policies, trusted only
    /// by its service, not restricted by SCPs (P6).
    pub service_linked: bool,
}

/// A declared role session, `assumed-role/ROLE/SESSION` (SEMANTICS.md P4,
/// T1): the role's policies and boundary, intersected with the session
/// policies; the role's tags overlaid by the session tags (K-table).
#[derive(Clone, Debug)]
pub struct Session {
    pub role: RoleId,
    /// The session name (`RoleSessionName`).
    pub name: String,
    pub loc: Loc,
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`, when the role's
    /// account is known.
    pub arn: Option<String>,
    /// Session policies: the inline one (if any) first, then the managed
    /// ones in the order given.
    pub policies: Vec<PolicyId>,
    pub tags: Vec<(String, String)>,
}

/// A federated user, `federated-user/NAME`: the session of the IAM user who
/// called GetFederationToken (SEMANTICS.md P4): that user's policies and
/// boundary intersected with the session policies (none: no permissions,
/// P1.5).
#[derive(Clone, Debug)]
pub struct FederatedUser {
    pub name: String,
    /// The IAM user who called GetFederationToken.
    pub user: UserId,
    pub loc: Loc,
    /// `arn:aws:sts::ACCOUNT:federated-user/NAME`, when the account is known.
    pub arn: Option<String>,
    pub policies: Vec<PolicyId>,
    pub tags: Vec<(String, String)>,
}

/// A level of an organisation's hierarchy that SCPs attach to (SEMANTICS.md
/// P1.2). Sorted root first, then OUs by name, then the account.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScpLevel {
    Root,
    /// An organisational unit, by name.
    Ou(String),
    Account,
}

/// One SCP attached at one level.
#[derive(Clone, Debug)]
pub struct ScpAttachment {
    pub policy: PolicyId,
    pub level: ScpLevel,
    /// The account it governs; `None`: every account of the model
    /// (`--scp`, or a DSL file without an `account`).
    pub account: Option<String>,
}

/// A node of the principal graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    User(UserId),
    Group(GroupId),
    Role(RoleId),
    Session(SessionId),
    FederatedUser(FederatedUserId),
    Policy(PolicyId),
}

/// An edge of the principal graph, pointing from the entity to what it uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Edge {
    /// user → group
    MemberOf,
    /// user/group/role → policy (managed or inline)
    Attached,
    /// user/role → boundary policy
    Boundary,
    /// role → user/role/session/federated user its trust policy names
    /// directly in an Allow (who may assume it without account delegation)
    Trusts,
    /// session → its role; federated user → its IAM user
    SessionOf,
    /// session / federated user → session policy
    SessionPolicy,
}

/// A principal that gets a row in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Principal {
    User(UserId),
    /// A role's row stands for any session of it without session policies
    /// (SEMANTICS.md T1).
    Role(RoleId),
    /// A declared session `assumed-role/ROLE/SESSION`.
    Session(SessionId),
    /// `federated-user/NAME`.
    FederatedUser(FederatedUserId),
}

#[derive(Clone, Debug, Default)]
pub struct Model {
    pub(crate) policies: Vec<PolicyDef>,
    pub(crate) users: Vec<User>,
    pub(crate) groups: Vec<Group>,
    /// Roles, service-linked roles included.
    pub(crate) roles: Vec<Role>,
    pub(crate) sessions: Vec<Session>,
    pub(crate) federated_users: Vec<FederatedUser>,
    /// SCP attachments, in declaration order.
    pub(crate) scps: Vec<ScpAttachment>,
    /// Principals of two or more accounts: names are `ACCOUNT:kind/NAME`.
    pub(crate) qualified_names: bool,
    pub(crate) graph: DiGraph<Node, Edge>,
    /// INVARIANT: indexed like `users` / `groups` / `roles` / `sessions` /
    /// `federated_users` / `policies`.
    pub(crate) user_nodes: Vec<NodeIndex>,
    pub(crate) group_nodes: Vec<NodeIndex>,
    pub(crate) role_nodes: Vec<NodeIndex>,
    pub(crate) session_nodes: Vec<NodeIndex>,
    pub(crate) federated_user_nodes: Vec<NodeIndex>,
    pub(crate) policy_nodes: Vec<NodeIndex>,
    /// Principals by table name (`user/NAME`, …, qualified when
    /// `qualified_names`) and by ARN; built with the graph.
    pub(crate) principal_names: HashMap<String, Principal>,
}

/// The kind of credentials a row stands for (SEMANTICS.md P1.5, P4, P8, T1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CredentialKind {
    /// An IAM user's long-term credentials.
    User,
    /// A role row: any session of the role without session policies.
    RoleSession,
    /// A declared `assumed-role/ROLE/SESSION`: with an empty set of
    /// session policies it has the role's permissions (P1.5).
    DeclaredSession,
    /// A GetFederationToken session: without session policies it has no
    /// permissions (P1.5); no `iam:*`, no `sts:*` but GetCallerIdentity (P8).
    FederatedUser,
}

/// What decides a principal's row: its identity policies (own and through
/// groups), its boundary, its session policies, the SCPs that govern it and
/// its kind of credentials. Principals with equal permission sets have
/// equal rows (conditions on static keys aside: tags and names are not
/// part of it).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PermissionSet {
    /// INVARIANT: sorted, no duplicates.
    pub identity: Vec<PolicyId>,
    pub boundary: Option<PolicyId>,
    /// The role-session credential restrictions of P8 apply: a role row or
    /// a declared session.
    /// INVARIANT: `role_session == matches!(kind, RoleSession | DeclaredSession)`.
    pub role_session: bool,
    pub kind: CredentialKind,
    /// Session policies (P1.5, P4): empty for users and role rows.
    /// INVARIANT: sorted, no duplicates.
    pub session_policies: Vec<PolicyId>,
    /// SCPs governing the principal (P1.2), one list per level in
    /// [`ScpLevel`] order; empty when no SCP applies (no SCPs given, or a
    /// service-linked role, P6/G5): step P1.2 then passes.
    /// INVARIANT: each list sorted, no duplicates, none empty.
    pub scp_levels: Vec<Vec<PolicyId>>,
}

/// What the model says about a condition key for one principal (SEMANTICS K1, K2).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StaticFact {
    /// Only the request knows (e.g. `aws:SourceIp`, or the ARN of a principal
    /// whose account the model does not give).
    Request,
    /// The key is absent for every request of this principal (e.g.
    /// `aws:username` of a role, a tag the principal does not have).
    Absent,
    /// The key has this single value for every request of this principal.
    Value(String),
}

/// Actions role sessions can never perform (SEMANTICS.md P8): an `Allow`
/// from the policies becomes `ImplicitDeny`; an explicit `Deny` stays.
pub const ROLE_SESSION_FORBIDDEN: &[&str] = &["sts:GetFederationToken", "sts:GetSessionToken"];

/// The graph node of entry `index` of `nodes`, one of the model's
/// `*_nodes` lists.
#[allow(clippy::indexing_slicing)] // why: `build_graph` gives every entity of the model a node, in id order, before anything reads the graph; ids index their entity lists
fn node_at(nodes: &[NodeIndex], index: usize) -> NodeIndex {
    nodes[index]
}

impl Model {
    /// Every policy, indexed by [`PolicyId`].
    pub fn policies(&self) -> &[PolicyDef] {
        &self.policies
    }

    /// Every IAM user, indexed by [`UserId`].
    pub fn users(&self) -> &[User] {
        &self.users
    }

    /// Every group, indexed by [`GroupId`].
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// Every role (service-linked roles included), indexed by [`RoleId`].
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// Every declared session, indexed by [`SessionId`].
    pub fn sessions(&self) -> &[Session] {
        &self.sessions
    }

    /// Every federated user, indexed by [`FederatedUserId`].
    pub fn federated_users(&self) -> &[FederatedUser] {
        &self.federated_users
    }

    /// The SCP attachments, in declaration order.
    pub fn scps(&self) -> &[ScpAttachment] {
        &self.scps
    }

    /// Whether principals of two or more accounts make names
    /// `ACCOUNT:kind/NAME`.
    pub fn qualified_names(&self) -> bool {
        self.qualified_names
    }

    /// The policy `id` names.
    ///
    /// # Panics
    /// Never for an id of this model: ids are minted only by this crate's
    /// lowering, each the index of the entity it was pushed with, and
    /// entities are never removed (an id of another model may panic).
    #[allow(clippy::indexing_slicing)] // why: the invariant above
    pub fn policy(&self, id: PolicyId) -> &PolicyDef {
        &self.policies[id.index()]
    }

    /// The user `id` names.
    ///
    /// # Panics
    /// Never for an id of this model: ids are minted only by this crate's
    /// lowering, each the index of the entity it was pushed with, and
    /// entities are never removed (an id of another model may panic).
    #[allow(clippy::indexing_slicing)] // why: the invariant above
    pub fn user(&self, id: UserId) -> &User {
        &self.users[id.index()]
    }

    /// The user `id` names, to fill in (lowering only).
    #[allow(clippy::indexing_slicing)] // why: as for [`Model::user`]
    pub(crate) fn user_mut(&mut self, id: UserId) -> &mut User {
        &mut self.users[id.index()]
    }

    /// The group `id` names.
    ///
    /// # Panics
    /// Never for an id of this model: ids are minted only by this crate's
    /// lowering, each the index of the entity it was pushed with, and
    /// entities are never removed (an id of another model may panic).
    #[allow(clippy::indexing_slicing)] // why: the invariant above
    pub fn group(&self, id: GroupId) -> &Group {
        &self.groups[id.index()]
    }

    /// The group `id` names, to fill in (lowering only).
    #[allow(clippy::indexing_slicing)] // why: as for [`Model::group`]
    pub(crate) fn group_mut(&mut self, id: GroupId) -> &mut Group {
        &mut self.groups[id.index()]
    }

    /// The role `id` names.
    ///
    /// # Panics
    /// Never for an id of this model: ids are minted only by this crate's
    /// lowering, each the index of the entity it was pushed with, and
    /// entities are never removed (an id of another model may panic).
    #[allow(clippy::indexing_slicing)] // why: the invariant above
    pub fn role(&self, id: RoleId) -> &Role {
        &self.roles[id.index()]
    }

    /// The role `id` names, to fill in (lowering only).
    #[allow(clippy::indexing_slicing)] // why: as for [`Model::role`]
    pub(crate) fn role_mut(&mut self, id: RoleId) -> &mut Role {
        &mut self.roles[id.index()]
    }

    /// The session `id` names.
    ///
    /// # Panics
    /// Never for an id of this model: ids are minted only by this crate's
    /// lowering, each the index of the entity it was pushed with, and
    /// entities are never removed (an id of another model may panic).
    #[allow(clippy::indexing_slicing)] // why: the invariant above
    pub fn session(&self, id: SessionId) -> &Session {
        &self.sessions[id.index()]
    }

    /// The session `id` names, to fill in (lowering only).
    #[allow(clippy::indexing_slicing)] // why: as for [`Model::session`]
    pub(crate) fn session_mut(&mut self, id: SessionId) -> &mut Session {
        &mut self.sessions[id.index()]
    }

    /// The federated user `id` names.
    ///
    /// # Panics
    /// Never for an id of this model: ids are minted only by this crate's
    /// lowering, each the index of the entity it was pushed with, and
    /// entities are never removed (an id of another model may panic).
    #[allow(clippy::indexing_slicing)] // why: the invariant above
    pub fn federated_user(&self, id: FederatedUserId) -> &FederatedUser {
        &self.federated_users[id.index()]
    }

    /// The federated user `id` names, to fill in (lowering only).
    #[allow(clippy::indexing_slicing)] // why: as for [`Model::federated_user`]
    pub(crate) fn federated_user_mut(&mut self, id: FederatedUserId) -> &mut FederatedUser {
        &mut self.federated_users[id.index()]
    }

    /// The account a principal belongs to: its own, or for a session that
    /// of its role, for a federated user that of its IAM user.
    pub fn principal_account(&self, principal: Principal) -> Option<&str> {
        match principal {
            Principal::User(u) => self.user(u).account.as_deref(),
            Principal::Role(r) => self.role(r).account.as_deref(),
            Principal::Session(s) => {
                let role = self.session(s).role;
                self.role(role).account.as_deref()
            }
            Principal::FederatedUser(f) => {
                let user = self.federated_user(f).user;
                self.user(user).account.as_deref()
            }
        }
    }

    /// Principal id as addressed in the table: `user/NAME`, `role/NAME`,
    /// `assumed-role/ROLE/SESSION`, `federated-user/NAME`; prefixed with
    /// `ACCOUNT:` when the model has principals of several accounts.
    pub fn principal_name(&self, principal: Principal) -> String {
        let name = match principal {
            Principal::User(u) => format!("user/{}", self.user(u).name),
            Principal::Role(r) => format!("role/{}", self.role(r).name),
            Principal::Session(s) => {
                let session = &self.session(s);
                let role = &self.role(session.role).name;
                format!("assumed-role/{role}/{}", session.name)
            }
            Principal::FederatedUser(f) => {
                format!("federated-user/{}", self.federated_user(f).name)
            }
        };
        match self.principal_account(principal) {
            Some(account) if self.qualified_names => format!("{account}:{name}"),
            _ => name,
        }
    }

    /// The principal's own ARN (for a session, the `assumed-role` session
    /// ARN), accepted as an alias of its name.
    pub fn principal_arn(&self, principal: Principal) -> Option<&str> {
        match principal {
            Principal::User(u) => self.user(u).arn.as_deref(),
            Principal::Role(r) => self.role(r).arn.as_deref(),
            Principal::Session(s) => self.session(s).arn.as_deref(),
            Principal::FederatedUser(f) => self.federated_user(f).arn.as_deref(),
        }
    }

    /// The principal's tags as `aws:PrincipalTag` sees them (K-table): a
    /// user's or role's own; a session's role tags overlaid by its session
    /// tags, a federated user's user tags overlaid by its session tags (the
    /// session wins; keys compare case-insensitively).
    pub fn principal_tags(&self, principal: Principal) -> Vec<(String, String)> {
        fn overlay(
            base: &[(String, String)],
            session: &[(String, String)],
        ) -> Vec<(String, String)> {
            let mut tags: Vec<(String, String)> = base
                .iter()
                .filter(|(k, _)| !session.iter().any(|(s, _)| s.eq_ignore_ascii_case(k)))
                .cloned()
                .collect();
            tags.extend(session.iter().cloned());
            tags
        }
        match principal {
            Principal::User(u) => self.user(u).tags.clone(),
            Principal::Role(r) => self.role(r).tags.clone(),
            Principal::Session(s) => {
                let session = &self.session(s);
                overlay(&self.role(session.role).tags, &session.tags)
            }
            Principal::FederatedUser(f) => {
                let fed = &self.federated_user(f);
                overlay(&self.user(fed.user).tags, &fed.tags)
            }
        }
    }

    /// The static value of condition key `key` for `principal` (SEMANTICS K1,
    /// K2 and the K-table), key names compared case-insensitively (C3):
    ///
    /// | key | user | role row | declared session | federated user |
    /// |---|---|---|---|---|
    /// | `aws:username` | name | absent | absent | absent |
    /// | `aws:userid` | unique id¹ | request | `ROLEID:session`¹ | `ACCOUNT:name`¹ |
    /// | `aws:PrincipalType` | `User` | `AssumedRole` | `AssumedRole` | `FederatedUser` |
    /// | `aws:PrincipalArn` | user ARN¹ | role ARN¹ | role ARN¹ | federated-user ARN¹ |
    /// | `aws:PrincipalAccount` | account¹ | account¹ | account¹ | account¹ |
    /// | `aws:PrincipalTag/k` | user tags | role tags | role + session tags | user + session tags |
    ///
    /// ¹ when the model knows it, else a request key. A role row stands for
    /// sessions without session tags (T1). Every other key is a request key
    /// (K3).
    ///
    /// The table builder and the reference evaluator both take their static
    /// facts from here, so they agree on what "static" means.
    pub fn static_fact(&self, principal: Principal, key: &str) -> StaticFact {
        let key = key.to_lowercase();
        let known = |v: Option<String>| v.map_or(StaticFact::Request, StaticFact::Value);
        match key.as_str() {
            "aws:username" => match principal {
                Principal::User(u) => StaticFact::Value(self.user(u).name.clone()),
                _ => StaticFact::Absent,
            },
            "aws:principaltype" => StaticFact::Value(
                match principal {
                    Principal::User(_) => "User",
                    Principal::Role(_) | Principal::Session(_) => "AssumedRole",
                    Principal::FederatedUser(_) => "FederatedUser",
                }
                .to_string(),
            ),
            "aws:principalarn" => known(match principal {
                Principal::Session(s) => {
                    let role = self.session(s).role;
                    self.role(role).arn.clone()
                }
                p => self.principal_arn(p).map(str::to_string),
            }),
            "aws:principalaccount" => known(self.principal_account(principal).map(str::to_string)),
            "aws:userid" => known(match principal {
                Principal::User(u) => self.user(u).unique_id.clone(),
                Principal::Role(_) => None,
                Principal::Session(s) => {
                    let session = &self.session(s);
                    let role = &self.role(session.role);
                    role.unique_id
                        .as_ref()
                        .map(|id| format!("{id}:{}", session.name))
                }
                Principal::FederatedUser(f) => self
                    .principal_account(principal)
                    .map(|account| format!("{account}:{}", self.federated_user(f).name)),
            }),
            _ => match key.strip_prefix("aws:principaltag/") {
                Some(tag) => self
                    .principal_tags(principal)
                    .into_iter()
                    .rev()
                    .find(|(k, _)| k.to_lowercase() == tag)
                    .map_or(StaticFact::Absent, |(_, v)| StaticFact::Value(v)),
                None => StaticFact::Request,
            },
        }
    }

    /// Every principal with a row, sorted by principal name (T7 determinism).
    pub fn principals(&self) -> Vec<Principal> {
        let mut all: Vec<(String, Principal)> = self
            .all_principals()
            .map(|p| (self.principal_name(p), p))
            .collect();
        all.sort();
        all.into_iter().map(|(_, p)| p).collect()
    }

    /// Every principal, in index order.
    fn all_principals(&self) -> impl Iterator<Item = Principal> + '_ {
        let users = (0..self.users.len()).map(|i| Principal::User(UserId(i as u32)));
        let roles = (0..self.roles.len()).map(|i| Principal::Role(RoleId(i as u32)));
        let sessions = (0..self.sessions.len()).map(|i| Principal::Session(SessionId(i as u32)));
        let federated = (0..self.federated_users.len())
            .map(|i| Principal::FederatedUser(FederatedUserId(i as u32)));
        users.chain(roles).chain(sessions).chain(federated)
    }

    /// Finds a principal by its table name (`user/NAME`, …, qualified as
    /// `ACCOUNT:user/NAME` when the model has several accounts) or its ARN.
    pub fn find_principal(&self, name: &str) -> Option<Principal> {
        self.principal_names.get(name).copied()
    }

    /// The SCPs that govern `principal`, by level (SEMANTICS.md P1.2, P6):
    /// those attached for its account or for every account; none for a
    /// service-linked role (G5) or its sessions.
    pub fn scp_levels(&self, principal: Principal) -> Vec<Vec<PolicyId>> {
        let role = match principal {
            Principal::Role(r) => Some(r),
            Principal::Session(s) => Some(self.session(s).role),
            Principal::User(_) | Principal::FederatedUser(_) => None,
        };
        if role.is_some_and(|r| self.role(r).service_linked) {
            return Vec::new();
        }
        let account = self.principal_account(principal);
        let mut levels: Vec<(&ScpLevel, Vec<PolicyId>)> = Vec::new();
        for scp in &self.scps {
            if scp.account.is_some() && scp.account.as_deref() != account {
                continue;
            }
            match levels.iter_mut().find(|(level, _)| **level == scp.level) {
                Some((_, policies)) => policies.push(scp.policy),
                None => levels.push((&scp.level, vec![scp.policy])),
            }
        }
        levels.sort_by(|a, b| a.0.cmp(b.0));
        levels
            .into_iter()
            .map(|(_, mut policies)| {
                policies.sort();
                policies.dedup();
                policies
            })
            .collect()
    }

    /// Identity policies (own and through groups, N4) and boundary of a
    /// user or role, read from the principal graph.
    fn identity_of(&self, node: NodeIndex) -> (Vec<PolicyId>, Option<PolicyId>) {
        use petgraph::visit::EdgeRef;
        let mut identity = Vec::new();
        let mut boundary = None;
        for edge in self.graph.edges(node) {
            match (edge.weight(), self.graph.node_weight(edge.target())) {
                (Edge::Attached, Some(&Node::Policy(p))) => identity.push(p),
                (Edge::Boundary, Some(&Node::Policy(p))) => boundary = Some(p),
                (Edge::MemberOf, Some(Node::Group(_))) => {
                    for group_edge in self.graph.edges(edge.target()) {
                        if let (Edge::Attached, Some(&Node::Policy(p))) = (
                            group_edge.weight(),
                            self.graph.node_weight(group_edge.target()),
                        ) {
                            identity.push(p);
                        }
                    }
                }
                _ => {}
            }
        }
        identity.sort();
        identity.dedup();
        (identity, boundary)
    }

    /// The permission set of a principal, read from the principal graph:
    /// policies attached to it (for a session, to its role; for a federated
    /// user, to its IAM user), to the groups it is a member of, its
    /// boundary (SEMANTICS.md N4, P2, P3), its session policies (P4) and
    /// the SCPs that govern it (P1.2, P6).
    pub fn permission_set(&self, principal: Principal) -> PermissionSet {
        let (node, kind, session_policies) = match principal {
            Principal::User(u) => (
                node_at(&self.user_nodes, u.index()),
                CredentialKind::User,
                Vec::new(),
            ),
            Principal::Role(r) => (
                node_at(&self.role_nodes, r.index()),
                CredentialKind::RoleSession,
                Vec::new(),
            ),
            Principal::Session(s) => {
                let session = &self.session(s);
                (
                    node_at(&self.role_nodes, session.role.index()),
                    CredentialKind::DeclaredSession,
                    session.policies.clone(),
                )
            }
            Principal::FederatedUser(f) => {
                let fed = &self.federated_user(f);
                (
                    node_at(&self.user_nodes, fed.user.index()),
                    CredentialKind::FederatedUser,
                    fed.policies.clone(),
                )
            }
        };
        let (identity, boundary) = self.identity_of(node);
        let mut session_policies = session_policies;
        session_policies.sort();
        session_policies.dedup();
        PermissionSet {
            identity,
            boundary,
            role_session: matches!(
                kind,
                CredentialKind::RoleSession | CredentialKind::DeclaredSession
            ),
            kind,
            session_policies,
            scp_levels: self.scp_levels(principal),
        }
    }

    /// Adds the graph nodes and edges for everything in the entity lists, and
    /// the principal index (names and ARNs).
    /// Called once, after lowering filled the lists.
    pub(crate) fn build_graph(&mut self) {
        let mut graph = DiGraph::new();
        self.policy_nodes = (0..self.policies.len())
            .map(|i| graph.add_node(Node::Policy(PolicyId(i as u32))))
            .collect();
        self.group_nodes = (0..self.groups.len())
            .map(|i| graph.add_node(Node::Group(GroupId(i as u32))))
            .collect();
        self.user_nodes = (0..self.users.len())
            .map(|i| graph.add_node(Node::User(UserId(i as u32))))
            .collect();
        self.role_nodes = (0..self.roles.len())
            .map(|i| graph.add_node(Node::Role(RoleId(i as u32))))
            .collect();
        self.session_nodes = (0..self.sessions.len())
            .map(|i| graph.add_node(Node::Session(SessionId(i as u32))))
            .collect();
        self.federated_user_nodes = (0..self.federated_users.len())
            .map(|i| graph.add_node(Node::FederatedUser(FederatedUserId(i as u32))))
            .collect();
        for (group, node) in self.groups.iter().zip(&self.group_nodes) {
            for p in &group.policies {
                graph.add_edge(
                    *node,
                    node_at(&self.policy_nodes, p.index()),
                    Edge::Attached,
                );
            }
        }
        for (user, node) in self.users.iter().zip(&self.user_nodes) {
            for g in &user.groups {
                graph.add_edge(*node, node_at(&self.group_nodes, g.index()), Edge::MemberOf);
            }
            for p in &user.policies {
                graph.add_edge(
                    *node,
                    node_at(&self.policy_nodes, p.index()),
                    Edge::Attached,
                );
            }
            if let Some(b) = user.boundary {
                graph.add_edge(
                    *node,
                    node_at(&self.policy_nodes, b.index()),
                    Edge::Boundary,
                );
            }
        }
        for (role, node) in self.roles.iter().zip(&self.role_nodes) {
            for p in &role.policies {
                graph.add_edge(
                    *node,
                    node_at(&self.policy_nodes, p.index()),
                    Edge::Attached,
                );
            }
            if let Some(b) = role.boundary {
                graph.add_edge(
                    *node,
                    node_at(&self.policy_nodes, b.index()),
                    Edge::Boundary,
                );
            }
            let trusted = role
                .trust_policy
                .iter()
                .flat_map(|doc| &doc.statements)
                .filter(|st| st.effect == Effect::Allow)
                .filter_map(|st| st.principal.as_ref())
                .filter(|set| !set.not)
                .flat_map(|set| &set.entries);
            for entry in trusted {
                let target = match entry.value {
                    PrincipalValue::User(u) => node_at(&self.user_nodes, u.index()),
                    PrincipalValue::Role(r) => node_at(&self.role_nodes, r.index()),
                    PrincipalValue::Session(s) => node_at(&self.session_nodes, s.index()),
                    PrincipalValue::FederatedUser(f) => {
                        node_at(&self.federated_user_nodes, f.index())
                    }
                    _ => continue,
                };
                graph.add_edge(*node, target, Edge::Trusts);
            }
        }
        for (session, node) in self.sessions.iter().zip(&self.session_nodes) {
            graph.add_edge(
                *node,
                node_at(&self.role_nodes, session.role.index()),
                Edge::SessionOf,
            );
            for p in &session.policies {
                graph.add_edge(
                    *node,
                    node_at(&self.policy_nodes, p.index()),
                    Edge::SessionPolicy,
                );
            }
        }
        for (fed, node) in self.federated_users.iter().zip(&self.federated_user_nodes) {
            graph.add_edge(
                *node,
                node_at(&self.user_nodes, fed.user.index()),
                Edge::SessionOf,
            );
            for p in &fed.policies {
                graph.add_edge(
                    *node,
                    node_at(&self.policy_nodes, p.index()),
                    Edge::SessionPolicy,
                );
            }
        }
        self.graph = graph;
        let mut names = HashMap::new();
        for p in self.all_principals() {
            names.insert(self.principal_name(p), p);
            if let Some(arn) = self.principal_arn(p) {
                names.insert(arn.to_string(), p);
            }
        }
        self.principal_names = names;
    }
}
