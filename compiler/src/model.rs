//! The semantic model: validated policies, users, groups and roles, and the
//! principal graph that ties them together (petgraph). Built by `lower`,
//! read by `build` (table construction) and `reference` (the oracle).
//!
//! Nothing here is serialized; the table format lives in `verdict-runtime`.

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
        pub struct $name(pub u32);
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
    /// An inline policy of a user, group or role.
    Inline,
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
    pub arn: Option<String>,
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
    pub policies: Vec<PolicyId>,
}

/// Who a role's trust names (DSL `trust` clause or a trust policy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrustSubject {
    User(UserId),
    Role(RoleId),
    Account(String),
    Service(String),
}

#[derive(Clone, Debug)]
pub struct Role {
    pub name: String,
    pub loc: Loc,
    pub arn: Option<String>,
    pub policies: Vec<PolicyId>,
    pub boundary: Option<PolicyId>,
    pub tags: Vec<(String, String)>,
    pub trust: Vec<TrustSubject>,
}

/// A node of the principal graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    User(UserId),
    Group(GroupId),
    Role(RoleId),
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
    /// role → trusted user/role (who may assume it)
    Trusts,
}

/// A principal that gets a row in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Principal {
    User(UserId),
    Role(RoleId),
}

#[derive(Clone, Debug, Default)]
pub struct Model {
    pub policies: Vec<PolicyDef>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub roles: Vec<Role>,
    pub graph: DiGraph<Node, Edge>,
    /// INVARIANT: indexed like `users` / `groups` / `roles` / `policies`.
    pub user_nodes: Vec<NodeIndex>,
    pub group_nodes: Vec<NodeIndex>,
    pub role_nodes: Vec<NodeIndex>,
    pub policy_nodes: Vec<NodeIndex>,
    /// Principals by table name (`user/NAME`, `role/NAME`); built with the graph.
    pub principal_names: HashMap<String, Principal>,
}

/// What decides a principal's row: its identity policies (own and through
/// groups), its boundary, and its kind of credentials. Principals with equal
/// permission sets have equal rows.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PermissionSet {
    /// INVARIANT: sorted, no duplicates.
    pub identity: Vec<PolicyId>,
    pub boundary: Option<PolicyId>,
    /// A role row: any session of the role (SEMANTICS.md T1), so the
    /// role-session credential restrictions of P8 apply.
    pub role_session: bool,
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

impl Model {
    pub fn policy(&self, id: PolicyId) -> &PolicyDef {
        &self.policies[id.index()]
    }

    /// Principal id as addressed in the table: `user/NAME`, `role/NAME`.
    pub fn principal_name(&self, principal: Principal) -> String {
        match principal {
            Principal::User(u) => format!("user/{}", self.users[u.index()].name),
            Principal::Role(r) => format!("role/{}", self.roles[r.index()].name),
        }
    }

    pub fn principal_arn(&self, principal: Principal) -> Option<&str> {
        match principal {
            Principal::User(u) => self.users[u.index()].arn.as_deref(),
            Principal::Role(r) => self.roles[r.index()].arn.as_deref(),
        }
    }

    /// The static value of condition key `key` for `principal` (SEMANTICS K1):
    /// `aws:username`, `aws:PrincipalType`, `aws:PrincipalArn` and
    /// `aws:PrincipalAccount` (when the model knows the ARN), and
    /// `aws:PrincipalTag/*` (the tags declared in the model; a role row stands
    /// for sessions without session tags, T1). Key names are compared
    /// case-insensitively (C3); every other key is a request key (K3).
    ///
    /// The table builder and the reference evaluator both take their static
    /// facts from here, so they agree on what "static" means.
    pub fn static_fact(&self, principal: Principal, key: &str) -> StaticFact {
        let key = key.to_lowercase();
        let (username, kind, arn, tags) = match principal {
            Principal::User(u) => {
                let user = &self.users[u.index()];
                (Some(&user.name), "User", user.arn.as_deref(), &user.tags)
            }
            Principal::Role(r) => {
                let role = &self.roles[r.index()];
                (None, "AssumedRole", role.arn.as_deref(), &role.tags)
            }
        };
        let value =
            |v: Option<&str>| v.map_or(StaticFact::Absent, |v| StaticFact::Value(v.to_string()));
        match key.as_str() {
            "aws:username" => value(username.map(String::as_str)),
            "aws:principaltype" => StaticFact::Value(kind.to_string()),
            "aws:principalarn" => {
                arn.map_or(StaticFact::Request, |a| StaticFact::Value(a.to_string()))
            }
            "aws:principalaccount" => arn
                .and_then(|a| a.split(':').nth(4))
                .filter(|account| !account.is_empty())
                .map_or(StaticFact::Request, |a| StaticFact::Value(a.to_string())),
            _ => match key.strip_prefix("aws:principaltag/") {
                Some(tag) => value(
                    tags.iter()
                        .find(|(k, _)| k.to_lowercase() == tag)
                        .map(|(_, v)| v.as_str()),
                ),
                None => StaticFact::Request,
            },
        }
    }

