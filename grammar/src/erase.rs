//! Span erasure: [`EraseSpans`] zeroes every span of a syntax tree, so two
//! trees read from different texts (a DSL file and its formatted version, a
//! JSON document and its DSL twin) can be compared by content alone.
//!
//! Only the trees of policies and `.vp` files are covered; account dumps and
//! generic JSON values have no use for it.

use crate::ast::{
    Clause, Condition, EntityDecl, File, Item, Policy, PolicyBody, PolicyDecl, Principal, ScpDecl,
    ScpLevel, Statement, TrustTarget,
};
use crate::span::{Span, Spanned};

/// Zeroes every [`Span`] in a tree, in place.
pub trait EraseSpans {
    fn erase_spans(&mut self);
}

impl EraseSpans for Spanned<String> {
    fn erase_spans(&mut self) {
        self.span = Span::default();
    }
}

impl EraseSpans for Spanned<Vec<Spanned<String>>> {
    fn erase_spans(&mut self) {
        self.span = Span::default();
        self.node.iter_mut().for_each(EraseSpans::erase_spans);
    }
}

impl<T: EraseSpans> EraseSpans for Option<T> {
    fn erase_spans(&mut self) {
        if let Some(inner) = self {
            inner.erase_spans();
        }
    }
}

impl EraseSpans for Vec<Spanned<String>> {
    fn erase_spans(&mut self) {
        self.iter_mut().for_each(EraseSpans::erase_spans);
    }
}

impl EraseSpans for Spanned<Principal> {
    fn erase_spans(&mut self) {
        self.span = Span::default();
        match &mut self.node {
            Principal::Bare(text) => text.erase_spans(),
            Principal::Map(map) => {
                for (kind, values) in map {
                    kind.erase_spans();
                    values.erase_spans();
                }
            }
        }
    }
}

impl EraseSpans for Spanned<Condition> {
    fn erase_spans(&mut self) {
        self.span = Span::default();
        for operator in &mut self.node.operators {
            operator.name.erase_spans();
            for entry in &mut operator.entries {
                entry.key.erase_spans();
                entry.values.erase_spans();
            }
        }
    }
}

impl EraseSpans for Statement {
    fn erase_spans(&mut self) {
        self.span = Span::default();
        self.sid.erase_spans();
        self.effect.erase_spans();
        self.action.erase_spans();
        self.not_action.erase_spans();
        self.resource.erase_spans();
        self.not_resource.erase_spans();
        if let Some(at) = &mut self.implied_resource {
            *at = Span::default();
        }
        self.principal.erase_spans();
        self.not_principal.erase_spans();
        self.condition.erase_spans();
    }
}

impl EraseSpans for Policy {
    fn erase_spans(&mut self) {
        self.span = Span::default();
        self.version.erase_spans();
        self.id.erase_spans();
        if let Some(statements) = &mut self.statements {
            statements.span = Span::default();
            statements.node.iter_mut().for_each(EraseSpans::erase_spans);
        }
    }
}

impl EraseSpans for PolicyBody {
    fn erase_spans(&mut self) {
        match self {
            PolicyBody::Inline(policy) => policy.erase_spans(),
            PolicyBody::Import(path) => path.erase_spans(),
        }
    }
}

impl EraseSpans for PolicyDecl {
    fn erase_spans(&mut self) {
        self.span = Span::default();
        self.name.erase_spans();
        self.body.erase_spans();
    }
}

impl EraseSpans for Spanned<ScpLevel> {
    fn erase_spans(&mut self) {
        self.span = Span::default();
    }
}

impl EraseSpans for ScpDecl {
    fn erase_spans(&mut self) {
        self.span = Span::default();
        self.name.erase_spans();
        self.level.erase_spans();
        self.body.erase_spans();
    }
}

impl EraseSpans for TrustTarget {
    fn erase_spans(&mut self) {
        self.span = Span::default();
        self.name.erase_spans();
    }
}

impl EraseSpans for Clause {
    fn erase_spans(&mut self) {
        match self {
            Clause::Attach(names) | Clause::Member(names) => names.erase_spans(),
            Clause::Boundary(name)
            | Clause::Path(name)
            | Clause::Account(name)
            | Clause::Service(name)
            | Clause::Caller(name) => name.erase_spans(),
            Clause::Inline(decl) => decl.erase_spans(),
            Clause::Trust(targets) => targets.iter_mut().for_each(EraseSpans::erase_spans),
            Clause::TrustPolicy { span, body } => {
                *span = Span::default();
                body.erase_spans();
            }
            Clause::Tag { key, value } => {
                key.erase_spans();
                value.erase_spans();
            }
        }
    }
}

impl EraseSpans for EntityDecl {
    fn erase_spans(&mut self) {
        self.span = Span::default();
        self.name.erase_spans();
        self.clauses.iter_mut().for_each(EraseSpans::erase_spans);
    }
}

impl EraseSpans for Item {
    fn erase_spans(&mut self) {
        match self {
            Item::Include(path) | Item::Account(path) => path.erase_spans(),
            Item::Policy(decl) => decl.erase_spans(),
            Item::Scp(decl) => decl.erase_spans(),
            Item::Entity(entity) => entity.erase_spans(),
        }
    }
}

impl EraseSpans for File {
    fn erase_spans(&mut self) {
        self.items.iter_mut().for_each(EraseSpans::erase_spans);
    }
}
