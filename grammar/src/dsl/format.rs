//! The `.vp` formatter: [`format`] rewrites a source file in the canonical
//! layout and keeps every comment. It reads the file three times: with the
//! real parser (a file with a syntax error is never formatted), as a
//! lossless token stream in which every comment is attached to the token
//! after it, and as a small concrete syntax tree over those tokens that
//! decides the layout. The result is parsed again and must give the same
//! tree (spans aside) and the same comments, or formatting fails.
//!
//! Not here: meaning (the formatter neither resolves names nor merges
//! conditions) and reordering of any kind.

/*
Design notes.

Why a second parse. The parser of `parse.rs` lowers while parsing (default
resources, merged conditions and principal kinds) and skips trivia inside the
token parsers, so its tree cannot say where a comment was or how the user
grouped conditions. The formatter needs the tokens as written, so it has its
own tokenizer (`tokenize`, reusing the lexer's string reader) and a concrete
tree (`Cst*` types) that records token indexes only. It runs after the real
parser accepted the file, so its own parser may be simple; it still fails
with an error, never a panic, on anything unexpected.

Comments. Each comment is attached to the next token (or to the end of the
file) and remembers whether it started a line (`own_line`) and whether a
blank line preceded it. The writer prints a token's comments just before the
token: an own-line comment on its own line, any other after the previous
token on the same line; a line comment always ends the line. Those two facts
survive formatting, which is what makes formatting idempotent: the output
tokenizes to the same tokens with the same comments attached the same way,
and the layout is a function of exactly that (token texts, comment
attachment, blank-line flags, nesting).

Layout. A construct is printed flat (on one line) when it has no comment
inside and fits in `MAX_WIDTH` columns, and broken otherwise; the flat text of
a token range depends only on its tokens (`gap`), so widths are computed from
the token texts. Blank lines: at most one, only where the source had one, and
never right after an opening brace.

Safety net. `format` re-parses its output and compares trees and comments;
a difference is an internal error and the caller keeps the original text.
*/

use super::lex::{is_word_char, Cx};
#[cfg(test)]
use crate::ast::File;
use crate::erase::EraseSpans;
use crate::error::ParseError;
use crate::limits::ParseLimits;
use crate::print::{dsl_text, quoted};

/// Longest line the formatter aims for, in characters (a token longer than
/// that still gets printed, on its own line).
pub const MAX_WIDTH: usize = 100;
/// Indentation step.
const INDENT: usize = 2;

/// Why a file could not be formatted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The file does not parse; it is left as it is.
    #[error("{0}")]
    Syntax(ParseError),
    /// The formatter failed its own check; the file is left as it is.
    #[error("internal error in the formatter: {0}")]
    Internal(String),
}

/// Formats one `.vp` source text under the default limits (for tests).
#[cfg(test)]
pub(crate) fn format(src: &str) -> Result<String, FormatError> {
    format_with(src, &ParseLimits::default())
}

/// Formats one `.vp` source text; `limits` bound the input as for parsing.
///
/// # Errors
/// [`FormatError::Syntax`] when the text does not parse;
/// [`FormatError::Internal`] when the formatted text would not parse to the
/// same tree or would lose a comment (a bug; the original text is kept).
///
/// # Panics
/// Never.
pub(crate) fn format_with(src: &str, limits: &ParseLimits) -> Result<String, FormatError> {
    let mut before = super::parse(src, limits).map_err(FormatError::Syntax)?;
    let (mut toks, eof_comments) = tokenize(src, limits)?;
    let file = {
        let mut parser = Parser {
            toks: &mut toks,
            pos: 0,
        };
        parser.file()?
    };
    let mut w = Writer {
        toks: &toks,
        out: String::with_capacity(src.len() + src.len() / 8),
        indent: 0,
        has_content: false,
        force_break: false,
        no_blank: true,
    };
    for item in &file {
        w.indent = 0;
        w.item(item, Sep::Item);
    }
    w.comments(&eof_comments, 0);
    if w.has_content {
        w.out.push('\n');
    }
    let out = w.out;

    // The safety net: same tree, same comments. The output may be longer
    // than the input, but its tokens and statements are the input's.
    let out_limits = ParseLimits {
        input_bytes: usize::MAX,
        ..*limits
    };
    let mut after = super::parse(&out, &out_limits)
        .map_err(|e| FormatError::Internal(format!("the formatted text does not parse: {e}")))?;
    before.erase_spans();
    after.erase_spans();
    if before != after {
        return Err(FormatError::Internal(
            "the formatted text means something else".to_owned(),
        ));
    }
    if comment_texts(src, limits)? != comment_texts(&out, &out_limits)? {
        return Err(FormatError::Internal(
            "the formatted text lost or changed a comment".to_owned(),
        ));
    }
    Ok(out)
}

/// Every comment of `src`, in order, as the formatter prints it.
fn comment_texts(src: &str, limits: &ParseLimits) -> Result<Vec<String>, FormatError> {
    let (toks, eof) = tokenize(src, limits)?;
    Ok(toks
        .into_iter()
        .flat_map(|t| t.leading)
        .chain(eof)
        .map(|c| c.text)
        .collect())
}

