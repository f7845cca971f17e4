//! JSON catalogs: AWS service-reference documents (the shape served per
//! service by `https://servicereference.us-east-1.amazonaws.com/v1/<svc>/<svc>.json`),
//! the project's own `data/catalog/chime.json` shape, and arrays of either.
//! Works on [`verdict_grammar::Json`] trees; the text is parsed by
//! `verdict_grammar::parse_json`. Unknown keys are ignored (both shapes carry
//! much more than actions).
//!
//! AWS shape (the parts read here):
//! `{"Name":"chime","Actions":[{"Name":"CreateMeeting",
//!   "Annotations":{"Properties":{"IsList":false,"IsPermissionManagement":false,
//!   "IsTaggingOnly":false,"IsWrite":true}},"Resources":[{"Name":"meeting"}]}]}`.
//! The flags are not exclusive (a tagging action is also `IsWrite`); the
//! access level is the first that holds of: IsPermissionManagement →
//! Permissions management, IsTaggingOnly → Tagging, IsWrite → Write, IsList →
//! List, else Read. Without `Annotations`/`Properties` the level is Unknown.
//! A missing `Resources` means no resource types (wildcard-only).
//!
//! Project shape: `{"service":"chime","actions":[{"name":"AcceptDelegate",
//!   "access":"Write","resources":[{"type":"meeting"}]}]}`.
//!
//! Condition keys, when a document declares them (AWS `ConditionKeys:
//! [{Name, Types}]` with `ActionConditionKeys` per action and `ConditionKeys`
//! per resource; project `condition_keys: [{key, type}]` with
//! `condition_keys` per action, action resource and `resource_types[]`),
//! become the catalog's key data; a document without them leaves the keys
//! of its service unknown.

use verdict_grammar::{Json, JsonKind, LineIndex, Span, Spanned};

use super::text::{check_action_name, check_service};
use super::{
    parse_access_level, AccessLevel, Catalog, CatalogAction, CatalogError, CatalogErrorKind,
    ConditionKeys, RawAction,
};

type Members = [(Spanned<String>, Json)];

/// Converts a parsed JSON catalog into a [`Catalog`] named `name`.
///
/// # Errors
/// Shape errors (missing keys, wrong types, repeated keys among those read,
/// a document that is neither shape), invalid service or action names,
/// unknown access levels, duplicate actions, an empty catalog. Errors carry
/// the span of the offending value but no line (see [`Catalog::from_text`]).
///
/// # Panics
/// Never.
pub fn from_json(name: &str, value: &Json) -> Result<Catalog, CatalogError> {
    let mut raw = Vec::new();
    let mut keys = KeyLines::new();
    match &value.kind {
        JsonKind::Array(docs) => {
            for doc in docs {
                read_document(doc, &mut raw, &mut keys)?;
            }
        }
        JsonKind::Object(_) => read_document(value, &mut raw, &mut keys)?,
        _ => return Err(error(CatalogErrorKind::NotACatalog, value.span)),
    }
    let catalog = Catalog::build(name, raw)?;
    if keys.is_empty() {
        return Ok(catalog);
    }
    let lines = keys
        .iter()
        .map(|cols| (0, cols.iter().map(String::as_str).collect::<Vec<_>>()));
    let keys = ConditionKeys::parse(lines)
        .map_err(|(kind, _)| CatalogError::at(kind, None, Some(value.span)))?;
    Ok(catalog.with_keys(keys))
}

/// Condition-key data of the documents, as the columns of the text format's
/// key lines (`service`, `key`, `resource`, `action`; keys by name).
type KeyLines = Vec<Vec<String>>;

/// A `resource` or `action` key line, unless it names no keys.
fn push_keys(keys: &mut KeyLines, kind: &str, name: &str, own: &[String]) {
    if !own.is_empty() {
        keys.push(vec![kind.to_owned(), name.to_owned(), own.join(",")]);
    }
}

/// The strings of an optional array field (missing → none).
fn strings(fields: &Members, key: &'static str) -> Result<Vec<String>, CatalogError> {
    let mut out = Vec::new();
    if let Some(list) = get(fields, key)? {
        for item in array(list, key)? {
            out.push(string(item, key)?.to_owned());
        }
    }
    Ok(out)
}

