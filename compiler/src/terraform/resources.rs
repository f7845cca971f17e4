//! The IAM resource types of a Terraform plan, read into account facts:
//! `aws_iam_user`, `_group`, `_role` (trust, boundary, `inline_policy`,
//! `managed_policy_arns`), `_policy`, `_user_policy` / `_group_policy` /
//! `_role_policy`, the `_policy_attachment` kinds, `_user_group_membership`,
//! `_group_membership`, `_service_linked_role`, and policy documents from
//! `data.aws_iam_policy_document`. Values unknown until apply are resolved
//! here through the configuration's references (see `terraform.rs`).

use std::collections::{BTreeMap, BTreeSet};

use verdict_grammar::{
    AccountDump, DumpAttachment, DumpDocument, DumpGroup, DumpInlinePolicy, DumpManagedPolicy,
    DumpPolicyVersion, DumpRole, DumpUser, Json, JsonKind, Span, Spanned,
};

use super::{elements, member, parse_reference, references, Instance, Plan, Reference};
use crate::codes;
use crate::diag::{Diagnostic, Diagnostics};
use crate::overlay::{Layer, Owner};

/// How deep references are followed (a reference to a value that is itself
/// a reference, …).
const MAX_DEPTH: u8 = 8;

/// The layer of `resource_changes`: after-states and deletions.
pub(super) fn change_layer(plan: &Plan<'_>, diags: &mut Diagnostics) -> Layer {
    let mut builder = Builder::default();
    let mut removed = BTreeSet::new();
    let mut reader = Reader { plan, diags };
    for change in &plan.changes {
        let acts: Vec<&str> = change.actions.iter().map(String::as_str).collect();
        let deletes = acts.contains(&"delete");
        let keeps = acts
            .iter()
            .any(|a| matches!(*a, "create" | "update" | "no-op"));
        let mut after_keys = BTreeSet::new();
        if keeps {
            if let Some(after) = change.after.as_ref().filter(|a| !a.data) {
                // The keys alone; what reading reports is reported once, below.
                let mut quiet = Diagnostics::default();
                let mut one = Builder::default();
                Reader {
                    plan,
                    diags: &mut quiet,
                }
                .add(&mut one, after);
                after_keys = one.finish().keys();
                reader.add(&mut builder, after);
            }
        }
        if deletes || acts.contains(&"update") {
            if let Some(before) = change.before.as_ref().filter(|b| !b.data) {
                // The before-state is deployed and known; what reading it
                // would report was reported for the prior state.
                let mut quiet = Diagnostics::default();
                let mut one = Builder::default();
                Reader {
                    plan,
                    diags: &mut quiet,
                }
                .add(&mut one, before);
                let before_keys = one.finish().keys();
                // An update removes only what it no longer has; a delete
                // (or a replace) removes the deployed object.
                for key in before_keys {
                    if deletes || !after_keys.contains(&key) {
                        removed.insert(key);
                    }
                }
            }
        }
    }
    let mut layer = builder.finish();
    layer.removed = removed;
    layer
}

/// The layer of `prior_state`.
pub(super) fn prior_layer(plan: &Plan<'_>, diags: &mut Diagnostics) -> Layer {
    let mut builder = Builder::default();
    let mut reader = Reader { plan, diags };
    for instance in plan.prior.iter().filter(|i| !i.data) {
        reader.add(&mut builder, instance);
    }
    builder.finish()
}

/// Where values are read: an instance's values (or a nested block of
/// them), what of them is unknown, and the matching configuration
/// expressions.
#[derive(Clone, Copy)]
struct At<'a> {
    values: &'a Json,
    unknown: Option<&'a Json>,
    expressions: Option<&'a Json>,
    instance: &'a Instance<'a>,
}

/// What a plan says of one value.
enum Val<'a> {
    Known(&'a Json),
    Unknown,
    Absent,
}

