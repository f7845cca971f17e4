//! `verdict fmt FILE...` and `verdict fmt --check FILE...`: lays `.vp` files
//! out canonically ([`verdict_grammar::format_dsl`]), keeping every comment.
//!
//! Files are rewritten in place, atomically (temporary file beside it, then
//! rename), and only when the text changes; a file with a syntax error is
//! reported like `compile` reports it and never rewritten. `-` formats
//! standard input to standard output. With `--check` nothing is written:
//! the files that would change are listed on standard output (with
//! `--format json`, one object: `would_change`, `errors`, and every file with
//! `changed`, or `error` when it could not be read or parsed).
//!
//! Exit status: 0 all formatted (or, with `--check`, none would change), 1
//! with `--check` some file would change, 2 any error (unreadable file,
//! syntax error, a file that cannot be written); errors win over 1.

use std::path::Path;
use verdict_compiler::codes;

use verdict_compiler::{Diagnostic, SourceMap};
use verdict_grammar::FormatError;

use crate::args::{FmtArgs, QueryFormat};
use crate::cmd::Shown;
use crate::files::{read_stdin, read_text, rewrite};
use crate::render::{self, MessageFormat};
use crate::{CmdResult, Io, EXIT_DENY, EXIT_ERROR, EXIT_OK};

/// Runs `verdict fmt`. Every file is tried; an error about one file is
/// reported at once and the next file formatted.
pub(crate) fn run(args: FmtArgs, shown: Shown, io: &mut Io<'_>) -> CmdResult {
    let (files, check, format) = (&args.files, args.check, shown.format);
    if files.is_empty() {
        return Err("no files: give `.vp` files, or `-` for standard input".into());
    }
    let json = args.format == QueryFormat::Json;
    let mut errors = false;
    let mut would_change = false;
    let mut listed = Vec::new();
    for file in files {
        match format_one(file, check && !json, check, format, io) {
            Ok(changed) => {
                would_change |= changed;
                listed.push(serde_json::json!({"file": shown_name(file), "changed": changed}));
            }
            Err(()) => {
                errors = true;
                listed.push(serde_json::json!({"file": shown_name(file), "error": true}));
            }
        }
    }
    if json {
        let report = serde_json::json!({
            "would_change": would_change,
            "errors": errors,
            "files": listed,
        });
        let _ = writeln!(io.stdout, "{report}");
    }
    Ok(if errors {
        EXIT_ERROR
    } else if check && would_change {
        EXIT_DENY
    } else {
        EXIT_OK
    })
}

/// How a file is named in messages and listings.
fn shown_name(file: &str) -> &str {
    if file == "-" {
        "<stdin>"
    } else {
        file
    }
}

/// Formats one file (or standard input for `-`); `Ok(true)` when its text
/// changes; with `check`, nothing is written, and with `list` the file is
/// named on standard output when it would change. Errors have been
/// reported.
fn format_one(
    file: &str,
    list: bool,
    check: bool,
    format: MessageFormat,
    io: &mut Io<'_>,
) -> Result<bool, ()> {
    let stdin = file == "-";
    let text = if stdin {
        read_stdin(io).map_err(|why| render::plain_error(io, format, &why))?
    } else {
        read_text(Path::new(file)).map_err(|why| render::plain_error(io, format, &why))?
    };
    let shown = shown_name(file);
    let formatted = match verdict_grammar::format_dsl(&text) {
        Ok(formatted) => formatted,
        Err(FormatError::Syntax(err)) => {
            syntax_error(io, format, shown, &text, &err);
            return Err(());
        }
        Err(err @ FormatError::Internal(_)) => {
            render::plain_error(io, format, &format!("`{shown}`: {err}"));
            return Err(());
        }
    };
    let changed = formatted != text;
    if check {
        if changed && list {
            let _ = writeln!(io.stdout, "{shown}");
        }
    } else if stdin {
        let _ = io.stdout.write_all(formatted.as_bytes());
    } else if changed {
        rewrite(Path::new(file), &formatted).map_err(|why| {
            render::plain_error(io, format, &format!("cannot write `{file}`: {why}"));
        })?;
    }
    Ok(changed)
}

/// Reports a syntax error as `compile` does (code `E0001`, with the source).
pub(crate) fn syntax_error(
    io: &mut Io<'_>,
    format: MessageFormat,
    path: &str,
    text: &str,
    err: &verdict_grammar::ParseError,
) {
    let mut sources = SourceMap::default();
    let file = sources.add(path, text);
    let diagnostic =
        Diagnostic::error(codes::E0001, err.kind.to_string()).at(file, err.span, "here");
    render::diagnostics(io, format, &sources, &[diagnostic]);
}
