//! IAM's quotas (SEMANTICS.md V14): the sizes and counts IAM enforces,
//! how a policy's size is counted (JSON, SCP and DSL text), and their check
//! over the lowered model: errors for dumps and `--scp` files, warnings
//! elsewhere.

use verdict_grammar::{self as ast, Span};

use crate::codes;
use crate::diag::Diagnostic;
use crate::model::{Loc, Model, PolicyId, PolicyKind};
use crate::source::FileId;

use super::{is_aws_managed, Lowerer};

/// IAM quotas (SEMANTICS.md V14). Sizes count characters other than white
/// space, except for SCPs, where every character counts.
pub const MAX_MANAGED_POLICY_SIZE: usize = 6_144;
pub const MAX_USER_INLINE_SIZE: usize = 2_048;
pub const MAX_GROUP_INLINE_SIZE: usize = 5_120;
pub const MAX_ROLE_INLINE_SIZE: usize = 10_240;
/// Role trust policy: 2,048 by default, raisable to 4,096.
pub const DEFAULT_TRUST_POLICY_SIZE: usize = 2_048;
pub const MAX_TRUST_POLICY_SIZE: usize = 4_096;
/// Inline session policy (AssumeRole*, GetFederationToken).
pub const MAX_SESSION_POLICY_SIZE: usize = 2_048;
/// Managed policy ARNs passed as session policies.
pub const MAX_SESSION_MANAGED_POLICIES: usize = 10;
/// Service control policy, white space included.
pub const MAX_SCP_SIZE: usize = 5_120;
/// Managed policies attached to one user or role: 10 by default, at most 20.
pub const DEFAULT_MANAGED_PER_PRINCIPAL: usize = 10;
pub const MAX_MANAGED_PER_PRINCIPAL: usize = 20;
pub const MAX_GROUPS_PER_USER: usize = 10;
pub const MAX_MANAGED_PER_GROUP: usize = 10;
pub const MAX_POLICY_VERSIONS: usize = 5;

