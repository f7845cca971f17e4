//! `verdict: allow` pragmas: a finding accepted in the open, with a reason,
//! in a line comment of a `.vp` file right before what it is about:
//!
//! ```text
//! # verdict: allow W0404 "Admins administer Chime; reviewed 2026-11"
//! managed policy AmazonChimeFullAccess from policies/AmazonChimeFullAccess.json
//! ```
//!
//! A pragma binds to the first line after it that is neither blank nor a
//! comment (pragmas stack), and there to the statement, policy, user, role or
//! group declared on that line. It accepts warnings of its codes located in
//! that item (a policy: its declaration and every statement, also those of an
//! imported JSON file; a statement: the statement; an entity: its
//! declaration), and findings (`F00xx`) of its codes for that user or role,
//! or for every member of that group. Errors cannot be accepted. A pragma
//! without a code or a reason, with an error code, or with nothing after it
//! to bind to is an error (`E0130`).
//!
//! Pragmas are read from the source text (line comments are the only place
//! `# verdict:` can start a line: in valid JSON a line cannot start with `#`
//! or `//`), so the grammar needs no change.

use crate::codes;
use verdict_grammar::Span;

use crate::diag::{Diagnostic, Severity};
use crate::model::{GroupId, Loc, Model, Principal, RoleId, UserId};
use crate::source::{FileId, SourceMap};

/// What a pragma binds to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Index into the model's policies.
    Policy(usize),
    /// Policy index, statement index.
    Statement(usize, usize),
    /// A user or role, by its table name (`user/alice`).
    Principal(String),
    /// Index into the model's groups.
    Group(usize),
}

/// One pragma.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pragma {
    pub file: FileId,
    /// The comment.
    pub span: Span,
    pub codes: Vec<String>,
    pub reason: String,
    pub target: Target,
}

/// A pragma's text, before it is bound.
#[derive(Debug, PartialEq, Eq)]
struct Parsed {
    codes: Vec<String>,
    reason: String,
}

/// Reads the words after `verdict:`: `allow CODE[,CODE…] "reason"`.
fn parse(text: &str) -> Result<Parsed, String> {
    let rest = text.trim_start();
    let Some(rest) = rest.strip_prefix("allow") else {
        return Err("expected `verdict: allow CODE \"reason\"`".to_owned());
    };
    let rest = rest.trim_start();
    let (codes_text, rest) = rest.split_at(rest.find('"').unwrap_or(rest.len()));
    let codes: Vec<String> = codes_text
        .split([',', ' ', '\t'])
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    if codes.is_empty() {
        return Err(
            "a pragma names the codes it accepts: `verdict: allow W0404 \"reason\"`".to_owned(),
        );
    }
    for code in &codes {
        let well_formed = code.len() == 5
            && code.starts_with(['W', 'F', 'E'])
            && code.bytes().skip(1).all(|b| b.is_ascii_digit());
        if !well_formed {
            return Err(format!("`{code}` is not a diagnostic or finding code"));
        }
        if code.starts_with('E') {
            return Err(format!("`{code}` is an error: errors cannot be accepted"));
        }
    }
    let Some(quoted) = rest.strip_prefix('"') else {
        return Err(
            "a pragma gives its reason in quotes: `verdict: allow W0404 \"reason\"`".to_owned(),
        );
    };
    let Some((reason, tail)) = quoted.split_once('"') else {
        return Err("the reason's closing `\"` is missing".to_owned());
    };
    if reason.trim().is_empty() {
        return Err("the reason is empty: say why the finding is accepted".to_owned());
    }
    if !tail.trim().is_empty() {
        return Err(format!("unexpected `{}` after the reason", tail.trim()));
    }
    Ok(Parsed {
        codes,
        reason: reason.trim().to_owned(),
    })
}

/// The comment text of a line, if it is a line comment.
fn comment_of(line: &str) -> Option<&str> {
    let t = line.trim_start();
    t.strip_prefix("//").or_else(|| t.strip_prefix('#'))
}

/// Every pragma of the sources, bound to the model's items; malformed or
/// unbound ones are `E0130` errors.
#[must_use]
pub fn collect(sources: &SourceMap, model: &Model) -> (Vec<Pragma>, Vec<Diagnostic>) {
    let mut pragmas = Vec::new();
    let mut errors = Vec::new();
    for (file, source) in sources.files() {
        let text = source.text.as_str();
        if !text.contains("verdict:") {
            continue;
        }
        let mut pending: Vec<(Span, Parsed)> = Vec::new();
        let mut offset = 0usize;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let body = line.trim_end_matches(['\n', '\r']);
            let span = Span::new(start, start + body.len());
            if let Some(comment) = comment_of(body) {
                if let Some(words) = comment.trim_start().strip_prefix("verdict:") {
                    match parse(words) {
                        Ok(parsed) => pending.push((span, parsed)),
                        Err(why) => {
                            errors.push(
                                Diagnostic::error(codes::E0130, format!("malformed pragma: {why}"))
                                    .at(file, span, "this pragma"),
                            )
                        }
                    }
                }
                continue;
            }
            if body.trim().is_empty() || pending.is_empty() {
                continue;
            }
            let target = target_on(model, file, start, start + body.len());
            for (span, parsed) in pending.drain(..) {
                match &target {
                    Some(target) => pragmas.push(Pragma {
                        file,
                        span,
                        codes: parsed.codes,
                        reason: parsed.reason,
                        target: target.clone(),
                    }),
                    None => errors.push(
                        Diagnostic::error(
                            codes::E0130,
                            "a pragma must come right before a policy, statement, user, group or role",
                        )
                        .at(file, span, "binds to nothing on the next line"),
                    ),
                }
            }
        }
        for (span, _) in pending {
            errors.push(
                Diagnostic::error(
                    codes::E0130,
                    "a pragma at the end of a file accepts nothing",
                )
                .at(file, span, "nothing follows"),
            );
        }
    }
    (pragmas, errors)
}