impl<'a> At<'a> {
    fn val(&self, attr: &str) -> Val<'a> {
        if self
            .unknown
            .and_then(|u| member(u, attr))
            .is_some_and(|u| matches!(u.kind, JsonKind::Bool(true)))
        {
            return Val::Unknown;
        }
        match member(self.values, attr) {
            Some(v) if !matches!(v.kind, JsonKind::Null) => Val::Known(v),
            _ => Val::Absent,
        }
    }

    /// The `k`th block of the nested block list `attr`.
    fn block(&self, attr: &str, k: usize, values: &'a Json) -> At<'a> {
        let nth = |v: Option<&'a Json>| elements(v).get(k);
        At {
            values,
            unknown: nth(self.unknown.and_then(|u| member(u, attr))),
            expressions: nth(self.expressions.and_then(|e| member(e, attr))),
            instance: self.instance,
        }
    }
}

struct Reader<'r, 'p> {
    plan: &'r Plan<'p>,
    diags: &'r mut Diagnostics,
}

/// A value that could not be had: why, already worded.
type Why = String;

impl<'r, 'p: 'r> Reader<'r, 'p> {
    fn at(&self, instance: &'r Instance<'p>) -> At<'r> {
        At {
            values: instance.values,
            unknown: instance.unknown,
            expressions: self.plan.expressions(instance),
            instance,
        }
    }

    /// E0260 for `attr` of `at`, at its configuration expression (else at
    /// the values).
    fn unresolved(&mut self, at: &At<'_>, attr: &str, why: &str) {
        let span = at
            .expressions
            .and_then(|e| member(e, attr))
            .map_or(at.values.span, |e| e.span);
        self.diags.push(
            Diagnostic::error(
                codes::E0260,
                format!(
                    "`{}` of `{}` is known only after apply: {why}",
                    attr, at.instance.address
                ),
            )
            .at(self.plan.file, span, "unresolved")
            .with_help("verdict does not guess it: give `--account` when an ARN needs it, or make the value a constant or a reference to an IAM resource of the plan"),
        );
    }

    /// E0001 for a value of the wrong type or a missing required one.
    fn shape(&mut self, span: Span, message: String) {
        self.diags.push(
            Diagnostic::error(codes::E0001, format!("invalid Terraform plan: {message}")).at(
                self.plan.file,
                span,
                "here",
            ),
        );
    }

    /// A string value: known, resolved, absent (`Ok(None)`), or `Err`.
    fn text(&self, at: &At<'r>, attr: &str, depth: u8) -> Result<Option<Spanned<String>>, Why> {
        match at.val(attr) {
            Val::Known(v) => match &v.kind {
                JsonKind::String(s) => Ok(Some(Spanned::new(s.clone(), v.span))),
                _ => Err(format!("`{attr}` is not a string")),
            },
            Val::Absent => Ok(None),
            Val::Unknown => self.via_references(at, attr, depth).map(Some),
        }
    }

    /// A string value the resource needs; reports what is wrong.
    fn required(&mut self, at: &At<'r>, attr: &str) -> Option<Spanned<String>> {
        match self.text(at, attr, 0) {
            Ok(Some(s)) => Some(s),
            Ok(None) => {
                let message = format!("`{}` has no `{attr}`", at.instance.address);
                self.shape(at.values.span, message);
                None
            }
            Err(why) => {
                self.unresolved(at, attr, &why);
                None
            }
        }
    }

    /// An optional string value; reports what is wrong. Empty strings are
    /// absent (Terraform writes `""` for an unset boundary).
    fn optional(&mut self, at: &At<'r>, attr: &str) -> Option<Spanned<String>> {
        match self.text(at, attr, 0) {
            Ok(s) => s.filter(|s| !s.node.is_empty()),
            Err(why) => {
                self.unresolved(at, attr, &why);
                None
            }
        }
    }

    /// An unknown value through the references of its expression.
    fn via_references(&self, at: &At<'r>, attr: &str, depth: u8) -> Result<Spanned<String>, Why> {
        if depth > MAX_DEPTH {
            return Err("its references nest too deep".to_string());
        }
        let refs = references(at.expressions, attr);
        let Some(first) = refs.first() else {
            return Err("the plan's configuration gives no reference for it".to_string());
        };
        let mut last_why = format!(
            "it depends on `{}`, which the plan does not know",
            first.node
        );
        for r in &refs {
            let Some(parsed) = parse_reference(r.node) else {
                continue;
            };
            match self
                .target(&at.instance.module, &parsed)
                .and_then(|t| self.attribute(t, &parsed, depth + 1))
            {
                Ok(value) => return Ok(Spanned::new(value, r.span)),
                Err(why) => last_why = why,
            }
        }
        Err(last_why)
    }

    /// The instance a reference names, in the module `module`.
    fn target(&self, module: &str, r: &Reference<'_>) -> Result<&'r Instance<'p>, Why> {
        let plan = self.plan;
        let matches = |i: &&Instance<'p>| {
            i.module == module && i.data == r.data && i.rtype == r.rtype && i.name == r.name
        };
        let mut found: Vec<&'r Instance<'p>> = plan
            .changes
            .iter()
            .filter_map(|c| c.after.as_ref())
            .filter(matches)
            .collect();
        if found.is_empty() {
            found = plan.planned.iter().filter(matches).collect();
        }
        if found.is_empty() {
            found = plan.prior.iter().filter(matches).collect();
        }
        let described = format!(
            "{}{}.{}",
            if r.data { "data." } else { "" },
            r.rtype,
            r.name
        );
        if let Some(index) = r.index {
            let key = |j: &Json| match &j.kind {
                JsonKind::Number(n) => n.clone(),
                JsonKind::String(s) => format!("\"{s}\""),
                _ => String::new(),
            };
            found.retain(|i| i.index.map(key).as_deref() == Some(index));
        }
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(format!("`{described}` is not in the plan")),
            _ => Err(format!(
                "`{described}` has several instances and the reference does not say which"
            )),
        }
    }

    /// The value of `r.attr` of `target`: known, or computed from its name.
    fn attribute(
        &self,
        target: &'r Instance<'p>,
        r: &Reference<'_>,
        depth: u8,
    ) -> Result<String, Why> {
        let at = self.at(target);
        if let Ok(Some(known)) = self.text(&at, r.attr, depth) {
            return Ok(known.node);
        }
        let kind = match target.rtype {
            "aws_iam_user" => "user",
            "aws_iam_group" => "group",
            "aws_iam_role" => "role",
            "aws_iam_policy" => "policy",
            _ => "",
        };
        let name = || -> Result<String, Why> {
            match self.text(&at, "name", depth + 1)? {
                Some(name) => Ok(name.node),
                None => Err(format!("`{}` has no known name", target.address)),
            }
        };
        match (kind, r.attr) {
            ("user" | "group" | "role", "name" | "id") | ("policy", "name") => name(),
            ("user" | "group" | "role", "arn") | ("policy", "arn" | "id") => {
                let name = name()?;
                let path = self
                    .text(&at, "path", depth + 1)?
                    .map_or_else(|| "/".to_string(), |p| p.node);
                let account = self.plan.account.as_deref().ok_or_else(|| {
                    format!(
                        "the ARN of `{}` needs the account, and the plan does not say it",
                        target.address
                    )
                })?;
                Ok(format!("arn:aws:iam::{account}:{kind}{path}{name}"))
            }
            _ => Err(format!(
                "`{}.{}` is known only after apply",
                target.address, r.attr
            )),
        }
    }

    /// A policy document value: a JSON string of the plan, or, unknown, the
    /// document a referenced `aws_iam_policy_document` renders.
    fn document(&mut self, at: &At<'r>, attr: &str) -> Option<DumpDocument> {
        match at.val(attr) {
            Val::Known(v) => self.parse_document(v),
            Val::Absent => {
                let message = format!("`{}` has no `{attr}`", at.instance.address);
                self.shape(at.values.span, message);
                None
            }
            Val::Unknown => {
                let refs = references(at.expressions, attr);
                let mut why = "the plan's configuration gives no reference for it".to_string();
                for r in &refs {
                    let Some(parsed) = parse_reference(r.node) else {
                        continue;
                    };
                    let target = match self.target(&at.instance.module, &parsed) {
                        Ok(target) => target,
                        Err(w) => {
                            why = w;
                            continue;
                        }
                    };
                    let target_at = self.at(target);
                    if let Val::Known(v) = target_at.val(parsed.attr) {
                        return self.parse_document(v);
                    }
                    if target.data && target.rtype == "aws_iam_policy_document" {
                        match render_document(&target_at) {
                            Ok(json) => return self.document_of_json(&json),
                            Err(w) => {
                                why = format!("`{}` is read only at apply and {w}", target.address)
                            }
                        }
                    } else {
                        why = format!("it depends on `{}`, which the plan does not know", r.node);
                    }
                }
                self.unresolved(at, attr, &why);
                None
            }
        }
    }

    fn parse_document(&mut self, value: &Json) -> Option<DumpDocument> {
        match verdict_grammar::parse_embedded_document(self.plan.src, value, &self.plan.limits) {
            Ok(document) => Some(document),
            Err(errors) => {
                for err in errors {
                    self.diags
                        .push(Diagnostic::error(codes::E0001, err.kind.to_string()).at(
                            self.plan.file,
                            err.span,
                            "here",
                        ));
                }
                None
            }
        }
    }

    fn document_of_json(&mut self, json: &Json) -> Option<DumpDocument> {
        match verdict_grammar::policy_from_json_with(json, &self.plan.limits) {
            Ok(policy) => Some(DumpDocument {
                policy,
                decoded: None,
            }),
            Err(errors) => {
                for err in errors {
                    self.diags
                        .push(Diagnostic::error(codes::E0001, err.kind.to_string()).at(
                            self.plan.file,
                            err.span,
                            "here",
                        ));
                }
                None
            }
        }
    }

    /// A list of strings (`managed_policy_arns`, `users`, `groups`): the
    /// known elements, and the unknown ones through the references.
    fn strings(&mut self, at: &At<'r>, attr: &str) -> Vec<Spanned<String>> {
        let unknown_all = matches!(at.val(attr), Val::Unknown);
        let marks = at.unknown.and_then(|u| member(u, attr));
        let some_unknown = unknown_all
            || elements(marks)
                .iter()
                .any(|m| matches!(m.kind, JsonKind::Bool(true)));
        let mut out = Vec::new();
        if let Val::Known(v) = at.val(attr) {
            for (k, item) in elements(Some(v)).iter().enumerate() {
                let unknown = elements(marks)
                    .get(k)
                    .is_some_and(|m| matches!(m.kind, JsonKind::Bool(true)));
                match &item.kind {
                    JsonKind::String(s) if !unknown => out.push(Spanned::new(s.clone(), item.span)),
                    _ => {}
                }
            }
        }
        if !some_unknown {
            return out;
        }
        let refs = references(at.expressions, attr);
        let mut resolved = 0;
        for r in &refs {
            let Some(parsed) = parse_reference(r.node) else {
                continue;
            };
            match self
                .target(&at.instance.module, &parsed)
                .and_then(|t| self.attribute(t, &parsed, 1))
            {
                Ok(value) => {
                    resolved += 1;
                    if !out.iter().any(|o| o.node == value) {
                        out.push(Spanned::new(value, r.span));
                    }
                }
                Err(why) => {
                    self.unresolved(at, attr, &why);
                    return out;
                }
            }
        }
        if resolved == 0 {
            self.unresolved(
                at,
                attr,
                "the plan's configuration gives no reference for it",
            );
        }
        out
    }

    /// `tags`: a map of strings.
    fn tags(&mut self, at: &At<'r>) -> Vec<(Spanned<String>, Spanned<String>)> {
        let Val::Known(v) = at.val("tags") else {
            return Vec::new();
        };
        let JsonKind::Object(members) = &v.kind else {
            return Vec::new();
        };
        members
            .iter()
            .filter_map(|(k, v)| match &v.kind {
                JsonKind::String(s) => Some((k.clone(), Spanned::new(s.clone(), v.span))),
                _ => None,
            })
            .collect()
    }

    /// Reads one managed resource instance into `b`.
    fn add(&mut self, b: &mut Builder, instance: &'r Instance<'p>) {
        let at = self.at(instance);
        let span = instance.values.span;
        match instance.rtype {
            "aws_iam_user" => {
                let Some(name) = self.required(&at, "name") else {
                    return;
                };
                let user = DumpUser {
                    span,
                    path: self.optional(&at, "path"),
                    arn: self.known(&at, "arn"),
                    id: self.known(&at, "unique_id"),
                    groups: Vec::new(),
                    inline_policies: Vec::new(),
                    attached: Vec::new(),
                    boundary: self.optional(&at, "permissions_boundary").map(attachment),
                    tags: self.tags(&at),
                    name,
                };
                b.declare_user(user);
            }
            "aws_iam_group" => {
                let Some(name) = self.required(&at, "name") else {
                    return;
                };
                b.declare_group(DumpGroup {
                    span,
                    path: self.optional(&at, "path"),
                    arn: self.known(&at, "arn"),
                    inline_policies: Vec::new(),
                    attached: Vec::new(),
                    name,
                });
            }
            "aws_iam_role" => self.role(b, &at),
            "aws_iam_service_linked_role" => self.service_linked_role(b, &at),
            "aws_iam_policy" => self.policy(b, &at),
            "aws_iam_user_policy" | "aws_iam_group_policy" | "aws_iam_role_policy" => {
                let owner_attr = owner_attr(instance.rtype);
                let (Some(owner), Some(name)) =
                    (self.required(&at, owner_attr), self.required(&at, "name"))
                else {
                    return;
                };
                let Some(document) = self.document(&at, "policy") else {
                    return;
                };
                let inline = DumpInlinePolicy { name, document };
                b.record(owner_of(owner_attr, &owner), owner, span)
                    .inline
                    .push(inline);
            }
            "aws_iam_user_policy_attachment"
            | "aws_iam_group_policy_attachment"
            | "aws_iam_role_policy_attachment" => {
                let owner_attr = owner_attr(instance.rtype);
                let (Some(owner), Some(arn)) = (
                    self.required(&at, owner_attr),
                    self.required(&at, "policy_arn"),
                ) else {
                    return;
                };
                b.record(owner_of(owner_attr, &owner), owner, span)
                    .attached
                    .push(attachment(arn));
            }
            "aws_iam_policy_attachment" => {
                let Some(arn) = self.required(&at, "policy_arn") else {
                    return;
                };
                for attr in ["users", "groups", "roles"] {
                    let owner_attr = attr.trim_end_matches('s');
                    for owner in self.strings(&at, attr) {
                        b.record(owner_of(owner_attr, &owner), owner, span)
                            .attached
                            .push(attachment(arn.clone()));
                    }
                }
            }
            "aws_iam_user_group_membership" => {
                let Some(user) = self.required(&at, "user") else {
                    return;
                };
                let groups = self.strings(&at, "groups");
                b.record(Owner::User(user.node.clone()), user, span)
                    .groups
                    .extend(groups);
            }
            "aws_iam_group_membership" => {
                let Some(group) = self.required(&at, "group") else {
                    return;
                };
                for user in self.strings(&at, "users") {
                    let mut member = group.clone();
                    member.span = user.span;
                    b.record(Owner::User(user.node.clone()), user, span)
                        .groups
                        .push(member);
                }
            }
            _ => {}
        }
    }

    /// A value read as it is when known; unknown or absent is `None` (ARNs
    /// and ids the lowering can do without).
    fn known(&self, at: &At<'r>, attr: &str) -> Option<Spanned<String>> {
        match at.val(attr) {
            Val::Known(v) => match &v.kind {
                JsonKind::String(s) if !s.is_empty() => Some(Spanned::new(s.clone(), v.span)),
                _ => None,
            },
            _ => None,
        }
    }

    fn role(&mut self, b: &mut Builder, at: &At<'r>) {
        let Some(name) = self.required(at, "name") else {
            return;
        };
        let trust_policy = match at.val("assume_role_policy") {
            Val::Absent => None,
            _ => self.document(at, "assume_role_policy"),
        };
        let mut inline_policies = Vec::new();
        if let Val::Known(blocks) = at.val("inline_policy") {
            for (k, block) in elements(Some(blocks)).iter().enumerate() {
                let block_at = at.block("inline_policy", k, block);
                // Terraform shows an empty block when none is configured.
                let Ok(Some(policy_name)) = self.text(&block_at, "name", 0) else {
                    if matches!(block_at.val("policy"), Val::Absent) {
                        continue;
                    }
                    self.unresolved(&block_at, "name", "the inline policy's name is not known");
                    continue;
                };
                if policy_name.node.is_empty() {
                    continue;
                }
                if let Some(document) = self.document(&block_at, "policy") {
                    inline_policies.push(DumpInlinePolicy {
                        name: policy_name,
                        document,
                    });
                }
            }
        }
        let attached = self
            .strings(at, "managed_policy_arns")
            .into_iter()
            .map(attachment)
            .collect();
        let role = DumpRole {
            span: at.values.span,
            path: self.optional(at, "path"),
            arn: self.known(at, "arn"),
            id: self.known(at, "unique_id"),
            trust_policy,
            inline_policies,
            attached,
            boundary: self.optional(at, "permissions_boundary").map(attachment),
            tags: self.tags(at),
            name,
        };
        b.declare_role(role);
    }

    /// A service-linked role: its name and path are AWS's; without a known
    /// name (a create) it is left out, reported (W0260).
    fn service_linked_role(&mut self, b: &mut Builder, at: &At<'r>) {
        let service = self.known(at, "aws_service_name");
        let Some(name) = self.known(at, "name") else {
            let what = service.as_ref().map_or("a service", |s| s.node.as_str());
            self.diags.push(
                Diagnostic::warning(
                    codes::W0260,
                    format!(
                        "the service-linked role of `{what}` (`{}`) is named by AWS at apply: it is left out",
                        at.instance.address
                    ),
                )
                .at(self.plan.file, at.values.span, "created by this plan")
                .with_help("its permissions are its service's managed policy; compile again with the account dump once it exists"),
            );
            return;
        };
        let path = self.known(at, "path").or_else(|| {
            service.map(|s| Spanned::new(format!("/aws-service-role/{}/", s.node), s.span))
        });
        b.declare_role(DumpRole {
            span: at.values.span,
            path,
            arn: self.known(at, "arn"),
            id: self.known(at, "unique_id"),
            trust_policy: None,
            inline_policies: Vec::new(),
            attached: Vec::new(),
            boundary: None,
            tags: Vec::new(),
            name,
        });
    }

    fn policy(&mut self, b: &mut Builder, at: &At<'r>) {
        let Some(name) = self.required(at, "name") else {
            return;
        };
        let arn = match self.known(at, "arn") {
            Some(arn) => Some(arn),
            None => {
                let r = Reference {
                    data: false,
                    rtype: "aws_iam_policy",
                    name: at.instance.name,
                    index: None,
                    attr: "arn",
                };
                match self.attribute(at.instance, &r, 0) {
                    Ok(arn) => Some(Spanned::new(arn, name.span)),
                    Err(why) => {
                        self.unresolved(at, "arn", &why);
                        None
                    }
                }
            }
        };
        let document = self.document(at, "policy");
        let (Some(arn), Some(document)) = (arn, document) else {
            return;
        };
        b.policies.push(DumpManagedPolicy {
            span: at.values.span,
            path: self.optional(at, "path"),
            default_version_id: None,
            versions: vec![DumpPolicyVersion {
                version_id: None,
                is_default: true,
                document,
            }],
            name,
            arn,
        });
    }
}

