//! Role trust policies and the rules of service-linked roles.
//!
//! A DSL role's trust policy is its `trust { ... }` / `trust from "…"`
//! document plus one statement per shorthand `trust user alice, …` clause;
//! a dump role's is its `AssumeRolePolicyDocument`. Both are validated
//! (SEMANTICS.md G1, G6) and their principal ARNs resolved against the
//! model. A service-linked role is trusted by its service alone, and its
//! policies belong to it alone (G5: E0220, E0222).

use crate::codes;
use std::collections::HashMap;

use verdict_grammar::{self as ast, EntityKind, Span};

use super::dump::SERVICE_ROLE_PATH;
use super::quotas::{canonical_size, json_size, DEFAULT_TRUST_POLICY_SIZE, MAX_TRUST_POLICY_SIZE};
use super::{Lowerer, PendingDump, PendingEntity, Scope};
use crate::diag::Diagnostic;
use crate::model::{
    Effect, Loc, Pattern, PolicyDocument, PolicyId, PolicyKind, PolicyVersion, PrincipalEntry,
    PrincipalSet, PrincipalValue, RoleId, Statement,
};
use crate::source::FileId;
use crate::validate::{self, DocContext};

/// Principals of the model by ARN, for resolving trust policies.
pub(super) type ArnIndex = HashMap<String, PrincipalValue>;

