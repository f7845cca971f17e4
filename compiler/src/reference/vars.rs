//! Policy variables (SEMANTICS.md C-VAR-1..5) and matching of patterns in
//! which some characters are literal.
//!
//! A policy value is expanded into [`Piece`]s: characters written in the
//! policy, whose `*` and `?` are wildcards where the operator has wildcards,
//! and characters produced by a variable, which are always literal (C-VAR-3,
//! C-VAR-4). Whether a value is expanded at all (document version, operator,
//! ARN field) is the caller's decision; this module only knows the syntax.
//!
//! Variable syntax accepted (C-VAR-2):
//! - `${*}`, `${?}`, `${$}`: a literal `*`, `?`, `$`;
//! - `${name}`: the name is the text up to the first `}` or `,`, with spaces
//!   around it removed; it must not be empty;
//! - `${name, 'default'}`: after the comma optional spaces, a single-quoted
//!   default (any text without `'`, possibly empty), optional spaces, `}`.
//!
//! A `${` that does not start a variable of this shape (no closing `}`, empty
//! name, malformed default) is literal text: its `$` is written text and the
//! scan goes on after it, so later variables still count.

use verdict_runtime::ContextValue;

use crate::glob::glob;

/// Looks up a condition key in the effective request context; `None` = absent.
pub(super) type Lookup<'a> = &'a dyn Fn(&str) -> Option<ContextValue>;

/// One character of an expanded policy value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Piece {
    /// As written in the policy: `*` and `?` are wildcards for operators
    /// that have wildcards.
    Written(char),
    /// Produced by a variable or its default: never a wildcard.
    Literal(char),
}

impl Piece {
    fn char(self) -> char {
        match self {
            Piece::Written(c) | Piece::Literal(c) => c,
        }
    }
}

/// One `${…}` form, as parsed.
#[derive(Debug, PartialEq, Eq)]
enum Variable<'a> {
    /// `${*}`, `${?}`, `${$}`.
    Char(char),
    Key {
        name: &'a str,
        default: Option<&'a str>,
    },
}

/// Reads the variable after a `${`; returns it and the length of `rest`
/// it uses up (through the closing `}`), or `None` if `rest` does not start
/// a well-formed variable.
fn parse_variable(rest: &str) -> Option<(Variable<'_>, usize)> {
    for c in ['*', '?', '$'] {
        if rest.strip_prefix(c).is_some_and(|r| r.starts_with('}')) {
            return Some((Variable::Char(c), 2));
        }
    }
    let end = rest.find([',', '}'])?;
    let name = rest.get(..end)?.trim_matches(' ');
    if name.is_empty() {
        return None;
    }
    let after_name = rest.get(end + 1..)?;
    if rest.get(end..)?.starts_with('}') {
        return Some((
            Variable::Key {
                name,
                default: None,
            },
            end + 1,
        ));
    }
    let quoted = after_name.trim_start_matches(' ').strip_prefix('\'')?;
    let quote_end = quoted.find('\'')?;
    let default = quoted.get(..quote_end)?;
    let tail = quoted
        .get(quote_end + 1..)?
        .trim_start_matches(' ')
        .strip_prefix('}')?;
    Some((
        Variable::Key {
            name,
            default: Some(default),
        },
        rest.len() - tail.len(),
    ))
}

