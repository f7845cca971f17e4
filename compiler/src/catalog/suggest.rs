//! "Did you mean" for unknown actions and services: the closest catalog entry
//! by optimal-string-alignment distance (Levenshtein plus adjacent
//! transpositions) on ASCII-lowercased text, within a threshold of
//! `max(2, len / 4)` edits (and fewer edits than the query has characters).
//! Only used on error paths; it scans, but never more than one service's
//! actions when the service is known.

use super::Catalog;

/// Longest query considered, in characters; longer input gets no suggestion
/// (keeps the quadratic distance bounded on untrusted input).
const MAX_QUERY_CHARS: usize = 128;

impl Catalog {
    /// The closest catalog action to the unknown action `name`, as
    /// `service:Name`. With a known service (case-insensitive) only its
    /// actions are candidates (`chime:ListUser` → `chime:ListUsers`); with an
    /// unknown service the closest service is tried (`chmie:ListUsers` →
    /// `chime:ListUsers`); without a colon every action's name is a candidate
    /// (`ListUsers` → `chime:ListUsers`). `None` when nothing is close.
    ///
    /// # Panics
    /// Never.
    pub fn suggest(&self, name: &str) -> Option<&str> {
        let Some((service, action)) = name.split_once(':') else {
            return self.closest_action(0..self.universe(), name);
        };
        match self.service_range(service) {
            Some(range) => self.closest_action(range, action),
            None => {
                let service = self.suggest_service(service)?;
                let range = self.service_range(service)?;
                self.closest_action(range, action)
            }
        }
    }

    /// The closest service prefix to the unknown prefix `service`.
    ///
    /// # Panics
    /// Never.
    pub fn suggest_service(&self, service: &str) -> Option<&str> {
        let query = lowercase_chars(service)?;
        let idx = closest(self.services(), &query)?;
        self.services().nth(idx)
    }

    fn closest_action(&self, range: std::ops::Range<u32>, action: &str) -> Option<&str> {
        let query = lowercase_chars(action)?;
        let (start, end) = (range.start as usize, range.end as usize);
        let names = self
            .actions
            .get(start..end)?
            .iter()
            .map(|a| a.name.as_str());
        let offset = closest(names, &query)?;
        self.qualified_name(range.start + u32::try_from(offset).ok()?)
    }
}

/// The closest of `candidates` to `query` by the same measure and threshold
/// as catalog suggestions (ASCII case ignored; the first of equally close
/// candidates wins). For "did you mean" on any kind of name; the CLI's
/// did-you-mean over a table's names uses it too.
///
/// # Panics
/// Never.
pub fn closest_name<'a>(candidates: &[&'a str], query: &str) -> Option<&'a str> {
    let query = lowercase_chars(query)?;
    let idx = closest(candidates.iter().copied(), &query)?;
    candidates.get(idx).copied()
}

fn lowercase_chars(text: &str) -> Option<Vec<char>> {
    let chars: Vec<char> = text
        .chars()
        .take(MAX_QUERY_CHARS + 1)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (chars.len() <= MAX_QUERY_CHARS && !chars.is_empty()).then_some(chars)
}

/// The position of the first candidate with the smallest distance to
/// `query`, if within the threshold.
fn closest<'a>(candidates: impl Iterator<Item = &'a str>, query: &[char]) -> Option<usize> {
    let threshold = (query.len() / 4).max(2).min(query.len().saturating_sub(1));
    // (distance, position)
    let mut best: Option<(usize, usize)> = None;
    let mut scratch = Scratch::default();
    for (pos, candidate) in candidates.enumerate() {
        let limit = best.map_or(threshold, |(d, _)| d.saturating_sub(1));
        if let Some(dist) = scratch.distance(query, candidate, limit) {
            best = Some((dist, pos));
            if dist == 0 {
                break;
            }
        }
    }
    best.map(|(_, pos)| pos)
}

/// Reused buffers for [`Scratch::distance`].
#[derive(Default)]
struct Scratch {
    candidate: Vec<char>,
    rows: [Vec<usize>; 3],
}

impl Scratch {
    /// Optimal-string-alignment distance between `query` (already lowercase)
    /// and `candidate`, or `None` if it exceeds `limit`.
    fn distance(&mut self, query: &[char], candidate: &str, limit: usize) -> Option<usize> {
        self.candidate.clear();
        self.candidate
            .extend(candidate.chars().map(|c| c.to_ascii_lowercase()));
        let (a, b) = (query, self.candidate.as_slice());
        if a.len().abs_diff(b.len()) > limit {
            return None;
        }
        let [prev2, prev, cur] = &mut self.rows;
        prev2.clear();
        prev.clear();
        prev.extend(0..=b.len());
        for (i, &ca) in a.iter().enumerate() {
            cur.clear();
            cur.push(i + 1);
            let mut row_min = i + 1;
            for (j, &cb) in b.iter().enumerate() {
                let cost = usize::from(ca != cb);
                let deletion = prev
                    .get(j + 1)
                    .copied()
                    .unwrap_or(usize::MAX)
                    .saturating_add(1);
                let insertion = cur.get(j).copied().unwrap_or(usize::MAX).saturating_add(1);
                let substitution = prev
                    .get(j)
                    .copied()
                    .unwrap_or(usize::MAX)
                    .saturating_add(cost);
                let mut value = deletion.min(insertion).min(substitution);
                let transposed =
                    i > 0 && j > 0 && a.get(i - 1) == Some(&cb) && b.get(j - 1) == Some(&ca);
                if transposed {
                    let swap = prev2
                        .get(j - 1)
                        .copied()
                        .unwrap_or(usize::MAX)
                        .saturating_add(1);
                    value = value.min(swap);
                }
                row_min = row_min.min(value);
                cur.push(value);
            }
            if row_min > limit {
                return None;
            }
            std::mem::swap(prev2, prev);
            std::mem::swap(prev, cur);
        }
        prev.last().copied().filter(|&d| d <= limit)
    }
}

#[cfg(test)]
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    fn dist(a: &str, b: &str) -> Option<usize> {
        let query: Vec<char> = a.chars().collect();
        Scratch::default().distance(&query, b, 100)
    }

    #[test]
    fn distance_counts_edits_and_transpositions() {
        assert_eq!(dist("listusers", "ListUsers"), Some(0));
        assert_eq!(dist("listuser", "ListUsers"), Some(1));
        assert_eq!(dist("lsitusers", "ListUsers"), Some(1));
        assert_eq!(dist("", "abc"), Some(3));
        assert_eq!(dist("kitten", "sitting"), Some(3));
        let query: Vec<char> = "abcdef".chars().collect();
        assert_eq!(Scratch::default().distance(&query, "uvwxyz", 2), None);
    }
}
