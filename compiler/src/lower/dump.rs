//! Lowering of AWS account dumps (`get-account-authorization-details`): the
//! account a dump belongs to (from its ARNs), its managed policies (default
//! versions; the same ARN in several dumps declared once), users, groups and
//! roles (service-linked ones by their `/aws-service-role/` path), inline
//! policies and attachments, and attached policies the dump lacks (E0205,
//! unless `--managed-policies` supplies AWS managed ones). Trust policies are
//! `trust.rs`'s.

use crate::codes;
use verdict_grammar::{self as ast, EntityKind, Span};

use super::dsl::{iam_arn, EntityInfo};
use super::quotas::{json_size, MAX_POLICY_VERSIONS};
use super::{is_aws_managed, Lowerer, PendingDump};
use crate::diag::Diagnostic;
use crate::model::{Loc, PolicyDef, PolicyId, PolicyKind};
use crate::overlay::Owner;
use crate::source::FileId;
use crate::validate::{self, DocContext};

/// Path prefix of service-linked roles (SEMANTICS.md G5).
pub(super) const SERVICE_ROLE_PATH: &str = "/aws-service-role/";

/// Most attachment sites listed with one missing-policy error.
const MAX_MISSING_SITES: usize = 5;

/// The account field of an ARN (`arn:aws:iam::ACCOUNT:…`), unless empty or
/// `aws` (AWS managed policies).
fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':')
        .nth(4)
        .filter(|account| !account.is_empty() && *account != "aws")
}

