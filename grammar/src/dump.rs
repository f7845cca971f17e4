//! AWS account dumps: the JSON printed by
//! `aws iam get-account-authorization-details`, read into an [`AccountDump`].
//!
//! Only the parts verdict uses are read: users, groups, roles, managed
//! policies with their versions, inline policies, attachments, boundaries,
//! tags and trust policies. Unknown keys are ignored (AWS adds fields over
//! time); known keys must have the right JSON type, required keys must be
//! present, and every embedded policy document is checked like a free-standing
//! one. Nothing is cross-checked here (a group a user names may not exist, a
//! default version may be missing): that is the compiler's. All errors are
//! collected and returned in document order.

/*
Error locations. `WrongType` names the value by its path from the dump's
root, e.g. `UserDetailList[3].UserName` or
`RoleDetailList[0].AssumeRolePolicyDocument.Statement[1].Effect`, and points
at the value. `MissingKey` names the key and the kind of object
(`missing key `UserName` in UserDetailList entry`) and points at the opening
brace of that object, so a diagnostic does not underline a whole user.

Repeated keys. A known key repeated in one object is a `DuplicateKey` error
at the repeat and its value is not read; repeats of unknown keys are ignored
like the keys themselves.

Policy documents. The CLI (`aws iam ...`) prints them as JSON objects. The raw
API returns them as URL-encoded JSON text inside a string, and some tools
keep that; others put plain JSON text in a string. Both are decoded
(`encoded.rs`) with every decoded byte remembering its place in the dump, so
the document's tree, and every error in it, points into the dump file.
*/

use std::collections::HashSet;

mod encoded;

use crate::{
    ast::{
        AccountDump, DumpAttachment, DumpDocument, DumpGroup, DumpInlinePolicy, DumpManagedPolicy,
        DumpPolicyVersion, DumpRole, DumpUser, Json, JsonKind,
    },
    error::{ParseError, ParseErrorKind},
    iam::{policy_at, Errors, Path},
    limits::ParseLimits,
    span::{Span, Spanned},
};

/// Parses an account dump.
pub(crate) fn parse(src: &str, limits: &ParseLimits) -> Result<AccountDump, Vec<ParseError>> {
    let json = crate::json::parse(src, limits).map_err(|e| vec![e])?;
    let mut errors = Errors::new(limits);
    let dump = account_dump(src, &json, &mut errors);
    match dump {
        Some(dump) if errors.is_empty() => Ok(dump),
        _ => Err(errors.into_sorted()),
    }
}

/// The top-level object.
fn account_dump(src: &str, value: &Json, errors: &mut Errors) -> Option<AccountDump> {
    let mut dump = AccountDump::default();
    record(
        value,
        Path::Root,
        "account dump",
        errors,
        |key, v, at, errors| {
            match key {
                "UserDetailList" => {
                    dump.users = list(v, at, errors, |v, at, e| user(src, v, at, e))
                }
                "GroupDetailList" => {
                    dump.groups = list(v, at, errors, |v, at, e| group(src, v, at, e));
                }
                "RoleDetailList" => {
                    dump.roles = list(v, at, errors, |v, at, e| role(src, v, at, e))
                }
                "Policies" => {
                    dump.policies = list(v, at, errors, |v, at, e| managed_policy(src, v, at, e));
                }
                "IsTruncated" => {
                    dump.is_truncated = errors.bool(v, at).map(|b| Spanned::new(b, v.span));
                }
                "Marker" => {
                    errors.string(v, at);
                }
                _ => return false,
            }
            true
        },
    )?;
    Some(dump)
}