/// The `key` lines of a document's declared keys: `[{name_key, type_key}]`,
/// the type a string or (AWS) a list of strings whose first is used.
fn declared_keys(
    service: &str,
    list: &Json,
    field: &'static str,
    (name_key, type_key): (&'static str, &'static str),
    keys: &mut KeyLines,
) -> Result<(), CatalogError> {
    keys.push(vec!["service".to_owned(), service.to_owned()]);
    for entry in array(list, field)? {
        let fields = object(entry, field)?;
        let name = string(required(fields, name_key, field, entry.span)?, name_key)?;
        let ty = match get(fields, type_key)? {
            None => "Unknown".to_owned(),
            Some(Json {
                kind: JsonKind::Array(types),
                ..
            }) => match types.first() {
                Some(first) => string(first, type_key)?.to_owned(),
                None => "Unknown".to_owned(),
            },
            Some(other) => string(other, type_key)?.to_owned(),
        };
        keys.push(vec!["key".to_owned(), name.to_owned(), ty]);
    }
    Ok(())
}

/// `Catalog::from_text` for JSON: `body` is `text` without a byte-order mark
/// of `bom_len` bytes. Adds line numbers (and the BOM offset) to errors.
pub(super) fn parse_text(
    name: &str,
    text: &str,
    bom_len: usize,
    body: &str,
) -> Result<Catalog, CatalogError> {
    let shift = |span: Span| Span::new(span.start as usize + bom_len, span.end as usize + bom_len);
    let lines = LineIndex::new(text);
    let line_of = |span: Span| lines.line_col(text, span.start).0;
    let result = match verdict_grammar::parse_json(body) {
        Ok(value) => from_json(name, &value),
        Err(err) => Err(error(CatalogErrorKind::Json(err.clone()), err.span)),
    };
    result.map_err(|mut err| {
        err.span = err.span.map(shift);
        err.line = err.span.map(line_of);
        if let CatalogErrorKind::Duplicate {
            first_line,
            first_span,
            ..
        } = &mut err.kind
        {
            *first_span = first_span.map(shift);
            *first_line = first_span.map(line_of);
        }
        err
    })
}

fn error(kind: CatalogErrorKind, span: Span) -> CatalogError {
    CatalogError::at(kind, None, Some(span))
}

fn read_document(
    doc: &Json,
    raw: &mut Vec<RawAction>,
    keys: &mut KeyLines,
) -> Result<(), CatalogError> {
    let JsonKind::Object(members) = &doc.kind else {
        return Err(error(CatalogErrorKind::NotACatalog, doc.span));
    };
    if has_key(members, "Name") || has_key(members, "Actions") {
        read_aws_document(doc.span, members, raw, keys)
    } else if has_key(members, "service") || has_key(members, "actions") {
        read_own_document(doc.span, members, raw, keys)
    } else {
        Err(error(CatalogErrorKind::NotACatalog, doc.span))
    }
}

const AWS_DOC: &str = "service reference document";
const AWS_ACTION: &str = "service reference action";
const AWS_RESOURCE: &str = "service reference resource";
const OWN_DOC: &str = "catalog document";
const OWN_ACTION: &str = "catalog action";
const OWN_RESOURCE: &str = "catalog resource";

