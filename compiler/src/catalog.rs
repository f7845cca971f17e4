//! The action catalog: every action a table has a column for (SEMANTICS.md
//! A1, T1), with its access level and resource types, and the matching of
//! policy action patterns against it (A2–A5) into [`ActionSet`]s.
//!
//! Catalogs come from the built-in data ([`Catalog::builtin`]: `chime`, `aws`)
//! or from a user file ([`Catalog::from_text`]: one `service:Action` per line,
//! the project's TSV, or AWS service-reference JSON). This module does not
//! validate policy action strings (V9 errors and warnings are the compiler's
//! checks); it only answers "which catalog actions does this pattern match".
//! It reads no files: callers pass text.

/* Design note.

Actions are kept sorted by (lowercase service, lowercase name), so each
service is one contiguous index range and, within a service, all names that
start with a given literal prefix are contiguous too. Matching `chime:List*`
therefore binary-searches the service, then the `list` prefix, and fills
that range of the bitset a word at a time; only patterns with a wildcard
before their end are checked name by name with `iglob`, and only inside
their prefix range. A pattern without wildcards is two binary searches.
Binary search over the sorted actions replaces a hash index: it needs no
per-action key allocation when the 22,321-action built-in catalog is parsed
on every compile, and lookups stay O(log n).

Index order is therefore independent of the input order of a catalog file,
which keeps tables deterministic (T7). Names keep their case as written;
comparisons fold ASCII case (IAM compares actions case-insensitively, A3). */

mod action_set;
mod error;
mod json;
mod keys;
mod suggest;

pub use suggest::closest_name;
mod text;

#[cfg(test)]
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests;

use std::cmp::Ordering;
use std::ops::Range;

use verdict_grammar::Span;

use crate::glob::iglob;

pub use action_set::{ActionSet, Iter as ActionSetIter};
pub use error::{CatalogError, CatalogErrorKind};
pub use json::from_json;
pub use keys::{
    facts_of_principal, global_key, global_keys, key_prefix, service_facts, ConditionKeys,
    GlobalKey, KeyBase, KeyDef, KeyType, Presence, ServiceFacts,
};

use std::sync::{Arc, OnceLock};

/// The project's AWS action data (see `data/catalog/README.md`), embedded once.
const AWS_TSV: &str = include_str!("../data/catalog/aws-actions.tsv");

/// Names accepted by [`Catalog::builtin`].
pub const BUILTIN_CATALOGS: &[&str] = &["chime", "aws"];

/// How much access an action grants, as the AWS service authorization
/// reference classifies it (the runtime's type: tables store it).
pub use verdict_runtime::AccessLevel;

/// Reads the data's spelling of an access level (`List`, `Read`, `Write`,
/// `Tagging`, `Permissions management`), ASCII case-insensitively. The
/// source's two-valued forms `Tagging, Write` and `Permissions management,
/// Write` read as `Tagging` and `PermissionsManagement` (as the catalog
/// README normalises them). Anything else → `None`.
pub fn parse_access_level(text: &str) -> Option<AccessLevel> {
    let text = text.trim();
    let level = text
        .strip_suffix(", Write")
        .or_else(|| text.strip_suffix(", write"))
        .filter(|first| {
            first.eq_ignore_ascii_case("tagging")
                || first.eq_ignore_ascii_case("permissions management")
        })
        .unwrap_or(text);
    AccessLevel::ALL
        .into_iter()
        .find(|l| l.as_str().eq_ignore_ascii_case(level))
}

/// One catalog action, e.g. `chime:ListUsers`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CatalogAction {
    /// The service prefix as written (lowercase in practice), e.g. `chime`.
    pub service: String,
    /// The action name in its canonical case, e.g. `ListUsers`.
    pub name: String,
    pub access: AccessLevel,
    /// The resource types the action takes. `Some(vec![])` = wildcard-only
    /// (SEMANTICS.md R4); `None` = the catalog did not say (a plain action
    /// list), which is treated as not wildcard-only.
    pub resource_types: Option<Vec<String>>,
}

/// An action read from a catalog source, before sorting and duplicate checks.
#[derive(Clone, Debug)]
struct RawAction {
    action: CatalogAction,
    line: Option<usize>,
    span: Option<Span>,
}