/// Trees of the real parser compare equal when they mean the same.
#[cfg(test)]
pub(crate) fn same_tree(a: &File, b: &File) -> bool {
    let (mut a, mut b) = (a.clone(), b.clone());
    a.erase_spans();
    b.erase_spans();
    a == b
}

// ---------------------------------------------------------------------------
// Tokens and comments
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq)]
struct Comment {
    /// As printed: without white space at the end of its lines (so a block
    /// comment's CRLF line ends become LF).
    text: String,
    /// The first thing on its line (or in the file).
    own_line: bool,
    /// A blank line before it.
    blank_before: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A bare word (keywords are words).
    Word,
    /// A quoted string.
    Str,
    /// `{ } [ ] , =`.
    Punct,
}

#[derive(Clone, Debug)]
struct Tok<'s> {
    kind: Kind,
    /// The text as written.
    raw: &'s str,
    /// A text's value (a string's content, unescaped).
    value: String,
    /// Comments between the previous token and this one.
    leading: Vec<Comment>,
    /// A blank line right before the token (after its comments).
    blank_before: bool,
    /// How the token is printed; set by the parser from its context.
    display: String,
}

/// Splits `src` into tokens with their comments, and the comments after the
/// last token. `;` separators are dropped (they never carry meaning), their
/// comments moving to the next token.
fn tokenize<'s>(
    src: &'s str,
    limits: &ParseLimits,
) -> Result<(Vec<Tok<'s>>, Vec<Comment>), FormatError> {
    let cx = Cx::new(src, limits);
    let mut rest = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut toks = Vec::new();
    let mut pending: Vec<Comment> = Vec::new();
    // Nothing read yet, and line feeds since the last token or comment.
    let mut at_start = true;
    let mut newlines = 0usize;
    loop {
        let trimmed = rest.trim_start();
        let space = rest.get(..rest.len() - trimmed.len()).unwrap_or("");
        newlines = newlines.saturating_add(space.matches('\n').count());
        rest = trimmed;
        let own_line = at_start || newlines >= 1;
        let blank_before = !at_start && newlines >= 2;
        at_start = false;
        if rest.starts_with("//") || rest.starts_with('#') {
            let end = rest.find('\n').unwrap_or(rest.len());
            let (text, after) = rest.split_at_checked(end).unwrap_or((rest, ""));
            pending.push(Comment {
                text: text.trim_end().to_owned(),
                own_line,
                blank_before,
            });
            newlines = 0;
            rest = after;
            continue;
        }
        if rest.starts_with("/*") {
            let end = rest
                .get(2..)
                .and_then(|r| r.find("*/"))
                .map(|n| n + 4)
                .ok_or_else(|| internal("unclosed block comment"))?;
            let (text, after) = rest.split_at_checked(end).unwrap_or((rest, ""));
            let lines: Vec<&str> = text.split('\n').map(str::trim_end).collect();
            pending.push(Comment {
                text: lines.join("\n"),
                own_line,
                blank_before,
            });
            newlines = 0;
            rest = after;
            continue;
        }
        let Some(c) = rest.chars().next() else {
            break;
        };
        if c == ';' {
            rest = rest.get(1..).unwrap_or("");
            continue;
        }
        let (kind, raw, value, after) = if c == '"' {
            let (_, text) = cx
                .text(rest, "a string")
                .map_err(|_| internal("a string the parser accepted does not lex"))?;
            let start = cx.offset(rest);
            let len = (text.span.end as usize).saturating_sub(start);
            let (raw, after) = rest
                .split_at_checked(len)
                .ok_or_else(|| internal("string span"))?;
            (Kind::Str, raw, text.node, after)
        } else if is_word_char(c) {
            let len = rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len());
            let (raw, after) = rest.split_at_checked(len).unwrap_or((rest, ""));
            (Kind::Word, raw, raw.to_owned(), after)
        } else if matches!(c, '{' | '}' | '[' | ']' | ',' | '=') {
            let (raw, after) = rest.split_at_checked(1).unwrap_or((rest, ""));
            (Kind::Punct, raw, raw.to_owned(), after)
        } else {
            return Err(internal(&format!("unexpected character `{c}`")));
        };
        toks.push(Tok {
            kind,
            raw,
            display: raw.to_owned(),
            value,
            leading: std::mem::take(&mut pending),
            blank_before,
        });
        newlines = 0;
        rest = after;
    }
    Ok((toks, pending))
}

fn internal(what: &str) -> FormatError {
    FormatError::Internal(what.to_owned())
}

// ---------------------------------------------------------------------------
// The concrete tree: token indexes only
// ---------------------------------------------------------------------------

/// An index into the token list.
type T = usize;

/// `elem { "," elem }`: the items and the commas between them.
struct CstList {
    items: Vec<T>,
    commas: Vec<T>,
}

impl CstList {
    fn first(&self) -> T {
        self.items.first().copied().unwrap_or(0)
    }

