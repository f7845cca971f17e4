//! Security findings over effective permissions (`F00xx`): privilege-escalation
//! methods, admin-equivalent principals and who can become one through
//! `sts:AssumeRole` chains, and cloudsplaining's exposure categories, all read
//! from a compiled [`Table`](verdict_runtime::Table) and its trust graph, per row
//! class. The method list is data (`compiler/data/findings/methods.tsv`, each
//! entry with its source); [`analyze`] turns it into plain-data [`Finding`]s that
//! the CLI renders. Also here: the single-policy lint `W0406`
//! ([`lint`]), the DSL's `verdict: allow` pragmas ([`pragma`]), and the
//! acceptance of findings by suppressions and baselines ([`accept`]).
//!
//! | code  | finding |
//! |-------|---------|
//! | F0001 | a principal is allowed every action of a privilege-escalation method |
//! | F0002 | an admin-equivalent principal |
//! | F0003 | a principal that can become an admin-equivalent role by `sts:AssumeRole` chains |
//! | F0010 | resource exposure: edits of resource policies or ACLs |
//! | F0011 | data exfiltration: reads of objects, secrets, parameters, decryption |
//! | F0012 | credentials exposure: creates or reads credentials |
//! | F0013 | infrastructure modification: write, tagging or permissions-management actions |
//! | F0020 | service administration (the Chime catalog's account and user administration) |
//! | W0406 | one policy alone grants a privilege-escalation method (a lint) |
//! | E0130 | a malformed `verdict:` pragma (no reason, no code, nothing to accept) |

pub mod accept;
mod analyze;
pub mod lint;
mod methods;
pub mod pragma;

pub use analyze::{analyze, Finding, Report};
pub use methods::{methods, Category, Level, Method, MethodError, Need};

use crate::diag::Severity;

/// The finding codes (`F00xx`) of `verdict audit`, with their severity and a
/// one-line summary. The diagnostic codes this module emits (`W0406`,
/// `E0130`) are in the crate's registry, [`crate::codes`].
pub const CODES: &[(&str, Severity, &str)] = &[
    (
        "F0001",
        Severity::Warning,
        "a principal is allowed every action of a privilege-escalation method",
    ),
    ("F0002", Severity::Warning, "an admin-equivalent principal"),
    (
        "F0003",
        Severity::Warning,
        "a principal can become an admin-equivalent role through sts:AssumeRole chains",
    ),
    (
        "F0010",
        Severity::Warning,
        "resource exposure: edits of resource policies or ACLs on every resource",
    ),
    (
        "F0011",
        Severity::Warning,
        "data exfiltration: reads of objects, secrets or parameters, decryption, on every resource",
    ),
    (
        "F0012",
        Severity::Warning,
        "credentials exposure: actions that create or read credentials",
    ),
    (
        "F0013",
        Severity::Warning,
        "infrastructure modification: write, tagging or permissions-management actions on every resource",
    ),
    (
        "F0020",
        Severity::Warning,
        "service administration: account or user administration of the catalog's service",
    ),
];

#[cfg(test)]
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests;
