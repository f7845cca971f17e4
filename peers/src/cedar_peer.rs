//! Cedar's side: the organisation as Cedar entities and policies, answered by
//! `Authorizer::is_authorized`. No schema (Cedar's unvalidated mode).
//!
//! Entities: `User::"u1"` with parents its groups and its own policy,
//! `Group::"G3"` with parents its policies, `IamPolicy::"P7"` with none; Cedar
//! computes the transitive closure when the entities are built. Policies: one
//! per statement, `permit` or `forbid`, over `principal in IamPolicy::"P7"`
//! and the statement's expanded action list; a statement that covers no action
//! is left out (it can match nothing).
//!
//! [`ActionEncoding::Groups`] is Cedar's own answer to action wildcards: each
//! statement becomes an action group `Action::"P7#1"`, every action entity
//! lists the groups it belongs to as parents, and the policy says
//! `action in Action::"P7#1"`, a hash lookup instead of a list scan.

use std::collections::HashSet;
use std::fmt::Write;
use std::str::FromStr;
use std::time::{Duration, Instant};

use cedar_policy::{
    Authorizer, Context, Decision as CedarDecision, Entities, Entity, EntityId, EntityTypeName,
    EntityUid, PolicySet, Request,
};
use verdict::synth::Effect;
use verdict_runtime::Decision;

use crate::World;

/// How a statement's actions appear in its Cedar policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionEncoding {
    /// `action in [Action::"chime:A", Action::"chime:B", ...]`.
    Lists,
    /// `action in Action::"P7#1"`, an action group (see the module doc).
    Groups,
}

pub struct CedarPeer {
    pub authorizer: Authorizer,
    pub policies: PolicySet,
    pub entities: Entities,
    user_type: EntityTypeName,
    action_type: EntityTypeName,
    resource: EntityUid,
    pub n_policies: usize,
    pub build: Duration,
}

fn uid(ty: &EntityTypeName, id: &str) -> EntityUid {
    EntityUid::from_type_name_and_id(ty.clone(), EntityId::new(id))
}

/// A Cedar string literal (the names here need no escapes, but be safe).
fn quoted(text: &str) -> String {
    format!("{text:?}")
}

impl CedarPeer {
    pub fn build(world: &World, encoding: ActionEncoding) -> CedarPeer {
        let start = Instant::now();
        let ty = |name: &str| EntityTypeName::from_str(name).expect("entity type name");
        let (user_type, group_type, policy_type) = (ty("User"), ty("Group"), ty("IamPolicy"));
        let action_type = ty("Action");
        let org = &world.org;

        let mut text = String::new();
        let mut n_policies = 0;
        // Per action, the action groups it is in (for `ActionEncoding::Groups`).
        let mut action_groups: Vec<HashSet<EntityUid>> = vec![HashSet::new(); world.actions.len()];
        for (p, statements) in world.policies.iter().enumerate() {
            let principal = quoted(&org.policies[p].name);
            for (idx, s) in statements.iter().enumerate() {
                if s.actions.is_empty() {
                    continue;
                }
                let effect = match s.effect {
                    Effect::Allow => "permit",
                    Effect::Deny => "forbid",
                };
                let _ = write!(
                    text,
                    "{effect}(principal in IamPolicy::{principal}, action in "
                );
                match encoding {
                    ActionEncoding::Lists => {
                        text.push('[');
                        for (i, &a) in s.actions.iter().enumerate() {
                            let sep = if i == 0 { "" } else { ", " };
                            let _ = write!(text, "{sep}Action::{}", quoted(&world.actions[a]));
                        }
                        text.push(']');
                    }
                    ActionEncoding::Groups => {
                        let group = format!("{}#{idx}", org.policies[p].name);
                        let _ = write!(text, "Action::{}", quoted(&group));
                        for &a in &s.actions {
                            action_groups[a].insert(uid(&action_type, &group));
                        }
                    }
                }
                text.push_str(", resource);\n");
                n_policies += 1;
            }
        }
        let policies = PolicySet::from_str(&text).expect("the Cedar policies parse");

        let mut entities = Vec::new();
        if encoding == ActionEncoding::Groups {
            for (a, groups) in action_groups.into_iter().enumerate() {
                entities.push(Entity::new_no_attrs(
                    uid(&action_type, &world.actions[a]),
                    groups,
                ));
            }
        }
        for p in &org.policies {
            entities.push(Entity::new_no_attrs(
                uid(&policy_type, &p.name),
                HashSet::new(),
            ));
        }
        for g in &org.groups {
            let parents = g
                .attach
                .iter()
                .map(|&p| uid(&policy_type, &org.policies[p].name));
            entities.push(Entity::new_no_attrs(
                uid(&group_type, &g.name),
                parents.collect(),
            ));
        }
        for u in &org.users {
            let parents = u
                .groups
                .iter()
                .map(|&g| uid(&group_type, &org.groups[g].name))
                .chain(u.attach.map(|p| uid(&policy_type, &org.policies[p].name)));
            entities.push(Entity::new_no_attrs(
                uid(&user_type, &u.name),
                parents.collect(),
            ));
        }
        let entities = Entities::from_entities(entities, None).expect("the Cedar entities");
        CedarPeer {
            authorizer: Authorizer::new(),
            policies,
            entities,
            user_type,
            action_type,
            resource: uid(&ty("Resource"), "*"),
            n_policies,
            build: start.elapsed(),
        }
    }

    /// The request for user `user` (its bare name, `u17`) and `action`.
    fn request(&self, user: &str, action: &str) -> Request {
        Request::new(
            uid(&self.user_type, user),
            uid(&self.action_type, action),
            self.resource.clone(),
            Context::empty(),
            None,
        )
        .expect("a request without schema")
    }

    /// Allowed or not: what a service asks. Builds the request from the names.
    pub fn check(&self, user: &str, action: &str) -> bool {
        let request = self.request(user, action);
        self.authorizer
            .is_authorized(&request, &self.policies, &self.entities)
            .decision()
            == CedarDecision::Allow
    }

    /// The three-valued decision (deny is explicit when a `forbid` is among the
    /// reasons) and the number of evaluation errors.
    pub fn check_detailed(&self, user: &str, action: &str) -> (Decision, usize) {
        let request = self.request(user, action);
        let response = self
            .authorizer
            .is_authorized(&request, &self.policies, &self.entities);
        let errors = response.diagnostics().errors().count();
        let decision = match response.decision() {
            CedarDecision::Allow => Decision::Allow,
            CedarDecision::Deny if response.diagnostics().reason().next().is_some() => {
                Decision::Deny
            }
            CedarDecision::Deny => Decision::ImplicitDeny,
        };
        (decision, errors)
    }
}
