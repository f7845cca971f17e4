//! Which entity, policy and statement of an account dump hold a byte
//! offset: built once from the parsed dumps, then asked once per diagnostic
//! at the end of a compilation to fill [`Diagnostic::origin`]. Only dumps
//! are indexed; a DSL file names its entities on the lines around a
//! diagnostic already.

use std::collections::HashMap;

use verdict_grammar::{self as ast, Span};

use crate::diag::{Diagnostic, Origin, TRUST_POLICY};
use crate::source::FileId;

/// Regions of one kind, sorted by start and never overlapping one another.
#[derive(Debug, Default)]
struct Regions<T> {
    /// INVARIANT: sorted by `span.start`; no two spans overlap.
    list: Vec<(Span, T)>,
}

impl<T> Regions<T> {
    fn push(&mut self, span: Span, value: T) {
        self.list.push((span, value));
    }

    fn finish(&mut self) {
        self.list.sort_by_key(|(span, _)| span.start);
    }

    /// The region holding `offset` (its end included: an empty span at the
    /// end of a region is inside it).
    fn find(&self, offset: u32) -> Option<&T> {
        let idx = self
            .list
            .partition_point(|(span, _)| span.start <= offset)
            .checked_sub(1)?;
        let (span, value) = self.list.get(idx)?;
        (offset <= span.end).then_some(value)
    }
}

#[derive(Debug, Default)]
struct FileRegions {
    entities: Regions<(&'static str, String)>,
    policies: Regions<String>,
    statements: Regions<(usize, Option<String>)>,
}

/// Origins of the places of every dump of a compilation.
#[derive(Debug, Default)]
pub(crate) struct OriginIndex {
    files: HashMap<FileId, FileRegions>,
}

impl OriginIndex {
    /// Indexes one parsed dump.
    pub(crate) fn add_dump(&mut self, file: FileId, dump: &ast::AccountDump) {
        let regions = self.files.entry(file).or_default();
        for user in &dump.users {
            regions
                .entities
                .push(user.span, ("user", user.name.node.clone()));
            for inline in &user.inline_policies {
                regions.inline(inline);
            }
        }
        for group in &dump.groups {
            regions
                .entities
                .push(group.span, ("group", group.name.node.clone()));
            for inline in &group.inline_policies {
                regions.inline(inline);
            }
        }
        for role in &dump.roles {
            regions
                .entities
                .push(role.span, ("role", role.name.node.clone()));
            if let Some(trust) = &role.trust_policy {
                regions.document(TRUST_POLICY.to_string(), trust.policy.span, &trust.policy);
            }
            for inline in &role.inline_policies {
                regions.inline(inline);
            }
        }
        for policy in &dump.policies {
            regions.policies.push(policy.span, policy.name.node.clone());
            for version in &policy.versions {
                // The policy's own region holds its versions; only the
                // statements are indexed per version.
                regions.statements(&version.document.policy);
            }
        }
        regions.entities.finish();
        regions.policies.finish();
        regions.statements.finish();
    }

    /// Fills the origin of every diagnostic whose primary place is in a dump.
    pub(crate) fn annotate(&self, diagnostics: &mut [Diagnostic]) {
        for d in diagnostics {
            let Some(primary) = &d.primary else {
                continue;
            };
            let Some(regions) = self.files.get(&primary.file) else {
                continue;
            };
            let offset = primary.span.start;
            let origin = Origin {
                entity: regions.entities.find(offset).cloned(),
                policy: regions.policies.find(offset).cloned(),
                statement: regions.statements.find(offset).cloned(),
            };
            if origin != Origin::default() {
                d.origin = Some(origin);
            }
        }
    }
}

impl FileRegions {
    fn inline(&mut self, inline: &ast::DumpInlinePolicy) {
        let policy = &inline.document.policy;
        self.document(
            inline.name.node.clone(),
            inline.name.span.to(policy.span),
            policy,
        );
    }

    fn document(&mut self, name: String, span: Span, policy: &ast::Policy) {
        self.policies.push(span, name);
        self.statements(policy);
    }

    fn statements(&mut self, policy: &ast::Policy) {
        let Some(statements) = &policy.statements else {
            return;
        };
        for (idx, stmt) in statements.node.iter().enumerate() {
            let sid = stmt.sid.as_ref().map(|sid| sid.node.clone());
            self.statements.push(stmt.span, (idx + 1, sid));
        }
    }
}

#[cfg(test)]
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    /// Unknown actions (W0201) in a managed policy, a group's and a role's
    /// inline policies: each names its policy, statement and entity.
    #[test]
    fn dump_diagnostics_get_their_origin() {
        let doc = |sid: &str, action: &str| {
            format!(
                r#"{{"Version": "2012-10-17", "Statement": [
                {{"Effect": "Allow", "Action": "chime:GetUser", "Resource": "*"}},
                {{"Sid": "{sid}", "Effect": "Allow", "Action": "{action}", "Resource": "*"}}]}}"#
            )
        };
        let dump = format!(
            r#"{{"GroupDetailList": [{{"GroupName": "Ops", "Arn": "arn:aws:iam::123456789012:group/Ops",
                "GroupPolicyList": [{{"PolicyName": "OpsOwn", "PolicyDocument": {}}}]}}],
              "RoleDetailList": [{{"RoleName": "Build", "Arn": "arn:aws:iam::123456789012:role/Build",
                "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
                  "Principal": {{"Service": "ec2.amazonaws.com"}}, "Action": "sts:AssumeRole"}}]}},
                "RolePolicyList": [{{"PolicyName": "BuildOwn", "PolicyDocument": {}}}]}}],
              "Policies": [{{"PolicyName": "Shared", "Arn": "arn:aws:iam::123456789012:policy/Shared",
                "DefaultVersionId": "v1", "PolicyVersionList": [{{"VersionId": "v1",
                "IsDefaultVersion": true, "Document": {}}}]}}]}}"#,
            doc("GroupTypo", "chime:ListGroup"),
            doc("RoleTypo", "chime:ListRole"),
            doc("SharedTypo", "chime:ListShare"),
        );
        let mut loader = crate::MemoryLoader::default();
        loader.insert("dump.json", dump.as_str());
        let out = crate::compile(
            &[crate::Input::account_dump("dump.json")],
            &crate::Config::default(),
            &mut loader,
        );
        let origins: Vec<String> = out
            .diagnostics
            .iter()
            .filter(|d| d.code == "W0201")
            .map(|d| {
                d.origin
                    .as_ref()
                    .map_or("none".to_string(), Origin::to_string)
            })
            .collect();
        assert_eq!(
            origins,
            [
                r#"policy OpsOwn, statement 2 (Sid "GroupTypo") of group Ops"#,
                r#"policy BuildOwn, statement 2 (Sid "RoleTypo") of role Build"#,
                r#"policy Shared, statement 2 (Sid "SharedTypo")"#,
            ],
            "{:#?}",
            out.diagnostics
        );
    }

    #[test]
    fn regions_find_the_one_holding_an_offset() {
        let mut regions = Regions::default();
        regions.push(Span::new(10, 20), "b");
        regions.push(Span::new(0, 5), "a");
        regions.finish();
        assert_eq!(regions.find(0), Some(&"a"));
        assert_eq!(regions.find(5), Some(&"a"));
        assert_eq!(regions.find(6), None);
        assert_eq!(regions.find(15), Some(&"b"));
        assert_eq!(regions.find(21), None);
    }
}
