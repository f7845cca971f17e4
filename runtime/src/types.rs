//! Small value types of the runtime: cells, decisions, ids and access levels.
//!
//! Nothing here knows about the file format or about lookups; `wire` maps these
//! types to and from their byte values.

use std::fmt;

/// One cell of the decision table, as stored in the 2-bit packed grid.
///
/// The discriminants are the stored bit patterns; all four are valid.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cell {
    /// No statement allows the action: denied by default.
    ImplicitDeny = 0,
    /// Allowed, whatever the request context.
    Allow = 1,
    /// Explicitly denied, whatever the request context.
    Deny = 2,
    /// The outcome depends on the request: a residual program decides.
    Conditional = 3,
}

impl Cell {
    /// The stored 2-bit value of this cell.
    #[inline]
    #[must_use]
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// The cell stored as the low two bits of `bits`; higher bits are ignored.
    #[inline]
    #[must_use]
    pub const fn from_bits(bits: u8) -> Cell {
        match bits & 0b11 {
            0 => Cell::ImplicitDeny,
            1 => Cell::Allow,
            2 => Cell::Deny,
            _ => Cell::Conditional,
        }
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cell::ImplicitDeny => "implicit-deny",
            Cell::Allow => "allow",
            Cell::Deny => "deny",
            Cell::Conditional => "conditional",
        })
    }
}

/// The answer to a permission check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The request is allowed.
    Allow,
    /// The request is explicitly denied.
    Deny,
    /// No statement allows the request.
    ImplicitDeny,
}

impl Decision {
    /// True only for [`Decision::Allow`].
    #[inline]
    #[must_use]
    pub const fn is_allowed(self) -> bool {
        matches!(self, Decision::Allow)
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
            Decision::ImplicitDeny => "implicit-deny",
        })
    }
}

/// A principal of one table, obtained from [`Table::principal`](crate::Table::principal)
/// or, range-checked, from [`Table::principal_at`](crate::Table::principal_at).
///
/// An id means something only for the table that gave it; with another table a
/// check by an id out of its range answers [`Cell::Deny`] (fail closed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PrincipalId(pub(crate) u32);

impl PrincipalId {
    /// The principal's index in its table, `0..n_principals` (the order of
    /// [`Table::principals`](crate::Table::principals)).
    #[inline]
    #[must_use]
    pub const fn index(self) -> u32 {
        self.0
    }
}

/// An action of one table, obtained from [`Table::action`](crate::Table::action)
/// or, range-checked, from [`Table::action_at`](crate::Table::action_at).
///
/// An id means something only for the table that gave it; with another table a
/// check by an id out of its range answers [`Cell::Deny`] (fail closed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActionId(pub(crate) u32);

impl ActionId {
    /// The action's index in its table's catalog, `0..n_actions` (the order of
    /// [`Table::actions`](crate::Table::actions)).
    #[inline]
    #[must_use]
    pub const fn index(self) -> u32 {
        self.0
    }
}

/// The access level of an action, as in the AWS service authorization reference.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccessLevel {
    /// `List`.
    List = 0,
    /// `Read`.
    Read = 1,
    /// `Write`.
    Write = 2,
    /// `Tagging`.
    Tagging = 3,
    /// `Permissions management`.
    PermissionsManagement = 4,
    /// Not known (e.g. a catalog given as a plain list of actions).
    Unknown = 5,
}

impl AccessLevel {
    /// The stored byte value of this access level.
    #[inline]
    #[must_use]
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// Every level, in byte order.
    pub const ALL: [AccessLevel; 6] = [
        AccessLevel::List,
        AccessLevel::Read,
        AccessLevel::Write,
        AccessLevel::Tagging,
        AccessLevel::PermissionsManagement,
        AccessLevel::Unknown,
    ];

    /// The service authorization reference's spelling, e.g. `Permissions management`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::Tagging => "Tagging",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Unknown => "Unknown",
        }
    }

    /// The access level stored as `value`, or `None` if `value > 5`.
    #[must_use]
    pub const fn from_u8(value: u8) -> Option<AccessLevel> {
        match value {
            0 => Some(AccessLevel::List),
            1 => Some(AccessLevel::Read),
            2 => Some(AccessLevel::Write),
            3 => Some(AccessLevel::Tagging),
            4 => Some(AccessLevel::PermissionsManagement),
            5 => Some(AccessLevel::Unknown),
            _ => None,
        }
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_bits_round_trip() {
        for cell in [
            Cell::ImplicitDeny,
            Cell::Allow,
            Cell::Deny,
            Cell::Conditional,
        ] {
            assert_eq!(Cell::from_bits(cell.as_u8()), cell);
        }
        assert_eq!(Cell::from_bits(0b111), Cell::Conditional);
    }

    #[test]
    fn access_level_bytes_round_trip() {
        for value in 0..=5 {
            let level = AccessLevel::from_u8(value);
            assert_eq!(level.map(AccessLevel::as_u8), Some(value));
        }
        assert_eq!(AccessLevel::from_u8(6), None);
        assert_eq!(AccessLevel::from_u8(255), None);
    }

    #[test]
    fn display() {
        assert_eq!(Decision::Allow.to_string(), "allow");
        assert_eq!(Decision::Deny.to_string(), "deny");
        assert_eq!(Decision::ImplicitDeny.to_string(), "implicit-deny");
        assert_eq!(
            AccessLevel::PermissionsManagement.to_string(),
            "Permissions management"
        );
        assert_eq!(AccessLevel::Unknown.to_string(), "Unknown");
        assert_eq!(Cell::Conditional.to_string(), "conditional");
    }
}
