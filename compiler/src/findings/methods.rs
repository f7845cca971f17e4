//! The method list: `compiler/data/findings/methods.tsv` read into
//! [`Method`]s. Embedded at build time; parsed on each call (a few dozen
//! lines), so there is no global state.

use std::fmt;

/// The embedded method list.
const METHODS_TSV: &str = include_str!("../../data/findings/methods.tsv");

/// What a finding is about; each category has one code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    PrivilegeEscalation,
    AdminEquivalent,
    AdminViaRoles,
    ResourceExposure,
    DataExfiltration,
    CredentialsExposure,
    InfrastructureModification,
    ServiceAdministration,
}

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 8] = [
        Category::AdminEquivalent,
        Category::AdminViaRoles,
        Category::PrivilegeEscalation,
        Category::ServiceAdministration,
        Category::ResourceExposure,
        Category::CredentialsExposure,
        Category::DataExfiltration,
        Category::InfrastructureModification,
    ];

    /// The finding code of the category.
    pub fn code(self) -> &'static str {
        match self {
            Category::PrivilegeEscalation => "F0001",
            Category::AdminEquivalent => "F0002",
            Category::AdminViaRoles => "F0003",
            Category::ResourceExposure => "F0010",
            Category::DataExfiltration => "F0011",
            Category::CredentialsExposure => "F0012",
            Category::InfrastructureModification => "F0013",
            Category::ServiceAdministration => "F0020",
        }
    }

    /// The kebab-case name, as the data file and `--fail-on` spell it.
    pub fn slug(self) -> &'static str {
        match self {
            Category::PrivilegeEscalation => "privilege-escalation",
            Category::AdminEquivalent => "admin-equivalent",
            Category::AdminViaRoles => "admin-via-roles",
            Category::ResourceExposure => "resource-exposure",
            Category::DataExfiltration => "data-exfiltration",
            Category::CredentialsExposure => "credentials-exposure",
            Category::InfrastructureModification => "infrastructure-modification",
            Category::ServiceAdministration => "service-administration",
        }
    }

    /// Reads a slug (ASCII case-insensitive, `_` for `-` accepted).
    pub fn parse(text: &str) -> Option<Category> {
        let text = text.trim().replace('_', "-");
        Category::ALL
            .into_iter()
            .find(|c| c.slug().eq_ignore_ascii_case(&text))
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// How serious a finding is; a guarded finding (only under a condition or for
/// narrower resources) is one step lower than its method's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    /// Every level, most serious first.
    pub const ALL: [Level; 5] = [
        Level::Critical,
        Level::High,
        Level::Medium,
        Level::Low,
        Level::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    /// Reads a level (ASCII case-insensitive).
    pub fn parse(text: &str) -> Option<Level> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// One step lower (`Info` stays).
    #[must_use]
    pub fn lower(self) -> Level {
        match self {
            Level::Critical => Level::High,
            Level::High => Level::Medium,
            Level::Medium => Level::Low,
            Level::Low | Level::Info => Level::Info,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One needed action of a method: a named action, or every action of an
/// access level (`level:write` in the data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Need {
    Action(String),
    /// The access level as the catalog spells it (`Write`, `Permissions management`, …).
    Level(verdict_runtime::AccessLevel),
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Need::Action(name) => f.write_str(name),
            Need::Level(level) => write!(f, "any {} action", level.as_str()),
        }
    }
}

/// One entry of the method list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Method {
    /// Stable id, e.g. `pass-role-lambda-invoke` (a baseline key).
    pub id: String,
    pub category: Category,
    pub level: Level,
    /// The catalog the entry is for: `aws` or `chime`.
    pub catalog: String,
    /// Actions that must all be allowed.
    pub all: Vec<String>,
    /// Alternatives, one of which must be allowed too (empty: none needed).
    pub any: Vec<Need>,
    /// What it does, in a few words.
    pub name: String,
    /// Where the method is described (see the data file's header).
    pub source: String,
}

/// A problem of the method list's text (tested never to happen for the
/// embedded one).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("method list line {line}: {message}")]
pub struct MethodError {
    pub line: usize,
    pub message: String,
}

/// The embedded method list.
///
/// # Errors
/// Never for the shipped data (a test reads it); a [`MethodError`] names the
/// first bad line otherwise.
pub fn methods() -> Result<Vec<Method>, MethodError> {
    parse(METHODS_TSV)
}