impl Lowerer<'_> {
    /// Every principal ARN the model knows.
    pub(super) fn principal_arn_index(&self) -> ArnIndex {
        let model = &self.model;
        let users = model.users.iter().enumerate().filter_map(|(i, u)| {
            Some((
                u.arn.clone()?,
                PrincipalValue::User(crate::model::UserId(i as u32)),
            ))
        });
        let roles =
            model.roles.iter().enumerate().filter_map(|(i, r)| {
                Some((r.arn.clone()?, PrincipalValue::Role(RoleId(i as u32))))
            });
        let sessions = model.sessions.iter().enumerate().filter_map(|(i, s)| {
            Some((
                s.arn.clone()?,
                PrincipalValue::Session(crate::model::SessionId(i as u32)),
            ))
        });
        let federated = model
            .federated_users
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                Some((
                    f.arn.clone()?,
                    PrincipalValue::FederatedUser(crate::model::FederatedUserId(i as u32)),
                ))
            });
        users
            .chain(roles)
            .chain(sessions)
            .chain(federated)
            .collect()
    }

    /// The role a pending DSL role or service-linked role declared, unless
    /// the declaration was a duplicate.
    fn declared_role(
        &self,
        file: FileId,
        scope: &Scope,
        name: &ast::Spanned<String>,
    ) -> Option<RoleId> {
        let &role = self.names.roles.get(&(scope.clone(), name.node.clone()))?;
        let here = Loc {
            file,
            span: name.span,
        };
        (self.model.role(role).loc == here).then_some(role)
    }

    /// The trust policy of a DSL role or service-linked role.
    pub(super) fn resolve_dsl_trust(&mut self, pending: &PendingEntity, arns: &ArnIndex) {
        let decl = &pending.decl;
        let file = pending.file;
        if !matches!(decl.kind, EntityKind::Role | EntityKind::ServiceLinkedRole) {
            return;
        }
        let scope = self.scope(pending.account.as_deref());
        let Some(role) = self.declared_role(file, &scope, &decl.name) else {
            return;
        };
        if decl.kind == EntityKind::ServiceLinkedRole {
            for clause in &decl.clauses {
                let span = match clause {
                    ast::Clause::Trust(targets) => targets.first().map(|t| t.span),
                    ast::Clause::TrustPolicy { span, .. } => Some(*span),
                    _ => continue,
                };
                let mut d = Diagnostic::error(
                    codes::E0222,
                    "the trust policy of a service-linked role is defined by its service",
                )
                .with_help("a service-linked role is trusted by its service alone (SEMANTICS.md G5); remove the `trust` clause");
                if let Some(span) = span {
                    d = d.at(file, span, "not allowed here");
                }
                self.diags.push(d);
            }
            let service = decl.clauses.iter().find_map(|c| match c {
                ast::Clause::Service(s) => Some(s),
                _ => None,
            });
            if let Some(service) = service {
                let loc = Loc {
                    file,
                    span: service.span,
                };
                let entry = PrincipalEntry {
                    value: PrincipalValue::Service(service.node.clone()),
                    text: service.node.clone(),
                    loc,
                };
                self.model.role_mut(role).trust_policy = Some(PolicyDocument {
                    version: PolicyVersion::V2012_10_17,
                    statements: vec![assume_role_statement(loc, vec![entry])],
                });
            }
            return;
        }
        let mut statements = Vec::new();
        let mut version = PolicyVersion::V2012_10_17;
        let mut ok = true;
        let mut any = false;
        let mut block_seen: Option<Span> = None;
        for clause in &decl.clauses {
            match clause {
                ast::Clause::TrustPolicy { span, body } => {
                    any = true;
                    if let Some(first) = block_seen {
                        self.diags.push(
                            Diagnostic::error(codes::E0213, "a role has at most one trust policy")
                                .at(file, *span, "second trust policy")
                                .with_related(file, first, "first trust policy")
                                .with_help("put all trust statements in one `trust { ... }` block"),
                        );
                        ok = false;
                        continue;
                    }
                    block_seen = Some(*span);
                    match self.trust_body(file, body) {
                        Some(doc) => {
                            version = doc.version;
                            statements.extend(doc.statements);
                        }
                        None => ok = false,
                    }
                }
                ast::Clause::Trust(targets) => {
                    any = true;
                    match self.trust_shorthand(file, &scope, targets) {
                        Some(statement) => statements.push(statement),
                        None => ok = false,
                    }
                }
                _ => {}
            }
        }
        if !any || !ok {
            return;
        }
        let mut doc = PolicyDocument {
            version,
            statements,
        };
        resolve_principals(&mut doc, arns);
        self.model.role_mut(role).trust_policy = Some(doc);
    }

    /// `trust { ... }` or `trust from "file.json"`: validated as a trust
    /// policy; its size checked against the trust policy quota (a warning:
    /// the DSL models, it does not claim to be an account).
    fn trust_body(&mut self, file: FileId, body: &ast::PolicyBody) -> Option<PolicyDocument> {
        let (doc, size, at) = match body {
            ast::PolicyBody::Inline(policy) => {
                let cx = DocContext {
                    kind: PolicyKind::Inline,
                    dsl: true,
                };
                let doc = validate::trust_policy(policy, file, cx, &mut self.diags);
                (
                    doc,
                    canonical_size(policy),
                    Loc {
                        file,
                        span: policy.span,
                    },
                )
            }
            ast::PolicyBody::Import(path) => {
                let resolved = self.relative(file, &path.node);
                let from = Loc {
                    file,
                    span: path.span,
                };
                let (imported, policy) = self.import_policy(&resolved, from)?;
                let cx = DocContext {
                    kind: PolicyKind::Inline,
                    dsl: false,
                };
                let doc = validate::trust_policy(&policy, imported, cx, &mut self.diags);
                (doc, json_size(self.text(imported), policy.span), from)
            }
        };
        self.trust_quota(size, at, false);
        doc
    }

    /// V14: a trust policy of `size` characters at `at`; over the maximum
    /// is an error when `real` (a dump), over the default a warning.
    fn trust_quota(&mut self, size: usize, at: Loc, real: bool) {
        let found = if size > MAX_TRUST_POLICY_SIZE {
            Some((
                real,
                format!("trust policy has {size} characters; the quota is {MAX_TRUST_POLICY_SIZE}"),
                "too large",
            ))
        } else if size > DEFAULT_TRUST_POLICY_SIZE {
            Some((false, format!("trust policy has {size} characters; the default quota is {DEFAULT_TRUST_POLICY_SIZE} (raisable to {MAX_TRUST_POLICY_SIZE})"), "over the default quota"))
        } else {
            None
        };
        if let Some((error, message, label)) = found {
            self.quota_diagnostics(vec![(error, at, message, label.to_string())]);
        }
    }

    /// `trust user alice, role Ops, account "111122223333", service "s"`:
    /// one statement allowing `sts:AssumeRole` to those principals, users
    /// and roles resolved in the trusting role's account.
    fn trust_shorthand(
        &mut self,
        file: FileId,
        scope: &Scope,
        targets: &[ast::TrustTarget],
    ) -> Option<Statement> {
        let mut entries = Vec::new();
        let mut ok = true;
        for target in targets {
            let name = &target.name;
            let loc = Loc {
                file,
                span: target.span,
            };
            let value = match target.kind {
                ast::TrustKind::User => {
                    match self.names.users.get(&(scope.clone(), name.node.clone())) {
                        Some(&u) => Some((PrincipalValue::User(u), format!("user/{}", name.node))),
                        None => {
                            self.unknown(file, "user", name, scope);
                            None
                        }
                    }
                }
                ast::TrustKind::Role => {
                    match self.names.roles.get(&(scope.clone(), name.node.clone())) {
                        Some(&r) => Some((PrincipalValue::Role(r), format!("role/{}", name.node))),
                        None => {
                            self.unknown(file, "role", name, scope);
                            None
                        }
                    }
                }
                ast::TrustKind::Account => self.check_account_id(file, name).then(|| {
                    (
                        PrincipalValue::Account(name.node.clone()),
                        name.node.clone(),
                    )
                }),
                ast::TrustKind::Service => Some((
                    PrincipalValue::Service(name.node.clone()),
                    name.node.clone(),
                )),
            };
            match value {
                Some((value, text)) => entries.push(PrincipalEntry { value, text, loc }),
                None => ok = false,
            }
        }
        let span = match (targets.first(), targets.last()) {
            (Some(first), Some(last)) => first.span.to(last.span),
            _ => return None,
        };
        ok.then(|| assume_role_statement(Loc { file, span }, entries))
    }

    /// The trust policy of a dump role: validated, resolved, and for a
    /// service-linked role checked to trust only services (G5).
    pub(super) fn resolve_dump_trust(&mut self, pending: &PendingDump, arns: &ArnIndex) {
        let file = pending.file;
        let scope = self.scope(pending.account.as_deref());
        for role in &pending.dump.roles {
            let Some(id) = self.declared_role(file, &scope, &role.name) else {
                continue;
            };
            let Some(document) = &role.trust_policy else {
                continue;
            };
            let cx = DocContext {
                kind: PolicyKind::Inline,
                dsl: false,
            };
            let Some(mut doc) = validate::trust_policy(&document.policy, file, cx, &mut self.diags)
            else {
                continue;
            };
            let size = self.dump_document_size(file, document);
            let at = Loc {
                file,
                span: document.policy.span,
            };
            self.trust_quota(size, at, true);
            resolve_principals(&mut doc, arns);
            if self.model.role(id).service_linked {
                self.check_slr_trust(id, &doc, at);
            }
            self.model.role_mut(id).trust_policy = Some(doc);
        }
    }

    /// G5: a service-linked role's trust policy allows its service only.
    fn check_slr_trust(&mut self, role: RoleId, doc: &PolicyDocument, at: Loc) {
        let mut services = 0;
        for statement in &doc.statements {
            let Some(principal) = &statement.principal else {
                continue;
            };
            if statement.effect != Effect::Allow {
                continue;
            }
            for entry in &principal.entries {
                if !principal.not && matches!(entry.value, PrincipalValue::Service(_)) {
                    services += 1;
                    continue;
                }
                self.diags.push(
                    Diagnostic::error(
                        codes::E0222,
                        format!(
                            "service-linked role `{}` trusts `{}`, which is not a service",
                            self.model.role(role).name,
                            entry.text
                        ),
                    )
                    .at(entry.loc.file, entry.loc.span, "not a service principal")
                    .with_help(format!("roles under `{SERVICE_ROLE_PATH}` are service-linked: only their service may assume them (SEMANTICS.md G5)")),
                );
            }
        }
        if services == 0 {
            self.diags.push(
                Diagnostic::error(
                    codes::E0222,
                    format!(
                        "service-linked role `{}` is not trusted by any service",
                        self.model.role(role).name
                    ),
                )
                .at(at.file, at.span, "no `Service` principal allowed here")
                .with_help(format!("roles under `{SERVICE_ROLE_PATH}` are service-linked: their trust policy allows their service")),
            );
        }
    }

    /// G5 (E0220): the policies of a service-linked role (and AWS managed
    /// policies under `/aws-service-role/`) are attached to nothing else.
    pub(super) fn check_service_linked_policies(&mut self) {
        let model = &self.model;
        let mut owner: HashMap<PolicyId, RoleId> = HashMap::new();
        for (i, role) in model.roles.iter().enumerate() {
            if role.service_linked {
                for &p in &role.policies {
                    owner.entry(p).or_insert(RoleId(i as u32));
                }
            }
        }
        let reserved = |p: PolicyId| {
            owner.contains_key(&p)
                || model
                    .policy(p)
                    .arn
                    .as_deref()
                    .is_some_and(|arn| arn.contains(":policy/aws-service-role/"))
        };
        let mut users: Vec<(String, Loc, PolicyId)> = Vec::new();
        let mut add = |what: String, loc: Loc, policies: &mut dyn Iterator<Item = PolicyId>| {
            for p in policies {
                if reserved(p) {
                    users.push((what.clone(), loc, p));
                }
            }
        };
        for user in &model.users {
            add(
                format!("user `{}`", user.name),
                user.loc,
                &mut user.policies.iter().copied().chain(user.boundary),
            );
        }
        for group in &model.groups {
            add(
                format!("group `{}`", group.name),
                group.loc,
                &mut group.policies.iter().copied(),
            );
        }
        for role in model.roles.iter().filter(|r| !r.service_linked) {
            add(
                format!("role `{}`", role.name),
                role.loc,
                &mut role.policies.iter().copied().chain(role.boundary),
            );
        }
        for session in &model.sessions {
            add(
                format!("session `{}`", session.name),
                session.loc,
                &mut session.policies.iter().copied(),
            );
        }
        for fed in &model.federated_users {
            add(
                format!("federated user `{}`", fed.name),
                fed.loc,
                &mut fed.policies.iter().copied(),
            );
        }
        users.dedup_by(|a, b| a.1 == b.1 && a.2 == b.2);
        for (what, loc, p) in users {
            let policy = self.model.policy(p);
            let mut d = Diagnostic::error(
                codes::E0220,
                format!(
                    "`{}` is the policy of a service-linked role and cannot be attached to {what}",
                    policy.name
                ),
            )
            .at(loc.file, loc.span, "attached here")
            .with_help("a service-linked role's permissions policy belongs to it alone (SEMANTICS.md G5); attach a policy of your own");
            if let Some(role) = owner.get(&p) {
                let role = self.model.role(*role);
                d = d.with_related(
                    role.loc.file,
                    role.loc.span,
                    format!("the policy of service-linked role `{}`", role.name),
                );
            }
            self.diags.push(d);
        }
    }
}

/// `{"Effect": "Allow", "Principal": …, "Action": "sts:AssumeRole"}` at
/// `loc`.
fn assume_role_statement(loc: Loc, entries: Vec<PrincipalEntry>) -> Statement {
    Statement {
        loc,
        sid: None,
        effect: Effect::Allow,
        not_action: false,
        actions: vec![Pattern {
            text: "sts:AssumeRole".to_string(),
            loc,
        }],
        not_resource: false,
        resources: Vec::new(),
        conditions: Vec::new(),
        condition_loc: None,
        principal: Some(PrincipalSet {
            not: false,
            entries,
        }),
    }
}

/// Resolves principal ARNs that name principals of the model (G2).
fn resolve_principals(doc: &mut PolicyDocument, arns: &ArnIndex) {
    let entries = doc
        .statements
        .iter_mut()
        .filter_map(|st| st.principal.as_mut())
        .flat_map(|set| set.entries.iter_mut());
    for entry in entries {
        if let PrincipalValue::Other(arn) = &entry.value {
            if let Some(found) = arns.get(arn) {
                entry.value = found.clone();
            }
        }
    }
}
