//! Candidate values for one request key (or the request resource): a finite set
//! of texts that, between them, give every combination of truth values the key's
//! atoms can take, one operator family at a time.
//!
//! Numbers and dates: each policy value, and the points just below and just above
//! it (an open interval between two policy values holds one of them); IP networks:
//! each network's first and last address and their outer neighbours, per family;
//! `Bool`: `true`, `false` and neither; binary: each policy value and one other;
//! strings, patterns and ARNs: the product automaton of `automaton`, field by field
//! for ARNs (fields 1–5 never hold a `:`). Every family also gets a value that is
//! not of its type (C-TYPE). Where a construction cannot be shown to be complete
//! (two families on one key, a bound, a value out of range), `exact` is false and
//! the caller fails closed.

use std::collections::HashMap;
use std::net::IpAddr;

use super::automaton::{witnesses, Fold, Pattern};
use crate::cond::{plain_text, plain_tokens};
use crate::glob::{self, ArnPattern, Tok};
use crate::parts::{Condition, Operator, Part, Template};
use crate::value::{self, Decimal, IpNetwork, Timestamp, ValueType};

/// Product states one automaton search may visit.
const MAX_STATES: usize = 2_000;
/// Distinct per-field combinations kept when joining ARN fields.
const MAX_ARN_VECTORS: usize = 4_096;

/// Candidate texts and whether they are known to be complete.
#[derive(Debug, Default)]
pub(super) struct Candidates {
    pub(super) texts: Vec<String>,
    pub(super) exact: bool,
    /// Why not, if not exact.
    pub(super) reason: Option<String>,
}

impl Candidates {
    fn inexact(&mut self, reason: impl Into<String>) {
        if self.exact {
            self.exact = false;
            self.reason = Some(reason.into());
        }
    }
}

/// The operator family of `op`, for telling whether two atoms on a key can be
/// reasoned about separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Family {
    String,
    Arn,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
}

fn family(op: Operator) -> Option<Family> {
    Some(match value::value_type(op) {
        ValueType::String => Family::String,
        ValueType::Arn => Family::Arn,
        ValueType::Number => Family::Numeric,
        ValueType::Date => Family::Date,
        ValueType::Bool => Family::Bool,
        ValueType::Base64 => Family::Binary,
        ValueType::Network => Family::Ip,
        ValueType::Null => return None,
    })
}

pub(super) fn has_var(template: &Template) -> bool {
    template
        .0
        .iter()
        .any(|part| matches!(part, Part::Var { .. }))
}

fn literal_tokens(text: &str) -> Vec<Tok> {
    text.chars().map(Tok::Char).collect()
}

/// Candidate single values for a key whose atoms are `conds` (all on that key).
pub(super) fn key_candidates(conds: &[&Condition]) -> Candidates {
    let mut out = Candidates {
        exact: true,
        ..Candidates::default()
    };
    let mut families: Vec<Family> = conds.iter().filter_map(|c| family(c.op)).collect();
    families.sort_by_key(|f| *f as u8);
    families.dedup();
    if families.len() > 1 {
        out.inexact(format!(
            "key `{}` is tested by operators of different types",
            conds.first().map_or("", |c| c.key.as_str())
        ));
    }
    for fam in families {
        let of: Vec<&Condition> = conds
            .iter()
            .copied()
            .filter(|c| family(c.op) == Some(fam))
            .collect();
        let values: Vec<&Template> = of.iter().flat_map(|c| &c.values).collect();
        if values.iter().any(|t| has_var(t)) {
            out.inexact("a policy value holds a variable over a request key");
        }
        let fixed: Vec<&Template> = values.into_iter().filter(|t| !has_var(t)).collect();
        match fam {
            Family::String => strings(&of, &mut out),
            Family::Arn => {
                let patterns: Vec<ArnPattern> = fixed
                    .iter()
                    .map(|t| ArnPattern::new(&plain_tokens(t)))
                    .collect();
                arns(&patterns, false, &mut out);
            }
            Family::Numeric => numbers(&fixed, &mut out),
            Family::Date => dates(&fixed, &mut out),
            Family::Bool => out
                .texts
                .extend(["true", "false", "TRUE", "yes"].map(str::to_owned)),
            // (`TRUE` reads as true too: a second spelling of each value is
            // not needed for exactness, but costs nothing.)
            Family::Binary => binaries(&fixed, &mut out),
            Family::Ip => ips(&fixed, &mut out),
        }
    }
    // A present value for `Null`, and one that is of no operator's type.
    out.texts.push("x".to_owned());
    out.texts.push(String::new());
    // First appearance order: the policy's own values first, for readable
    // witnesses.
    let mut seen = std::collections::HashSet::new();
    out.texts.retain(|t| seen.insert(t.clone()));
    out
}

