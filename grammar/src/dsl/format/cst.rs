//! The formatter's concrete tree: the file's items, statements, clauses
//! and lists as token indexes only, read by a small parser that runs after
//! the real one accepted the file and sets how each token is printed.

use super::tokens::{internal, Kind, Tok};
use super::FormatError;
use crate::print::dsl_text;
use crate::print::quoted;

/// An index into the token list.
pub(super) type T = usize;

/// `elem { "," elem }`: the items and the commas between them.
pub(super) struct CstList {
    pub(super) items: Vec<T>,
    pub(super) commas: Vec<T>,
}

impl CstList {
    pub(super) fn first(&self) -> T {
        self.items.first().copied().unwrap_or(0)
    }

    pub(super) fn last(&self) -> T {
        self.items.last().copied().unwrap_or(0)
    }
}

pub(super) enum CstValues {
    One(T),
    Bracket {
        open: T,
        list: Option<CstList>,
        close: T,
    },
}

impl CstValues {
    pub(super) fn last(&self) -> T {
        match self {
            CstValues::One(t) => *t,
            CstValues::Bracket { close, .. } => *close,
        }
    }
}

pub(super) enum CstItem {
    /// `include PATH` and `account ID`: a keyword and one text.
    Keyed {
        kw: T,
        value: T,
    },
    Policy(CstPolicy),
    Scp(CstScp),
    Entity(CstEntity),
}

pub(super) struct CstPolicy {
    pub(super) managed: Option<T>,
    pub(super) kw: T,
    pub(super) name: T,
    pub(super) body: CstBody,
}

/// `scp NAME [at LEVEL] BODY`; the level is `root`, `account` or `ou NAME`.
pub(super) struct CstScp {
    pub(super) kw: T,
    pub(super) name: T,
    pub(super) at: Option<(T, Vec<T>)>,
    pub(super) body: CstBody,
}

pub(super) enum CstBody {
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

pub(super) struct CstStatement {
    pub(super) sid: Option<(T, T)>,
    pub(super) effect: T,
    pub(super) not: Option<T>,
    pub(super) actions: CstList,
    pub(super) clauses: Vec<CstClause>,
    pub(super) last: T,
}

pub(super) enum CstClause {
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
    pub(super) fn first(&self) -> T {
        match self {
            CstClause::On { on, .. } => *on,
            CstClause::When { kw, .. } => *kw,
            CstClause::Principal { not, kw, .. } => not.unwrap_or(*kw),
        }
    }

    pub(super) fn last(&self) -> T {
        match self {
            CstClause::On { list, .. } => list.last(),
            CstClause::When { close, .. } => *close,
            CstClause::Principal { principal, .. } => principal.last(),
        }
    }
}

pub(super) enum CstCondition {
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

pub(super) struct CstEntry {
    pub(super) key: T,
    pub(super) eq: T,
    pub(super) values: CstValues,
}

pub(super) enum CstPrincipal {
    Bare(T),
    Entries {
        entries: Vec<(T, CstValues)>,
        commas: Vec<T>,
    },
}

impl CstPrincipal {
    pub(super) fn last(&self) -> T {
        match self {
            CstPrincipal::Bare(t) => *t,
            CstPrincipal::Entries { entries, .. } => {
                entries.last().map_or(0, |(_, values)| values.last())
            }
        }
    }
}

pub(super) struct CstEntity {
    pub(super) kind: T,
    pub(super) name: T,
    pub(super) block: Option<(T, Vec<CstEntityClause>, T)>,
}

pub(super) enum CstEntityClause {
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
pub(super) enum TextCx {
    /// Bare when it is a word.
    Plain,
    /// First in an action or resource list, where a bare `not` would be the
    /// keyword.
    ListHead,
    /// A bare principal: `*` bare, anything else a string.
    Principal,
}

pub(super) struct Parser<'p, 's> {
    pub(super) toks: &'p mut [Tok<'s>],
    pub(super) pos: usize,
}

pub(super) type PResult<X> = Result<X, FormatError>;

impl Parser<'_, '_> {
    pub(super) fn peek(&self) -> Option<&Tok<'_>> {
        self.toks.get(self.pos)
    }

    pub(super) fn at_kw(&self, kw: &str) -> bool {
        self.peek()
            .is_some_and(|t| t.kind == Kind::Word && t.raw == kw)
    }

    pub(super) fn at_punct(&self, p: &str) -> bool {
        self.peek()
            .is_some_and(|t| t.kind == Kind::Punct && t.raw == p)
    }

    pub(super) fn bump(&mut self) -> T {
        self.pos += 1;
        self.pos - 1
    }

    pub(super) fn kw(&mut self, kw: &str) -> PResult<T> {
        if self.at_kw(kw) {
            Ok(self.bump())
        } else {
            Err(internal(&format!("expected `{kw}` at token {}", self.pos)))
        }
    }

    pub(super) fn opt_kw(&mut self, kw: &str) -> Option<T> {
        self.at_kw(kw).then(|| self.bump())
    }

    pub(super) fn punct(&mut self, p: &str) -> PResult<T> {
        if self.at_punct(p) {
            Ok(self.bump())
        } else {
            Err(internal(&format!("expected `{p}` at token {}", self.pos)))
        }
    }

    pub(super) fn text(&mut self, cx: TextCx) -> PResult<T> {
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

    pub(super) fn list(&mut self, head: TextCx) -> PResult<CstList> {
        let mut items = vec![self.text(head)?];
        let mut commas = Vec::new();
        while self.at_punct(",") {
            commas.push(self.bump());
            items.push(self.text(TextCx::Plain)?);
        }
        Ok(CstList { items, commas })
    }

    pub(super) fn file(&mut self) -> PResult<Vec<CstItem>> {
        let mut items = Vec::new();
        while self.peek().is_some() {
            items.push(self.item()?);
        }
        Ok(items)
    }

    pub(super) fn item(&mut self) -> PResult<CstItem> {
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

    pub(super) fn policy(&mut self) -> PResult<CstPolicy> {
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
    pub(super) fn scp(&mut self) -> PResult<CstScp> {
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
    pub(super) fn body(&mut self) -> PResult<CstBody> {
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

    pub(super) fn statement(&mut self) -> PResult<CstStatement> {
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

    pub(super) fn condition(&mut self) -> PResult<CstCondition> {
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

    pub(super) fn entry(&mut self) -> PResult<CstEntry> {
        let key = self.text(TextCx::Plain)?;
        let eq = self.punct("=")?;
        let values = self.values()?;
        Ok(CstEntry { key, eq, values })
    }

    pub(super) fn values(&mut self) -> PResult<CstValues> {
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

    pub(super) fn at_principal_kind(&self) -> bool {
        ["aws", "service", "federated", "canonical_user"]
            .iter()
            .any(|k| self.at_kw(k))
    }

    pub(super) fn principal(&mut self) -> PResult<CstPrincipal> {
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

    pub(super) fn entity(&mut self) -> PResult<CstEntity> {
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

    pub(super) fn entity_clause(&mut self) -> PResult<CstEntityClause> {
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
