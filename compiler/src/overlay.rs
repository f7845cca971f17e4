//! The overlay of a change (a Terraform plan, a CloudFormation template)
//! onto a deployed account: objects the change manages replace their
//! deployed copies, objects it deletes go, everything else in the account
//! stays. One function, [`overlay`], over two [`Layer`]s; the readers of
//! plans and templates make the change's layer, an account dump (or a
//! plan's prior state) the base.

/*
Facts. An account is a set of facts, each with a key: an entity (user,
group, role: its own properties, i.e. path, ARN, id, boundary, tags and a
role's trust policy), a managed policy (by ARN), an inline policy of an
entity (owner and policy name), an attachment (owner and policy ARN) and a
group membership (user and group). A change manages the facts its layer
holds plus the ones it removes; the result is the base without the managed
facts, plus the change's.

Files. Both layers keep spans into their own files, so the result is two
layers again, each in its file: the base without what the change manages,
and the change. An entity stays declared by exactly one of them: by the
change when it manages the entity, else by the base. A record in the other
layer that still holds facts of that entity (a deployed attachment of a role
the plan updates, a plan's attachment to a deployed user) becomes a
*carrier*: it adds its inline policies, attachments and memberships to the
entity declared elsewhere and declares nothing itself. A carrier whose
entity neither layer declares stays a carrier; the lowering reports it.

Names are matched as IAM names (exact text), managed policies by ARN.
*/

use std::collections::BTreeSet;

use verdict_grammar::{
    AccountDump, DumpAttachment, DumpGroup, DumpInlinePolicy, DumpRole, DumpUser, Spanned,
};

/// The entity a record or fact belongs to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Owner {
    User(String),
    Group(String),
    Role(String),
}

impl Owner {
    /// `user/NAME`, `group/NAME`, `role/NAME`.
    pub fn describe(&self) -> String {
        match self {
            Owner::User(name) => format!("user/{name}"),
            Owner::Group(name) => format!("group/{name}"),
            Owner::Role(name) => format!("role/{name}"),
        }
    }
}

/// One fact of an account, by key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// The entity itself and its own properties.
    Entity(Owner),
    /// A managed policy, by ARN.
    Policy(String),
    /// An inline policy: owner and policy name.
    Inline(Owner, String),
    /// An attached managed policy: owner and policy ARN.
    Attached(Owner, String),
    /// A group membership: user name and group name.
    Member(String, String),
}

/// One side of an overlay: an account (or a change) as a dump, the records
/// of it that are carriers (see the notes above), and, for a change, the
/// facts it deletes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layer {
    pub dump: AccountDump,
    /// Records of `dump` that declare nothing and only carry facts of an
    /// entity declared elsewhere.
    pub carriers: BTreeSet<Owner>,
    /// Facts the change deletes (ignored in a base).
    pub removed: BTreeSet<Key>,
}

impl Layer {
    /// A base layer of a whole dump (every record declares its entity).
    pub fn of_dump(dump: AccountDump) -> Layer {
        Layer {
            dump,
            ..Layer::default()
        }
    }

    /// The keys of every fact of the layer.
    pub fn keys(&self) -> BTreeSet<Key> {
        let mut keys = BTreeSet::new();
        let sub = |owner: &Owner,
                   inline: &[DumpInlinePolicy],
                   attached: &[DumpAttachment],
                   keys: &mut BTreeSet<Key>| {
            if !self.carriers.contains(owner) {
                keys.insert(Key::Entity(owner.clone()));
            }
            for p in inline {
                keys.insert(Key::Inline(owner.clone(), p.name.node.clone()));
            }
            for a in attached {
                keys.insert(Key::Attached(owner.clone(), a.arn.node.clone()));
            }
        };
        for user in &self.dump.users {
            let owner = Owner::User(user.name.node.clone());
            sub(&owner, &user.inline_policies, &user.attached, &mut keys);
            for group in &user.groups {
                keys.insert(Key::Member(user.name.node.clone(), group.node.clone()));
            }
        }
        for group in &self.dump.groups {
            let owner = Owner::Group(group.name.node.clone());
            sub(&owner, &group.inline_policies, &group.attached, &mut keys);
        }
        for role in &self.dump.roles {
            let owner = Owner::Role(role.name.node.clone());
            sub(&owner, &role.inline_policies, &role.attached, &mut keys);
        }
        for policy in &self.dump.policies {
            keys.insert(Key::Policy(policy.arn.node.clone()));
        }
        keys
    }
}

