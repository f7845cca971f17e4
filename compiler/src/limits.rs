//! [`Limits`]: every bound a compilation enforces on its inputs, in one
//! place, with generous defaults. The parsers enforce the syntax part
//! ([`Limits::parse_limits`]); the front end counts files, policies and
//! principals. Over a limit is an error diagnostic at the offending place
//! whose help names the setting that raises it.

use verdict_grammar::ParseLimits;

/// Bounds on what one compilation may read. `Default` gives generous values
/// that no real organisation reaches; raise them (in the CLI with
/// `--limit NAME=N`) for unusual inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input file, in bytes (`input-bytes`, default 64 MiB).
    pub input_bytes: usize,
    /// Most nested JSON arrays and objects (`json-depth`, default 64; at most
    /// [`verdict_grammar::JSON_DEPTH_CEILING`]).
    pub json_depth: usize,
    /// Longest JSON string or DSL word or string, in bytes (`string-bytes`,
    /// default 64 KiB).
    pub string_bytes: usize,
    /// Most statements in one policy, trust policies and SCPs included
    /// (`statements`, default 10,000).
    pub statements: usize,
    /// Most policies, all files together (`policies`, default 100,000).
    pub policies: usize,
    /// Most principals (users and roles, service-linked ones included,
    /// sessions and federated users: the rows of the table), all files
    /// together (`principals`, default 1,000,000).
    pub principals: usize,
    /// Most files read: inputs, includes, imports, `--scp` files and the
    /// `--managed-policies` files used (`files`, default 10,000). Each file
    /// read is also bounded by `input_bytes`.
    pub files: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        let parse = ParseLimits::default();
        Limits {
            input_bytes: parse.input_bytes,
            json_depth: parse.json_depth,
            string_bytes: parse.string_bytes,
            statements: parse.statements,
            policies: 100_000,
            principals: 1_000_000,
            files: 10_000,
        }
    }
}

impl Limits {
    /// The names of the limits, as `--limit NAME=N` spells them, each with
    /// what it bounds.
    pub const NAMES: [(&'static str, &'static str); 7] = [
        ("input-bytes", "largest input file, in bytes"),
        ("json-depth", "most nested JSON arrays and objects"),
        (
            "string-bytes",
            "longest JSON string or DSL word or string, in bytes",
        ),
        ("statements", "most statements in one policy"),
        ("policies", "most policies"),
        (
            "principals",
            "most principals (users, roles, sessions, federated users)",
        ),
        (
            "files",
            "most files read (inputs, includes, imports, SCPs, managed policies)",
        ),
    ];

    /// The part of the limits the parsers enforce.
    #[must_use]
    pub fn parse_limits(&self) -> ParseLimits {
        ParseLimits {
            input_bytes: self.input_bytes,
            json_depth: self.json_depth,
            string_bytes: self.string_bytes,
            statements: self.statements,
        }
    }

    /// The limit called `name` (one of [`Limits::NAMES`]).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<usize> {
        Some(match name {
            "input-bytes" => self.input_bytes,
            "json-depth" => self.json_depth,
            "string-bytes" => self.string_bytes,
            "statements" => self.statements,
            "policies" => self.policies,
            "principals" => self.principals,
            "files" => self.files,
            _ => return None,
        })
    }

    /// Sets the limit called `name` (one of [`Limits::NAMES`]).
    ///
    /// # Errors
    /// An unknown name (the message lists the known ones), or a `json-depth`
    /// above [`verdict_grammar::JSON_DEPTH_CEILING`].
    pub fn set(&mut self, name: &str, value: usize) -> Result<(), String> {
        let slot = match name {
            "input-bytes" => &mut self.input_bytes,
            "json-depth" => {
                let ceiling = verdict_grammar::JSON_DEPTH_CEILING;
                if value > ceiling {
                    return Err(format!("`json-depth` can be at most {ceiling}"));
                }
                &mut self.json_depth
            }
            "string-bytes" => &mut self.string_bytes,
            "statements" => &mut self.statements,
            "policies" => &mut self.policies,
            "principals" => &mut self.principals,
            "files" => &mut self.files,
            _ => {
                let names: Vec<&str> = Limits::NAMES.iter().map(|(n, _)| *n).collect();
                return Err(format!(
                    "unknown limit `{name}` (limits: {})",
                    names.join(", ")
                ));
            }
        };
        *slot = value;
        Ok(())
    }
}

