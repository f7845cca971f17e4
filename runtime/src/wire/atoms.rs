//! The wire form of atoms and residual programs, shared by the body and the
//! provenance section: serde mirror types of [`Atom`], [`Template`],
//! [`Lit`] and [`Residual`], operators and set prefixes stored as their
//! index in [`OPERATORS`] and [`SET_OPS`].

use serde::{Deserialize, Serialize};

use crate::error::LoadError;
use crate::parts::{Atom, Condition, Lit, Operator, Part, Residual, SetOp, Template};

#[derive(Serialize, Deserialize)]
pub(super) enum WireAtom {
    Resource {
        patterns: Vec<Vec<WirePart>>,
        not: bool,
    },
    Condition {
        /// [`SetOp`] as its index in [`SET_OPS`].
        set: u8,
        /// [`Operator`] as its index in [`OPERATORS`].
        op: u8,
        if_exists: bool,
        key: String,
        /// [`Condition::fixed`] (version 3).
        fixed: Option<String>,
        values: Vec<Vec<WirePart>>,
    },
}

#[derive(Serialize, Deserialize)]
pub(super) enum WirePart {
    Text(String),
    Literal(String),
    Var {
        key: String,
        default: Option<String>,
    },
}

/// Set operators in their stored order.
pub(super) const SET_OPS: [SetOp; 3] = [SetOp::None, SetOp::ForAllValues, SetOp::ForAnyValue];

/// Condition operators in their stored order: [`Operator::ALL`] (the
/// wire format stores an operator as its index there).
pub(super) const OPERATORS: [Operator; 27] = Operator::ALL;

#[derive(Serialize, Deserialize)]
pub(super) struct WireLit {
    atom: u32,
    negated: bool,
}

pub(super) type WireDnf = Vec<Vec<WireLit>>;

#[derive(Serialize, Deserialize)]
pub(super) struct WireResidual {
    deny: WireDnf,
    allow: Vec<WireDnf>,
}

pub(super) fn atom_from_wire(atom: WireAtom) -> Result<Atom, LoadError> {
    Ok(match atom {
        WireAtom::Resource { patterns, not } => Atom::Resource {
            patterns: patterns.into_iter().map(template_from_wire).collect(),
            not,
        },
        WireAtom::Condition {
            set,
            op,
            if_exists,
            key,
            fixed,
            values,
        } => Atom::Condition(Condition {
            set: *SET_OPS
                .get(usize::from(set))
                .ok_or_else(|| LoadError::invalid(format!("unknown set operator {set}")))?,
            op: *OPERATORS
                .get(usize::from(op))
                .ok_or_else(|| LoadError::invalid(format!("unknown condition operator {op}")))?,
            if_exists,
            key,
            fixed,
            values: values.into_iter().map(template_from_wire).collect(),
        }),
    })
}

pub(super) fn template_from_wire(parts: Vec<WirePart>) -> Template {
    Template(
        parts
            .into_iter()
            .map(|part| match part {
                WirePart::Text(text) => Part::Text(text),
                WirePart::Literal(text) => Part::Literal(text),
                WirePart::Var { key, default } => Part::Var { key, default },
            })
            .collect(),
    )
}

pub(super) fn template_to_wire(parts: Template) -> Vec<WirePart> {
    parts
        .0
        .into_iter()
        .map(|part| match part {
            Part::Text(text) => WirePart::Text(text),
            Part::Literal(text) => WirePart::Literal(text),
            Part::Var { key, default } => WirePart::Var { key, default },
        })
        .collect()
}

pub(super) fn position<T: PartialEq>(all: &[T], item: &T) -> u8 {
    // Every variant is listed, so the position exists; the lists are short.
    all.iter()
        .position(|x| x == item)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(u8::MAX)
}

pub(super) fn dnf_from_wire(dnf: WireDnf) -> Vec<Vec<Lit>> {
    dnf.into_iter()
        .map(|clause| {
            clause
                .into_iter()
                .map(|lit| Lit {
                    atom: lit.atom,
                    negated: lit.negated,
                })
                .collect()
        })
        .collect()
}

pub(super) fn residual_from_wire(residual: WireResidual) -> Residual {
    Residual {
        deny: dnf_from_wire(residual.deny),
        allow: residual.allow.into_iter().map(dnf_from_wire).collect(),
    }
}

pub(super) fn atom_to_wire(atom: Atom) -> WireAtom {
    match atom {
        Atom::Resource { patterns, not } => WireAtom::Resource {
            patterns: patterns.into_iter().map(template_to_wire).collect(),
            not,
        },
        Atom::Condition(Condition {
            set,
            op,
            if_exists,
            key,
            fixed,
            values,
        }) => WireAtom::Condition {
            set: position(&SET_OPS, &set),
            op: position(&OPERATORS, &op),
            if_exists,
            key,
            fixed,
            values: values.into_iter().map(template_to_wire).collect(),
        },
    }
}

pub(super) fn dnf_to_wire(dnf: Vec<Vec<Lit>>) -> WireDnf {
    dnf.into_iter()
        .map(|clause| {
            clause
                .into_iter()
                .map(|lit| WireLit {
                    atom: lit.atom,
                    negated: lit.negated,
                })
                .collect()
        })
        .collect()
}

pub(super) fn residual_to_wire(residual: Residual) -> WireResidual {
    WireResidual {
        deny: dnf_to_wire(residual.deny),
        allow: residual.allow.into_iter().map(dnf_to_wire).collect(),
    }
}