fn read_aws_document(
    span: Span,
    members: &Members,
    raw: &mut Vec<RawAction>,
    keys: &mut KeyLines,
) -> Result<(), CatalogError> {
    let service = service_name(required(members, "Name", AWS_DOC, span)?)?;
    let actions = array(required(members, "Actions", AWS_DOC, span)?, "Actions")?;
    // Condition keys: `ConditionKeys: [{Name, Types}]`, each action's
    // `ActionConditionKeys`, each resource's `ConditionKeys`.
    if let Some(list) = get(members, "ConditionKeys")? {
        declared_keys(service, list, "ConditionKeys", ("Name", "Types"), keys)?;
        for action in actions {
            let fields = object(action, "Actions[]")?;
            let name = string(required(fields, "Name", AWS_ACTION, action.span)?, "Name")?;
            let own = strings(fields, "ActionConditionKeys")?;
            push_keys(keys, "action", name, &own);
        }
        if let Some(resources) = get(members, "Resources")? {
            for resource in array(resources, "Resources")? {
                let fields = object(resource, "Resources[]")?;
                let name = string(
                    required(fields, "Name", AWS_RESOURCE, resource.span)?,
                    "Name",
                )?;
                let own = strings(fields, "ConditionKeys")?;
                push_keys(keys, "resource", name, &own);
            }
        }
    }
    for action in actions {
        let fields = object(action, "Actions[]")?;
        let name_value = required(fields, "Name", AWS_ACTION, action.span)?;
        let name = action_name(name_value, service)?;
        let access = match get(fields, "Annotations")? {
            None => AccessLevel::Unknown,
            Some(annotations) => {
                let annotations = object(annotations, "Annotations")?;
                match get(annotations, "Properties")? {
                    None => AccessLevel::Unknown,
                    Some(props) => access_from_flags(object(props, "Properties")?)?,
                }
            }
        };
        let resource_types = resource_types(fields, AWS_RESOURCE_KEYS)?;
        raw.push(RawAction {
            action: CatalogAction {
                service: service.to_owned(),
                name: name.to_owned(),
                access,
                resource_types: Some(resource_types),
            },
            line: None,
            span: Some(name_value.span),
        });
    }
    Ok(())
}

fn access_from_flags(props: &Members) -> Result<AccessLevel, CatalogError> {
    let flag = |key: &'static str| -> Result<bool, CatalogError> {
        match get(props, key)? {
            None => Ok(false),
            Some(Json {
                kind: JsonKind::Bool(b),
                ..
            }) => Ok(*b),
            Some(other) => Err(error(
                CatalogErrorKind::WrongType {
                    field: key,
                    expected: "a boolean",
                },
                other.span,
            )),
        }
    };
    Ok(if flag("IsPermissionManagement")? {
        AccessLevel::PermissionsManagement
    } else if flag("IsTaggingOnly")? {
        AccessLevel::Tagging
    } else if flag("IsWrite")? {
        AccessLevel::Write
    } else if flag("IsList")? {
        AccessLevel::List
    } else {
        AccessLevel::Read
    })
}

fn read_own_document(
    span: Span,
    members: &Members,
    raw: &mut Vec<RawAction>,
    keys: &mut KeyLines,
) -> Result<(), CatalogError> {
    let service = service_name(required(members, "service", OWN_DOC, span)?)?;
    let actions = array(required(members, "actions", OWN_DOC, span)?, "actions")?;
    // Condition keys: `condition_keys: [{key, type}]`, each action's
    // `condition_keys` and its resources' `condition_keys`, and
    // `resource_types[].condition_keys`.
    if let Some(list) = get(members, "condition_keys")? {
        declared_keys(service, list, "condition_keys", ("key", "type"), keys)?;
        for action in actions {
            let fields = object(action, "actions[]")?;
            let name = string(required(fields, "name", OWN_ACTION, action.span)?, "name")?;
            let mut own = strings(fields, "condition_keys")?;
            if let Some(resources) = get(fields, "resources")? {
                for resource in array(resources, "resources")? {
                    own.extend(strings(object(resource, "resources[]")?, "condition_keys")?);
                }
            }
            push_keys(keys, "action", name, &own);
        }
        if let Some(types) = get(members, "resource_types")? {
            for resource in array(types, "resource_types")? {
                let fields = object(resource, "resource_types[]")?;
                let name = string(
                    required(fields, "type", OWN_RESOURCE, resource.span)?,
                    "type",
                )?;
                let own = strings(fields, "condition_keys")?;
                push_keys(keys, "resource", name, &own);
            }
        }
    }
    for action in actions {
        let fields = object(action, "actions[]")?;
        let name_value = required(fields, "name", OWN_ACTION, action.span)?;
        let name = action_name(name_value, service)?;
        let access = match get(fields, "access")? {
            None => AccessLevel::Unknown,
            Some(value) => {
                let text = string(value, "access")?;
                parse_access_level(text).ok_or_else(|| {
                    error(
                        CatalogErrorKind::UnknownAccessLevel(text.to_owned()),
                        value.span,
                    )
                })?
            }
        };
        let resource_types = resource_types(fields, OWN_RESOURCE_KEYS)?;
        raw.push(RawAction {
            action: CatalogAction {
                service: service.to_owned(),
                name: name.to_owned(),
                access,
                resource_types: Some(resource_types),
            },
            line: None,
            span: Some(name_value.span),
        });
    }
    Ok(())
}