/// The account after `change`, as two layers: the base without what the
/// change manages (in the base's file) and the change (in its file), with
/// the carriers each needs so that every entity is declared once.
pub fn overlay(base: &Layer, change: &Layer) -> (Layer, Layer) {
    let mut managed = change.keys();
    managed.extend(change.removed.iter().cloned());
    let mut kept = Layer::default();
    let keep_sub = |owner: &Owner,
                    inline: &[DumpInlinePolicy],
                    attached: &[DumpAttachment]|
     -> (Vec<DumpInlinePolicy>, Vec<DumpAttachment>) {
        let inline = inline
            .iter()
            .filter(|p| !managed.contains(&Key::Inline(owner.clone(), p.name.node.clone())))
            .cloned()
            .collect();
        let attached = attached
            .iter()
            .filter(|a| !managed.contains(&Key::Attached(owner.clone(), a.arn.node.clone())))
            .cloned()
            .collect();
        (inline, attached)
    };
    // A deployed entity the change deletes (or replaces: deletes and
    // creates) goes with everything it holds; one the change declares
    // otherwise keeps its unmanaged facts in a carrier.
    for user in &base.dump.users {
        let owner = Owner::User(user.name.node.clone());
        if change.removed.contains(&Key::Entity(owner.clone())) {
            continue;
        }
        let (inline, attached) = keep_sub(&owner, &user.inline_policies, &user.attached);
        let groups: Vec<Spanned<String>> = user
            .groups
            .iter()
            .filter(|g| !managed.contains(&Key::Member(user.name.node.clone(), g.node.clone())))
            .cloned()
            .collect();
        let carrier =
            base.carriers.contains(&owner) || managed.contains(&Key::Entity(owner.clone()));
        let record = if carrier {
            kept.carriers.insert(owner);
            DumpUser {
                path: None,
                arn: None,
                id: None,
                boundary: None,
                tags: Vec::new(),
                ..user.clone()
            }
        } else {
            user.clone()
        };
        kept.dump.users.push(DumpUser {
            inline_policies: inline,
            attached,
            groups,
            ..record
        });
    }
    for group in &base.dump.groups {
        let owner = Owner::Group(group.name.node.clone());
        if change.removed.contains(&Key::Entity(owner.clone())) {
            continue;
        }
        let (inline, attached) = keep_sub(&owner, &group.inline_policies, &group.attached);
        let carrier =
            base.carriers.contains(&owner) || managed.contains(&Key::Entity(owner.clone()));
        let record = if carrier {
            kept.carriers.insert(owner);
            DumpGroup {
                path: None,
                arn: None,
                ..group.clone()
            }
        } else {
            group.clone()
        };
        kept.dump.groups.push(DumpGroup {
            inline_policies: inline,
            attached,
            ..record
        });
    }
    for role in &base.dump.roles {
        let owner = Owner::Role(role.name.node.clone());
        if change.removed.contains(&Key::Entity(owner.clone())) {
            continue;
        }
        let (inline, attached) = keep_sub(&owner, &role.inline_policies, &role.attached);
        let carrier =
            base.carriers.contains(&owner) || managed.contains(&Key::Entity(owner.clone()));
        let record = if carrier {
            kept.carriers.insert(owner);
            DumpRole {
                path: None,
                arn: None,
                id: None,
                trust_policy: None,
                boundary: None,
                tags: Vec::new(),
                ..role.clone()
            }
        } else {
            role.clone()
        };
        kept.dump.roles.push(DumpRole {
            inline_policies: inline,
            attached,
            ..record
        });
    }
    kept.dump.policies = base
        .dump
        .policies
        .iter()
        .filter(|p| !managed.contains(&Key::Policy(p.arn.node.clone())))
        .cloned()
        .collect();
    kept.dump.is_truncated = base.dump.is_truncated.clone();
    // Empty carriers say nothing: leave them out.
    kept.dump.users.retain(|u| {
        let owner = Owner::User(u.name.node.clone());
        !(kept.carriers.contains(&owner)
            && u.inline_policies.is_empty()
            && u.attached.is_empty()
            && u.groups.is_empty())
    });
    kept.dump.groups.retain(|g| {
        let owner = Owner::Group(g.name.node.clone());
        !(kept.carriers.contains(&owner) && g.inline_policies.is_empty() && g.attached.is_empty())
    });
    kept.dump.roles.retain(|r| {
        let owner = Owner::Role(r.name.node.clone());
        !(kept.carriers.contains(&owner) && r.inline_policies.is_empty() && r.attached.is_empty())
    });
    let present: BTreeSet<Owner> = kept
        .dump
        .users
        .iter()
        .map(|u| Owner::User(u.name.node.clone()))
        .chain(
            kept.dump
                .groups
                .iter()
                .map(|g| Owner::Group(g.name.node.clone())),
        )
        .chain(
            kept.dump
                .roles
                .iter()
                .map(|r| Owner::Role(r.name.node.clone())),
        )
        .collect();
    kept.carriers.retain(|owner| present.contains(owner));
    let changed = Layer {
        dump: change.dump.clone(),
        carriers: change.carriers.clone(),
        removed: BTreeSet::new(),
    };
    (kept, changed)
}

