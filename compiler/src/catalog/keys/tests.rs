//! The built-in key data against the action catalog, template matching, and
//! key lines in user TSV catalogs.

use super::*;
use crate::catalog::Catalog;

#[test]
fn builtin_key_data_reads_whole_and_matches_the_action_catalog() {
    let catalog = Catalog::builtin("aws").unwrap();
    let keys = catalog.condition_keys().unwrap();
    // Figures of the catalog README.
    assert_eq!(keys.counts(), (457, 2596));
    // Every service of the key data is a catalog service, and the other way.
    let services: Vec<&str> = catalog.services().collect();
    assert_eq!(keys.services.len(), services.len());
    for (s, name) in keys.services.iter().zip(&services) {
        assert_eq!(&s.name, name);
        let range = catalog.service_range(name).unwrap();
        // Every action line names an action of that service.
        for (action, ids) in &s.actions {
            let found = catalog.find(&format!("{name}:{action}"));
            assert!(found.is_some_and(|i| range.contains(&i)), "{name}:{action}");
            assert!(ids.iter().all(|&i| (i as usize) < s.keys.len()));
        }
        // Every resource line is a resource type some action of it takes,
        // or at least a type of the service's data.
        for (_, ids) in &s.resources {
            assert!(ids.iter().all(|&i| (i as usize) < s.keys.len()));
        }
    }
    let chime = Catalog::builtin("chime").unwrap();
    let chime_keys = chime.condition_keys().unwrap();
    assert_eq!(chime_keys.counts(), (1, 3));
    assert!(chime_keys.has_service("CHIME"));
    assert!(chime_keys.find("chime:MeetingRegion").is_none());
}

#[test]
fn keys_compare_case_insensitively_and_templates_match_any_part() {
    let catalog = Catalog::builtin("aws").unwrap();
    let keys = catalog.condition_keys().unwrap();
    let tag = keys.find("AWS:requesttag/Team").unwrap();
    assert_eq!(tag.name, "aws:RequestTag/${TagKey}");
    assert!(
        keys.find("aws:RequestTag/").is_none(),
        "a template part is never empty"
    );
    let s3 = keys.find("s3:ExistingObjectTag/owner").unwrap();
    assert_eq!(s3.name, "s3:ExistingObjectTag/<key>");
    assert_eq!(
        keys.find("secretsmanager:ResourceTag/team")
            .map(|k| k.ty.name()),
        Some("String".to_string())
    );
    assert_eq!(
        keys.find("s3:max-keys").map(|k| k.ty),
        Some(KeyType {
            base: KeyBase::Numeric,
            multi: false
        })
    );
    // `sts` declares keys of other prefixes; they are found by theirs.
    assert!(keys.find("accounts.google.com:aud").is_some());
    let get = catalog.get(catalog.find("s3:GetObject").unwrap()).unwrap();
    assert_eq!(
        keys.action_supports(get, "s3:ExistingObjectTag/x"),
        Some(true)
    );
    assert_eq!(keys.action_supports(get, "aws:RequestTag/x"), Some(false));
    let chime = catalog
        .get(catalog.find("chime:CreateMeeting").unwrap())
        .unwrap();
    assert_eq!(keys.action_supports(chime, "aws:RequestTag/x"), Some(true));
    let list = catalog
        .get(catalog.find("chime:ListUsers").unwrap())
        .unwrap();
    assert_eq!(keys.action_supports(list, "aws:ResourceTag/x"), Some(false));
    // Resource-type keys count for the action.
    let meeting = catalog
        .get(catalog.find("chime:DeleteMeeting").unwrap())
        .unwrap();
    assert_eq!(
        keys.action_supports(meeting, "aws:ResourceTag/x"),
        Some(true)
    );
}

#[test]
fn type_names_read_back() {
    for name in [
        "String",
        "ArrayOfString",
        "ARN",
        "ArrayOfARN",
        "Numeric",
        "Date",
        "Bool",
        "ArrayOfBool",
        "IPAddress",
        "Binary",
        "Date|Numeric",
        "Unknown",
    ] {
        assert_eq!(
            KeyType::parse(name).map(|t| t.name()).as_deref(),
            Some(name)
        );
    }
    assert_eq!(
        KeyType::parse("Boolean").map(|t| t.name()).as_deref(),
        Some("Bool")
    );
    assert!(KeyType::parse("ArrayOf").is_none());
    assert!(KeyType::parse("Text").is_none());
}

