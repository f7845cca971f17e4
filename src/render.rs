//! The one diagnostic renderer: compiler diagnostics and plain errors, as
//! miette reports (`human`), one line each (`short`), JSON lines (`json`),
//! GitHub workflow commands (`github`: `::error file=…::message`, escaped as
//! GitHub documents), or one SARIF 2.1.0 log (`sarif`, built by
//! `crate::sarif`).
//!
//! The human format never hands miette a whole source file: each label
//! becomes a small excerpt (its line and one line of context on each side,
//! at most [`MAX_COLS`] characters of each, elided with `…`), and miette
//! draws the excerpts of a diagnostic from a [`Excerpts`] source that
//! answers with those excerpts and the real line and column numbers. So a
//! diagnostic costs the same on a 50 MB one-line dump as on a pretty-printed
//! one, labels far apart are shown as separate snippets rather than with
//! every line between them, and no column is ever wide enough to overflow
//! a formatting width. Long messages and labels are clipped too, and after
//! [`SHOWN_PER_CODE`] diagnostics of one code the rest are counted, not
//! shown (`--all-diagnostics` shows them; `short` and `json` are complete).
//! Positions come from the source map's line index, never from a scan of
//! the line.

use std::collections::BTreeMap;
use std::io::Write;

use clap::ValueEnum;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, Severity as MSeverity, SourceCode, SourceSpan, SpanContents,
};
use verdict_compiler::{Diagnostic, FileId, Severity, SourceFile, SourceMap};

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
    /// GitHub Actions workflow commands (`::error file=F,line=L,…::message`),
    /// which GitHub shows as annotations.
    Github,
    /// One SARIF 2.1.0 log (a JSON document) of every diagnostic.
    Sarif,
}

/// Width used for human diagnostics (fixed, so output is reproducible).
const WIDTH: usize = 100;
/// Diagnostics of one code the human format shows before it only counts them.
pub const SHOWN_PER_CODE: usize = 5;
/// Lines of context above and below a label.
const CONTEXT_LINES: usize = 1;
/// Characters of a source line shown in an excerpt (plus two `…`).
pub const MAX_COLS: usize = 80;
/// Characters shown before a label on its line, when the line is cut.
const LEAD: usize = 24;
/// Characters of a label's span underlined; a longer span is cut.
const MAX_LABEL_COLS: usize = 48;
/// Labels drawn per diagnostic; the others are counted in its help.
pub const MAX_LABELS: usize = 8;
/// Characters of a message, label or help text shown in the human format.
pub const MAX_TEXT: usize = 400;

/// Writes diagnostics in `format`, human ones summarised per code.
pub fn diagnostics(
    io: &mut Io<'_>,
    format: MessageFormat,
    sources: &SourceMap,
    list: &[Diagnostic],
) {
    diagnostics_with(io, format, sources, list, false);
}

/// [`diagnostics`]; with `all`, the human format shows every diagnostic.
/// Output stops quietly at the first write error (a closed pipe).
///
/// # Panics
/// Never, whatever the spans, texts and line lengths.
pub fn diagnostics_with(
    io: &mut Io<'_>,
    format: MessageFormat,
    sources: &SourceMap,
    list: &[Diagnostic],
    all: bool,
) {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut *io.stderr);
    if format == MessageFormat::Sarif {
        let log = crate::sarif::diagnostics_log(sources, list, &crate::sarif::Base::current());
        let _ = serde_json::to_writer_pretty(&mut out, &log);
        let _ = out.write_all(b"\n");
        let _ = out.flush();
        return;
    }
    // Per code: diagnostics seen, and the severity of the last one.
    let mut per_code: BTreeMap<&str, (usize, Severity)> = BTreeMap::new();
    for d in list {
        let seen = per_code.entry(d.code).or_insert((0, d.severity));
        seen.0 += 1;
        seen.1 = seen.1.max(d.severity);
        let text = match format {
            MessageFormat::Human if !all && seen.0 > SHOWN_PER_CODE => continue,
            MessageFormat::Human => human(sources, d, io.color),
            MessageFormat::Short => format!("{}\n", short(sources, d)),
            MessageFormat::Json => format!("{}\n", json(sources, d)),
            MessageFormat::Github => format!("{}\n", github(sources, d)),
            // Written whole above.
            MessageFormat::Sarif => continue,
        };
        if out.write_all(text.as_bytes()).is_err() {
            return;
        }
    }
    if format == MessageFormat::Human && !all {
        if let Some(note) = summary(&per_code) {
            let _ = out.write_all(note.as_bytes());
        }
    }
    let _ = out.flush();
}

