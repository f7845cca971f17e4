//! Unit tests of the catalog: built-in data (counts from
//! `data/catalog/README.md`), lookups, pattern matching (SEMANTICS.md A2–A5,
//! X1–X3, X8–X10), the text and JSON formats and their errors, suggestions.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use proptest::prelude::*;
use verdict_grammar::{Json, JsonKind, Span, Spanned};

use super::*;
use crate::glob::iglob;

fn aws() -> &'static Catalog {
    static AWS: OnceLock<Catalog> = OnceLock::new();
    AWS.get_or_init(|| Catalog::builtin("aws").unwrap())
}

fn chime() -> &'static Catalog {
    static CHIME: OnceLock<Catalog> = OnceLock::new();
    CHIME.get_or_init(|| Catalog::builtin("chime").unwrap())
}

/// The qualified names of a set's members.
fn names<'c>(catalog: &'c Catalog, set: &ActionSet) -> Vec<&'c str> {
    set.iter()
        .map(|idx| catalog.qualified_name(idx).unwrap())
        .collect()
}

/// `pattern` matches exactly `expected` (qualified names, any order).
fn check_match(catalog: &Catalog, pattern: &str, expected: &[&str]) {
    let mut got = names(catalog, &catalog.match_pattern(pattern));
    let mut expected = expected.to_vec();
    got.sort_unstable();
    expected.sort_unstable();
    assert_eq!(got, expected, "pattern {pattern:?}");
}

/// Brute force: every action, vendor compared exactly, name with `iglob`.
fn brute_force(catalog: &Catalog, pattern: &str) -> ActionSet {
    let mut set = catalog.empty_set();
    for (idx, action) in (0..).zip(catalog.actions()) {
        let hit = pattern == "*"
            || pattern.split_once(':').is_some_and(|(vendor, name)| {
                !name.is_empty()
                    && !name.contains(':')
                    && !name.contains(char::is_whitespace)
                    && (vendor == "*" || vendor.eq_ignore_ascii_case(&action.service))
                    && iglob(name, &action.name)
            });
        if hit {
            set.insert(idx);
        }
    }
    set
}

fn access_counts(catalog: &Catalog) -> BTreeMap<AccessLevel, usize> {
    let mut counts = BTreeMap::new();
    for action in catalog.actions() {
        *counts.entry(action.access).or_default() += 1;
    }
    counts
}

// ---------------------------------------------------------------------------
// Built-in catalogs
// ---------------------------------------------------------------------------

#[test]
fn builtin_sizes() {
    assert_eq!(chime().len(), 316);
    assert_eq!(chime().universe(), 316);
    assert_eq!(chime().name(), "chime");
    assert_eq!(chime().services().collect::<Vec<_>>(), ["chime"]);
    assert_eq!(aws().len(), 22_321);
    assert_eq!(aws().name(), "aws");
    assert_eq!(aws().services().len(), 457);
    assert!(!aws().is_empty());
}

#[test]
fn builtin_names() {
    assert!(Catalog::builtin("CHIME").is_some_and(|c| c.name() == "chime"));
    assert!(Catalog::builtin("s3").is_none());
    assert!(Catalog::builtin("").is_none());
    for name in BUILTIN_CATALOGS {
        assert!(Catalog::builtin(name).is_some(), "{name}");
    }
}

#[test]
fn builtin_access_level_counts_match_readme() {
    use AccessLevel::*;
    let expected_aws = BTreeMap::from([
        (List, 3_748),
        (Read, 5_947),
        (Write, 11_485),
        (Tagging, 719),
        (PermissionsManagement, 422),
    ]);
    assert_eq!(access_counts(aws()), expected_aws);
    let expected_chime = BTreeMap::from([(List, 50), (Read, 70), (Write, 190), (Tagging, 6)]);
    assert_eq!(access_counts(chime()), expected_chime);
}

#[test]
fn builtin_wildcard_only_counts() {
    assert_eq!(chime().wildcard_only().count(), 148);
    assert_eq!(aws().wildcard_only().count(), 6_762);
    let idx = chime().find("chime:ListUsers").unwrap();
    assert!(chime().is_wildcard_only(idx), "SEMANTICS.md R4 example");
    let idx = chime().find("chime:CreateAttendee").unwrap();
    assert!(!chime().is_wildcard_only(idx));
    assert_eq!(
        chime().get(idx).unwrap().resource_types.as_deref(),
        Some(&["meeting".to_owned()][..])
    );
    assert!(!chime().is_wildcard_only(10_000));
}