fn strings(conds: &[&Condition], out: &mut Candidates) {
    let mut patterns = Vec::new();
    for cond in conds {
        for template in cond.values.iter().filter(|t| !has_var(t)) {
            let text = plain_text(template);
            patterns.push(match cond.op {
                Operator::StringEqualsIgnoreCase | Operator::StringNotEqualsIgnoreCase => Pattern {
                    toks: literal_tokens(
                        &text
                            .chars()
                            .flat_map(char::to_lowercase)
                            .collect::<String>(),
                    ),
                    fold: Fold::Lower,
                },
                Operator::StringLike | Operator::StringNotLike => Pattern {
                    toks: plain_tokens(template),
                    fold: Fold::Exact,
                },
                _ => Pattern {
                    toks: literal_tokens(&text),
                    fold: Fold::Exact,
                },
            });
            // Readable witnesses first: the policy texts themselves.
            out.texts.push(text);
        }
    }
    let found = witnesses(&patterns, &[], MAX_STATES);
    if !found.complete {
        out.inexact("string patterns too many to explore");
    }
    out.texts.extend(found.strings);
}

/// Candidate ARNs for `patterns`, field by field; with `resource`, field 1 is
/// `arn` and fields 2–5 fold ASCII case (R2), and the resource `*` is a candidate.
pub(super) fn arns(patterns: &[ArnPattern], resource: bool, out: &mut Candidates) {
    out.texts.push("x".to_owned());
    if resource {
        out.texts.push("*".to_owned());
    }
    // Per field: the distinct match vectors with one text each.
    let mut joined: Vec<(Vec<bool>, String)> = vec![(vec![true; patterns.len()], String::new())];
    for field in 0..6 {
        let fold = if resource && (1..=4).contains(&field) {
            Fold::Ascii
        } else {
            Fold::Exact
        };
        let texts: Vec<String> = if resource && field == 0 {
            vec!["arn".to_owned()]
        } else {
            let field_patterns: Vec<Pattern> = patterns
                .iter()
                .map(|p| Pattern {
                    toks: p.field(field).to_vec(),
                    fold,
                })
                .collect();
            let forbid: &[char] = if field < 5 { &[':'] } else { &[] };
            let found = witnesses(&field_patterns, forbid, MAX_STATES);
            if !found.complete {
                out.inexact("ARN patterns too many to explore");
            }
            found.strings
        };
        let mut by_vector: HashMap<Vec<bool>, String> = HashMap::new();
        for text in texts {
            let vector: Vec<bool> = patterns
                .iter()
                .map(|p| glob::glob(p.field(field), &text, fold == Fold::Ascii))
                .collect();
            by_vector.entry(vector).or_insert(text);
        }
        let mut next: HashMap<Vec<bool>, String> = HashMap::new();
        for (so_far, prefix) in &joined {
            for (vector, text) in &by_vector {
                let both: Vec<bool> = so_far.iter().zip(vector).map(|(a, b)| *a && *b).collect();
                next.entry(both).or_insert_with(|| {
                    if field == 0 {
                        text.clone()
                    } else {
                        format!("{prefix}:{text}")
                    }
                });
            }
            if next.len() > MAX_ARN_VECTORS {
                out.inexact("ARN patterns too many to explore");
                break;
            }
        }
        joined = next.into_iter().collect();
        joined.sort_by(|a, b| a.1.cmp(&b.1));
    }
    out.texts.extend(joined.into_iter().map(|(_, text)| text));
}

