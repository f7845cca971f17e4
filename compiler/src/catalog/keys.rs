//! Condition-key data of a catalog: for each service its condition keys with
//! their types, the keys each action and each resource type supports; the
//! global `aws:` keys with theirs; and per-service IAM facts (resource-based
//! policies, service roles, …). Read from the built-in data
//! (`data/catalog/aws-keys.tsv`, `global-keys.tsv`, `service-facts.tsv`, see
//! `data/catalog/README.md`) or from the key lines of a user TSV catalog.
//!
//! Key names compare ASCII case-insensitively (SEMANTICS.md C3); a key
//! written with a template part, `aws:RequestTag/${TagKey}` or
//! `s3:ExistingObjectTag/<key>`, matches any non-empty text in that part.

/* Design note.

The service data is one text block per service (`service`, then `key`,
`resource` and `action` lines; resource and action lines name keys by their
index in the block's key lines). It is parsed once per catalog, on first use
(`Catalog::condition_keys`), not when the catalog is built: a compile whose
policies have no condition never pays for it. Keys are kept per service in
lowercase order, and indexed once more by their own prefix (`sts` declares
`accounts.google.com:aud`), which is how a policy key is looked up. */

use std::sync::OnceLock;

use crate::glob::iglob;

use super::{cmp_ci, CatalogAction, CatalogErrorKind};

/// The built-in service key data (all services; `chime` reads its block).
pub(super) const AWS_KEYS_TSV: &str = include_str!("../../data/catalog/aws-keys.tsv");
const GLOBAL_KEYS_TSV: &str = include_str!("../../data/catalog/global-keys.tsv");
const SERVICE_FACTS_TSV: &str = include_str!("../../data/catalog/service-facts.tsv");

/// The type of a condition key's values, as the service reference spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyBase {
    String,
    Arn,
    Numeric,
    Date,
    Bool,
    IpAddress,
    Binary,
    /// `Date` or `Numeric` (`aws:EpochTime`).
    DateOrNumeric,
    /// The data names the key without a type.
    Unknown,
}

/// A key's type: its base and whether it carries a list (`ArrayOf…`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyType {
    pub base: KeyBase,
    /// `ArrayOfString`, `ArrayOfARN`, …: the request carries a list.
    pub multi: bool,
}

impl KeyType {
    /// Reads `String`, `ArrayOfString`, `ARN`, `ArrayOfARN`, `Numeric`,
    /// `Date`, `Bool`/`Boolean`, `IPAddress`, `Binary`, `Date|Numeric`,
    /// `Unknown`, ASCII case-insensitively.
    pub fn parse(text: &str) -> Option<KeyType> {
        let text = text.trim();
        let (multi, base) = match text.get(..7) {
            Some(head) if head.eq_ignore_ascii_case("ArrayOf") => (true, text.get(7..)?),
            _ => (false, text),
        };
        let base = [
            ("String", KeyBase::String),
            ("ARN", KeyBase::Arn),
            ("Numeric", KeyBase::Numeric),
            ("Long", KeyBase::Numeric),
            ("Integer", KeyBase::Numeric),
            ("Date", KeyBase::Date),
            ("Bool", KeyBase::Bool),
            ("Boolean", KeyBase::Bool),
            ("IPAddress", KeyBase::IpAddress),
            ("Binary", KeyBase::Binary),
            ("Date|Numeric", KeyBase::DateOrNumeric),
            ("Unknown", KeyBase::Unknown),
        ]
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(base))?
        .1;
        Some(KeyType { base, multi })
    }

    /// The service reference's spelling (`ArrayOfString`, `IPAddress`, …).
    pub fn name(&self) -> String {
        let base = match self.base {
            KeyBase::String => "String",
            KeyBase::Arn => "ARN",
            KeyBase::Numeric => "Numeric",
            KeyBase::Date => "Date",
            KeyBase::Bool => "Bool",
            KeyBase::IpAddress => "IPAddress",
            KeyBase::Binary => "Binary",
            KeyBase::DateOrNumeric => "Date|Numeric",
            KeyBase::Unknown => "Unknown",
        };
        if self.multi {
            format!("ArrayOf{base}")
        } else {
            base.to_owned()
        }
    }
}