#[test]
fn chime_is_the_chime_part_of_aws() {
    for action in chime().actions() {
        let qualified = format!("{}:{}", action.service, action.name);
        let idx = aws().find(&qualified).unwrap();
        assert_eq!(aws().get(idx), Some(action));
    }
    let range = aws().service_range("chime").unwrap();
    assert_eq!(range.len(), 316);
}

#[test]
fn actions_are_sorted_and_services_contiguous() {
    for catalog in [chime(), aws()] {
        let keys: Vec<(String, String)> = catalog
            .actions()
            .iter()
            .map(|a| (a.service.to_ascii_lowercase(), a.name.to_ascii_lowercase()))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        let mut covered = 0;
        for service in catalog.services() {
            let range = catalog.service_range(service).unwrap();
            assert_eq!(range.start, covered);
            assert!(range.end > range.start);
            for idx in range.clone() {
                assert_eq!(catalog.get(idx).unwrap().service, service);
            }
            covered = range.end;
        }
        assert_eq!(covered, catalog.universe());
    }
}

// ---------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------

#[test]
fn find_is_ascii_case_insensitive() {
    let c = chime();
    let idx = c.find("chime:ListUsers").unwrap();
    assert_eq!(c.find("CHIME:LISTUSERS"), Some(idx));
    assert_eq!(c.find("Chime:listusers"), Some(idx));
    let action = c.get(idx).unwrap();
    assert_eq!(
        (action.service.as_str(), action.name.as_str()),
        ("chime", "ListUsers")
    );
    assert_eq!(c.access(idx), Some(AccessLevel::List));
    assert_eq!(c.qualified_name(idx), Some("chime:ListUsers"));
}

#[test]
fn find_rejects_non_actions() {
    let c = chime();
    for name in [
        "chime:ListUser",
        "chime:List*",
        "chime:*",
        "ListUsers",
        "chime:ListUsers:x",
        "chime: ListUsers",
        "s3:GetObject",
        "",
        ":",
    ] {
        assert_eq!(c.find(name), None, "{name:?}");
    }
    assert_eq!(c.get(316), None);
    assert_eq!(c.access(316), None);
    assert_eq!(c.qualified_name(316), None);
}

#[test]
fn every_qualified_name_finds_its_index() {
    let c = aws();
    for idx in 0..c.universe() {
        let name = c.qualified_name(idx).unwrap();
        assert_eq!(c.find(name), Some(idx), "{name}");
        assert_eq!(c.find(&name.to_ascii_uppercase()), Some(idx), "{name}");
    }
}

#[test]
fn service_range_is_case_insensitive() {
    assert_eq!(aws().service_range("S3"), aws().service_range("s3"));
    assert_eq!(aws().service_range("s3").map(|r| r.len()), Some(180));
    assert_eq!(aws().service_range("s4"), None);
    assert_eq!(aws().service_range(""), None);
}

// ---------------------------------------------------------------------------
// Matching (SEMANTICS.md §3 and §10)
// ---------------------------------------------------------------------------

/// A2, X3: `*` matches every action of every service.
#[test]
fn a2_x3_star_matches_everything() {
    assert!(aws().match_pattern("*").is_full());
    assert!(chime().match_pattern("*").is_full());
    assert!(aws().match_pattern("*:*").is_full());
}

/// A3, X1: vendor exact and case-insensitive, name by `iglob`.
#[test]
fn a3_x1_list_star() {
    let set = chime().match_pattern("chime:list*");
    assert_eq!(set.count(), 51);
    let found = names(chime(), &set);
    assert!(found.contains(&"chime:ListUsers"));
    assert!(found.contains(&"chime:ListAccounts"));
    assert!(!found.contains(&"chime:GetUser"));
    assert!(found
        .iter()
        .all(|n| n.to_ascii_lowercase().starts_with("chime:list")));
    assert_eq!(aws().match_pattern("chime:list*").count(), 51);
}

/// A3, X2: `chime:*` does not reach other services sharing the prefix.
#[test]
fn a3_x2_vendor_has_no_wildcard_and_no_prefix_match() {
    let c = Catalog::from_text(
        "t",
        "chime:ListUsers\nchime:GetUser\nchimesdk:CreateX\nchime-sdk-meetings:CreateMeeting\nchime-sdk-meetings:ListAttendees\n",
    )
    .unwrap();
    check_match(&c, "chime:*", &["chime:GetUser", "chime:ListUsers"]);
    check_match(&c, "chime:list*", &["chime:ListUsers"]);
    check_match(&c, "chime*:*", &[]);
    check_match(&c, "chime?:*", &[]);
    check_match(&c, "CHIMESDK:*", &["chimesdk:CreateX"]);
    check_match(
        &c,
        "*:Create*",
        &["chimesdk:CreateX", "chime-sdk-meetings:CreateMeeting"],
    );
}