impl Lowerer<'_> {
    /// V14: IAM's size and count quotas. Over a quota is an error for
    /// account dumps and `--scp` files (real configuration) and a warning
    /// elsewhere (models of hypothetical policies).
    pub(super) fn check_quotas(&mut self) {
        let mut found: Vec<(bool, Loc, String, String)> = Vec::new();
        let is_dump = |loc: Loc, files: &[FileId]| files.contains(&loc.file);
        for policy in &self.model.policies {
            // AWS managed policies (account `aws` in the ARN) are not bound
            // by the customer quota; many are far larger.
            let aws_managed = policy.arn.as_deref().is_some_and(is_aws_managed);
            if policy.kind == PolicyKind::Managed
                && !aws_managed
                && policy.size > MAX_MANAGED_POLICY_SIZE
            {
                found.push((
                    is_dump(policy.loc, &self.dump_files),
                    policy.loc,
                    format!(
                        "managed policy `{}` has {} characters; the quota for customer managed policies is {MAX_MANAGED_POLICY_SIZE}",
                        policy.name, policy.size
                    ),
                    "too large".to_string(),
                ));
            }
            if policy.kind == PolicyKind::Scp && policy.size > MAX_SCP_SIZE {
                found.push((
                    self.scp_files.contains(&policy.loc.file),
                    policy.loc,
                    format!(
                        "SCP `{}` has {} characters, white space included; the quota is {MAX_SCP_SIZE}",
                        policy.name, policy.size
                    ),
                    "too large".to_string(),
                ));
            }
        }
        let inline_size = |policies: &[PolicyId], model: &Model| -> usize {
            policies
                .iter()
                .map(|p| model.policy(*p))
                .filter(|p| p.kind == PolicyKind::Inline)
                .map(|p| p.size)
                .sum()
        };
        let managed_count = |policies: &[PolicyId], model: &Model| -> usize {
            policies
                .iter()
                .filter(|p| model.policy(**p).kind != PolicyKind::Inline)
                .count()
        };
        // Users, groups and roles: inline policy size; managed policies
        // attached (groups have no raisable default); groups per user.
        struct Entity<'a> {
            kind: &'static str,
            name: &'a str,
            loc: Loc,
            policies: &'a [PolicyId],
            max_inline: usize,
            /// (default quota, raisable to) for managed policies.
            managed: (Option<usize>, usize),
        }
        let users = self.model.users.iter().map(|u| Entity {
            kind: "user",
            name: &u.name,
            loc: u.loc,
            policies: &u.policies,
            max_inline: MAX_USER_INLINE_SIZE,
            managed: (
                Some(DEFAULT_MANAGED_PER_PRINCIPAL),
                MAX_MANAGED_PER_PRINCIPAL,
            ),
        });
        let groups = self.model.groups.iter().map(|g| Entity {
            kind: "group",
            name: &g.name,
            loc: g.loc,
            policies: &g.policies,
            max_inline: MAX_GROUP_INLINE_SIZE,
            managed: (None, MAX_MANAGED_PER_GROUP),
        });
        let roles = self.model.roles.iter().map(|r| Entity {
            kind: "role",
            name: &r.name,
            loc: r.loc,
            policies: &r.policies,
            max_inline: MAX_ROLE_INLINE_SIZE,
            managed: (
                Some(DEFAULT_MANAGED_PER_PRINCIPAL),
                MAX_MANAGED_PER_PRINCIPAL,
            ),
        });
        for e in users.chain(groups).chain(roles) {
            let (kind, name, loc) = (e.kind, e.name, e.loc);
            let dump = is_dump(loc, &self.dump_files);
            let size = inline_size(e.policies, &self.model);
            if size > e.max_inline {
                found.push((dump, loc, format!("inline policies of {kind} `{name}` have {size} characters; the quota is {}", e.max_inline), "too large".into()));
            }
            let n = managed_count(e.policies, &self.model);
            match e.managed {
                (_, max) if n > max => {
                    found.push((
                        dump,
                        loc,
                        format!(
                            "{kind} `{name}` has {n} managed policies attached; the quota is {max}"
                        ),
                        "too many".into(),
                    ));
                }
                (Some(default), max) if n > default => {
                    found.push((false, loc, format!("{kind} `{name}` has {n} managed policies attached; the default quota is {default} (raisable to {max})"), "over the default quota".into()));
                }
                _ => {}
            }
        }
        for user in &self.model.users {
            if user.groups.len() > MAX_GROUPS_PER_USER {
                found.push((
                    is_dump(user.loc, &self.dump_files),
                    user.loc,
                    format!(
                        "user `{}` is in {} groups; the quota is {MAX_GROUPS_PER_USER}",
                        user.name,
                        user.groups.len()
                    ),
                    "too many".into(),
                ));
            }
        }
        let sessions = self.model.sessions.iter().map(|s| {
            let role = &self.model.role(s.role).name;
            (format!("session `{role}/{}`", s.name), s.loc, &s.policies)
        });
        let federated = self
            .model
            .federated_users
            .iter()
            .map(|f| (format!("federated user `{}`", f.name), f.loc, &f.policies));
        for (what, loc, policies) in sessions.chain(federated) {
            let size = inline_size(policies, &self.model);
            if size > MAX_SESSION_POLICY_SIZE {
                found.push((false, loc, format!("the inline session policy of {what} has {size} characters; the quota is {MAX_SESSION_POLICY_SIZE}"), "too large".into()));
            }
            let n = managed_count(policies, &self.model);
            if n > MAX_SESSION_MANAGED_POLICIES {
                found.push((false, loc, format!("{what} has {n} managed session policies; at most {MAX_SESSION_MANAGED_POLICIES} can be passed"), "too many".into()));
            }
        }
        self.quota_diagnostics(found);
    }

    pub(super) fn quota_diagnostics(&mut self, found: Vec<(bool, Loc, String, String)>) {
        for (error, loc, message, label) in found {
            let d = if error {
                Diagnostic::error(codes::E0301, message)
            } else {
                Diagnostic::warning(codes::W0301, message)
            };
            self.diags.push(
                d.at(loc.file, loc.span, label)
                    .with_help("IAM quotas: SEMANTICS.md V14"),
            );
        }
    }
}

/// V14 size of a JSON document: its characters other than white space.
pub(super) fn json_size(text: &str, span: Span) -> usize {
    text.get(span.start as usize..span.end as usize)
        .map_or(0, |t| t.chars().filter(|c| !c.is_whitespace()).count())
}

/// V14 size of an SCP: every character of its document, white space
/// included.
pub(super) fn scp_size(text: &str, span: Span) -> usize {
    text.get(span.start as usize..span.end as usize)
        .map_or(0, |t| t.chars().count())
}

