//! Outcome sets and comparisons against brute force: random residual programs
//! over random atoms of every operator family, set prefix and `IfExists`, and
//! Resource/NotResource entries, evaluated on a large pool of requests. Every
//! decision the pool produces must be in the computed set (completeness), every
//! computed decision must come with a witness that evaluates to it (soundness),
//! and the sets must be exact where no variables are involved.

use proptest::prelude::*;

use super::*;
use crate::parts::{Lit, TableParts};
use crate::types::AccessLevel;
use Operator as O;

fn cond(op: Operator, key: &str, values: &[&str]) -> Atom {
    Atom::Condition(Condition {
        set: SetOp::None,
        op,
        if_exists: false,
        key: key.to_owned(),
        fixed: None,
        values: values.iter().map(|&v| Template::from(v)).collect(),
    })
}

fn lit(atom: u32, negated: bool) -> Lit {
    Lit { atom, negated }
}

/// A table with one conditional cell per residual, over `atoms`.
fn table(atoms: Vec<Atom>, residuals: Vec<Residual>) -> Table {
    let n = residuals.len() as u32;
    let parts = TableParts {
        catalog: "prop".into(),
        principals: vec!["user/p".into()],
        principal_arns: vec![String::new()],
        actions: (0..n.max(1)).map(|i| format!("svc:Act{i}")).collect(),
        action_access: vec![AccessLevel::Read; n.max(1) as usize],
        action_wildcard_only: vec![false; n.max(1) as usize],
        principal_row: vec![0],
        action_col: (0..n.max(1)).collect(),
        n_rows: 1,
        n_cols: n.max(1),
        cells: if n == 0 {
            vec![Cell::ImplicitDeny]
        } else {
            vec![Cell::Conditional; n as usize]
        },
        atoms,
        conditional: (0..n).map(|i| (0, i, i)).collect(),
        residuals,
        ..TableParts::default()
    };
    match Table::from_parts(parts) {
        Ok(table) => table,
        Err(err) => panic!("{err}"),
    }
}

#[test]
fn a_guard_rail_alone_never_allows() {
    // `deny chime:* when { NotIpAddress aws:SourceIp = "10.0.0.0/8" }` on a cell
    // with no allow: deny if …; allow if never.
    let t = table(
        vec![cond(O::NotIpAddress, "aws:sourceip", &["10.0.0.0/8"])],
        vec![Residual {
            deny: vec![vec![lit(0, false)]],
            allow: vec![vec![]],
        }],
    );
    let outcomes = t.residual_outcomes(0);
    assert!(outcomes.is_exact());
    assert!(!outcomes.may_allow());
    assert!(outcomes.witnessed(Decision::Deny));
    assert!(outcomes.witnessed(Decision::ImplicitDeny));
    assert_eq!(outcomes.to_string(), "deny or implicit-deny");
    assert_eq!(t.cell_outcomes(0, 0), outcomes);
    let deny = t.residual_witness(0, Decision::Deny).unwrap();
    assert_eq!(
        t.decide_residual(&t.residuals()[0], &deny.as_request()),
        Decision::Deny
    );
}

#[test]
fn the_whole_address_space_is_not_a_tautology() {
    // Absent, unreadable and IPv6 values are outside 0.0.0.0/0.
    let t = table(
        vec![cond(O::IpAddress, "aws:sourceip", &["0.0.0.0/0"])],
        vec![Residual {
            deny: vec![],
            allow: vec![vec![vec![lit(0, false)]]],
        }],
    );
    let outcomes = t.residual_outcomes(0);
    assert!(outcomes.is_exact());
    assert!(outcomes.witnessed(Decision::Allow));
    assert!(outcomes.witnessed(Decision::ImplicitDeny));
    assert!(!outcomes.may(Decision::Deny));
}

