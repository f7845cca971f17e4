//! Lowering of the DSL's entities: users, groups, roles and service-linked
//! roles (declared by name, then their clauses resolved), declared role
//! sessions (`assumed-role ROLE/SESSION`) and federated users
//! (`federated-user NAME { user U }`). Trust clauses are `trust.rs`'s.

use crate::codes;
use verdict_grammar::{self as ast, EntityKind, Span, Spanned};

use super::{closest, kind_word, Lowerer, PendingEntity, Scope};
use crate::diag::Diagnostic;
use crate::model::{
    FederatedUser, FederatedUserId, Group, GroupId, Loc, PolicyId, Role, RoleId, Session,
    SessionId, User, UserId,
};
use crate::source::FileId;

/// What an entity declaration knows besides its name.
pub(super) struct EntityInfo {
    pub account: Option<String>,
    /// IAM path, `/` by default.
    pub path: String,
    pub arn: Option<String>,
    pub unique_id: Option<String>,
    pub service_linked: bool,
}

/// `arn:PARTITION:iam::ACCOUNT:KIND/PATH/NAME` (`path` begins and ends with
/// `/`).
pub(super) fn iam_arn(
    partition: &str,
    account: &str,
    kind: &str,
    path: &str,
    name: &str,
) -> String {
    format!("arn:{partition}:iam::{account}:{kind}{path}{name}")
}

/// The partition of an ARN, `aws` if there is none.
pub(super) fn partition(arn: Option<&str>) -> &str {
    arn.and_then(|a| a.split(':').nth(1))
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}

/// Characters of role session and federated user names: `[\w+=,.@-]`.
fn is_session_name(name: &str, max: usize) -> bool {
    (2..=max).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

/// The span of a clause's first name or keyword argument, for messages.
fn clause_span(clause: &ast::Clause) -> Option<Span> {
    match clause {
        ast::Clause::Attach(names) | ast::Clause::Member(names) => names.first().map(|n| n.span),
        ast::Clause::Boundary(name)
        | ast::Clause::Path(name)
        | ast::Clause::Account(name)
        | ast::Clause::Service(name)
        | ast::Clause::Caller(name) => Some(name.span),
        ast::Clause::Inline(policy) => Some(policy.name.span),
        ast::Clause::Trust(targets) => targets.first().map(|t| t.span),
        ast::Clause::TrustPolicy { span, .. } => Some(*span),
        ast::Clause::Tag { key, .. } => Some(key.span),
    }
}

fn clause_word(clause: &ast::Clause) -> &'static str {
    match clause {
        ast::Clause::Attach(_) => "attach",
        ast::Clause::Member(_) => "member",
        ast::Clause::Boundary(_) => "boundary",
        ast::Clause::Path(_) => "path",
        ast::Clause::Account(_) => "account",
        ast::Clause::Service(_) => "service",
        ast::Clause::Caller(_) => "user",
        ast::Clause::Inline(_) => "policy",
        ast::Clause::Trust(_) | ast::Clause::TrustPolicy { .. } => "trust",
        ast::Clause::Tag { .. } => "tag",
    }
}

