//! Terraform plans in the front end: a plan read (`terraform.rs`) and laid
//! over the account dumps of its account (`overlay.rs`), or over its own
//! prior state when the compilation has no dump; the result is dumps again,
//! lowered like any other, with carriers adding facts to entities declared
//! in another file.

use std::collections::BTreeSet;

use verdict_grammar::Json;

use crate::overlay::{overlay, Layer};
use crate::source::FileId;
use crate::terraform;

use super::{Lowerer, PendingDump};

/// A plan waiting for the dumps to be read.
pub(super) struct PendingPlan {
    pub file: FileId,
    pub json: Json,
    pub account: Option<String>,
    /// Only the prior state (the account before the plan).
    pub prior_only: bool,
}

impl Lowerer<'_> {
    /// A plan input: parsed, waiting for the dumps.
    pub(super) fn read_plan(
        &mut self,
        file: FileId,
        account: Option<String>,
        prior_only: bool,
        plans: &mut Vec<PendingPlan>,
    ) {
        match verdict_grammar::parse_json_with(self.text(file), &self.limits.parse_limits()) {
            Ok(json) => plans.push(PendingPlan {
                file,
                json,
                account,
                prior_only,
            }),
            Err(err) => self.syntax_error(file, &err),
        }
    }

    /// Lays each plan over the dumps of its account (changing them in
    /// place) and adds the plan's own layers to `dumps`.
    pub(super) fn apply_plans(&mut self, plans: Vec<PendingPlan>, dumps: &mut Vec<PendingDump>) {
        for plan in plans {
            let accounts: BTreeSet<&str> =
                dumps.iter().filter_map(|d| d.account.as_deref()).collect();
            let fallback = match accounts.len() {
                1 => accounts.first().map(|a| a.to_string()),
                _ => None,
            };
            let text = self.text(plan.file).to_string();
            let read = terraform::read(
                &text,
                &plan.json,
                plan.file,
                plan.account.as_deref(),
                fallback.as_deref(),
                &self.limits.parse_limits(),
                &mut self.diags,
            );
            let account = read.account.clone();
            if plan.prior_only {
                dumps.push(self.pending_layer(plan.file, read.prior, account));
                continue;
            }
            let onto: Vec<usize> = dumps
                .iter()
                .enumerate()
                .filter(|(_, d)| account.is_none() || d.account.is_none() || d.account == account)
                .map(|(i, _)| i)
                .collect();
            if onto.is_empty() {
                // No deployed account given: the plan's prior state is.
                let (kept, changed) = overlay(&read.prior, &read.change);
                dumps.push(self.pending_layer(plan.file, kept, account.clone()));
                dumps.push(self.pending_layer(plan.file, changed, account));
                continue;
            }
            let mut changed = read.change.clone();
            for index in onto {
                let Some(pending) = dumps.get_mut(index) else {
                    continue;
                };
                let base = Layer {
                    dump: std::mem::take(&mut pending.dump),
                    carriers: std::mem::take(&mut pending.carriers),
                    removed: BTreeSet::new(),
                };
                let (kept, change) = overlay(&base, &read.change);
                pending.dump = kept.dump;
                pending.carriers = kept.carriers;
                changed = change;
            }
            dumps.push(self.pending_layer(plan.file, changed, account));
        }
    }

    /// A layer as a pending dump of `file`, of `account` if given (else the
    /// account its ARNs name).
    fn pending_layer(
        &mut self,
        file: FileId,
        layer: Layer,
        account: Option<String>,
    ) -> PendingDump {
        let mut pending = self.pending_dump(file, layer.dump);
        if account.is_some() {
            pending.account = account;
        }
        pending.carriers = layer.carriers;
        pending
    }
}