/// One service: its lowercase prefix and the index range of its actions.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ServiceEntry {
    name: String,
    range: Range<u32>,
}

/// A set of actions, indexed `0..len()` in (service, name) order, ASCII
/// case-insensitively.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalog {
    name: String,
    /// INVARIANT: sorted by `(lowercase service, lowercase name)`, no two
    /// actions equal under that key, `len() <= u32::MAX`.
    actions: Vec<CatalogAction>,
    /// INVARIANT: sorted by name (lowercase); the ranges are non-empty,
    /// consecutive and cover `0..actions.len()`.
    services: Vec<ServiceEntry>,
    /// `service:Name` of every action, concatenated; action `i` is
    /// `qualified[qualified_ends[i-1]..qualified_ends[i]]`.
    qualified: String,
    qualified_ends: Vec<usize>,
    wildcard_only: ActionSet,
    /// The condition keys of its services, when the source has them.
    keys: KeySource,
}

/// Where a catalog's condition-key data comes from.
#[derive(Clone, Debug)]
enum KeySource {
    /// The source had none: keys unknown, no key lints.
    Unknown,
    /// The built-in data (all services, or one), parsed on first use and
    /// shared by clones.
    Builtin {
        only_service: Option<&'static str>,
        parsed: Arc<OnceLock<ConditionKeys>>,
    },
    /// Read with the catalog (a user file's key lines).
    Given(Arc<ConditionKeys>),
}

impl KeySource {
    fn resolve(&self) -> Option<&ConditionKeys> {
        match self {
            KeySource::Unknown => None,
            KeySource::Builtin {
                only_service,
                parsed,
            } => Some(parsed.get_or_init(|| ConditionKeys::builtin(*only_service))),
            KeySource::Given(keys) => Some(keys),
        }
    }
}

/// Equal key data, wherever it was read from.
impl PartialEq for KeySource {
    fn eq(&self, other: &KeySource) -> bool {
        match (self, other) {
            // The same built-in data: equal without parsing it.
            (
                KeySource::Builtin {
                    only_service: a, ..
                },
                KeySource::Builtin {
                    only_service: b, ..
                },
            ) if a == b => true,
            _ => self.resolve() == other.resolve(),
        }
    }
}

impl Eq for KeySource {}

impl Catalog {
    /// A built-in catalog: `chime` (Amazon Chime, 316 actions) or `aws` (all
    /// 22,321 actions of 457 services). Names compare ASCII case-insensitively.
    /// `None` for any other name.
    ///
    /// # Panics
    /// Never.
    pub fn builtin(name: &str) -> Option<Catalog> {
        let (canonical, only_service) = if name.eq_ignore_ascii_case("chime") {
            ("chime", Some("chime"))
        } else if name.eq_ignore_ascii_case("aws") {
            ("aws", None)
        } else {
            return None;
        };
        let data = match only_service {
            Some(service) => service_block(AWS_TSV, service),
            None => AWS_TSV,
        };
        // The embedded data is valid (tested), so this never fails in practice.
        let mut catalog = text::parse(canonical, data, only_service).ok()?;
        catalog.keys = KeySource::Builtin {
            only_service,
            parsed: Arc::new(OnceLock::new()),
        };
        Some(catalog)
    }

    /// The condition keys of the catalog's services (types, and which keys
    /// each action and resource type supports); `None` when the catalog's
    /// source carried none (a plain action list): keys unknown. The built-in
    /// data is parsed on the first call.
    pub fn condition_keys(&self) -> Option<&ConditionKeys> {
        self.keys.resolve()
    }

    /// Replaces the catalog's key data (a user file's key lines).
    fn with_keys(mut self, keys: ConditionKeys) -> Catalog {
        self.keys = KeySource::Given(Arc::new(keys));
        self
    }

