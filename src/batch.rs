//! `verdict check TABLE --batch FILE|-`: JSON lines in, JSON lines out, one
//! output line per input line, in order. A bad line yields an `error`
//! decision for that line and never stops the batch.

use std::io::{BufRead, Write};
use std::path::Path;

use serde_json::{Map, Value};
use verdict_runtime::{Context, ContextValue, Table};

use crate::{render, Io, MessageFormat, EXIT_ERROR, EXIT_OK};

/// Longest accepted input line, in bytes; longer lines get an error answer.
pub const MAX_LINE_BYTES: usize = 1 << 20;

pub fn run(table: &Path, source: &str, format: MessageFormat, io: &mut Io<'_>) -> i32 {
    let table = match crate::open_table(table) {
        Ok(t) => t,
        Err(why) => {
            render::plain_error(io, format, &why);
            return EXIT_ERROR;
        }
    };
    if source == "-" {
        let Io { stdin, stdout, .. } = io;
        answer_all(&table, *stdin, *stdout)
    } else {
        match std::fs::File::open(source) {
            Ok(file) => {
                let mut reader = std::io::BufReader::new(file);
                answer_all(&table, &mut reader, io.stdout)
            }
            Err(e) => {
                render::plain_error(
                    io,
                    format,
                    &format!("cannot read batch `{source}`: {}", crate::io_reason(&e)),
                );
                EXIT_ERROR
            }
        }
    }
}

fn answer_all(table: &Table, input: &mut dyn BufRead, out: &mut dyn Write) -> i32 {
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = match read_line_bounded(input, &mut line) {
            Ok(n) => n,
            Err(_) => return EXIT_ERROR,
        };
        if n == 0 {
            return EXIT_OK;
        }
        let answer = if line.len() > MAX_LINE_BYTES {
            error_line(
                None,
                None,
                &format!("line longer than {MAX_LINE_BYTES} bytes"),
            )
        } else {
            answer_line(table, &line)
        };
        if writeln!(out, "{answer}").is_err() {
            return EXIT_ERROR;
        }
    }
}

/// Reads one line (without its terminator) but keeps at most
/// `MAX_LINE_BYTES + 1` bytes of it, so a huge line cannot exhaust memory.
/// Returns the number of bytes consumed (0 at end of input).
fn read_line_bounded(input: &mut dyn BufRead, line: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut consumed = 0;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(consumed);
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        let room = (MAX_LINE_BYTES + 1).saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = done.unwrap_or(buf.len());
        input.consume(used);
        consumed += used;
        if done.is_some() {
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(consumed);
        }
    }
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

fn answer_line(table: &Table, line: &[u8]) -> Value {
    let text = match std::str::from_utf8(line) {
        Ok(t) => t,
        Err(_) => return error_line(None, None, "line is not UTF-8"),
    };
    if text.trim().is_empty() {
        return error_line(None, None, "empty line");
    }
    let value: Value = match serde_json::from_str(text) {
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
            for (k, v) in ctx {
                if context.get(k).is_some() {
                    return fail(&format!(
                        "context key `{k}` is given twice (keys are case-insensitive)"
                    ));
                }
                match context_value(v) {
                    Ok(value) => context.insert(k.clone(), value),
                    Err(why) => return fail(&format!("context `{k}`: {why}")),
                }
            }
        }
        Some(_) => return fail("`context` must be an object"),
    }
    let pid = match table.principal(p) {
        Ok(id) => id,
        Err(e) => return fail(&e.to_string()),
    };
    let aid = match table.action(a) {
        Ok(id) => id,
        Err(e) => return fail(&e.to_string()),
    };
    let request = verdict_runtime::Request {
        resource,
        context: &context,
    };
    let decision = table.check_with(pid, aid, &request);
    let mut out = Map::new();
    out.insert("principal".into(), Value::from(p.as_str()));
    out.insert("action".into(), Value::from(a.as_str()));
    out.insert("decision".into(), Value::from(decision.to_string()));
    Value::Object(out)
}
