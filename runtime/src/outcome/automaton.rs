//! Witness strings for a set of wildcard patterns: a breadth-first search of the
//! patterns' product automaton, one shortest string per reachable product state.
//!
//! Every string a request could hold drives the patterns into one product state,
//! and which patterns match depends only on that state; so the strings found
//! realise every combination of matches that any string realises, provided the
//! alphabet holds one character of each behaviour: the patterns' own characters
//! (with their ASCII case twins where a pattern folds case) and one character no
//! pattern names. The search reports whether it was complete (no state bound hit,
//! no case folding it cannot reason about); the matches themselves are always
//! decided afterwards by the runtime's matcher, never from the states.

use std::collections::{HashSet, VecDeque};

use crate::glob::Tok;

/// How a pattern compares characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fold {
    /// Exactly (`glob`).
    Exact,
    /// ASCII case-insensitively (`iglob`, Resource fields 2–5).
    Ascii,
    /// The request text is lower-cased per character first (`StringEqualsIgnoreCase`);
    /// the pattern's characters are lower-cased already.
    Lower,
}

/// One pattern of the search.
#[derive(Clone, Debug)]
pub(super) struct Pattern {
    pub(super) toks: Vec<Tok>,
    pub(super) fold: Fold,
}

/// What the search found.
pub(super) struct Found {
    /// One string per product state reached, shortest first.
    pub(super) strings: Vec<String>,
    /// False if the search stopped at its bound or could not choose an alphabet
    /// that covers every behaviour.
    pub(super) complete: bool,
}

/// A set of pattern positions (`0..=len`), as bits.
type Positions = Vec<u64>;

fn words(len: usize) -> usize {
    len / 64 + 1
}

fn get(set: &[u64], pos: usize) -> bool {
    set.get(pos / 64).is_some_and(|w| w >> (pos % 64) & 1 == 1)
}

fn set(set: &mut [u64], pos: usize) {
    if let Some(w) = set.get_mut(pos / 64) {
        *w |= 1 << (pos % 64);
    }
}

/// Adds the positions after each `*` reachable without reading (stars move forward
/// only, so one pass suffices).
fn close(toks: &[Tok], positions: &mut [u64]) {
    for (pos, tok) in toks.iter().enumerate() {
        if *tok == Tok::Star && get(positions, pos) {
            set(positions, pos + 1);
        }
    }
}

fn char_matches(pattern: char, c: char, fold: Fold) -> bool {
    match fold {
        Fold::Exact | Fold::Lower => pattern == c,
        Fold::Ascii => pattern.eq_ignore_ascii_case(&c),
    }
}

/// The positions after reading `c` from `from`.
fn step_one(toks: &[Tok], fold: Fold, from: &[u64], c: char) -> Positions {
    let mut next = vec![0; from.len()];
    for (pos, tok) in toks.iter().enumerate() {
        if !get(from, pos) {
            continue;
        }
        match *tok {
            Tok::Star => set(&mut next, pos),
            Tok::One => set(&mut next, pos + 1),
            Tok::Char(p) if char_matches(p, c, fold) => set(&mut next, pos + 1),
            Tok::Char(_) => {}
        }
    }
    close(toks, &mut next);
    next
}

fn step(pattern: &Pattern, from: &[u64], c: char) -> Positions {
    match pattern.fold {
        Fold::Lower => {
            let mut at = from.to_vec();
            for lower in c.to_lowercase() {
                at = step_one(&pattern.toks, pattern.fold, &at, lower);
            }
            at
        }
        _ => step_one(&pattern.toks, pattern.fold, from, c),
    }
}

/// Every character that lower-casing changes, with its lower-case form; built once.
fn changed_by_lowercasing() -> &'static [(char, Vec<char>)] {
    static TABLE: std::sync::OnceLock<Vec<(char, Vec<char>)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (0..=0x10_FFFF)
            .filter_map(char::from_u32)
            .filter_map(|c| {
                let lower: Vec<char> = c.to_lowercase().collect();
                (lower != [c]).then_some((c, lower))
            })
            .collect()
    })
}

/// Pattern positions one search may step through (over every state and
/// character): bounds the work for hostile tables (long patterns, many
/// distinct characters), beyond which the search is incomplete.
const MAX_WORK: usize = 20_000_000;

/// Candidates for the character no pattern names, most readable first.
const OTHERS: &str = "xzqjkvw0123456789_-~.+=@ABXYZ";