/// One `UserDetailList` entry.
fn user(src: &str, value: &Json, path: Path<'_>, errors: &mut Errors) -> Option<DumpUser> {
    const CONTEXT: &str = "UserDetailList entry";
    let mut name = None;
    let mut user_path = None;
    let mut arn = None;
    let mut id = None;
    let mut groups = Vec::new();
    let mut inline_policies = Vec::new();
    let mut attached = Vec::new();
    let mut boundary = None;
    let mut tags = Vec::new();
    let members = record(value, path, CONTEXT, errors, |key, v, at, errors| {
        match key {
            "UserName" => name = errors.string(v, at),
            "Path" => user_path = errors.string(v, at),
            "Arn" => arn = errors.string(v, at),
            "UserId" => id = errors.string(v, at),
            "GroupList" => groups = list(v, at, errors, |v, at, errors| errors.string(v, at)),
            "UserPolicyList" => {
                inline_policies = list(v, at, errors, |v, at, errors| {
                    inline_policy(src, v, at, "UserPolicyList entry", errors)
                });
            }
            "AttachedManagedPolicies" => attached = list(v, at, errors, attachment),
            "PermissionsBoundary" => boundary = permissions_boundary(v, at, errors),
            "Tags" => tags = list(v, at, errors, tag),
            _ => return false,
        }
        true
    })?;
    let name = required(name, "UserName", CONTEXT, value, members, errors)?;
    Some(DumpUser {
        span: value.span,
        name,
        path: user_path,
        arn,
        id,
        groups,
        inline_policies,
        attached,
        boundary,
        tags,
    })
}

/// One `GroupDetailList` entry.
fn group(src: &str, value: &Json, path: Path<'_>, errors: &mut Errors) -> Option<DumpGroup> {
    const CONTEXT: &str = "GroupDetailList entry";
    let mut name = None;
    let mut group_path = None;
    let mut arn = None;
    let mut inline_policies = Vec::new();
    let mut attached = Vec::new();
    let members = record(value, path, CONTEXT, errors, |key, v, at, errors| {
        match key {
            "GroupName" => name = errors.string(v, at),
            "Path" => group_path = errors.string(v, at),
            "Arn" => arn = errors.string(v, at),
            "GroupPolicyList" => {
                inline_policies = list(v, at, errors, |v, at, errors| {
                    inline_policy(src, v, at, "GroupPolicyList entry", errors)
                });
            }
            "AttachedManagedPolicies" => attached = list(v, at, errors, attachment),
            _ => return false,
        }
        true
    })?;
    let name = required(name, "GroupName", CONTEXT, value, members, errors)?;
    Some(DumpGroup {
        span: value.span,
        name,
        path: group_path,
        arn,
        inline_policies,
        attached,
    })
}

/// One `RoleDetailList` entry.
fn role(src: &str, value: &Json, path: Path<'_>, errors: &mut Errors) -> Option<DumpRole> {
    const CONTEXT: &str = "RoleDetailList entry";
    let mut name = None;
    let mut role_path = None;
    let mut arn = None;
    let mut id = None;
    let mut trust_policy = None;
    let mut inline_policies = Vec::new();
    let mut attached = Vec::new();
    let mut boundary = None;
    let mut tags = Vec::new();
    let members = record(value, path, CONTEXT, errors, |key, v, at, errors| {
        match key {
            "RoleName" => name = errors.string(v, at),
            "Path" => role_path = errors.string(v, at),
            "Arn" => arn = errors.string(v, at),
            "RoleId" => id = errors.string(v, at),
            "AssumeRolePolicyDocument" => trust_policy = policy_document(src, v, at, errors),
            "RolePolicyList" => {
                inline_policies = list(v, at, errors, |v, at, errors| {
                    inline_policy(src, v, at, "RolePolicyList entry", errors)
                });
            }
            "AttachedManagedPolicies" => attached = list(v, at, errors, attachment),
            "PermissionsBoundary" => boundary = permissions_boundary(v, at, errors),
            "Tags" => tags = list(v, at, errors, tag),
            _ => return false,
        }
        true
    })?;
    let name = required(name, "RoleName", CONTEXT, value, members, errors)?;
    Some(DumpRole {
        span: value.span,
        name,
        path: role_path,
        arn,
        id,
        trust_policy,
        inline_policies,
        attached,
        boundary,
        tags,
    })
}

/// One `Policies` entry: a managed policy with its stored versions.
fn managed_policy(
    src: &str,
    value: &Json,
    path: Path<'_>,
    errors: &mut Errors,
) -> Option<DumpManagedPolicy> {
    const CONTEXT: &str = "Policies entry";
    let mut name = None;
    let mut arn = None;
    let mut policy_path = None;
    let mut default_version_id = None;
    let mut versions = Vec::new();
    let members = record(value, path, CONTEXT, errors, |key, v, at, errors| {
        match key {
            "PolicyName" => name = errors.string(v, at),
            "Arn" => arn = errors.string(v, at),
            "Path" => policy_path = errors.string(v, at),
            "DefaultVersionId" => default_version_id = errors.string(v, at),
            "PolicyVersionList" => {
                versions = list(v, at, errors, |v, at, e| policy_version(src, v, at, e));
            }
            _ => return false,
        }
        true
    })?;
    let name = required(name, "PolicyName", CONTEXT, value, members, errors);
    let arn = required(arn, "Arn", CONTEXT, value, members, errors);
    Some(DumpManagedPolicy {
        span: value.span,
        name: name?,
        arn: arn?,
        path: policy_path,
        default_version_id,
        versions,
    })
}