    /// Reads a user catalog. The format is detected from the first
    /// non-blank character: `{` or `[` → JSON (an AWS service-reference
    /// document, the project's own `chime.json` shape, or an array of such
    /// documents, see [`from_json`]); otherwise text, one action per line:
    /// `service:Action`, optionally followed by TAB-separated access level
    /// and comma-separated resource types (the built-in TSV format, whose
    /// header line is optional). Blank lines and lines starting with `#`
    /// are ignored.
    ///
    /// # Errors
    /// The first problem found: invalid action names, unknown access levels,
    /// too many columns, JSON syntax or shape errors, duplicate actions
    /// (case-insensitive), an empty catalog, input over
    /// [`verdict_grammar::MAX_INPUT_BYTES`].
    ///
    /// # Panics
    /// Never.
    pub fn from_text(name: &str, text: &str) -> Result<Catalog, CatalogError> {
        if text.len() > verdict_grammar::MAX_INPUT_BYTES {
            return Err(CatalogError::whole(CatalogErrorKind::TooLarge(
                verdict_grammar::MAX_INPUT_BYTES,
            )));
        }
        let (bom_len, body) = match text.strip_prefix('\u{feff}') {
            Some(rest) => ('\u{feff}'.len_utf8(), rest),
            None => (0, text),
        };
        if body.trim_start().starts_with(['{', '[']) {
            json::parse_text(name, text, bom_len, body)
        } else {
            text::parse(name, text, None)
        }
    }

    /// Sorts, checks for duplicates and builds the indexes.
    fn build(name: &str, raw: Vec<RawAction>) -> Result<Catalog, CatalogError> {
        if raw.is_empty() {
            return Err(CatalogError::whole(CatalogErrorKind::Empty(
                name.to_owned(),
            )));
        }
        if u32::try_from(raw.len()).is_err() {
            return Err(CatalogError::whole(CatalogErrorKind::TooManyActions(
                u32::MAX,
            )));
        }
        // Sort positions, not the (large) actions; stable, so among equal keys
        // the first listed stays first. Built-in data is mostly sorted already.
        let mut order: Vec<usize> = (0..raw.len()).collect();
        order.sort_by(|&a, &b| match (raw.get(a), raw.get(b)) {
            (Some(a), Some(b)) => cmp_actions(&a.action, &b.action),
            _ => Ordering::Equal,
        });
        check_duplicates(
            order
                .iter()
                .filter_map(|&pos| raw.get(pos).map(|r| (pos, r))),
        )?;
        let mut slots: Vec<Option<RawAction>> = raw.into_iter().map(Some).collect();
        let actions: Vec<CatalogAction> = order
            .iter()
            .filter_map(|&pos| slots.get_mut(pos).and_then(Option::take))
            .map(|r| r.action)
            .collect();
        let n_actions = u32::try_from(actions.len()).unwrap_or(u32::MAX);
        let mut services: Vec<ServiceEntry> = Vec::new();
        let mut qualified = String::new();
        let mut qualified_ends = Vec::with_capacity(actions.len());
        let mut wildcard_only = ActionSet::empty(n_actions);
        for (idx, action) in (0..n_actions).zip(&actions) {
            match services.last_mut() {
                Some(last) if last.name.eq_ignore_ascii_case(&action.service) => {
                    last.range.end = idx + 1;
                }
                _ => services.push(ServiceEntry {
                    name: action.service.to_ascii_lowercase(),
                    range: idx..idx + 1,
                }),
            }
            qualified.push_str(&action.service);
            qualified.push(':');
            qualified.push_str(&action.name);
            qualified_ends.push(qualified.len());
            if action.resource_types.as_ref().is_some_and(Vec::is_empty) {
                wildcard_only.insert(idx);
            }
        }
        Ok(Catalog {
            name: name.to_owned(),
            actions,
            services,
            qualified,
            qualified_ends,
            wildcard_only,
            keys: KeySource::Unknown,
        })
    }

    /// The catalog's name (`chime`, `aws`, or what the caller gave).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The number of actions (never 0).
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// Always `false`: an empty catalog is an error.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// The number of actions as the universe of this catalog's [`ActionSet`]s.
    pub fn universe(&self) -> u32 {
        self.wildcard_only.universe()
    }

    /// All actions, in index order.
    pub fn actions(&self) -> &[CatalogAction] {
        &self.actions
    }

    pub fn get(&self, idx: u32) -> Option<&CatalogAction> {
        self.actions.get(idx as usize)
    }

