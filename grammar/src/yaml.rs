//! CloudFormation YAML templates read into the spanned [`Json`] tree the JSON
//! reader makes, so that everything after reading treats a YAML template and
//! a JSON one alike.
//!
//! The short-form tags of CloudFormation (`!Ref x`, `!Sub ..`, `!GetAtt a.b`,
//! …) are syntax for the long form (`{"Ref": x}`, `{"Fn::Sub": ..}`,
//! `{"Fn::GetAtt": ["a", "b"]}`), and are read as it: a one-member object
//! whose key and value both carry the span of the tagged node. Any other
//! local tag is an error; the core tags (`!!str`, …) are accepted, `!!str`
//! keeping a plain scalar a string.

/*
The parser. `saphyr-parser` (a YAML 1.2 event parser, pure Rust, no unsafe
in our use, two small dependencies) gives events with a start and end
position and the tag of each node; it keeps its own state on a heap stack,
so nesting cannot overflow our stack, and we build the tree iteratively.
Its positions count characters; they are turned into byte offsets here.

Scalars. Quoted and block scalars are strings. A plain scalar is resolved
by the YAML 1.2 JSON-compatible core schema, narrowed to what JSON can
hold: `null`, `~` or nothing is null, `true`/`false` (any case of the
first letter, or all capitals) a boolean, a JSON number a number (its text
kept), anything else a string (`2012-10-17` is a string).

Limits. The input size, nesting depth (collections, tags counted as a
level like the object they stand for) and string length are those of
`ParseLimits`. Aliases are expanded (a copy of the anchored node), and the
expanded tree may hold no more nodes than the text has bytes (plus a small
allowance): a "billion laughs" document stops with `AliasExpansion` at the
alias that crosses the bound, after at most that much work.
*/

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use crate::{
    ast::{Json, JsonKind},
    error::{ParseError, ParseErrorKind},
    limits::ParseLimits,
    span::{Span, Spanned},
};

