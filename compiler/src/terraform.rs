//! Terraform plans (`terraform show -json PLAN`, HashiCorp's JSON output
//! format) read into [`Layer`]s of account facts: the change of
//! `resource_changes` (after-states, and what is deleted) and the deployed
//! state of `prior_state`, with spans into the plan so that every
//! diagnostic, explanation and diff attribution points into it.
//!
//! Here: finding resources in the plan (modules, instances, the
//! `configuration` expressions of each), the plan's account, and the
//! values unknown until apply, resolved through the expressions'
//! `references`. The IAM resource types themselves are read in
//! `terraform/resources.rs`.

/*
Known and unknown. A value of `change.after` is known when present and not
null; it is unknown until apply when `change.after_unknown` marks it `true`
(a list element may be marked on its own). An unknown value is resolved
through the `references` of its `configuration` expression, first the
reference with an attribute (`aws_iam_policy.deploy.arn`), to that
resource's known value, or computed from its planned name and path (ARNs,
with the account), or, for `data.aws_iam_policy_document.X.json`, the
document the data source rendered, or rendered here from its `statement`
blocks when those are constants. What still cannot be resolved is E0260 at
the expression in the plan, never a guess.

The account. `--account` (the input's), else `data.aws_caller_identity`'s
`account_id`, else the account of any ARN the plan knows, else the account
of the dumps it is laid over. Without one, ARNs of objects the plan creates
are unknown (E0260).
*/

mod resources;

use std::collections::HashMap;

use verdict_grammar::{Json, JsonKind, Span, Spanned};

use crate::codes;
use crate::diag::{Diagnostic, Diagnostics};
use crate::overlay::Layer;
use crate::source::FileId;

/// The parts of a plan a compilation uses.
pub(crate) struct ReadPlan {
    /// `resource_changes`: the after-state of every managed IAM resource the
    /// plan keeps, and the facts it deletes.
    pub change: Layer,
    /// `prior_state`: the IAM resources as deployed (as far as Terraform
    /// manages them).
    pub prior: Layer,
    /// The account the plan's objects belong to.
    pub account: Option<String>,
}

/// Whether a JSON document is a Terraform plan: `format_version` and
/// `resource_changes` or `planned_values` at the top.
pub(crate) fn is_plan(json: &Json) -> bool {
    let JsonKind::Object(members) = &json.kind else {
        return false;
    };
    let has = |key: &str| members.iter().any(|(k, _)| k.node == key);
    has("format_version") && (has("resource_changes") || has("planned_values"))
}

/// Reads a plan (`json`, parsed from `src`) of `file`. `account` is the one
/// given for it, `fallback` the account of the dumps it is laid over.
pub(crate) fn read(
    src: &str,
    json: &Json,
    file: FileId,
    account: Option<&str>,
    fallback: Option<&str>,
    limits: &verdict_grammar::ParseLimits,
    diags: &mut Diagnostics,
) -> ReadPlan {
    let mut plan = Plan::index(src, json, file, limits, diags);
    plan.account = account
        .map(str::to_string)
        .or_else(|| plan.caller_account())
        .or_else(|| plan.arn_account())
        .or_else(|| fallback.map(str::to_string));
    let change = resources::change_layer(&plan, diags);
    let prior = resources::prior_layer(&plan, diags);
    ReadPlan {
        change,
        prior,
        account: plan.account.clone(),
    }
}

/// A resource instance's values, as the plan gives them.
#[derive(Clone)]
pub(crate) struct Instance<'p> {
    pub address: &'p str,
    /// The module path without instance keys (`module.a.module.b`; empty
    /// for the root module), as `configuration` names modules.
    pub module: String,
    pub data: bool,
    pub rtype: &'p str,
    pub name: &'p str,
    /// The instance key (`index`), when the resource has several.
    pub index: Option<&'p Json>,
    pub values: &'p Json,
    /// `after_unknown`, for an after-state.
    pub unknown: Option<&'p Json>,
}

/// One entry of `resource_changes`.
pub(crate) struct Change<'p> {
    pub actions: Vec<String>,
    pub before: Option<Instance<'p>>,
    pub after: Option<Instance<'p>>,
}

/// The plan, indexed.
pub(crate) struct Plan<'p> {
    pub src: &'p str,
    pub file: FileId,
    pub limits: verdict_grammar::ParseLimits,
    pub changes: Vec<Change<'p>>,
    /// `prior_state` resources (managed and data).
    pub prior: Vec<Instance<'p>>,
    /// `planned_values` resources (managed and data).
    pub planned: Vec<Instance<'p>>,
    /// `configuration` resources by (module, `type.name` or
    /// `data.type.name`): their `expressions`.
    pub config: HashMap<(String, String), &'p Json>,
    pub account: Option<String>,
}