    /// `service:Name` of action `idx`, as written in the catalog.
    pub fn qualified_name(&self, idx: u32) -> Option<&str> {
        let idx = idx as usize;
        let end = *self.qualified_ends.get(idx)?;
        let start = match idx.checked_sub(1) {
            Some(prev) => *self.qualified_ends.get(prev)?,
            None => 0,
        };
        self.qualified.get(start..end)
    }

    /// The index of action `service:Name`, ASCII case-insensitively. `None`
    /// for unknown actions and for anything that is not `service:Name`
    /// (wildcards are literal here: use [`Catalog::match_pattern`]).
    pub fn find(&self, name: &str) -> Option<u32> {
        let (service, action) = name.split_once(':')?;
        let range = self.service_range(service)?;
        let slice = self.actions.get(range.start as usize..range.end as usize)?;
        let pos = slice.binary_search_by(|a| cmp_ci(&a.name, action)).ok()?;
        u32::try_from(pos).ok().map(|pos| range.start + pos)
    }

    /// The lowercase service prefixes, sorted.
    pub fn services(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.services.iter().map(|s| s.name.as_str())
    }

    /// The index range of a service's actions (prefix compared ASCII
    /// case-insensitively).
    pub fn service_range(&self, service: &str) -> Option<Range<u32>> {
        self.services
            .binary_search_by(|s| cmp_ci(&s.name, service))
            .ok()
            .and_then(|pos| self.services.get(pos))
            .map(|s| s.range.clone())
    }

    /// Whether action `idx` takes no resource type, so only `Resource: "*"`
    /// applies to it (SEMANTICS.md R4). `false` when the catalog did not list
    /// resource types, and for indices out of range.
    pub fn is_wildcard_only(&self, idx: u32) -> bool {
        self.wildcard_only.contains(idx)
    }

    /// The set of all wildcard-only actions.
    pub fn wildcard_only(&self) -> &ActionSet {
        &self.wildcard_only
    }

    pub fn access(&self, idx: u32) -> Option<AccessLevel> {
        self.get(idx).map(|a| a.access)
    }

    /// The empty set over this catalog.
    pub fn empty_set(&self) -> ActionSet {
        ActionSet::empty(self.universe())
    }

    /// The set of all actions of this catalog.
    pub fn all(&self) -> ActionSet {
        ActionSet::full(self.universe())
    }

    /// The actions an `Action`/`NotAction` entry matches (SEMANTICS.md A2–A5):
    /// - `*` matches everything (A2);
    /// - `vendor:name`: the vendor equals the service ASCII
    ///   case-insensitively, no wildcards (a vendor of exactly `*` matches
    ///   every service), and `iglob(name, action name)` (A3, A4);
    /// - a name part that is empty or contains whitespace matches nothing (A5);
    /// - no colon, or two or more colons, matches nothing (V9: the compiler
    ///   reports those separately).
    ///
    /// # Panics
    /// Never.
    pub fn match_pattern(&self, pattern: &str) -> ActionSet {
        let mut set = self.empty_set();
        self.match_pattern_into(pattern, &mut set);
        set
    }

    /// Adds the actions `pattern` matches to `set` (for an `Action` list, A6).
    pub fn match_pattern_into(&self, pattern: &str, set: &mut ActionSet) {
        if pattern == "*" {
            set.insert_range(0..self.universe());
            return;
        }
        let Some((vendor, name)) = pattern.split_once(':') else {
            return;
        };
        if name.is_empty() || name.contains(':') || name.contains(char::is_whitespace) {
            return;
        }
        if vendor == "*" {
            for service in &self.services {
                self.match_name_in(service.range.clone(), name, set);
            }
        } else if let Some(range) = self.service_range(vendor) {
            self.match_name_in(range, name, set);
        }
    }

