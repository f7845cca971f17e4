//! Access levels and cells as the audit commands (`diff`, `who-can`,
//! `what-can`, `export`) spell them: reading `--access-level` and `--fail-on`
//! values, the order levels are shown in, and action-name helpers shared by
//! the reports, and [`Shown`], what a class cell is once its outcome set is
//! known. No IO here.

use verdict_runtime::{AccessLevel, Cell, Decision, Table};

/// The order reports list access levels in (the and the AWS
/// reference's reading order), `Unknown` last.
pub const LEVEL_ORDER: [AccessLevel; 6] = [
    AccessLevel::List,
    AccessLevel::Read,
    AccessLevel::Write,
    AccessLevel::PermissionsManagement,
    AccessLevel::Tagging,
    AccessLevel::Unknown,
];

/// Position of `level` in [`LEVEL_ORDER`].
pub fn level_rank(level: AccessLevel) -> usize {
    LEVEL_ORDER
        .iter()
        .position(|l| *l == level)
        .unwrap_or(LEVEL_ORDER.len())
}

/// Reads an access level as users type it: `Write`, `write`,
/// `permissions-management`, `permissions_management`, `"Permissions
/// management"`, ASCII case-insensitively.
pub fn parse_level(text: &str) -> Option<AccessLevel> {
    let spaced: String = text
        .trim()
        .chars()
        .map(|c| if c == '-' || c == '_' { ' ' } else { c })
        .collect();
    LEVEL_ORDER
        .into_iter()
        .find(|l| l.as_str().eq_ignore_ascii_case(&spaced))
}

/// The kebab-case spelling of a level, as `--access-level` and `--fail-on`
/// take it, e.g. `permissions-management`.
pub fn level_slug(level: AccessLevel) -> String {
    level.as_str().to_ascii_lowercase().replace(' ', "-")
}

/// The words of the accepted levels, for error messages.
pub fn level_choices() -> String {
    LEVEL_ORDER
        .iter()
        .map(|l| level_slug(*l))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `clap` value parser for access levels.
pub fn level_arg(text: &str) -> Result<AccessLevel, String> {
    parse_level(text).ok_or_else(|| {
        format!(
            "unknown access level `{text}`: expected one of {}",
            level_choices()
        )
    })
}

/// The service prefix of `service:Action` (the whole name if it has no colon).
pub fn service_of(action: &str) -> &str {
    action.split_once(':').map_or(action, |(s, _)| s)
}

/// The leading verb of an action name: `Delete` of `chime:DeleteAccount`,
/// `List` of `chime:ListUsers`; `None` if the name does not start with an
/// upper-case letter followed by lower-case ones.
pub fn verb_of(action: &str) -> Option<&str> {
    let name = action.split_once(':').map_or(action, |(_, n)| n);
    let mut chars = name.char_indices();
    let (_, first) = chars.next()?;
    if !first.is_ascii_uppercase() {
        return None;
    }
    let end = chars
        .find(|(_, c)| !c.is_ascii_lowercase())
        .map_or(name.len(), |(i, _)| i);
    (end > 1).then(|| name.get(..end)).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_as_typed() {
        for (text, level) in [
            ("write", AccessLevel::Write),
            ("Write", AccessLevel::Write),
            ("permissions-management", AccessLevel::PermissionsManagement),
            ("Permissions management", AccessLevel::PermissionsManagement),
            ("PERMISSIONS_MANAGEMENT", AccessLevel::PermissionsManagement),
            ("tagging", AccessLevel::Tagging),
        ] {
            assert_eq!(parse_level(text), Some(level), "{text}");
        }
        assert_eq!(parse_level("admin"), None);
        assert_eq!(
            level_slug(AccessLevel::PermissionsManagement),
            "permissions-management"
        );
    }

    #[test]
    fn verbs() {
        assert_eq!(verb_of("chime:DeleteAccount"), Some("Delete"));
        assert_eq!(verb_of("chime:ListUsers"), Some("List"));
        assert_eq!(verb_of("s3:GetObject"), Some("Get"));
        assert_eq!(verb_of("x:Tag"), Some("Tag"));
        assert_eq!(verb_of("x:URLs"), None);
        assert_eq!(verb_of("x:lower"), None);
        assert_eq!(service_of("chime:ListUsers"), "chime");
    }
}

/// What the audit commands show for a class cell: its cell, except that a
/// conditional cell is shown by what its residual program can become
/// ([`Table::cell_outcomes`]): one that can never allow is `deny`,
/// `implicit-deny` or, when both are possible, a deny under a condition; one
/// that always allows is `allow`. An inexact outcome set counts as possibly
/// allowing (fail closed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shown {
    Allow,
    Deny,
    ImplicitDeny,
    /// Allow for some requests.
    Conditional,
    /// Deny or implicit-deny depending on the request; never allow.
    ConditionalDeny,
}

impl Shown {
    /// Every kind, in the order reports count them.
    pub const ALL: [Shown; 5] = [
        Shown::Allow,
        Shown::Deny,
        Shown::ImplicitDeny,
        Shown::Conditional,
        Shown::ConditionalDeny,
    ];

    /// The class cell (`row`, `col`) of `table`.
    pub fn of(table: &Table, row: u32, col: u32) -> Shown {
        let cell = table.class_cell(row, col);
        match cell {
            Cell::Allow => Shown::Allow,
            Cell::Deny => Shown::Deny,
            Cell::ImplicitDeny => Shown::ImplicitDeny,
            Cell::Conditional => {
                let outcomes = table.cell_outcomes(row, col);
                match (outcomes.single(), outcomes.may_allow()) {
                    (Some(Decision::Allow), _) => Shown::Allow,
                    (_, true) => Shown::Conditional,
                    (Some(Decision::Deny), false) => Shown::Deny,
                    (Some(Decision::ImplicitDeny), false) => Shown::ImplicitDeny,
                    (_, false) => Shown::ConditionalDeny,
                }
            }
        }
    }

    /// Whether some request is allowed.
    pub fn may_allow(self) -> bool {
        matches!(self, Shown::Allow | Shown::Conditional)
    }

    /// The word reports use: `allow`, `deny`, `implicit-deny`, `conditional`,
    /// `conditional-deny`.
    pub fn word(self) -> &'static str {
        match self {
            Shown::Allow => "allow",
            Shown::Deny => "deny",
            Shown::ImplicitDeny => "implicit-deny",
            Shown::Conditional => "conditional",
            Shown::ConditionalDeny => "conditional-deny",
        }
    }

    /// One character per cell, for grids: `A`, `D`, `.`, `?`, `d`.
    pub fn char(self) -> char {
        match self {
            Shown::Allow => 'A',
            Shown::Deny => 'D',
            Shown::ImplicitDeny => '.',
            Shown::Conditional => '?',
            Shown::ConditionalDeny => 'd',
        }
    }

    /// Index in [`Shown::ALL`].
    pub fn index(self) -> usize {
        Shown::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// Each class cell of `table`, row by row.
pub fn shown_grid(table: &Table) -> Vec<Vec<Shown>> {
    (0..table.n_row_classes() as u32)
        .map(|row| {
            (0..table.n_col_classes() as u32)
                .map(|col| Shown::of(table, row, col))
                .collect()
        })
        .collect()
}
