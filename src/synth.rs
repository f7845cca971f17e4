//! Synthetic organisations for benchmarks and scale tests: deterministic
//! by seed, available as plain data ([`Org`]) for the peer benchmarks and
//! as DSL text ([`Org::to_dsl`]) so they go through the whole pipeline.
//!
//! The shape imitates a real account: a few hundred to thousands of
//! policies built from the catalog's own action names (exact names, prefix
//! wildcards such as `chime:List*`, service wildcards, some Deny and some
//! NotAction statements), groups attaching one to three policies, users in
//! one or two groups with now and then a policy of their own or a
//! boundary, and a few roles. [`Mix`] sets how often the rarer constructs
//! appear. Nothing here evaluates policies.

use verdict_compiler::Catalog;

/// Sizes of a synthetic organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub users: usize,
    pub roles: usize,
    pub groups: usize,
    pub policies: usize,
    pub seed: u64,
}

/// How often the rarer constructs appear, in percent (0 to 100).
///
/// The random draws are the same whatever the mix, so two mixes with the
/// same [`Shape`] differ only where a percentage decides differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mix {
    /// A statement other than a policy's first is a Deny.
    pub deny: u64,
    /// A statement uses NotAction.
    pub not_action: u64,
    /// A user is in a second group.
    pub second_group: u64,
    /// A user has a policy of their own.
    pub user_policy: u64,
    /// A user has a permissions boundary.
    pub boundary: u64,
}

impl Default for Mix {
    /// The mix of [`organisation`].
    fn default() -> Mix {
        Mix {
            deny: 15,
            not_action: 5,
            second_group: 40,
            user_policy: 10,
            boundary: 5,
        }
    }
}

/// A synthetic organisation as plain data. Indexes point into `policies`
/// and `groups`; names are `P{i}`, `G{i}`, `u{i}` and `r{i}`, so the
/// principals of a compiled table are `user/u{i}` and `role/r{i}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Org {
    pub policies: Vec<Policy>,
    pub groups: Vec<Group>,
    pub users: Vec<User>,
    pub roles: Vec<Role>,
}

/// One identity policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    pub statements: Vec<Statement>,
}

/// One statement: an effect and action patterns, on every resource (`*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub effect: Effect,
    /// NotAction: the statement covers every catalog action matched by none
    /// of the patterns.
    pub not_action: bool,
    /// IAM action patterns (`*` and `?` wildcards, case-insensitive).
    pub actions: Vec<String>,
}

/// The effect of a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// A group and the policies it attaches (an index may repeat).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    pub attach: Vec<usize>,
}

/// A user: its groups, and maybe a policy of its own and a boundary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub groups: Vec<usize>,
    pub attach: Option<usize>,
    pub boundary: Option<usize>,
}

/// A role with one attached policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    pub name: String,
    pub attach: usize,
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// One action pattern drawn from the catalog (`*` for an empty catalog).
fn pattern(rng: &mut Rng, actions: &[String]) -> String {
    let Some(action) = actions.get(rng.below(actions.len())) else {
        return "*".to_string();
    };
    let (service, name) = action.split_once(':').unwrap_or(("chime", action));
    match rng.below(10) {
        0 => format!("{service}:*"),
        1..=3 => {
            // A verb prefix: List*, Get*, Create*, ...
            let cut = name
                .char_indices()
                .skip(1)
                .find(|(_, c)| c.is_ascii_uppercase())
                .map_or(name.len(), |(i, _)| i);
            format!("{service}:{}*", name.get(..cut).unwrap_or(name))
        }
        4 => {
            // A suffix: the last four characters.
            let start = name.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
            format!("{service}:*{}", name.get(start..).unwrap_or(name))
        }
        _ => action.clone(),
    }
}

/// Generates the organisation of `shape` with the given mix.
pub fn generate(shape: Shape, mix: Mix, catalog: &Catalog) -> Org {
    let mut rng = Rng(shape.seed);
    let actions: Vec<String> = (0..catalog.len() as u32)
        .map(|a| catalog.qualified_name(a).unwrap_or_default().to_string())
        .collect();
    let n_policies = shape.policies.max(1);
    let policies = (0..n_policies)
        .map(|p| {
            let n_statements = 1 + rng.below(4);
            let statements = (0..n_statements)
                .map(|s| {
                    let effect = if s > 0 && rng.chance(mix.deny) {
                        Effect::Deny
                    } else {
                        Effect::Allow
                    };
                    let not_action = rng.chance(mix.not_action);
                    let n_patterns = 1 + rng.below(5);
                    let actions = (0..n_patterns)
                        .map(|_| pattern(&mut rng, &actions))
                        .collect();
                    Statement {
                        effect,
                        not_action,
                        actions,
                    }
                })
                .collect();
            Policy {
                name: format!("P{p}"),
                statements,
            }
        })
        .collect();
    let n_groups = shape.groups.max(1);
    let groups = (0..n_groups)
        .map(|g| Group {
            name: format!("G{g}"),
            attach: (0..1 + rng.below(3))
                .map(|_| rng.below(n_policies))
                .collect(),
        })
        .collect();
    let users = (0..shape.users)
        .map(|u| {
            let mut groups = vec![rng.below(n_groups)];
            if rng.chance(mix.second_group) {
                groups.push(rng.below(n_groups));
            }
            groups.dedup();
            let attach = rng.chance(mix.user_policy).then(|| rng.below(n_policies));
            let boundary = rng.chance(mix.boundary).then(|| rng.below(n_policies));
            User {
                name: format!("u{u}"),
                groups,
                attach,
                boundary,
            }
        })
        .collect();
    let roles = (0..shape.roles)
        .map(|r| Role {
            name: format!("r{r}"),
            attach: rng.below(n_policies),
        })
        .collect();
    Org {
        policies,
        groups,
        users,
        roles,
    }
}