/// The help line of a diagnostic for an exceeded limit.
pub(crate) fn raise_help(name: &str) -> String {
    format!("raise the limit with `--limit {name}=N` (`Limits` in the API)")
}

#[cfg(test)]
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    #[test]
    fn names_get_and_set_agree() {
        let mut limits = Limits::default();
        for (idx, (name, _)) in Limits::NAMES.iter().enumerate() {
            assert!(limits.get(name).is_some(), "{name}");
            assert_eq!(limits.set(name, idx + 1), Ok(()), "{name}");
            assert_eq!(limits.get(name), Some(idx + 1), "{name}");
        }
        let parse = limits.parse_limits();
        assert_eq!(
            (
                parse.input_bytes,
                parse.json_depth,
                parse.string_bytes,
                parse.statements
            ),
            (1, 2, 3, 4)
        );
        assert_eq!(
            (limits.policies, limits.principals, limits.files),
            (5, 6, 7)
        );
    }

    #[test]
    fn bad_settings_are_errors() {
        let mut limits = Limits::default();
        let err = limits.set("statement", 1).err().unwrap_or_default();
        assert!(
            err.starts_with("unknown limit `statement` (limits: input-bytes, "),
            "{err}"
        );
        assert!(limits.get("statement").is_none());
        let ceiling = verdict_grammar::JSON_DEPTH_CEILING;
        assert!(limits.set("json-depth", ceiling).is_ok());
        assert_eq!(
            limits.set("json-depth", ceiling + 1),
            Err(format!("`json-depth` can be at most {ceiling}"))
        );
    }

    #[test]
    fn defaults_are_the_parsers_defaults() {
        assert_eq!(Limits::default().parse_limits(), ParseLimits::default());
    }
}