/// One condition key as the data declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyDef {
    /// The canonical spelling, templates included (`aws:RequestTag/${TagKey}`).
    pub name: String,
    pub ty: KeyType,
    /// `name` as an `iglob` pattern when it has template parts (`${…}` and
    /// `<…>` become `?*`: one or more characters).
    pattern: Option<String>,
}

impl KeyDef {
    fn new(name: &str, ty: KeyType) -> KeyDef {
        KeyDef {
            name: name.to_owned(),
            ty,
            pattern: template_pattern(name),
        }
    }

    /// Whether the policy key `key` is this key (case-insensitively;
    /// template parts match any non-empty text).
    pub fn matches(&self, key: &str) -> bool {
        match &self.pattern {
            None => self.name.eq_ignore_ascii_case(key),
            Some(pattern) => iglob(pattern, key),
        }
    }
}

/// `${X}` and `<X>` parts replaced by `?*`; `None` without such parts. The
/// data also writes a tag key as a literal `/tag-key` at the end
/// (`secretsmanager:ResourceTag/tag-key`) or leaves it out
/// (`sagemaker:ResourceTag/`): both are templates too.
fn template_pattern(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if let Some(head) = lower.strip_suffix("/tag-key") {
        return Some(format!("{}/?*", name.get(..head.len()).unwrap_or(head)));
    }
    if name.ends_with('/') {
        return Some(format!("{name}?*"));
    }
    if !name.contains("${") && !name.contains('<') {
        return None;
    }
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(pos) = rest.find(['$', '<']) {
        let (head, tail) = rest.split_at(pos);
        out.push_str(head);
        let close = if tail.starts_with("${") {
            tail.find('}')
        } else if tail.starts_with('<') {
            tail.find('>')
        } else {
            None
        };
        match close {
            Some(end) => {
                out.push_str("?*");
                rest = tail.get(end + 1..).unwrap_or("");
            }
            None => {
                out.push_str(tail.get(..1).unwrap_or(""));
                rest = tail.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    Some(out)
}

/// The key data of one service block.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ServiceKeys {
    /// Lowercase service prefix.
    name: String,
    keys: Vec<KeyDef>,
    /// Lowercase resource type name → key indexes; sorted by name.
    resources: Vec<(String, Vec<u32>)>,
    /// Lowercase action name → key indexes; sorted by name.
    actions: Vec<(String, Vec<u32>)>,
}

/// The condition keys of a catalog's services (see the module doc).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ConditionKeys {
    /// Sorted by name.
    services: Vec<ServiceKeys>,
    /// Lowercase key prefix → (service, key) positions; sorted by prefix.
    by_prefix: Vec<(String, Vec<(u32, u32)>)>,
}

/// A problem in key data: the message and the 1-based line.
pub(super) type KeyDataError = (CatalogErrorKind, usize);

impl ConditionKeys {
    /// Parses key lines (`service`, `key`, `resource`, `action`; see the
    /// catalog README). `lines` yields (line number, tab-split columns).
    pub(super) fn parse<'t>(
        lines: impl Iterator<Item = (usize, Vec<&'t str>)>,
    ) -> Result<ConditionKeys, KeyDataError> {
        let mut services: Vec<ServiceKeys> = Vec::new();
        for (line, cols) in lines {
            let bad = |why: String| (CatalogErrorKind::InvalidKeyData(why), line);
            let kind = cols.first().copied().unwrap_or("").trim();
            if kind == "service" {
                let name = cols.get(1).map_or("", |s| s.trim());
                super::text::check_service(name).map_err(|e| bad(e.to_owned()))?;
                services.push(ServiceKeys {
                    name: name.to_ascii_lowercase(),
                    keys: Vec::new(),
                    resources: Vec::new(),
                    actions: Vec::new(),
                });
                continue;
            }
            let Some(service) = services.last_mut() else {
                return Err(bad(format!("`{kind}` line before any `service` line")));
            };
            let (Some(name), Some(data), None) = (
                cols.get(1).map(|s| s.trim()),
                cols.get(2).map(|s| s.trim()),
                cols.get(3),
            ) else {
                return Err(bad(format!("a `{kind}` line has exactly 3 columns")));
            };
            if name.is_empty() || name.len() > 512 {
                return Err(bad(format!("a `{kind}` line needs a name")));
            }
            match kind {
                "key" => {
                    let ty = KeyType::parse(data)
                        .ok_or_else(|| bad(format!("unknown condition key type `{data}`")))?;
                    if !name.contains(':') {
                        return Err(bad(format!("condition key `{name}` has no prefix")));
                    }
                    service.keys.push(KeyDef::new(name, ty));
                }
                "resource" | "action" => {
                    let mut ids = Vec::new();
                    for item in data.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        let id = match item.parse::<u32>() {
                            Ok(id) if (id as usize) < service.keys.len() => id,
                            Ok(_) => {
                                return Err(bad(format!("no key number {item} in this service")))
                            }
                            Err(_) => match service
                                .keys
                                .iter()
                                .position(|k| k.name.eq_ignore_ascii_case(item))
                            {
                                Some(pos) => u32::try_from(pos).unwrap_or(u32::MAX),
                                None => {
                                    service.keys.push(KeyDef::new(
                                        item,
                                        KeyType {
                                            base: KeyBase::Unknown,
                                            multi: false,
                                        },
                                    ));
                                    u32::try_from(service.keys.len() - 1).unwrap_or(u32::MAX)
                                }
                            },
                        };
                        ids.push(id);
                    }
                    let entry = (name.to_ascii_lowercase(), ids);
                    if kind == "resource" {
                        service.resources.push(entry);
                    } else {
                        service.actions.push(entry);
                    }
                }
                _ => return Err(bad(format!("unknown key data line `{kind}`"))),
            }
        }
        Ok(ConditionKeys::index(services))
    }

    fn index(mut services: Vec<ServiceKeys>) -> ConditionKeys {
        services.sort_by(|a, b| a.name.cmp(&b.name));
        for s in &mut services {
            s.resources.sort_by(|a, b| a.0.cmp(&b.0));
            s.actions.sort_by(|a, b| a.0.cmp(&b.0));
        }
        let mut by_prefix: Vec<(String, Vec<(u32, u32)>)> = Vec::new();
        for (si, s) in (0u32..).zip(&services) {
            for (ki, k) in (0u32..).zip(&s.keys) {
                let prefix = key_prefix(&k.name).to_ascii_lowercase();
                by_prefix.push((prefix, vec![(si, ki)]));
            }
        }
        by_prefix.sort_by(|a, b| a.0.cmp(&b.0));
        by_prefix.dedup_by(|next, first| {
            if next.0 == first.0 {
                first.1.append(&mut next.1);
                true
            } else {
                false
            }
        });
        ConditionKeys {
            services,
            by_prefix,
        }
    }

    /// The built-in data, all services or one.
    pub(super) fn builtin(only_service: Option<&str>) -> ConditionKeys {
        let text = match only_service {
            Some(service) => service_block(AWS_KEYS_TSV, service),
            None => AWS_KEYS_TSV,
        };
        // The embedded data is valid (tested).
        ConditionKeys::parse(data_lines(text)).unwrap_or_default()
    }

    /// Whether the data covers service `prefix` (it may declare no keys).
    pub fn has_service(&self, prefix: &str) -> bool {
        self.service(prefix).is_some()
    }

    fn service(&self, prefix: &str) -> Option<&ServiceKeys> {
        self.services
            .binary_search_by(|s| cmp_ci(&s.name, prefix))
            .ok()
            .and_then(|i| self.services.get(i))
    }

    /// Every key whose prefix is `prefix` (any service declaring it).
    pub fn keys_with_prefix(&self, prefix: &str) -> impl Iterator<Item = &KeyDef> + '_ {
        self.by_prefix
            .binary_search_by(|(p, _)| cmp_ci(p, prefix))
            .ok()
            .and_then(|i| self.by_prefix.get(i))
            .into_iter()
            .flat_map(|(_, ids)| ids.iter())
            .filter_map(|&(s, k)| self.services.get(s as usize)?.keys.get(k as usize))
    }

    /// The declaration of policy key `key`, looked up by its prefix.
    pub fn find(&self, key: &str) -> Option<&KeyDef> {
        let mut found = None;
        for def in self.keys_with_prefix(key_prefix(key)) {
            if def.pattern.is_none() && def.name.eq_ignore_ascii_case(key) {
                return Some(def);
            }
            if found.is_none() && def.matches(key) {
                found = Some(def);
            }
        }
        found
    }

    /// Whether a request for `action` can carry `key`: the action lists it,
    /// or one of its resource types does. `None` when the data does not
    /// cover the action's service.
    pub fn action_supports(&self, action: &CatalogAction, key: &str) -> Option<bool> {
        let service = self.service(&action.service)?;
        let key_ok = |ids: &[u32]| {
            ids.iter()
                .filter_map(|&i| service.keys.get(i as usize))
                .any(|k| k.matches(key))
        };
        if let Some((_, ids)) = lookup(&service.actions, &action.name) {
            if key_ok(ids) {
                return Some(true);
            }
        }
        let types = action.resource_types.as_deref().unwrap_or(&[]);
        Some(
            types
                .iter()
                .any(|t| lookup(&service.resources, t).is_some_and(|(_, ids)| key_ok(ids))),
        )
    }

    /// The keys a request for `action` can carry (its own and its resource
    /// types'), in data order, possibly repeated.
    pub fn action_keys<'a>(&'a self, action: &CatalogAction) -> Vec<&'a KeyDef> {
        let Some(service) = self.service(&action.service) else {
            return Vec::new();
        };
        let mut ids: Vec<u32> = lookup(&service.actions, &action.name)
            .map(|(_, ids)| ids.clone())
            .unwrap_or_default();
        for t in action.resource_types.as_deref().unwrap_or(&[]) {
            if let Some((_, more)) = lookup(&service.resources, t) {
                ids.extend(more);
            }
        }
        ids.iter()
            .filter_map(|&i| service.keys.get(i as usize))
            .collect()
    }

    /// The number of services, and of keys over all services.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.services.len(),
            self.services.iter().map(|s| s.keys.len()).sum(),
        )
    }
}

