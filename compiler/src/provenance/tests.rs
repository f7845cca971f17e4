//! Tests of the provenance section: statements with their lines and action
//! ranges, profiles with their steps, groups and session owners, and the
//! partial evaluations of conditional statements, shared between principals.

use verdict_runtime::provenance::{
    CredentialKind, Effect, GrantSource, PolicyKind, Provenance, Step,
};

use crate::catalog::Catalog;
use crate::{compile, Config, Input, MemoryLoader};

fn catalog() -> Catalog {
    Catalog::from_text(
        "mini",
        "chime:DeleteAccount\tWrite\t\nchime:GetMeeting\tRead\tmeeting\nchime:ListMeetings\tList\t\n\
         chime:ListUsers\tList\t\nsts:GetCallerIdentity\tRead\t\nsts:GetSessionToken\tRead\t\n",
    )
    .expect("valid catalog")
}

const ORG: &str = r#"policy Read {
  sid ListAll allow chime:List*
}
policy Office {
  allow chime:GetMeeting on "arn:aws:chime:*:*:meeting/*"
  allow chime:DeleteAccount when { IpAddress aws:SourceIp = "10.0.0.0/8" }
}
policy TeamOnly {
  deny chime:ListUsers when { StringNotEquals aws:PrincipalTag/team = "red" }
}
group Staff { attach Read, TeamOnly }
user alice { member Staff  attach Office  tag team = red }
user bob { member Staff  attach Read  tag team = blue }
user carol { member Staff  tag team = red }
role Ops { attach Office  boundary Read }
assumed-role Ops/night { policy Narrow { allow chime:List* } }
scp Everything { allow * }
"#;

fn build() -> (crate::Compilation, Provenance) {
    let mut files = MemoryLoader::default();
    files.insert("org.vp", ORG);
    let config = Config {
        catalog: catalog(),
        ..Config::default()
    };
    let mut out = compile(&[Input::auto("org.vp")], &config, &mut files);
    assert!(!out.has_errors(), "{:#?}", out.diagnostics);
    let before = out.table.clone().unwrap();
    assert!(before.provenance().is_none());
    super::attach(&mut out, &config.catalog);
    assert!(!out.has_errors(), "{:#?}", out.diagnostics);
    let table = out.table.clone().unwrap();
    // Same cells, same names: only the section is new.
    let mut stripped = table.to_parts();
    let provenance = stripped.provenance.take().unwrap();
    assert_eq!(stripped, before.to_parts());
    (out, provenance)
}

fn policy(p: &Provenance, name: &str) -> u32 {
    p.policies.iter().position(|x| x.name == name).unwrap() as u32
}

fn principal_profile<'p>(
    out: &crate::Compilation,
    p: &'p Provenance,
    name: &str,
) -> &'p verdict_runtime::provenance::Profile {
    let table = out.table.as_ref().unwrap();
    let id = table.principal(name).unwrap();
    &p.profiles[p.principal_profile[id.index() as usize] as usize]
}

#[test]
fn statements_know_their_policy_sid_line_and_actions() {
    let (out, p) = build();
    assert_eq!(p.files, ["org.vp"]);
    let read = policy(&p, "Read");
    assert_eq!(p.policies[read as usize].line, 1);
    assert_eq!(p.policies[read as usize].kind, PolicyKind::Standalone);
    let range = p.policy_statements(read);
    assert_eq!(range.len(), 1);
    let stmt = &p.statements[range.start];
    assert_eq!(stmt.sid.as_deref(), Some("ListAll"));
    assert_eq!(stmt.line, 2);
    assert_eq!(stmt.effect, Effect::Allow);
    assert!(!stmt.conditional);
    let table = out.table.as_ref().unwrap();
    let named: Vec<&str> = table
        .actions()
        .filter(|a| {
            stmt.wildcard_only.contains(a.index()) || stmt.resource_typed.contains(a.index())
        })
        .map(|a| table.action_name(a))
        .collect();
    assert_eq!(named, ["chime:ListMeetings", "chime:ListUsers"]);

    let office = p.policy_statements(policy(&p, "Office"));
    let scoped = &p.statements[office.start];
    assert!(
        scoped.conditional,
        "a Resource narrower than * is conditional"
    );
    assert!(scoped.wildcard_only.is_empty());
    assert_eq!(scoped.line, 5);
    let from_corp = &p.statements[office.start + 1];
    assert_eq!(
        from_corp.conditions,
        ["IpAddress aws:SourceIp [\"10.0.0.0/8\"]"]
    );
    assert_eq!(
        p.policies[policy(&p, "Everything") as usize].kind,
        PolicyKind::Scp
    );
    assert!(p.caller_identity.is_some());
    assert_eq!(p.role_session_forbidden.0.len(), 1);
}