/// The attribute naming the owner of an inline policy or attachment.
fn owner_attr(rtype: &str) -> &'static str {
    if rtype.starts_with("aws_iam_user") {
        "user"
    } else if rtype.starts_with("aws_iam_group") {
        "group"
    } else {
        "role"
    }
}

fn owner_of(owner_attr: &str, name: &Spanned<String>) -> Owner {
    match owner_attr {
        "user" => Owner::User(name.node.clone()),
        "group" => Owner::Group(name.node.clone()),
        _ => Owner::Role(name.node.clone()),
    }
}

fn attachment(arn: Spanned<String>) -> DumpAttachment {
    DumpAttachment {
        span: arn.span,
        name: None,
        arn,
    }
}

/// Renders an `aws_iam_policy_document` from its configuration's
/// `statement` blocks, when every value in them is a constant: the JSON
/// tree of the document, with spans at the constants in the plan.
fn render_document(at: &At<'_>) -> Result<Json, Why> {
    let Some(expressions) = at.expressions else {
        return Err("its configuration is not in the plan".to_string());
    };
    let whole = expressions.span;
    let string = |text: &str, span: Span| Json {
        kind: JsonKind::String(text.to_string()),
        span,
    };
    let key = |text: &str, span: Span| Spanned::new(text.to_string(), span);
    let mut statements = Vec::new();
    for block in elements(member(expressions, "statement")) {
        let mut members: Vec<(Spanned<String>, Json)> = Vec::new();
        let mut has_effect = false;
        let JsonKind::Object(fields) = &block.kind else {
            continue;
        };
        for (field, expression) in fields {
            let json_key = match field.node.as_str() {
                "sid" => "Sid",
                "effect" => {
                    has_effect = true;
                    "Effect"
                }
                "actions" => "Action",
                "not_actions" => "NotAction",
                "resources" => "Resource",
                "not_resources" => "NotResource",
                "principals" | "not_principals" => {
                    let name = if field.node == "principals" {
                        "Principal"
                    } else {
                        "NotPrincipal"
                    };
                    let mut map: Vec<(Spanned<String>, Json)> = Vec::new();
                    for p in elements(Some(expression)) {
                        let kind = constant(p, "type")?;
                        let ids = constant(p, "identifiers")?;
                        let JsonKind::String(kind_text) = &kind.kind else {
                            return Err("a principal type is not a string".to_string());
                        };
                        map.push((key(kind_text, kind.span), ids.clone()));
                    }
                    members.push((
                        key(name, field.span),
                        Json {
                            kind: JsonKind::Object(map),
                            span: expression.span,
                        },
                    ));
                    continue;
                }
                "condition" => {
                    let mut operators: Vec<(Spanned<String>, Json)> = Vec::new();
                    for c in elements(Some(expression)) {
                        let test = constant(c, "test")?;
                        let variable = constant(c, "variable")?;
                        let values = constant(c, "values")?;
                        let (JsonKind::String(test_text), JsonKind::String(var_text)) =
                            (&test.kind, &variable.kind)
                        else {
                            return Err(
                                "a condition's test or variable is not a string".to_string()
                            );
                        };
                        let entry = (key(var_text, variable.span), values.clone());
                        match operators.iter_mut().find(|(k, _)| &k.node == test_text) {
                            Some((
                                _,
                                Json {
                                    kind: JsonKind::Object(entries),
                                    ..
                                },
                            )) => entries.push(entry),
                            _ => operators.push((
                                key(test_text, test.span),
                                Json {
                                    kind: JsonKind::Object(vec![entry]),
                                    span: c.span,
                                },
                            )),
                        }
                    }
                    members.push((
                        key("Condition", field.span),
                        Json {
                            kind: JsonKind::Object(operators),
                            span: expression.span,
                        },
                    ));
                    continue;
                }
                _ => continue,
            };
            let value = constant_value(expression)?;
            members.push((key(json_key, field.span), value.clone()));
        }
        if !has_effect {
            members.push((key("Effect", block.span), string("Allow", block.span)));
        }
        statements.push(Json {
            kind: JsonKind::Object(members),
            span: block.span,
        });
    }
    let version = member(expressions, "version")
        .map(constant_value)
        .transpose()?
        .cloned()
        .unwrap_or_else(|| string("2012-10-17", whole));
    Ok(Json {
        kind: JsonKind::Object(vec![
            (key("Version", version.span), version),
            (
                key("Statement", whole),
                Json {
                    kind: JsonKind::Array(statements),
                    span: whole,
                },
            ),
        ]),
        span: whole,
    })
}