#[test]
fn global_keys_and_service_facts_read() {
    assert_eq!(
        global_key("aws:sourceip")
            .map(|g| g.key.ty.name())
            .as_deref(),
        Some("IPAddress")
    );
    assert_eq!(
        global_key("aws:EpochTime").map(|g| g.key.ty.base),
        Some(KeyBase::DateOrNumeric)
    );
    assert_eq!(
        global_key("aws:PrincipalTag/x").map(|g| g.presence),
        Some(Presence::Sometimes)
    );
    assert_eq!(
        global_key("aws:CurrentTime").map(|g| g.presence),
        Some(Presence::Always)
    );
    assert_eq!(
        global_key("ec2:SourceInstanceArn").map(|g| g.presence),
        Some(Presence::Credentials)
    );
    assert!(global_key("aws:SourceIp4").is_none());
    let chime = facts_of_principal("voiceconnector.chime.amazonaws.com").unwrap();
    assert_eq!(chime.service, "chime");
    assert_eq!(chime.service_roles, Some(false));
    assert_eq!(chime.resource_policies, Some(false));
    assert_eq!(chime.service_linked_roles, Some(true));
    assert_eq!(chime.tag_authorization, Some(true));
    assert!(facts_of_principal("CHIME.amazonaws.com").is_some());
    assert!(facts_of_principal("lambda.amazonaws.com").is_none());
    assert!(facts_of_principal("chime.amazonaws.com.evil").is_none());
}

#[test]
fn user_tsv_catalogs_carry_keys_in_blocks_and_old_files_have_none() {
    let old =
        Catalog::from_text("old", "chime:ListUsers\tList\nchime:CreateMeeting\tWrite\n").unwrap();
    assert!(old.condition_keys().is_none(), "no key lines: keys unknown");
    let text = "action\taccess_level\tresource_types\n\
                acme:Get\tRead\tthing\n\
                acme:Put\tWrite\n\
                service\tacme\n\
                key\tacme:Color\tString\n\
                key\taws:ResourceTag/${TagKey}\tString\n\
                resource\tthing\taws:ResourceTag/${TagKey}\n\
                action\tPut\t0\n";
    let catalog = Catalog::from_text("acme", text).unwrap();
    assert_eq!(catalog.len(), 2);
    let keys = catalog.condition_keys().unwrap();
    assert_eq!(keys.counts(), (1, 2));
    let get = catalog.get(catalog.find("acme:Get").unwrap()).unwrap();
    let put = catalog.get(catalog.find("acme:Put").unwrap()).unwrap();
    assert_eq!(keys.action_supports(get, "aws:ResourceTag/a"), Some(true));
    assert_eq!(keys.action_supports(get, "acme:color"), Some(false));
    assert_eq!(keys.action_supports(put, "acme:color"), Some(true));
    for (bad, why) in [
        ("acme:Get\nkey\tacme:X\tString\n", "invalid action `key`"),
        (
            "acme:Get\nservice\tacme\nkey\tacme:X\tText\n",
            "unknown condition key type",
        ),
        (
            "acme:Get\nservice\tacme\nkey\tacme:X\n",
            "exactly 3 columns",
        ),
        (
            "acme:Get\nservice\tacme\naction\tGet\t7\n",
            "no key number 7",
        ),
        ("acme:Get\nservice\tac me\n", "service prefix"),
        (
            "acme:Get\nservice\tacme\nkey\tnoprefix\tString\n",
            "no prefix",
        ),
    ] {
        let err = Catalog::from_text("bad", bad).unwrap_err();
        assert!(err.to_string().contains(why), "{bad:?}: {err}");
    }
}

#[test]
fn json_catalogs_carry_keys_when_they_declare_them() {
    let with = r#"{"Name":"acme","Actions":[
        {"Name":"Put","ActionConditionKeys":["acme:Color"],"Resources":[{"Name":"thing"}]},
        {"Name":"Get"}],
      "ConditionKeys":[{"Name":"acme:Color","Types":["String"]},
                       {"Name":"aws:ResourceTag/${TagKey}","Types":["String"]}],
      "Resources":[{"Name":"thing","ConditionKeys":["aws:ResourceTag/${TagKey}"]}]}"#;
    let catalog = Catalog::from_text("acme", with).unwrap();
    let keys = catalog.condition_keys().unwrap();
    assert_eq!(keys.counts(), (1, 2));
    let put = catalog.get(catalog.find("acme:Put").unwrap()).unwrap();
    let get = catalog.get(catalog.find("acme:Get").unwrap()).unwrap();
    assert_eq!(keys.action_supports(put, "acme:COLOR"), Some(true));
    assert_eq!(keys.action_supports(put, "aws:ResourceTag/x"), Some(true));
    assert_eq!(keys.action_supports(get, "acme:Color"), Some(false));
    let without = r#"{"Name":"acme","Actions":[{"Name":"Get"}]}"#;
    assert!(Catalog::from_text("acme", without)
        .unwrap()
        .condition_keys()
        .is_none());
    let bad = r#"{"Name":"acme","Actions":[{"Name":"Get"}],"ConditionKeys":[{"Name":"acme:X","Types":["Colour"]}]}"#;
    let err = Catalog::from_text("acme", bad).unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown condition key type `Colour`"),
        "{err}"
    );
}