impl Org {
    /// The organisation as one DSL file.
    pub fn to_dsl(&self) -> String {
        let mut out = String::with_capacity(self.users.len() * 40 + self.policies.len() * 120);
        out.push_str("// synthetic organisation generated by verdict::synth\n");
        let policy = |idx: usize| self.policies.get(idx).map_or("?", |p| p.name.as_str());
        for p in &self.policies {
            out.push_str(&format!("policy {} {{\n", p.name));
            for s in &p.statements {
                let effect = match s.effect {
                    Effect::Allow => "allow",
                    Effect::Deny => "deny",
                };
                let not = if s.not_action { "not " } else { "" };
                out.push_str(&format!("  {effect} {not}{}\n", s.actions.join(", ")));
            }
            out.push_str("}\n");
        }
        for g in &self.groups {
            let attach: Vec<&str> = g.attach.iter().map(|&p| policy(p)).collect();
            out.push_str(&format!(
                "group {} {{ attach {} }}\n",
                g.name,
                attach.join(", ")
            ));
        }
        for u in &self.users {
            let groups: Vec<&str> = u
                .groups
                .iter()
                .map(|&g| self.groups.get(g).map_or("?", |g| g.name.as_str()))
                .collect();
            let mut body = format!("member {}", groups.join(", "));
            if let Some(p) = u.attach {
                body.push_str(&format!("  attach {}", policy(p)));
            }
            if let Some(p) = u.boundary {
                body.push_str(&format!("  boundary {}", policy(p)));
            }
            out.push_str(&format!("user {} {{ {body} }}\n", u.name));
        }
        for r in &self.roles {
            out.push_str(&format!(
                "role {} {{ attach {} }}\n",
                r.name,
                policy(r.attach)
            ));
        }
        out
    }
}

impl Org {
    /// The organisation as an AWS account dump of account `account`
    /// (`get-account-authorization-details` output) written on one line, as
    /// `jq -c` and most SDK scripts write it: customer managed policies,
    /// groups, users (group memberships, one attached policy, a boundary)
    /// and roles (trusting EC2).
    pub fn to_dump(&self, account: &str) -> String {
        use serde_json::{json, Value};
        let arn = |idx: usize| {
            let name = self.policies.get(idx).map_or("?", |p| p.name.as_str());
            json!({
                "PolicyName": name,
                "PolicyArn": format!("arn:aws:iam::{account}:policy/{name}"),
            })
        };
        let policies: Vec<Value> = self
            .policies
            .iter()
            .map(|p| {
                let statements: Vec<Value> = p
                    .statements
                    .iter()
                    .map(|s| {
                        let key = if s.not_action { "NotAction" } else { "Action" };
                        let effect = match s.effect {
                            Effect::Allow => "Allow",
                            Effect::Deny => "Deny",
                        };
                        json!({"Effect": effect, key: s.actions, "Resource": "*"})
                    })
                    .collect();
                json!({
                    "PolicyName": p.name,
                    "Arn": format!("arn:aws:iam::{account}:policy/{}", p.name),
                    "Path": "/",
                    "DefaultVersionId": "v1",
                    "PolicyVersionList": [{
                        "Document": {"Version": "2012-10-17", "Statement": statements},
                        "VersionId": "v1",
                        "IsDefaultVersion": true,
                    }],
                })
            })
            .collect();
        let groups: Vec<Value> = self
            .groups
            .iter()
            .map(|g| {
                json!({
                    "GroupName": g.name,
                    "Path": "/",
                    "Arn": format!("arn:aws:iam::{account}:group/{}", g.name),
                    "GroupPolicyList": [],
                    "AttachedManagedPolicies": g.attach.iter().map(|&p| arn(p)).collect::<Vec<_>>(),
                })
            })
            .collect();
        let users: Vec<Value> = self
            .users
            .iter()
            .map(|u| {
                let mut user = json!({
                    "UserName": u.name,
                    "Path": "/",
                    "Arn": format!("arn:aws:iam::{account}:user/{}", u.name),
                    "GroupList": u.groups.iter()
                        .map(|&g| self.groups.get(g).map_or("?", |g| g.name.as_str()))
                        .collect::<Vec<_>>(),
                    "UserPolicyList": [],
                    "AttachedManagedPolicies": u.attach.iter().map(|&p| arn(p)).collect::<Vec<_>>(),
                });
                if let (Some(p), Some(fields)) = (u.boundary, user.as_object_mut()) {
                    let name = self.policies.get(p).map_or("?", |p| p.name.as_str());
                    fields.insert(
                        "PermissionsBoundary".to_string(),
                        json!({
                            "PermissionsBoundaryType": "Policy",
                            "PermissionsBoundaryArn": format!("arn:aws:iam::{account}:policy/{name}"),
                        }),
                    );
                }
                user
            })
            .collect();
        let roles: Vec<Value> = self
            .roles
            .iter()
            .map(|r| {
                json!({
                    "RoleName": r.name,
                    "Path": "/",
                    "Arn": format!("arn:aws:iam::{account}:role/{}", r.name),
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Effect": "Allow",
                            "Principal": {"Service": "ec2.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }],
                    },
                    "RolePolicyList": [],
                    "AttachedManagedPolicies": [arn(r.attach)],
                })
            })
            .collect();
        json!({
            "UserDetailList": users,
            "GroupDetailList": groups,
            "RoleDetailList": roles,
            "Policies": policies,
            "IsTruncated": false,
        })
        .to_string()
    }
}

/// The organisation of `shape` with the default [`Mix`], as one DSL file.
pub fn organisation(shape: Shape, catalog: &Catalog) -> String {
    generate(shape, Mix::default(), catalog).to_dsl()
}