/// A4, X8: patterns are anchored at both ends.
#[test]
fn a4_x8_anchoring() {
    let a = aws();
    let objects = names(a, &a.match_pattern("s3:*Object"));
    assert!(objects.contains(&"s3:GetObject"));
    assert!(!objects.contains(&"s3:GetObjectAcl"));
    assert_eq!(objects.len(), 5);
    check_match(a, "s3:Get?bject", &["s3:GetObject"]);
    let keys = names(a, &a.match_pattern("iam:*AccessKey*"));
    assert!(keys.contains(&"iam:CreateAccessKey"));
    assert!(keys.contains(&"iam:ListAccessKeys"));
    assert_eq!(keys.len(), 5);
    let s3 = a.match_pattern("s3:*");
    assert_eq!(s3.count(), 180);
    assert!(names(a, &s3).iter().all(|n| n.starts_with("s3:")));
}

/// X9: the whole action compares case-insensitively.
#[test]
fn x9_case_insensitive_literal() {
    check_match(chime(), "CHIME:LISTUSERS", &["chime:ListUsers"]);
    check_match(chime(), "chime:listusers", &["chime:ListUsers"]);
}

/// A5, X10: an empty name part or whitespace in it matches nothing; no trimming.
#[test]
fn a5_x10_whitespace_and_empty_names_match_nothing() {
    for pattern in [
        "chime:List Users",
        "s3: GetObject",
        "s3:GetObject ",
        "chime:\tListUsers",
        "chime:",
        "chime: *",
        "*: *",
    ] {
        assert!(aws().match_pattern(pattern).is_empty(), "{pattern:?}");
    }
    // Whitespace around the vendor is not trimmed either.
    assert!(aws().match_pattern(" chime:ListUsers").is_empty());
}

/// V9: no colon or several colons match nothing (reported elsewhere).
#[test]
fn v9_malformed_patterns_match_nothing() {
    for pattern in [
        "ListUsers",
        "",
        "chime:List:Users",
        "chime::ListUsers",
        "**",
        "*:*:*",
        ":ListUsers",
    ] {
        assert!(chime().match_pattern(pattern).is_empty(), "{pattern:?}");
    }
}

/// V9: a vendor of exactly `*` matches every service; other wildcards in
/// the vendor are literal.
#[test]
fn v9_star_vendor() {
    let set = aws().match_pattern("*:ListUsers");
    assert_eq!(set.count(), 16);
    assert!(names(aws(), &set).iter().all(|n| n.ends_with(":ListUsers")));
    assert_eq!(aws().match_pattern("*:Get*").count(), 3_358);
    assert!(aws().match_pattern("c*:ListUsers").is_empty());
    assert!(aws().match_pattern("?3:GetObject").is_empty());
}

#[test]
fn patterns_agree_with_brute_force() {
    let a = aws();
    for pattern in [
        "ec2:Describe*",
        "chime:*Users*",
        "*:*Tag*",
        "s3:*",
        "s3:Get*Acl",
        "s3:?et*",
        "S3:GET*ACL",
        "iam:*",
        "iam:Get???r",
        "*:Get?bject",
        "lambda:*Function",
        "*:*s",
        "chime:List*s*e*",
        "sts:AssumeRole*",
        "s3:Get*Object*Tag*",
        "s3:é*",
        "s3:*é",
    ] {
        assert_eq!(
            a.match_pattern(pattern),
            brute_force(a, pattern),
            "{pattern}"
        );
    }
}

#[test]
fn match_pattern_into_unions() {
    let c = chime();
    let mut set = c.empty_set();
    c.match_pattern_into("chime:ListUsers", &mut set);
    c.match_pattern_into("chime:GetUser", &mut set);
    c.match_pattern_into("chime:Nope", &mut set);
    check_match(c, "chime:ListUsers", &["chime:ListUsers"]);
    assert_eq!(
        names(c, &set),
        ["chime:GetUser", "chime:ListUsers"],
        "index order is name order"
    );
}

/// A7 at the set level: NotAction is the complement within the catalog.
#[test]
fn a7_not_action_complement() {
    let a = aws();
    let not_chime = a.match_pattern("chime:*").complement();
    assert_eq!(not_chime.count(), 22_321 - 316);
    assert!(not_chime.contains(a.find("s3:GetObject").unwrap()));
    assert!(not_chime.contains(a.find("iam:CreateUser").unwrap()));
    assert!(!not_chime.contains(a.find("chime:ListUsers").unwrap()));
}