fn lookup<'a>(entries: &'a [(String, Vec<u32>)], name: &str) -> Option<&'a (String, Vec<u32>)> {
    entries
        .binary_search_by(|(n, _)| cmp_ci(n, name))
        .ok()
        .and_then(|i| entries.get(i))
}

/// The part of a key before its first colon (`aws`, `chime`,
/// `accounts.google.com`), or the whole key.
pub fn key_prefix(key: &str) -> &str {
    key.split_once(':').map_or(key, |(p, _)| p)
}

/// The content lines of a built-in data file, tab-split, with line numbers.
pub(super) fn data_lines(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| (i, l.split('\t').collect()))
}

/// The block of `service` in the built-in key data: from its `service` line
/// to the next one.
fn service_block<'t>(tsv: &'t str, service: &str) -> &'t str {
    let needle = format!("\nservice\t{service}\n");
    let Some(start) = tsv.find(&needle) else {
        return "";
    };
    let body = tsv.get(start + 1..).unwrap_or("");
    let end = body
        .get(1..)
        .and_then(|rest| rest.find("\nservice\t"))
        .map_or(body.len(), |e| e + 2);
    body.get(..end).unwrap_or("")
}

/// A global condition key (SEMANTICS.md §9 and the AWS global condition
/// context keys documentation), or a service key that requests of any
/// service carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalKey {
    pub key: KeyDef,
    pub presence: Presence,
}