#[test]
fn unsatisfiable_atoms_count_as_such() {
    // NumericLessThan 1 and NumericGreaterThan 2 on one key never hold together.
    let t = table(
        vec![
            cond(O::NumericLessThan, "n", &["1"]),
            cond(O::NumericGreaterThan, "n", &["2"]),
            cond(O::StringLike, "s", &["a*"]),
            cond(O::StringNotLike, "s", &["*"]),
        ],
        vec![
            Residual {
                deny: vec![],
                allow: vec![vec![vec![lit(0, false), lit(1, false)]]],
            },
            // StringNotLike "*" holds only when the key is absent; StringLike a*
            // never then.
            Residual {
                deny: vec![],
                allow: vec![vec![vec![lit(2, false), lit(3, false)]]],
            },
        ],
    );
    for idx in 0..2 {
        let outcomes = t.residual_outcomes(idx);
        assert!(outcomes.is_exact(), "{idx}");
        assert_eq!(outcomes.single(), Some(Decision::ImplicitDeny), "{idx}");
    }
}

#[test]
fn widening_a_network_is_a_gain_with_a_witness() {
    let old = table(
        vec![cond(O::IpAddress, "aws:sourceip", &["10.0.0.0/8"])],
        vec![Residual {
            deny: vec![],
            allow: vec![vec![vec![lit(0, false)]]],
        }],
    );
    let new = table(
        vec![cond(O::IpAddress, "aws:sourceip", &["0.0.0.0/0"])],
        vec![Residual {
            deny: vec![],
            allow: vec![vec![vec![lit(0, false)]]],
        }],
    );
    let (o, n) = (&old.residuals()[0], &new.residuals()[0]);
    let cmp = compare((&old, o), (&new, n));
    assert_eq!(cmp.loss, Verdict::None);
    let Verdict::Witness(w) = &cmp.gain else {
        panic!("{cmp:?}")
    };
    assert_eq!(new.decide_residual(n, &w.as_request()), Decision::Allow);
    assert_ne!(old.decide_residual(o, &w.as_request()), Decision::Allow);
    // The reverse is a loss only.
    let back = compare((&new, n), (&old, o));
    assert_eq!(back.gain, Verdict::None);
    assert!(matches!(back.loss, Verdict::Witness(_)));
    // Equal programs: neither.
    let same = compare((&old, o), (&old, o));
    assert_eq!(
        (same.gain, same.loss, same.deny_changed),
        (Verdict::None, Verdict::None, Verdict::None)
    );
    // Unconditional sides.
    let allow = constant_residual(Decision::Allow);
    let to_allow = compare((&old, o), (&old, &allow));
    assert!(matches!(to_allow.gain, Verdict::Witness(_)));
    assert_eq!(to_allow.loss, Verdict::None);
}

#[test]
fn a_variable_over_another_key_is_inexact_but_witnessed() {
    let t = table(
        vec![Atom::Condition(Condition {
            set: SetOp::None,
            op: O::StringEquals,
            if_exists: false,
            key: "aws:username".into(),
            fixed: None,
            values: vec![Template(vec![Part::Var {
                key: "aws:principaltag/owner".into(),
                default: None,
            }])],
        })],
        vec![Residual {
            deny: vec![],
            allow: vec![vec![vec![lit(0, false)]]],
        }],
    );
    let outcomes = t.residual_outcomes(0);
    assert!(!outcomes.is_exact());
    // Equal values are found through the shared pool.
    assert!(outcomes.witnessed(Decision::Allow));
    assert!(outcomes.may(Decision::Deny));
}

#[test]
fn a_key_the_model_fixes_is_met_by_the_variables_key() {
    // `StringEquals aws:PrincipalAccount (= "111122223333") ["${aws:ResourceAccount}"]`:
    // only a request whose `aws:ResourceAccount` is that account allows.
    let t = table(
        vec![Atom::Condition(Condition {
            set: SetOp::None,
            op: O::StringEquals,
            if_exists: false,
            key: "aws:principalaccount".into(),
            fixed: Some("111122223333".into()),
            values: vec![Template(vec![Part::Var {
                key: "aws:resourceaccount".into(),
                default: None,
            }])],
        })],
        vec![Residual {
            deny: vec![],
            allow: vec![vec![vec![lit(0, false)]]],
        }],
    );
    let outcomes = t.residual_outcomes(0);
    assert!(!outcomes.is_exact());
    assert!(outcomes.witnessed(Decision::Allow));
    assert!(outcomes.witnessed(Decision::ImplicitDeny));
    let Some(witness) = t.residual_witness(0, Decision::Allow) else {
        panic!("no witness for allow");
    };
    assert_eq!(
        t.decide_residual(t.residuals().first().unwrap(), &witness.as_request()),
        Decision::Allow
    );
}