/// The note that counts the diagnostics the human format left out, per
/// code, and says how to see them; `None` when none was left out.
fn summary(per_code: &BTreeMap<&str, (usize, Severity)>) -> Option<String> {
    let hidden: Vec<String> = per_code
        .iter()
        .filter(|(_, (n, _))| *n > SHOWN_PER_CODE)
        .map(|(code, (n, severity))| {
            format!(
                "  {code}: {} more {}(s)\n",
                thousands(n - SHOWN_PER_CODE),
                severity_word(*severity)
            )
        })
        .collect();
    if hidden.is_empty() {
        return None;
    }
    let total: usize = per_code
        .values()
        .map(|(n, _)| n.saturating_sub(SHOWN_PER_CODE))
        .sum();
    Some(format!(
        "note: {} more diagnostic(s) not shown (the first {SHOWN_PER_CODE} of each code are above):\n{}  \
         show every one with `--all-diagnostics`, or one a line with `--message-format short` or `json`\n",
        thousands(total),
        hidden.concat()
    ))
}

/// `4767` → `4,767`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (idx, c) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
        MessageFormat::Github => writeln!(io.stderr, "::error::{}", github_data(message)),
        MessageFormat::Sarif => {
            let log = crate::sarif::error_log(message, &crate::sarif::Base::current());
            writeln!(io.stderr, "{log:#}")
        }
    };
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn position(sources: &SourceMap, file: FileId, offset: u32) -> Option<(String, usize, usize)> {
    let f = sources.get(file)?;
    let (line, col) = f.line_col(offset);
    Some((f.path.clone(), line, col))
}

/// One line: `file:line:col: severity[code]: message (in ORIGIN) (help: …)`,
/// complete (nothing clipped).
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
    if let Some(origin) = &d.origin {
        text.push_str(&format!(" (in {origin})"));
    }
    if let Some(help) = &d.help {
        text.push_str(&format!(" (help: {help})"));
    }
    text
}

/// The message of a workflow command, escaped as GitHub's runner reads it
/// (`%`, `\r`, `\n`).
pub fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value of a workflow command: as [`github_data`], and `:` and
/// `,`, which end a value.
pub fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One GitHub workflow command: `::error` or `::warning`, with `file`,
/// `line`, `col`, `endLine`, `endColumn` of the primary label (when it has
/// one) and `title=CODE`; the message as [`short`] ends it (origin, help),
/// complete.
pub fn github(sources: &SourceMap, d: &Diagnostic) -> String {
    let mut props = Vec::new();
    if let Some(label) = &d.primary {
        if let Some((path, line, col)) = position(sources, label.file, label.span.start) {
            let (end_line, end_col) =
                position(sources, label.file, label.span.end.max(label.span.start))
                    .map_or((line, col), |(_, l, c)| (l, c));
            props.push(format!("file={}", github_property(&path)));
            props.push(format!("line={line}"));
            props.push(format!("col={col}"));
            props.push(format!("endLine={end_line}"));
            props.push(format!("endColumn={end_col}"));
        }
    }
    props.push(format!("title={}", github_property(d.code)));
    let mut message = d.message.clone();
    if let Some(origin) = &d.origin {
        message.push_str(&format!(" (in {origin})"));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!(" (help: {help})"));
    }
    format!(
        "::{} {}::{}",
        severity_word(d.severity),
        props.join(","),
        github_data(&message)
    )
}