/// Reads a method list: `#` comment lines, a header line starting `id\t`,
/// then eight tab-separated columns a line.
pub(crate) fn parse(text: &str) -> Result<Vec<Method>, MethodError> {
    let mut out: Vec<Method> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        let err = |message: String| MethodError {
            line: line_no,
            message,
        };
        if line.trim().is_empty() || line.starts_with('#') || line.starts_with("id\t") {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [id, category, level, catalog, all, any, name, source] = fields.as_slice() else {
            return Err(err(format!("expected 8 columns, found {}", fields.len())));
        };
        let category = Category::parse(category)
            .ok_or_else(|| err(format!("unknown category `{category}`")))?;
        let level =
            Level::parse(level).ok_or_else(|| err(format!("unknown severity `{level}`")))?;
        let list = |text: &str| -> Vec<String> {
            text.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let all = list(all);
        let mut needs = Vec::new();
        for item in list(any) {
            if let Some(level) = item.strip_prefix("level:") {
                let spaced = level.replace('-', " ");
                let level = crate::catalog::parse_access_level(&spaced)
                    .ok_or_else(|| err(format!("unknown access level `{level}`")))?;
                needs.push(Need::Level(level));
            } else {
                needs.push(Need::Action(item));
            }
        }
        if all.is_empty() && needs.is_empty() {
            return Err(err(format!("method `{id}` needs no action")));
        }
        for action in all.iter().chain(needs.iter().filter_map(|n| match n {
            Need::Action(a) => Some(a),
            Need::Level(_) => None,
        })) {
            if !action.contains(':') || action.contains(['*', '?']) {
                return Err(err(format!("`{action}` is not a `service:Action` name")));
            }
        }
        if out.iter().any(|m| m.id == *id) {
            return Err(err(format!("duplicate method id `{id}`")));
        }
        out.push(Method {
            id: (*id).to_owned(),
            category,
            level,
            catalog: (*catalog).to_owned(),
            all,
            any: needs,
            name: (*name).to_owned(),
            source: (*source).to_owned(),
        });
    }
    Ok(out)
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
    fn the_shipped_list_reads_and_names_catalog_actions() {
        let methods = methods().expect("the shipped method list reads");
        assert!(methods.len() >= 30, "{}", methods.len());
        for method in &methods {
            let catalog = crate::Catalog::builtin(&method.catalog)
                .unwrap_or_else(|| panic!("{}: catalog `{}`", method.id, method.catalog));
            let named = method
                .all
                .iter()
                .chain(method.any.iter().filter_map(|n| match n {
                    Need::Action(a) => Some(a),
                    Need::Level(_) => None,
                }));
            for action in named {
                assert!(
                    catalog.find(action).is_some(),
                    "{}: `{action}` is not in the {} catalog",
                    method.id,
                    method.catalog
                );
            }
            assert!(!method.source.is_empty(), "{}: no source", method.id);
        }
        for required in [
            "iam:CreatePolicyVersion",
            "iam:SetDefaultPolicyVersion",
            "iam:AttachUserPolicy",
            "iam:AttachGroupPolicy",
            "iam:AttachRolePolicy",
            "iam:PutUserPolicy",
            "iam:PutGroupPolicy",
            "iam:PutRolePolicy",
            "iam:CreateAccessKey",
            "iam:CreateLoginProfile",
            "iam:UpdateLoginProfile",
            "iam:UpdateAssumeRolePolicy",
            "iam:AddUserToGroup",
            "ec2:RunInstances",
            "glue:CreateDevEndpoint",
            "glue:UpdateDevEndpoint",
            "cloudformation:CreateStack",
            "codebuild:StartBuild",
            "datapipeline:CreatePipeline",
            "sagemaker:CreateNotebookInstance",
        ] {
            assert!(
                methods
                    .iter()
                    .any(|m| m.category == Category::PrivilegeEscalation
                        && m.all.iter().any(|a| a == required)),
                "no escalation method with {required}"
            );
        }
    }

    #[test]
    fn bad_lines_are_errors() {
        let head = "id\tcategory\tseverity\tcatalog\tall\tany\tname\tsource\n";
        for (line, want) in [
            ("a\tprivilege-escalation\thigh\taws\tiam:X\n", "8 columns"),
            ("a\tnope\thigh\taws\tiam:X\t\tn\ts\n", "category"),
            (
                "a\tprivilege-escalation\tdire\taws\tiam:X\t\tn\ts\n",
                "severity",
            ),
            (
                "a\tprivilege-escalation\thigh\taws\t\t\tn\ts\n",
                "needs no action",
            ),
            (
                "a\tprivilege-escalation\thigh\taws\tiam:*\t\tn\ts\n",
                "not a",
            ),
            (
                "a\tprivilege-escalation\thigh\taws\t\tlevel:huge\tn\ts\n",
                "access level",
            ),
        ] {
            let err = parse(&format!("{head}{line}")).unwrap_err();
            assert!(err.message.contains(want), "{line:?}: {err}");
            assert_eq!(err.line, 2);
        }
    }
}