impl Lowerer<'_> {
    /// Declares a DSL user, group, role or service-linked role by name.
    /// Sessions and federated users come later ([`Self::declare_session`]).
    pub(super) fn declare_entity(&mut self, pending: &PendingEntity) {
        let decl = &pending.decl;
        let loc = Loc {
            file: pending.file,
            span: decl.name.span,
        };
        let (kind, service_linked) = match decl.kind {
            EntityKind::User | EntityKind::Group | EntityKind::Role => (decl.kind, false),
            EntityKind::ServiceLinkedRole => (EntityKind::Role, true),
            EntityKind::Session | EntityKind::FederatedUser => return,
        };
        let path = if service_linked {
            match self.slr_service(pending) {
                Some(service) => format!("/aws-service-role/{}/", service.node),
                None => "/aws-service-role/".to_string(),
            }
        } else {
            self.dsl_path(pending).unwrap_or_else(|| "/".to_string())
        };
        let arn = pending.account.as_ref().and_then(|account| {
            let word = match kind {
                EntityKind::User => "user",
                EntityKind::Role => "role",
                _ => return None,
            };
            Some(iam_arn("aws", account, word, &path, &decl.name.node))
        });
        let info = EntityInfo {
            account: pending.account.clone(),
            path,
            arn,
            unique_id: None,
            service_linked,
        };
        self.declare_entity_name(kind, decl.name.node.clone(), loc, info);
    }

    /// The `path` clause of a user, group or role (checked: it begins and
    /// ends with `/`). Reported if repeated or given to another kind.
    fn dsl_path(&mut self, pending: &PendingEntity) -> Option<String> {
        let mut found: Option<&Spanned<String>> = None;
        for clause in &pending.decl.clauses {
            let ast::Clause::Path(path) = clause else {
                continue;
            };
            if let Some(first) = found {
                self.diags.push(
                    Diagnostic::error(codes::E0213, "an entity has at most one `path`")
                        .at(pending.file, path.span, "second `path`")
                        .with_related(pending.file, first.span, "first `path`"),
                );
                continue;
            }
            let ok = path.node.starts_with('/')
                && path.node.ends_with('/')
                && path.node.len() <= 512
                && path
                    .node
                    .chars()
                    .all(|c| ('\u{21}'..='\u{7e}').contains(&c));
            if !ok {
                self.diags.push(
                    Diagnostic::error(codes::E0208, format!("invalid IAM path `{}`", path.node))
                        .at(pending.file, path.span, "not an IAM path")
                        .with_help("an IAM path begins and ends with `/`, e.g. `/engineering/`"),
                );
                continue;
            }
            found = Some(path);
        }
        found.map(|p| p.node.clone())
    }

    /// The `service` clause of a service-linked role: exactly one.
    fn slr_service<'d>(&mut self, pending: &'d PendingEntity) -> Option<&'d Spanned<String>> {
        let decl = &pending.decl;
        let services: Vec<&Spanned<String>> = decl
            .clauses
            .iter()
            .filter_map(|c| match c {
                ast::Clause::Service(s) => Some(s),
                _ => None,
            })
            .collect();
        match services.as_slice() {
            [] => {
                self.diags.push(
                    Diagnostic::error(
                        codes::E0212,
                        format!("service-linked role `{}` has no `service`", decl.name.node),
                    )
                    .at(pending.file, decl.name.span, "which service owns it?")
                    .with_help("name the service principal, e.g. `service voiceconnector.chime.amazonaws.com`"),
                );
                None
            }
            [one] => Some(one),
            [first, second, ..] => {
                self.diags.push(
                    Diagnostic::error(
                        codes::E0213,
                        "a service-linked role has exactly one `service`",
                    )
                    .at(pending.file, second.span, "second `service`")
                    .with_related(pending.file, first.span, "first `service`"),
                );
                Some(first)
            }
        }
    }

    /// Adds an empty user, group or role, or reports a duplicate name in
    /// its scope. Returns whether it was added.
    pub(super) fn declare_entity_name(
        &mut self,
        kind: EntityKind,
        name: String,
        loc: Loc,
        info: EntityInfo,
    ) -> bool {
        let scope = self.scope(info.account.as_deref());
        let key = (scope.clone(), name.clone());
        let existing = match kind {
            EntityKind::User => self.names.users.get(&key).map(|u| self.model.user(*u).loc),
            EntityKind::Group => self
                .names
                .groups
                .get(&key)
                .map(|g| self.model.group(*g).loc),
            _ => self.names.roles.get(&key).map(|r| self.model.role(*r).loc),
        };
        if let Some(first) = existing {
            self.duplicate(kind_word(kind), &name, &scope, loc, first);
            return false;
        }
        if kind != EntityKind::Group && !self.principal_fits(loc) {
            return false;
        }
        match kind {
            EntityKind::User => {
                self.names
                    .users
                    .insert(key, UserId(self.model.users.len() as u32));
                self.model.users.push(User {
                    name,
                    loc,
                    account: info.account,
                    path: info.path,
                    arn: info.arn,
                    unique_id: info.unique_id,
                    groups: Vec::new(),
                    policies: Vec::new(),
                    boundary: None,
                    tags: Vec::new(),
                });
            }
            EntityKind::Group => {
                self.names
                    .groups
                    .insert(key, GroupId(self.model.groups.len() as u32));
                self.model.groups.push(Group {
                    name,
                    loc,
                    account: info.account,
                    policies: Vec::new(),
                });
            }
            _ => {
                self.names
                    .roles
                    .insert(key, RoleId(self.model.roles.len() as u32));
                self.model.roles.push(Role {
                    name,
                    loc,
                    account: info.account,
                    path: info.path,
                    arn: info.arn,
                    unique_id: info.unique_id,
                    policies: Vec::new(),
                    boundary: None,
                    tags: Vec::new(),
                    trust_policy: None,
                    service_linked: info.service_linked,
                });
            }
        }
        true
    }

    /// E0202 for a name declared twice in one scope; when the two come from
    /// different files, help says how names are scoped by account.
    pub(super) fn duplicate(
        &mut self,
        what: &str,
        name: &str,
        scope: &Scope,
        loc: Loc,
        first: Loc,
    ) {
        let (message, help) = match scope {
            Some(account) => (
                format!("{what} `{name}` is defined more than once in account {account}"),
                "names are unique within an account; rename one, or give it the `account` it belongs to",
            ),
            None => (
                format!("{what} `{name}` is defined more than once"),
                "names are unique per account; if these are two accounts, say which is which (a dump's ARNs name its account; a DSL file takes `account \"ID\"`), and principals are then named `ACCOUNT:user/NAME`",
            ),
        };
        let mut d = Diagnostic::error(codes::E0202, message)
            .at(loc.file, loc.span, "defined again here")
            .with_related(first.file, first.span, "first defined here");
        if first.file != loc.file {
            d = d.with_help(help);
        }
        self.diags.push(d);
    }

    /// Declares a DSL `assumed-role ROLE/SESSION` or `federated-user NAME`,
    /// resolving the role or user it is a session of.
    pub(super) fn declare_session(&mut self, pending: &PendingEntity) {
        let decl = &pending.decl;
        let file = pending.file;
        let loc = Loc {
            file,
            span: decl.name.span,
        };
        let scope = self.scope(pending.account.as_deref());
        match decl.kind {
            EntityKind::Session => {
                let Some((role_name, session_name)) = decl.name.node.split_once('/') else {
                    self.diags.push(
                        Diagnostic::error(
                            codes::E0208,
                            format!("session `{}` does not name its role", decl.name.node),
                        )
                        .at(file, decl.name.span, "expected `ROLE/SESSION`")
                        .with_help("write the role and the session name, e.g. `assumed-role MeetingBot/standup`"),
                    );
                    return;
                };
                if !is_session_name(session_name, 64) {
                    self.diags.push(
                        Diagnostic::error(
                            codes::E0208,
                            format!("invalid role session name `{session_name}`"),
                        )
                        .at(
                            file,
                            decl.name.span,
                            "2 to 64 letters, digits or `_+=,.@-`",
                        ),
                    );
                    return;
                }
                let Some(role) = self.lookup_role(file, &scope, role_name, decl.name.span) else {
                    return;
                };
                let key = (scope.clone(), decl.name.node.clone());
                if let Some(&first) = self.names.sessions.get(&key) {
                    let first = self.model.session(first).loc;
                    self.duplicate("session", &decl.name.node, &scope, loc, first);
                    return;
                }
                if !self.principal_fits(loc) {
                    return;
                }
                let base = &self.model.role(role);
                let arn = base.account.as_ref().map(|account| {
                    format!(
                        "arn:{}:sts::{account}:assumed-role/{role_name}/{session_name}",
                        partition(base.arn.as_deref())
                    )
                });
                self.names
                    .sessions
                    .insert(key, SessionId(self.model.sessions.len() as u32));
                self.model.sessions.push(Session {
                    role,
                    name: session_name.to_string(),
                    loc,
                    arn,
                    policies: Vec::new(),
                    tags: Vec::new(),
                });
            }
            EntityKind::FederatedUser => {
                let name = &decl.name.node;
                if !is_session_name(name, 32) {
                    self.diags.push(
                        Diagnostic::error(
                            codes::E0208,
                            format!("invalid federated user name `{name}`"),
                        )
                        .at(
                            file,
                            decl.name.span,
                            "2 to 32 letters, digits or `_+=,.@-`",
                        ),
                    );
                    return;
                }
                let callers: Vec<&Spanned<String>> = decl
                    .clauses
                    .iter()
                    .filter_map(|c| match c {
                        ast::Clause::Caller(user) => Some(user),
                        _ => None,
                    })
                    .collect();
                let caller = match callers.as_slice() {
                    [] => {
                        self.diags.push(
                            Diagnostic::error(
                                codes::E0212,
                                format!("federated user `{name}` has no `user`"),
                            )
                            .at(file, decl.name.span, "whose session is it?")
                            .with_help("name the IAM user who called GetFederationToken, e.g. `user carol`"),
                        );
                        return;
                    }
                    [one] => *one,
                    [first, second, ..] => {
                        self.diags.push(
                            Diagnostic::error(
                                codes::E0213,
                                "a federated user has exactly one `user`",
                            )
                            .at(file, second.span, "second `user`")
                            .with_related(
                                file,
                                first.span,
                                "first `user`",
                            ),
                        );
                        *first
                    }
                };
                let Some(&user) = self.names.users.get(&(scope.clone(), caller.node.clone()))
                else {
                    self.unknown(file, "user", caller, &scope);
                    return;
                };
                let key = (scope.clone(), name.clone());
                if let Some(&first) = self.names.federated_users.get(&key) {
                    let first = self.model.federated_user(first).loc;
                    self.duplicate("federated user", name, &scope, loc, first);
                    return;
                }
                if !self.principal_fits(loc) {
                    return;
                }
                let base = &self.model.user(user);
                let arn = base.account.as_ref().map(|account| {
                    format!(
                        "arn:{}:sts::{account}:federated-user/{name}",
                        partition(base.arn.as_deref())
                    )
                });
                self.names.federated_users.insert(
                    key,
                    FederatedUserId(self.model.federated_users.len() as u32),
                );
                self.model.federated_users.push(FederatedUser {
                    name: name.clone(),
                    user,
                    loc,
                    arn,
                    policies: Vec::new(),
                    tags: Vec::new(),
                });
            }
            _ => {}
        }
    }

    /// A role by name in `scope`, or E0201 with a suggestion.
    fn lookup_role(
        &mut self,
        file: FileId,
        scope: &Scope,
        name: &str,
        span: Span,
    ) -> Option<RoleId> {
        if let Some(&role) = self.names.roles.get(&(scope.clone(), name.to_string())) {
            return Some(role);
        }
        self.unknown(file, "role", &Spanned::new(name.to_string(), span), scope);
        None
    }

    /// E0201: `name` is no `what` of `scope`.
    pub(super) fn unknown(
        &mut self,
        file: FileId,
        what: &str,
        name: &Spanned<String>,
        scope: &Scope,
    ) {
        if self.reported_principals && what != "group" {
            // Probably one of the principals dropped for the limit: say nothing more.
            return;
        }
        let candidates: Vec<String> = match what {
            "user" => self
                .names
                .users
                .keys()
                .filter(|(s, _)| s == scope)
                .map(|(_, n)| n.clone())
                .collect(),
            "group" => self
                .names
                .groups
                .keys()
                .filter(|(s, _)| s == scope)
                .map(|(_, n)| n.clone())
                .collect(),
            _ => self
                .names
                .roles
                .keys()
                .filter(|(s, _)| s == scope)
                .map(|(_, n)| n.clone())
                .collect(),
        };
        let label = match scope {
            Some(account) => format!("not defined in account {account}"),
            None => "not defined".to_string(),
        };
        let mut d = Diagnostic::error(codes::E0201, format!("unknown {what} `{}`", name.node))
            .at(file, name.span, label);
        if let Some(s) = closest(&name.node, candidates.iter()) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        self.diags.push(d);
    }

    /// Resolves the clauses of a DSL entity (trust clauses aside).
    pub(super) fn resolve_entity(&mut self, pending: &PendingEntity) {
        match pending.decl.kind {
            EntityKind::Session | EntityKind::FederatedUser => self.resolve_session(pending),
            _ => self.resolve_principal_entity(pending),
        }
    }

    fn resolve_principal_entity(&mut self, pending: &PendingEntity) {
        let file = pending.file;
        let decl = &pending.decl;
        let scope = self.scope(pending.account.as_deref());
        let key = (scope.clone(), decl.name.node.clone());
        let service_linked = decl.kind == EntityKind::ServiceLinkedRole;
        let kind = if service_linked {
            EntityKind::Role
        } else {
            decl.kind
        };
        let owner = format!("{}/{}", kind_word(kind), decl.name.node);
        let Some(index) = (match kind {
            EntityKind::User => self.names.users.get(&key).map(|u| u.index()),
            EntityKind::Group => self.names.groups.get(&key).map(|g| g.index()),
            _ => self.names.roles.get(&key).map(|r| r.index()),
        }) else {
            return;
        };
        // A duplicate declaration resolves into nothing (already reported).
        let this_loc = Loc {
            file,
            span: decl.name.span,
        };
        let entity_loc = match kind {
            EntityKind::User => self.model.user(UserId(index as u32)).loc,
            EntityKind::Group => self.model.group(GroupId(index as u32)).loc,
            _ => self.model.role(RoleId(index as u32)).loc,
        };
        if entity_loc != this_loc {
            return;
        }
        let mut boundary_seen: Option<Span> = None;
        for clause in &decl.clauses {
            match clause {
                ast::Clause::Attach(names) => {
                    for name in names {
                        if let Some(p) = self.lookup_policy(file, name) {
                            self.push_policy(kind, index, p);
                        }
                    }
                }
                ast::Clause::Inline(policy) if policy.managed => {
                    // Declared globally before resolution; attached here.
                    if let Some(p) = self.lookup_policy(file, &policy.name) {
                        self.push_policy(kind, index, p);
                    }
                }
                ast::Clause::Inline(policy) if service_linked => {
                    self.slr_edit(file, policy.name.span, "an inline policy");
                }
                ast::Clause::Inline(policy) => {
                    if let Some(p) = self.declare_policy(file, policy, Some(&owner)) {
                        self.push_policy(kind, index, p);
                    }
                }
                ast::Clause::Member(groups) => {
                    if kind != EntityKind::User {
                        self.wrong_clause(file, groups.first().map(|g| g.span), "member", "users");
                        continue;
                    }
                    for g in groups {
                        match self.names.groups.get(&(scope.clone(), g.node.clone())) {
                            Some(&gid) => {
                                self.model.user_mut(UserId(index as u32)).groups.push(gid)
                            }
                            None => self.unknown(file, "group", g, &scope),
                        }
                    }
                }
                ast::Clause::Boundary(name) => {
                    if kind == EntityKind::Group {
                        self.wrong_clause(file, Some(name.span), "boundary", "users and roles");
                        continue;
                    }
                    if service_linked {
                        self.slr_edit(file, name.span, "a permissions boundary");
                        continue;
                    }
                    if let Some(first) = boundary_seen {
                        self.diags.push(
                            Diagnostic::error(
                                codes::E0206,
                                "a principal has at most one permissions boundary",
                            )
                            .at(file, name.span, "second boundary")
                            .with_related(
                                file,
                                first,
                                "first boundary",
                            ),
                        );
                        continue;
                    }
                    boundary_seen = Some(name.span);
                    if let Some(p) = self.lookup_policy(file, name) {
                        match kind {
                            EntityKind::User => {
                                self.model.user_mut(UserId(index as u32)).boundary = Some(p)
                            }
                            _ => self.model.role_mut(RoleId(index as u32)).boundary = Some(p),
                        }
                    }
                }
                ast::Clause::Trust(_) | ast::Clause::TrustPolicy { .. } => {
                    if kind != EntityKind::Role {
                        self.wrong_clause(file, clause_span(clause), "trust", "roles");
                    }
                    // Roles: lowered with the trust policies (trust.rs).
                }
                ast::Clause::Tag { key, value } => {
                    let tag = (key.node.clone(), value.node.clone());
                    match kind {
                        EntityKind::User => {
                            self.model.user_mut(UserId(index as u32)).tags.push(tag)
                        }
                        EntityKind::Group => {
                            self.wrong_clause(file, Some(key.span), "tag", "users and roles")
                        }
                        _ => self.model.role_mut(RoleId(index as u32)).tags.push(tag),
                    }
                }
                ast::Clause::Path(path) if service_linked => {
                    self.diags.push(
                        Diagnostic::error(
                            codes::E0221,
                            "the path of a service-linked role is fixed",
                        )
                        .at(file, path.span, "not allowed here")
                        .with_help("a service-linked role's path is `/aws-service-role/SERVICE/`"),
                    );
                }
                ast::Clause::Service(service) if !service_linked => {
                    self.wrong_clause(file, Some(service.span), "service", "service-linked roles");
                }
                ast::Clause::Caller(user) => {
                    self.wrong_clause(file, Some(user.span), "user", "federated users");
                }
                // Used when the entity was declared.
                ast::Clause::Path(_) | ast::Clause::Account(_) | ast::Clause::Service(_) => {}
            }
        }
    }

    /// E0221: a service-linked role's permissions are fixed by its service
    /// (SEMANTICS.md G5).
    pub(super) fn slr_edit(&mut self, file: FileId, span: Span, what: &str) {
        self.diags.push(
            Diagnostic::error(
                codes::E0221,
                format!("a service-linked role cannot have {what}"),
            )
            .at(file, span, "not allowed here")
            .with_help("the permissions of a service-linked role are defined by its service and cannot be edited (SEMANTICS.md G5)"),
        );
    }

    fn push_policy(&mut self, kind: EntityKind, index: usize, policy: PolicyId) {
        match kind {
            EntityKind::User => self
                .model
                .user_mut(UserId(index as u32))
                .policies
                .push(policy),
            EntityKind::Group => self
                .model
                .group_mut(GroupId(index as u32))
                .policies
                .push(policy),
            _ => self
                .model
                .role_mut(RoleId(index as u32))
                .policies
                .push(policy),
        }
    }

    /// The clauses of a declared session or federated user: session
    /// policies (managed ones by `attach`, at most one inline `policy`) and
    /// session tags.
    fn resolve_session(&mut self, pending: &PendingEntity) {
        let file = pending.file;
        let decl = &pending.decl;
        let scope = self.scope(pending.account.as_deref());
        let key = (scope, decl.name.node.clone());
        let this_loc = Loc {
            file,
            span: decl.name.span,
        };
        let (session, federated, owner) = match decl.kind {
            EntityKind::Session => match self.names.sessions.get(&key) {
                Some(&s) if self.model.session(s).loc == this_loc => {
                    (Some(s), None, format!("assumed-role/{}", decl.name.node))
                }
                _ => return,
            },
            _ => match self.names.federated_users.get(&key) {
                Some(&f) if self.model.federated_user(f).loc == this_loc => {
                    (None, Some(f), format!("federated-user/{}", decl.name.node))
                }
                _ => return,
            },
        };
        let mut policies = Vec::new();
        let mut tags = Vec::new();
        let mut inline_seen: Option<Span> = None;
        for clause in &decl.clauses {
            match clause {
                ast::Clause::Attach(names) => {
                    for name in names {
                        policies.extend(self.lookup_policy(file, name));
                    }
                }
                ast::Clause::Inline(policy) if policy.managed => {
                    policies.extend(self.lookup_policy(file, &policy.name));
                }
                ast::Clause::Inline(policy) => {
                    if let Some(first) = inline_seen {
                        self.diags.push(
                            Diagnostic::error(codes::E0213, "a session has at most one inline session policy")
                                .at(file, policy.name.span, "second inline policy")
                                .with_related(file, first, "first inline policy")
                                .with_help("merge the statements into one policy, or pass the others as managed policies with `attach`"),
                        );
                        continue;
                    }
                    inline_seen = Some(policy.name.span);
                    policies.extend(self.declare_policy(file, policy, Some(&owner)));
                }
                ast::Clause::Tag { key, value } => {
                    tags.push((key.node.clone(), value.node.clone()));
                }
                ast::Clause::Account(_) => {}
                ast::Clause::Caller(_) if federated.is_some() => {}
                other => {
                    let word = clause_word(other);
                    let allowed = match word {
                        "member" => "users",
                        "boundary" => "users and roles",
                        "trust" => "roles",
                        "path" => "users, groups and roles",
                        "service" => "service-linked roles",
                        _ => "federated users",
                    };
                    self.wrong_clause(file, clause_span(other), word, allowed);
                }
            }
        }
        if let Some(s) = session {
            let entry = self.model.session_mut(s);
            entry.policies = policies;
            entry.tags = tags;
        } else if let Some(f) = federated {
            let entry = self.model.federated_user_mut(f);
            entry.policies = policies;
            entry.tags = tags;
        }
    }
}
