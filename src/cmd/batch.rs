//! `verdict check TABLE --batch FILE|-`: JSON lines in, JSON lines out, one
//! output line per input line, in order. A bad line yields an `error`
//! decision for that line and never stops the batch.
//!
//! [`answer_lines`] is the reader itself, public for the `batch` fuzz target
//! and for services that want the same protocol; [`RequestLimits`] bounds
//! what one request may carry.

use std::io::{BufRead, Write};
use std::path::Path;

use serde_json::{Map, Value};
use verdict_runtime::{Context, ContextValue, Table};

use crate::files::{closed_output, fsio, io_reason, TableSource};
use crate::lookup;
use crate::{CmdResult, Io, EXIT_OK};

/// What one request (a batch line, or the options of one `check`) may carry.
/// Over a limit, the request is answered with an error, never checked.
///
/// All but `line_bytes` are the runtime's
/// [`verdict_runtime::RequestLimits`] (whose documentation cites the AWS
/// limits the defaults follow), see [`RequestLimits::runtime`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestLimits {
    /// Longest input line, in bytes (`--limit line-bytes=N`).
    pub line_bytes: usize,
    /// Most context keys in one request (`--limit context-keys=N`).
    pub context_keys: usize,
    /// Most context values in one request, all keys together
    /// (`--limit context-values=N`).
    pub context_values: usize,
    /// Longest resource, in bytes (`--limit resource-bytes=N`).
    pub resource_bytes: usize,
    /// Longest context key or value, in bytes (`--limit value-bytes=N`).
    pub value_bytes: usize,
}

impl Default for RequestLimits {
    fn default() -> RequestLimits {
        let runtime = verdict_runtime::RequestLimits::DEFAULT;
        RequestLimits {
            line_bytes: 1 << 20,
            context_keys: runtime.context_keys,
            context_values: runtime.context_values,
            resource_bytes: runtime.resource_bytes,
            value_bytes: runtime.value_bytes,
        }
    }
}

impl RequestLimits {
    /// The names of the limits, as `--limit NAME=N` spells them, each with
    /// what it bounds.
    pub const NAMES: [(&'static str, &'static str); 5] = [
        ("line-bytes", "longest batch input line, in bytes"),
        ("context-keys", "most context keys in one request"),
        ("context-values", "most context values in one request"),
        (
            "resource-bytes",
            "longest resource of one request, in bytes",
        ),
        ("value-bytes", "longest context key or value, in bytes"),
    ];

    /// Sets the limit called `name` (one of [`RequestLimits::NAMES`]).
    ///
    /// # Errors
    /// An unknown name; the message lists the known ones.
    pub fn set(&mut self, name: &str, value: usize) -> Result<(), String> {
        let slot = match name {
            "line-bytes" => &mut self.line_bytes,
            "context-keys" => &mut self.context_keys,
            "context-values" => &mut self.context_values,
            "resource-bytes" => &mut self.resource_bytes,
            "value-bytes" => &mut self.value_bytes,
            _ => {
                let names: Vec<&str> = RequestLimits::NAMES.iter().map(|(n, _)| *n).collect();
                return Err(format!(
                    "unknown limit `{name}` (limits of `check`: {})",
                    names.join(", ")
                ));
            }
        };
        *slot = value;
        Ok(())
    }

    /// The limits the runtime checks a request against.
    #[must_use]
    pub fn runtime(&self) -> verdict_runtime::RequestLimits {
        verdict_runtime::RequestLimits {
            resource_bytes: self.resource_bytes,
            context_keys: self.context_keys,
            context_values: self.context_values,
            value_bytes: self.value_bytes,
        }
    }

    /// Checks the number of keys and values of a request context.
    ///
    /// # Errors
    /// A message naming the limit that was exceeded and the option that raises it.
    pub fn check_context(&self, n_keys: usize, n_values: usize) -> Result<(), String> {
        if n_keys > self.context_keys {
            return Err(format!(
                "more than {} context keys (raise with --limit context-keys=N)",
                self.context_keys
            ));
        }
        if n_values > self.context_values {
            return Err(format!(
                "more than {} context values (raise with --limit context-values=N)",
                self.context_values
            ));
        }
        Ok(())
    }
}