    /// Every principal with a row, sorted by principal name (T7 determinism).
    pub fn principals(&self) -> Vec<Principal> {
        let mut all: Vec<(String, Principal)> = (0..self.users.len())
            .map(|i| Principal::User(UserId(i as u32)))
            .chain((0..self.roles.len()).map(|i| Principal::Role(RoleId(i as u32))))
            .map(|p| (self.principal_name(p), p))
            .collect();
        all.sort();
        all.into_iter().map(|(_, p)| p).collect()
    }

    /// Finds a principal by its table name (`user/NAME`, `role/NAME`).
    pub fn find_principal(&self, name: &str) -> Option<Principal> {
        self.principal_names.get(name).copied()
    }

    /// The permission set of a principal, read from the principal graph:
    /// policies attached to it, to the groups it is a member of, and its
    /// boundary (SEMANTICS.md N4, P2, P3).
    pub fn permission_set(&self, principal: Principal) -> PermissionSet {
        let node = match principal {
            Principal::User(u) => self.user_nodes[u.index()],
            Principal::Role(r) => self.role_nodes[r.index()],
        };
        let mut identity = Vec::new();
        let mut boundary = None;
        for edge in self.graph.edges(node) {
            use petgraph::visit::EdgeRef;
            match (edge.weight(), self.graph[edge.target()]) {
                (Edge::Attached, Node::Policy(p)) => identity.push(p),
                (Edge::Boundary, Node::Policy(p)) => boundary = Some(p),
                (Edge::MemberOf, Node::Group(_)) => {
                    for group_edge in self.graph.edges(edge.target()) {
                        if let (Edge::Attached, Node::Policy(p)) =
                            (group_edge.weight(), self.graph[group_edge.target()])
                        {
                            identity.push(p);
                        }
                    }
                }
                _ => {}
            }
        }
        identity.sort();
        identity.dedup();
        PermissionSet {
            identity,
            boundary,
            role_session: matches!(principal, Principal::Role(_)),
        }
    }

    /// Adds the graph nodes and edges for everything in the entity lists, and
    /// the principal index.
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
        for (group, node) in self.groups.iter().zip(&self.group_nodes) {
            for p in &group.policies {
                graph.add_edge(*node, self.policy_nodes[p.index()], Edge::Attached);
            }
        }
        for (user, node) in self.users.iter().zip(&self.user_nodes) {
            for g in &user.groups {
                graph.add_edge(*node, self.group_nodes[g.index()], Edge::MemberOf);
            }
            for p in &user.policies {
                graph.add_edge(*node, self.policy_nodes[p.index()], Edge::Attached);
            }
            if let Some(b) = user.boundary {
                graph.add_edge(*node, self.policy_nodes[b.index()], Edge::Boundary);
            }
        }
        for (role, node) in self.roles.iter().zip(&self.role_nodes) {
            for p in &role.policies {
                graph.add_edge(*node, self.policy_nodes[p.index()], Edge::Attached);
            }
            if let Some(b) = role.boundary {
                graph.add_edge(*node, self.policy_nodes[b.index()], Edge::Boundary);
            }
            for subject in &role.trust {
                let target = match subject {
                    TrustSubject::User(u) => self.user_nodes[u.index()],
                    TrustSubject::Role(r) => self.role_nodes[r.index()],
                    TrustSubject::Account(_) | TrustSubject::Service(_) => continue,
                };
                graph.add_edge(*node, target, Edge::Trusts);
            }
        }
        self.graph = graph;
        let users = (0..self.users.len()).map(|i| Principal::User(UserId(i as u32)));
        let roles = (0..self.roles.len()).map(|i| Principal::Role(RoleId(i as u32)));
        self.principal_names = users
            .chain(roles)
            .map(|p| (self.principal_name(p), p))
            .collect();
    }
}
