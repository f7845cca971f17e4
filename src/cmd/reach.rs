//! `verdict reach` and `verdict who-can`: permissions through role chaining
//! (SEMANTICS.md G4, P5, T6), answered from a table's assume-role graph and
//! its cells.
//!
//! The searches themselves are the runtime's (`Table::reachable`,
//! `Table::reaching`); this module picks the principal that decides, and
//! prints chains with their conditions in words (`residual::describe`).

use serde_json::{json, Value};
use verdict_runtime::parts::Residual;
use verdict_runtime::{ActionId, Assume, Cell, Context, Decision, PrincipalId, Request, Table};

use crate::args::{ReachArgs, ReachFormat};
use crate::cmd::batch::{over_limit, RequestLimits};
use crate::files::open_table;
use crate::inputs::parse_context;
use crate::lookup;
use crate::residual::describe;
use crate::{CmdResult, Io, EXIT_DENY, EXIT_OK};

/// A chain of principals, each assuming the next, ending at the principal
/// whose cell decides the action.
pub struct Chain {
    pub principals: Vec<PrincipalId>,
}

/// One condition a chain depends on, in words.
pub enum Condition {
    /// The edge `from` → `to` is conditional.
    Edge {
        from: PrincipalId,
        to: PrincipalId,
        text: String,
    },
    /// The cell of `principal` for the action is conditional.
    Cell {
        principal: PrincipalId,
        text: String,
    },
}

/// The residual of the cell of `p` and `a`, if it is conditional.
fn cell_residual(table: &Table, p: PrincipalId, a: ActionId) -> Option<&Residual> {
    table.residual_of(table.row_class(p), table.col_class(a))
}

/// Whether some request could make the cell of `p` and `a` allow: its
/// outcome set holds `allow` (or is not exact).
fn may_allow(table: &Table, p: PrincipalId, a: ActionId) -> bool {
    table
        .cell_outcomes(table.row_class(p), table.col_class(a))
        .may_allow()
}

impl Chain {
    /// The conditions of the chain's conditional edges and of its last cell.
    pub fn conditions(&self, table: &Table, a: ActionId) -> Vec<Condition> {
        let mut out = Vec::new();
        for pair in self.principals.windows(2) {
            let &[from, to] = pair else {
                continue;
            };
            let residual = table
                .trust_edges_from(from)
                .find(|(target, _)| *target == to)
                .and_then(|(_, residual)| residual);
            if let Some(residual) = residual {
                out.push(Condition::Edge {
                    from,
                    to,
                    text: describe(residual, table.atoms()),
                });
            }
        }
        if let Some(&last) = self.principals.last() {
            if let Some(residual) = cell_residual(table, last, a) {
                out.push(Condition::Cell {
                    principal: last,
                    text: describe(residual, table.atoms()),
                });
            }
        }
        out
    }

    fn names(&self, table: &Table) -> Vec<String> {
        self.principals
            .iter()
            .map(|&p| table.principal_name(p).to_string())
            .collect()
    }

    /// `user/alice → role/Ops → role/Admin`.
    fn text(&self, table: &Table) -> String {
        self.names(table).join(" → ")
    }
}

/// A shortest chain from `p` (itself included: length 0) to a principal the
/// request `a` on `request` is allowed to, following the edges the request's
/// context allows (SEMANTICS G4: reachability is the transitive closure).
pub fn allowed_chain(
    table: &Table,
    p: PrincipalId,
    a: ActionId,
    request: &Request<'_>,
) -> Option<Chain> {
    let reached = table.reachable(p, Assume::With(request.context));
    let found = reached
        .iter()
        .find(|&q| table.check_with(q, a, request) == Decision::Allow)?;
    reached.chain(found).map(|principals| Chain { principals })
}

/// A shortest chain from `p` to a principal some request could allow `a`,
/// counting conditional edges and cells as possible.
pub fn possible_chain(table: &Table, p: PrincipalId, a: ActionId) -> Option<Chain> {
    let reached = table.reachable(p, Assume::Possibly);
    let found = reached.iter().find(|&q| may_allow(table, q, a))?;
    reached.chain(found).map(|principals| Chain { principals })
}