/// Each policy number and its neighbours at one more fraction digit than any of
/// them has (so no other policy number lies between a number and a neighbour).
fn numbers(values: &[&Template], out: &mut Candidates) {
    let parsed: Vec<String> = values.iter().map(|t| plain_text(t)).collect();
    let decimals: Vec<Decimal<'_>> = parsed
        .iter()
        .filter_map(|t| Decimal::parse(t).ok())
        .collect();
    out.texts.extend(parsed.iter().cloned());
    out.texts.push("0".to_owned());
    let frac_len = decimals
        .iter()
        .map(|d| d.digits().1.len())
        .max()
        .unwrap_or(0);
    let int_len = decimals
        .iter()
        .map(|d| d.digits().0.len())
        .max()
        .unwrap_or(0);
    let scale = frac_len + 1;
    if int_len + scale > 36 {
        out.inexact("a number too long to reason about");
        return;
    }
    let Some(unit) = 10i128.checked_pow(scale as u32) else {
        out.inexact("a number too long to reason about");
        return;
    };
    for d in &decimals {
        let (int, frac) = d.digits();
        let digits = format!("{int}{frac:0<scale$}");
        let Ok(magnitude) = digits.parse::<i128>() else {
            out.inexact("a number too long to reason about");
            continue;
        };
        let n = if d.is_negative() {
            -magnitude
        } else {
            magnitude
        };
        for m in [n - 1, n, n + 1] {
            out.texts.push(format_scaled(m, unit, scale));
        }
    }
}

fn format_scaled(n: i128, unit: i128, scale: usize) -> String {
    let sign = if n < 0 { "-" } else { "" };
    let magnitude = n.unsigned_abs();
    let unit = unit.unsigned_abs();
    let int = magnitude / unit;
    let frac = magnitude % unit;
    format!("{sign}{int}.{frac:0>scale$}")
}

fn dates(values: &[&Template], out: &mut Candidates) {
    out.texts.push("2000-01-01T00:00:00Z".to_owned());
    for template in values {
        let text = plain_text(template);
        let Ok(t) = Timestamp::parse(&text) else {
            continue;
        };
        out.texts.push(text);
        let nanos = i128::from(t.unix_seconds()) * 1_000_000_000 + i128::from(t.subsec_nanos());
        for n in [nanos - 1, nanos, nanos + 1] {
            match format_date(n) {
                Some(text) => out.texts.push(text),
                None => out.inexact("a date out of the range reasoned about"),
            }
        }
    }
}

/// A text that reads as the instant `nanos` after the epoch, checked by reading it.
fn format_date(nanos: i128) -> Option<String> {
    let secs = i64::try_from(nanos.div_euclid(1_000_000_000)).ok()?;
    let sub = u32::try_from(nanos.rem_euclid(1_000_000_000)).ok()?;
    let want = Timestamp::new(secs, sub)?;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let iso = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{sub:09}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    if (0..=9999).contains(&year) && Timestamp::parse(&iso).ok() == Some(want) {
        return Some(iso);
    }
    let epoch = secs.to_string();
    (Timestamp::parse(&epoch).ok() == Some(want)).then_some(epoch)
}

/// Proleptic Gregorian (year, month, day) of a day count from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn binaries(values: &[&Template], out: &mut Candidates) {
    out.texts.extend(values.iter().map(|t| plain_text(t)));
    // One of these decodes to bytes no policy value holds.
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for &c in ALPHABET.iter().step_by(4).take(values.len() + 1) {
        out.texts.push(format!("{}A==", c as char));
    }
    out.texts.push("!".to_owned());
}

fn ips(values: &[&Template], out: &mut Candidates) {
    out.texts
        .extend(["192.0.2.1", "2001:db8::1", "x"].map(str::to_owned));
    for template in values {
        let Ok(net) = IpNetwork::parse(&plain_text(template)) else {
            continue;
        };
        let prefix = u32::from(net.prefix_len());
        match net.addr() {
            IpAddr::V4(addr) => {
                let max = u128::from(u32::MAX);
                for v in network_bounds(u128::from(u32::from(addr)), prefix, max) {
                    if let Ok(v) = u32::try_from(v) {
                        out.texts.push(std::net::Ipv4Addr::from(v).to_string());
                    }
                }
            }
            IpAddr::V6(addr) => {
                for v in network_bounds(u128::from(addr), prefix, u128::MAX) {
                    out.texts.push(std::net::Ipv6Addr::from(v).to_string());
                }
            }
        }
    }
}

/// The first and last address of the network at `start` with `prefix` bits
/// in an address space ending at `max`, and their outer neighbours where
/// they exist.
fn network_bounds(start: u128, prefix: u32, max: u128) -> impl Iterator<Item = u128> {
    let host = max.checked_shr(prefix).unwrap_or(0);
    let end = start | host;
    [
        start.checked_sub(1),
        Some(start),
        Some(end),
        end.checked_add(1).filter(|v| *v <= max),
    ]
    .into_iter()
    .flatten()
}
