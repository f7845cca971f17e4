//! Accounts: the account of a DSL file or entity (12 digits, declared at
//! most once), the scope names are looked up in, and the error for an
//! entity without account when the compilation has several.

use verdict_grammar::{self as ast, Spanned};

use crate::diag::Diagnostic;
use crate::source::FileId;
use crate::{codes, validate};

use super::{kind_word, Lowerer, PendingEntity, Scope};

impl Lowerer<'_> {
    /// The scope names of an entity of `account` are looked up in.
    pub(super) fn scope(&self, account: Option<&str>) -> Scope {
        if self.model.qualified_names {
            account.map(str::to_string)
        } else {
            None
        }
    }

    /// The `account` item of a DSL file (at most one; 12 digits).
    pub(super) fn file_account(&mut self, file: FileId, parsed: &ast::File) -> Option<String> {
        let mut found: Option<&Spanned<String>> = None;
        for item in &parsed.items {
            let ast::Item::Account(account) = item else {
                continue;
            };
            if let Some(first) = found {
                self.diags.push(
                    Diagnostic::error(codes::E0210, "a file declares its account at most once")
                        .at(file, account.span, "second `account`")
                        .with_related(file, first.span, "first `account`")
                        .with_help("put the entities of another account in a file of their own, or give them an `account` clause"),
                );
                continue;
            }
            found = Some(account);
        }
        let account = found?;
        self.check_account_id(file, account)
            .then(|| account.node.clone())
    }

    /// An entity's account: its `account` clause (at most one), else the
    /// file's.
    pub(super) fn entity_account(
        &mut self,
        file: FileId,
        decl: &ast::EntityDecl,
        file_account: &Option<String>,
    ) -> Option<String> {
        let mut own: Option<&Spanned<String>> = None;
        for clause in &decl.clauses {
            let ast::Clause::Account(account) = clause else {
                continue;
            };
            if let Some(first) = own {
                self.diags.push(
                    Diagnostic::error(codes::E0210, "an entity has at most one `account`")
                        .at(file, account.span, "second `account`")
                        .with_related(file, first.span, "first `account`"),
                );
                continue;
            }
            own = Some(account);
        }
        match own {
            Some(account) => self
                .check_account_id(file, account)
                .then(|| account.node.clone()),
            None => file_account.clone(),
        }
    }

    /// An account id is 12 digits; reports it if not.
    pub(super) fn check_account_id(&mut self, file: FileId, account: &Spanned<String>) -> bool {
        if validate::is_account_id(&account.node) {
            return true;
        }
        self.diags.push(
            Diagnostic::error(
                codes::E0210,
                format!("`{}` is not an AWS account id", account.node),
            )
            .at(file, account.span, "expected 12 digits")
            .with_help("write the account id as 12 digits, e.g. `account \"111122223333\"`"),
        );
        false
    }

    /// E0209: with several accounts, every entity must say which is its.
    pub(super) fn missing_account(&mut self, pending: &PendingEntity, accounts: &[&str]) {
        let decl = &pending.decl;
        self.diags.push(
            Diagnostic::error(
                codes::E0209,
                format!(
                    "{} `{}` has no account, but this compilation has principals of several accounts ({})",
                    kind_word(decl.kind),
                    decl.name.node,
                    accounts.join(", ")
                ),
            )
            .at(pending.file, decl.name.span, "no `account`")
            .with_help("add `account \"ACCOUNT\"` to its file or to the entity; principals are then named `ACCOUNT:user/NAME`"),
        );
    }
}
