//! The intrinsic functions of a CloudFormation template, evaluated within the
//! template: `Ref` and `Fn::GetAtt` of IAM resources, parameters and pseudo
//! parameters, `Fn::Sub`, `Fn::Join`, `Fn::If` over the template's
//! conditions (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`),
//! `Fn::Select`, `Fn::Split` and `Fn::FindInMap`. What the template alone
//! cannot tell is a [`Fail`] at its place, never a guess; the one stand-in is
//! documented on [`Cx::lenient`].

use std::collections::HashMap;

use verdict_grammar::{Json, JsonKind, Span, Spanned};

/// Why a value could not be resolved, at its place in the template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Fail {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    /// Not resolvable within the template (E0250), as opposed to a template
    /// that uses an intrinsic wrongly (E0251).
    pub unresolved: bool,
}

impl Fail {
    fn unresolved(span: Span, message: impl Into<String>) -> Fail {
        Fail {
            span,
            message: message.into(),
            help: None,
            unresolved: true,
        }
    }

    fn invalid(span: Span, message: impl Into<String>) -> Fail {
        Fail {
            span,
            message: message.into(),
            help: None,
            unresolved: false,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Fail {
        self.help = Some(help.into());
        self
    }
}

/// Where a value is read.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Cx {
    /// Inside a policy document: numbers and booleans are read as their
    /// text (IAM reads them so; CloudFormation passes them as strings).
    pub policy: bool,
    /// Inside a statement's `Resource`, `NotResource` or `Condition`: a
    /// `Ref` or `Fn::GetAtt` of a resource that is not an IAM resource of
    /// the template (a bucket, a queue) stands in as its logical id, or for
    /// an `Arn` attribute as the ARN `arn:PARTITION:SERVICE:REGION:ACCOUNT:TYPE/LOGICALID`,
    /// and is reported as a warning. Elsewhere (actions, principals,
    /// effects, names, attachments) it is an error.
    pub lenient: bool,
}

/// What a logical id of the template names.
#[derive(Clone, Debug)]
pub(crate) struct ResourceInfo {
    pub kind: String,
    /// The value of `Ref`, for an IAM resource.
    pub reference: Option<String>,
    /// The value of `Fn::GetAtt X.Arn` (or `PolicyArn`), for an IAM resource.
    pub arn: Option<String>,
}

/// A non-IAM resource that stood in somewhere: its id, type, the text it
/// stood in as, and the first place.
#[derive(Clone, Debug)]
pub(crate) struct StandIn {
    pub logical_id: String,
    pub kind: String,
    pub text: String,
    pub span: Span,
}

/// The parts of a template intrinsics read, and the values given for it.
pub(crate) struct Resolver<'t> {
    pub parameters: HashMap<String, ParameterValue>,
    pub pseudo: HashMap<&'static str, Option<String>>,
    pub mappings: Option<&'t Json>,
    pub conditions: HashMap<String, &'t Json>,
    pub resources: HashMap<String, ResourceInfo>,
    /// Conditions already evaluated, and those being evaluated (`None`), to
    /// catch cycles.
    condition_values: HashMap<String, Option<bool>>,
    pub stand_ins: Vec<StandIn>,
    /// Intrinsic calls evaluated, against a runaway template.
    steps: usize,
    /// Conditions being evaluated inside one another.
    condition_depth: usize,
    pub max_steps: usize,
}

/// A parameter's value: given, its default, or missing.
#[derive(Clone, Debug)]
pub(crate) enum ParameterValue {
    Given(Json),
    Missing,
}

/// The deepest chain of conditions naming conditions (each level recurses).
const MAX_CONDITION_DEPTH: usize = 64;

/// The intrinsic keys that make a one-member object a function call.
const FUNCTIONS: [&str; 19] = [
    "Ref",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::If",
    "Fn::Select",
    "Fn::Split",
    "Fn::FindInMap",
    "Fn::Equals",
    "Fn::Not",
    "Fn::And",
    "Fn::Or",
    "Fn::ImportValue",
    "Fn::Base64",
    "Fn::GetAZs",
    "Fn::Cidr",
    "Fn::Transform",
    "Fn::Length",
    "Fn::ToJsonString",
];