/// Limits through whole compilations: each error names the limit, sits at
/// the offending place and says how to raise it; raising it compiles.
#[cfg(test)]
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod compile_tests {
    use crate::{compile, Compilation, Config, Input, Limits, MemoryLoader};

    fn compile_with(files: &[(&str, &str)], limits: Limits) -> Compilation {
        let mut loader = MemoryLoader::default();
        for (path, text) in files {
            loader.insert(*path, *text);
        }
        let config = Config {
            limits,
            ..Config::default()
        };
        compile(&[Input::auto(files[0].0)], &config, &mut loader)
    }

    /// The one error of a compilation: code, message, located text, help.
    fn only_error(out: &Compilation) -> (String, String, String, String) {
        let errors: Vec<_> = out.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1, "{:?}", out.diagnostics);
        let d = errors[0];
        let snippet = d.primary.as_ref().map_or(String::new(), |l| {
            let file = out.sources.get(l.file).map_or("", |f| f.snippet(l.span));
            format!(
                "{}:{file}",
                out.sources.get(l.file).map_or("", |f| f.path.as_str())
            )
        });
        (
            d.code.to_string(),
            d.message.clone(),
            snippet,
            d.help.clone().unwrap_or_default(),
        )
    }

    const ORG: &str =
        "policy A { allow chime:List* }\npolicy B { allow chime:Get*  deny chime:Delete* }\n\
                       user alice { attach A }\nrole Ops { attach B }\nuser bob { attach A, B }\n";

    #[test]
    fn the_example_is_within_tight_limits() {
        let limits = Limits {
            policies: 2,
            principals: 3,
            statements: 2,
            files: 1,
            string_bytes: 20,
            ..Limits::default()
        };
        let out = compile_with(&[("org.vp", ORG)], limits);
        assert!(out.table.is_some(), "{:?}", out.diagnostics);
    }

    #[test]
    fn policies() {
        let limits = Limits {
            policies: 1,
            ..Limits::default()
        };
        let out = compile_with(&[("org.vp", ORG)], limits);
        assert!(out.table.is_none());
        assert_eq!(
            only_error(&out),
            (
                "E0003".into(),
                "more than 1 policies".into(),
                "org.vp:B".into(),
                "raise the limit with `--limit policies=N` (`Limits` in the API)".into()
            )
        );
    }

    #[test]
    fn principals() {
        let limits = Limits {
            principals: 2,
            ..Limits::default()
        };
        let out = compile_with(&[("org.vp", ORG)], limits);
        let (code, message, at, help) = only_error(&out);
        assert_eq!(
            (code.as_str(), message.as_str(), at.as_str()),
            ("E0003", "more than 2 principals", "org.vp:bob")
        );
        assert!(help.contains("--limit principals=N"), "{help}");
    }

    #[test]
    fn statements_per_policy() {
        let limits = Limits {
            statements: 1,
            ..Limits::default()
        };
        let out = compile_with(&[("org.vp", ORG)], limits);
        let (code, message, at, help) = only_error(&out);
        assert_eq!(
            (code.as_str(), message.as_str(), at.as_str()),
            (
                "E0003",
                "more than 1 statements in one policy",
                "org.vp:deny chime:Delete*"
            )
        );
        assert!(help.contains("--limit statements=N"), "{help}");
    }

    #[test]
    fn string_length_and_json_depth_in_an_imported_policy() {
        let dsl = "policy P from \"p.json\"\nuser alice { attach P }\n";
        let json = r#"{"Statement":{"Effect":"Allow","Action":"chime:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:username":[["x"]]}}}}"#;
        let limits = Limits {
            string_bytes: 12,
            ..Limits::default()
        };
        let out = compile_with(&[("org.vp", dsl), ("p.json", json)], limits);
        let (code, message, at, help) = only_error(&out);
        assert_eq!(
            (code.as_str(), message.as_str(), at.as_str()),
            ("E0003", "string longer than 12 bytes", "p.json:\"")
        );
        assert!(help.contains("--limit string-bytes=N"), "{help}");
        let limits = Limits {
            json_depth: 4,
            ..Limits::default()
        };
        let out = compile_with(&[("org.vp", dsl), ("p.json", json)], limits);
        let (code, message, _, help) = only_error(&out);
        assert_eq!(
            (code.as_str(), message.as_str()),
            ("E0003", "nesting deeper than 4 levels")
        );
        assert!(help.contains("--limit json-depth=N"), "{help}");
    }

    #[test]
    fn files_and_input_bytes_at_the_include() {
        let main = "include \"a.vp\"\ninclude \"b.vp\"\n";
        let files = [
            ("main.vp", main),
            ("a.vp", "policy A { allow chime:List*, chime:Get* }"),
            ("b.vp", ""),
        ];
        let limits = Limits {
            files: 2,
            ..Limits::default()
        };
        let out = compile_with(&files, limits);
        let (code, message, at, help) = only_error(&out);
        assert_eq!(
            (code.as_str(), message.as_str(), at.as_str()),
            (
                "E0002",
                "cannot read `b.vp`: more than 2 files",
                "main.vp:\"b.vp\""
            )
        );
        assert!(help.contains("--limit files=N"), "{help}");
        let limits = Limits {
            input_bytes: 32,
            ..Limits::default()
        };
        let out = compile_with(&files, limits);
        let (code, message, at, help) = only_error(&out);
        assert_eq!(
            (code.as_str(), message.as_str(), at.as_str()),
            (
                "E0002",
                "cannot read `a.vp`: larger than 32 bytes",
                "main.vp:\"a.vp\""
            )
        );
        assert!(help.contains("--limit input-bytes=N"), "{help}");
        let raised = Limits {
            input_bytes: 64,
            files: 3,
            ..Limits::default()
        };
        assert!(compile_with(&files, raised).table.is_some());
    }

    /// Compiles `inputs` over `files` (the first is `org.vp`).
    fn compile_inputs(files: &[(&str, &str)], inputs: &[Input], limits: Limits) -> Compilation {
        let mut loader = MemoryLoader::default();
        for (path, text) in files {
            loader.insert(*path, *text);
        }
        let config = Config {
            limits,
            ..Config::default()
        };
        compile(inputs, &config, &mut loader)
    }

    const TWO_STATEMENTS: &str = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "chime:DeleteAccount", "Resource": "*"}]}"#;

    const TWO_TRUST_STATEMENTS: &str = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "chime.amazonaws.com"}},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}]}"#;

    /// What is compiled, its files and inputs, and where the error starts.
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<Input>, &'a str);

    /// The statements limit holds for every kind of policy: SCPs and trust
    /// policies, written in the DSL or read from a file.
    #[test]
    fn statements_in_scps_and_trust_policies() {
        let one = Limits {
            statements: 1,
            ..Limits::default()
        };
        let scp_level = crate::model::ScpLevel::Root;
        let cases: [Case; 4] = [
            (
                "DSL scp",
                vec![("org.vp", "scp Guard { allow *  deny chime:DeleteAccount }\nuser alice\n")],
                vec![Input::auto("org.vp")],
                "org.vp:deny chime:DeleteAccount",
            ),
            (
                "--scp file",
                vec![("org.vp", "user alice\n"), ("guard.json", TWO_STATEMENTS)],
                vec![Input::auto("org.vp"), Input::scp("guard.json", scp_level)],
                "guard.json:{\"Effect\": \"Deny\"",
            ),
            (
                "DSL trust block",
                vec![(
                    "org.vp",
                    "role Ops { trust { allow sts:AssumeRole principal service chime.amazonaws.com\n  allow sts:AssumeRole principal aws \"arn:aws:iam::111122223333:root\" } }\n",
                )],
                vec![Input::auto("org.vp")],
                "org.vp:allow sts:AssumeRole principal aws",
            ),
            (
                "trust from a file",
                vec![
                    ("org.vp", "role Ops { trust from \"trust.json\" }\n"),
                    ("trust.json", TWO_TRUST_STATEMENTS),
                ],
                vec![Input::auto("org.vp")],
                "trust.json:{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\", \"Principal\": {\"AWS\"",
            ),
        ];
        for (what, files, inputs, at_start) in cases {
            let out = compile_inputs(&files, &inputs, one);
            let (code, message, at, help) = only_error(&out);
            assert_eq!(
                (code.as_str(), message.as_str()),
                ("E0003", "more than 1 statements in one policy"),
                "{what}"
            );
            assert!(at.starts_with(at_start), "{what}: {at}");
            assert!(help.contains("--limit statements=N"), "{what}: {help}");
            let raised = Limits {
                statements: 2,
                ..Limits::default()
            };
            let out = compile_inputs(&files, &inputs, raised);
            assert!(out.table.is_some(), "{what}: {:?}", out.diagnostics);
        }
    }

    /// `--scp` files and the `--managed-policies` files a compilation uses
    /// count as files read, and each is bounded by `input-bytes`.
    #[test]
    fn scp_and_managed_policy_files_count_as_files_and_bytes() {
        let files = [
            ("org.vp", "user alice { attach ChimeRO }\n"),
            ("guard.json", TWO_STATEMENTS),
            (
                "managed/ChimeRO.json",
                r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "chime:List*", "Resource": "*"}}"#,
            ),
            ("managed/Unused.json", "not even JSON"),
        ];
        let inputs = [
            Input::auto("org.vp"),
            Input::scp("guard.json", crate::model::ScpLevel::Root),
            Input::managed_policy("managed/ChimeRO.json"),
            Input::managed_policy("managed/Unused.json"),
        ];
        let limits = Limits {
            files: 2,
            ..Limits::default()
        };
        let out = compile_inputs(&files, &inputs, limits);
        let (code, message, at, help) = only_error(&out);
        assert_eq!(
            (code.as_str(), message.as_str(), at.as_str()),
            (
                "E0002",
                "cannot read `managed/ChimeRO.json`: more than 2 files",
                "org.vp:ChimeRO"
            )
        );
        assert!(help.contains("--limit files=N"), "{help}");
        // Only the files used count: the unused managed policy is never read.
        let three = Limits {
            files: 3,
            ..Limits::default()
        };
        assert!(compile_inputs(&files, &inputs, three).table.is_some());

        let small = Limits {
            input_bytes: 100,
            ..Limits::default()
        };
        let out = compile_inputs(&files, &inputs, small);
        let errors: Vec<String> = out
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        assert_eq!(
            errors,
            // The front end stops after reading the inputs, where the limit
            // was hit: the managed policy, read when an attachment names
            // it, is not reached (and nothing reports what `guard.json`
            // would have said).
            ["E0002 cannot read `guard.json`: larger than 100 bytes"]
        );
    }

    /// A dump over the `policies` limit: the policies past the limit are
    /// dropped, so the front end stops there rather than reporting every
    /// attachment of a dropped policy as missing from the dump (E0205).
    #[test]
    fn the_policy_limit_in_a_dump_invents_no_missing_policies() {
        let policy = |name: &str| {
            format!(
                r#"{{"PolicyName": "{name}", "Arn": "arn:aws:iam::123456789012:policy/{name}",
                "DefaultVersionId": "v1", "PolicyVersionList": [{{"VersionId": "v1",
                "IsDefaultVersion": true, "Document": {{"Version": "2012-10-17",
                "Statement": [{{"Effect": "Allow", "Action": "chime:ListUsers", "Resource": "*"}}]}}}}]}}"#
            )
        };
        let attach = |name: &str| {
            format!(
                r#"{{"PolicyName": "{name}", "PolicyArn": "arn:aws:iam::123456789012:policy/{name}"}}"#
            )
        };
        let names = ["A", "B", "C", "D"];
        let users: Vec<String> = (0..4)
            .map(|u| {
                let attached: Vec<String> = names.iter().map(|n| attach(n)).collect();
                format!(
                    r#"{{"UserName": "u{u}", "Arn": "arn:aws:iam::123456789012:user/u{u}",
                    "AttachedManagedPolicies": [{}]}}"#,
                    attached.join(",")
                )
            })
            .collect();
        let policies: Vec<String> = names.iter().map(|n| policy(n)).collect();
        let dump = format!(
            r#"{{"UserDetailList": [{}], "Policies": [{}]}}"#,
            users.join(","),
            policies.join(",")
        );
        let limits = Limits {
            policies: 2,
            ..Limits::default()
        };
        let mut loader = MemoryLoader::default();
        loader.insert("dump.json", dump.as_str());
        let config = Config {
            limits,
            ..Config::default()
        };
        let out = compile(&[Input::account_dump("dump.json")], &config, &mut loader);
        let (code, message, _, help) = only_error(&out);
        assert_eq!(
            (code.as_str(), message.as_str()),
            ("E0003", "more than 2 policies")
        );
        assert!(help.contains("--limit policies=N"), "{help}");
        let origin = out.diagnostics.first().and_then(|d| d.origin.clone());
        assert_eq!(
            origin.and_then(|o| o.policy),
            Some("C".to_string()),
            "the error names the policy it stopped at"
        );
    }

    /// Sessions and federated users are principals (rows of the table) too.
    #[test]
    fn sessions_and_federated_users_count_as_principals() {
        let org = "user alice\nrole Ops { trust user alice }\nassumed-role Ops/standup\n\
                   federated-user alice-fed { user alice }\n";
        let limits = Limits {
            principals: 3,
            ..Limits::default()
        };
        let out = compile_with(&[("org.vp", org)], limits);
        let (code, message, at, help) = only_error(&out);
        assert_eq!(
            (code.as_str(), message.as_str(), at.as_str()),
            ("E0003", "more than 3 principals", "org.vp:alice-fed")
        );
        assert!(help.contains("--limit principals=N"), "{help}");
        let four = Limits {
            principals: 4,
            ..Limits::default()
        };
        assert!(compile_with(&[("org.vp", org)], four).table.is_some());
    }
}