/// Expands `text`. With `lookup` (the effective request context) variables
/// are substituted; without it every character is written text (a document
/// that is not 2012-10-17, or an operator without variables).
///
/// `None`: a variable has no single value and no default (unresolved,
/// C-VAR-3, C-VAR-5).
pub(super) fn expand(text: &str, lookup: Option<Lookup<'_>>) -> Option<Vec<Piece>> {
    let Some(lookup) = lookup else {
        return Some(text.chars().map(Piece::Written).collect());
    };
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let after_dollar = rest.strip_prefix("${");
        match after_dollar.and_then(parse_variable) {
            Some((Variable::Char(c), used)) => {
                out.push(Piece::Literal(c));
                rest = after_dollar.and_then(|r| r.get(used..)).unwrap_or("");
            }
            Some((Variable::Key { name, default }, used)) => {
                let value = match lookup(name) {
                    Some(ContextValue::Single(v)) => v,
                    // C-VAR-3: a multivalued or absent key takes the default.
                    Some(ContextValue::Multi(_)) | None => default?.to_string(),
                };
                out.extend(value.chars().map(Piece::Literal));
                rest = after_dollar.and_then(|r| r.get(used..)).unwrap_or("");
            }
            None => {
                out.push(Piece::Written(c));
                rest = rest.get(c.len_utf8()..).unwrap_or("");
            }
        }
    }
    Some(out)
}

/// The characters of `pieces`, wildcards or not.
pub(super) fn text_of(pieces: &[Piece]) -> String {
    pieces.iter().map(|p| p.char()).collect()
}

/// `glob` where only written `*`/`?` are wildcards, case-sensitive.
pub(super) fn glob_pieces(pattern: &[Piece], text: &str) -> bool {
    let literal_wildcard = pattern
        .iter()
        .any(|p| matches!(p, Piece::Literal('*' | '?')));
    if literal_wildcard {
        glob_with_literals(pattern, text)
    } else {
        // Every `*`/`?` is a wildcard: the shared matcher applies.
        glob(&text_of(pattern), text)
    }
}