#[test]
fn profiles_say_how_each_policy_applies() {
    let (out, p) = build();
    let name = |i: Option<u32>| i.map(|i| p.names[i as usize].as_str());
    let bob = principal_profile(&out, &p, "user/bob");
    assert_eq!(bob.kind, CredentialKind::User);
    assert_eq!(bob.steps.len(), 2);
    assert_eq!(
        name(match bob.steps[0] {
            Step::Scp { level } => Some(level),
            _ => None,
        }),
        Some("root")
    );
    assert_eq!(bob.steps[1], Step::Identity);
    // Read directly, then the group Staff with Read and TeamOnly.
    let grants: Vec<(Option<&str>, Vec<&str>)> = bob
        .grants
        .iter()
        .map(|g| {
            let group = match g.source {
                GrantSource::Group(idx) => name(Some(p.groups[idx as usize].name)),
                GrantSource::Policy(_) => None,
            };
            let policies = p
                .granted_policies(g)
                .iter()
                .map(|&i| p.policies[i as usize].name.as_str())
                .collect();
            (group, policies)
        })
        .collect();
    assert_eq!(
        grants[1..],
        [
            (None, vec!["Read"]),
            (Some("group/Staff"), vec!["Read", "TeamOnly"])
        ]
    );
    let ops = principal_profile(&out, &p, "role/Ops");
    assert_eq!(ops.kind, CredentialKind::RoleSession);
    assert_eq!(ops.steps[1..], [Step::Identity, Step::Boundary]);
    let night = principal_profile(&out, &p, "assumed-role/Ops/night");
    assert_eq!(night.kind, CredentialKind::DeclaredSession);
    assert_eq!(name(night.through), Some("role/Ops"));
    assert_eq!(
        night.steps[1..],
        [Step::Identity, Step::Boundary, Step::Session]
    );
    let session_policy = night.grants.iter().find(|g| g.step == 3).unwrap();
    assert_eq!(
        p.granted_policies(session_policy)
            .iter()
            .map(|&i| p.policies[i as usize].name.as_str())
            .collect::<Vec<_>>(),
        ["assumed-role/Ops/night/Narrow"]
    );
}

#[test]
fn conditional_statements_are_evaluated_per_profile() {
    let (out, p) = build();
    let team_only = p.policy_statements(policy(&p, "TeamOnly")).start as u32;
    let alice = principal_profile(&out, &p, "user/alice");
    let bob = principal_profile(&out, &p, "user/bob");
    let carol = principal_profile(&out, &p, "user/carol");
    // The tag is known: the Deny never applies to red, always to blue.
    assert_eq!(alice.eval(team_only).unwrap().wildcard_only, None);
    assert_eq!(bob.eval(team_only).unwrap().wildcard_only, Some(vec![]));
    // The request-key condition becomes an atom.
    let office = p.policy_statements(policy(&p, "Office"));
    let from_corp = alice.eval(office.start as u32 + 1).unwrap();
    let atoms = from_corp.wildcard_only.clone().unwrap();
    assert_eq!(atoms.len(), 1);
    assert!(matches!(
        p.atoms[atoms[0] as usize],
        verdict_runtime::parts::Atom::Condition(_)
    ));
    // carol has alice's groups, tags and no Office: a profile of her own.
    assert_ne!(alice, carol);
    assert!(carol.eval(office.start as u32).is_none());
}

#[test]
fn principals_with_the_same_profile_share_it() {
    let mut files = MemoryLoader::default();
    let mut org = String::from("policy Read { allow chime:List* }\ngroup Staff { attach Read }\n");
    for i in 0..50 {
        org.push_str(&format!("user u{i} {{ member Staff }}\n"));
    }
    files.insert("org.vp", org);
    let config = Config {
        catalog: catalog(),
        ..Config::default()
    };
    let mut out = compile(&[Input::auto("org.vp")], &config, &mut files);
    super::attach(&mut out, &config.catalog);
    assert!(!out.has_errors(), "{:#?}", out.diagnostics);
    let table = out.table.unwrap();
    let p = table.provenance().unwrap();
    assert_eq!(p.principal_profile.len(), 50);
    assert_eq!(p.profiles.len(), 1);
}

#[test]
fn a_table_of_another_model_is_an_internal_error() {
    let (mut out, _) = build();
    let mut other = MemoryLoader::default();
    other.insert("other.vp", "user zed {}\n");
    let config = Config {
        catalog: catalog(),
        ..Config::default()
    };
    out.table = compile(&[Input::auto("other.vp")], &config, &mut other).table;
    super::attach(&mut out, &config.catalog);
    let errors: Vec<&str> = out
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code)
        .collect();
    assert_eq!(errors, ["E0900"]);
    assert!(out.table.is_none() && out.model.is_none());
}
