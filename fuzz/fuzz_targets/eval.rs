//! Fuzz target: tables built from arbitrary atoms (every condition operator, set
//! prefix and IfExists, templates with literal parts and variables, resource
//! entries) either fail to load or answer every request without panicking, and
//! answer the same after a bytes round trip.
//!
//! The input bytes are read as a little program: each byte chooses the next
//! atom, operator, value, context entry or resource. Values come half from a pool
//! of well-formed ones (so typed atoms load and evaluation is reached) and half
//! from the input itself (so malformed atoms and odd request values are tried).
#![no_main]

use verdict_runtime::parts::{
    Atom, Condition, Lit, Operator, Part, Residual, SetOp, TableParts, Template,
};
use verdict_runtime::{AccessLevel, Cell, Context, ContextValue, Request, Table};

const OPERATORS: [Operator; 27] = Operator::ALL;

const KEYS: [&str; 5] = ["k", "aws:sourceip", "aws:tagkeys", "aws:username", "tag/σας"];

/// Well-formed values of every type, and some wildcards.
const VALUES: [&str; 20] = [
    "10",
    "-0.5",
    "2030-01-01T00:00:00Z",
    "1700000000",
    "2030",
    "10.0.0.0/8",
    "10.1.2.3",
    "2001:db8::/32",
    "2001:db8::1",
    "QQ==",
    "QUI",
    "true",
    "FALSE",
    "arn:aws:s3:::b/*",
    "arn:aws:iam::1:role/a",
    "*",
    "a*b?",
    "",
    "arn:aws:s3",
    "ΣΑΣ",
];

/// The input, read front to back; zeros once it runs out.
struct Input<'a> {
    bytes: &'a [u8],
}

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((&b, rest)) => {
                self.bytes = rest;
                b
            }
            None => 0,
        }
    }

    fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n.max(1)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// A string: from the pool, or up to 15 input bytes read lossily as UTF-8.
    fn text(&mut self) -> String {
        if self.byte() & 1 == 0 {
            return self.pick(&VALUES).to_owned();
        }
        let len = self.below(16).min(self.bytes.len());
        let (head, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        String::from_utf8_lossy(head).into_owned()
    }

    fn template(&mut self) -> Template {
        let n_parts = self.below(4);
        Template(
            (0..n_parts)
                .map(|_| match self.below(4) {
                    0 | 1 => Part::Text(self.text()),
                    2 => Part::Literal(self.text()),
                    _ => Part::Var {
                        key: self.pick(&KEYS).to_owned(),
                        default: (self.byte() & 1 == 1).then(|| self.text()),
                    },
                })
                .collect(),
        )
    }

    fn atom(&mut self) -> Atom {
        if self.below(4) == 0 {
            let n = self.below(3);
            return Atom::Resource {
                patterns: (0..n).map(|_| self.template()).collect(),
                not: self.byte() & 1 == 1,
            };
        }
        let n = self.below(3);
        Atom::Condition(Condition {
            set: self.pick(&[SetOp::None, SetOp::ForAllValues, SetOp::ForAnyValue]),
            op: self.pick(&OPERATORS),
            if_exists: self.byte() & 1 == 1,
            key: self.pick(&KEYS).to_owned(),
            // A key fixed by the model; rejected on load unless a value has a variable.
            fixed: (self.below(4) == 0).then(|| self.text()),
            values: (0..n).map(|_| self.template()).collect(),
        })
    }

    fn context(&mut self) -> Context {
        let mut ctx = Context::new();
        for _ in 0..self.below(5) {
            let key = self.pick(&["K", "aws:SourceIp", "AWS:TagKeys", "aws:username", "TAG/ΣΑΣ"]);
            let value = if self.byte() & 1 == 0 {
                ContextValue::Single(self.text())
            } else {
                ContextValue::Multi((0..self.below(4)).map(|_| self.text()).collect())
            };
            ctx.insert(key, value);
        }
        ctx
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut input = Input { bytes: data };
    let n_atoms = 1 + input.below(6);
    let atoms: Vec<Atom> = (0..n_atoms).map(|_| input.atom()).collect();
    // Each literal of the residual picks an atom and a polarity.
    let mut lits = |n: usize| -> Vec<Lit> {
        (0..n)
            .map(|_| Lit {
                atom: input.below(n_atoms) as u32,
                negated: input.byte() & 1 == 1,
            })
            .collect()
    };
    let deny = vec![lits(1), lits(2)];
    let allow = vec![vec![lits(1), lits(2)], vec![lits(1)]];
    let parts = TableParts {
        catalog: "fuzz".into(),
        principals: vec!["user/p".into()],
        principal_arns: vec![String::new()],
        actions: vec!["svc:Act".into()],
        action_access: vec![AccessLevel::Read],
        action_wildcard_only: vec![false],
        principal_row: vec![0],
        action_col: vec![0],
        n_rows: 1,
        n_cols: 1,
        cells: vec![Cell::Conditional],
        atoms,
        residuals: vec![Residual { deny, allow }],
        conditional: vec![(0, 0, 0)],
        ..TableParts::default()
    };
    let Ok(table) = Table::from_parts(parts) else {
        return;
    };
    let again = Table::from_bytes(&table.to_bytes()).expect("a built table loads again");
    let (Ok(p), Ok(a)) = (table.principal("user/p"), table.action("svc:Act")) else {
        panic!("the table lost its names");
    };
    let _ = table.check("user/p", "svc:Act");
    for _ in 0..3 {
        let ctx = input.context();
        let resource = input.text();
        let req = Request {
            resource: &resource,
            context: &ctx,
        };
        let decision = table.check_with(p, a, &req);
        assert_eq!(again.check_with(p, a, &req), decision);
    }
});
