//! [`Fingerprint`]: what a service logs about the table it serves, after a load
//! or a reload: format version, catalog, dimensions, size and a digest of the
//! bytes, plus the compile facts the provenance section holds when present.

use std::fmt;

use crate::table::Table;

/// The identity of a loaded table, from [`Table::fingerprint`].
///
/// `Display` writes one line without a newline, e.g.
/// `verdict table v3 catalog=chime principals=2 actions=2 classes=2x2 bytes=412
/// digest=crc32c:1a2b3c4d`, made for a log line after a (re)load.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// The table format version.
    pub format_version: u32,
    /// The catalog name the table was compiled against.
    pub catalog: String,
    /// Number of principals.
    pub n_principals: usize,
    /// Number of actions.
    pub n_actions: usize,
    /// Number of row classes.
    pub n_row_classes: usize,
    /// Number of column classes.
    pub n_col_classes: usize,
    /// Number of trust (assume-role) edges.
    pub n_trust_edges: usize,
    /// The size of the table in bytes.
    pub byte_len: usize,
    /// With feature `verify`, `sha256:` and the hex SHA-256 of the table
    /// without its signature section (the digest `check --digest` pins);
    /// without it, `crc32c:` and the header's checksum in hex (which changes
    /// with every byte, but is no defence against a forger).
    pub digest: String,
    /// Whether the table carries a signature section (verified or not).
    pub signed: bool,
    /// Compile facts, when the table has a provenance section.
    pub compiled: Option<CompileFacts>,
}

/// What the provenance section says about the compile a table came from.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CompileFacts {
    /// Source files given to the compiler.
    pub source_files: usize,
    /// Policies of the compiled model.
    pub policies: usize,
    /// Statements of those policies.
    pub statements: usize,
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "verdict table v{} catalog={} principals={} actions={} classes={}x{} \
             trust-edges={} bytes={} digest={}",
            self.format_version,
            self.catalog.escape_debug(),
            self.n_principals,
            self.n_actions,
            self.n_row_classes,
            self.n_col_classes,
            self.n_trust_edges,
            self.byte_len,
            self.digest,
        )?;
        if self.signed {
            f.write_str(" signed")?;
        }
        if let Some(facts) = &self.compiled {
            write!(
                f,
                " sources={} policies={} statements={}",
                facts.source_files, facts.policies, facts.statements
            )?;
        }
        Ok(())
    }
}

impl Table {
    /// The table's identity, to log after a load or reload; see [`Fingerprint`].
    ///
    /// Computes the digest over the table's bytes with feature `verify` (a
    /// SHA-256, linear in the size); otherwise reads the stored checksum.
    #[must_use]
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint {
            format_version: self.format_version(),
            catalog: self.catalog().to_owned(),
            n_principals: self.n_principals(),
            n_actions: self.n_actions(),
            n_row_classes: self.n_row_classes(),
            n_col_classes: self.n_col_classes(),
            n_trust_edges: self.n_trust_edges(),
            byte_len: self.byte_len(),
            digest: self.fingerprint_digest(),
            signed: self.is_signed(),
            compiled: self.provenance().map(|p| CompileFacts {
                source_files: p.files.len(),
                policies: p.policies.len(),
                statements: p.statements.len(),
            }),
        }
    }

    #[cfg(feature = "verify")]
    fn fingerprint_digest(&self) -> String {
        format!("sha256:{}", self.digest())
    }

    #[cfg(not(feature = "verify"))]
    fn fingerprint_digest(&self) -> String {
        format!(
            "crc32c:{:08x}",
            crate::wire::stored_checksum(self.as_bytes())
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::parts::TableParts;
    use crate::types::{AccessLevel, Cell};
    use crate::Table;

    fn table(cells: Vec<Cell>) -> Table {
        Table::from_parts(TableParts {
            catalog: "chime".to_owned(),
            principals: vec!["user/alice".to_owned()],
            principal_arns: vec![String::new()],
            actions: vec![
                "chime:ListUsers".to_owned(),
                "chime:DeleteAccount".to_owned(),
            ],
            action_access: vec![AccessLevel::List, AccessLevel::Write],
            action_wildcard_only: vec![true, true],
            principal_row: vec![0],
            action_col: vec![0, 1],
            n_rows: 1,
            n_cols: 2,
            cells,
            ..TableParts::default()
        })
        .unwrap()
    }

    #[test]
    fn fingerprint_names_the_table_on_one_line() {
        let t = table(vec![Cell::Allow, Cell::Deny]);
        let fp = t.fingerprint();
        assert_eq!(fp.format_version, crate::FORMAT_VERSION);
        assert_eq!((fp.n_principals, fp.n_actions), (1, 2));
        assert_eq!((fp.n_row_classes, fp.n_col_classes), (1, 2));
        assert_eq!(fp.byte_len, t.as_bytes().len());
        assert!(!fp.signed);
        assert!(fp.compiled.is_none());
        let line = fp.to_string();
        assert!(!line.contains('\n'), "{line}");
        let expected_digest = if cfg!(feature = "verify") {
            "sha256:"
        } else {
            "crc32c:"
        };
        assert!(
            line.contains(&format!("digest={expected_digest}")),
            "{line}"
        );
        assert!(
            line.starts_with(&format!(
                "verdict table v{} catalog=chime principals=1 actions=2 classes=1x2 \
                 trust-edges=0 bytes={}",
                crate::FORMAT_VERSION,
                t.as_bytes().len()
            )),
            "{line}"
        );
    }

    #[test]
    fn fingerprint_digest_tells_tables_apart() {
        let a = table(vec![Cell::Allow, Cell::Deny]);
        let b = table(vec![Cell::Deny, Cell::Allow]);
        assert_eq!(a.fingerprint(), a.clone().fingerprint());
        assert_ne!(a.fingerprint().digest, b.fingerprint().digest);
        let reloaded = Table::from_bytes(a.as_bytes()).unwrap();
        assert_eq!(reloaded.fingerprint(), a.fingerprint());
    }
}