/// Random patterns built from real chime names.
fn arb_chime_pattern() -> impl Strategy<Value = String> {
    let n = chime().len();
    (
        0..n,
        proptest::collection::vec((0usize..40, 0u8..5), 0..4),
        any::<bool>(),
    )
        .prop_map(|(idx, edits, upper)| {
            let action = &chime().actions()[idx];
            let mut name: Vec<char> = action.name.chars().collect();
            for (pos, op) in edits {
                let pos = pos % (name.len() + 1);
                match op {
                    0 => name.insert(pos, '*'),
                    1 if pos < name.len() => name[pos] = '?',
                    2 if pos < name.len() => {
                        name.truncate(pos);
                        name.push('*');
                    }
                    3 if pos < name.len() => {
                        name.drain(..pos);
                        name.insert(0, '*');
                    }
                    _ => name.insert(pos, 'x'),
                }
            }
            let name: String = name.into_iter().collect();
            let pattern = format!("chime:{name}");
            if upper {
                pattern.to_ascii_uppercase()
            } else {
                pattern
            }
        })
}

proptest! {
    #[test]
    fn random_patterns_agree_with_brute_force(pattern in arb_chime_pattern()) {
        prop_assert_eq!(chime().match_pattern(&pattern), brute_force(chime(), &pattern));
    }

    #[test]
    fn arbitrary_strings_never_panic(pattern in "\\PC{0,20}") {
        let set = chime().match_pattern(&pattern);
        prop_assert_eq!(set, brute_force(chime(), &pattern));
        let _ = chime().find(&pattern);
        let _ = chime().suggest(&pattern);
    }
}

// ---------------------------------------------------------------------------
// Text format
// ---------------------------------------------------------------------------

#[test]
fn text_plain_list_with_comments() {
    let text = "# my catalog\n\nchime:ListUsers\r\n  chime:GetUser  \n# end\nS3:GetObject\n";
    let c = Catalog::from_text("mine", text).unwrap();
    assert_eq!(c.name(), "mine");
    assert_eq!(c.len(), 3);
    assert_eq!(c.services().collect::<Vec<_>>(), ["chime", "s3"]);
    let idx = c.find("s3:getobject").unwrap();
    let action = c.get(idx).unwrap();
    assert_eq!(action.service, "S3", "service kept as written");
    assert_eq!(action.access, AccessLevel::Unknown);
    assert_eq!(action.resource_types, None);
    assert!(
        !c.is_wildcard_only(idx),
        "unknown resource types are not wildcard-only"
    );
    check_match(&c, "s3:*", &["S3:GetObject"]);
}

#[test]
fn text_tsv_columns_and_header() {
    let text = "\u{feff}action\taccess_level\tresource_types\n\
                chime:ListUsers\tList\t\n\
                chime:CreateMeeting\tWrite\tmeeting\n\
                chime:TagMeeting\tTagging, Write\tmeeting, attendee\n\
                iam:PutUserPolicy\tPermissions management\n\
                iam:GetUser\t\n";
    let c = Catalog::from_text("t", text).unwrap();
    assert_eq!(c.len(), 5);
    let get = |name: &str| c.get(c.find(name).unwrap()).unwrap();
    assert_eq!(get("chime:ListUsers").access, AccessLevel::List);
    assert_eq!(get("chime:ListUsers").resource_types, Some(vec![]));
    assert!(c.is_wildcard_only(c.find("chime:ListUsers").unwrap()));
    assert_eq!(get("chime:TagMeeting").access, AccessLevel::Tagging);
    assert_eq!(
        get("chime:TagMeeting").resource_types,
        Some(vec!["meeting".to_owned(), "attendee".to_owned()])
    );
    assert_eq!(
        get("iam:PutUserPolicy").access,
        AccessLevel::PermissionsManagement
    );
    assert_eq!(get("iam:PutUserPolicy").resource_types, None);
    assert_eq!(get("iam:GetUser").access, AccessLevel::Unknown);
    assert_eq!(c.wildcard_only().count(), 1);
}

#[test]
fn text_order_does_not_matter() {
    let a = Catalog::from_text("t", "b:X\na:Y\na:x\n").unwrap();
    let b = Catalog::from_text("t", "a:x\na:Y\nb:X\n").unwrap();
    assert_eq!(a, b);
    assert_eq!(
        (0..3)
            .map(|i| a.qualified_name(i).unwrap())
            .collect::<Vec<_>>(),
        ["a:x", "a:Y", "b:X"]
    );
}