pub(crate) fn run(
    table: TableSource<'_>,
    source: &str,
    limits: &RequestLimits,
    io: &mut Io<'_>,
) -> CmdResult {
    let table = table.open()?;
    let res = if source == "-" {
        let Io { stdin, stdout, .. } = io;
        answer_lines(&table, limits, *stdin, *stdout)
    } else {
        let file = fsio::open_regular(Path::new(source))
            .map_err(|e| format!("cannot read batch `{source}`: {e}"))?;
        let mut reader = std::io::BufReader::new(file);
        answer_lines(&table, limits, &mut reader, io.stdout)
    };
    // A closed standard output (the reader went away, `| head -1`) ends the
    // batch quietly like the end of the input.
    closed_output(res).map_err(|e| format!("batch stopped: {}", io_reason(&e)))?;
    Ok(EXIT_OK)
}

/// Answers every JSON-lines request of `input` from `table`, one JSON line
/// to `output` per input line, in order. A bad line (not UTF-8, not JSON,
/// a wrong field, an unknown principal or action, over a limit) is answered
/// with `"decision":"error"` and an `"error"` message; it never stops the
/// batch and is never answered `allow`.
///
/// Each answer is flushed before the next read that would wait for input
/// (when the reader's buffer holds no more bytes), so a co-process that
/// writes one request and waits reads its answer at once, while a file is
/// answered in buffered blocks.
///
/// # Errors
/// Only reading `input` or writing `output` failed.
///
/// # Panics
/// Never, whatever the input.
pub fn answer_lines(
    table: &Table,
    limits: &RequestLimits,
    input: &mut dyn BufRead,
    output: &mut dyn Write,
) -> std::io::Result<()> {
    let mut line = Vec::new();
    let mut suggestions = SUGGESTIONS_PER_BATCH;
    loop {
        line.clear();
        let (n, drained) = read_line_bounded(input, &mut line, limits.line_bytes)?;
        if n == 0 {
            return output.flush();
        }
        let answer = if line.len() > limits.line_bytes {
            error_line(
                None,
                None,
                &format!(
                    "line longer than {} bytes (raise with --limit line-bytes=N)",
                    limits.line_bytes
                ),
            )
        } else {
            answer_line(table, limits, &line, &mut suggestions)
        };
        writeln!(output, "{answer}")?;
        if drained {
            output.flush()?;
        }
    }
}

/// Reads one line (without its terminator) but keeps at most `max + 1`
/// bytes of it, so a huge line cannot exhaust memory. Returns the number of
/// bytes consumed (0 at end of input) and whether the reader's buffer is now
/// empty, so that the next read may wait for input.
fn read_line_bounded(
    input: &mut dyn BufRead,
    line: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<(usize, bool)> {
    let mut consumed = 0;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok((consumed, true));
        }
        let buffered = buf.len();
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        let room = max.saturating_add(1).saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = done.unwrap_or(buf.len());
        input.consume(used);
        consumed += used;
        if done.is_some() {
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok((consumed, used == buffered));
        }
    }
}

/// A request over a limit, with the option that raises it.
pub(crate) fn over_limit(why: &verdict_runtime::RequestError) -> String {
    format!("{why} (raise with --limit {}=N)", why.limit_name())
}

fn error_line(principal: Option<&Value>, action: Option<&Value>, message: &str) -> Value {
    let mut obj = Map::new();
    if let Some(p) = principal {
        obj.insert("principal".into(), p.clone());
    }
    if let Some(a) = action {
        obj.insert("action".into(), a.clone());
    }
    obj.insert("decision".into(), Value::from("error"));
    obj.insert("error".into(), Value::from(message));
    Value::Object(obj)
}

/// Context values: strings or arrays of strings; booleans and numbers are
/// read as their JSON text (DESIGN.md). A JSON array is multivalued whatever
/// its length, a scalar single-valued (SEMANTICS C7).
fn context_value(value: &Value) -> Result<ContextValue, String> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(_) | Value::Number(_) => Ok(v.to_string()),
        _ => Err("context values are strings, numbers, booleans or arrays of them".to_string()),
    };
    match value {
        Value::Array(items) => items
            .iter()
            .map(scalar)
            .collect::<Result<_, _>>()
            .map(ContextValue::Multi),
        v => scalar(v).map(ContextValue::Single),
    }
}