fn condition_lines(table: &Table, a: ActionId, conditions: &[Condition]) -> String {
    let mut out = String::new();
    for c in conditions {
        let line = match c {
            Condition::Edge { from, to, text } => format!(
                "  {} → {}: {text}\n",
                table.principal_name(*from),
                table.principal_name(*to)
            ),
            Condition::Cell { principal, text } => format!(
                "  {} {}: {text}\n",
                table.principal_name(*principal),
                table.action_name(a)
            ),
        };
        out.push_str(&line);
    }
    out
}

fn conditions_json(table: &Table, a: ActionId, conditions: &[Condition]) -> Value {
    Value::Array(
        conditions
            .iter()
            .map(|c| match c {
                Condition::Edge { from, to, text } => json!({
                    "from": table.principal_name(*from),
                    "to": table.principal_name(*to),
                    "condition": text,
                }),
                Condition::Cell { principal, text } => json!({
                    "principal": table.principal_name(*principal),
                    "action": table.action_name(a),
                    "condition": text,
                }),
            })
            .collect(),
    )
}

/// What `reach` found.
struct Answer {
    decision: Decision,
    allowed: Option<Chain>,
    possible: Option<Chain>,
}

fn answer(table: &Table, p: PrincipalId, a: ActionId, request: &Request<'_>) -> Answer {
    let allowed = allowed_chain(table, p, a, request);
    let possible = match allowed {
        Some(_) => None,
        None => possible_chain(table, p, a),
    };
    Answer {
        decision: if allowed.is_some() {
            Decision::Allow
        } else {
            table.check_with(p, a, request)
        },
        allowed,
        possible,
    }
}

/// Runs `verdict reach`: 0 allowed (directly or through a chain of roles),
/// 1 not, 2 any error.
pub(crate) fn run(args: ReachArgs, io: &mut Io<'_>) -> CmdResult {
    let context: Context = parse_context(&args.context, &RequestLimits::default())?;
    let table = open_table(&args.table)?;
    let p = lookup::principal(&table, &args.principal)?;
    let a = lookup::action(&table, &args.action)?;
    let request = Request {
        resource: args.resource.as_deref().unwrap_or("*"),
        context: &context,
    };
    // Over the default limits the runtime would deny: say why instead.
    verdict_runtime::RequestLimits::DEFAULT
        .check(&request)
        .map_err(|why| over_limit(&why))?;
    let answer = answer(&table, p, a, &request);
    let text = match args.format {
        ReachFormat::Text => reach_text(&table, p, a, &answer),
        ReachFormat::Json => format!("{}\n", reach_json(&table, p, a, &answer)),
    };
    let _ = io.stdout.write_all(text.as_bytes());
    Ok(if answer.decision == Decision::Allow {
        EXIT_OK
    } else {
        EXIT_DENY
    })
}

fn reach_text(table: &Table, p: PrincipalId, a: ActionId, answer: &Answer) -> String {
    if let Some(chain) = &answer.allowed {
        return format!(
            "{}: allow\n{}",
            chain.text(table),
            condition_lines(table, a, &chain.conditions(table, a))
        );
    }
    let mut out = format!(
        "{}: {} (no role reachable from it allows {} for this request)\n",
        table.principal_name(p),
        answer.decision,
        table.action_name(a)
    );
    if let Some(chain) = &answer.possible {
        out.push_str(&format!(
            "possible with other request values: {}: allow\n{}",
            chain.text(table),
            condition_lines(table, a, &chain.conditions(table, a))
        ));
    }
    out
}

fn chain_json(table: &Table, a: ActionId, chain: &Chain) -> Value {
    json!({
        "chain": chain.names(table),
        "conditions": conditions_json(table, a, &chain.conditions(table, a)),
    })
}

fn reach_json(table: &Table, p: PrincipalId, a: ActionId, answer: &Answer) -> Value {
    let (chain, conditions) = match &answer.allowed {
        Some(chain) => (
            json!(chain.names(table)),
            conditions_json(table, a, &chain.conditions(table, a)),
        ),
        None => (Value::Null, json!([])),
    };
    json!({
        "principal": table.principal_name(p),
        "action": table.action_name(a),
        "decision": answer.decision.to_string(),
        "chain": chain,
        "conditions": conditions,
        "possible": answer.possible.as_ref().map_or(Value::Null, |c| chain_json(table, a, c)),
    })
}

