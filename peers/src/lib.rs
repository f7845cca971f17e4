//! verdict against its peers on one synthetic organisation: Cedar
//! (`cedar-policy`), Casbin (`casbin`) and a plain `HashMap`, each built from
//! the same [`verdict::synth::Org`], checked for agreement with verdict on a
//! random sample, then timed on the same request stream.
//!
//! This crate is outside the workspace so that `cargo test --workspace` never
//! builds Cedar or Casbin. Entry points: `src/main.rs` (a markdown table for
//! the README) and `benches/peers.rs` (criterion).
//!
//! What each contender gets (SEMANTICS of the organisation: explicit deny
//! beats allow beats implicit deny; `*`/`?` action wildcards, case-insensitive;
//! NotAction ranges over the catalog):
//! - verdict: the organisation as DSL text, compiled, written to bytes and loaded.
//! - Cedar: users, groups and policies as entities (user ∈ group ∈ policy,
//!   user ∈ own policy); one Cedar policy per statement, `permit` or `forbid`,
//!   `principal in IamPolicy::"P"`, wildcards and NotAction expanded into an
//!   explicit action list (Cedar has no action wildcards); and a second Cedar
//!   with one action group per statement instead of the list.
//! - Casbin: an RBAC model with deny override; users, groups and policies are
//!   roles (`g, user, group`, `g, group, policy`, `g, user, policy`) and each
//!   policy has one `p, policy, action, allow|deny` row per expanded action.
//! - HashMap: each user's effective decisions computed from the organisation,
//!   `(user, action) → Decision` for allowed and denied pairs (absent: implicit deny).
//!
//! The expansion of action patterns here is our own (`glob_match`), not the
//! compiler's, so the agreement check also tests verdict's matching.

pub mod casbin_peer;
pub mod cedar_peer;

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::hint::black_box;
use std::time::{Duration, Instant};

use verdict::synth::{self, Effect, Mix, Org, Shape};
use verdict_compiler::{Catalog, Config, Input, MemoryLoader};
use verdict_runtime::{ActionId, Decision, PrincipalId, Table};

/// Sizes of one organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    pub users: usize,
    pub groups: usize,
    pub policies: usize,
}

impl Size {
    /// The README's proportions: policies = users / 100 (at least 50, at most
    /// 5,000), groups = policies / 5. Casbin's check time grows with its rows,
    /// about 200 per policy, which bounds the policies the 10,000-request
    /// agreement check can afford.
    pub const fn for_users(users: usize) -> Size {
        let policies = users / 100;
        let policies = if policies < 50 {
            50
        } else if policies > 5_000 {
            5_000
        } else {
            policies
        };
        Size {
            users,
            groups: policies / 5,
            policies,
        }
    }
}

/// The organisations of the README table.
pub const SIZES: [Size; 2] = [Size::for_users(1_000), Size::for_users(10_000)];

/// Seed of the organisation and of the requests.
pub const SEED: u64 = 42;

/// IAM-style glob: `*` any run, `?` one character, ASCII case-insensitive.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == b'?' || c.eq_ignore_ascii_case(&t[ti]) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// One statement with its actions expanded: indexes into [`Org::actions`].
#[derive(Clone, Debug)]
pub struct Expanded {
    pub effect: Effect,
    pub actions: Vec<usize>,
}

/// The organisation, its catalog's action names, and every policy's
/// statements expanded.
pub struct World {
    pub size: Size,
    pub org: Org,
    pub actions: Vec<String>,
    /// Per policy, per statement.
    pub policies: Vec<Vec<Expanded>>,
    /// The organisation as DSL text.
    pub dsl: String,
}

impl World {
    pub fn new(size: Size, seed: u64) -> World {
        let catalog = Catalog::builtin("chime").expect("the built-in Chime catalog");
        let shape = Shape {
            users: size.users,
            roles: 0,
            groups: size.groups,
            policies: size.policies,
            seed,
        };
        // Boundaries are left out: Cedar and Casbin would each need an
        // encoding of their own, and the comparison is about checks.
        let mix = Mix {
            boundary: 0,
            ..Mix::default()
        };
        let org = synth::generate(shape, mix, &catalog);
        let actions: Vec<String> = (0..catalog.len() as u32)
            .map(|a| catalog.qualified_name(a).unwrap_or_default().to_string())
            .collect();
        let policies = org
            .policies
            .iter()
            .map(|p| {
                p.statements
                    .iter()
                    .map(|s| {
                        let matched = |a: &String| s.actions.iter().any(|pat| glob_match(pat, a));
                        let actions = (0..actions.len())
                            .filter(|&i| matched(&actions[i]) != s.not_action)
                            .collect();
                        Expanded {
                            effect: s.effect,
                            actions,
                        }
                    })
                    .collect()
            })
            .collect();
        let dsl = org.to_dsl();
        World {
            size,
            org,
            actions,
            policies,
            dsl,
        }
    }