#[test]
fn builtin_tsv_reads_through_from_text() {
    // The built-in key data is the text format's key lines.
    let text = format!("{AWS_TSV}{}", super::keys::AWS_KEYS_TSV);
    let c = Catalog::from_text("aws", &text).unwrap();
    assert_eq!(&c, aws());
    assert!(c.condition_keys().is_some());
    let plain = Catalog::from_text("aws", AWS_TSV).unwrap();
    assert!(plain.condition_keys().is_none());
    assert_eq!(plain.actions(), aws().actions());
}

fn text_error(text: &str) -> CatalogError {
    Catalog::from_text("t", text).unwrap_err()
}

#[test]
fn text_errors_carry_line_and_span() {
    let text = "chime:ListUsers\n# comment\n  ListUsers\n";
    let err = text_error(text);
    assert_eq!(err.line, Some(3));
    let span = err.span.unwrap();
    assert_eq!(&text[span.start as usize..span.end as usize], "ListUsers");
    assert_eq!(
        err.to_string(),
        "line 3: invalid action `ListUsers`: expected `service:Action`"
    );
}

#[test]
fn text_invalid_actions() {
    let cases = [
        ("a:b:c", "more than one colon"),
        (":ListUsers", "empty service prefix"),
        ("chime:", "empty action name"),
        (
            "chi me:ListUsers",
            "a service prefix may contain only letters, digits, `.` and `-`",
        ),
        ("chime:List*", "catalog actions cannot contain wildcards"),
        ("chime:List?", "catalog actions cannot contain wildcards"),
        (
            "chime:List_Users",
            "an action name may contain only letters, digits and `-`",
        ),
        (
            "chime:List Users",
            "an action name may contain only letters, digits and `-`",
        ),
        (
            "*:ListUsers",
            "a service prefix may contain only letters, digits, `.` and `-`",
        ),
    ];
    for (action, reason) in cases {
        let err = text_error(&format!("chime:GetUser\n{action}\n"));
        assert_eq!(err.line, Some(2), "{action}");
        assert_eq!(
            err.kind,
            CatalogErrorKind::InvalidAction {
                action: action.to_owned(),
                reason
            }
        );
    }
}

#[test]
fn text_bad_columns() {
    let err = text_error("chime:ListUsers\tlist\nchime:GetUser\tReadOnly\n");
    assert_eq!(
        err.kind,
        CatalogErrorKind::UnknownAccessLevel("ReadOnly".to_owned())
    );
    assert_eq!(err.line, Some(2));
    assert_eq!(err.to_string(), "line 2: unknown access level `ReadOnly`");
    let err = text_error("chime:ListUsers\tList\t\tx\n");
    assert_eq!(err.kind, CatalogErrorKind::TooManyColumns(4));
    assert_eq!(err.line, Some(1));
}

#[test]
fn text_duplicates_are_case_insensitive() {
    let text = "chime:ListUsers\nchime:GetUser\nCHIME:listusers\nchime:getuser\n";
    let err = text_error(text);
    assert_eq!(err.line, Some(3));
    assert_eq!(
        err.kind,
        CatalogErrorKind::Duplicate {
            action: "CHIME:listusers".to_owned(),
            first_line: Some(1),
            first_span: Some(Span::new(0, 15)),
        }
    );
    assert_eq!(
        err.to_string(),
        "line 3: duplicate action `CHIME:listusers` (first listed on line 1)"
    );
}

#[test]
fn text_empty_catalog() {
    for text in [
        "",
        "\n\n",
        "# nothing\n",
        "action\taccess_level\tresource_types\n",
    ] {
        let err = text_error(text);
        assert_eq!(
            err.kind,
            CatalogErrorKind::Empty("t".to_owned()),
            "{text:?}"
        );
        assert_eq!(err.to_string(), "catalog `t` has no actions");
        assert_eq!(err.line, None);
    }
}

#[test]
fn text_header_only_first() {
    let err = text_error("chime:ListUsers\naction\taccess_level\n");
    assert_eq!(err.line, Some(2));
}

#[test]
fn json_is_detected_by_first_character() {
    for text in ["{", "  \n[", "\u{feff}{\"Name\": "] {
        let err = text_error(text);
        assert!(
            matches!(err.kind, CatalogErrorKind::Json(_)),
            "{text:?}: {err}"
        );
        assert!(err.line.is_some());
    }
}

// ---------------------------------------------------------------------------
// JSON format, on hand-built trees
// ---------------------------------------------------------------------------

/// Tiny JSON-tree builder: spans are fake but distinct (a counter), so tests
/// can check which value an error points at.
#[derive(Default)]
struct Builder {
    next: u32,
}

