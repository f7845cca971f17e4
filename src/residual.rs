//! Human-readable rendering of residual programs (SEMANTICS T4), for
//! `inspect` and `explain`: `deny if …; allow if …`.

use std::fmt::Write as _;

use verdict_runtime::parts::{Atom, Dnf, Part, Residual, SetOp, Template};

/// One line describing `residual`, e.g.
/// `deny if NotIpAddress aws:sourceip ["10.0.0.0/8"]; allow always`.
pub fn describe(residual: &Residual, atoms: &[Atom]) -> String {
    let mut out = String::new();
    if !residual.deny.is_empty() {
        let _ = write!(out, "deny if {}; ", dnf(&residual.deny, atoms));
    }
    if residual.allow.is_empty() {
        out.push_str("allow otherwise");
    } else {
        let steps: Vec<String> = residual
            .allow
            .iter()
            .map(|step| {
                if step.len() > 1 && residual.allow.len() > 1 {
                    format!("({})", dnf(step, atoms))
                } else {
                    dnf(step, atoms)
                }
            })
            .collect();
        let _ = write!(out, "allow if {}", steps.join(" and "));
    }
    out
}

fn dnf(dnf: &Dnf, atoms: &[Atom]) -> String {
    if dnf.is_empty() {
        return "never".to_string();
    }
    let clauses: Vec<String> = dnf
        .iter()
        .map(|clause| {
            if clause.is_empty() {
                return "always".to_string();
            }
            let lits: Vec<String> = clause
                .iter()
                .map(|lit| {
                    let atom = atoms
                        .get(lit.atom as usize)
                        .map_or_else(|| format!("<atom {}>", lit.atom), atom_text);
                    if lit.negated {
                        format!("not ({atom})")
                    } else {
                        atom
                    }
                })
                .collect();
            let joined = lits.join(" and ");
            if dnf.len() > 1 && clause.len() > 1 {
                format!("({joined})")
            } else {
                joined
            }
        })
        .collect();
    clauses.join(" or ")
}

/// One atom: `ForAnyValue:StringLikeIfExists aws:tagkeys ["a*", "b"]`,
/// `StringEquals aws:principalaccount (= "111122223333") ["${aws:resourceaccount}"]`
/// for a key the model fixes, or `resource matches ["arn:aws:s3:::b/*"]`.
pub fn atom_text(atom: &Atom) -> String {
    match atom {
        Atom::Resource { patterns, not } => format!(
            "resource {} [{}]",
            if *not { "matches none of" } else { "matches" },
            list(patterns)
        ),
        Atom::Condition(c) => {
            let prefix = match c.set {
                SetOp::None => "",
                SetOp::ForAllValues => "ForAllValues:",
                SetOp::ForAnyValue => "ForAnyValue:",
            };
            // A key the model fixes: its value, then the values with variables.
            let fixed = c
                .fixed
                .as_deref()
                .map(|v| format!(" (= \"{}\")", v.replace('\\', "\\\\").replace('"', "\\\"")))
                .unwrap_or_default();
            format!(
                "{prefix}{:?}{} {}{fixed} [{}]",
                c.op,
                if c.if_exists { "IfExists" } else { "" },
                c.key,
                list(&c.values)
            )
        }
    }
}

fn list(values: &[Template]) -> String {
    values.iter().map(template).collect::<Vec<_>>().join(", ")
}

/// A template as a JSON-like string: text as written, variables as
/// `${key}` / `${key, 'default'}`, literal text in `${*}`-escaped form.
fn template(t: &Template) -> String {
    let mut out = String::from('"');
    for part in &t.0 {
        match part {
            Part::Text(text) => out.push_str(&text.replace('"', "\\\"")),
            Part::Literal(text) => {
                for c in text.chars() {
                    match c {
                        '*' => out.push_str("${*}"),
                        '?' => out.push_str("${?}"),
                        '$' => out.push_str("${$}"),
                        '"' => out.push_str("\\\""),
                        c => out.push(c),
                    }
                }
            }
            Part::Var { key, default } => match default {
                Some(d) => {
                    let _ = write!(out, "${{{key}, '{d}'}}");
                }
                None => {
                    let _ = write!(out, "${{{key}}}");
                }
            },
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use verdict_runtime::parts::{Condition, Lit, Operator};

    #[test]
    fn describes_deny_and_allow_steps() {
        let atoms = vec![
            Atom::Condition(Condition {
                set: SetOp::None,
                op: Operator::NotIpAddress,
                if_exists: false,
                key: "aws:sourceip".into(),
                fixed: None,
                values: vec!["10.0.0.0/8".into()],
            }),
            Atom::Resource {
                patterns: vec![Template(vec![
                    Part::Text("arn:aws:s3:::home/".into()),
                    Part::Var {
                        key: "aws:requesttag/team".into(),
                        default: Some("x".into()),
                    },
                    Part::Literal("*".into()),
                ])],
                not: false,
            },
        ];
        let residual = Residual {
            deny: vec![vec![Lit {
                atom: 0,
                negated: false,
            }]],
            allow: vec![vec![vec![Lit {
                atom: 1,
                negated: false,
            }]]],
        };
        assert_eq!(
            describe(&residual, &atoms),
            "deny if NotIpAddress aws:sourceip [\"10.0.0.0/8\"]; \
             allow if resource matches [\"arn:aws:s3:::home/${aws:requesttag/team, 'x'}${*}\"]"
        );
        let always = Residual {
            deny: vec![vec![Lit {
                atom: 0,
                negated: true,
            }]],
            allow: vec![],
        };
        assert_eq!(
            describe(&always, &atoms),
            "deny if not (NotIpAddress aws:sourceip [\"10.0.0.0/8\"]); allow otherwise"
        );
    }

    #[test]
    fn describes_a_key_the_model_fixes_with_its_value() {
        let atom = Atom::Condition(Condition {
            set: SetOp::ForAnyValue,
            op: Operator::StringLike,
            if_exists: true,
            key: "aws:principalaccount".into(),
            fixed: Some("1111\"2222*".into()),
            values: vec![Template(vec![
                Part::Var {
                    key: "aws:resourceaccount".into(),
                    default: None,
                },
                Part::Text("*".into()),
            ])],
        });
        assert_eq!(
            atom_text(&atom),
            "ForAnyValue:StringLikeIfExists aws:principalaccount (= \"1111\\\"2222*\") \
             [\"${aws:resourceaccount}*\"]"
        );
    }
}
