//! Policies: declaring them (DSL, imports, dumps, SCPs) under the `policies`
//! limit and resolving `attach` names and ARNs, with did-you-mean and the
//! AWS managed policies of `--managed-policies` read on first use.

use verdict_grammar::{self as ast, Span, Spanned};

use crate::diag::Diagnostic;
use crate::limits::raise_help;
use crate::model::{Loc, PolicyDef, PolicyId, PolicyKind, ScpAttachment};
use crate::source::FileId;
use crate::validate::DocContext;
use crate::{codes, validate};

use super::quotas::{canonical_size, json_size, scp_size};
use super::{closest, is_aws_managed, Lowerer, PendingScp, ScpBody};

impl Lowerer<'_> {
    /// Registers a policy; `global` puts it in the namespace `attach` uses.
    pub(super) fn add_policy(&mut self, def: PolicyDef, global: bool) -> Option<PolicyId> {
        if self.model.policies.len() >= self.limits.policies {
            self.limit_hit = true;
            if !self.reported_policies {
                self.reported_policies = true;
                self.diags.push(
                    Diagnostic::error(
                        codes::E0003,
                        format!("more than {} policies", self.limits.policies),
                    )
                    .at(def.loc.file, def.loc.span, "one policy too many")
                    .with_help(raise_help("policies")),
                );
            }
            return None;
        }
        if global {
            if let Some(&existing) = self.policy_names.get(&def.name) {
                let first = self.model.policy(existing).loc;
                self.diags.push(
                    Diagnostic::error(
                        codes::E0202,
                        format!("policy `{}` is defined more than once", def.name),
                    )
                    .at(def.loc.file, def.loc.span, "defined again here")
                    .with_related(first.file, first.span, "first defined here"),
                );
                return None;
            }
        }
        let id = PolicyId(self.model.policies.len() as u32);
        if global {
            self.policy_names.insert(def.name.clone(), id);
        }
        if let Some(arn) = &def.arn {
            self.policy_arns.insert(arn.clone(), id);
        }
        self.model.policies.push(def);
        Some(id)
    }

    /// Reads and parses the IAM JSON document `path` referenced at `from`,
    /// returning its file and tree (errors reported).
    pub(super) fn import_policy(&mut self, path: &str, from: Loc) -> Option<(FileId, ast::Policy)> {
        let imported = self.read(path, Some(from))?;
        match verdict_grammar::parse_policy_json_with(
            self.text(imported),
            &self.limits.parse_limits(),
        ) {
            Ok(policy) => Some((imported, policy)),
            Err(errs) => {
                for err in &errs {
                    self.syntax_error(imported, err);
                }
                None
            }
        }
    }

    /// A DSL `policy` declaration; `owner` is set for inline policies.
    pub(super) fn declare_policy(
        &mut self,
        file: FileId,
        decl: &ast::PolicyDecl,
        owner: Option<&str>,
    ) -> Option<PolicyId> {
        let kind = match (decl.managed, owner) {
            (_, Some(_)) => PolicyKind::Inline,
            (true, None) => PolicyKind::Managed,
            (false, None) => PolicyKind::Standalone,
        };
        let loc = Loc {
            file,
            span: decl.name.span,
        };
        let (document, size) = self.policy_body(file, &decl.body, kind)?;
        let name = match owner {
            Some(owner) => format!("{owner}/{}", decl.name.node),
            None => decl.name.node.clone(),
        };
        self.add_policy(
            PolicyDef {
                name,
                loc,
                kind,
                arn: None,
                document,
                size,
            },
            owner.is_none(),
        )
    }

    /// Validates a DSL policy body (written out, or imported from a file)
    /// as an identity policy of `kind`: the document (`None` if it had
    /// errors) and its V14 size. `None` when an import could not be read.
    pub(super) fn policy_body(
        &mut self,
        file: FileId,
        body: &ast::PolicyBody,
        kind: PolicyKind,
    ) -> Option<(Option<crate::model::PolicyDocument>, usize)> {
        match body {
            ast::PolicyBody::Inline(policy) => {
                let cx = DocContext { kind, dsl: true };
                let size = canonical_size(policy);
                Some((
                    validate::identity_policy(policy, file, cx, &mut self.diags),
                    size,
                ))
            }
            ast::PolicyBody::Import(path) => {
                let resolved = self.relative(file, &path.node);
                let from = Loc {
                    file,
                    span: path.span,
                };
                let Some((imported, policy)) = self.import_policy(&resolved, from) else {
                    return Some((None, 0));
                };
                let cx = DocContext { kind, dsl: false };
                let size = if kind == PolicyKind::Scp {
                    scp_size(self.text(imported), policy.span)
                } else {
                    json_size(self.text(imported), policy.span)
                };
                Some((
                    validate::identity_policy(&policy, imported, cx, &mut self.diags),
                    size,
                ))
            }
        }
    }

    /// An SCP: from `--scp FILE` or a DSL `scp` declaration.
    pub(super) fn declare_scp(&mut self, pending: PendingScp) {
        let loc = Loc {
            file: pending.file,
            span: pending.name.span,
        };
        let (document, size) = match &pending.body {
            ScpBody::File => {
                let policy = match verdict_grammar::parse_policy_json_with(
                    self.text(pending.file),
                    &self.limits.parse_limits(),
                ) {
                    Ok(policy) => policy,
                    Err(errs) => {
                        for err in &errs {
                            self.syntax_error(pending.file, err);
                        }
                        return;
                    }
                };
                let cx = DocContext {
                    kind: PolicyKind::Scp,
                    dsl: false,
                };
                let size = scp_size(self.text(pending.file), policy.span);
                let document =
                    validate::identity_policy(&policy, pending.file, cx, &mut self.diags);
                (document, size)
            }
            ScpBody::Dsl(body) => match self.policy_body(pending.file, body, PolicyKind::Scp) {
                Some(found) => found,
                None => return,
            },
        };
        if let Some(first) = self.scp_names.get(&pending.name.node) {
            self.diags.push(
                Diagnostic::error(
                    codes::E0202,
                    format!("SCP `{}` is defined more than once", pending.name.node),
                )
                .at(loc.file, loc.span, "defined again here")
                .with_related(first.file, first.span, "first defined here")
                .with_help("SCP names (file names for `--scp`) must be unique"),
            );
            return;
        }
        self.scp_names.insert(pending.name.node.clone(), loc);
        let Some(policy) = self.add_policy(
            PolicyDef {
                name: pending.name.node,
                loc,
                kind: PolicyKind::Scp,
                arn: None,
                document,
                size,
            },
            false,
        ) else {
            return;
        };
        self.model.scps.push(ScpAttachment {
            policy,
            level: pending.level,
            account: pending.account,
        });
    }

    /// A managed policy by name (or by ARN) for `attach` and `boundary`:
    /// declared in the DSL, from a dump, or supplied with
    /// `--managed-policies`.
    pub(super) fn lookup_policy(
        &mut self,
        file: FileId,
        name: &Spanned<String>,
    ) -> Option<PolicyId> {
        let from = Loc {
            file,
            span: name.span,
        };
        if name.node.starts_with("arn:") {
            if let Some(&id) = self.policy_arns.get(&name.node) {
                return Some(id);
            }
            if is_aws_managed(&name.node) {
                if let Some(id) = self.supplied_policy(&name.node, from) {
                    return Some(id);
                }
            }
            self.diags.push(
                Diagnostic::error(codes::E0201, format!("unknown policy `{}`", name.node))
                    .at(file, name.span, "no policy with this ARN")
                    .with_help("the ARN must be that of a managed policy in an account dump, or of an AWS managed policy given with `--managed-policies`"),
            );
            return None;
        }
        if let Some(&id) = self.policy_names.get(&name.node) {
            return Some(id);
        }
        if let Some(candidates) = self.ambiguous_policies.get(&name.node) {
            let arns: Vec<String> = candidates
                .iter()
                .map(|(arn, _)| format!("`{arn}`"))
                .collect();
            let mut d = Diagnostic::error(
                codes::E0211,
                format!("policy name `{}` is ambiguous", name.node),
            )
            .at(
                file,
                name.span,
                "managed policies of several accounts have this name",
            )
            .with_help(format!(
                "attach one of them by its ARN: {}",
                arns.join(", ")
            ));
            for (_, loc) in candidates {
                d = d.with_related(loc.file, loc.span, "a policy of this name");
            }
            self.diags.push(d);
            return None;
        }
        if self.supplied_policies.contains_key(&name.node) {
            let arn = format!("arn:aws:iam::aws:policy/{}", name.node);
            if let Some(id) = self.supplied_policy(&arn, from) {
                return Some(id);
            }
            return None;
        }
        if self.reported_policies {
            // Probably one of the policies dropped for the limit: say nothing more.
            return None;
        }
        let mut d = Diagnostic::error(codes::E0201, format!("unknown policy `{}`", name.node)).at(
            file,
            name.span,
            "not defined",
        );
        if let Some(s) = closest(&name.node, self.policy_names.keys()) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        self.diags.push(d);
        None
    }

    /// The AWS managed policy `arn` from a `--managed-policies` file named
    /// after its last path segment, read and declared on first use.
    pub(super) fn supplied_policy(&mut self, arn: &str, from: Loc) -> Option<PolicyId> {
        if let Some(&id) = self.policy_arns.get(arn) {
            return Some(id);
        }
        let name = arn.rsplit('/').next().unwrap_or(arn).to_string();
        let path = self.supplied_policies.get(&name)?.clone();
        let (file, policy) = self.import_policy(&path, from)?;
        let cx = DocContext {
            kind: PolicyKind::Managed,
            dsl: false,
        };
        let document = validate::identity_policy(&policy, file, cx, &mut self.diags);
        let size = json_size(self.text(file), policy.span);
        let global = !self.policy_names.contains_key(&name);
        self.add_policy(
            PolicyDef {
                name,
                loc: Loc {
                    file,
                    span: Span::new(0, 0),
                },
                kind: PolicyKind::Managed,
                arn: Some(arn.to_string()),
                document,
                size,
            },
            global,
        )
    }
}