/// How a principal may perform an action, for `who-can`.
pub enum Can {
    /// Its own cell allows.
    Allow,
    /// A chain of unconditional edges leads to a principal whose cell allows.
    AllowVia(Chain),
    /// Its own cell is conditional and could allow.
    Conditional,
    /// A chain, with conditional edges or a conditional last cell, could lead
    /// to a principal allowed.
    ConditionalVia(Chain),
}

/// Every principal that may perform `a`, in table order, and how: its own
/// cell, and with `via_roles` chains of roles it can assume (SEMANTICS G4).
/// Two backward searches over the assume-role graph, linear in its edges.
pub fn who_can(table: &Table, a: ActionId, via_roles: bool) -> Vec<(PrincipalId, Can)> {
    let allowed: Vec<PrincipalId> = table
        .principals()
        .filter(|&p| table.cell(p, a) == Cell::Allow)
        .collect();
    let possible: Vec<PrincipalId> = table
        .principals()
        .filter(|&p| may_allow(table, p, a))
        .collect();
    let (through_allow, through_possible) = if via_roles {
        (
            Some(table.reaching(allowed.iter().copied(), Assume::Always)),
            Some(table.reaching(possible.iter().copied(), Assume::Possibly)),
        )
    } else {
        (None, None)
    };
    let mut out = Vec::new();
    for p in table.principals() {
        let cell = table.cell(p, a);
        let can = if cell == Cell::Allow {
            Some(Can::Allow)
        } else if let Some(chain) = through_allow.as_ref().and_then(|r| r.chain(p)) {
            Some(Can::AllowVia(Chain { principals: chain }))
        } else if cell == Cell::Conditional && may_allow(table, p, a) {
            Some(Can::Conditional)
        } else {
            through_possible
                .as_ref()
                .and_then(|r| r.chain(p))
                .map(|chain| Can::ConditionalVia(Chain { principals: chain }))
        };
        if let Some(can) = can {
            out.push((p, can));
        }
    }
    out
}

/// The text answer of `who-can --via-roles` for one action: a line per
/// principal, with its chain and conditions.
pub(crate) fn who_can_text(table: &Table, a: ActionId, list: &[(PrincipalId, Can)]) -> String {
    let mut out = String::new();
    for (p, can) in list {
        let name = table.principal_name(*p);
        match can {
            Can::Allow => out.push_str(&format!("{name}: allow\n")),
            Can::Conditional => {
                let text = cell_residual(table, *p, a)
                    .map(|r| describe(r, table.atoms()))
                    .unwrap_or_default();
                out.push_str(&format!("{name}: conditional ({text})\n"));
            }
            Can::AllowVia(chain) | Can::ConditionalVia(chain) => {
                let word = if matches!(can, Can::AllowVia(_)) {
                    "allow"
                } else {
                    "conditional"
                };
                out.push_str(&format!("{name}: {word} via {}\n", chain.text(table)));
                out.push_str(&condition_lines(table, a, &chain.conditions(table, a)));
            }
        }
    }
    out
}

/// The JSON answer of `who-can --via-roles` for one action.
pub(crate) fn who_can_json(table: &Table, a: ActionId, list: &[(PrincipalId, Can)]) -> Value {
    let entries: Vec<Value> = list
        .iter()
        .map(|(p, can)| {
            let (decision, chain) = match can {
                Can::Allow => ("allow", None),
                Can::Conditional => ("conditional", None),
                Can::AllowVia(chain) => ("allow", Some(chain)),
                Can::ConditionalVia(chain) => ("conditional", Some(chain)),
            };
            let conditions = match chain {
                Some(chain) => chain.conditions(table, a),
                None => cell_residual(table, *p, a)
                    .map(|r| Condition::Cell {
                        principal: *p,
                        text: describe(r, table.atoms()),
                    })
                    .into_iter()
                    .collect(),
            };
            json!({
                "principal": table.principal_name(*p),
                "decision": decision,
                "chain": chain.map_or(Value::Null, |c| json!(c.names(table))),
                "conditions": conditions_json(table, a, &conditions),
            })
        })
        .collect();
    json!({
        "action": table.action_name(a),
        "principals": entries,
    })
}