    fn last(&self) -> T {
        self.items.last().copied().unwrap_or(0)
    }
}

enum CstValues {
    One(T),
    Bracket {
        open: T,
        list: Option<CstList>,
        close: T,
    },
}

impl CstValues {
    fn last(&self) -> T {
        match self {
            CstValues::One(t) => *t,
            CstValues::Bracket { close, .. } => *close,
        }
    }
}

enum CstItem {
    /// `include PATH` and `account ID`: a keyword and one text.
    Keyed {
        kw: T,
        value: T,
    },
    Policy(CstPolicy),
    Scp(CstScp),
    Entity(CstEntity),
}

struct CstPolicy {
    managed: Option<T>,
    kw: T,
    name: T,
    body: CstBody,
}

/// `scp NAME [at LEVEL] BODY`; the level is `root`, `account` or `ou NAME`.
struct CstScp {
    kw: T,
    name: T,
    at: Option<(T, Vec<T>)>,
    body: CstBody,
}

enum CstBody {
    Block {
        open: T,
        headers: Vec<(T, T)>,
        statements: Vec<CstStatement>,
        close: T,
    },
    From {
        kw: T,
        path: T,
    },
}

struct CstStatement {
    sid: Option<(T, T)>,
    effect: T,
    not: Option<T>,
    actions: CstList,
    clauses: Vec<CstClause>,
    last: T,
}

enum CstClause {
    On {
        on: T,
        not: Option<T>,
        list: CstList,
    },
    When {
        kw: T,
        open: T,
        conditions: Vec<CstCondition>,
        close: T,
    },
    Principal {
        not: Option<T>,
        kw: T,
        principal: CstPrincipal,
    },
}

impl CstClause {
    fn first(&self) -> T {
        match self {
            CstClause::On { on, .. } => *on,
            CstClause::When { kw, .. } => *kw,
            CstClause::Principal { not, kw, .. } => not.unwrap_or(*kw),
        }
    }

    fn last(&self) -> T {
        match self {
            CstClause::On { list, .. } => list.last(),
            CstClause::When { close, .. } => *close,
            CstClause::Principal { principal, .. } => principal.last(),
        }
    }
}

enum CstCondition {
    Single {
        op: T,
        entry: CstEntry,
    },
    Group {
        op: T,
        open: T,
        entries: Vec<CstEntry>,
        close: T,
    },
}

struct CstEntry {
    key: T,
    eq: T,
    values: CstValues,
}

enum CstPrincipal {
    Bare(T),
    Entries {
        entries: Vec<(T, CstValues)>,
        commas: Vec<T>,
    },
}

impl CstPrincipal {
    fn last(&self) -> T {
        match self {
            CstPrincipal::Bare(t) => *t,
            CstPrincipal::Entries { entries, .. } => {
                entries.last().map_or(0, |(_, values)| values.last())
            }
        }
    }
}

struct CstEntity {
    kind: T,
    name: T,
    block: Option<(T, Vec<CstEntityClause>, T)>,
}

enum CstEntityClause {
    /// `member` / `attach` with names.
    Names {
        kw: T,
        list: CstList,
    },
    /// `boundary`, `path`, `account`, `service` or `user` with one text.
    One {
        kw: T,
        value: T,
    },
    Policy(CstPolicy),
    Trust {
        kw: T,
        targets: Vec<(T, T)>,
        commas: Vec<T>,
    },
    /// `trust { … }` or `trust from PATH`.
    TrustPolicy {
        kw: T,
        body: CstBody,
    },
    Tag {
        kw: T,
        key: T,
        eq: T,
        value: T,
    },
}

/// How a text is printed, by position.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TextCx {
    /// Bare when it is a word.
    Plain,
    /// First in an action or resource list, where a bare `not` would be the
    /// keyword.
    ListHead,
    /// A bare principal: `*` bare, anything else a string.
    Principal,
}

struct Parser<'p, 's> {
    toks: &'p mut [Tok<'s>],
    pos: usize,
}

type PResult<X> = Result<X, FormatError>;