/// The member `key` of an object.
pub(crate) fn member<'j>(value: &'j Json, key: &str) -> Option<&'j Json> {
    let JsonKind::Object(members) = &value.kind else {
        return None;
    };
    members.iter().find(|(k, _)| k.node == key).map(|(_, v)| v)
}

/// The string `key` of an object.
pub(crate) fn string_member<'j>(value: &'j Json, key: &str) -> Option<&'j str> {
    match member(value, key).map(|v| &v.kind) {
        Some(JsonKind::String(s)) => Some(s.as_str()),
        _ => None,
    }
}

/// The elements of an array (none for anything else).
pub(crate) fn elements(value: Option<&Json>) -> &[Json] {
    match value.map(|v| &v.kind) {
        Some(JsonKind::Array(items)) => items,
        _ => &[],
    }
}

/// `module.a[0].module.b["x"]` → `module.a.module.b`.
fn strip_keys(module: &str) -> String {
    let mut out = String::with_capacity(module.len());
    let mut depth = 0usize;
    for c in module.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

impl<'p> Plan<'p> {
    fn index(
        src: &'p str,
        json: &'p Json,
        file: FileId,
        limits: &verdict_grammar::ParseLimits,
        diags: &mut Diagnostics,
    ) -> Plan<'p> {
        let mut plan = Plan {
            src,
            file,
            limits: *limits,
            changes: Vec::new(),
            prior: Vec::new(),
            planned: Vec::new(),
            config: HashMap::new(),
            account: None,
        };
        if let Some(changes) = member(json, "resource_changes") {
            if !matches!(changes.kind, JsonKind::Array(_)) {
                plan.shape(diags, changes.span, "`resource_changes` must be an array");
            }
            for entry in elements(Some(changes)) {
                plan.add_change(entry, diags);
            }
        }
        if let Some(values) = member(json, "prior_state").and_then(|s| member(s, "values")) {
            if let Some(root) = member(values, "root_module") {
                module_resources(root, &mut plan.prior);
            }
        }
        if let Some(root) = member(json, "planned_values").and_then(|v| member(v, "root_module")) {
            module_resources(root, &mut plan.planned);
        }
        if let Some(root) = member(json, "configuration").and_then(|c| member(c, "root_module")) {
            config_module(root, "", &mut plan.config);
        }
        plan
    }

    /// E0001 for a plan of the wrong shape.
    fn shape(&self, diags: &mut Diagnostics, span: Span, message: &str) {
        diags.push(
            Diagnostic::error(codes::E0001, format!("invalid Terraform plan: {message}"))
                .at(self.file, span, "here")
                .with_help("give the JSON of `terraform show -json PLANFILE`"),
        );
    }

    fn add_change(&mut self, entry: &'p Json, diags: &mut Diagnostics) {
        let (Some(address), Some(rtype), Some(name)) = (
            string_member(entry, "address"),
            string_member(entry, "type"),
            string_member(entry, "name"),
        ) else {
            return self.shape(
                diags,
                entry.span,
                "a `resource_changes` entry needs `address`, `type` and `name` strings",
            );
        };
        let Some(change) = member(entry, "change") else {
            return self.shape(
                diags,
                entry.span,
                "a `resource_changes` entry needs `change`",
            );
        };
        let actions_json = member(change, "actions");
        let actions: Vec<String> = elements(actions_json)
            .iter()
            .filter_map(|a| match &a.kind {
                JsonKind::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
        if actions.is_empty() {
            return self.shape(
                diags,
                actions_json.map_or(change.span, |a| a.span),
                "`change.actions` must be a non-empty array of strings",
            );
        }
        let data = string_member(entry, "mode") == Some("data");
        let module = strip_keys(string_member(entry, "module_address").unwrap_or(""));
        let instance = |values: Option<&'p Json>, unknown: Option<&'p Json>| {
            values
                .filter(|v| matches!(v.kind, JsonKind::Object(_)))
                .map(|values| Instance {
                    address,
                    module: module.clone(),
                    data,
                    rtype,
                    name,
                    index: member(entry, "index"),
                    values,
                    unknown,
                })
        };
        let before = instance(member(change, "before"), None);
        let after = instance(member(change, "after"), member(change, "after_unknown"));
        self.changes.push(Change {
            actions,
            before,
            after,
        });
    }

    /// `data.aws_caller_identity`'s `account_id`, in the prior state or the
    /// planned values.
    fn caller_account(&self) -> Option<String> {
        self.prior
            .iter()
            .chain(self.planned.iter())
            .filter(|i| i.data && i.rtype == "aws_caller_identity")
            .find_map(|i| string_member(i.values, "account_id"))
            .filter(|a| crate::validate::is_account_id(a))
            .map(str::to_string)
    }

    /// The account of the first IAM ARN the plan knows.
    fn arn_account(&self) -> Option<String> {
        let instances = self
            .changes
            .iter()
            .flat_map(|c| c.before.iter().chain(c.after.iter()))
            .chain(self.prior.iter());
        instances
            .filter(|i| !i.data && i.rtype.starts_with("aws_iam_"))
            .filter_map(|i| string_member(i.values, "arn"))
            .filter_map(|arn| arn.split(':').nth(4))
            .find(|a| crate::validate::is_account_id(a))
            .map(str::to_string)
    }

    /// The configuration expressions of an instance.
    pub fn expressions(&self, instance: &Instance<'_>) -> Option<&'p Json> {
        let key = if instance.data {
            format!("data.{}.{}", instance.rtype, instance.name)
        } else {
            format!("{}.{}", instance.rtype, instance.name)
        };
        self.config.get(&(instance.module.clone(), key)).copied()
    }
}

/// The resources of a `root_module` / `child_modules` entry, recursively.
fn module_resources<'p>(module: &'p Json, out: &mut Vec<Instance<'p>>) {
    let path = strip_keys(string_member(module, "address").unwrap_or(""));
    for resource in elements(member(module, "resources")) {
        let (Some(address), Some(rtype), Some(name), Some(values)) = (
            string_member(resource, "address"),
            string_member(resource, "type"),
            string_member(resource, "name"),
            member(resource, "values"),
        ) else {
            continue;
        };
        out.push(Instance {
            address,
            module: path.clone(),
            data: string_member(resource, "mode") == Some("data"),
            rtype,
            name,
            index: member(resource, "index"),
            values,
            unknown: None,
        });
    }
    for child in elements(member(module, "child_modules")) {
        module_resources(child, out);
    }
}

/// The resources of a `configuration` module and its `module_calls`.
fn config_module<'p>(module: &'p Json, path: &str, out: &mut HashMap<(String, String), &'p Json>) {
    for resource in elements(member(module, "resources")) {
        let (Some(address), Some(expressions)) = (
            string_member(resource, "address"),
            member(resource, "expressions"),
        ) else {
            continue;
        };
        out.insert((path.to_string(), address.to_string()), expressions);
    }
    if let Some(JsonKind::Object(calls)) = member(module, "module_calls").map(|c| &c.kind) {
        for (name, call) in calls {
            if let Some(child) = member(call, "module") {
                let child_path = if path.is_empty() {
                    format!("module.{}", name.node)
                } else {
                    format!("{path}.module.{}", name.node)
                };
                config_module(child, &child_path, out);
            }
        }
    }
}

/// A reference of a configuration expression, parsed:
/// `[data.]TYPE.NAME[INDEX].ATTR…`.
pub(crate) struct Reference<'r> {
    pub data: bool,
    pub rtype: &'r str,
    pub name: &'r str,
    /// The index text inside the brackets, when written.
    pub index: Option<&'r str>,
    pub attr: &'r str,
}