/// Where a document shape keeps an action's resource types: the list key,
/// the name key inside each entry, and the field paths and context for errors.
struct ResourceKeys {
    list: &'static str,
    entry: &'static str,
    name: &'static str,
    name_path: &'static str,
    context: &'static str,
}

const AWS_RESOURCE_KEYS: ResourceKeys = ResourceKeys {
    list: "Resources",
    entry: "Resources[]",
    name: "Name",
    name_path: "Resources[].Name",
    context: AWS_RESOURCE,
};

const OWN_RESOURCE_KEYS: ResourceKeys = ResourceKeys {
    list: "resources",
    entry: "resources[]",
    name: "type",
    name_path: "resources[].type",
    context: OWN_RESOURCE,
};

/// An action's resource types; a missing list means none (wildcard-only).
fn resource_types(fields: &Members, keys: ResourceKeys) -> Result<Vec<String>, CatalogError> {
    let mut out = Vec::new();
    if let Some(resources) = get(fields, keys.list)? {
        for resource in array(resources, keys.list)? {
            let resource_fields = object(resource, keys.entry)?;
            let value = required(resource_fields, keys.name, keys.context, resource.span)?;
            out.push(string(value, keys.name_path)?.to_owned());
        }
    }
    Ok(out)
}

fn service_name(value: &Json) -> Result<&str, CatalogError> {
    let service = string(value, "service name")?;
    check_service(service).map_err(|_| {
        error(
            CatalogErrorKind::InvalidService(service.to_owned()),
            value.span,
        )
    })?;
    Ok(service)
}

fn action_name<'a>(value: &'a Json, service: &str) -> Result<&'a str, CatalogError> {
    let name = string(value, "action name")?;
    check_action_name(name).map_err(|reason| {
        error(
            CatalogErrorKind::InvalidAction {
                action: format!("{service}:{name}"),
                reason,
            },
            value.span,
        )
    })?;
    Ok(name)
}

fn has_key(members: &Members, key: &str) -> bool {
    members.iter().any(|(k, _)| k.node == key)
}

/// The value of `key`; a key given twice is an error.
fn get<'a>(members: &'a Members, key: &str) -> Result<Option<&'a Json>, CatalogError> {
    let mut found = None;
    for (k, value) in members {
        if k.node == key {
            if found.is_some() {
                return Err(error(
                    CatalogErrorKind::DuplicateKey(key.to_owned()),
                    k.span,
                ));
            }
            found = Some(value);
        }
    }
    Ok(found)
}

fn required<'a>(
    members: &'a Members,
    key: &'static str,
    context: &'static str,
    span: Span,
) -> Result<&'a Json, CatalogError> {
    get(members, key)?.ok_or_else(|| error(CatalogErrorKind::MissingKey { key, context }, span))
}

fn object<'a>(value: &'a Json, field: &'static str) -> Result<&'a Members, CatalogError> {
    match &value.kind {
        JsonKind::Object(members) => Ok(members),
        _ => Err(wrong_type(field, "an object", value)),
    }
}

fn array<'a>(value: &'a Json, field: &'static str) -> Result<&'a [Json], CatalogError> {
    match &value.kind {
        JsonKind::Array(items) => Ok(items),
        _ => Err(wrong_type(field, "an array", value)),
    }
}

fn string<'a>(value: &'a Json, field: &'static str) -> Result<&'a str, CatalogError> {
    match &value.kind {
        JsonKind::String(s) => Ok(s),
        _ => Err(wrong_type(field, "a string", value)),
    }
}

fn wrong_type(field: &'static str, expected: &'static str, value: &Json) -> CatalogError {
    error(CatalogErrorKind::WrongType { field, expected }, value.span)
}