/// The textbook dynamic programme: after reading pattern pieces
/// `..i`, `row[j]` says whether they match the first `j` characters.
// why: `row` and `next` have `text.len() + 1` entries and `j` stays in
// `1..=text.len()`, so every index is in range.
#[allow(clippy::indexing_slicing)]
fn glob_with_literals(pattern: &[Piece], text: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let mut row = vec![false; text.len() + 1];
    row[0] = true;
    for piece in pattern {
        let mut next = vec![false; text.len() + 1];
        match piece {
            Piece::Written('*') => {
                // Any run: some shorter prefix was matched.
                let mut seen = false;
                for (j, slot) in next.iter_mut().enumerate() {
                    seen |= row[j];
                    *slot = seen;
                }
            }
            Piece::Written('?') => {
                // Exactly one character: shift by one.
                next[1..].copy_from_slice(&row[..text.len()]);
            }
            Piece::Written(c) | Piece::Literal(c) => {
                for j in 1..=text.len() {
                    next[j] = row[j - 1] && text[j - 1] == *c;
                }
            }
        }
        row = next;
    }
    row[text.len()]
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
    use proptest::prelude::*;

    fn lookup(key: &str) -> Option<ContextValue> {
        match key.to_lowercase().as_str() {
            "aws:username" => Some(ContextValue::Single("alice".into())),
            "star" => Some(ContextValue::Single("a*b?".into())),
            "empty" => Some(ContextValue::Single(String::new())),
            "multi" => Some(ContextValue::Multi(vec!["x".into()])),
            _ => None,
        }
    }

    /// Expansion, rendered with `«c»` around literal characters.
    fn show(text: &str) -> Option<String> {
        let pieces = expand(text, Some(&lookup))?;
        Some(
            pieces
                .iter()
                .map(|p| match p {
                    Piece::Written(c) => c.to_string(),
                    Piece::Literal(c) => format!("«{c}»"),
                })
                .collect(),
        )
    }

    #[test]
    fn c_var_2_syntax() {
        assert_eq!(
            show("home/${aws:username}/*").as_deref(),
            Some("home/«a»«l»«i»«c»«e»/*")
        );
        assert_eq!(show("${AWS:UserName}").as_deref(), Some("«a»«l»«i»«c»«e»"));
        assert_eq!(
            show("${ aws:username }").as_deref(),
            Some("«a»«l»«i»«c»«e»")
        );
        assert_eq!(show("${nope, 'd'}").as_deref(), Some("«d»"));
        assert_eq!(show("${nope,'d e'}").as_deref(), Some("«d»« »«e»"));
        assert_eq!(show("${nope ,  'x}y'  }").as_deref(), Some("«x»«}»«y»"));
        assert_eq!(show("${nope, ''}").as_deref(), Some(""));
        assert_eq!(
            show("${aws:username, 'd'}").as_deref(),
            Some("«a»«l»«i»«c»«e»")
        );
        assert_eq!(show("${empty}x").as_deref(), Some("x"));
    }

    #[test]
    fn c_var_2_malformed_variables_are_literal() {
        assert_eq!(show("a${b").as_deref(), Some("a${b")); // unterminated
        assert_eq!(show("${}").as_deref(), Some("${}"));
        assert_eq!(show("${ , 'd'}").as_deref(), Some("${ , 'd'}"));
        assert_eq!(show("${x, d}").as_deref(), Some("${x, d}"));
        assert_eq!(show("${x, 'd}").as_deref(), Some("${x, 'd}"));
        assert_eq!(show("${x, 'd' y}").as_deref(), Some("${x, 'd' y}"));
        assert_eq!(show("$").as_deref(), Some("$"));
        assert_eq!(show("{aws:username}").as_deref(), Some("{aws:username}"));
        // The scan goes on after a literal `$`.
        assert_eq!(show("${a${aws:username}").as_deref(), None); // `a${aws:username` is the name
        assert_eq!(
            show("$${aws:username}").as_deref(),
            Some("$«a»«l»«i»«c»«e»")
        );
    }

    #[test]
    fn c_var_3_resolution() {
        assert_eq!(show("${nope}"), None);
        assert_eq!(show("x${nope}y"), None);
        assert_eq!(show("${multi}"), None); // multivalued keys never resolve
        assert_eq!(show("${multi, 'd'}").as_deref(), Some("«d»"));
        // Without a lookup nothing is substituted (C-VAR-1, X27).
        let pieces = expand("${aws:username}", None).unwrap();
        assert_eq!(text_of(&pieces), "${aws:username}");
        assert!(pieces.iter().all(|p| matches!(p, Piece::Written(_))));
    }

    #[test]
    fn c_var_3_and_4_substituted_wildcards_are_literal() {
        assert_eq!(show("${*}${?}${$}").as_deref(), Some("«*»«?»«$»"));
        assert_eq!(show("${star}").as_deref(), Some("«a»«*»«b»«?»"));
        let p = expand("x/${star}", Some(&lookup)).unwrap();
        assert!(glob_pieces(&p, "x/a*b?"));
        assert!(!glob_pieces(&p, "x/aZZb?"));
        assert!(!glob_pieces(&p, "x/a*bc"));
        let p = expand("${*}*", Some(&lookup)).unwrap();
        assert!(glob_pieces(&p, "*anything"));
        assert!(!glob_pieces(&p, "anything"));
        let p = expand("a${?}?", Some(&lookup)).unwrap();
        assert!(glob_pieces(&p, "a?b"));
        assert!(!glob_pieces(&p, "abb"));
    }

    proptest! {
        /// Without literal wildcards the dynamic programme is `glob`.
        #[test]
        fn literal_matcher_agrees_with_glob(pattern in "[ab*?é]{0,8}", text in "[abé*?]{0,10}") {
            let pieces: Vec<Piece> = pattern.chars().map(Piece::Written).collect();
            prop_assert_eq!(glob_with_literals(&pieces, &text), glob(&pattern, &text));
        }

        /// Literal pieces match exactly their own character.
        #[test]
        fn literal_pieces_match_only_themselves(text in "[a*?]{0,6}", other in "[a*?]{0,6}") {
            let pieces: Vec<Piece> = text.chars().map(Piece::Literal).collect();
            prop_assert!(glob_with_literals(&pieces, &text));
            prop_assert_eq!(glob_with_literals(&pieces, &other), text == other);
        }
    }
}
