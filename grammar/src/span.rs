//! Source positions: byte-offset spans and a line index that turns offsets
//! into 1-based line and column numbers. No file identity lives here; the
//! compiler pairs a span with the file it came from.

/// A half-open byte range `start..end` into one source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span {
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// A value together with the span of source text it was read from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Spanned<T> {
        Spanned { node, span }
    }
}

/// Maps byte offsets of one text to 1-based (line, column); columns count
/// characters, not bytes.
///
/// Both are found without rescanning the text: the line by binary search
/// over the line starts, the column from the number of characters before
/// the offset, read from a checkpoint every [`CHUNK`] bytes and counted
/// only over the rest of one chunk. So locating a position costs
/// `O(log lines + CHUNK)` whatever the length of its line, and many
/// diagnostics on a one-line file of 50 MB cost no more than on a
/// pretty-printed one.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// INVARIANT: sorted, starts with 0; offsets of the first byte of each line.
    line_starts: Vec<usize>,
    /// INVARIANT: `chars_before[k]` is the number of characters (bytes that
    /// are not UTF-8 continuation bytes) in `text[..k * CHUNK]`, for every
    /// `k * CHUNK <= text.len()`.
    chars_before: Vec<usize>,
}

/// Bytes between two character-count checkpoints of a [`LineIndex`].
const CHUNK: usize = 1024;

/// Characters of `bytes`, counted as the bytes that do not continue a UTF-8
/// sequence (so a cut inside a character counts that character once).
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut chars_before = Vec::with_capacity(text.len() / CHUNK + 1);
        let mut seen = 0;
        chars_before.push(0);
        for chunk in text.as_bytes().chunks(CHUNK) {
            seen += count_chars(chunk);
            if chunk.len() == CHUNK {
                chars_before.push(seen);
            }
        }
        LineIndex {
            line_starts,
            chars_before,
        }
    }

    /// Number of characters of `text[..offset]` (`offset <= text.len()`).
    fn chars_to(&self, text: &str, offset: usize) -> usize {
        let k = (offset / CHUNK).min(self.chars_before.len().saturating_sub(1));
        let base = self.chars_before.get(k).copied().unwrap_or(0);
        let from = k * CHUNK;
        base + text.as_bytes().get(from..offset).map_or(0, count_chars)
    }

    /// 0-based line of `offset` and the byte offset where that line starts.
    pub fn line_of(&self, offset: usize) -> (usize, usize) {
        let line = self
            .line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        (line, self.line_starts.get(line).copied().unwrap_or(0))
    }

    /// Number of lines (a text ending in a newline has an empty last line).
    pub fn n_lines(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte range of 0-based line `line`, without its `\n` (a `\r` before
    /// it is kept); `None` past the last line.
    pub fn line_range(&self, text: &str, line: usize) -> Option<(usize, usize)> {
        let start = *self.line_starts.get(line)?;
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(text.len(), |e| e.saturating_sub(1));
        Some((start, end.max(start)))
    }

    /// 1-based line and column of `offset` in `text` (the text this index
    /// was built from). An offset inside a character is in that character's
    /// column; one past the end is clamped to the end.
    pub fn line_col(&self, text: &str, offset: u32) -> (usize, usize) {
        let mut offset = (offset as usize).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (line, start) = self.line_of(offset);
        let col = self.chars_to(text, offset) - self.chars_to(text, start);
        (line + 1, col + 1)
    }

    /// The text of 1-based line `line`, without its line terminator.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let start = self
            .line_starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(text.len());
        let end = self
            .line_starts
            .get(line)
            .map_or(text.len(), |e| e.saturating_sub(1));
        text.get(start..end.max(start))
            .unwrap_or("")
            .trim_end_matches('\r')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "ab\ncdé\nf";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), (1, 1));
        assert_eq!(idx.line_col(text, 3), (2, 1));
        assert_eq!(idx.line_col(text, 7), (2, 4));
        assert_eq!(idx.line_col(text, 8), (3, 1));
        assert_eq!(idx.line_text(text, 2), "cdé");
        assert_eq!(idx.line_text(text, 3), "f");
        assert_eq!(idx.line_text(text, 9), "");
    }

    #[test]
    fn columns_agree_with_counting_from_the_line_start() {
        // Long lines across many checkpoints, multi-byte characters cut by
        // chunk boundaries, CRLF, and offsets inside characters.
        let pieces = ["a", "é", "€", "😀", "\t", "\r\n", "\n"];
        let text: String = (0..3000)
            .map(|i| {
                let n_pieces = if i < 2000 { 5 } else { pieces.len() };
                pieces.get(i % n_pieces).copied().unwrap_or("")
            })
            .collect();
        let idx = LineIndex::new(&text);
        let bytes = text.as_bytes();
        for offset in 0..=text.len() + 2 {
            let mut clamped = offset.min(text.len());
            while !text.is_char_boundary(clamped) {
                clamped -= 1;
            }
            let before = bytes.get(..clamped).unwrap_or_default();
            let start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let col = count_chars(bytes.get(start..clamped).unwrap_or_default()) + 1;
            let offset32 = u32::try_from(offset).unwrap_or(u32::MAX);
            assert_eq!(
                idx.line_col(&text, offset32),
                (line, col),
                "offset {offset}"
            );
        }
    }
}