#[test]
fn multivalued_keys_combine_behaviours() {
    // ForAllValues:StringEquals [a] and ForAnyValue:StringEquals [b] both hold
    // only for a list of a's with... never (b is not a); ForAnyValue a with
    // ForAnyValue b needs a list holding both.
    let mut all_a = cond(O::StringEquals, "t", &["a"]);
    let mut any_b = cond(O::StringEquals, "t", &["b"]);
    let mut any_a = cond(O::StringEquals, "t", &["a"]);
    if let Atom::Condition(c) = &mut all_a {
        c.set = SetOp::ForAllValues;
    }
    if let Atom::Condition(c) = &mut any_b {
        c.set = SetOp::ForAnyValue;
    }
    if let Atom::Condition(c) = &mut any_a {
        c.set = SetOp::ForAnyValue;
    }
    let t = table(
        vec![all_a, any_b, any_a],
        vec![
            Residual {
                deny: vec![],
                allow: vec![vec![vec![lit(0, false), lit(1, false)]]],
            },
            Residual {
                deny: vec![],
                allow: vec![vec![vec![lit(2, false), lit(1, false)]]],
            },
        ],
    );
    assert_eq!(
        t.residual_outcomes(0).single(),
        Some(Decision::ImplicitDeny)
    );
    let both = t.residual_outcomes(1);
    assert!(both.is_exact() && both.witnessed(Decision::Allow));
    let w = t.residual_witness(1, Decision::Allow).unwrap();
    assert!(matches!(w.context.get("t"), Some(ContextValue::Multi(list)) if list.len() >= 2));
}

// ---------------------------------------------------------------------------
// Properties.