/// When a request carries a global key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Every request (`always`).
    Always,
    /// Only some (`sometimes`: credentials, network path or caller decide).
    Sometimes,
    /// A service key that a service adds to every request made with the
    /// credentials it issues (`credentials`: `ec2:SourceInstanceARN`),
    /// whatever the action; the service data does not list it per action.
    Credentials,
}

/// The global condition keys of `global-keys.tsv`, parsed once.
pub fn global_keys() -> &'static [GlobalKey] {
    static KEYS: OnceLock<Vec<GlobalKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        data_lines(GLOBAL_KEYS_TSV)
            .filter_map(|(_, cols)| {
                let name = cols.first()?.trim();
                let ty = KeyType::parse(cols.get(1)?)?;
                let presence = match cols.get(2)?.trim() {
                    "always" => Presence::Always,
                    "credentials" => Presence::Credentials,
                    _ => Presence::Sometimes,
                };
                Some(GlobalKey {
                    key: KeyDef::new(name, ty),
                    presence,
                })
            })
            .collect()
    })
}

/// The global key `key` names, case-insensitively (templates match).
pub fn global_key(key: &str) -> Option<&'static GlobalKey> {
    let all = global_keys();
    all.iter()
        .find(|g| g.key.pattern.is_none() && g.key.name.eq_ignore_ascii_case(key))
        .or_else(|| all.iter().find(|g| g.key.matches(key)))
}

