//! Casbin's side: an RBAC model with deny override, answered by
//! `CoreApi::enforce` (synchronous; only building the enforcer is async).
//!
//! Users, groups and policies are all roles: `g, user/u1, group/G3`,
//! `g, group/G3, policy/P7`, `g, user/u1, policy/P9`. Each policy has one
//! `p, policy/P7, ACTION, allow|deny` row per expanded action, so a policy
//! attached to several groups is stored once. The matcher compares the action
//! first, so `g()` runs only on rows of the requested action; Casbin still
//! evaluates the matcher once per `p` row.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use casbin::{CoreApi, DefaultModel, Enforcer, MemoryAdapter, MgmtApi};
use verdict::synth::Effect;

use crate::World;

pub const MODEL: &str = r#"
[request_definition]
r = sub, act

[policy_definition]
p = sub, act, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = r.act == p.act && g(r.sub, p.sub)
"#;

/// Drives a future that never waits on IO (Casbin's in-memory adapter) to
/// completion without an async runtime.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::yield_now();
    }
}

pub struct CasbinPeer {
    pub enforcer: Enforcer,
    pub n_rows: usize,
    pub n_links: usize,
    pub build: Duration,
}

impl CasbinPeer {
    pub fn build(world: &World) -> CasbinPeer {
        let start = Instant::now();
        let org = &world.org;
        let policy = |p: usize| format!("policy/{}", org.policies[p].name);
        let mut rows = Vec::new();
        for (p, statements) in world.policies.iter().enumerate() {
            let mut seen = BTreeSet::new();
            for s in statements {
                let eft = match s.effect {
                    Effect::Allow => "allow",
                    Effect::Deny => "deny",
                };
                for &a in &s.actions {
                    if seen.insert((a, eft)) {
                        rows.push(vec![policy(p), world.actions[a].clone(), eft.to_string()]);
                    }
                }
            }
        }
        let mut links = BTreeSet::new();
        for g in &org.groups {
            for &p in &g.attach {
                links.insert(vec![format!("group/{}", g.name), policy(p)]);
            }
        }
        for u in &org.users {
            let user = format!("user/{}", u.name);
            for &g in &u.groups {
                links.insert(vec![user.clone(), format!("group/{}", org.groups[g].name)]);
            }
            if let Some(p) = u.attach {
                links.insert(vec![user.clone(), policy(p)]);
            }
        }
        let (n_rows, n_links) = (rows.len(), links.len());
        let enforcer = block_on(async {
            let model = DefaultModel::from_str(MODEL)
                .await
                .expect("the Casbin model");
            let mut e = Enforcer::new(model, MemoryAdapter::default())
                .await
                .expect("the Casbin enforcer");
            e.add_grouping_policies(links.into_iter().collect())
                .await
                .expect("the Casbin role links");
            e.add_policies(rows).await.expect("the Casbin policies");
            e
        });
        CasbinPeer {
            enforcer,
            n_rows,
            n_links,
            build: start.elapsed(),
        }
    }

    /// Allowed or not.
    pub fn check(&self, principal: &str, action: &str) -> bool {
        self.enforcer
            .enforce((principal, action))
            .expect("casbin enforce")
    }
}