/// Policy values per operator family, each family on its own key (so that the
/// search is exact), plus `Null` on any key.
fn family_key_and_values(op: Operator) -> (&'static str, &'static [&'static str]) {
    use crate::value::ValueType as V;
    match crate::value::value_type(op) {
        V::String => ("s", &["a", "ab", "A", "a*", "*b", "?b", "", "x*y", "é"]),
        V::Arn => (
            "arn",
            &[
                "arn:aws:s3:::b/*",
                "arn:aws:s3:::b/k",
                "arn:*:iam::1:role/*",
                "*",
                "arn:aws:s3:*:*:*",
                "a:b:c:d:e:f",
                "arn:aws:s3:::b/k:x",
            ],
        ),
        V::Number => ("n", &["0", "1", "-1", "1.5", "10", "0.25"]),
        V::Date => (
            "d",
            &[
                "2020-01-01",
                "2020-01-01T00:00:00Z",
                "1577836801",
                "2021",
                "2020-01-01T00:00:00.5Z",
            ],
        ),
        V::Bool => ("b", &["true", "false", "x"]),
        V::Base64 => ("bin", &["AA==", "AQ==", "QUJD", "QUJDRA=="]),
        V::Network => (
            "ip",
            &[
                "10.0.0.0/8",
                "0.0.0.0/0",
                "10.1.2.3",
                "::/0",
                "2001:db8::/32",
                "10.0.0.0/31",
            ],
        ),
        V::Null => ("s", &["true", "false"]),
    }
}

const NULL_KEYS: &[&str] = &["s", "n", "ip", "m"];

fn arb_condition() -> impl Strategy<Value = Atom> {
    (
        proptest::sample::select(&Operator::ALL[..]),
        prop_oneof![
            Just(SetOp::None),
            Just(SetOp::ForAllValues),
            Just(SetOp::ForAnyValue)
        ],
        any::<bool>(),
        proptest::collection::vec(0usize..16, 1..3),
        0usize..NULL_KEYS.len(),
    )
        .prop_map(|(op, set, if_exists, picks, null_key)| {
            let (key, pool) = family_key_and_values(op);
            let key = if op == O::Null {
                NULL_KEYS.get(null_key).copied().unwrap_or("s")
            } else {
                key
            };
            let mut values: Vec<Template> = picks
                .iter()
                .filter_map(|&i| pool.get(i % pool.len()))
                .map(|&v| Template::from(v))
                .collect();
            values.sort();
            values.dedup();
            Atom::Condition(Condition {
                set,
                op,
                if_exists: if_exists && op != O::Null,
                key: key.to_owned(),
                fixed: None,
                values,
            })
        })
}

fn arb_resource_atom() -> impl Strategy<Value = Atom> {
    (
        proptest::collection::vec(
            proptest::sample::select(
                &[
                    "*",
                    "arn:aws:s3:::b/*",
                    "arn:aws:S3:::b/k",
                    "arn:aws:iam::1:role/a?",
                    "arn:aws:s3",
                    "arn:*:*:*:*:x:*",
                ][..],
            ),
            0..3,
        ),
        any::<bool>(),
    )
        .prop_map(|(patterns, not)| Atom::Resource {
            patterns: patterns.into_iter().map(Template::from).collect(),
            not,
        })
}

fn arb_atom() -> impl Strategy<Value = Atom> {
    prop_oneof![4 => arb_condition(), 1 => arb_resource_atom()]
}

fn arb_dnf(n_atoms: u32) -> impl Strategy<Value = Dnf> {
    proptest::collection::vec(
        proptest::collection::vec(
            (0..n_atoms, any::<bool>()).prop_map(|(a, n)| lit(a, n)),
            0..3,
        ),
        0..3,
    )
}

fn arb_residual(n_atoms: u32) -> impl Strategy<Value = Residual> {
    (
        arb_dnf(n_atoms),
        proptest::collection::vec(arb_dnf(n_atoms), 0..3),
    )
        .prop_map(|(deny, allow)| Residual { deny, allow })
}

/// Request values: every policy value above and values around them.
const POOL: &[&str] = &[
    "a",
    "ab",
    "A",
    "AB",
    "aab",
    "b",
    "xzy",
    "xy",
    "",
    "é",
    "É",
    "a*",
    "?b",
    "bb",
    "arn:aws:s3:::b/k",
    "arn:aws:s3:::b/x",
    "arn:aws:iam::1:role/q",
    "arn:aws:s3:::b/k:x",
    "a:b:c:d:e:f",
    "arn:x:s3:r:1:b/k",
    "0",
    "1",
    "-1",
    "1.5",
    "10",
    "0.25",
    "2",
    "0.5",
    "-2",
    "1.50",
    "2020-01-01",
    "2019-12-31",
    "2020-06-01",
    "1577836800",
    "1577836801",
    "2021-01-01T00:00:01Z",
    "2020-01-01T00:00:00.5Z",
    "true",
    "false",
    "TRUE",
    "x",
    "AA==",
    "AQ==",
    "QUJD",
    "QUJE",
    "QUJDRA==",
    "QUJDRA",
    "10.0.0.1",
    "10.0.0.0",
    "10.1.2.3",
    "11.0.0.0",
    "9.255.255.255",
    "192.0.2.1",
    "::1",
    "2001:db8::1",
    "2001:db9::",
];

fn arb_key_value() -> impl Strategy<Value = Option<ContextValue>> {
    let value = proptest::sample::select(POOL).prop_map(str::to_owned);
    prop_oneof![
        1 => Just(None),
        3 => value.clone().prop_map(|v| Some(ContextValue::Single(v))),
        2 => proptest::collection::vec(value, 0..4).prop_map(|vs| Some(ContextValue::Multi(vs))),
    ]
}

fn arb_request() -> impl Strategy<Value = OwnedRequest> {
    let keys = ["s", "arn", "n", "d", "b", "bin", "ip", "m"];
    (
        proptest::sample::select(
            &[
                "*",
                "x",
                "arn:aws:s3:::b/k",
                "arn:aws:s3:::b/x",
                "arn:AWS:S3:::B/k",
                "arn:aws:s3:::b/K",
                "arn:aws:iam::1:role/ab",
                "arn:aws:iam::1:role/abc",
                "arn:p:q:r:s:x:y",
                "arn:aws:s3",
            ][..],
        ),
        proptest::collection::vec(arb_key_value(), keys.len()),
    )
        .prop_map(move |(resource, values)| {
            let mut context = Context::new();
            for (key, value) in keys.iter().zip(values) {
                if let Some(value) = value {
                    context.insert(*key, value);
                }
            }
            OwnedRequest {
                resource: resource.to_owned(),
                context,
            }
        })
}

fn arb_case() -> impl Strategy<Value = (Vec<Atom>, Residual, Residual)> {
    proptest::collection::vec(arb_atom(), 1..6).prop_flat_map(|atoms| {
        let n = atoms.len() as u32;
        (Just(atoms), arb_residual(n), arb_residual(n))
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: crate::table::tests::cases(128),
        ..ProptestConfig::default()
    })]

    #[test]
    fn prop_outcomes_are_exact_complete_and_witnessed(
        (atoms, residual, _) in arb_case(),
        requests in proptest::collection::vec(arb_request(), 150),
    ) {
        let t = table(atoms, vec![residual.clone()]);
        let outcomes = t.residual_outcomes(0);
        prop_assert!(outcomes.is_exact(), "{:?}", residual);
        for request in &requests {
            let d = t.decide_residual(&residual, &request.as_request());
            prop_assert!(outcomes.witnessed(d), "{d} from {request:?} not in {outcomes}");
        }
        for d in ALL_DECISIONS {
            let witness = t.residual_witness(0, d);
            prop_assert_eq!(witness.is_some(), outcomes.witnessed(d));
            if let Some(w) = witness {
                prop_assert_eq!(t.decide_residual(&residual, &w.as_request()), d);
            }
        }
    }

    #[test]
    fn prop_comparisons_are_witnessed_on_both_tables(
        (atoms, old, new) in arb_case(),
        requests in proptest::collection::vec(arb_request(), 150),
    ) {
        // The two programs in two tables whose atoms are numbered differently.
        let mut reversed = atoms.clone();
        reversed.reverse();
        let n = atoms.len() as u32;
        let renumber = |dnf: &Dnf| -> Dnf {
            dnf.iter()
                .map(|c| c.iter().map(|l| lit(n - 1 - l.atom, l.negated)).collect())
                .collect()
        };
        let new = Residual {
            deny: renumber(&new.deny),
            allow: new.allow.iter().map(renumber).collect(),
        };
        let old_t = table(atoms, vec![old.clone()]);
        let new_t = table(reversed, vec![new.clone()]);
        let cmp = compare((&old_t, &old), (&new_t, &new));
        for (verdict, from, to) in [(&cmp.gain, (&old_t, &old), (&new_t, &new)), (&cmp.loss, (&new_t, &new), (&old_t, &old))] {
            prop_assert!(!matches!(verdict, Verdict::Unknown(_)), "{verdict:?}");
            if let Verdict::Witness(w) = verdict {
                prop_assert_eq!(to.0.decide_residual(to.1, &w.as_request()), Decision::Allow);
                prop_assert_ne!(from.0.decide_residual(from.1, &w.as_request()), Decision::Allow);
            }
            for request in requests.iter().take(if from.1 == &old { 150 } else { 0 }) {
                let r = request.as_request();
                let before = old_t.decide_residual(&old, &r);
                let after = new_t.decide_residual(&new, &r);
                let deny_moved = before != after && before != Decision::Allow && after != Decision::Allow;
                prop_assert!(!deny_moved || cmp.deny_changed.is_possible(), "{request:?} missed deny change: {cmp:?}");
            }
            if let Verdict::Witness(w) = &cmp.deny_changed {
                let before = old_t.decide_residual(&old, &w.as_request());
                let after = new_t.decide_residual(&new, &w.as_request());
                prop_assert!(before != after && before != Decision::Allow && after != Decision::Allow);
            }
            for request in &requests {
                let r = request.as_request();
                let moved = to.0.decide_residual(to.1, &r) == Decision::Allow
                    && from.0.decide_residual(from.1, &r) != Decision::Allow;
                prop_assert!(!moved || verdict.is_possible(), "{request:?} missed: {cmp:?}");
            }
        }
    }
}
