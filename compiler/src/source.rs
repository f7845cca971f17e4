//! The source files of one compilation, addressed by `FileId`. Texts are
//! given by the caller (the CLI reads files; this crate never does).

use std::collections::HashMap;

use verdict_grammar::{LineIndex, Span};

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or as resolved from an import).
    pub path: String,
    pub text: String,
    lines: LineIndex,
}

impl SourceFile {
    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        self.lines.line_col(&self.text, offset)
    }

    /// 0-based line of a byte offset, and the offset where that line starts
    /// (binary search over the line starts).
    pub fn line_of(&self, offset: usize) -> (usize, usize) {
        self.lines.line_of(offset)
    }

    /// Byte range of a 0-based line, without its `\n`; `None` past the end.
    pub fn line_range(&self, line: usize) -> Option<(usize, usize)> {
        self.lines.line_range(&self.text, line)
    }

    /// Number of lines (a text ending in a newline has an empty last line).
    pub fn n_lines(&self) -> usize {
        self.lines.n_lines()
    }

    /// The text of a 1-based line.
    pub fn line_text(&self, line: usize) -> &str {
        self.lines.line_text(&self.text, line)
    }

    /// The source text under a span (empty if the span is out of range).
    pub fn snippet(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    /// INVARIANT: path → id of every file, so `find` is not a linear scan.
    by_path: HashMap<String, FileId>,
}

impl SourceMap {
    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> FileId {
        let text = text.into();
        let path = path.into();
        let lines = LineIndex::new(&text);
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.by_path.entry(path.clone()).or_insert(id);
        self.files.push(SourceFile { path, text, lines });
        id
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn find(&self, path: &str) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// `path:line:col` of a location, for plain-text messages.
    pub fn describe(&self, file: FileId, span: Span) -> String {
        match self.get(file) {
            Some(f) => {
                let (line, col) = f.line_col(span.start);
                format!("{}:{line}:{col}", f.path)
            }
            None => "<unknown>".to_string(),
        }
    }
}