/// How many unknown names of one batch get a did-you-mean: each costs a pass
/// over the table's names, so a batch of bad lines stays linear in its lines.
const SUGGESTIONS_PER_BATCH: usize = 100;

/// `message` with a did-you-mean from `suggest`, while `budget` lasts.
fn suggested(
    message: String,
    budget: &mut usize,
    suggest: impl FnOnce() -> Option<String>,
) -> String {
    if *budget == 0 {
        return message;
    }
    *budget -= 1;
    lookup::with_suggestion(message, suggest())
}

fn answer_line(
    table: &Table,
    limits: &RequestLimits,
    line: &[u8],
    suggestions: &mut usize,
) -> Value {
    let text = match std::str::from_utf8(line) {
        Ok(t) => t,
        Err(_) => return error_line(None, None, "line is not UTF-8"),
    };
    if text.trim().is_empty() {
        return error_line(None, None, "empty line");
    }
    let value: Value = match crate::strict_json::parse(text) {
        Ok(v) => v,
        Err(e) => return error_line(None, None, &format!("invalid JSON: {e}")),
    };
    let Value::Object(obj) = &value else {
        return error_line(None, None, "a request is a JSON object");
    };
    let principal = obj.get("principal");
    let action = obj.get("action");
    let fail = |message: &str| error_line(principal, action, message);
    let Some(Value::String(p)) = principal else {
        return fail("`principal` must be a string");
    };
    let Some(Value::String(a)) = action else {
        return fail("`action` must be a string");
    };
    if let Some(key) = obj
        .keys()
        .find(|k| !matches!(k.as_str(), "principal" | "action" | "resource" | "context"))
    {
        return fail(&format!("unknown field `{key}`"));
    }
    let resource = match obj.get("resource") {
        None => "*",
        Some(Value::String(r)) => r.as_str(),
        Some(_) => return fail("`resource` must be a string"),
    };
    let mut context = Context::new();
    match obj.get("context") {
        None => {}
        Some(Value::Object(ctx)) => {
            let n_values = ctx
                .values()
                .map(|v| match v {
                    Value::Array(items) => items.len(),
                    _ => 1,
                })
                .fold(0usize, usize::saturating_add);
            if let Err(why) = limits.check_context(ctx.len(), n_values) {
                return fail(&why);
            }
            // Linear in the keys: a set of folded keys finds the twice-given
            // ones, and the context is built in one pass.
            let mut seen = std::collections::HashSet::new();
            let mut entries = Vec::with_capacity(ctx.len());
            for (k, v) in ctx {
                if !seen.insert(k.chars().flat_map(char::to_lowercase).collect::<String>()) {
                    return fail(&format!(
                        "context key `{k}` is given twice (keys are case-insensitive)"
                    ));
                }
                match context_value(v) {
                    Ok(value) => entries.push((k.clone(), value)),
                    Err(why) => return fail(&format!("context `{k}`: {why}")),
                }
            }
            context = entries.into_iter().collect();
        }
        Some(_) => return fail("`context` must be an object"),
    }
    let request = verdict_runtime::Request {
        resource,
        context: &context,
    };
    let limits = limits.runtime();
    if let Err(why) = limits.check(&request) {
        return fail(&over_limit(&why));
    }
    let pid = match table.principal(p) {
        Ok(id) => id,
        Err(e) => {
            let why = suggested(e.to_string(), suggestions, || {
                lookup::suggest_principal(table, p)
            });
            return fail(&why);
        }
    };
    let aid = match table.action(a) {
        Ok(id) => id,
        Err(e) => {
            let why = suggested(e.to_string(), suggestions, || {
                lookup::suggest_action(table, a)
            });
            return fail(&why);
        }
    };
    let decision = match table.try_check_with(pid, aid, &request, &limits) {
        Ok(decision) => decision,
        Err(why) => return fail(&over_limit(&why)),
    };
    let mut out = Map::new();
    out.insert("principal".into(), Value::from(p.as_str()));
    out.insert("action".into(), Value::from(a.as_str()));
    out.insert("decision".into(), Value::from(decision.to_string()));
    Value::Object(out)
}