/// One JSON object: severity, code, message, the primary and related labels
/// (file, line, column, end, bytes, label), help, and the dump origin as
/// `entity_kind`, `entity`, `policy`, `statement`, `sid` (`null` outside
/// dumps); complete (nothing clipped).
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
    let origin = d.origin.as_ref();
    let entity = origin.and_then(|o| o.entity.as_ref());
    let statement = origin.and_then(|o| o.statement.as_ref());
    serde_json::json!({
        "severity": severity_word(d.severity),
        "code": d.code,
        "message": d.message,
        "primary": d.primary.as_ref().map(label),
        "related": d.related.iter().map(label).collect::<Vec<_>>(),
        "help": d.help,
        "entity_kind": entity.map(|e| e.0),
        "entity": entity.map(|e| e.1.clone()),
        "policy": origin.and_then(|o| o.policy.clone()),
        "statement": statement.map(|s| s.0),
        "sid": statement.and_then(|s| s.1.clone()),
    })
}

/// `text` cut to at most `max` characters, with `…` where it was cut, on
/// one line: line breaks and other control characters are replaced, so a
/// message shows as the one line it is meant to be.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", shown(text.get(..cut).unwrap_or(""))),
        None => shown(text),
    }
}

/// A miette report drawn over excerpts of the labelled places, its size
/// bounded by the constants of this module whatever the source.
///
/// # Panics
/// Never, whatever the spans (inside characters, past the end, reversed),
/// texts and line lengths.
pub fn human(sources: &SourceMap, d: &Diagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_links(false)
        .with_context_lines(CONTEXT_LINES);
    let mut message = clip(&d.message, MAX_TEXT);
    if let Some(origin) = &d.origin {
        message.push_str(&format!("\nin {}", clip(&origin.to_string(), MAX_TEXT)));
    }
    let mut report = MietteDiagnostic::new(message)
        .with_code(d.code)
        .with_severity(match d.severity {
            Severity::Error => MSeverity::Error,
            Severity::Warning => MSeverity::Warning,
        });
    let mut help: Vec<String> = d.help.iter().map(|h| clip(h, MAX_TEXT)).collect();
    let labels: Vec<&verdict_compiler::Label> = d.primary.iter().chain(&d.related).collect();
    let mut drawn = Vec::new();
    for (idx, label) in labels.iter().enumerate() {
        if sources.get(label.file).is_none() {
            continue;
        }
        if drawn.len() == MAX_LABELS {
            help.push(format!(
                "and {} more place(s) (`--message-format json` lists them)",
                labels.len() - idx
            ));
            break;
        }
        drawn.push(Place {
            file: label.file,
            start: label.span.start as usize,
            end: label.span.end as usize,
            message: clip(&label.message, MAX_TEXT),
            primary: idx == 0 && d.primary.is_some(),
        });
    }
    let mut out = String::new();
    if !help.is_empty() {
        report = report.with_help(help.join("\n"));
    }
    if drawn.is_empty() {
        let _ = handler.render_report(&mut out, &report);
        return out;
    }
    let (source, spans) = Excerpts::new(sources, drawn);
    report = report.with_labels(spans);
    let report = miette::Report::new(report).with_source_code(source);
    let _ = handler.render_report(&mut out, report.as_ref());
    out
}

/// A label to draw, in source coordinates.
struct Place {
    file: FileId,
    start: usize,
    end: usize,
    message: String,
    primary: bool,
}

/// One snippet: consecutive lines of one file, each cut to a window.
struct Block {
    name: String,
    /// Byte range in [`Excerpts::text`].
    start: usize,
    end: usize,
    /// 0-based line number of the block's first line.
    first_line: usize,
    n_lines: usize,
}

/// The excerpts of one diagnostic, as the source miette reads. Each block
/// is answered on its own (a span across two blocks is an error to miette,
/// so it never merges them), with real line numbers.
struct Excerpts {
    /// The blocks' text, one after the other, lines and blocks separated by
    /// `\n`.
    text: String,
    /// INVARIANT: sorted by `start`, disjoint.
    blocks: Vec<Block>,
    /// Excerpt offset of each label's start → its real 0-based line and
    /// column, for the `[file:line:col]` miette writes.
    anchors: Vec<(usize, usize, usize)>,
}

/// The byte offset `n` characters after `from` in `text`, at most `limit`.
fn forward(text: &str, from: usize, n: usize, limit: usize) -> usize {
    text.get(from..limit)
        .and_then(|rest| rest.char_indices().nth(n))
        .map_or(limit, |(i, _)| from + i)
}