/// The `constant_value` of the expression `attr` of a block.
fn constant<'j>(block: &'j Json, attr: &str) -> Result<&'j Json, Why> {
    let expression = member(block, attr).ok_or_else(|| format!("a block has no `{attr}`"))?;
    constant_value(expression)
}

fn constant_value(expression: &Json) -> Result<&Json, Why> {
    member(expression, "constant_value")
        .ok_or_else(|| "its statements use values that are not constants".to_string())
}

/// The records a plan part makes, by owner, as a [`Layer`].
#[derive(Default)]
struct Builder {
    users: Vec<DumpUser>,
    groups: Vec<DumpGroup>,
    roles: Vec<DumpRole>,
    policies: Vec<DumpManagedPolicy>,
    declared: BTreeSet<Owner>,
    /// Facts waiting for their owner's record: the owner's name where a
    /// fact names it, and the span a carrier record would cover.
    pending: BTreeMap<Owner, (Spanned<String>, Span, Facts)>,
}

/// Inline policies, attachments and memberships of one owner.
#[derive(Default)]
struct Facts {
    inline: Vec<DumpInlinePolicy>,
    attached: Vec<DumpAttachment>,
    groups: Vec<Spanned<String>>,
}

impl Builder {
    /// The facts of `owner` (named at `name`; its carrier record, if it
    /// needs one, covers `span`).
    fn record(&mut self, owner: Owner, name: Spanned<String>, span: Span) -> &mut Facts {
        &mut self
            .pending
            .entry(owner)
            .or_insert_with(|| (name, span, Facts::default()))
            .2
    }