/// Strings realising every reachable product state of `patterns`, none holding a
/// character of `forbid`, over at most `max_states` states.
pub(super) fn witnesses(patterns: &[Pattern], forbid: &[char], max_states: usize) -> Found {
    let mut complete = true;
    let mut alphabet: Vec<char> = Vec::new();
    let mut lower_literals: Vec<char> = Vec::new();
    for pattern in patterns {
        for tok in &pattern.toks {
            let Tok::Char(c) = *tok else { continue };
            alphabet.push(c);
            match pattern.fold {
                Fold::Exact => {}
                Fold::Ascii => {
                    alphabet.push(c.to_ascii_uppercase());
                    alphabet.push(c.to_ascii_lowercase());
                }
                Fold::Lower => {
                    lower_literals.push(c);
                }
            }
        }
    }
    if !lower_literals.is_empty() {
        // Every character whose lower-case form holds a character these
        // patterns compare with behaves differently from `other` (`K`, the
        // Kelvin sign, `İ`, …): one of each.
        let lower_literals: HashSet<char> = lower_literals.into_iter().collect();
        for (c, lower) in changed_by_lowercasing() {
            if lower.iter().any(|l| lower_literals.contains(l)) {
                alphabet.push(*c);
            }
        }
    }
    alphabet.retain(|c| !forbid.contains(c));
    // First appearance order (the patterns' own characters before their case
    // twins), for readable witnesses.
    let mut seen_chars = HashSet::new();
    alphabet.retain(|c| seen_chars.insert(*c));
    let named = |c: char| {
        seen_chars.contains(&c)
            || c.to_lowercase().any(|l| seen_chars.contains(&l))
            || alphabet.iter().any(|a| a.eq_ignore_ascii_case(&c))
            || forbid.contains(&c)
    };
    match OTHERS
        .chars()
        .chain(('\u{100}'..='\u{17F}').filter(|c| c.is_lowercase()))
        .find(|&c| !named(c))
    {
        Some(other) => alphabet.push(other),
        None => complete = false,
    }

    let start: Vec<Positions> = patterns
        .iter()
        .map(|pattern| {
            let mut positions = vec![0; words(pattern.toks.len())];
            set(&mut positions, 0);
            close(&pattern.toks, &mut positions);
            positions
        })
        .collect();
    let mut seen: HashSet<Vec<Positions>> = HashSet::new();
    let mut queue: VecDeque<(Vec<Positions>, String)> = VecDeque::new();
    let mut strings = Vec::new();
    let step_cost: usize = patterns.iter().map(|p| p.toks.len() + 1).sum();
    let mut work: usize = 0;
    seen.insert(start.clone());
    queue.push_back((start, String::new()));
    while let Some((state, text)) = queue.pop_front() {
        work = work.saturating_add(step_cost.saturating_mul(alphabet.len()));
        if work > MAX_WORK {
            complete = false;
            strings.push(text);
            strings.extend(queue.drain(..).map(|(_, text)| text));
            break;
        }
        for &c in &alphabet {
            let next: Vec<Positions> = patterns
                .iter()
                .zip(&state)
                .map(|(pattern, from)| step(pattern, from, c))
                .collect();
            if seen.contains(&next) {
                continue;
            }
            if seen.len() >= max_states {
                complete = false;
                break;
            }
            seen.insert(next.clone());
            let mut longer = text.clone();
            longer.push(c);
            queue.push_back((next, longer));
        }
        strings.push(text);
        if !complete && seen.len() >= max_states {
            // Keep the strings of the states already queued.
            strings.extend(queue.drain(..).map(|(_, text)| text));
            break;
        }
    }
    Found { strings, complete }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glob::{glob, push_text};

    fn pattern(text: &str) -> Pattern {
        let mut toks = Vec::new();
        push_text(&mut toks, text);
        Pattern {
            toks,
            fold: Fold::Exact,
        }
    }

    /// Every combination of matches that some string of a large pool realises is
    /// realised by a witness string.
    #[test]
    fn witnesses_cover_every_match_vector_of_a_pool() {
        let texts = ["a*b", "*ab*", "?b", "ab", "a?*"];
        let patterns: Vec<Pattern> = texts.iter().map(|t| pattern(t)).collect();
        let found = witnesses(&patterns, &[], 10_000);
        assert!(found.complete);
        let vector =
            |s: &str| -> Vec<bool> { patterns.iter().map(|p| glob(&p.toks, s, false)).collect() };
        let realised: HashSet<Vec<bool>> = found.strings.iter().map(|s| vector(s)).collect();
        // All strings over {a, b, c} up to length 5.
        let mut pool = vec![String::new()];
        for _ in 0..5 {
            let next: Vec<String> = pool
                .iter()
                .flat_map(|s| ["a", "b", "c"].map(|c| format!("{s}{c}")))
                .collect();
            pool.extend(next);
        }
        pool.sort();
        pool.dedup();
        for s in &pool {
            assert!(realised.contains(&vector(s)), "{s:?}: {:?}", vector(s));
        }
    }

    #[test]
    fn forbidden_characters_are_never_used() {
        let found = witnesses(&[pattern("a:b*")], &[':'], 100);
        assert!(found.strings.iter().all(|s| !s.contains(':')));
        assert!(found.complete);
    }

    #[test]
    fn long_patterns_stop_at_the_work_bound() {
        let long = "ab*".repeat(20_000);
        let found = witnesses(
            &[pattern(&long), pattern(&long[1..])],
            &[],
            MAX_STATES_FOR_TEST,
        );
        assert!(!found.complete);
    }

    const MAX_STATES_FOR_TEST: usize = 2_000;

    #[test]
    fn the_bound_makes_the_search_incomplete() {
        let found = witnesses(&[pattern("abcdefgh"), pattern("*h*g*f")], &[], 3);
        assert!(!found.complete);
    }
}