/// The byte offset `n` characters before `from` in `text`, at least `limit`.
fn backward(text: &str, from: usize, n: usize, limit: usize) -> usize {
    match n.checked_sub(1) {
        None => from,
        Some(n) => text
            .get(limit..from)
            .and_then(|before| before.char_indices().rev().nth(n))
            .map_or(limit, |(i, _)| limit + i),
    }
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// A character as it is shown: tabs and other control characters, and the
/// bidirectional overrides, would move or hide text on a terminal.
fn shown_char(c: char, out: &mut String) {
    match c {
        '\t' => out.push(' '),
        c if c.is_control() => out.push('\u{FFFD}'),
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}' => {
            out.push('\u{FFFD}');
        }
        c => out.push(c),
    }
}

fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    text.chars().for_each(|c| shown_char(c, &mut out));
    out
}

/// A label placed on one line: byte range (clamped, on character
/// boundaries, within the line), the line and the line's byte range
/// without its terminator.
struct OnLine {
    place: usize,
    start: usize,
    end: usize,
    line: usize,
}

/// Labels of one block of lines.
struct Cluster {
    file: FileId,
    first_line: usize,
    last_line: usize,
    /// Labels, sorted by start.
    labels: Vec<OnLine>,
}

impl Excerpts {
    fn new(sources: &SourceMap, places: Vec<Place>) -> (Excerpts, Vec<LabeledSpan>) {
        // Place every label on the first line of its span, cut to
        // `MAX_LABEL_COLS` characters.
        let mut on_lines: Vec<OnLine> = Vec::new();
        for (idx, place) in places.iter().enumerate() {
            let Some(file) = sources.get(place.file) else {
                continue;
            };
            let text = file.text.as_str();
            let start = floor_boundary(text, place.start);
            let (line, _) = file.line_of(start);
            let (_, line_end) = line_bounds(file, line);
            let start = start.min(line_end);
            let end = ceil_boundary(text, place.end.max(place.start)).clamp(start, line_end);
            let end = forward(text, start, MAX_LABEL_COLS, end);
            on_lines.push(OnLine {
                place: idx,
                start,
                end,
                line,
            });
        }
        // Files in the order of their first label (the primary's first),
        // labels in source order.
        let mut file_order: Vec<FileId> = Vec::new();
        for l in &on_lines {
            let file = places.get(l.place).map_or(FileId(0), |p| p.file);
            if !file_order.contains(&file) {
                file_order.push(file);
            }
        }
        let file_of = |l: &OnLine| places.get(l.place).map_or(FileId(0), |p| p.file);
        on_lines.sort_by_key(|l| {
            let rank = file_order.iter().position(|f| *f == file_of(l));
            (rank, l.start, l.end)
        });
        let mut clusters: Vec<Cluster> = Vec::new();
        for l in on_lines {
            let file = file_of(&l);
            let text = sources.get(file).map_or("", |f| f.text.as_str());
            let joins = clusters.last().is_some_and(|c| {
                c.file == file
                    && l.line <= c.last_line + 2 * CONTEXT_LINES + 1
                    && c.labels
                        .iter()
                        .filter(|other| other.line == l.line)
                        .map(|other| other.start)
                        .min()
                        .is_none_or(|first| {
                            // Within one window of the first label on the line.
                            forward(text, first, MAX_COLS - LEAD, l.end) >= l.end
                        })
            });
            match clusters.last_mut() {
                Some(c) if joins => {
                    c.last_line = c.last_line.max(l.line);
                    c.labels.push(l);
                }
                _ => clusters.push(Cluster {
                    file,
                    first_line: l.line,
                    last_line: l.line,
                    labels: vec![l],
                }),
            }
        }
        // The primary label's snippet first, the others in source order.
        if let Some(idx) = clusters.iter().position(|c| {
            c.labels
                .iter()
                .any(|l| places.get(l.place).is_some_and(|p| p.primary))
        }) {
            let primary = clusters.remove(idx);
            clusters.insert(0, primary);
        }
        let mut excerpts = Excerpts {
            text: String::new(),
            blocks: Vec::new(),
            anchors: Vec::new(),
        };
        let mut spans = Vec::new();
        for cluster in &clusters {
            let Some(file) = sources.get(cluster.file) else {
                continue;
            };
            excerpts.add_block(file, cluster, &places, &mut spans);
        }
        (excerpts, spans)
    }

