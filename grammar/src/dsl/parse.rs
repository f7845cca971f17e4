//! The productions of the `.vp` grammar (`grammar/verdict.ebnf`), one
//! function each, in the order of the EBNF file. Each doc comment quotes its
//! production. Policies are lowered here, while parsing, to the same
//! [`Policy`] tree the IAM JSON reader builds; tokens, trivia and error
//! tracking are in `lex.rs`.
//!
//! Every production starts with a keyword or a punctuation mark and commits
//! (`cut`) once it has seen it, so no parser backtracks over more than one
//! token.

use std::collections::{HashMap, HashSet};

use nom::branch::alt;
use nom::combinator::{cut, map, opt};
use nom::{Err, Parser};

use super::lex::{Cx, Expected, Fail, PResult};
use crate::ast::{
    Clause, Condition, ConditionEntry, ConditionOperator, EntityDecl, EntityKind, File, Item,
    Policy, PolicyBody, PolicyDecl, Principal, ScpDecl, ScpLevel, Statement, TrustKind,
    TrustTarget,
};
use crate::error::{ParseError, ParseErrorKind};
use crate::span::{Span, Spanned};

/// A list of texts with the span of the whole list, as in `Statement::action`.
type TextList = Spanned<Vec<Spanned<String>>>;

/// Turns a backtracking failure into `None`, keeping committed failures.
fn attempt<'s, T>(res: PResult<'s, T>) -> Result<Option<(&'s str, T)>, Err<Fail>> {
    match res {
        Ok(ok) => Ok(Some(ok)),
        Err(Err::Error(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A committed error that is not a mismatch.
fn fatal(span: Span, kind: ParseErrorKind) -> Err<Fail> {
    Err::Failure(Fail::Fatal(ParseError::new(span, kind)))
}

/// `elem { "," elem }`: a non-empty comma-separated list; after a comma an
/// element is required (no trailing comma).
fn list1<'s>(
    cx: &Cx<'s>,
    i: &'s str,
    mut elem: impl FnMut(&'s str) -> PResult<'s, Spanned<String>>,
) -> PResult<'s, TextList> {
    let (mut i, first) = elem(i)?;
    let mut span = first.span;
    let mut items = vec![first];
    while let Some((rest, _)) = attempt(cx.punct(i, ","))? {
        let (rest, next) = cut(&mut elem).parse(rest)?;
        span = span.to(next.span);
        items.push(next);
        i = rest;
    }
    Ok((i, Spanned::new(items, span)))
}

/// `file = { item [ ";" ] } ;` (leading trivia is skipped by the caller;
/// the file must then end).
pub(super) fn file<'s>(cx: &Cx<'s>, mut i: &'s str) -> PResult<'s, File> {
    let mut items = Vec::new();
    while let Some((rest, it)) = attempt(item(cx, i))? {
        items.push(it);
        (i, ()) = cx.semicolon(rest)?;
    }
    let (i, ()) = cx.eof(i)?;
    Ok((i, File { items }))
}

/// `item = include | account_decl | policy_decl | scp_decl | entity_decl ;`
fn item<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Item> {
    alt((
        map(|i| include(cx, i), Item::Include),
        map(|i| account_decl(cx, i), Item::Account),
        map(|i| policy_decl(cx, i), Item::Policy),
        map(|i| scp_decl(cx, i), Item::Scp),
        map(|i| entity_decl(cx, i), Item::Entity),
    ))
    .parse(i)
}

/// `account_decl = "account" account ;` (also `account_clause`, inside an
/// entity).
fn account_decl<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Spanned<String>> {
    let (i, _) = cx.keyword(i, "account")?;
    cut(|i| cx.text(i, "an account id")).parse(i)
}

/// `policy_body = policy_block | "from" path ;` — shared by `policy_decl`,
/// `scp_decl` and `trust_clause`.
fn policy_body<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, PolicyBody> {
    alt((
        map(|i| policy_block(cx, i), PolicyBody::Inline),
        map(
            |i| {
                let (i, _) = cx.keyword(i, "from")?;
                cut(|i| cx.text(i, "a file path")).parse(i)
            },
            PolicyBody::Import,
        ),
    ))
    .parse(i)
}

/// The span of a policy body's text.
fn body_span(body: &PolicyBody) -> Span {
    match body {
        PolicyBody::Inline(policy) => policy.span,
        PolicyBody::Import(path) => path.span,
    }
}

/// `scp_decl = "scp" name [ "at" scp_level ] policy_body ;`
fn scp_decl<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, ScpDecl> {
    let (i, keyword_span) = cx.keyword(i, "scp")?;
    let (i, name) = cut(|i| cx.text(i, "an SCP name")).parse(i)?;
    let (i, level) = opt(|i| {
        let (i, _) = cx.keyword(i, "at")?;
        cut(|i| scp_level(cx, i)).parse(i)
    })
    .parse(i)?;
    let (i, body) = cut(|i| policy_body(cx, i)).parse(i)?;
    let span = keyword_span.to(body_span(&body));
    Ok((
        i,
        ScpDecl {
            span,
            name,
            level,
            body,
        },
    ))
}

/// `scp_level = "root" | "ou" name | "account" ;`
fn scp_level<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Spanned<ScpLevel>> {
    if let Some((i, span)) = attempt(cx.keyword(i, "root"))? {
        return Ok((i, Spanned::new(ScpLevel::Root, span)));
    }
    if let Some((i, span)) = attempt(cx.keyword(i, "account"))? {
        return Ok((i, Spanned::new(ScpLevel::Account, span)));
    }
    let (i, ou) = cx.keyword(i, "ou")?;
    let (i, name) = cut(|i| cx.text(i, "an organisational unit name")).parse(i)?;
    Ok((i, Spanned::new(ScpLevel::Ou(name.node), ou.to(name.span))))
}

/// `include = "include" path ;`
fn include<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Spanned<String>> {
    let (i, _) = cx.keyword(i, "include")?;
    cut(|i| cx.text(i, "a file path")).parse(i)
}

/// `policy_decl = [ "managed" ] "policy" name policy_body ;`
fn policy_decl<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, PolicyDecl> {
    let (i, managed) = opt(|i| cx.keyword(i, "managed")).parse(i)?;
    let (i, policy_kw) = match managed {
        Some(_) => cut(|i| cx.keyword(i, "policy")).parse(i)?,
        None => cx.keyword(i, "policy")?,
    };
    let (i, name) = cut(|i| cx.text(i, "a policy name")).parse(i)?;
    let (i, body) = cut(|i| policy_body(cx, i)).parse(i)?;
    let span = managed.unwrap_or(policy_kw).to(body_span(&body));
    let decl = PolicyDecl {
        span,
        name,
        managed: managed.is_some(),
        body,
    };
    Ok((i, decl))
}

/// `policy_block = "{" { policy_header } { statement [ ";" ] } "}" ;`
///
/// Lowered to a [`Policy`] whose span is the block; `statements` is always
/// present (an empty block gives an empty list, like `"Statement": []`).
fn policy_block<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Policy> {
    let (mut i, open) = cx.punct(i, "{")?;
    let mut version = None;
    let mut id = None;
    while let Some((rest, (header, keyword_span, value))) = attempt(policy_header(cx, i))? {
        let (slot, name) = match header {
            Header::Version => (&mut version, "version"),
            Header::Id => (&mut id, "id"),
        };
        if slot.is_some() {
            return Err(fatal(
                keyword_span,
                ParseErrorKind::DuplicateKey(name.to_owned()),
            ));
        }
        *slot = Some(value);
        i = rest;
    }
    let mut statements: Vec<Statement> = Vec::new();
    let close = loop {
        if let Some((rest, close)) = attempt(cx.punct(i, "}"))? {
            i = rest;
            break close;
        }
        let (rest, st) = cut(|i| statement(cx, i)).parse(i)?;
        if statements.len() >= cx.max_statements {
            return Err(cx.too_many_statements(st.span));
        }
        statements.push(st);
        (i, ()) = cx.semicolon(rest)?;
    };
    let block = open.to(close);
    let list_span = match (statements.first(), statements.last()) {
        (Some(first), Some(last)) => first.span.to(last.span),
        _ => block,
    };
    let policy = Policy {
        span: block,
        version,
        id,
        statements: Some(Spanned::new(statements, list_span)),
    };
    Ok((i, policy))
}

/// Which header a `policy_header` sets.
enum Header {
    Version,
    Id,
}

/// `policy_header = "version" version | "id" policy_id ;`
fn policy_header<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, (Header, Span, Spanned<String>)> {
    let (i, (header, keyword_span)) = alt((
        map(|i| cx.keyword(i, "version"), |s| (Header::Version, s)),
        map(|i| cx.keyword(i, "id"), |s| (Header::Id, s)),
    ))
    .parse(i)?;
    let what = match header {
        Header::Version => "a version",
        Header::Id => "a policy id",
    };
    let (i, value) = cut(|i| cx.text(i, what)).parse(i)?;
    Ok((i, (header, keyword_span, value)))
}

/// `statement = [ "sid" sid ] effect [ "not" ] action_list { statement_clause } ;`
///
/// Lowering: `not` gives `NotAction`, else `Action`. Without a resource
/// clause and without a principal clause the statement's resource is
/// implied (`implied_resource`, spanned at the effect keyword).
fn statement<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Statement> {
    let (i, sid) = opt(|i| {
        let (i, keyword_span) = cx.keyword(i, "sid")?;
        let (i, sid) = cut(|i| cx.text(i, "a statement id")).parse(i)?;
        Ok((i, (keyword_span, sid)))
    })
    .parse(i)?;
    let (i, effect) = match sid {
        Some(_) => cut(|i| effect(cx, i)).parse(i)?,
        None => effect(cx, i)?,
    };
    let (i, not) = opt(|i| cx.keyword(i, "not")).parse(i)?;
    let (mut i, actions) = cut(|i| action_list(cx, i)).parse(i)?;

    let start = sid
        .as_ref()
        .map_or(effect.span, |(keyword_span, _)| *keyword_span);
    let mut st = Statement::empty(start.to(actions.span));
    st.sid = sid.map(|(_, sid)| sid);
    if not.is_some() {
        st.not_action = Some(actions);
    } else {
        st.action = Some(actions);
    }
    while let Some((rest, clause)) = attempt(statement_clause(cx, i))? {
        match clause {
            StatementClause::Resource { not, at, list } => {
                st.span = st.span.to(list.span);
                match not {
                    false => put(&mut st.resource, list, "on", at)?,
                    true => put(&mut st.not_resource, list, "on not", at)?,
                }
            }
            StatementClause::Condition { at, condition } => {
                st.span = st.span.to(condition.span);
                put(&mut st.condition, condition, "when", at)?;
            }
            StatementClause::Principal { not, at, principal } => {
                st.span = st.span.to(principal.span);
                match not {
                    false => put(&mut st.principal, principal, "principal", at)?,
                    true => put(&mut st.not_principal, principal, "not principal", at)?,
                }
            }
        }
        i = rest;
    }
    let no_resource = st.resource.is_none() && st.not_resource.is_none();
    let no_principal = st.principal.is_none() && st.not_principal.is_none();
    if no_resource && no_principal {
        st.implied_resource = Some(effect.span);
    }
    st.effect = Some(effect);
    Ok((i, st))
}

/// Fills a statement field that a clause may set only once; a second clause
/// of the same kind is a duplicate key (`name` is the clause keyword).
fn put<T>(slot: &mut Option<T>, value: T, name: &str, at: Span) -> Result<(), Err<Fail>> {
    if slot.is_some() {
        return Err(fatal(at, ParseErrorKind::DuplicateKey(name.to_owned())));
    }
    *slot = Some(value);
    Ok(())
}

/// `effect = "allow" | "deny" ;` — lowered to `"Allow"` / `"Deny"`, spanned
/// at the keyword.
fn effect<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Spanned<String>> {
    alt((
        map(
            |i| cx.keyword(i, "allow"),
            |s| Spanned::new("Allow".to_owned(), s),
        ),
        map(
            |i| cx.keyword(i, "deny"),
            |s| Spanned::new("Deny".to_owned(), s),
        ),
    ))
    .parse(i)
}

/// `action_list = action { "," action } ;`
fn action_list<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, TextList> {
    list1(cx, i, |i| cx.text(i, "an action"))
}

/// One statement clause, with the span of its leading keyword(s).
enum StatementClause {
    Resource {
        not: bool,
        at: Span,
        list: TextList,
    },
    Condition {
        at: Span,
        condition: Spanned<Condition>,
    },
    Principal {
        not: bool,
        at: Span,
        principal: Spanned<Principal>,
    },
}

/// `statement_clause = resource_clause | condition_clause | principal_clause ;`
/// (each kind at most once per statement; `on` and `on not` are different
/// kinds, as are `principal` and `not principal`).
fn statement_clause<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, StatementClause> {
    alt((
        |i| resource_clause(cx, i),
        |i| condition_clause(cx, i),
        |i| principal_clause(cx, i),
    ))
    .parse(i)
}

/// `resource_clause = "on" [ "not" ] resource { "," resource } ;` — `Resource`,
/// or `NotResource` with `not`.
fn resource_clause<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, StatementClause> {
    let (i, on) = cx.keyword(i, "on")?;
    let (i, not) = opt(|i| cx.keyword(i, "not")).parse(i)?;
    let (i, list) = cut(|i| list1(cx, i, |i| cx.text(i, "a resource"))).parse(i)?;
    let at = not.map_or(on, |not| on.to(not));
    let clause = StatementClause::Resource {
        not: not.is_some(),
        at,
        list,
    };
    Ok((i, clause))
}

/// `condition_clause = "when" "{" { condition } "}" ;` — `Condition`.
///
/// Lowering: conditions with the same operator (spelled the same) merge into
/// one operator entry, keys in source order; a repeated operator and key is a
/// duplicate key, as in JSON. The span is the braces.
fn condition_clause<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, StatementClause> {
    let (i, at) = cx.keyword(i, "when")?;
    let (mut i, open) = cut(|i| cx.punct(i, "{")).parse(i)?;
    let mut builder = ConditionBuilder::default();
    let close = loop {
        if let Some((rest, close)) = attempt(cx.punct(i, "}"))? {
            i = rest;
            break close;
        }
        let (rest, (operator, entries)) = cut(|i| condition(cx, i)).parse(i)?;
        let op_idx = builder.operator(operator);
        for entry in entries {
            builder.entry(op_idx, entry)?;
        }
        i = rest;
    };
    let condition = Spanned::new(builder.condition, open.to(close));
    Ok((i, StatementClause::Condition { at, condition }))
}

/// Merges conditions into the JSON shape: operator → keys.
#[derive(Default)]
struct ConditionBuilder {
    condition: Condition,
    /// Operator name → index in `condition.operators`.
    operators: HashMap<String, usize>,
    /// (operator index, key) pairs seen.
    keys: HashSet<(usize, String)>,
}

impl ConditionBuilder {
    /// The index of operator `name`, added if new.
    fn operator(&mut self, name: Spanned<String>) -> usize {
        let next = self.condition.operators.len();
        let operators = &mut self.condition.operators;
        *self.operators.entry(name.node.clone()).or_insert_with(|| {
            operators.push(ConditionOperator {
                name,
                entries: Vec::new(),
            });
            next
        })
    }

    fn entry(&mut self, op_idx: usize, entry: ConditionEntry) -> Result<(), Err<Fail>> {
        if !self.keys.insert((op_idx, entry.key.node.clone())) {
            let kind = ParseErrorKind::DuplicateKey(entry.key.node);
            return Err(fatal(entry.key.span, kind));
        }
        if let Some(op) = self.condition.operators.get_mut(op_idx) {
            op.entries.push(entry);
        }
        Ok(())
    }
}

/// `condition = operator ( condition_entry | "{" { condition_entry } "}" ) ;`
fn condition<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, (Spanned<String>, Vec<ConditionEntry>)> {
    let (i, operator) = cx.text(i, "a condition operator")?;
    if let Some((mut i, _)) = attempt(cx.punct(i, "{"))? {
        let mut entries = Vec::new();
        loop {
            if let Some((rest, _)) = attempt(cx.punct(i, "}"))? {
                return Ok((rest, (operator, entries)));
            }
            let (rest, entry) = cut(|i| condition_entry(cx, i)).parse(i)?;
            entries.push(entry);
            i = rest;
        }
    }
    let (i, entry) = cut(|i| condition_entry(cx, i)).parse(i)?;
    Ok((i, (operator, vec![entry])))
}

/// `condition_entry = condition_key "=" value_list ;`
fn condition_entry<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, ConditionEntry> {
    let (i, key) = cx.text(i, "a condition key")?;
    let (i, _) = cut(|i| cx.punct(i, "=")).parse(i)?;
    let (i, values) = cut(|i| value_list(cx, i)).parse(i)?;
    Ok((i, ConditionEntry { key, values }))
}

/// `value_list = value | "[" [ value { "," value } ] "]" ;` — one value is
/// the same as a one-element list; the span of a bracketed list includes the
/// brackets.
fn value_list<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, TextList> {
    let Some((i, open)) = attempt(cx.punct(i, "["))? else {
        let (i, value) = cx.text(i, "a value")?;
        let span = value.span;
        return Ok((i, Spanned::new(vec![value], span)));
    };
    let (i, values) = opt(|i| list1(cx, i, |i| cx.text(i, "a value"))).parse(i)?;
    let (i, close) = cut(|i| cx.punct(i, "]")).parse(i)?;
    let values = values.map(|v| v.node).unwrap_or_default();
    Ok((i, Spanned::new(values, open.to(close))))
}

/// `principal_clause = [ "not" ] "principal" principal ;` — `Principal`, or
/// `NotPrincipal` with `not`.
fn principal_clause<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, StatementClause> {
    let (i, not) = opt(|i| cx.keyword(i, "not")).parse(i)?;
    let (i, keyword_span) = match not {
        Some(_) => cut(|i| cx.keyword(i, "principal")).parse(i)?,
        None => cx.keyword(i, "principal")?,
    };
    let (i, principal) = cut(|i| principal(cx, i)).parse(i)?;
    let at = not.map_or(keyword_span, |not| not.to(keyword_span));
    let clause = StatementClause::Principal {
        not: not.is_some(),
        at,
        principal,
    };
    Ok((i, clause))
}

/// `principal = principal_entry { "," principal_entry } | "*" | string ;`
///
/// Lowering: `*` or a string gives `Principal::Bare`; entries give
/// `Principal::Map` with one key per kind (`AWS`, `Service`, `Federated`,
/// `CanonicalUser`) in order of first use, values of repeated kinds merged.
fn principal<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Spanned<Principal>> {
    if let Some((mut i, first)) = attempt(principal_entry(cx, i))? {
        let mut span = first.0.span.to(first.1.span);
        let mut map: Vec<(Spanned<String>, TextList)> = vec![first];
        while let Some((rest, _)) = attempt(cx.punct(i, ","))? {
            let (rest, (kind, values)) = cut(|i| principal_entry(cx, i)).parse(rest)?;
            span = span.to(values.span);
            match map.iter_mut().find(|(k, _)| k.node == kind.node) {
                Some((_, existing)) => {
                    existing.span = existing.span.to(values.span);
                    existing.node.extend(values.node);
                }
                None => map.push((kind, values)),
            }
            i = rest;
        }
        return Ok((i, Spanned::new(Principal::Map(map), span)));
    }
    if let Some((i, star)) = attempt(cx.keyword(i, "*"))? {
        let bare = Spanned::new("*".to_owned(), star);
        return Ok((i, Spanned::new(Principal::Bare(bare), star)));
    }
    if i.starts_with('"') {
        let (i, text) = cx.text(i, "a string")?;
        let span = text.span;
        return Ok((i, Spanned::new(Principal::Bare(text), span)));
    }
    cx.fail(i, Expected::Thing("a string"))
}

/// `principal_entry = principal_kind value_list ;`
/// `principal_kind = "aws" | "service" | "federated" | "canonical_user" ;`
fn principal_entry<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, (Spanned<String>, TextList)> {
    let (i, kind) = alt((
        map(
            |i| cx.keyword(i, "aws"),
            |s| Spanned::new("AWS".to_owned(), s),
        ),
        map(
            |i| cx.keyword(i, "service"),
            |s| Spanned::new("Service".to_owned(), s),
        ),
        map(
            |i| cx.keyword(i, "federated"),
            |s| Spanned::new("Federated".to_owned(), s),
        ),
        map(
            |i| cx.keyword(i, "canonical_user"),
            |s| Spanned::new("CanonicalUser".to_owned(), s),
        ),
    ))
    .parse(i)?;
    let (i, values) = cut(|i| value_list(cx, i)).parse(i)?;
    Ok((i, (kind, values)))
}

/// `entity_decl = entity_kind name [ "{" { clause [ ";" ] } "}" ] ;`
/// `entity_kind = "user" | "group" | "role" | "service-linked-role"
///              | "assumed-role" | "federated-user" ;`
///
/// The name of an `assumed-role` is `ROLE/SESSION`, as in its table name.
fn entity_decl<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, EntityDecl> {
    let (i, (kind, keyword_span)) = alt((
        map(|i| cx.keyword(i, "user"), |s| (EntityKind::User, s)),
        map(|i| cx.keyword(i, "group"), |s| (EntityKind::Group, s)),
        map(|i| cx.keyword(i, "role"), |s| (EntityKind::Role, s)),
        map(
            |i| cx.keyword(i, "service-linked-role"),
            |s| (EntityKind::ServiceLinkedRole, s),
        ),
        map(
            |i| cx.keyword(i, "assumed-role"),
            |s| (EntityKind::Session, s),
        ),
        map(
            |i| cx.keyword(i, "federated-user"),
            |s| (EntityKind::FederatedUser, s),
        ),
    ))
    .parse(i)?;
    let what = match kind {
        EntityKind::User => "a user name",
        EntityKind::Group => "a group name",
        EntityKind::Role | EntityKind::ServiceLinkedRole => "a role name",
        EntityKind::Session => "a session as `ROLE/SESSION`",
        EntityKind::FederatedUser => "a federated user name",
    };
    let (i, name) = cut(|i| cx.text(i, what)).parse(i)?;
    let mut span = keyword_span.to(name.span);
    let mut clauses = Vec::new();
    let Some((mut i, _)) = attempt(cx.punct(i, "{"))? else {
        return Ok((
            i,
            EntityDecl {
                span,
                kind,
                name,
                clauses,
            },
        ));
    };
    loop {
        if let Some((rest, close)) = attempt(cx.punct(i, "}"))? {
            span = span.to(close);
            i = rest;
            break;
        }
        let (rest, c) = cut(|i| clause(cx, i)).parse(i)?;
        clauses.push(c);
        (i, ()) = cx.semicolon(rest)?;
    }
    Ok((
        i,
        EntityDecl {
            span,
            kind,
            name,
            clauses,
        },
    ))
}

/// `clause = member_clause | attach_clause | boundary_clause | policy_decl
///         | trust_clause | tag_clause | path_clause | account_clause
///         | service_clause | caller_clause ;`
fn clause<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Clause> {
    alt((
        |i| member_clause(cx, i),
        |i| attach_clause(cx, i),
        |i| boundary_clause(cx, i),
        map(|i| policy_decl(cx, i), Clause::Inline),
        |i| trust_clause(cx, i),
        |i| tag_clause(cx, i),
        |i| path_clause(cx, i),
        map(|i| account_decl(cx, i), Clause::Account),
        |i| service_clause(cx, i),
        |i| caller_clause(cx, i),
    ))
    .parse(i)
}

/// `service_clause = "service" service ;`
fn service_clause<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Clause> {
    let (i, _) = cx.keyword(i, "service")?;
    let (i, service) = cut(|i| cx.text(i, "a service principal")).parse(i)?;
    Ok((i, Clause::Service(service)))
}

/// `caller_clause = "user" name ;`
fn caller_clause<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Clause> {
    let (i, _) = cx.keyword(i, "user")?;
    let (i, name) = cut(|i| cx.text(i, "a user name")).parse(i)?;
    Ok((i, Clause::Caller(name)))
}

/// `member_clause = "member" name { "," name } ;`
fn member_clause<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Clause> {
    let (i, _) = cx.keyword(i, "member")?;
    let (i, names) = cut(|i| list1(cx, i, |i| cx.text(i, "a group name"))).parse(i)?;
    Ok((i, Clause::Member(names.node)))
}

/// `attach_clause = "attach" name { "," name } ;`
fn attach_clause<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Clause> {
    let (i, _) = cx.keyword(i, "attach")?;
    let (i, names) = cut(|i| list1(cx, i, |i| cx.text(i, "a policy name"))).parse(i)?;
    Ok((i, Clause::Attach(names.node)))
}

/// `boundary_clause = "boundary" name ;`
fn boundary_clause<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Clause> {
    let (i, _) = cx.keyword(i, "boundary")?;
    let (i, name) = cut(|i| cx.text(i, "a policy name")).parse(i)?;
    Ok((i, Clause::Boundary(name)))
}

/// `trust_clause = "trust" ( policy_body | trust_target { "," trust_target } ) ;`
fn trust_clause<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Clause> {
    let (mut i, span) = cx.keyword(i, "trust")?;
    if let Some((rest, body)) = attempt(policy_body(cx, i))? {
        return Ok((rest, Clause::TrustPolicy { span, body }));
    }
    let mut targets = Vec::new();
    loop {
        let (rest, target) = cut(|i| trust_target(cx, i)).parse(i)?;
        targets.push(target);
        match attempt(cx.punct(rest, ","))? {
            Some((rest, _)) => i = rest,
            None => return Ok((rest, Clause::Trust(targets))),
        }
    }
}

/// `trust_target = "user" name | "role" name | "account" account | "service" service ;`
fn trust_target<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, TrustTarget> {
    let (i, (kind, keyword_span)) = alt((
        map(|i| cx.keyword(i, "user"), |s| (TrustKind::User, s)),
        map(|i| cx.keyword(i, "role"), |s| (TrustKind::Role, s)),
        map(|i| cx.keyword(i, "account"), |s| (TrustKind::Account, s)),
        map(|i| cx.keyword(i, "service"), |s| (TrustKind::Service, s)),
    ))
    .parse(i)?;
    let what = match kind {
        TrustKind::User => "a user name",
        TrustKind::Role => "a role name",
        TrustKind::Account => "an account id",
        TrustKind::Service => "a service principal",
    };
    let (i, name) = cut(|i| cx.text(i, what)).parse(i)?;
    let span = keyword_span.to(name.span);
    Ok((i, TrustTarget { span, kind, name }))
}

/// `tag_clause = "tag" tag_key "=" tag_value ;`
fn tag_clause<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Clause> {
    let (i, _) = cx.keyword(i, "tag")?;
    let (i, key) = cut(|i| cx.text(i, "a tag key")).parse(i)?;
    let (i, _) = cut(|i| cx.punct(i, "=")).parse(i)?;
    let (i, value) = cut(|i| cx.text(i, "a tag value")).parse(i)?;
    Ok((i, Clause::Tag { key, value }))
}

/// `path_clause = "path" path ;`
fn path_clause<'s>(cx: &Cx<'s>, i: &'s str) -> PResult<'s, Clause> {
    let (i, _) = cx.keyword(i, "path")?;
    let (i, path) = cut(|i| cx.text(i, "a path")).parse(i)?;
    Ok((i, Clause::Path(path)))
}