impl Parser<'_, '_> {
    fn peek(&self) -> Option<&Tok<'_>> {
        self.toks.get(self.pos)
    }

    fn at_kw(&self, kw: &str) -> bool {
        self.peek()
            .is_some_and(|t| t.kind == Kind::Word && t.raw == kw)
    }

    fn at_punct(&self, p: &str) -> bool {
        self.peek()
            .is_some_and(|t| t.kind == Kind::Punct && t.raw == p)
    }

    fn bump(&mut self) -> T {
        self.pos += 1;
        self.pos - 1
    }

    fn kw(&mut self, kw: &str) -> PResult<T> {
        if self.at_kw(kw) {
            Ok(self.bump())
        } else {
            Err(internal(&format!("expected `{kw}` at token {}", self.pos)))
        }
    }

    fn opt_kw(&mut self, kw: &str) -> Option<T> {
        self.at_kw(kw).then(|| self.bump())
    }

    fn punct(&mut self, p: &str) -> PResult<T> {
        if self.at_punct(p) {
            Ok(self.bump())
        } else {
            Err(internal(&format!("expected `{p}` at token {}", self.pos)))
        }
    }

    fn text(&mut self, cx: TextCx) -> PResult<T> {
        let idx = self.pos;
        let tok = self
            .toks
            .get_mut(idx)
            .filter(|t| t.kind != Kind::Punct)
            .ok_or_else(|| internal(&format!("expected a text at token {idx}")))?;
        tok.display = match cx {
            TextCx::Principal if tok.value == "*" => "*".to_owned(),
            TextCx::Principal => quoted(&tok.value),
            TextCx::ListHead if tok.value == "not" => quoted(&tok.value),
            TextCx::Plain | TextCx::ListHead => dsl_text(&tok.value).into_owned(),
        };
        self.pos += 1;
        Ok(idx)
    }

    fn list(&mut self, head: TextCx) -> PResult<CstList> {
        let mut items = vec![self.text(head)?];
        let mut commas = Vec::new();
        while self.at_punct(",") {
            commas.push(self.bump());
            items.push(self.text(TextCx::Plain)?);
        }
        Ok(CstList { items, commas })
    }

    fn file(&mut self) -> PResult<Vec<CstItem>> {
        let mut items = Vec::new();
        while self.peek().is_some() {
            items.push(self.item()?);
        }
        Ok(items)
    }

    fn item(&mut self) -> PResult<CstItem> {
        if self.at_kw("include") || self.at_kw("account") {
            let kw = self.bump();
            let value = self.text(TextCx::Plain)?;
            return Ok(CstItem::Keyed { kw, value });
        }
        if self.at_kw("managed") || self.at_kw("policy") {
            return Ok(CstItem::Policy(self.policy()?));
        }
        if self.at_kw("scp") {
            return Ok(CstItem::Scp(self.scp()?));
        }
        Ok(CstItem::Entity(self.entity()?))
    }

    fn policy(&mut self) -> PResult<CstPolicy> {
        let managed = self.opt_kw("managed");
        let kw = self.kw("policy")?;
        let name = self.text(TextCx::Plain)?;
        let body = self.body()?;
        Ok(CstPolicy {
            managed,
            kw,
            name,
            body,
        })
    }

    /// `scp NAME [at LEVEL] BODY`, in the order the parser tries the levels.
    fn scp(&mut self) -> PResult<CstScp> {
        let kw = self.kw("scp")?;
        let name = self.text(TextCx::Plain)?;
        let at = match self.opt_kw("at") {
            Some(at) => {
                let level = if self.at_kw("root") || self.at_kw("account") {
                    vec![self.bump()]
                } else {
                    let ou = self.kw("ou")?;
                    vec![ou, self.text(TextCx::Plain)?]
                };
                Some((at, level))
            }
            None => None,
        };
        let body = self.body()?;
        Ok(CstScp { kw, name, at, body })
    }

    /// `policy_block | "from" path`.
    fn body(&mut self) -> PResult<CstBody> {
        Ok(if self.at_punct("{") {
            let open = self.bump();
            let mut headers = Vec::new();
            while self.at_kw("version") || self.at_kw("id") {
                let kw = self.bump();
                headers.push((kw, self.text(TextCx::Plain)?));
            }
            let mut statements = Vec::new();
            while !self.at_punct("}") {
                statements.push(self.statement()?);
            }
            let close = self.punct("}")?;
            CstBody::Block {
                open,
                headers,
                statements,
                close,
            }
        } else {
            let kw = self.kw("from")?;
            let path = self.text(TextCx::Plain)?;
            CstBody::From { kw, path }
        })
    }

    fn statement(&mut self) -> PResult<CstStatement> {
        let sid = match self.opt_kw("sid") {
            Some(kw) => Some((kw, self.text(TextCx::Plain)?)),
            None => None,
        };
        let effect = if self.at_kw("allow") || self.at_kw("deny") {
            self.bump()
        } else {
            return Err(internal("expected an effect"));
        };
        let not = self.opt_kw("not");
        let actions = self.list(TextCx::ListHead)?;
        let mut clauses = Vec::new();
        loop {
            if self.at_kw("on") {
                let on = self.bump();
                let not = self.opt_kw("not");
                let list = self.list(TextCx::ListHead)?;
                clauses.push(CstClause::On { on, not, list });
            } else if self.at_kw("when") {
                let kw = self.bump();
                let open = self.punct("{")?;
                let mut conditions = Vec::new();
                while !self.at_punct("}") {
                    conditions.push(self.condition()?);
                }
                let close = self.punct("}")?;
                clauses.push(CstClause::When {
                    kw,
                    open,
                    conditions,
                    close,
                });
            } else if self.at_kw("principal") || self.at_kw("not") {
                let not = self.opt_kw("not");
                let kw = self.kw("principal")?;
                let principal = self.principal()?;
                clauses.push(CstClause::Principal { not, kw, principal });
            } else {
                break;
            }
        }
        let last = clauses.last().map_or(actions.last(), CstClause::last);
        Ok(CstStatement {
            sid,
            effect,
            not,
            actions,
            clauses,
            last,
        })
    }

    fn condition(&mut self) -> PResult<CstCondition> {
        let op = self.text(TextCx::Plain)?;
        if self.at_punct("{") {
            let open = self.bump();
            let mut entries = Vec::new();
            while !self.at_punct("}") {
                entries.push(self.entry()?);
            }
            let close = self.punct("}")?;
            return Ok(CstCondition::Group {
                op,
                open,
                entries,
                close,
            });
        }
        Ok(CstCondition::Single {
            op,
            entry: self.entry()?,
        })
    }

    fn entry(&mut self) -> PResult<CstEntry> {
        let key = self.text(TextCx::Plain)?;
        let eq = self.punct("=")?;
        let values = self.values()?;
        Ok(CstEntry { key, eq, values })
    }

    fn values(&mut self) -> PResult<CstValues> {
        if !self.at_punct("[") {
            return Ok(CstValues::One(self.text(TextCx::Plain)?));
        }
        let open = self.bump();
        let list = if self.at_punct("]") {
            None
        } else {
            Some(self.list(TextCx::Plain)?)
        };
        let close = self.punct("]")?;
        Ok(CstValues::Bracket { open, list, close })
    }

    fn at_principal_kind(&self) -> bool {
        ["aws", "service", "federated", "canonical_user"]
            .iter()
            .any(|k| self.at_kw(k))
    }

    fn principal(&mut self) -> PResult<CstPrincipal> {
        if !self.at_principal_kind() {
            return Ok(CstPrincipal::Bare(self.text(TextCx::Principal)?));
        }
        let mut entries = Vec::new();
        let mut commas = Vec::new();
        loop {
            if !self.at_principal_kind() {
                return Err(internal("expected a principal kind"));
            }
            let kind = self.bump();
            entries.push((kind, self.values()?));
            if !self.at_punct(",") {
                return Ok(CstPrincipal::Entries { entries, commas });
            }
            commas.push(self.bump());
        }
    }

    fn entity(&mut self) -> PResult<CstEntity> {
        let kind = if [
            "user",
            "group",
            "role",
            "service-linked-role",
            "assumed-role",
            "federated-user",
        ]
        .iter()
        .any(|k| self.at_kw(k))
        {
            self.bump()
        } else {
            return Err(internal("expected an item"));
        };
        let name = self.text(TextCx::Plain)?;
        if !self.at_punct("{") {
            return Ok(CstEntity {
                kind,
                name,
                block: None,
            });
        }
        let open = self.bump();
        let mut clauses = Vec::new();
        while !self.at_punct("}") {
            clauses.push(self.entity_clause()?);
        }
        let close = self.punct("}")?;
        Ok(CstEntity {
            kind,
            name,
            block: Some((open, clauses, close)),
        })
    }

    fn entity_clause(&mut self) -> PResult<CstEntityClause> {
        if self.at_kw("member") || self.at_kw("attach") {
            let kw = self.bump();
            let list = self.list(TextCx::Plain)?;
            return Ok(CstEntityClause::Names { kw, list });
        }
        if ["boundary", "path", "account", "service", "user"]
            .iter()
            .any(|k| self.at_kw(k))
        {
            let kw = self.bump();
            let value = self.text(TextCx::Plain)?;
            return Ok(CstEntityClause::One { kw, value });
        }
        if self.at_kw("managed") || self.at_kw("policy") {
            return Ok(CstEntityClause::Policy(self.policy()?));
        }
        if self.at_kw("trust") {
            let kw = self.bump();
            if self.at_punct("{") || self.at_kw("from") {
                let body = self.body()?;
                return Ok(CstEntityClause::TrustPolicy { kw, body });
            }
            let mut targets = Vec::new();
            let mut commas = Vec::new();
            loop {
                let kind = if ["user", "role", "account", "service"]
                    .iter()
                    .any(|k| self.at_kw(k))
                {
                    self.bump()
                } else {
                    return Err(internal("expected a trust target"));
                };
                targets.push((kind, self.text(TextCx::Plain)?));
                if !self.at_punct(",") {
                    return Ok(CstEntityClause::Trust {
                        kw,
                        targets,
                        commas,
                    });
                }
                commas.push(self.bump());
            }
        }
        let kw = self.kw("tag")?;
        let key = self.text(TextCx::Plain)?;
        let eq = self.punct("=")?;
        let value = self.text(TextCx::Plain)?;
        Ok(CstEntityClause::Tag { kw, key, eq, value })
    }
}

