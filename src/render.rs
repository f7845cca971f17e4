//! The one diagnostic renderer: compiler diagnostics and plain errors, as
//! miette reports (`human`), one line each (`short`), or JSON lines (`json`).

use clap::ValueEnum;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource,
    Severity as MSeverity,
};
use verdict_compiler::{Diagnostic, Severity, SourceMap};

use crate::Io;

/// `--message-format`, as cargo spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    /// Source snippets with underlines and help.
    Human,
    /// One line per diagnostic: `file:line:col: severity[code]: message`.
    Short,
    /// One JSON object per line.
    Json,
}

/// Width used for human diagnostics (fixed, so output is reproducible).
const WIDTH: usize = 100;

pub fn diagnostics(
    io: &mut Io<'_>,
    format: MessageFormat,
    sources: &SourceMap,
    list: &[Diagnostic],
) {
    for d in list {
        let text = match format {
            MessageFormat::Human => human(sources, d, io.color),
            MessageFormat::Short => format!("{}\n", short(sources, d)),
            MessageFormat::Json => format!("{}\n", json(sources, d)),
        };
        let _ = io.stderr.write_all(text.as_bytes());
    }
}

/// An error that has no source location (IO, arguments, tables).
pub fn plain_error(io: &mut Io<'_>, format: MessageFormat, message: &str) {
    let _ = match format {
        MessageFormat::Human | MessageFormat::Short => writeln!(io.stderr, "error: {message}"),
        MessageFormat::Json => writeln!(
            io.stderr,
            "{}",
            serde_json::json!({"severity": "error", "code": null, "message": message})
        ),
    };
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn position(
    sources: &SourceMap,
    file: verdict_compiler::FileId,
    offset: u32,
) -> Option<(String, usize, usize)> {
    let f = sources.get(file)?;
    let (line, col) = f.line_col(offset);
    Some((f.path.clone(), line, col))
}

pub fn short(sources: &SourceMap, d: &Diagnostic) -> String {
    let head = format!("{}[{}]: {}", severity_word(d.severity), d.code, d.message);
    let mut text = match d
        .primary
        .as_ref()
        .and_then(|l| position(sources, l.file, l.span.start))
    {
        Some((path, line, col)) => format!("{path}:{line}:{col}: {head}"),
        None => head,
    };
    if let Some(help) = &d.help {
        text.push_str(&format!(" (help: {help})"));
    }
    text
}

pub fn json(sources: &SourceMap, d: &Diagnostic) -> serde_json::Value {
    let label = |l: &verdict_compiler::Label| {
        let start = position(sources, l.file, l.span.start);
        let end = position(sources, l.file, l.span.end);
        serde_json::json!({
            "file": start.as_ref().map(|s| s.0.clone()),
            "line": start.as_ref().map(|s| s.1),
            "column": start.as_ref().map(|s| s.2),
            "end_line": end.as_ref().map(|s| s.1),
            "end_column": end.as_ref().map(|s| s.2),
            "byte_start": l.span.start,
            "byte_end": l.span.end,
            "label": l.message,
        })
    };
    serde_json::json!({
        "severity": severity_word(d.severity),
        "code": d.code,
        "message": d.message,
        "primary": d.primary.as_ref().map(label),
        "related": d.related.iter().map(label).collect::<Vec<_>>(),
        "help": d.help,
    })
}

/// A miette report with the source text of the primary label's file.
pub fn human(sources: &SourceMap, d: &Diagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_links(false);
    let mut report = MietteDiagnostic::new(d.message.clone())
        .with_code(d.code)
        .with_severity(match d.severity {
            Severity::Error => MSeverity::Error,
            Severity::Warning => MSeverity::Warning,
        });
    if let Some(help) = &d.help {
        report = report.with_help(help.clone());
    }
    let mut out = String::new();
    let Some(primary) = &d.primary else {
        let _ = handler.render_report(&mut out, &report);
        return out;
    };
    let Some(file) = sources.get(primary.file) else {
        let _ = handler.render_report(&mut out, &report);
        return out;
    };
    let span = |l: &verdict_compiler::Label| (l.span.start as usize, l.span.len());
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(primary.message.clone()),
        span(primary),
    )];
    // Related labels in the same file go in the same snippet; others are
    // mentioned in the help text with their position.
    let mut elsewhere = Vec::new();
    for related in &d.related {
        if related.file == primary.file {
            labels.push(LabeledSpan::new_with_span(
                Some(related.message.clone()),
                span(related),
            ));
        } else if let Some((path, line, col)) = position(sources, related.file, related.span.start)
        {
            elsewhere.push(format!("{}: {path}:{line}:{col}", related.message));
        }
    }
    report = report.with_labels(labels);
    if !elsewhere.is_empty() {
        let help = match &d.help {
            Some(h) => format!("{h}\n{}", elsewhere.join("\n")),
            None => elsewhere.join("\n"),
        };
        report = report.with_help(help);
    }
    let source = NamedSource::new(file.path.clone(), file.text.clone());
    let report = miette::Report::new(report).with_source_code(source);
    let _ = handler.render_report(&mut out, report.as_ref());
    out
}