/// One `PolicyVersionList` entry.
fn policy_version(
    src: &str,
    value: &Json,
    path: Path<'_>,
    errors: &mut Errors,
) -> Option<DumpPolicyVersion> {
    const CONTEXT: &str = "PolicyVersionList entry";
    let mut document = None;
    let mut version_id = None;
    let mut is_default = None;
    let members = record(value, path, CONTEXT, errors, |key, v, at, errors| {
        match key {
            "Document" => document = policy_document(src, v, at, errors),
            "VersionId" => version_id = errors.string(v, at),
            "IsDefaultVersion" => is_default = errors.bool(v, at),
            _ => return false,
        }
        true
    })?;
    let document = required(document, "Document", CONTEXT, value, members, errors)?;
    Some(DumpPolicyVersion {
        version_id,
        is_default: is_default.unwrap_or(false),
        document,
    })
}

/// One `UserPolicyList` / `GroupPolicyList` / `RolePolicyList` entry.
fn inline_policy(
    src: &str,
    value: &Json,
    path: Path<'_>,
    context: &'static str,
    errors: &mut Errors,
) -> Option<DumpInlinePolicy> {
    let mut name = None;
    let mut document = None;
    let members = record(value, path, context, errors, |key, v, at, errors| {
        match key {
            "PolicyName" => name = errors.string(v, at),
            "PolicyDocument" => document = policy_document(src, v, at, errors),
            _ => return false,
        }
        true
    })?;
    let name = required(name, "PolicyName", context, value, members, errors);
    let document = required(document, "PolicyDocument", context, value, members, errors);
    Some(DumpInlinePolicy {
        name: name?,
        document: document?,
    })
}

/// One `AttachedManagedPolicies` entry.
fn attachment(value: &Json, path: Path<'_>, errors: &mut Errors) -> Option<DumpAttachment> {
    const CONTEXT: &str = "AttachedManagedPolicies entry";
    let mut name = None;
    let mut arn = None;
    let members = record(value, path, CONTEXT, errors, |key, v, at, errors| {
        match key {
            "PolicyName" => name = errors.string(v, at),
            "PolicyArn" => arn = errors.string(v, at),
            _ => return false,
        }
        true
    })?;
    let arn = required(arn, "PolicyArn", CONTEXT, value, members, errors)?;
    Some(DumpAttachment {
        span: value.span,
        name,
        arn,
    })
}

/// `PermissionsBoundary`: `{"PermissionsBoundaryType": "Policy",
/// "PermissionsBoundaryArn": ...}`.
fn permissions_boundary(
    value: &Json,
    path: Path<'_>,
    errors: &mut Errors,
) -> Option<DumpAttachment> {
    const CONTEXT: &str = "PermissionsBoundary";
    let mut arn = None;
    let members = record(value, path, CONTEXT, errors, |key, v, at, errors| {
        match key {
            "PermissionsBoundaryArn" => arn = errors.string(v, at),
            "PermissionsBoundaryType" => {
                errors.string(v, at);
            }
            _ => return false,
        }
        true
    })?;
    let arn = required(
        arn,
        "PermissionsBoundaryArn",
        CONTEXT,
        value,
        members,
        errors,
    )?;
    Some(DumpAttachment {
        span: value.span,
        name: None,
        arn,
    })
}

/// One `Tags` entry: `{"Key": .., "Value": ..}`.
fn tag(
    value: &Json,
    path: Path<'_>,
    errors: &mut Errors,
) -> Option<(Spanned<String>, Spanned<String>)> {
    const CONTEXT: &str = "Tags entry";
    let mut key_text = None;
    let mut value_text = None;
    let members = record(value, path, CONTEXT, errors, |key, v, at, errors| {
        match key {
            "Key" => key_text = errors.string(v, at),
            "Value" => value_text = errors.string(v, at),
            _ => return false,
        }
        true
    })?;
    let key_text = required(key_text, "Key", CONTEXT, value, members, errors);
    let value_text = required(value_text, "Value", CONTEXT, value, members, errors);
    Some((key_text?, value_text?))
}