#[cfg(test)]
// why: tests may panic
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    /// Parses a dump written in the AWS CLI's shape.
    fn dump(text: &str) -> AccountDump {
        verdict_grammar::parse_account_dump(text).unwrap()
    }

    fn names(layer: &Layer) -> Vec<String> {
        let mut out: Vec<String> = layer.keys().iter().map(|k| format!("{k:?}")).collect();
        out.sort();
        out
    }

    const LIVE: &str = r#"{
      "UserDetailList": [
        {"UserName": "alice", "Path": "/", "GroupList": ["ops"],
         "AttachedManagedPolicies": [{"PolicyName": "a", "PolicyArn": "arn:aws:iam::111122223333:policy/a"}]},
        {"UserName": "bob", "AttachedManagedPolicies": [{"PolicyName": "a", "PolicyArn": "arn:aws:iam::111122223333:policy/a"}]}
      ],
      "GroupDetailList": [{"GroupName": "ops"}],
      "RoleDetailList": [{"RoleName": "deploy",
         "AttachedManagedPolicies": [{"PolicyName": "b", "PolicyArn": "arn:aws:iam::111122223333:policy/b"}]}],
      "Policies": [
        {"PolicyName": "a", "Arn": "arn:aws:iam::111122223333:policy/a", "PolicyVersionList": []},
        {"PolicyName": "b", "Arn": "arn:aws:iam::111122223333:policy/b", "PolicyVersionList": []}
      ]
    }"#;

    #[test]
    fn a_change_replaces_what_it_manages_and_keeps_the_rest() {
        let base = Layer::of_dump(dump(LIVE));
        // The change updates role `deploy` (declares it) and policy `a`.
        let change = Layer::of_dump(dump(
            r#"{"RoleDetailList": [{"RoleName": "deploy", "Path": "/ci/"}],
                "Policies": [{"PolicyName": "a", "Arn": "arn:aws:iam::111122223333:policy/a", "PolicyVersionList": []}]}"#,
        ));
        let (kept, changed) = overlay(&base, &change);
        assert!(kept.dump.policies.iter().all(|p| p.name.node == "b"));
        // The deployed attachment of `deploy` stays, carried for the change's role.
        assert_eq!(
            kept.carriers.iter().cloned().collect::<Vec<_>>(),
            vec![Owner::Role("deploy".into())]
        );
        assert_eq!(kept.dump.roles[0].attached.len(), 1);
        assert!(kept.dump.roles[0].path.is_none());
        assert_eq!(changed.dump.roles[0].path.as_ref().unwrap().node, "/ci/");
        assert_eq!(kept.dump.users.len(), 2);
    }

    #[test]
    fn deletions_remove_entities_and_facts() {
        let base = Layer::of_dump(dump(LIVE));
        let mut change = Layer::default();
        change
            .removed
            .insert(Key::Entity(Owner::User("bob".into())));
        change.removed.insert(Key::Attached(
            Owner::User("alice".into()),
            "arn:aws:iam::111122223333:policy/a".into(),
        ));
        change
            .removed
            .insert(Key::Member("alice".into(), "ops".into()));
        let (kept, _) = overlay(&base, &change);
        let keys = names(&kept);
        assert!(!keys.iter().any(|k| k.contains("bob")), "{keys:?}");
        assert!(keys.contains(&r#"Entity(User("alice"))"#.to_string()));
        assert!(!keys
            .iter()
            .any(|k| k.starts_with("Attached(User(\"alice\")")));
        assert!(!keys.iter().any(|k| k.starts_with("Member")));
    }

    #[test]
    fn a_change_carrier_adds_to_a_deployed_entity() {
        let base = Layer::of_dump(dump(LIVE));
        let mut change = Layer::of_dump(dump(
            r#"{"UserDetailList": [{"UserName": "bob",
                 "AttachedManagedPolicies": [{"PolicyArn": "arn:aws:iam::111122223333:policy/b"}]}]}"#,
        ));
        change.carriers.insert(Owner::User("bob".into()));
        let (kept, changed) = overlay(&base, &change);
        // bob stays declared by the base, with its deployed attachment.
        let bob = kept
            .dump
            .users
            .iter()
            .find(|u| u.name.node == "bob")
            .unwrap();
        assert_eq!(bob.attached.len(), 1);
        assert!(!kept.carriers.contains(&Owner::User("bob".into())));
        assert!(changed.carriers.contains(&Owner::User("bob".into())));
    }

    #[test]
    fn an_empty_change_keeps_the_base_whole() {
        let base = Layer::of_dump(dump(LIVE));
        let (kept, changed) = overlay(&base, &Layer::default());
        assert_eq!(kept, base);
        assert_eq!(changed, Layer::default());
    }
}
