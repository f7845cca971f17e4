//! Diagnostics: errors and warnings as plain data (a code, a message, a
//! primary location, related locations, help, and for places inside an
//! account dump the entity, policy and statement they belong to). The CLI
//! renders them; nothing here prints.

use crate::source::FileId;
use verdict_grammar::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

/// A place in a source file with what to say about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// One compiler finding. `code` is stable (e.g. `E0101`, `W0201`) so scripts
/// and tests can key on it; `message` is lowercase without a final period.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub primary: Option<Label>,
    pub related: Vec<Label>,
    pub help: Option<String>,
    /// Where the primary location sits in an account dump, by names (filled
    /// in at the end of a compilation for every diagnostic located in a
    /// dump; `None` elsewhere).
    pub origin: Option<Origin>,
}

/// The entity, policy and statement of an account dump that hold a place
/// of it: what a reader needs when `file:1:4614584` is a one-line dump.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// `user`, `group` or `role`, with the entity's name.
    pub entity: Option<(&'static str, String)>,
    /// The policy: an inline policy's or managed policy's name, or `trust
    /// policy` for a role's trust policy.
    pub policy: Option<String>,
    /// 1-based position of the statement in its policy, with its Sid.
    pub statement: Option<(usize, Option<String>)>,
}

impl std::fmt::Display for Origin {
    /// `policy VegaPolicy-08, statement 2 (Sid "X") of user alice`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if let Some(policy) = &self.policy {
            parts.push(if policy == TRUST_POLICY {
                policy.clone()
            } else {
                format!("policy {policy}")
            });
        }
        if let Some((n, sid)) = &self.statement {
            parts.push(match sid {
                Some(sid) => format!("statement {n} (Sid {sid:?})"),
                None => format!("statement {n}"),
            });
        }
        let mut text = parts.join(", ");
        if let Some((kind, name)) = &self.entity {
            if !text.is_empty() {
                text.push_str(" of ");
            }
            text.push_str(&format!("{kind} {name}"));
        }
        f.write_str(&text)
    }
}

/// [`Origin::policy`] of a role's trust policy.
pub const TRUST_POLICY: &str = "trust policy";

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            primary: None,
            related: Vec::new(),
            help: None,
            origin: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, file: FileId, span: Span, label: impl Into<String>) -> Diagnostic {
        self.primary = Some(Label {
            file,
            span,
            message: label.into(),
        });
        self
    }

    pub fn with_related(
        mut self,
        file: FileId,
        span: Span,
        label: impl Into<String>,
    ) -> Diagnostic {
        self.related.push(Label {
            file,
            span,
            message: label.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Collects diagnostics in the order they are found.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    pub list: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.list.push(diagnostic);
    }

    pub fn has_errors(&self) -> bool {
        self.list.iter().any(Diagnostic::is_error)
    }

    pub fn n_errors(&self) -> usize {
        self.list.iter().filter(|d| d.is_error()).count()
    }
}