impl Builder {
    fn span(&mut self) -> Span {
        self.next += 10;
        Span::new(self.next as usize, self.next as usize + 5)
    }
    fn json(&mut self, kind: JsonKind) -> Json {
        Json {
            kind,
            span: self.span(),
        }
    }
    fn str(&mut self, s: &str) -> Json {
        self.json(JsonKind::String(s.to_owned()))
    }
    fn bool(&mut self, b: bool) -> Json {
        self.json(JsonKind::Bool(b))
    }
    fn arr(&mut self, items: Vec<Json>) -> Json {
        self.json(JsonKind::Array(items))
    }
    fn obj(&mut self, members: Vec<(&str, Json)>) -> Json {
        let members = members
            .into_iter()
            .map(|(k, v)| (Spanned::new(k.to_owned(), self.span()), v))
            .collect();
        self.json(JsonKind::Object(members))
    }
    /// An AWS service-reference action with the four flags.
    fn aws_action(&mut self, name: &str, flags: [bool; 4], resources: Option<&[&str]>) -> Json {
        let [list, pm, tagging, write] = flags;
        let props = vec![
            ("IsList", self.bool(list)),
            ("IsPermissionManagement", self.bool(pm)),
            ("IsTaggingOnly", self.bool(tagging)),
            ("IsWrite", self.bool(write)),
        ];
        let props = self.obj(props);
        let annotations = self.obj(vec![("Properties", props)]);
        let mut fields = vec![("Name", self.str(name)), ("Annotations", annotations)];
        if let Some(resources) = resources {
            let items = resources
                .iter()
                .map(|r| {
                    let n = self.str(r);
                    self.obj(vec![("Name", n)])
                })
                .collect();
            fields.push(("Resources", self.arr(items)));
        }
        self.obj(fields)
    }
    fn aws_doc(&mut self, service: &str, actions: Vec<Json>) -> Json {
        let name = self.str(service);
        let actions = self.arr(actions);
        let version = self.str("v1.4");
        self.obj(vec![
            ("Name", name),
            ("Actions", actions),
            ("Version", version),
        ])
    }
}

#[test]
fn json_aws_service_reference() {
    let mut b = Builder::default();
    let f = false;
    let t = true;
    let actions = vec![
        b.aws_action("ListUsers", [t, f, f, f], None),
        b.aws_action("GetUser", [f, f, f, f], Some(&[])),
        b.aws_action("CreateMeeting", [f, f, f, t], Some(&["meeting"])),
        b.aws_action("TagMeeting", [f, f, t, t], Some(&["meeting", "attendee"])),
        b.aws_action("PutPolicy", [f, t, f, t], Some(&["meeting"])),
        b.aws_action("Odd", [t, t, t, t], Some(&["meeting"])),
    ];
    let name = b.str("NoAnnotations");
    let bare = b.obj(vec![("Name", name)]);
    let mut actions = actions;
    actions.push(bare);
    let doc = b.aws_doc("chime", actions);
    let c = from_json("ref", &doc).unwrap();
    assert_eq!(c.len(), 7);
    let level = |name: &str| c.access(c.find(name).unwrap()).unwrap();
    assert_eq!(level("chime:ListUsers"), AccessLevel::List);
    assert_eq!(level("chime:GetUser"), AccessLevel::Read);
    assert_eq!(level("chime:CreateMeeting"), AccessLevel::Write);
    assert_eq!(level("chime:TagMeeting"), AccessLevel::Tagging);
    assert_eq!(level("chime:PutPolicy"), AccessLevel::PermissionsManagement);
    assert_eq!(level("chime:Odd"), AccessLevel::PermissionsManagement);
    assert_eq!(level("chime:NoAnnotations"), AccessLevel::Unknown);
    let wildcard_only = names(&c, c.wildcard_only());
    assert_eq!(
        wildcard_only,
        ["chime:GetUser", "chime:ListUsers", "chime:NoAnnotations"],
        "absent and empty Resources are wildcard-only"
    );
    let tag = c.get(c.find("chime:TagMeeting").unwrap()).unwrap();
    assert_eq!(
        tag.resource_types,
        Some(vec!["meeting".to_owned(), "attendee".to_owned()])
    );
}