    /// The policies that apply to user `u`: its groups' and its own.
    pub fn user_policies(&self, u: usize) -> Vec<usize> {
        let user = &self.org.users[u];
        let mut out: Vec<usize> = user
            .groups
            .iter()
            .flat_map(|&g| self.org.groups[g].attach.iter().copied())
            .chain(user.attach)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Principal name in verdict's table and in Casbin.
    pub fn user_name(&self, u: usize) -> String {
        format!("user/{}", self.org.users[u].name)
    }

    /// Random `(user, action)` index pairs, deterministic by seed.
    pub fn requests(&self, n: usize, seed: u64) -> Vec<(usize, usize)> {
        let mut state = seed ^ 0x05EE_D0F4_E0E5;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        (0..n)
            .map(|_| (next() % self.org.users.len(), next() % self.actions.len()))
            .collect()
    }
}

/// verdict's side: the compiled, loaded table.
pub struct VerdictPeer {
    pub table: Table,
    pub compile: Duration,
    pub load: Duration,
}

impl VerdictPeer {
    pub fn build(world: &World) -> VerdictPeer {
        let start = Instant::now();
        let mut files = MemoryLoader::default();
        files.insert("org.vp", world.dsl.clone());
        let config = Config {
            catalog: Catalog::builtin("chime").expect("the built-in Chime catalog"),
            ..Config::default()
        };
        let out = verdict_compiler::compile(&[Input::auto("org.vp")], &config, &mut files);
        let bytes = match &out.table {
            Some(table) if !out.has_errors() => table.to_bytes(),
            _ => panic!(
                "the synthetic organisation does not compile: {:?}",
                out.diagnostics.first()
            ),
        };
        let compile = start.elapsed();
        let start = Instant::now();
        let table = Table::from_bytes(black_box(&bytes)).expect("the table loads");
        let load = start.elapsed();
        VerdictPeer {
            table,
            compile,
            load,
        }
    }

    pub fn check(&self, principal: &str, action: &str) -> Decision {
        self.table
            .check(principal, action)
            .unwrap_or(Decision::Deny)
    }
}

/// A `(String, String)` key that can be looked up by `(&str, &str)` without
/// allocating (the same trick as `verdict bench`).
pub trait NamePair {
    fn pair(&self) -> (&str, &str);
}

impl NamePair for (String, String) {
    fn pair(&self) -> (&str, &str) {
        (&self.0, &self.1)
    }
}

impl NamePair for (&str, &str) {
    fn pair(&self) -> (&str, &str) {
        (self.0, self.1)
    }
}

impl<'a> Borrow<dyn NamePair + 'a> for (String, String) {
    fn borrow(&self) -> &(dyn NamePair + 'a) {
        self
    }
}

impl Hash for dyn NamePair + '_ {
    // INVARIANT: hashes exactly like `(String, String)`, as `Borrow` requires.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.pair().hash(state);
    }
}

impl PartialEq for dyn NamePair + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.pair() == other.pair()
    }
}

impl Eq for dyn NamePair + '_ {}

/// The plain baseline: every user's explicit decisions in a hash map.
pub struct MapPeer {
    pub map: HashMap<(String, String), Decision>,
    pub build: Duration,
}

impl MapPeer {
    pub fn build(world: &World) -> MapPeer {
        let start = Instant::now();
        let n = world.actions.len();
        let mut map = HashMap::new();
        for u in 0..world.org.users.len() {
            let mut cell = vec![Decision::ImplicitDeny; n];
            for p in world.user_policies(u) {
                for s in &world.policies[p] {
                    for &a in &s.actions {
                        cell[a] = match (s.effect, cell[a]) {
                            (_, Decision::Deny) | (Effect::Deny, _) => Decision::Deny,
                            (Effect::Allow, _) => Decision::Allow,
                        };
                    }
                }
            }
            let name = world.user_name(u);
            for (a, &d) in cell.iter().enumerate() {
                if d != Decision::ImplicitDeny {
                    map.insert((name.clone(), world.actions[a].clone()), d);
                }
            }
        }
        MapPeer {
            map,
            build: start.elapsed(),
        }
    }

    pub fn check(&self, principal: &str, action: &str) -> Decision {
        let key: &dyn NamePair = &(principal, action);
        self.map.get(key).copied().unwrap_or(Decision::ImplicitDeny)
    }
}

/// All four contenders for one world.
pub struct Contenders {
    pub verdict: VerdictPeer,
    pub map: MapPeer,
    pub cedar: cedar_peer::CedarPeer,
    pub cedar_groups: cedar_peer::CedarPeer,
    pub casbin: casbin_peer::CasbinPeer,
}

impl Contenders {
    pub fn build(world: &World) -> Contenders {
        Contenders {
            verdict: VerdictPeer::build(world),
            map: MapPeer::build(world),
            cedar: cedar_peer::CedarPeer::build(world, cedar_peer::ActionEncoding::Lists),
            cedar_groups: cedar_peer::CedarPeer::build(world, cedar_peer::ActionEncoding::Groups),
            casbin: casbin_peer::CasbinPeer::build(world),
        }
    }
}