impl Lowerer<'_> {
    /// A parsed dump with its account, the file marked as a dump.
    pub(super) fn pending_dump(&mut self, file: FileId, dump: ast::AccountDump) -> PendingDump {
        if !self.dump_files.contains(&file) {
            self.dump_files.push(file);
        }
        self.origins.add_dump(file, &dump);
        let account = self.dump_account(file, &dump);
        PendingDump {
            file,
            dump,
            account,
            carriers: std::collections::BTreeSet::new(),
        }
    }

    /// The account a dump belongs to, read from the ARNs of its users,
    /// groups, roles and customer managed policies; E0210 if they disagree.
    fn dump_account(&mut self, file: FileId, dump: &ast::AccountDump) -> Option<String> {
        let arns = dump
            .users
            .iter()
            .filter_map(|u| u.arn.as_ref())
            .chain(dump.groups.iter().filter_map(|g| g.arn.as_ref()))
            .chain(dump.roles.iter().filter_map(|r| r.arn.as_ref()))
            .chain(dump.policies.iter().map(|p| &p.arn));
        let mut found: Option<(&str, Span)> = None;
        for arn in arns {
            let Some(account) = arn_account(&arn.node) else {
                continue;
            };
            match found {
                None => found = Some((account, arn.span)),
                Some((first, first_span)) if first != account => {
                    self.diags.push(
                        Diagnostic::error(
                            codes::E0210,
                            format!("the dump mixes accounts {first} and {account}"),
                        )
                        .at(file, arn.span, format!("an ARN of account {account}"))
                        .with_related(file, first_span, format!("an ARN of account {first}"))
                        .with_help("a dump is one account's; give each account's dump as its own `--aws-account` file"),
                    );
                    return Some(first.to_string());
                }
                Some(_) => {}
            }
        }
        found.map(|(account, _)| account.to_string())
    }

    /// The V14 size of an embedded document: its non-blank characters (of
    /// the decoded text for a URL-encoded one).
    pub(super) fn dump_document_size(&self, file: FileId, document: &ast::DumpDocument) -> usize {
        match &document.decoded {
            Some(text) => text.chars().filter(|c| !c.is_whitespace()).count(),
            None => json_size(self.text(file), document.policy.span),
        }
    }

    /// The document's text without white space, to compare two copies.
    fn dump_document_text(&self, file: FileId, document: &ast::DumpDocument) -> String {
        let text = match &document.decoded {
            Some(text) => text.as_str(),
            None => self
                .text(file)
                .get(document.policy.span.start as usize..document.policy.span.end as usize)
                .unwrap_or(""),
        };
        text.chars().filter(|c| !c.is_whitespace()).collect()
    }

    pub(super) fn declare_dump_policies(&mut self, pending: &PendingDump) {
        let file = pending.file;
        for managed in &pending.dump.policies {
            let loc = Loc {
                file,
                span: managed.name.span,
            };
            let default = managed.versions.iter().find(|v| v.is_default).or_else(|| {
                let id = managed.default_version_id.as_ref()?;
                managed
                    .versions
                    .iter()
                    .find(|v| v.version_id.as_ref().is_some_and(|v| v.node == id.node))
            });
            if let Some(&existing) = self.policy_arns.get(&managed.arn.node) {
                // The same policy in another dump (AWS managed policies are in
                // every account's dump): declared once.
                self.same_policy_again(existing, file, managed, default);
                continue;
            }
            let document = match default {
                Some(version) => {
                    let cx = DocContext {
                        kind: PolicyKind::Managed,
                        dsl: false,
                    };
                    validate::identity_policy(&version.document.policy, file, cx, &mut self.diags)
                }
                None => {
                    self.diags.push(
                        Diagnostic::error(
                            codes::E0207,
                            format!(
                                "managed policy `{}` has no default version",
                                managed.name.node
                            ),
                        )
                        .at(
                            file,
                            managed.span,
                            "no `IsDefaultVersion: true` in `PolicyVersionList`",
                        ),
                    );
                    None
                }
            };
            let size = default.map_or(0, |v| self.dump_document_size(file, &v.document));
            if let Some(version) = default {
                let text = self.dump_document_text(file, &version.document);
                self.dump_policy_texts
                    .insert(managed.arn.node.clone(), text);
            }
            let def = PolicyDef {
                name: managed.name.node.clone(),
                loc,
                kind: PolicyKind::Managed,
                arn: Some(managed.arn.node.clone()),
                document,
                size,
            };
            self.add_dump_policy(def);
            if managed.versions.len() > MAX_POLICY_VERSIONS {
                self.diags.push(
                    Diagnostic::error(
                        codes::E0302,
                        format!(
                            "managed policy `{}` has {} versions; IAM keeps at most {MAX_POLICY_VERSIONS}",
                            managed.name.node,
                            managed.versions.len()
                        ),
                    )
                    .at(file, managed.name.span, "too many versions"),
                );
            }
        }
    }

    /// W0211 when a policy already declared from another dump has a
    /// different default document there.
    fn same_policy_again(
        &mut self,
        existing: PolicyId,
        file: FileId,
        managed: &ast::DumpManagedPolicy,
        default: Option<&ast::DumpPolicyVersion>,
    ) {
        let first = self.model.policy(existing).loc;
        let (Some(version), Some(first_text)) =
            (default, self.dump_policy_texts.get(&managed.arn.node))
        else {
            return;
        };
        if self.dump_document_text(file, &version.document) != *first_text {
            self.diags.push(
                Diagnostic::warning(
                    codes::W0211,
                    format!(
                        "managed policy `{}` differs between dumps; the first one is used",
                        managed.arn.node
                    ),
                )
                .at(file, managed.name.span, "another default version here")
                .with_related(first.file, first.span, "used from here")
                .with_help("dumps taken at different times can disagree; take them again"),
            );
        }
    }

    /// Registers a managed policy of a dump: by ARN always; by name unless
    /// a managed policy of another account's dump has the name too, which
    /// makes the name ambiguous for `attach` (E0211 on use). A DSL policy of
    /// the same name is a duplicate (E0202).
    fn add_dump_policy(&mut self, def: PolicyDef) -> Option<PolicyId> {
        let name = def.name.clone();
        let arn = def.arn.clone().unwrap_or_default();
        let loc = def.loc;
        if let Some(candidates) = self.ambiguous_policies.get_mut(&name) {
            candidates.push((arn, loc));
            return self.add_policy(def, false);
        }
        let clash = self.policy_names.get(&name).and_then(|&id| {
            let existing = self.model.policy(id);
            Some((existing.arn.clone()?, existing.loc))
        });
        match clash {
            Some((existing_arn, existing_loc)) => {
                // Two accounts' policies of one name: only ARNs tell them apart.
                self.policy_names.remove(&name);
                self.ambiguous_policies
                    .insert(name, vec![(existing_arn, existing_loc), (arn, loc)]);
                self.add_policy(def, false)
            }
            None => self.add_policy(def, true),
        }
    }

    pub(super) fn declare_dump_entities(&mut self, pending: &PendingDump) {
        let file = pending.file;
        let account = pending.account.clone();
        let info = |arn: Option<&ast::Spanned<String>>,
                    path: Option<&ast::Spanned<String>>,
                    id: Option<&ast::Spanned<String>>,
                    kind: &str,
                    name: &str| {
            let path = path.map_or_else(|| "/".to_string(), |p| p.node.clone());
            let arn = arn.map(|a| a.node.clone()).or_else(|| {
                account
                    .as_ref()
                    .map(|account| iam_arn("aws", account, kind, &path, name))
            });
            EntityInfo {
                account: account.clone(),
                service_linked: kind == "role" && path.starts_with(SERVICE_ROLE_PATH),
                path,
                arn,
                unique_id: id.map(|i| i.node.clone()),
            }
        };
        let carrier = |owner: Owner| pending.carriers.contains(&owner);
        for user in &pending.dump.users {
            if carrier(Owner::User(user.name.node.clone())) {
                continue;
            }
            let loc = Loc {
                file,
                span: user.name.span,
            };
            let info = info(
                user.arn.as_ref(),
                user.path.as_ref(),
                user.id.as_ref(),
                "user",
                &user.name.node,
            );
            self.declare_entity_name(EntityKind::User, user.name.node.clone(), loc, info);
        }
        for group in &pending.dump.groups {
            if carrier(Owner::Group(group.name.node.clone())) {
                continue;
            }
            let loc = Loc {
                file,
                span: group.name.span,
            };
            let mut info = info(None, group.path.as_ref(), None, "group", &group.name.node);
            info.arn = None;
            self.declare_entity_name(EntityKind::Group, group.name.node.clone(), loc, info);
        }
        for role in &pending.dump.roles {
            if carrier(Owner::Role(role.name.node.clone())) {
                continue;
            }
            let loc = Loc {
                file,
                span: role.name.span,
            };
            let info = info(
                role.arn.as_ref(),
                role.path.as_ref(),
                role.id.as_ref(),
                "role",
                &role.name.node,
            );
            self.declare_entity_name(EntityKind::Role, role.name.node.clone(), loc, info);
        }
    }

    fn dump_inline(
        &mut self,
        file: FileId,
        owner: &str,
        inline: &[ast::DumpInlinePolicy],
    ) -> Vec<PolicyId> {
        let mut out = Vec::new();
        for p in inline {
            let cx = DocContext {
                kind: PolicyKind::Inline,
                dsl: false,
            };
            let document = validate::identity_policy(&p.document.policy, file, cx, &mut self.diags);
            let loc = Loc {
                file,
                span: p.name.span,
            };
            let size = self.dump_document_size(file, &p.document);
            let name = format!("{owner}/{}", p.name.node);
            let def = PolicyDef {
                name,
                loc,
                kind: PolicyKind::Inline,
                arn: None,
                document,
                size,
            };
            if let Some(id) = self.add_policy(def, false) {
                out.push(id);
            }
        }
        out
    }

    /// The managed policy an attachment names: in a dump, or (AWS managed
    /// policies) supplied with `--managed-policies`. Otherwise E0205, one
    /// error per missing policy, listing where it is attached.
    fn dump_attachment(
        &mut self,
        file: FileId,
        attachment: &ast::DumpAttachment,
    ) -> Option<PolicyId> {
        let arn = &attachment.arn.node;
        if let Some(&id) = self.policy_arns.get(arn) {
            return Some(id);
        }
        let from = Loc {
            file,
            span: attachment.arn.span,
        };
        let aws_managed = is_aws_managed(arn);
        if aws_managed {
            if let Some(id) = self.supplied_policy(arn, from) {
                return Some(id);
            }
        }
        if let Some(&index) = self.missing_policies.get(arn) {
            if let Some(d) = self.diags.list.get_mut(index) {
                if d.related.len() < MAX_MISSING_SITES {
                    d.related.push(crate::diag::Label {
                        file,
                        span: attachment.arn.span,
                        message: "also attached here".to_string(),
                    });
                }
            }
            return None;
        }
        let name = arn.rsplit('/').next().unwrap_or(arn);
        let (what, help) = if aws_managed {
            (
                "AWS managed policy",
                format!("give its document with `--managed-policies DIR` (a file `{name}.json` in DIR), or dump with `--filter AWSManagedPolicy`"),
            )
        } else {
            (
                "managed policy",
                "dump with `--filter LocalManagedPolicy` (customer managed policies), or add the policy".to_string(),
            )
        };
        self.missing_policies
            .insert(arn.clone(), self.diags.list.len());
        self.diags.push(
            Diagnostic::error(
                codes::E0205,
                format!("{what} `{arn}` is attached but not in the dump"),
            )
            .at(file, attachment.arn.span, "attached here")
            .with_help(help),
        );
        None
    }

    /// An entity's inline policies and attached managed policies, in that order.
    fn dump_policies(
        &mut self,
        file: FileId,
        owner: &str,
        inline: &[ast::DumpInlinePolicy],
        attached: &[ast::DumpAttachment],
    ) -> Vec<PolicyId> {
        let mut policies = self.dump_inline(file, owner, inline);
        policies.extend(
            attached
                .iter()
                .filter_map(|a| self.dump_attachment(file, a)),
        );
        policies
    }

    pub(super) fn resolve_dump_entities(&mut self, pending: &PendingDump) {
        let file = pending.file;
        let scope = self.scope(pending.account.as_deref());
        let declared_here = |loc: Loc, span: Span| loc == Loc { file, span };
        for user in &pending.dump.users {
            let carrier = pending
                .carriers
                .contains(&Owner::User(user.name.node.clone()));
            let Some(&uid) = self
                .names
                .users
                .get(&(scope.clone(), user.name.node.clone()))
            else {
                if carrier {
                    self.lost_carrier(file, "user", &user.name);
                }
                continue;
            };
            if !carrier && !declared_here(self.model.user(uid).loc, user.name.span) {
                continue;
            }
            let owner = format!("user/{}", user.name.node);
            let policies = self.dump_policies(file, &owner, &user.inline_policies, &user.attached);
            let boundary = user
                .boundary
                .as_ref()
                .and_then(|b| self.dump_attachment(file, b));
            let mut groups = Vec::new();
            for g in &user.groups {
                match self.names.groups.get(&(scope.clone(), g.node.clone())) {
                    Some(&gid) => groups.push(gid),
                    None => {
                        self.diags.push(
                            Diagnostic::error(codes::E0201, format!("unknown group `{}`", g.node))
                                .at(file, g.span, "not in the dump"),
                        )
                    }
                }
            }
            let entry = self.model.user_mut(uid);
            entry.policies.extend(policies);
            entry.boundary = entry.boundary.or(boundary);
            entry.groups.extend(groups);
            entry.tags.extend(
                user.tags
                    .iter()
                    .map(|(k, v)| (k.node.clone(), v.node.clone())),
            );
        }
        for group in &pending.dump.groups {
            let carrier = pending
                .carriers
                .contains(&Owner::Group(group.name.node.clone()));
            let Some(&gid) = self
                .names
                .groups
                .get(&(scope.clone(), group.name.node.clone()))
            else {
                if carrier {
                    self.lost_carrier(file, "group", &group.name);
                }
                continue;
            };
            if !carrier && !declared_here(self.model.group(gid).loc, group.name.span) {
                continue;
            }
            let owner = format!("group/{}", group.name.node);
            let policies =
                self.dump_policies(file, &owner, &group.inline_policies, &group.attached);
            self.model.group_mut(gid).policies.extend(policies);
        }
        for role in &pending.dump.roles {
            let carrier = pending
                .carriers
                .contains(&Owner::Role(role.name.node.clone()));
            let Some(&rid) = self
                .names
                .roles
                .get(&(scope.clone(), role.name.node.clone()))
            else {
                if carrier {
                    self.lost_carrier(file, "role", &role.name);
                }
                continue;
            };
            if !carrier && !declared_here(self.model.role(rid).loc, role.name.span) {
                continue;
            }
            if self.model.role(rid).service_linked {
                // G5: an SLR's only policies are its service's managed ones.
                for inline in &role.inline_policies {
                    self.slr_edit(file, inline.name.span, "an inline policy");
                }
                if let Some(boundary) = &role.boundary {
                    self.slr_edit(file, boundary.span, "a permissions boundary");
                }
            }
            let owner = format!("role/{}", role.name.node);
            let policies = self.dump_policies(file, &owner, &role.inline_policies, &role.attached);
            let boundary = role
                .boundary
                .as_ref()
                .and_then(|b| self.dump_attachment(file, b));
            let entry = self.model.role_mut(rid);
            entry.policies.extend(policies);
            entry.boundary = entry.boundary.or(boundary);
            entry.tags.extend(
                role.tags
                    .iter()
                    .map(|(k, v)| (k.node.clone(), v.node.clone())),
            );
        }
    }

    /// W0260: a carrier whose entity no input declares.
    fn lost_carrier(&mut self, file: FileId, kind: &str, name: &ast::Spanned<String>) {
        self.diags.push(
            Diagnostic::warning(
                codes::W0260,
                format!(
                    "`{kind}/{}` is neither in the plan nor in an account dump: what the plan gives it is left out",
                    name.node
                ),
            )
            .at(file, name.span, "named here")
            .with_help("give the deployed account with `--aws-account`, or manage the entity in the plan"),
        );
    }
}