#[test]
fn json_own_shape_and_arrays_of_documents() {
    let mut b = Builder::default();
    let own_actions = {
        let n1 = b.str("ListUsers");
        let a1 = b.str("List");
        let r1 = b.arr(vec![]);
        let n2 = b.str("CreateMeeting");
        let a2 = b.str("Write");
        let ty = b.str("meeting");
        let res = b.obj(vec![("type", ty)]);
        let r2 = b.arr(vec![res]);
        let n3 = b.str("Mystery");
        vec![
            b.obj(vec![("name", n1), ("access", a1), ("resources", r1)]),
            b.obj(vec![("name", n2), ("access", a2), ("resources", r2)]),
            b.obj(vec![("name", n3)]),
        ]
    };
    let service = b.str("chime");
    let own_list = b.arr(own_actions);
    let own = b.obj(vec![("service", service), ("actions", own_list)]);
    let s3_action = b.aws_action("GetObject", [false; 4], Some(&["object"]));
    let aws_doc = b.aws_doc("s3", vec![s3_action]);
    let both = b.arr(vec![own, aws_doc]);
    let c = from_json("mixed", &both).unwrap();
    assert_eq!(c.len(), 4);
    assert_eq!(c.services().collect::<Vec<_>>(), ["chime", "s3"]);
    let get = |name: &str| c.get(c.find(name).unwrap()).unwrap();
    assert_eq!(get("chime:ListUsers").access, AccessLevel::List);
    assert_eq!(get("chime:ListUsers").resource_types, Some(vec![]));
    assert_eq!(
        get("chime:CreateMeeting").resource_types,
        Some(vec!["meeting".to_owned()])
    );
    assert_eq!(get("chime:Mystery").access, AccessLevel::Unknown);
    assert_eq!(get("chime:Mystery").resource_types, Some(vec![]));
    assert_eq!(get("s3:GetObject").access, AccessLevel::Read);
}

#[test]
fn json_shape_errors_point_at_values() {
    let mut b = Builder::default();

    // Not an object or array.
    let s = b.str("chime");
    let err = from_json("t", &s).unwrap_err();
    assert_eq!(err.kind, CatalogErrorKind::NotACatalog);
    assert_eq!(err.span, Some(s.span));
    assert_eq!(err.line, None);

    // An object of neither shape.
    let url = b.str("https://example.com");
    let index_entry = b.obj(vec![("url", url)]);
    let err = from_json("t", &index_entry).unwrap_err();
    assert_eq!(err.kind, CatalogErrorKind::NotACatalog);

    // Missing Actions.
    let name = b.str("chime");
    let doc = b.obj(vec![("Name", name)]);
    let err = from_json("t", &doc).unwrap_err();
    assert_eq!(
        err.kind,
        CatalogErrorKind::MissingKey {
            key: "Actions",
            context: "service reference document"
        }
    );
    assert_eq!(err.span, Some(doc.span));
    assert_eq!(
        err.to_string(),
        "missing key `Actions` in service reference document"
    );

    // Actions not an array.
    let name = b.str("chime");
    let actions = b.str("ListUsers");
    let actions_span = actions.span;
    let doc = b.obj(vec![("Name", name), ("Actions", actions)]);
    let err = from_json("t", &doc).unwrap_err();
    assert_eq!(
        err.kind,
        CatalogErrorKind::WrongType {
            field: "Actions",
            expected: "an array"
        }
    );
    assert_eq!(err.span, Some(actions_span));

    // A flag that is not a boolean.
    let flag = b.str("true");
    let flag_span = flag.span;
    let props = b.obj(vec![("IsWrite", flag)]);
    let annotations = b.obj(vec![("Properties", props)]);
    let action_name = b.str("CreateMeeting");
    let action = b.obj(vec![("Name", action_name), ("Annotations", annotations)]);
    let doc = b.aws_doc("chime", vec![action]);
    let err = from_json("t", &doc).unwrap_err();
    assert_eq!(err.to_string(), "`IsWrite` must be a boolean");
    assert_eq!(err.span, Some(flag_span));

    // A repeated key.
    let n1 = b.str("A");
    let n2 = b.str("B");
    let action = b.obj(vec![("Name", n1), ("Name", n2)]);
    let doc = b.aws_doc("chime", vec![action]);
    let err = from_json("t", &doc).unwrap_err();
    assert_eq!(err.kind, CatalogErrorKind::DuplicateKey("Name".to_owned()));

    // Unknown access level in the own shape.
    let n = b.str("ListUsers");
    let access = b.str("Everything");
    let access_span = access.span;
    let action = b.obj(vec![("name", n), ("access", access)]);
    let service = b.str("chime");
    let list = b.arr(vec![action]);
    let doc = b.obj(vec![("service", service), ("actions", list)]);
    let err = from_json("t", &doc).unwrap_err();
    assert_eq!(
        err.kind,
        CatalogErrorKind::UnknownAccessLevel("Everything".to_owned())
    );
    assert_eq!(err.span, Some(access_span));
}