/// The CloudFormation short-form tags and the long-form key each stands for.
const SHORT_FORMS: [(&str, &str); 17] = [
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("Sub", "Fn::Sub"),
    ("GetAtt", "Fn::GetAtt"),
    ("Join", "Fn::Join"),
    ("If", "Fn::If"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("Equals", "Fn::Equals"),
    ("Not", "Fn::Not"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("FindInMap", "Fn::FindInMap"),
    ("ImportValue", "Fn::ImportValue"),
    ("Base64", "Fn::Base64"),
    ("GetAZs", "Fn::GetAZs"),
    ("Cidr", "Fn::Cidr"),
];

/// Nodes the expanded tree may hold beyond one per byte of text.
const NODE_ALLOWANCE: usize = 1024;

/// Parses a YAML template into a [`Json`] tree with byte spans into `src`.
pub(crate) fn parse(src: &str, limits: &ParseLimits) -> Result<Json, ParseError> {
    if src.len() > limits.input_bytes {
        return Err(ParseError::new(
            Span::new(0, 0),
            ParseErrorKind::TooLarge(limits.input_bytes),
        ));
    }
    let mut reader = Reader {
        offsets: Offsets::new(src),
        limits: *limits,
        max_nodes: src.len().saturating_add(NODE_ALLOWANCE),
        nodes: 0,
        anchors: HashMap::new(),
        stack: Vec::new(),
        root: None,
        documents: 0,
    };
    for event in Parser::new_from_str(src) {
        let (event, span) = event.map_err(|e| {
            let at = reader.offsets.byte(e.marker().index());
            ParseError::new(
                Span::new(at, at.saturating_add(1).min(src.len())),
                // The parser's own nesting bound is a depth error too.
                if e.info().contains("recursion limit") {
                    ParseErrorKind::TooDeep(limits.effective_json_depth())
                } else {
                    ParseErrorKind::Yaml(e.info().to_string())
                },
            )
        })?;
        let start = reader.offsets.byte(span.start.index());
        let end = reader.offsets.byte(span.end.index());
        reader.event(event, Span::new(start, end))?;
    }
    reader.root.ok_or_else(|| {
        ParseError::new(
            Span::new(0, 0),
            ParseErrorKind::Expected {
                expected: "a YAML document".to_string(),
                found: "an empty text".to_string(),
            },
        )
    })
}

/// Character index → byte offset.
struct Offsets {
    /// The byte offset of each character, with the text's length at the
    /// end; empty when the text is ASCII (then index and offset agree).
    table: Vec<usize>,
    len: usize,
}

impl Offsets {
    fn new(src: &str) -> Offsets {
        let table = if src.is_ascii() {
            Vec::new()
        } else {
            src.char_indices()
                .map(|(at, _)| at)
                .chain(std::iter::once(src.len()))
                .collect()
        };
        Offsets {
            table,
            len: src.len(),
        }
    }

    fn byte(&self, index: usize) -> usize {
        if self.table.is_empty() {
            index.min(self.len)
        } else {
            self.table.get(index).copied().unwrap_or(self.len)
        }
    }
}

/// A collection being read.
enum Frame {
    Seq {
        span: Span,
        anchor: usize,
        tag: Option<Tag>,
        items: Vec<Json>,
    },
    Map {
        span: Span,
        anchor: usize,
        tag: Option<Tag>,
        members: Vec<(Spanned<String>, Json)>,
        key: Option<Spanned<String>>,
    },
}

impl Frame {
    /// The levels of the tree this frame makes: one, or two when tagged.
    fn levels(&self) -> usize {
        match self {
            Frame::Seq { tag, .. } | Frame::Map { tag, .. } => 1 + usize::from(tag.is_some()),
        }
    }
}

struct Reader {
    offsets: Offsets,
    limits: ParseLimits,
    max_nodes: usize,
    /// Nodes made so far, alias copies included.
    nodes: usize,
    /// Anchored nodes and their node counts.
    anchors: HashMap<usize, (Json, usize)>,
    stack: Vec<Frame>,
    root: Option<Json>,
    documents: usize,
}

impl Reader {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), ParseError> {
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => Ok(()),
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(ParseError::new(span, ParseErrorKind::TrailingText));
                }
                Ok(())
            }
            Event::Alias(id) => {
                let Some(count) = self.anchors.get(&id).map(|(_, count)| *count) else {
                    return Err(ParseError::new(
                        span,
                        ParseErrorKind::Yaml("alias to an unknown anchor".to_string()),
                    ));
                };
                self.count(count, span)?;
                let Some((node, _)) = self.anchors.get(&id) else {
                    return Ok(());
                };
                let node = node.clone();
                self.complete(node, span)
            }
            Event::Scalar(text, style, anchor, tag) => {
                if text.len() > self.limits.string_bytes {
                    return Err(ParseError::new(
                        span,
                        ParseErrorKind::StringTooLong(self.limits.string_bytes),
                    ));
                }
                self.count(1, span)?;
                let tag = tag.map(|t| t.into_owned());
                let kind = scalar(&text, style, tag.as_ref());
                let node = self.tagged(Json { kind, span }, tag.as_ref(), span)?;
                if anchor > 0 {
                    self.anchors
                        .insert(anchor, (node.clone(), node_count(&node)));
                }
                self.complete(node, span)
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(span, tag.is_some())?;
                self.stack.push(Frame::Seq {
                    span,
                    anchor,
                    tag: tag.map(|t| t.into_owned()),
                    items: Vec::new(),
                });
                Ok(())
            }
            Event::MappingStart(anchor, tag) => {
                self.open(span, tag.is_some())?;
                self.stack.push(Frame::Map {
                    span,
                    anchor,
                    tag: tag.map(|t| t.into_owned()),
                    members: Vec::new(),
                    key: None,
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Err(ParseError::new(
                        span,
                        ParseErrorKind::Yaml("unbalanced collection".to_string()),
                    ));
                };
                let (kind, start, anchor, tag, last) = match frame {
                    Frame::Seq {
                        span: start,
                        anchor,
                        tag,
                        items,
                    } => {
                        let last = items.last().map(|j| j.span.end);
                        (JsonKind::Array(items), start, anchor, tag, last)
                    }
                    Frame::Map {
                        span: start,
                        anchor,
                        tag,
                        members,
                        ..
                    } => {
                        let last = members.last().map(|(_, j)| j.span.end);
                        (JsonKind::Object(members), start, anchor, tag, last)
                    }
                };
                // A flow collection ends at its bracket; a block one at its
                // last item (its end event sits at the next token).
                let end = if !span.is_empty() {
                    span.end
                } else {
                    last.unwrap_or(start.end).max(start.end)
                };
                let whole = Span {
                    start: start.start,
                    end: end.max(start.start),
                };
                let node = self.tagged(Json { kind, span: whole }, tag.as_ref(), whole)?;
                if anchor > 0 {
                    self.anchors
                        .insert(anchor, (node.clone(), node_count(&node)));
                }
                self.complete(node, whole)
            }
        }
    }

    /// One more level of nesting (two when tagged: the tag is an object
    /// around it), within the depth limit.
    fn open(&mut self, span: Span, tagged: bool) -> Result<(), ParseError> {
        let depth = self.limits.effective_json_depth();
        let levels: usize =
            self.stack.iter().map(Frame::levels).sum::<usize>() + 1 + usize::from(tagged);
        if levels > depth {
            return Err(ParseError::new(span, ParseErrorKind::TooDeep(depth)));
        }
        self.count(1, span)
    }

    /// `n` more nodes, within the expansion bound.
    fn count(&mut self, n: usize, span: Span) -> Result<(), ParseError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.max_nodes {
            return Err(ParseError::new(
                span,
                ParseErrorKind::AliasExpansion(self.max_nodes),
            ));
        }
        Ok(())
    }

    /// A CloudFormation short form made its long form; other tags checked.
    fn tagged(&mut self, node: Json, tag: Option<&Tag>, span: Span) -> Result<Json, ParseError> {
        let Some(tag) = tag else {
            return Ok(node);
        };
        if tag.is_yaml_core_schema() {
            return Ok(node);
        }
        let long = (tag.handle == "!")
            .then(|| SHORT_FORMS.iter().find(|(short, _)| *short == tag.suffix))
            .flatten();
        let Some((short, long)) = long else {
            return Err(ParseError::new(
                span,
                ParseErrorKind::UnknownTag(tag.to_string()),
            ));
        };
        if self.stack.len() >= self.limits.effective_json_depth() {
            return Err(ParseError::new(
                span,
                ParseErrorKind::TooDeep(self.limits.effective_json_depth()),
            ));
        }
        self.count(1, span)?;
        // `!GetAtt Resource.Attribute` is the list `[Resource, Attribute]`.
        let value = match (&node.kind, *short) {
            (JsonKind::String(text), "GetAtt") => match text.split_once('.') {
                Some((resource, attribute)) => {
                    self.count(2, span)?;
                    Json {
                        kind: JsonKind::Array(vec![
                            Json {
                                kind: JsonKind::String(resource.to_string()),
                                span: node.span,
                            },
                            Json {
                                kind: JsonKind::String(attribute.to_string()),
                                span: node.span,
                            },
                        ]),
                        span: node.span,
                    }
                }
                None => node,
            },
            _ => node,
        };
        Ok(Json {
            kind: JsonKind::Object(vec![(Spanned::new(long.to_string(), span), value)]),
            span,
        })
    }

    /// A finished node: an item of the collection being read, or the root.
    fn complete(&mut self, node: Json, span: Span) -> Result<(), ParseError> {
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Frame::Map { members, key, .. }) => {
                match key.take() {
                    Some(k) => members.push((k, node)),
                    None => {
                        let text = match node.kind {
                            JsonKind::String(text) | JsonKind::Number(text) => text,
                            JsonKind::Bool(b) => b.to_string(),
                            JsonKind::Null => String::new(),
                            JsonKind::Array(_) | JsonKind::Object(_) => {
                                return Err(ParseError::new(
                                    span,
                                    ParseErrorKind::Expected {
                                        expected: "a scalar key".to_string(),
                                        found: "a collection".to_string(),
                                    },
                                ))
                            }
                        };
                        *key = Some(Spanned::new(text, node.span));
                    }
                }
                Ok(())
            }
        }
    }
}

/// The nodes of a tree.
fn node_count(node: &Json) -> usize {
    let mut count = 0usize;
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        count += 1;
        match &node.kind {
            JsonKind::Array(items) => stack.extend(items.iter()),
            JsonKind::Object(members) => stack.extend(members.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    count
}

/// A scalar's JSON kind (see the file comment).
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> JsonKind {
    let forced_string = tag.is_some_and(|t| t.is_yaml_core_schema() && t.suffix == "str");
    if style != ScalarStyle::Plain || forced_string {
        return JsonKind::String(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => JsonKind::Null,
        "true" | "True" | "TRUE" => JsonKind::Bool(true),
        "false" | "False" | "FALSE" => JsonKind::Bool(false),
        _ if is_json_number(text) => JsonKind::Number(text.to_string()),
        _ => JsonKind::String(text.to_string()),
    }
}

/// Whether `text` is a number in JSON's grammar.
fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(c) if c.is_ascii_digit() => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
// why: tests may panic
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests;