    fn declare_user(&mut self, user: DumpUser) {
        self.declared.insert(Owner::User(user.name.node.clone()));
        self.users.retain(|u| u.name.node != user.name.node);
        self.users.push(user);
    }

    fn declare_group(&mut self, group: DumpGroup) {
        self.declared.insert(Owner::Group(group.name.node.clone()));
        self.groups.retain(|g| g.name.node != group.name.node);
        self.groups.push(group);
    }

    fn declare_role(&mut self, role: DumpRole) {
        self.declared.insert(Owner::Role(role.name.node.clone()));
        self.roles.retain(|r| r.name.node != role.name.node);
        self.roles.push(role);
    }

    /// The layer: facts moved into their owners' records (carriers for
    /// owners not declared here).
    fn finish(mut self) -> Layer {
        let mut carriers = BTreeSet::new();
        for (owner, (name, span, facts)) in std::mem::take(&mut self.pending) {
            if !self.declared.contains(&owner) {
                carriers.insert(owner.clone());
            }
            match &owner {
                Owner::User(n) => {
                    if !self.users.iter().any(|u| &u.name.node == n) {
                        self.users.push(carrier_user(name, span));
                    }
                    if let Some(u) = self.users.iter_mut().find(|u| &u.name.node == n) {
                        u.inline_policies.extend(facts.inline);
                        u.attached.extend(facts.attached);
                        u.groups.extend(facts.groups);
                    }
                }
                Owner::Group(n) => {
                    if !self.groups.iter().any(|g| &g.name.node == n) {
                        self.groups.push(DumpGroup {
                            span,
                            name,
                            path: None,
                            arn: None,
                            inline_policies: Vec::new(),
                            attached: Vec::new(),
                        });
                    }
                    if let Some(g) = self.groups.iter_mut().find(|g| &g.name.node == n) {
                        g.inline_policies.extend(facts.inline);
                        g.attached.extend(facts.attached);
                    }
                }
                Owner::Role(n) => {
                    if !self.roles.iter().any(|r| &r.name.node == n) {
                        self.roles.push(DumpRole {
                            span,
                            name,
                            path: None,
                            arn: None,
                            id: None,
                            trust_policy: None,
                            inline_policies: Vec::new(),
                            attached: Vec::new(),
                            boundary: None,
                            tags: Vec::new(),
                        });
                    }
                    if let Some(r) = self.roles.iter_mut().find(|r| &r.name.node == n) {
                        r.inline_policies.extend(facts.inline);
                        r.attached.extend(facts.attached);
                    }
                }
            }
        }
        Layer {
            dump: AccountDump {
                users: self.users,
                groups: self.groups,
                roles: self.roles,
                policies: self.policies,
                is_truncated: None,
            },
            carriers,
            removed: BTreeSet::new(),
        }
    }
}

fn carrier_user(name: Spanned<String>, span: Span) -> DumpUser {
    DumpUser {
        span,
        name,
        path: None,
        arn: None,
        id: None,
        groups: Vec::new(),
        inline_policies: Vec::new(),
        attached: Vec::new(),
        boundary: None,
        tags: Vec::new(),
    }
}
