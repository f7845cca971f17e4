//! `verdict fmt FILE...` and `verdict fmt --check FILE...`: lays `.vp` files
//! out canonically ([`verdict_grammar::format_dsl`]), keeping every comment.
//!
//! Files are rewritten in place, atomically (temporary file beside it, then
//! rename), and only when the text changes; a file with a syntax error is
//! reported like `compile` reports it and never rewritten. `-` formats
//! standard input to standard output. With `--check` nothing is written:
//! the files that would change are listed on standard output.
//!
//! Exit status: 0 all formatted (or, with `--check`, none would change), 1
//! with `--check` some file would change, 2 any error (unreadable file,
//! syntax error, a file that cannot be written); errors win over 1.

use std::io::Read;
use std::path::Path;
use verdict_compiler::codes;

use verdict_compiler::{Diagnostic, SourceMap};
use verdict_grammar::FormatError;

use crate::{render, Io, MessageFormat, EXIT_DENY, EXIT_ERROR, EXIT_OK};

/// Runs `verdict fmt`; returns the exit status.
pub fn run(files: &[String], check: bool, format: MessageFormat, io: &mut Io<'_>) -> i32 {
    if files.is_empty() {
        render::plain_error(
            io,
            format,
            "no files: give `.vp` files, or `-` for standard input",
        );
        return EXIT_ERROR;
    }
    let mut errors = false;
    let mut would_change = false;
    for file in files {
        match format_one(file, check, format, io) {
            Ok(changed) => would_change |= changed,
            Err(()) => errors = true,
        }
    }
    if errors {
        EXIT_ERROR
    } else if check && would_change {
        EXIT_DENY
    } else {
        EXIT_OK
    }
}

/// Formats one file (or standard input for `-`); `Ok(true)` when its text
/// changes. Errors have been reported.
fn format_one(file: &str, check: bool, format: MessageFormat, io: &mut Io<'_>) -> Result<bool, ()> {
    let stdin = file == "-";
    let text = if stdin {
        read_stdin(io).map_err(|why| render::plain_error(io, format, &why))?
    } else {
        read_text(Path::new(file)).map_err(|why| render::plain_error(io, format, &why))?
    };
    let shown = if stdin { "<stdin>" } else { file };
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
        if changed {
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

/// The text of a source file: a regular file of at most `MAX_INPUT_BYTES`,
/// UTF-8.
pub(crate) fn read_text(path: &Path) -> Result<String, String> {
    crate::fsio::read_text(path, verdict_grammar::MAX_INPUT_BYTES, "")
        .map_err(|why| format!("cannot read `{}`: {why}", path.display()))
}

/// All of standard input, at most `MAX_INPUT_BYTES`, UTF-8.
pub(crate) fn read_stdin(io: &mut Io<'_>) -> Result<String, String> {
    let limit = verdict_grammar::MAX_INPUT_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    Read::take(&mut *io.stdin, limit)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {}", crate::io_reason(&e)))?;
    if bytes.len() > verdict_grammar::MAX_INPUT_BYTES {
        return Err(format!(
            "cannot read standard input: larger than {} bytes",
            verdict_grammar::MAX_INPUT_BYTES
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "cannot read standard input: not UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Replaces the file at `path` (through symbolic links) with `text`: a
/// temporary file in the same folder with the old file's permissions,
/// synced, then renamed over it (see `fsio::write_atomically`). Readers see
/// the old text or the new one.
fn rewrite(path: &Path, text: &str) -> Result<(), String> {
    let target = std::fs::canonicalize(path).map_err(|e| crate::io_reason(&e))?;
    let permissions = std::fs::metadata(&target)
        .map_err(|e| crate::io_reason(&e))?
        .permissions();
    crate::fsio::write_atomically(&target, Some(permissions), |file| {
        file.write_all(text.as_bytes())
    })
}