fn on_line(loc: Loc, file: FileId, start: usize, end: usize) -> bool {
    loc.file == file && (start..=end).contains(&(loc.span.start as usize))
}

/// The item declared on the line `start..end` of `file`.
fn target_on(model: &Model, file: FileId, start: usize, end: usize) -> Option<Target> {
    for (p, policy) in model.policies.iter().enumerate() {
        if let Some(doc) = &policy.document {
            if let Some(s) = doc
                .statements
                .iter()
                .position(|s| on_line(s.loc, file, start, end))
            {
                return Some(Target::Statement(p, s));
            }
        }
    }
    if let Some(p) = model
        .policies
        .iter()
        .position(|p| on_line(p.loc, file, start, end))
    {
        return Some(Target::Policy(p));
    }
    if let Some(u) = model
        .users
        .iter()
        .position(|u| on_line(u.loc, file, start, end))
    {
        let id = UserId(u32::try_from(u).ok()?);
        return Some(Target::Principal(model.principal_name(Principal::User(id))));
    }
    if let Some(r) = model
        .roles
        .iter()
        .position(|r| on_line(r.loc, file, start, end))
    {
        let id = RoleId(u32::try_from(r).ok()?);
        return Some(Target::Principal(model.principal_name(Principal::Role(id))));
    }
    model
        .groups
        .iter()
        .position(|g| on_line(g.loc, file, start, end))
        .map(Target::Group)
}

fn contains(loc: Loc, file: FileId, span: Span) -> bool {
    loc.file == file && loc.span.start <= span.start && span.end <= loc.span.end
}

/// Whether the pragma's item holds the place `file`/`span`.
fn holds(model: &Model, target: &Target, file: FileId, span: Span) -> bool {
    let statement_holds = |p: usize, s: usize| {
        model
            .policies
            .get(p)
            .and_then(|p| p.document.as_ref())
            .and_then(|d| d.statements.get(s))
            .is_some_and(|s| contains(s.loc, file, span))
    };
    match target {
        Target::Statement(p, s) => statement_holds(*p, *s),
        Target::Policy(p) => {
            let Some(policy) = model.policies.get(*p) else {
                return false;
            };
            contains(policy.loc, file, span)
                || policy
                    .document
                    .as_ref()
                    .is_some_and(|d| d.statements.iter().any(|s| contains(s.loc, file, span)))
        }
        Target::Principal(name) => match model.principal_names.get(name) {
            Some(Principal::User(u)) => model
                .users
                .get(u.index())
                .is_some_and(|u| contains(u.loc, file, span)),
            Some(Principal::Role(r)) => model
                .roles
                .get(r.index())
                .is_some_and(|r| contains(r.loc, file, span)),
            _ => false,
        },
        Target::Group(g) => model
            .groups
            .get(*g)
            .is_some_and(|g| contains(g.loc, file, span)),
    }
}

/// Removes the warnings the pragmas accept from `diagnostics`; returns how
/// many were removed.
pub fn apply(pragmas: &[Pragma], model: &Model, diagnostics: &mut Vec<Diagnostic>) -> usize {
    if pragmas.is_empty() {
        return 0;
    }
    let before = diagnostics.len();
    diagnostics.retain(|d| {
        if d.severity == Severity::Error {
            return true;
        }
        let Some(primary) = &d.primary else {
            return true;
        };
        !pragmas.iter().any(|p| {
            p.codes.iter().any(|c| c == d.code)
                && holds(model, &p.target, primary.file, primary.span)
        })
    });
    before - diagnostics.len()
}

/// The findings the pragmas accept, as (code, principal table name, reason):
/// for a user or role itself, for a group every member user.
#[must_use]
pub fn accepted_findings(pragmas: &[Pragma], model: &Model) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for pragma in pragmas {
        let principals: Vec<String> = match &pragma.target {
            Target::Principal(name) => vec![name.clone()],
            Target::Group(g) => {
                let group = GroupId(u32::try_from(*g).unwrap_or(u32::MAX));
                model
                    .users
                    .iter()
                    .enumerate()
                    .filter(|(_, u)| u.groups.contains(&group))
                    .filter_map(|(i, _)| {
                        Some(model.principal_name(Principal::User(UserId(u32::try_from(i).ok()?))))
                    })
                    .collect()
            }
            Target::Policy(_) | Target::Statement(..) => Vec::new(),
        };
        for code in pragma.codes.iter().filter(|c| c.starts_with('F')) {
            for principal in &principals {
                out.push((code.clone(), principal.clone(), pragma.reason.clone()));
            }
        }
    }
    out
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

    #[test]
    fn pragma_text() {
        assert_eq!(
            parse(" allow W0404 \"reviewed\"").unwrap(),
            Parsed {
                codes: vec!["W0404".into()],
                reason: "reviewed".into()
            }
        );
        assert_eq!(
            parse("allow F0001, F0012 \"ok\"").unwrap().codes,
            vec!["F0001".to_owned(), "F0012".to_owned()]
        );
        for (bad, why) in [
            ("allow W0404", "reason"),
            ("allow W0404 \"\"", "empty"),
            ("allow W0404 \"open", "closing"),
            ("allow \"why\"", "names the codes"),
            ("allow E0101 \"why\"", "errors cannot"),
            ("allow X1 \"why\"", "not a diagnostic"),
            ("deny W0404 \"why\"", "expected"),
            ("allow W0404 \"why\" extra", "unexpected"),
        ] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