#[test]
fn json_invalid_names() {
    let mut b = Builder::default();
    let action = b.aws_action("List*", [true, false, false, false], None);
    let doc = b.aws_doc("chime", vec![action]);
    let err = from_json("t", &doc).unwrap_err();
    assert_eq!(
        err.kind,
        CatalogErrorKind::InvalidAction {
            action: "chime:List*".to_owned(),
            reason: "catalog actions cannot contain wildcards"
        }
    );

    let action = b.aws_action("ListUsers", [true, false, false, false], None);
    let doc = b.aws_doc("chime sdk", vec![action]);
    let err = from_json("t", &doc).unwrap_err();
    assert_eq!(
        err.kind,
        CatalogErrorKind::InvalidService("chime sdk".to_owned())
    );
    assert_eq!(err.to_string(), "invalid service prefix `chime sdk`");
}

#[test]
fn json_duplicates_and_empty() {
    let mut b = Builder::default();
    let first = b.aws_action("ListUsers", [true, false, false, false], None);
    let doc1 = b.aws_doc("chime", vec![first]);
    let second = b.aws_action("listusers", [true, false, false, false], None);
    let doc2 = b.aws_doc("CHIME", vec![second]);
    let docs = b.arr(vec![doc1, doc2]);
    let err = from_json("t", &docs).unwrap_err();
    match err.kind {
        CatalogErrorKind::Duplicate {
            action,
            first_line,
            first_span,
        } => {
            assert_eq!(action, "CHIME:listusers");
            assert_eq!(first_line, None);
            assert!(first_span.is_some());
            assert_ne!(first_span, err.span);
        }
        other => panic!("unexpected {other:?}"),
    }

    let empty_doc = b.aws_doc("chime", vec![]);
    let err = from_json("t", &empty_doc).unwrap_err();
    assert_eq!(err.kind, CatalogErrorKind::Empty("t".to_owned()));
    let nothing = b.arr(vec![]);
    assert_eq!(
        from_json("t", &nothing).unwrap_err().kind,
        CatalogErrorKind::Empty("t".to_owned())
    );
}

#[test]
fn chime_json_equals_builtin_chime() {
    let text = include_str!("../../data/catalog/chime.json");
    let json = verdict_grammar::parse_json(text).unwrap();
    let c = from_json("chime", &json).unwrap();
    assert_eq!(&c, chime());
    // The same through the text entry point, which detects JSON.
    assert_eq!(&Catalog::from_text("chime", text).unwrap(), chime());
}

// ---------------------------------------------------------------------------
// Suggestions
// ---------------------------------------------------------------------------

#[test]
fn suggest_close_actions() {
    let c = chime();
    assert_eq!(c.suggest("chime:ListUser"), Some("chime:ListUsers"));
    assert_eq!(c.suggest("CHIME:listuser"), Some("chime:ListUsers"));
    assert_eq!(c.suggest("chime:LsitUsers"), Some("chime:ListUsers"));
    assert_eq!(c.suggest("chmie:ListUsers"), Some("chime:ListUsers"));
    assert_eq!(c.suggest("ListUsers"), Some("chime:ListUsers"));
    assert_eq!(c.suggest("chime:CompletelyDifferentThing"), None);
    assert_eq!(c.suggest("s3:GetObject"), None);
    assert_eq!(c.suggest("chime:"), None);
    assert_eq!(c.suggest(""), None);
    assert_eq!(aws().suggest("s3:GetObjekt"), Some("s3:GetObject"));
    assert_eq!(
        aws().suggest("iam:CreatAccessKey"),
        Some("iam:CreateAccessKey")
    );
}

#[test]
fn suggest_services() {
    assert_eq!(chime().suggest_service("chmie"), Some("chime"));
    assert_eq!(chime().suggest_service("CHIM"), Some("chime"));
    assert_eq!(chime().suggest_service("s3"), None);
    assert_eq!(aws().suggest_service("lamda"), Some("lambda"));
    assert_eq!(aws().suggest_service("x"), None);
}

#[test]
fn suggest_bounds_long_input() {
    let long = format!("chime:{}", "ListUsers".repeat(1_000));
    assert_eq!(chime().suggest(&long), None);
    assert_eq!(aws().suggest(&"x".repeat(100_000)), None);
}

#[test]
fn access_level_parse() {
    use AccessLevel::*;
    for level in [List, Read, Write, Tagging, PermissionsManagement, Unknown] {
        assert_eq!(parse_access_level(level.as_str()), Some(level));
        assert_eq!(
            parse_access_level(&level.to_string().to_ascii_uppercase()),
            Some(level)
        );
    }
    assert_eq!(parse_access_level("Tagging, Write"), Some(Tagging));
    assert_eq!(
        parse_access_level("Permissions management, Write"),
        Some(PermissionsManagement)
    );
    assert_eq!(parse_access_level("Read, Write"), None);
    assert_eq!(parse_access_level("Permissions"), None);
    assert_eq!(parse_access_level(""), None);
}
