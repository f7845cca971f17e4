//! The formatter's writer: prints the concrete tree with the tokens'
//! comments, flat when a construct fits in `MAX_WIDTH` and has no comment
//! inside, broken otherwise, keeping at most one blank line where the
//! source had one.

use super::cst::{
    CstBody, CstClause, CstCondition, CstEntity, CstEntityClause, CstEntry, CstItem, CstList,
    CstPolicy, CstPrincipal, CstStatement, CstValues, T,
};
use super::tokens::{Comment, Kind, Tok};
use super::INDENT;
use super::MAX_WIDTH;

/// What goes before a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sep {
    /// Nothing (before `,`, after `[`).
    Glue,
    /// One space.
    Space,
    /// A line break.
    Line,
    /// A line break, and a blank line if the source had one there.
    Item,
}

pub(super) struct Writer<'t, 's> {
    pub(super) toks: &'t [Tok<'s>],
    pub(super) out: String,
    /// Indentation of the lines started from now on.
    pub(super) indent: usize,
    /// The current line has text.
    pub(super) has_content: bool,
    /// A comment ended the line: the next token starts a new one.
    pub(super) force_break: bool,
    /// At the start of the file or of a block: no blank line here.
    pub(super) no_blank: bool,
}

impl Writer<'_, '_> {
    pub(super) fn tok_ref(&self, t: T) -> Option<&Tok<'_>> {
        self.toks.get(t)
    }

    pub(super) fn display(&self, t: T) -> &str {
        self.toks.get(t).map_or("", |tok| tok.display.as_str())
    }

    pub(super) fn is_punct(&self, t: T, p: &str) -> bool {
        self.tok_ref(t)
            .is_some_and(|tok| tok.kind == Kind::Punct && tok.raw == p)
    }

    /// Starts a new line at `indent`, with a blank line before it if `blank`.
    pub(super) fn break_line(&mut self, indent: usize, blank: bool) {
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
    pub(super) fn comments(&mut self, comments: &[Comment], indent: usize) {
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
    pub(super) fn tok(&mut self, t: T, sep: Sep) {
        self.tok_commented(t, sep, self.indent);
    }

    /// Prints token `t` after `sep`, its own-line comments at
    /// `comment_indent` (a closing brace's comments belong to the block).
    pub(super) fn tok_commented(&mut self, t: T, sep: Sep, comment_indent: usize) {
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
    pub(super) fn comments_inside(&self, first: T, last: T) -> bool {
        (first + 1..=last).any(|t| self.tok_ref(t).is_some_and(|tok| !tok.leading.is_empty()))
    }

    /// The space between two adjacent tokens printed flat: none before `,`
    /// and `]`, after `[`, and inside `{}`.
    pub(super) fn gap(&self, prev: T, t: T) -> Sep {
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
    pub(super) fn flat_width(&self, first: T, last: T) -> usize {
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
    pub(super) fn fits(&self, first: T, last: T, indent: usize) -> bool {
        !self.comments_inside(first, last) && indent + self.flat_width(first, last) <= MAX_WIDTH
    }

    /// Prints tokens `first..=last` flat, the first after `sep`.
    pub(super) fn flat(&mut self, first: T, last: T, sep: Sep) {
        for t in first..=last {
            let sep = if t == first { sep } else { self.gap(t - 1, t) };
            self.tok(t, sep);
        }
    }

    // -----------------------------------------------------------------------
    // Layout of each construct
    // -----------------------------------------------------------------------

    pub(super) fn item(&mut self, item: &CstItem, sep: Sep) {
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

    pub(super) fn policy(&mut self, policy: &CstPolicy, sep: Sep) {
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
    pub(super) fn body(&mut self, body: &CstBody) {
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
    pub(super) fn statement(&mut self, st: &CstStatement, sep: Sep) {
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
    pub(super) fn clause_may_be_flat(&self, clause: &CstClause) -> bool {
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
    pub(super) fn broken_list(&mut self, list: &CstList, indent: usize) {
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
    pub(super) fn clause(&mut self, clause: &CstClause) {
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
    pub(super) fn condition(&mut self, condition: &CstCondition) {
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
    pub(super) fn entry(&mut self, entry: &CstEntry, line: T) {
        self.tok(entry.key, Sep::Space);
        self.entry_rest(entry, line);
    }

    /// `= VALUES`, the line having started with token `line`.
    pub(super) fn entry_rest(&mut self, entry: &CstEntry, line: T) {
        self.tok(entry.eq, Sep::Space);
        self.values(&entry.values, line);
    }

    /// A value list after a space, flat if the line from token `line` fits.
    pub(super) fn values(&mut self, values: &CstValues, line: T) {
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
    pub(super) fn entity(&mut self, entity: &CstEntity, sep: Sep) {
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

    pub(super) fn entity_clause(&mut self, clause: &CstEntityClause) {
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