/// What AWS says about one service and IAM ("AWS services that work with
/// IAM"). `None` fields are not recorded.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ServiceFacts {
    /// Lowercase service prefix.
    pub service: String,
    pub resource_policies: Option<bool>,
    pub service_roles: Option<bool>,
    pub service_linked_roles: Option<bool>,
    /// `Some(false)`: no tags; `None`: not recorded; `Some(true)`: the
    /// catalog's per-action tag keys say where (full or partial support).
    pub tag_authorization: Option<bool>,
    /// The service principals (`chime.amazonaws.com`, `*.chime.amazonaws.com`).
    pub principals: Vec<String>,
}

/// The recorded service facts, parsed once.
pub fn service_facts() -> &'static [ServiceFacts] {
    static FACTS: OnceLock<Vec<ServiceFacts>> = OnceLock::new();
    FACTS.get_or_init(|| {
        data_lines(SERVICE_FACTS_TSV)
            .filter_map(|(_, cols)| {
                let mut cols = cols.into_iter();
                let mut facts = ServiceFacts {
                    service: cols.next()?.trim().to_ascii_lowercase(),
                    ..ServiceFacts::default()
                };
                for col in cols {
                    let (name, value) = col.trim().split_once('=')?;
                    let yes = match value {
                        "yes" | "partial" => Some(true),
                        "no" => Some(false),
                        _ => None,
                    };
                    match name {
                        "resource_policies" => facts.resource_policies = yes,
                        "service_roles" => facts.service_roles = yes,
                        "service_linked_roles" => facts.service_linked_roles = yes,
                        "tag_authorization" => facts.tag_authorization = yes,
                        "principals" => {
                            facts.principals = value.split(',').map(str::to_owned).collect();
                        }
                        _ => {}
                    }
                }
                Some(facts)
            })
            .collect()
    })
}

/// The facts of the service whose principal `principal` is
/// (`voiceconnector.chime.amazonaws.com` → chime), ASCII case-insensitively.
pub fn facts_of_principal(principal: &str) -> Option<&'static ServiceFacts> {
    service_facts()
        .iter()
        .find(|f| f.principals.iter().any(|p| iglob(p, principal)))
}

#[cfg(test)]
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests;
