//! `verdict check TABLE PRINCIPAL ACTION [--resource ARN] [--context K=V]`:
//! one decision printed (a word, or with `--format json` one object: the
//! principal and action as the table names them, the resource, the context
//! given and the decision), the exit status saying it; with `--batch` the
//! JSON-lines protocol of [`batch`](super::batch). With `--key` or
//! `--digest`, the table is used only once verified.

use verdict_runtime::{Decision, Request};

use crate::args::{CheckArgs, QueryFormat};
use crate::cmd::batch::{self, RequestLimits};
use crate::files::TableSource;
use crate::inputs::{apply_limits, parse_context};
use crate::lookup;
use crate::{signing, CmdResult, Io, EXIT_DENY, EXIT_OK};

/// Runs `verdict check`: 0 allow, 1 deny or implicit-deny, 2 any error;
/// with `--batch`, 0 when every line was answered.
pub(crate) fn run(args: CheckArgs, io: &mut Io<'_>) -> CmdResult {
    let mut limits = RequestLimits::default();
    apply_limits(&args.limits, |name, value| limits.set(name, value))?;
    let verifier = match (&args.trust.key, &args.trust.digest) {
        (None, None) => None,
        (key, digest) => Some(signing::verifier(key.as_deref(), digest.as_deref())?),
    };
    let table = TableSource {
        path: &args.table,
        verifier: verifier.as_ref(),
    };
    if let Some(source) = &args.batch {
        return batch::run(table, source, &limits, io);
    }
    let context = parse_context(&args.request.context, &limits)?;
    let table = table.open()?;
    let principal = args.principal.as_deref().unwrap_or_default();
    let action = args.action.as_deref().unwrap_or_default();
    let p = lookup::principal(&table, principal)?;
    let a = lookup::action(&table, action)?;
    let request = Request {
        resource: args.request.resource.as_deref().unwrap_or("*"),
        context: &context,
    };
    let decision = table
        .try_check_with(p, a, &request, &limits.runtime())
        .map_err(|why| batch::over_limit(&why))?;
    let _ = match args.format.format {
        QueryFormat::Text => writeln!(io.stdout, "{decision}"),
        QueryFormat::Json => writeln!(
            io.stdout,
            "{}",
            serde_json::json!({
                "principal": table.principal_name(p),
                "action": table.action_name(a),
                "resource": request.resource,
                "context": args.request.context,
                "decision": decision.to_string(),
            })
        ),
    };
    Ok(if decision == Decision::Allow {
        EXIT_OK
    } else {
        EXIT_DENY
    })
}