/// V14 size of a DSL policy: that of its canonical compact JSON rendering
/// (keys in IAM's order, single values as one-element arrays).
pub(super) fn canonical_size(policy: &ast::Policy) -> usize {
    fn string(out: &mut String, s: &str) {
        out.push('"');
        for c in s.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
    fn list(out: &mut String, key: &str, items: &Option<ast::StringList>) {
        if let Some(items) = items {
            out.push_str(&format!(",\"{key}\":["));
            for (i, item) in items.node.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(out, &item.node);
            }
            out.push(']');
        }
    }
    let mut out = String::from("{");
    if let Some(v) = &policy.version {
        out.push_str("\"Version\":");
        string(&mut out, &v.node);
        out.push(',');
    }
    out.push_str("\"Statement\":[");
    for stmt in policy.statements.iter().flat_map(|s| &s.node) {
        out.push_str("{\"Effect\":");
        string(
            &mut out,
            stmt.effect.as_ref().map_or("", |e| e.node.as_str()),
        );
        if let Some(sid) = &stmt.sid {
            out.push_str(",\"Sid\":");
            string(&mut out, &sid.node);
        }
        list(&mut out, "Action", &stmt.action);
        list(&mut out, "NotAction", &stmt.not_action);
        list(&mut out, "Resource", &stmt.resource_or_implied());
        list(&mut out, "NotResource", &stmt.not_resource);
        for (key, principal) in [
            ("Principal", &stmt.principal),
            ("NotPrincipal", &stmt.not_principal),
        ] {
            match principal.as_ref().map(|p| &p.node) {
                None => {}
                Some(ast::Principal::Bare(text)) => {
                    out.push_str(&format!(",\"{key}\":"));
                    string(&mut out, &text.node);
                }
                Some(ast::Principal::Map(map)) => {
                    out.push_str(&format!(",\"{key}\":{{"));
                    for (kind, values) in map {
                        string(&mut out, &kind.node);
                        out.push_str(":[");
                        for v in &values.node {
                            string(&mut out, &v.node);
                            out.push(',');
                        }
                        out.push_str("],");
                    }
                    out.push('}');
                }
            }
        }
        if let Some(cond) = &stmt.condition {
            out.push_str(",\"Condition\":{");
            for op in &cond.node.operators {
                string(&mut out, &op.name.node);
                out.push_str(":{");
                for entry in &op.entries {
                    string(&mut out, &entry.key.node);
                    out.push_str(":[");
                    for v in &entry.values.node {
                        string(&mut out, &v.node);
                        out.push(',');
                    }
                    out.push_str("],");
                }
                out.push_str("},");
            }
            out.push('}');
        }
        out.push_str("},");
    }
    out.push_str("]}");
    let out = out.replace(",]", "]").replace(",}", "}");
    out.chars().filter(|c| !c.is_whitespace()).count()
}

#[cfg(test)]
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod size_tests {
    use super::*;

    #[test]
    fn dsl_size_equals_the_size_of_its_json_twin() {
        let dsl = verdict_grammar::parse_dsl(
            r#"policy P {
                 version "2012-10-17"
                 sid A allow chime:List*, "chime:Get User" on "*"
                 deny not iam:* on not "arn:aws:s3:::b/*" when { StringEquals aws:SourceIp = ["a", "b"] Bool { aws:SecureTransport = true } }
               }"#,
        )
        .unwrap();
        let ast::Item::Policy(decl) = &dsl.items[0] else {
            panic!("a policy")
        };
        let ast::PolicyBody::Inline(policy) = &decl.body else {
            panic!("inline")
        };
        let json = r#"{"Version": "2012-10-17", "Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": ["chime:List*", "chime:Get User"], "Resource": ["*"]},
            {"Effect": "Deny", "NotAction": ["iam:*"], "NotResource": ["arn:aws:s3:::b/*"],
             "Condition": {"StringEquals": {"aws:SourceIp": ["a", "b"]}, "Bool": {"aws:SecureTransport": ["true"]}}}]}"#;
        let parsed = verdict_grammar::parse_policy_json(json).unwrap();
        assert_eq!(canonical_size(policy), json_size(json, parsed.span));
        assert_eq!(
            json_size(json, parsed.span),
            json.chars().filter(|c| !c.is_whitespace()).count()
        );
    }
}