// ---------------------------------------------------------------------------
// The writer
// ---------------------------------------------------------------------------

/// What goes before a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sep {
    /// Nothing (before `,`, after `[`).
    Glue,
    /// One space.
    Space,
    /// A line break.
    Line,
    /// A line break, and a blank line if the source had one there.
    Item,
}

struct Writer<'t, 's> {
    toks: &'t [Tok<'s>],
    out: String,
    /// Indentation of the lines started from now on.
    indent: usize,
    /// The current line has text.
    has_content: bool,
    /// A comment ended the line: the next token starts a new one.
    force_break: bool,
    /// At the start of the file or of a block: no blank line here.
    no_blank: bool,
}

impl Writer<'_, '_> {
    fn tok_ref(&self, t: T) -> Option<&Tok<'_>> {
        self.toks.get(t)
    }

    fn display(&self, t: T) -> &str {
        self.toks.get(t).map_or("", |tok| tok.display.as_str())
    }

    fn is_punct(&self, t: T, p: &str) -> bool {
        self.tok_ref(t)
            .is_some_and(|tok| tok.kind == Kind::Punct && tok.raw == p)
    }

    /// Starts a new line at `indent`, with a blank line before it if `blank`.
    fn break_line(&mut self, indent: usize, blank: bool) {
        if self.has_content {
            self.out.push('\n');
        }
        if blank && !self.no_blank && !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out.extend(std::iter::repeat_n(' ', indent));
        self.has_content = false;
    }

    /// Prints comments that come before a token (or the end of the file);
    /// own-line ones at `indent`.
    fn comments(&mut self, comments: &[Comment], indent: usize) {
        for c in comments {
            if c.own_line || !self.has_content {
                self.break_line(indent, c.blank_before);
                self.force_break = true;
            } else {
                self.out.push(' ');
                if c.text.starts_with("//") || c.text.starts_with('#') {
                    self.force_break = true;
                }
            }
            self.out.push_str(&c.text);
            self.has_content = true;
            self.no_blank = false;
        }
    }

    /// Prints token `t` after `sep`, its comments first.
    fn tok(&mut self, t: T, sep: Sep) {
        self.tok_commented(t, sep, self.indent);
    }

    /// Prints token `t` after `sep`, its own-line comments at
    /// `comment_indent` (a closing brace's comments belong to the block).
    fn tok_commented(&mut self, t: T, sep: Sep, comment_indent: usize) {
        let Some(tok) = self.toks.get(t) else {
            return;
        };
        let comment_indent = match sep {
            Sep::Line | Sep::Item => comment_indent,
            Sep::Glue | Sep::Space => self.indent + INDENT,
        };
        self.comments(&tok.leading, comment_indent);
        match sep {
            Sep::Line | Sep::Item => {
                self.break_line(self.indent, sep == Sep::Item && tok.blank_before);
            }
            Sep::Glue | Sep::Space if self.force_break || !self.has_content => {
                self.break_line(self.indent + INDENT, false);
            }
            Sep::Space => self.out.push(' '),
            Sep::Glue => {}
        }
        self.out.push_str(&tok.display);
        self.has_content = true;
        self.force_break = false;
        self.no_blank = tok.kind == Kind::Punct && (tok.raw == "{" || tok.raw == "[");
    }

    /// Whether any token after `first`, up to `last`, has a comment before it.
    fn comments_inside(&self, first: T, last: T) -> bool {
        (first + 1..=last).any(|t| self.tok_ref(t).is_some_and(|tok| !tok.leading.is_empty()))
    }

    /// The space between two adjacent tokens printed flat: none before `,`
    /// and `]`, after `[`, and inside `{}`.
    fn gap(&self, prev: T, t: T) -> Sep {
        if self.is_punct(t, ",")
            || self.is_punct(t, "]")
            || self.is_punct(prev, "[")
            || (self.is_punct(prev, "{") && self.is_punct(t, "}"))
        {
            Sep::Glue
        } else {
            Sep::Space
        }
    }

    /// The width of tokens `first..=last` printed flat.
    fn flat_width(&self, first: T, last: T) -> usize {
        let mut width = 0;
        for t in first..=last {
            if t > first && self.gap(t - 1, t) == Sep::Space {
                width += 1;
            }
            width += self.display(t).chars().count();
        }
        width
    }

    /// Tokens `first..=last` print flat on a line that starts at `indent`
    /// with them: no comment inside and not too wide.
    fn fits(&self, first: T, last: T, indent: usize) -> bool {
        !self.comments_inside(first, last) && indent + self.flat_width(first, last) <= MAX_WIDTH
    }

    /// Prints tokens `first..=last` flat, the first after `sep`.
    fn flat(&mut self, first: T, last: T, sep: Sep) {
        for t in first..=last {
            let sep = if t == first { sep } else { self.gap(t - 1, t) };
            self.tok(t, sep);
        }
    }

    // -----------------------------------------------------------------------
    // Layout of each construct
    // -----------------------------------------------------------------------

    fn item(&mut self, item: &CstItem, sep: Sep) {
        match item {
            CstItem::Keyed { kw, value } => {
                self.tok(*kw, sep);
                self.tok(*value, Sep::Space);
            }
            CstItem::Policy(policy) => self.policy(policy, sep),
            CstItem::Scp(scp) => {
                self.tok(scp.kw, sep);
                self.tok(scp.name, Sep::Space);
                if let Some((at, level)) = &scp.at {
                    self.tok(*at, Sep::Space);
                    for t in level {
                        self.tok(*t, Sep::Space);
                    }
                }
                self.body(&scp.body);
            }
            CstItem::Entity(entity) => self.entity(entity, sep),
        }
    }

    fn policy(&mut self, policy: &CstPolicy, sep: Sep) {
        match policy.managed {
            Some(managed) => {
                self.tok(managed, sep);
                self.tok(policy.kw, Sep::Space);
            }
            None => self.tok(policy.kw, sep),
        }
        self.tok(policy.name, Sep::Space);
        self.body(&policy.body);
    }

    /// A policy body after its header: `from PATH`, or a block with one
    /// header or statement per line.
    fn body(&mut self, body: &CstBody) {
        match body {
            CstBody::From { kw, path } => {
                self.tok(*kw, Sep::Space);
                self.tok(*path, Sep::Space);
            }
            CstBody::Block {
                open,
                headers,
                statements,
                close,
            } => {
                self.tok(*open, Sep::Space);
                if headers.is_empty()
                    && statements.is_empty()
                    && !self.comments_inside(*open, *close)
                {
                    self.tok(*close, Sep::Glue);
                    return;
                }
                let outer = self.indent;
                self.indent = outer + INDENT;
                for (kw, value) in headers {
                    self.tok(*kw, Sep::Item);
                    self.tok(*value, Sep::Space);
                }
                for st in statements {
                    self.statement(st, Sep::Item);
                }
                self.indent = outer;
                self.tok_commented(*close, Sep::Line, outer + INDENT);
            }
        }
    }

    /// `sid S` on its own line; then the statement on one line if it fits,
    /// else the head (effect and actions) and one clause per line below it.
    fn statement(&mut self, st: &CstStatement, sep: Sep) {
        let base = self.indent;
        let effect_sep = match st.sid {
            Some((kw, sid)) => {
                self.tok(kw, sep);
                self.tok(sid, Sep::Space);
                Sep::Line
            }
            None => sep,
        };
        let flat = st.clauses.iter().all(|c| self.clause_may_be_flat(c))
            && self.fits(st.effect, st.last, base);
        if flat {
            self.flat(st.effect, st.last, effect_sep);
            return;
        }
        self.tok(st.effect, effect_sep);
        if let Some(not) = st.not {
            self.tok(not, Sep::Space);
        }
        if self.fits(st.effect, st.actions.last(), base) {
            self.flat(st.actions.first(), st.actions.last(), Sep::Space);
        } else {
            self.broken_list(&st.actions, base + 2 * INDENT);
        }
        self.indent = base + INDENT;
        for clause in &st.clauses {
            self.clause(clause);
        }
        self.indent = base;
    }

    /// A `when` block goes on one line only with at most one ungrouped
    /// condition.
    fn clause_may_be_flat(&self, clause: &CstClause) -> bool {
        match clause {
            CstClause::When { conditions, .. } => match conditions.as_slice() {
                [] | [CstCondition::Single { .. }] => true,
                [CstCondition::Group { entries, .. }] => entries.is_empty(),
                _ => false,
            },
            CstClause::On { .. } | CstClause::Principal { .. } => true,
        }
    }

    /// Each item on its own line at `indent`, commas after the items.
    fn broken_list(&mut self, list: &CstList, indent: usize) {
        let outer = self.indent;
        self.indent = indent;
        for (n, item) in list.items.iter().enumerate() {
            if let Some(comma) = n.checked_sub(1).and_then(|k| list.commas.get(k)) {
                self.tok(*comma, Sep::Glue);
            }
            self.tok(*item, Sep::Line);
        }
        self.indent = outer;
    }

    /// A statement clause on its own line at the current indent.
    fn clause(&mut self, clause: &CstClause) {
        let ci = self.indent;
        if self.clause_may_be_flat(clause) && self.fits(clause.first(), clause.last(), ci) {
            self.flat(clause.first(), clause.last(), Sep::Line);
            return;
        }
        match clause {
            CstClause::On { on, not, list } => {
                self.tok(*on, Sep::Line);
                if let Some(not) = not {
                    self.tok(*not, Sep::Space);
                }
                self.broken_list(list, ci + INDENT);
            }
            CstClause::When {
                kw,
                open,
                conditions,
                close,
            } => {
                self.tok(*kw, Sep::Line);
                self.tok(*open, Sep::Space);
                self.indent = ci + INDENT;
                for condition in conditions {
                    self.condition(condition);
                }
                self.indent = ci;
                self.tok_commented(*close, Sep::Line, ci + INDENT);
            }
            CstClause::Principal { not, kw, principal } => {
                match not {
                    Some(not) => {
                        self.tok(*not, Sep::Line);
                        self.tok(*kw, Sep::Space);
                    }
                    None => self.tok(*kw, Sep::Line),
                }
                match principal {
                    CstPrincipal::Bare(t) => self.tok(*t, Sep::Space),
                    CstPrincipal::Entries { entries, commas } => {
                        self.indent = ci + INDENT;
                        for (n, (kind, values)) in entries.iter().enumerate() {
                            if let Some(comma) = n.checked_sub(1).and_then(|k| commas.get(k)) {
                                self.tok(*comma, Sep::Glue);
                            }
                            self.tok(*kind, Sep::Line);
                            self.values(values, *kind);
                        }
                        self.indent = ci;
                    }
                }
            }
        }
    }

    /// A condition on its own line at the current indent.
    fn condition(&mut self, condition: &CstCondition) {
        let k = self.indent;
        match condition {
            CstCondition::Single { op, entry } => {
                self.tok(*op, Sep::Item);
                self.entry(entry, *op);
            }
            CstCondition::Group {
                op,
                open,
                entries,
                close,
            } => {
                self.tok(*op, Sep::Item);
                self.tok(*open, Sep::Space);
                if entries.is_empty() && !self.comments_inside(*open, *close) {
                    self.tok(*close, Sep::Glue);
                    return;
                }
                self.indent = k + INDENT;
                for entry in entries {
                    self.tok(entry.key, Sep::Item);
                    self.entry_rest(entry, entry.key);
                }
                self.indent = k;
                self.tok_commented(*close, Sep::Line, k + INDENT);
            }
        }
    }

    /// `KEY = VALUES` after the operator printed at the line start `line`.
    fn entry(&mut self, entry: &CstEntry, line: T) {
        self.tok(entry.key, Sep::Space);
        self.entry_rest(entry, line);
    }

    /// `= VALUES`, the line having started with token `line`.
    fn entry_rest(&mut self, entry: &CstEntry, line: T) {
        self.tok(entry.eq, Sep::Space);
        self.values(&entry.values, line);
    }

    /// A value list after a space, flat if the line from token `line` fits.
    fn values(&mut self, values: &CstValues, line: T) {
        match values {
            CstValues::One(t) => self.tok(*t, Sep::Space),
            CstValues::Bracket { open, list, close } => {
                if self.fits(line, *close, self.indent) {
                    self.flat(*open, *close, Sep::Space);
                    return;
                }
                self.tok(*open, Sep::Space);
                if let Some(list) = list {
                    self.broken_list(list, self.indent + INDENT);
                }
                self.tok_commented(*close, Sep::Line, self.indent + INDENT);
            }
        }
    }

    /// `kind name`, then nothing (no clauses), `{ clause }` on one line (one
    /// clause that fits, not a policy), or one clause per line.
    fn entity(&mut self, entity: &CstEntity, sep: Sep) {
        self.tok(entity.kind, sep);
        self.tok(entity.name, Sep::Space);
        let Some((open, clauses, close)) = &entity.block else {
            return;
        };
        let quiet = !self.comments_inside(entity.kind, *close);
        match clauses.as_slice() {
            [] if quiet => return,
            [one]
                if !matches!(
                    one,
                    CstEntityClause::Policy(_)
                        | CstEntityClause::TrustPolicy {
                            body: CstBody::Block { .. },
                            ..
                        }
                ) && self.fits(entity.kind, *close, self.indent) =>
            {
                self.flat(*open, *close, Sep::Space);
                return;
            }
            _ => {}
        }
        let outer = self.indent;
        self.tok(*open, Sep::Space);
        self.indent = outer + INDENT;
        for clause in clauses {
            self.entity_clause(clause);
        }
        self.indent = outer;
        self.tok_commented(*close, Sep::Line, outer + INDENT);
    }

    fn entity_clause(&mut self, clause: &CstEntityClause) {
        let k = self.indent;
        match clause {
            CstEntityClause::Names { kw, list } => {
                self.tok(*kw, Sep::Item);
                if self.fits(*kw, list.last(), k) {
                    self.flat(list.first(), list.last(), Sep::Space);
                } else {
                    self.broken_list(list, k + INDENT);
                }
            }
            CstEntityClause::One { kw, value } => {
                self.tok(*kw, Sep::Item);
                self.tok(*value, Sep::Space);
            }
            CstEntityClause::Policy(policy) => self.policy(policy, Sep::Item),
            CstEntityClause::TrustPolicy { kw, body } => {
                self.tok(*kw, Sep::Item);
                self.body(body);
            }
            CstEntityClause::Trust {
                kw,
                targets,
                commas,
            } => {
                self.tok(*kw, Sep::Item);
                let last = targets.last().map_or(*kw, |(_, name)| *name);
                let first = targets.first().map_or(*kw, |(kind, _)| *kind);
                if self.fits(*kw, last, k) {
                    self.flat(first, last, Sep::Space);
                    return;
                }
                self.indent = k + INDENT;
                for (n, (kind, name)) in targets.iter().enumerate() {
                    if let Some(comma) = n.checked_sub(1).and_then(|i| commas.get(i)) {
                        self.tok(*comma, Sep::Glue);
                    }
                    self.tok(*kind, Sep::Line);
                    self.tok(*name, Sep::Space);
                }
                self.indent = k;
            }
            CstEntityClause::Tag { kw, key, eq, value } => {
                self.tok(*kw, Sep::Item);
                self.tok(*key, Sep::Space);
                self.tok(*eq, Sep::Space);
                self.tok(*value, Sep::Space);
            }
        }
    }
}

#[cfg(test)]
mod tests;