/// What the agreement check found.
#[derive(Debug, Default)]
pub struct Agreement {
    pub n_requests: usize,
    /// verdict's answers: allow, deny, implicit-deny.
    pub decisions: [usize; 3],
    /// One line per disagreement (all of them).
    pub mismatches: Vec<String>,
}

/// Asks every contender about `requests` (in two threads) and compares with verdict:
/// the hash map and Cedar on all three decisions (Cedar's deny is explicit when a
/// `forbid` is among the reasons), Casbin on allowed or not.
pub fn agree(world: &World, c: &Contenders, requests: &[(usize, usize)]) -> Agreement {
    let half = requests.len() / 2;
    let (left, right) = requests.split_at(half);
    let part = |reqs: &[(usize, usize)]| {
        let mut out = Agreement::default();
        for &(u, a) in reqs {
            let principal = world.user_name(u);
            let action = &world.actions[a];
            let v = c.verdict.check(&principal, action);
            out.decisions[match v {
                Decision::Allow => 0,
                Decision::Deny => 1,
                Decision::ImplicitDeny => 2,
            }] += 1;
            let m = c.map.check(&principal, action);
            let user = &world.org.users[u].name;
            let (ce, errors) = c.cedar.check_detailed(user, action);
            let (cg, group_errors) = c.cedar_groups.check_detailed(user, action);
            let errors = errors + group_errors;
            let cb = c.casbin.check(&principal, action);
            if m != v || ce != v || cg != v || cb != v.is_allowed() || errors > 0 {
                out.mismatches.push(format!(
                    "{principal} {action}: verdict {v}, hashmap {m}, cedar {ce}, cedar with action groups {cg} ({errors} errors), casbin {}",
                    if cb { "allow" } else { "deny" }
                ));
            }
        }
        out.n_requests = reqs.len();
        out
    };
    let (a, b) = std::thread::scope(|s| {
        let left = s.spawn(|| part(left));
        let b = part(right);
        (left.join().expect("agreement thread"), b)
    });
    let mut out = a;
    out.n_requests += b.n_requests;
    for i in 0..3 {
        out.decisions[i] += b.decisions[i];
    }
    out.mismatches.extend(b.mismatches);
    out
}

/// A per-check timing: median over batches.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    pub ns_per_check: f64,
    pub n_checks: usize,
    pub n_batches: usize,
}

/// Times `check` over `requests` (cycled), in batches sized to take about a
/// millisecond, for about `budget` (and at least 7 batches); returns the median
/// of the per-batch ns/check.
pub fn time_checks<T>(
    requests: &[T],
    budget: Duration,
    mut check: impl FnMut(&T) -> bool,
) -> Timing {
    assert!(!requests.is_empty());
    // Warm-up, and an estimate of the cost per check.
    let warm = requests.len().min(64);
    let start = Instant::now();
    for r in &requests[..warm] {
        black_box(check(black_box(r)));
    }
    let est = (start.elapsed().as_nanos() as f64 / warm as f64).max(1.0);
    let batch = ((1e6 / est) as usize).clamp(1, 4096);
    let mut per_batch = Vec::new();
    let mut pos = 0;
    let start = Instant::now();
    while per_batch.len() < 7 || start.elapsed() < budget {
        let t = Instant::now();
        let mut allowed = 0usize;
        for _ in 0..batch {
            allowed += check(black_box(&requests[pos])) as usize;
            pos = (pos + 1) % requests.len();
        }
        black_box(allowed);
        per_batch.push(t.elapsed().as_nanos() as f64 / batch as f64);
    }
    let n_batches = per_batch.len();
    per_batch.sort_by(f64::total_cmp);
    Timing {
        ns_per_check: per_batch[n_batches / 2],
        n_checks: n_batches * batch,
        n_batches,
    }
}

/// The same requests by name, for every contender that takes names.
pub fn named_requests(world: &World, requests: &[(usize, usize)]) -> Vec<(String, String)> {
    requests
        .iter()
        .map(|&(u, a)| (world.user_name(u), world.actions[a].clone()))
        .collect()
}

/// The same requests by verdict ids.
pub fn id_requests(table: &Table, names: &[(String, String)]) -> Vec<(PrincipalId, ActionId)> {
    names
        .iter()
        .map(|(p, a)| {
            (
                table.principal(p).expect("known principal"),
                table.action(a).expect("known action"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_like_iam() {
        assert!(glob_match("chime:List*", "chime:ListUsers"));
        assert!(glob_match("CHIME:list*", "chime:ListUsers"));
        assert!(glob_match("chime:*Users", "chime:ListUsers"));
        assert!(glob_match("chime:?istUsers", "chime:ListUsers"));
        assert!(glob_match("*", "chime:ListUsers"));
        assert!(glob_match("chime:*s*s", "chime:ListUsers"));
        assert!(!glob_match("chime:List*", "chime:GetUser"));
        assert!(!glob_match("chime:ListUser", "chime:ListUsers"));
        assert!(!glob_match("chime:ListUsers?", "chime:ListUsers"));
    }
}