/// The function a JSON value calls, if it is a call: `{"Fn::X": args}`.
pub(crate) fn call(json: &Json) -> Option<(&Spanned<String>, &Json)> {
    let JsonKind::Object(members) = &json.kind else {
        return None;
    };
    match members.as_slice() {
        [(key, args)] if FUNCTIONS.contains(&key.node.as_str()) => Some((key, args)),
        _ => None,
    }
}

impl<'t> Resolver<'t> {
    pub(crate) fn new(max_steps: usize) -> Resolver<'t> {
        Resolver {
            parameters: HashMap::new(),
            pseudo: HashMap::new(),
            mappings: None,
            conditions: HashMap::new(),
            resources: HashMap::new(),
            condition_values: HashMap::new(),
            stand_ins: Vec::new(),
            steps: 0,
            condition_depth: 0,
            max_steps,
        }
    }

    /// The value of `json` with every intrinsic evaluated; `None` for
    /// `AWS::NoValue` (the member or item is then left out).
    pub(crate) fn resolve(&mut self, json: &Json, cx: Cx) -> Result<Option<Json>, Fail> {
        self.step(json.span)?;
        if let Some((function, args)) = call(json) {
            return self.function(function, args, json.span, cx);
        }
        let kind = match &json.kind {
            JsonKind::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    if let Some(value) = self.resolve(item, cx)? {
                        out.push(value);
                    }
                }
                JsonKind::Array(out)
            }
            JsonKind::Object(members) => {
                let mut out = Vec::with_capacity(members.len());
                for (key, value) in members {
                    let inner = Cx {
                        lenient: cx.lenient
                            || (cx.policy
                                && matches!(
                                    key.node.as_str(),
                                    "Resource" | "NotResource" | "Condition"
                                )),
                        ..cx
                    };
                    if let Some(value) = self.resolve(value, inner)? {
                        out.push((key.clone(), value));
                    }
                }
                JsonKind::Object(out)
            }
            JsonKind::Number(text) if cx.policy => JsonKind::String(text.clone()),
            JsonKind::Bool(b) if cx.policy => JsonKind::String(b.to_string()),
            other => other.clone(),
        };
        Ok(Some(Json {
            kind,
            span: json.span,
        }))
    }

    /// A value that must be a string.
    pub(crate) fn string(
        &mut self,
        json: &Json,
        cx: Cx,
        what: &str,
    ) -> Result<Spanned<String>, Fail> {
        match self.resolve(json, cx)? {
            Some(Json {
                kind: JsonKind::String(text) | JsonKind::Number(text),
                span,
            }) => Ok(Spanned::new(text, span)),
            Some(Json {
                kind: JsonKind::Bool(b),
                span,
            }) => Ok(Spanned::new(b.to_string(), span)),
            Some(other) => Err(Fail::invalid(
                other.span,
                format!("{what} must be a string"),
            )),
            None => Err(Fail::invalid(
                json.span,
                format!("{what} is `AWS::NoValue`"),
            )),
        }
    }

    /// A value that must be a list of strings (a single string is a list of
    /// one).
    pub(crate) fn strings(
        &mut self,
        json: &Json,
        cx: Cx,
        what: &str,
    ) -> Result<Vec<Spanned<String>>, Fail> {
        let Some(value) = self.resolve(json, cx)? else {
            return Ok(Vec::new());
        };
        match value.kind {
            JsonKind::Array(items) => items
                .iter()
                .map(|item| self.string(item, cx, what))
                .collect(),
            _ => Ok(vec![self.string(&value, cx, what)?]),
        }
    }

    fn step(&mut self, span: Span) -> Result<(), Fail> {
        self.steps += 1;
        if self.steps > self.max_steps {
            return Err(Fail::invalid(
                span,
                format!(
                    "the template takes more than {} steps to evaluate",
                    self.max_steps
                ),
            ));
        }
        Ok(())
    }

    fn function(
        &mut self,
        function: &Spanned<String>,
        args: &Json,
        span: Span,
        cx: Cx,
    ) -> Result<Option<Json>, Fail> {
        let text = |text: String| {
            Ok(Some(Json {
                kind: JsonKind::String(text),
                span,
            }))
        };
        match function.node.as_str() {
            "Ref" => {
                let JsonKind::String(name) = &args.kind else {
                    return Err(Fail::invalid(args.span, "`Ref` takes a name"));
                };
                self.reference(name, span, cx)
            }
            "Fn::GetAtt" => {
                let (resource, attribute) = self.get_att_args(args, cx)?;
                text(self.get_att(&resource, &attribute, span, cx)?)
            }
            "Fn::Sub" => text(self.sub(args, span, cx)?),
            "Fn::Join" => {
                let JsonKind::Array(parts) = &args.kind else {
                    return Err(Fail::invalid(args.span, "`Fn::Join` takes `[DELIMITER, [VALUES]]`"));
                };
                let [delimiter, list] = parts.as_slice() else {
                    return Err(Fail::invalid(args.span, "`Fn::Join` takes `[DELIMITER, [VALUES]]`"));
                };
                let delimiter = self.string(delimiter, cx, "the delimiter of `Fn::Join`")?;
                let values = self.strings(list, cx, "a value joined by `Fn::Join`")?;
                let joined: Vec<&str> = values.iter().map(|v| v.node.as_str()).collect();
                text(joined.join(&delimiter.node))
            }
            "Fn::If" => {
                let JsonKind::Array(parts) = &args.kind else {
                    return Err(Fail::invalid(args.span, "`Fn::If` takes `[CONDITION, THEN, ELSE]`"));
                };
                let [condition, then, otherwise] = parts.as_slice() else {
                    return Err(Fail::invalid(args.span, "`Fn::If` takes `[CONDITION, THEN, ELSE]`"));
                };
                let JsonKind::String(name) = &condition.kind else {
                    return Err(Fail::invalid(condition.span, "the condition of `Fn::If` is a condition name"));
                };
                if self.condition(name, condition.span)? {
                    self.resolve(then, cx)
                } else {
                    self.resolve(otherwise, cx)
                }
            }
            "Fn::Select" => {
                let JsonKind::Array(parts) = &args.kind else {
                    return Err(Fail::invalid(args.span, "`Fn::Select` takes `[INDEX, [VALUES]]`"));
                };
                let [index, list] = parts.as_slice() else {
                    return Err(Fail::invalid(args.span, "`Fn::Select` takes `[INDEX, [VALUES]]`"));
                };
                let index = self.string(index, cx, "the index of `Fn::Select`")?;
                let Ok(at) = index.node.parse::<usize>() else {
                    return Err(Fail::invalid(index.span, format!("index `{}` is not a number", index.node)));
                };
                let Some(Json {
                    kind: JsonKind::Array(items),
                    ..
                }) = self.resolve(list, cx)?
                else {
                    return Err(Fail::invalid(list.span, "`Fn::Select` selects from a list"));
                };
                match items.into_iter().nth(at) {
                    Some(item) => Ok(Some(item)),
                    None => Err(Fail::invalid(index.span, format!("index {at} is past the end of the list"))),
                }
            }
            "Fn::Split" => {
                let JsonKind::Array(parts) = &args.kind else {
                    return Err(Fail::invalid(args.span, "`Fn::Split` takes `[DELIMITER, STRING]`"));
                };
                let [delimiter, source] = parts.as_slice() else {
                    return Err(Fail::invalid(args.span, "`Fn::Split` takes `[DELIMITER, STRING]`"));
                };
                let delimiter = self.string(delimiter, cx, "the delimiter of `Fn::Split`")?;
                let source = self.string(source, cx, "the string of `Fn::Split`")?;
                if delimiter.node.is_empty() {
                    return Err(Fail::invalid(delimiter.span, "the delimiter of `Fn::Split` is empty"));
                }
                let items = source
                    .node
                    .split(delimiter.node.as_str())
                    .map(|part| Json {
                        kind: JsonKind::String(part.to_string()),
                        span,
                    })
                    .collect();
                Ok(Some(Json {
                    kind: JsonKind::Array(items),
                    span,
                }))
            }
            "Fn::FindInMap" => self.find_in_map(args, span, cx),
            "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" => Err(Fail::invalid(
                function.span,
                format!("`{}` belongs in the template's `Conditions`", function.node),
            )),
            other => Err(Fail::unresolved(
                function.span,
                format!("`{other}` cannot be resolved within the template"),
            )
            .help("verdict reads one template offline: write the value out, or pass it as a parameter")),
        }
    }

    /// `Ref NAME`: a parameter, a pseudo parameter or a resource.
    fn reference(&mut self, name: &str, span: Span, cx: Cx) -> Result<Option<Json>, Fail> {
        let text = |text: String| {
            Ok(Some(Json {
                kind: JsonKind::String(text),
                span,
            }))
        };
        if name == "AWS::NoValue" {
            return Ok(None);
        }
        if let Some(value) = self.pseudo.get(name) {
            return match value {
                Some(value) => text(value.clone()),
                None => Err(Fail::unresolved(span, format!("`{name}` is not known"))
                    .help(pseudo_help(name))),
            };
        }
        if let Some(value) = self.parameters.get(name) {
            return match value {
                ParameterValue::Given(json) => {
                    let mut json = json.clone();
                    json.span = span;
                    if let JsonKind::Array(items) = &mut json.kind {
                        for item in items {
                            item.span = span;
                        }
                    }
                    Ok(Some(json))
                }
                ParameterValue::Missing => Err(Fail::unresolved(
                    span,
                    format!("parameter `{name}` has no value and no default"),
                )
                .help(format!("give it with `--parameter {name}=VALUE`"))),
            };
        }
        if let Some(info) = self.resources.get(name) {
            if let Some(reference) = &info.reference {
                return text(reference.clone());
            }
            let kind = info.kind.clone();
            return text(self.stand_in(name, &kind, None, span, cx)?);
        }
        Err(Fail::invalid(
            span,
            format!("`Ref` to `{name}`, which the template does not declare"),
        ))
    }

    fn get_att_args(
        &mut self,
        args: &Json,
        cx: Cx,
    ) -> Result<(Spanned<String>, Spanned<String>), Fail> {
        match &args.kind {
            JsonKind::Array(parts) => match parts.as_slice() {
                [resource, attribute] => {
                    let resource = self.string(resource, cx, "the resource of `Fn::GetAtt`")?;
                    let attribute = self.string(attribute, cx, "the attribute of `Fn::GetAtt`")?;
                    Ok((resource, attribute))
                }
                _ => Err(Fail::invalid(
                    args.span,
                    "`Fn::GetAtt` takes `[RESOURCE, ATTRIBUTE]`",
                )),
            },
            JsonKind::String(text) => match text.split_once('.') {
                Some((resource, attribute)) => Ok((
                    Spanned::new(resource.to_string(), args.span),
                    Spanned::new(attribute.to_string(), args.span),
                )),
                None => Err(Fail::invalid(
                    args.span,
                    "`Fn::GetAtt` takes `RESOURCE.ATTRIBUTE`",
                )),
            },
            _ => Err(Fail::invalid(
                args.span,
                "`Fn::GetAtt` takes `[RESOURCE, ATTRIBUTE]`",
            )),
        }
    }

    /// `Fn::GetAtt RESOURCE.ATTRIBUTE`.
    fn get_att(
        &mut self,
        resource: &Spanned<String>,
        attribute: &Spanned<String>,
        span: Span,
        cx: Cx,
    ) -> Result<String, Fail> {
        let Some(info) = self.resources.get(&resource.node) else {
            return Err(Fail::invalid(
                resource.span,
                format!(
                    "`Fn::GetAtt` of `{}`, which the template does not declare",
                    resource.node
                ),
            ));
        };
        if info.reference.is_some() {
            // An IAM resource: its ARN is known, its ids are not.
            return match (attribute.node.as_str(), &info.arn) {
                ("Arn" | "PolicyArn", Some(arn)) => Ok(arn.clone()),
                _ => Err(Fail::unresolved(
                    attribute.span,
                    format!(
                        "attribute `{}` of `{}` is known only once it is deployed",
                        attribute.node, resource.node
                    ),
                )),
            };
        }
        let kind = info.kind.clone();
        self.stand_in(&resource.node, &kind, Some(&attribute.node), span, cx)
    }

    /// The stand-in of a non-IAM resource (see [`Cx::lenient`]), or the
    /// error where none is allowed.
    fn stand_in(
        &mut self,
        logical_id: &str,
        kind: &str,
        attribute: Option<&str>,
        span: Span,
        cx: Cx,
    ) -> Result<String, Fail> {
        let what = match attribute {
            Some(attribute) => format!("`Fn::GetAtt {logical_id}.{attribute}`"),
            None => format!("`Ref {logical_id}`"),
        };
        if !cx.lenient {
            return Err(Fail::unresolved(
                span,
                format!("{what} (`{kind}`) is known only once it is deployed"),
            )
            .help("only the resources, not-resources and condition values of a statement may name resources the template creates"));
        }
        let text = match attribute {
            None => logical_id.to_string(),
            Some("Arn") => {
                let mut parts = kind.split("::").skip(1);
                let service = parts.next().unwrap_or("unknown").to_ascii_lowercase();
                let type_name = parts.next().unwrap_or("resource").to_ascii_lowercase();
                let pseudo =
                    |name: &str| self.pseudo.get(name).cloned().flatten().unwrap_or_default();
                format!(
                    "arn:{}:{service}:{}:{}:{type_name}/{logical_id}",
                    pseudo("AWS::Partition"),
                    pseudo("AWS::Region"),
                    pseudo("AWS::AccountId"),
                )
            }
            Some(attribute) => format!("{logical_id}.{attribute}"),
        };
        if !self.stand_ins.iter().any(|s| s.logical_id == logical_id) {
            self.stand_ins.push(StandIn {
                logical_id: logical_id.to_string(),
                kind: kind.to_string(),
                text: text.clone(),
                span,
            });
        }
        Ok(text)
    }

    /// `Fn::Sub TEMPLATE` or `Fn::Sub [TEMPLATE, {NAME: VALUE}]`.
    fn sub(&mut self, args: &Json, span: Span, cx: Cx) -> Result<String, Fail> {
        let (template, vars) = match &args.kind {
            JsonKind::String(template) => (Spanned::new(template.clone(), args.span), None),
            JsonKind::Array(parts) => match parts.as_slice() {
                [template, vars] => {
                    let JsonKind::String(t) = &template.kind else {
                        return Err(Fail::invalid(
                            template.span,
                            "the template of `Fn::Sub` is a string",
                        ));
                    };
                    let JsonKind::Object(members) = &vars.kind else {
                        return Err(Fail::invalid(
                            vars.span,
                            "the variables of `Fn::Sub` are a map",
                        ));
                    };
                    (Spanned::new(t.clone(), template.span), Some(members))
                }
                _ => {
                    return Err(Fail::invalid(
                        args.span,
                        "`Fn::Sub` takes `TEMPLATE` or `[TEMPLATE, {VARIABLES}]`",
                    ))
                }
            },
            _ => {
                return Err(Fail::invalid(
                    args.span,
                    "`Fn::Sub` takes `TEMPLATE` or `[TEMPLATE, {VARIABLES}]`",
                ))
            }
        };
        let mut out = String::new();
        let mut rest = template.node.as_str();
        while let Some(at) = rest.find("${") {
            let (before, after) = rest.split_at(at);
            out.push_str(before);
            let after = after.get(2..).unwrap_or("");
            let Some(close) = after.find('}') else {
                return Err(Fail::invalid(
                    template.span,
                    "`${` without `}` in `Fn::Sub`",
                ));
            };
            let (name, tail) = after.split_at(close);
            rest = tail.get(1..).unwrap_or("");
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let name = name.trim();
            let var = vars.and_then(|members| members.iter().find(|(k, _)| k.node == name));
            let value = match var {
                Some((_, value)) => {
                    self.string(value, cx, &format!("variable `{name}` of `Fn::Sub`"))?
                        .node
                }
                None => match name.split_once('.') {
                    Some((resource, attribute)) if !self.pseudo.contains_key(name) => self
                        .get_att(
                            &Spanned::new(resource.to_string(), template.span),
                            &Spanned::new(attribute.to_string(), template.span),
                            template.span,
                            cx,
                        )?,
                    _ => match self.reference(name, template.span, cx)? {
                        Some(Json {
                            kind: JsonKind::String(text) | JsonKind::Number(text),
                            ..
                        }) => text,
                        _ => {
                            return Err(Fail::invalid(
                                template.span,
                                format!("`${{{name}}}` in `Fn::Sub` is not a string"),
                            ))
                        }
                    },
                },
            };
            out.push_str(&value);
        }
        out.push_str(rest);
        let _ = span;
        Ok(out)
    }

    /// `Fn::FindInMap [MAP, TOP_KEY, SECOND_KEY]`.
    fn find_in_map(&mut self, args: &Json, span: Span, cx: Cx) -> Result<Option<Json>, Fail> {
        let JsonKind::Array(parts) = &args.kind else {
            return Err(Fail::invalid(
                args.span,
                "`Fn::FindInMap` takes `[MAP, KEY, KEY]`",
            ));
        };
        let [map, top, second] = parts.as_slice() else {
            return Err(Fail::invalid(
                args.span,
                "`Fn::FindInMap` takes `[MAP, KEY, KEY]`",
            ));
        };
        let keys = [
            self.string(map, cx, "the map of `Fn::FindInMap`")?,
            self.string(top, cx, "a key of `Fn::FindInMap`")?,
            self.string(second, cx, "a key of `Fn::FindInMap`")?,
        ];
        let mut at = self.mappings.ok_or_else(|| {
            Fail::invalid(
                args.span,
                "`Fn::FindInMap` in a template without `Mappings`",
            )
        })?;
        for key in &keys {
            let JsonKind::Object(members) = &at.kind else {
                return Err(Fail::invalid(at.span, "a mapping level is a map"));
            };
            let Some((_, next)) = members.iter().find(|(k, _)| k.node == key.node) else {
                return Err(Fail::invalid(
                    key.span,
                    format!("no key `{}` in the mapping", key.node),
                ));
            };
            at = next;
        }
        let mut value = self.resolve(at, cx)?;
        if let Some(value) = &mut value {
            value.span = span;
        }
        Ok(value)
    }

    /// The value of the condition `name` (each evaluated once; a cycle is
    /// an error).
    pub(crate) fn condition(&mut self, name: &str, span: Span) -> Result<bool, Fail> {
        match self.condition_values.get(name) {
            Some(Some(value)) => return Ok(*value),
            Some(None) => {
                return Err(Fail::invalid(
                    span,
                    format!("condition `{name}` depends on itself"),
                ))
            }
            None => {}
        }
        let Some(&body) = self.conditions.get(name) else {
            return Err(Fail::invalid(
                span,
                format!("the template declares no condition `{name}`"),
            ));
        };
        if self.condition_depth >= MAX_CONDITION_DEPTH {
            return Err(Fail::invalid(
                span,
                format!("conditions nested deeper than {MAX_CONDITION_DEPTH} levels"),
            ));
        }
        self.condition_values.insert(name.to_string(), None);
        self.condition_depth += 1;
        let value = self.truth(body);
        self.condition_depth -= 1;
        let value = value?;
        self.condition_values.insert(name.to_string(), Some(value));
        Ok(value)
    }

    /// A condition expression.
    fn truth(&mut self, json: &Json) -> Result<bool, Fail> {
        self.step(json.span)?;
        let JsonKind::Object(members) = &json.kind else {
            return Err(Fail::invalid(
                json.span,
                "a condition is `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` or `Condition`",
            ));
        };
        let [(function, args)] = members.as_slice() else {
            return Err(Fail::invalid(json.span, "a condition is one function"));
        };
        let list = |args: &'_ Json| match &args.kind {
            JsonKind::Array(items) => Ok(items.clone()),
            _ => Err(Fail::invalid(
                args.span,
                format!("`{}` takes a list", function.node),
            )),
        };
        match function.node.as_str() {
            "Condition" => {
                let JsonKind::String(name) = &args.kind else {
                    return Err(Fail::invalid(
                        args.span,
                        "`Condition` takes a condition name",
                    ));
                };
                self.condition(name, args.span)
            }
            "Fn::Equals" => {
                let items = list(args)?;
                let [a, b] = items.as_slice() else {
                    return Err(Fail::invalid(args.span, "`Fn::Equals` takes two values"));
                };
                let a = self.resolve(a, Cx::default())?;
                let b = self.resolve(b, Cx::default())?;
                Ok(comparable(a.as_ref()) == comparable(b.as_ref()))
            }
            "Fn::Not" => {
                let items = list(args)?;
                let [a] = items.as_slice() else {
                    return Err(Fail::invalid(args.span, "`Fn::Not` takes one condition"));
                };
                Ok(!self.truth(a)?)
            }
            "Fn::And" | "Fn::Or" => {
                let items = list(args)?;
                if items.is_empty() {
                    return Err(Fail::invalid(
                        args.span,
                        format!("`{}` takes conditions", function.node),
                    ));
                }
                let and = function.node == "Fn::And";
                for item in &items {
                    if self.truth(item)? != and {
                        return Ok(!and);
                    }
                }
                Ok(and)
            }
            _ => {
                // An `Fn::If` or other value in a condition is not allowed.
                Err(Fail::invalid(
                    function.span,
                    format!("`{}` is not a condition function", function.node),
                ))
            }
        }
    }
}