    fn add_block(
        &mut self,
        file: &SourceFile,
        cluster: &Cluster,
        places: &[Place],
        spans: &mut Vec<LabeledSpan>,
    ) {
        let text = file.text.as_str();
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        let block_start = self.text.len();
        let first = cluster.first_line.saturating_sub(CONTEXT_LINES);
        let last = (cluster.last_line + CONTEXT_LINES).min(file.n_lines().saturating_sub(1));
        for line in first..=last {
            if line > first {
                self.text.push('\n');
            }
            let (line_start, line_end) = line_bounds(file, line);
            let here: Vec<&OnLine> = cluster.labels.iter().filter(|l| l.line == line).collect();
            let (from, to) = match here.iter().map(|l| l.start).min() {
                Some(first_label) => {
                    let last_end = here.iter().map(|l| l.end).max().unwrap_or(first_label);
                    let from = backward(text, first_label, LEAD, line_start);
                    let to = forward(text, from, MAX_COLS, line_end).max(last_end);
                    (from, to)
                }
                None => (line_start, forward(text, line_start, MAX_COLS, line_end)),
            };
            let shown_start = self.text.len();
            let prefix = if from > line_start { "…" } else { "" };
            self.text.push_str(prefix);
            let window = text.get(from..to).unwrap_or("");
            self.text.push_str(&shown(window));
            if to < line_end {
                self.text.push('…');
            } else if here.iter().any(|l| l.start >= to) {
                // A label at the end of the line (or of the file, or in an
                // empty file) points at a blank, so that it is drawn.
                self.text.push(' ');
            }
            let at = |offset: usize| {
                shown_start + prefix.len() + shown(text.get(from..offset).unwrap_or("")).len()
            };
            for l in here {
                let Some(place) = places.get(l.place) else {
                    continue;
                };
                let start = at(l.start);
                let end = at(l.end);
                // The position `short` and `json` give, even where the
                // label is drawn a little off (inside a character, on a
                // `\r`, past the end).
                let real = u32::try_from(place.start).unwrap_or(u32::MAX);
                let (real_line, real_col) = file.line_col(real);
                self.anchors.push((
                    start,
                    real_line.saturating_sub(1),
                    real_col.saturating_sub(1),
                ));
                let message = Some(place.message.clone());
                let span = (start, end - start);
                spans.push(if place.primary {
                    LabeledSpan::new_primary_with_span(message, span)
                } else {
                    LabeledSpan::new_with_span(message, span)
                });
            }
        }
        self.blocks.push(Block {
            name: file.path.clone(),
            start: block_start,
            end: self.text.len(),
            first_line: first,
            n_lines: last + 1 - first,
        });
    }
}

/// Byte range of 0-based `line` of `file`, without `\n` or `\r\n`.
fn line_bounds(file: &SourceFile, line: usize) -> (usize, usize) {
    let (start, mut end) = file
        .line_range(line)
        .unwrap_or((file.text.len(), file.text.len()));
    if end > start && file.text.as_bytes().get(end - 1) == Some(&b'\r') {
        end -= 1;
    }
    (start, end)
}

impl SourceCode for Excerpts {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset();
        let end = start.saturating_add(span.len());
        let idx = self.blocks.partition_point(|b| b.start <= start);
        let block = idx
            .checked_sub(1)
            .and_then(|i| self.blocks.get(i))
            .filter(|b| end <= b.end)
            .ok_or(MietteError::OutOfBounds)?;
        let data = self
            .text
            .get(block.start..block.end)
            .ok_or(MietteError::OutOfBounds)?;
        let (line, column) = if context_lines_before == 0 && context_lines_after == 0 {
            // The position miette writes in the snippet's header.
            self.anchors
                .iter()
                .find(|(at, _, _)| *at == start)
                .map_or((block.first_line, 0), |&(_, line, col)| (line, col))
        } else {
            (block.first_line, 0)
        };
        Ok(Box::new(MietteSpanContents::new_named(
            block.name.clone(),
            data.as_bytes(),
            SourceSpan::new(block.start.into(), block.end - block.start),
            line,
            column,
            block.n_lines,
        )))
    }
}