    /// Adds the actions of `range` (one service) whose name `iglob`-matches `pattern`.
    fn match_name_in(&self, range: Range<u32>, pattern: &str, set: &mut ActionSet) {
        let Some(slice) = self.actions.get(range.start as usize..range.end as usize) else {
            return;
        };
        let Some(wild) = pattern.find(['*', '?']) else {
            if let Ok(pos) = slice.binary_search_by(|a| cmp_ci(&a.name, pattern)) {
                if let Ok(pos) = u32::try_from(pos) {
                    set.insert(range.start + pos);
                }
            }
            return;
        };
        // Names starting with the literal prefix are contiguous (sorted, case-folded).
        let prefix = pattern.get(..wild).unwrap_or("");
        let lo = slice.partition_point(|a| cmp_ci_prefix(&a.name, prefix) == Ordering::Less);
        let hi = slice.partition_point(|a| cmp_ci_prefix(&a.name, prefix) != Ordering::Greater);
        let (Ok(lo32), Ok(hi32)) = (u32::try_from(lo), u32::try_from(hi)) else {
            return;
        };
        let only_stars_after = pattern
            .get(wild..)
            .is_some_and(|rest| rest.bytes().all(|b| b == b'*'));
        if only_stars_after {
            set.insert_range(range.start + lo32..range.start + hi32);
            return;
        }
        for (idx, action) in (range.start + lo32..).zip(slice.get(lo..hi).unwrap_or(&[])) {
            if iglob(pattern, &action.name) {
                set.insert(idx);
            }
        }
    }
}

/// The lines of `tsv` that start with `service:`, from the first to the last
/// such line. The built-in TSV is sorted, so they are one block; this spares
/// scanning the other 22,000 lines when building `chime`.
fn service_block<'t>(tsv: &'t str, service: &str) -> &'t str {
    let needle = format!("\n{service}:");
    let Some(first) = tsv.find(&needle) else {
        return "";
    };
    let last = tsv.rfind(&needle).unwrap_or(first);
    let end = tsv
        .get(last + 1..)
        .and_then(|rest| rest.find('\n'))
        .map_or(tsv.len(), |len| last + 1 + len);
    tsv.get(first + 1..end).unwrap_or("")
}

/// Orders actions by `(lowercase service, lowercase name)`.
fn cmp_actions(a: &CatalogAction, b: &CatalogAction) -> Ordering {
    cmp_ci(&a.service, &b.service).then_with(|| cmp_ci(&a.name, &b.name))
}

/// Compares two strings byte-wise after ASCII lowercasing.
fn cmp_ci(a: &str, b: &str) -> Ordering {
    cmp_ci_bytes(a.as_bytes(), b.as_bytes())
}

fn cmp_ci_bytes(a: &[u8], b: &[u8]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
            if x != y {
                return x.cmp(&y);
            }
        }
    }
    a.len().cmp(&b.len())
}

/// Compares the first `prefix.len()` bytes of `name` with `prefix`, ASCII
/// case-insensitively: `Equal` iff `name` starts with `prefix`.
fn cmp_ci_prefix(name: &str, prefix: &str) -> Ordering {
    let head = name
        .as_bytes()
        .get(..prefix.len())
        .unwrap_or(name.as_bytes());
    cmp_ci_bytes(head, prefix.as_bytes())
}

/// Fails on the first repeated key, in source order of the repeat. `sorted`
/// yields `(source position, action)` in sorted order.
fn check_duplicates<'a>(
    sorted: impl Iterator<Item = (usize, &'a RawAction)>,
) -> Result<(), CatalogError> {
    let mut prev: Option<(usize, &RawAction)> = None;
    // The duplicate whose second occurrence comes first in the source.
    let mut worst: Option<(usize, &RawAction, &RawAction)> = None;
    for (pos, raw) in sorted {
        if let Some((prev_pos, prev_raw)) = prev {
            if cmp_actions(&prev_raw.action, &raw.action) == Ordering::Equal {
                // The first occurrence of the group is carried along in `prev`.
                let (first_pos, first, second) = if prev_pos < pos {
                    (prev_pos, prev_raw, raw)
                } else {
                    (pos, raw, prev_raw)
                };
                let second_pos = prev_pos.max(pos);
                if worst.is_none_or(|(p, _, _)| second_pos < p) {
                    worst = Some((second_pos, first, second));
                }
                prev = Some((first_pos, first));
                continue;
            }
        }
        prev = Some((pos, raw));
    }
    match worst {
        None => Ok(()),
        Some((_, first, second)) => Err(CatalogError::at(
            CatalogErrorKind::Duplicate {
                action: format!("{}:{}", second.action.service, second.action.name),
                first_line: first.line,
                first_span: first.span,
            },
            second.line,
            second.span,
        )),
    }
}