/// A resolved value as compared by `Fn::Equals`: scalars by their text.
fn comparable(json: Option<&Json>) -> Option<String> {
    let json = json?;
    Some(match &json.kind {
        JsonKind::String(s) | JsonKind::Number(s) => s.clone(),
        JsonKind::Bool(b) => b.to_string(),
        JsonKind::Null => String::new(),
        JsonKind::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|i| comparable(Some(i)).unwrap_or_default())
                .collect();
            format!("[{}]", items.join(","))
        }
        JsonKind::Object(_) => "{}".to_string(),
    })
}

fn pseudo_help(name: &str) -> String {
    match name {
        "AWS::AccountId" => "give the account with `--account ID`".to_string(),
        "AWS::Region" => "give the region with `--region NAME`".to_string(),
        _ => format!("`{name}` depends on the deployment; write the value out"),
    }
}

#[cfg(test)]
mod tests {
    // why: tests may panic
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;

    #[test]
    fn comparable_reads_scalars_as_text() {
        let n = Json {
            kind: JsonKind::Number("1".to_string()),
            span: Span::default(),
        };
        let s = Json {
            kind: JsonKind::String("1".to_string()),
            span: Span::default(),
        };
        assert_eq!(comparable(Some(&n)), comparable(Some(&s)));
        assert_eq!(comparable(None), None);
    }
}