/// An embedded policy document, checked like a free-standing policy: a JSON
/// object, or a string holding URL-encoded (or plain) JSON text, decoded
/// with spans into the dump (`src`).
fn policy_document(
    src: &str,
    value: &Json,
    path: Path<'_>,
    errors: &mut Errors,
) -> Option<DumpDocument> {
    if !matches!(value.kind, JsonKind::String(_)) {
        let policy = policy_at(value, path, errors)?;
        return Some(DumpDocument {
            policy,
            decoded: None,
        });
    }
    let decoded = match encoded::decode(src, value.span) {
        Ok(decoded) => decoded,
        Err(err) => {
            errors.push(err.span, err.kind);
            return None;
        }
    };
    let mut json = match crate::json::parse(&decoded.text, &errors.limits()) {
        Ok(json) => json,
        Err(err) => {
            errors.push(decoded.span(err.span), err.kind);
            return None;
        }
    };
    decoded.relocate(&mut json);
    let policy = policy_at(&json, path, errors)?;
    Some(DumpDocument {
        policy,
        decoded: Some(decoded.text),
    })
}

/// A policy document embedded in another JSON input (a Terraform plan's
/// `policy = "..."` string, or an object): [`policy_document`] at the root,
/// all errors returned in document order.
pub(crate) fn embedded_document(
    src: &str,
    value: &Json,
    limits: &ParseLimits,
) -> Result<DumpDocument, Vec<ParseError>> {
    let mut errors = Errors::new(limits);
    let document = policy_document(src, value, Path::Root, &mut errors);
    match document {
        Some(document) if errors.is_empty() => Ok(document),
        _ => Err(errors.into_sorted()),
    }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Walks the members of the object `value` (else a `WrongType` error naming
/// it `root_name` at the root), calling `field(key, value, path, errors)` for
/// each member; `field` returns whether it knows the key. A known key seen
/// again is a `DuplicateKey` error and `field` is not called for it.
/// Returns the members, for [`required`].
fn record<'j>(
    value: &'j Json,
    path: Path<'_>,
    root_name: &str,
    errors: &mut Errors,
    mut field: impl FnMut(&str, &'j Json, Path<'_>, &mut Errors) -> bool,
) -> Option<&'j [(Spanned<String>, Json)]> {
    let members = errors.object(value, path, root_name)?;
    let mut known_seen: HashSet<&str> = HashSet::new();
    for (key, member) in members {
        if known_seen.contains(key.node.as_str()) {
            errors.push(key.span, ParseErrorKind::DuplicateKey(key.node.clone()));
            continue;
        }
        if field(&key.node, member, Path::Key(&path, &key.node), errors) {
            known_seen.insert(&key.node);
        }
    }
    Some(members)
}

/// `slot`, or a `MissingKey` error at the opening brace of `object` when
/// `key` is absent from its `members` (a present key of the wrong type was
/// already reported).
fn required<T>(
    slot: Option<T>,
    key: &'static str,
    context: &'static str,
    object: &Json,
    members: &[(Spanned<String>, Json)],
    errors: &mut Errors,
) -> Option<T> {
    if slot.is_none() && !members.iter().any(|(k, _)| k.node == key) {
        let brace = Span::new(object.span.start as usize, object.span.start as usize + 1);
        errors.push(brace, ParseErrorKind::MissingKey { key, context });
    }
    slot
}

/// The array `value` (else a `WrongType` error), each element read by `item`;
/// elements that fail are left out (their errors are reported).
fn list<T>(
    value: &Json,
    path: Path<'_>,
    errors: &mut Errors,
    mut item: impl FnMut(&Json, Path<'_>, &mut Errors) -> Option<T>,
) -> Vec<T> {
    let JsonKind::Array(items) = &value.kind else {
        errors.wrong_type(value, path, "an array");
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(idx, v)| item(v, Path::Index(&path, idx), errors))
        .collect()
}

impl Errors {
    /// A boolean value, or a `WrongType` error.
    fn bool(&mut self, value: &Json, path: Path<'_>) -> Option<bool> {
        match value.kind {
            JsonKind::Bool(b) => Some(b),
            _ => {
                self.wrong_type(value, path, "a boolean");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests;