/// Parses a reference with an attribute; `None` for references to
/// variables, locals, modules, or without an attribute.
pub(crate) fn parse_reference(text: &str) -> Option<Reference<'_>> {
    let (data, rest) = match text.strip_prefix("data.") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (rtype, rest) = rest.split_once('.')?;
    if matches!(
        rtype,
        "var" | "local" | "module" | "each" | "count" | "path" | "terraform" | "self"
    ) {
        return None;
    }
    let (name, rest) = rest.split_once('.')?;
    let (name, index) = match name.split_once('[') {
        Some((name, index)) => (name, Some(index.trim_end_matches(']'))),
        None => (name, None),
    };
    let attr = rest.split(['.', '[']).next()?;
    if attr.is_empty() {
        return None;
    }
    Some(Reference {
        data,
        rtype,
        name,
        index,
        attr,
    })
}

/// The `references` of the configuration expression `attr` of `expressions`.
pub(crate) fn references<'j>(expressions: Option<&'j Json>, attr: &str) -> Vec<Spanned<&'j str>> {
    let refs = expressions
        .and_then(|e| member(e, attr))
        .and_then(|e| member(e, "references"));
    elements(refs)
        .iter()
        .filter_map(|r| match &r.kind {
            JsonKind::String(s) => Some(Spanned::new(s.as_str(), r.span)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
// why: tests may panic
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_with_data_index_and_attribute() {
        let r = parse_reference("data.aws_iam_policy_document.deploy.json").unwrap();
        assert!(r.data);
        assert_eq!(
            (r.rtype, r.name, r.attr),
            ("aws_iam_policy_document", "deploy", "json")
        );
        let r = parse_reference("aws_iam_policy.p[0].arn").unwrap();
        assert_eq!((r.name, r.index, r.attr), ("p", Some("0"), "arn"));
        assert!(parse_reference("aws_iam_policy.p").is_none());
        assert!(parse_reference("var.name").is_none());
        assert!(parse_reference("module.m.arn").is_none());
    }

    #[test]
    fn module_keys_are_stripped() {
        assert_eq!(
            strip_keys("module.a[0].module.b[\"x\"]"),
            "module.a.module.b"
        );
        assert_eq!(strip_keys(""), "");
    }
}
