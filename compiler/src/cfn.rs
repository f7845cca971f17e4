//! CloudFormation templates (JSON or YAML, CDK output included) read as an
//! account dump: the IAM resources of a template (`AWS::IAM::User`, `Group`,
//! `Role`, `ManagedPolicy`, `Policy`, `UserToGroupAddition`, `RolePolicy`,
//! `UserPolicy`, `GroupPolicy`, `ServiceLinkedRole`) become the
//! [`ast::AccountDump`] the dump reader makes, with spans into the template,
//! so that everything after reading (names, policies, lints, provenance,
//! `explain`, diff attribution) treats them as a dump and points into the
//! template. Intrinsic functions are evaluated in `cfn/intrinsics.rs`.

/*
Names. A resource without an explicit name (`UserName`, `GroupName`,
`RoleName`, `ManagedPolicyName`) gets one from CloudFormation at deploy
time (`STACK-LOGICALID-RANDOM`); verdict names it by its logical id, which
is stable across deploys of one template and so fit for `diff`. ARNs are
`arn:PARTITION:iam::ACCOUNT:KIND/PATH/NAME` with the partition of
`--partition` (else `aws`) and the account of `--account` (else the
stand-in `000000000000`, the template's own account whatever it is: a
trust policy naming `${AWS::AccountId}` then trusts the template's account).

Service-linked roles. `AWS::IAM::ServiceLinkedRole` makes a role under
`/aws-service-role/SERVICE/` trusted by its service, named by its logical id
(AWS names it after the service); its permissions are the service's and not
in the template, so it has none here.

What is not read. Resources of other types are not principals or policies;
they matter only as the targets of `Ref`/`Fn::GetAtt` (see
`intrinsics::Cx::lenient`). A resource whose `Condition` is false is left
out. Outputs, metadata and `DependsOn` are ignored.
*/

mod intrinsics;

use verdict_grammar::{self as ast, Json, JsonKind, ParseError, ParseLimits, Span, Spanned};

use crate::codes;
use crate::diag::Diagnostic;
use crate::source::FileId;

use intrinsics::{Cx, Fail, ParameterValue, Resolver, ResourceInfo};

/// The account a template's ARNs name when `--account` is not given.
pub const STAND_IN_ACCOUNT: &str = "000000000000";

/// What a template is deployed with: `--parameter NAME=VALUE`, `--account`,
/// `--region`, `--partition`, `--stack-name`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateSettings {
    pub parameters: Vec<(String, String)>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub partition: Option<String>,
    pub stack_name: Option<String>,
}

/// Whether a JSON document is a CloudFormation template: an object with
/// `Resources` whose entries have a `Type` of `AWS::…` (or `Custom::…`).
pub(crate) fn is_template(json: &Json) -> bool {
    let Some(resources) = member(json, "Resources") else {
        return false;
    };
    let JsonKind::Object(entries) = &resources.kind else {
        return false;
    };
    !entries.is_empty()
        && entries.iter().all(|(_, resource)| {
            matches!(member(resource, "Type"), Some(Json { kind: JsonKind::String(t), .. })
                if t.starts_with("AWS::") || t.starts_with("Custom::"))
        })
}

/// What reading a template gave.
pub(crate) struct ReadTemplate {
    /// Present when no error was found.
    pub dump: Option<ast::AccountDump>,
    pub diags: Vec<Diagnostic>,
    /// Shape errors of the policy documents, reported as syntax errors.
    pub parse_errors: Vec<ParseError>,
}

/// Reads the IAM resources of the template `json` (of `file`).
pub(crate) fn read_template(
    file: FileId,
    json: &Json,
    settings: &TemplateSettings,
    limits: &ParseLimits,
    text_len: usize,
) -> ReadTemplate {
    let mut reader = Reader {
        file,
        limits: *limits,
        resolver: Resolver::new(text_len.saturating_mul(8).saturating_add(100_000)),
        diags: Vec::new(),
        parse_errors: Vec::new(),
        partition: settings
            .partition
            .clone()
            .unwrap_or_else(|| "aws".to_string()),
        account: settings
            .account
            .clone()
            .unwrap_or_else(|| STAND_IN_ACCOUNT.to_string()),
        dump: ast::AccountDump::default(),
        failed: false,
    };
    reader.template(json, settings);
    let failed = reader.failed || reader.diags.iter().any(Diagnostic::is_error);
    for stand_in in std::mem::take(&mut reader.resolver.stand_ins) {
        reader.diags.push(
            Diagnostic::warning(
                codes::W0250,
                format!(
                    "`{}` (`{}`) is not an IAM resource: in resources and condition values it stands in as `{}`",
                    stand_in.logical_id, stand_in.kind, stand_in.text
                ),
            )
            .at(file, stand_in.span, "first named here")
            .with_help("its real name and ARN are known once it is deployed; a check with `--resource` must name the stand-in"),
        );
    }
    ReadTemplate {
        dump: (!failed && reader.parse_errors.is_empty()).then_some(reader.dump),
        diags: reader.diags,
        parse_errors: reader.parse_errors,
    }
}

/// The IAM resource types read, with the name property of each that has one.
const IAM_TYPES: [(&str, Option<&str>); 11] = [
    ("AWS::IAM::User", Some("UserName")),
    ("AWS::IAM::Group", Some("GroupName")),
    ("AWS::IAM::Role", Some("RoleName")),
    ("AWS::IAM::ManagedPolicy", Some("ManagedPolicyName")),
    ("AWS::IAM::Policy", Some("PolicyName")),
    ("AWS::IAM::UserToGroupAddition", None),
    ("AWS::IAM::RolePolicy", Some("PolicyName")),
    ("AWS::IAM::UserPolicy", Some("PolicyName")),
    ("AWS::IAM::GroupPolicy", Some("PolicyName")),
    ("AWS::IAM::ServiceLinkedRole", None),
    ("AWS::IAM::InstanceProfile", Some("InstanceProfileName")),
];

/// One resource of the template.
struct Resource<'t> {
    logical_id: &'t Spanned<String>,
    kind: String,
    body: &'t Json,
    properties: Option<&'t Json>,
}

struct Reader<'t> {
    file: FileId,
    limits: ParseLimits,
    resolver: Resolver<'t>,
    diags: Vec<Diagnostic>,
    parse_errors: Vec<ParseError>,
    partition: String,
    account: String,
    dump: ast::AccountDump,
    failed: bool,
}

/// Policies and memberships that name an entity, applied once all are read.
#[derive(Default)]
struct Links {
    /// (kind, entity name, policy).
    inline: Vec<(&'static str, Spanned<String>, ast::DumpInlinePolicy)>,
    /// (kind, entity name, attachment).
    attached: Vec<(&'static str, Spanned<String>, ast::DumpAttachment)>,
    /// (user, group).
    memberships: Vec<(Spanned<String>, Spanned<String>)>,
}

impl<'t> Reader<'t> {
    fn fail(&mut self, fail: Fail, within: Option<&Json>) {
        let code = if fail.unresolved {
            codes::E0250
        } else {
            codes::E0251
        };
        let mut d = Diagnostic::error(code, fail.message).at(self.file, fail.span, "here");
        if let Some(statement) = within.and_then(|doc| statement_around(doc, fail.span)) {
            d = d.with_related(
                self.file,
                statement,
                "the statement that depends on it is not compiled",
            );
        }
        if let Some(help) = fail.help {
            d = d.with_help(help);
        }
        self.diags.push(d);
        self.failed = true;
    }

    fn invalid(&mut self, span: Span, message: impl Into<String>) {
        self.diags
            .push(Diagnostic::error(codes::E0251, message).at(self.file, span, "here"));
        self.failed = true;
    }

    fn template(&mut self, json: &'t Json, settings: &TemplateSettings) {
        let JsonKind::Object(_) = &json.kind else {
            return self.invalid(json.span, "a template is a map");
        };
        self.pseudo(settings);
        if let Some(parameters) = member(json, "Parameters") {
            self.parameters(parameters, settings);
        }
        self.resolver.mappings = member(json, "Mappings");
        if let Some(Json {
            kind: JsonKind::Object(conditions),
            ..
        }) = member(json, "Conditions")
        {
            for (name, body) in conditions {
                self.resolver.conditions.insert(name.node.clone(), body);
            }
        }
        let Some(Json {
            kind: JsonKind::Object(entries),
            span,
        }) = member(json, "Resources")
        else {
            return self.invalid(json.span, "a template has a map of `Resources`");
        };
        let mut resources = Vec::new();
        for (logical_id, body) in entries {
            let Some(Json {
                kind: JsonKind::String(kind),
                ..
            }) = member(body, "Type")
            else {
                self.invalid(
                    logical_id.span,
                    format!("resource `{}` has no `Type`", logical_id.node),
                );
                continue;
            };
            if let Some(condition) = member(body, "Condition") {
                let JsonKind::String(name) = &condition.kind else {
                    self.invalid(
                        condition.span,
                        "a resource's `Condition` is a condition name",
                    );
                    continue;
                };
                match self.resolver.condition(name, condition.span) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(fail) => {
                        self.fail(fail, None);
                        continue;
                    }
                }
            }
            resources.push(Resource {
                logical_id,
                kind: kind.clone(),
                body,
                properties: member(body, "Properties"),
            });
        }
        let _ = span;
        // First what each logical id names, then the resources themselves.
        for resource in &resources {
            let info = self.info(resource);
            self.resolver
                .resources
                .insert(resource.logical_id.node.clone(), info);
        }
        let mut links = Links::default();
        for resource in &resources {
            self.resource(resource, &mut links);
        }
        self.link(links);
    }

    fn pseudo(&mut self, settings: &TemplateSettings) {
        let pseudo = &mut self.resolver.pseudo;
        pseudo.insert("AWS::AccountId", Some(self.account.clone()));
        pseudo.insert("AWS::Partition", Some(self.partition.clone()));
        pseudo.insert("AWS::Region", settings.region.clone());
        let suffix = if self.partition == "aws-cn" {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        pseudo.insert("AWS::URLSuffix", Some(suffix.to_string()));
        pseudo.insert("AWS::StackName", settings.stack_name.clone());
        pseudo.insert("AWS::StackId", None);
        pseudo.insert("AWS::NotificationARNs", None);
    }

    fn parameters(&mut self, parameters: &'t Json, settings: &TemplateSettings) {
        let JsonKind::Object(declared) = &parameters.kind else {
            return self.invalid(parameters.span, "`Parameters` is a map");
        };
        for (name, body) in declared {
            let given = settings
                .parameters
                .iter()
                .rev()
                .find(|(n, _)| *n == name.node)
                .map(|(_, v)| Json {
                    kind: JsonKind::String(v.clone()),
                    span: name.span,
                });
            let value = given.or_else(|| member(body, "Default").cloned());
            let is_list = matches!(member(body, "Type"), Some(Json { kind: JsonKind::String(t), .. })
                if t == "CommaDelimitedList" || t.starts_with("List<"));
            let value = match value {
                Some(json) if is_list => {
                    let items = match &json.kind {
                        JsonKind::String(text) => text
                            .split(',')
                            .map(|item| Json {
                                kind: JsonKind::String(item.trim().to_string()),
                                span: json.span,
                            })
                            .collect(),
                        JsonKind::Array(items) => items.clone(),
                        _ => vec![json.clone()],
                    };
                    ParameterValue::Given(Json {
                        kind: JsonKind::Array(items),
                        span: json.span,
                    })
                }
                Some(json) => ParameterValue::Given(json),
                None => ParameterValue::Missing,
            };
            self.resolver.parameters.insert(name.node.clone(), value);
        }
    }

    /// What `Ref` and `Fn::GetAtt … Arn` of a resource give.
    fn info(&mut self, resource: &Resource<'t>) -> ResourceInfo {
        let mut info = ResourceInfo {
            kind: resource.kind.clone(),
            reference: None,
            arn: None,
        };
        let Some((_, name_property)) = IAM_TYPES.iter().find(|(t, _)| *t == resource.kind) else {
            return info;
        };
        let name = match name_property {
            Some(property) => self.name(resource, property),
            None => resource.logical_id.node.clone(),
        };
        let path = self.optional_string(resource, "Path").map(|p| p.node);
        let path = path.unwrap_or_else(|| "/".to_string());
        let arn = |kind: &str| {
            format!(
                "arn:{}:iam::{}:{kind}{path}{name}",
                self.partition, self.account
            )
        };
        match resource.kind.as_str() {
            "AWS::IAM::User" => info.arn = Some(arn("user")),
            "AWS::IAM::Group" => info.arn = Some(arn("group")),
            "AWS::IAM::Role" => info.arn = Some(arn("role")),
            "AWS::IAM::InstanceProfile" => info.arn = Some(arn("instance-profile")),
            "AWS::IAM::ServiceLinkedRole" => {
                let service = self.optional_string(resource, "AWSServiceName");
                let service = service.map_or_else(String::new, |s| s.node);
                info.arn = Some(format!(
                    "arn:{}:iam::{}:role/aws-service-role/{service}/{name}",
                    self.partition, self.account
                ));
            }
            "AWS::IAM::ManagedPolicy" => {
                let policy_arn = arn("policy");
                info.arn = Some(policy_arn.clone());
                info.reference = Some(policy_arn);
                return info;
            }
            _ => {}
        }
        info.reference = Some(name);
        info
    }

    /// A resource's name: its name property, else its logical id.
    fn name(&mut self, resource: &Resource<'t>, property: &str) -> String {
        self.optional_string(resource, property)
            .map_or_else(|| resource.logical_id.node.clone(), |n| n.node)
    }

    fn property(&self, resource: &Resource<'t>, name: &str) -> Option<&'t Json> {
        resource.properties.and_then(|p| member(p, name))
    }

    fn optional_string(&mut self, resource: &Resource<'t>, name: &str) -> Option<Spanned<String>> {
        let value = self.property(resource, name)?;
        match self
            .resolver
            .string(value, Cx::default(), &format!("`{name}`"))
        {
            Ok(text) => Some(text),
            Err(fail) => {
                self.fail(fail, None);
                None
            }
        }
    }

    fn strings(&mut self, resource: &Resource<'t>, name: &str) -> Vec<Spanned<String>> {
        let Some(value) = self.property(resource, name) else {
            return Vec::new();
        };
        match self
            .resolver
            .strings(value, Cx::default(), &format!("an item of `{name}`"))
        {
            Ok(items) => items,
            Err(fail) => {
                self.fail(fail, None);
                Vec::new()
            }
        }
    }

    /// The name of a resource as an entity name, with its span (the name
    /// property, else the logical id).
    fn entity_name(&mut self, resource: &Resource<'t>, property: &str) -> Spanned<String> {
        match self.optional_string(resource, property) {
            Some(name) => name,
            None => resource.logical_id.clone(),
        }
    }

    fn resource(&mut self, resource: &Resource<'t>, links: &mut Links) {
        let span = resource.body.span;
        match resource.kind.as_str() {
            "AWS::IAM::User" => {
                let name = self.entity_name(resource, "UserName");
                let user = ast::DumpUser {
                    span,
                    arn: self.arn_of(resource, name.span),
                    path: self.optional_string(resource, "Path"),
                    id: None,
                    groups: self.strings(resource, "Groups"),
                    inline_policies: self.inline_policies(resource),
                    attached: self.attachments(resource),
                    boundary: self.boundary(resource),
                    tags: self.tags(resource),
                    name,
                };
                self.dump.users.push(user);
            }
            "AWS::IAM::Group" => {
                let name = self.entity_name(resource, "GroupName");
                let group = ast::DumpGroup {
                    span,
                    arn: self.arn_of(resource, name.span),
                    path: self.optional_string(resource, "Path"),
                    inline_policies: self.inline_policies(resource),
                    attached: self.attachments(resource),
                    name,
                };
                self.dump.groups.push(group);
            }
            "AWS::IAM::Role" => {
                let name = self.entity_name(resource, "RoleName");
                let trust_policy = self
                    .property(resource, "AssumeRolePolicyDocument")
                    .and_then(|doc| self.document(doc));
                if trust_policy.is_none()
                    && self
                        .property(resource, "AssumeRolePolicyDocument")
                        .is_none()
                {
                    self.invalid(
                        resource.logical_id.span,
                        format!("role `{}` has no `AssumeRolePolicyDocument`", name.node),
                    );
                }
                let role = ast::DumpRole {
                    span,
                    arn: self.arn_of(resource, name.span),
                    path: self.optional_string(resource, "Path"),
                    id: None,
                    trust_policy,
                    inline_policies: self.inline_policies(resource),
                    attached: self.attachments(resource),
                    boundary: self.boundary(resource),
                    tags: self.tags(resource),
                    name,
                };
                self.dump.roles.push(role);
            }
            "AWS::IAM::ServiceLinkedRole" => self.service_linked_role(resource),
            "AWS::IAM::ManagedPolicy" => {
                let name = self.entity_name(resource, "ManagedPolicyName");
                let Some(document) = self.required_document(resource, "PolicyDocument") else {
                    return;
                };
                let arn = self
                    .resolver
                    .resources
                    .get(&resource.logical_id.node)
                    .and_then(|i| i.arn.clone())
                    .unwrap_or_default();
                let arn = Spanned::new(arn, name.span);
                for (kind, property) in [("user", "Users"), ("group", "Groups"), ("role", "Roles")]
                {
                    for entity in self.strings(resource, property) {
                        let attachment = ast::DumpAttachment {
                            span: entity.span,
                            name: Some(name.clone()),
                            arn: Spanned::new(arn.node.clone(), entity.span),
                        };
                        links.attached.push((kind, entity, attachment));
                    }
                }
                let path = self.optional_string(resource, "Path");
                self.dump.policies.push(ast::DumpManagedPolicy {
                    span,
                    path,
                    default_version_id: None,
                    versions: vec![ast::DumpPolicyVersion {
                        version_id: None,
                        is_default: true,
                        document,
                    }],
                    name,
                    arn,
                });
            }
            "AWS::IAM::Policy" => {
                let Some(policy) = self.named_document(resource) else {
                    return;
                };
                let mut any = false;
                for (kind, property) in [("user", "Users"), ("group", "Groups"), ("role", "Roles")]
                {
                    for entity in self.strings(resource, property) {
                        any = true;
                        links.inline.push((kind, entity, policy.clone()));
                    }
                }
                if !any {
                    self.invalid(
                        resource.logical_id.span,
                        format!(
                            "policy `{}` names no `Users`, `Groups` or `Roles`",
                            resource.logical_id.node
                        ),
                    );
                }
            }
            "AWS::IAM::RolePolicy" | "AWS::IAM::UserPolicy" | "AWS::IAM::GroupPolicy" => {
                let (kind, property) = match resource.kind.as_str() {
                    "AWS::IAM::RolePolicy" => ("role", "RoleName"),
                    "AWS::IAM::UserPolicy" => ("user", "UserName"),
                    _ => ("group", "GroupName"),
                };
                let Some(policy) = self.named_document(resource) else {
                    return;
                };
                match self.optional_string(resource, property) {
                    Some(entity) => links.inline.push((kind, entity, policy)),
                    None if self.property(resource, property).is_none() => self.invalid(
                        resource.logical_id.span,
                        format!("`{}` has no `{property}`", resource.logical_id.node),
                    ),
                    None => {}
                }
            }
            "AWS::IAM::UserToGroupAddition" => {
                let Some(group) = self.optional_string(resource, "GroupName") else {
                    if self.property(resource, "GroupName").is_none() {
                        self.invalid(
                            resource.logical_id.span,
                            format!("`{}` has no `GroupName`", resource.logical_id.node),
                        );
                    }
                    return;
                };
                for user in self.strings(resource, "Users") {
                    links.memberships.push((user, group.clone()));
                }
            }
            _ => {}
        }
    }

    /// `AWS::IAM::ServiceLinkedRole`: a role under `/aws-service-role/SERVICE/`
    /// trusted by its service (see the file comment).
    fn service_linked_role(&mut self, resource: &Resource<'t>) {
        let Some(service) = self.optional_string(resource, "AWSServiceName") else {
            if self.property(resource, "AWSServiceName").is_none() {
                self.invalid(
                    resource.logical_id.span,
                    format!(
                        "service-linked role `{}` has no `AWSServiceName`",
                        resource.logical_id.node
                    ),
                );
            }
            return;
        };
        let at = service.span;
        let s = |text: &str| Json {
            kind: JsonKind::String(text.to_string()),
            span: at,
        };
        let statement = Json {
            kind: JsonKind::Object(vec![
                (Spanned::new("Effect".to_string(), at), s("Allow")),
                (
                    Spanned::new("Principal".to_string(), at),
                    Json {
                        kind: JsonKind::Object(vec![(
                            Spanned::new("Service".to_string(), at),
                            s(&service.node),
                        )]),
                        span: at,
                    },
                ),
                (Spanned::new("Action".to_string(), at), s("sts:AssumeRole")),
            ]),
            span: at,
        };
        let trust = Json {
            kind: JsonKind::Object(vec![
                (Spanned::new("Version".to_string(), at), s("2012-10-17")),
                (
                    Spanned::new("Statement".to_string(), at),
                    Json {
                        kind: JsonKind::Array(vec![statement]),
                        span: at,
                    },
                ),
            ]),
            span: at,
        };
        let trust_policy = self.parsed(&trust);
        let name = resource.logical_id.clone();
        self.dump.roles.push(ast::DumpRole {
            span: resource.body.span,
            arn: self.arn_of(resource, name.span),
            path: Some(Spanned::new(
                format!("/aws-service-role/{}/", service.node),
                at,
            )),
            id: None,
            trust_policy,
            inline_policies: Vec::new(),
            attached: Vec::new(),
            boundary: None,
            tags: Vec::new(),
            name,
        });
    }

    fn arn_of(&self, resource: &Resource<'t>, span: Span) -> Option<Spanned<String>> {
        self.resolver
            .resources
            .get(&resource.logical_id.node)
            .and_then(|i| i.arn.clone())
            .map(|arn| Spanned::new(arn, span))
    }

    /// A `PolicyName` and `PolicyDocument` (policies and `Policies` items).
    fn named_document(&mut self, resource: &Resource<'t>) -> Option<ast::DumpInlinePolicy> {
        let name = self.optional_string(resource, "PolicyName");
        let document = self.required_document(resource, "PolicyDocument");
        let name = match name {
            Some(name) => name,
            None if self.property(resource, "PolicyName").is_none() => {
                self.invalid(
                    resource.logical_id.span,
                    format!("`{}` has no `PolicyName`", resource.logical_id.node),
                );
                return None;
            }
            None => return None,
        };
        Some(ast::DumpInlinePolicy {
            name,
            document: document?,
        })
    }

    fn required_document(
        &mut self,
        resource: &Resource<'t>,
        property: &str,
    ) -> Option<ast::DumpDocument> {
        match self.property(resource, property) {
            Some(doc) => self.document(doc),
            None => {
                self.invalid(
                    resource.logical_id.span,
                    format!("`{}` has no `{property}`", resource.logical_id.node),
                );
                None
            }
        }
    }

    /// `Policies: [{PolicyName, PolicyDocument}]` of a user, group or role.
    fn inline_policies(&mut self, resource: &Resource<'t>) -> Vec<ast::DumpInlinePolicy> {
        let Some(list) = self.property(resource, "Policies") else {
            return Vec::new();
        };
        let list = match self.resolve_shallow(list) {
            Some(list) => list,
            None => return Vec::new(),
        };
        let JsonKind::Array(items) = &list.kind else {
            self.invalid(list.span, "`Policies` is a list");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let Some(item) = self.resolve_shallow(item) else {
                continue;
            };
            let name = member(&item, "PolicyName");
            let document = member(&item, "PolicyDocument");
            let (Some(name), Some(document)) = (name, document) else {
                self.invalid(
                    item.span,
                    "an item of `Policies` has a `PolicyName` and a `PolicyDocument`",
                );
                continue;
            };
            let name = match self.resolver.string(name, Cx::default(), "`PolicyName`") {
                Ok(name) => name,
                Err(fail) => {
                    self.fail(fail, None);
                    continue;
                }
            };
            if let Some(document) = self.document(document) {
                out.push(ast::DumpInlinePolicy { name, document });
            }
        }
        out
    }

    /// A value whose outer intrinsics (an `Fn::If` choosing a list or an
    /// item) are evaluated, its inside left as written; `None` when it is
    /// `AWS::NoValue` or fails (reported).
    fn resolve_shallow(&mut self, json: &Json) -> Option<Json> {
        let mut json = json.clone();
        loop {
            let Some((function, args)) = intrinsics::call(&json) else {
                return Some(json);
            };
            if function.node != "Fn::If" {
                return match self.resolver.resolve(&json, Cx::default()) {
                    Ok(value) => value,
                    Err(fail) => {
                        self.fail(fail, None);
                        None
                    }
                };
            }
            let JsonKind::Array(parts) = &args.kind else {
                self.invalid(args.span, "`Fn::If` takes `[CONDITION, THEN, ELSE]`");
                return None;
            };
            let [Json {
                kind: JsonKind::String(name),
                span,
            }, then, otherwise] = parts.as_slice()
            else {
                self.invalid(args.span, "`Fn::If` takes `[CONDITION, THEN, ELSE]`");
                return None;
            };
            let next = match self.resolver.condition(name, *span) {
                Ok(true) => then.clone(),
                Ok(false) => otherwise.clone(),
                Err(fail) => {
                    self.fail(fail, None);
                    return None;
                }
            };
            if matches!(intrinsics::call(&next), Some((f, _)) if f.node == "Ref")
                && matches!(member(&next, "Ref"), Some(Json { kind: JsonKind::String(r), .. }) if r == "AWS::NoValue")
            {
                return None;
            }
            json = next;
        }
    }

    fn attachments(&mut self, resource: &Resource<'t>) -> Vec<ast::DumpAttachment> {
        self.strings(resource, "ManagedPolicyArns")
            .into_iter()
            .map(|arn| ast::DumpAttachment {
                span: arn.span,
                name: None,
                arn,
            })
            .collect()
    }

    fn boundary(&mut self, resource: &Resource<'t>) -> Option<ast::DumpAttachment> {
        let arn = self.optional_string(resource, "PermissionsBoundary")?;
        Some(ast::DumpAttachment {
            span: arn.span,
            name: None,
            arn,
        })
    }

    fn tags(&mut self, resource: &Resource<'t>) -> Vec<(Spanned<String>, Spanned<String>)> {
        let Some(tags) = self.property(resource, "Tags") else {
            return Vec::new();
        };
        let tags = match self.resolver.resolve(tags, Cx::default()) {
            Ok(Some(tags)) => tags,
            Ok(None) => return Vec::new(),
            Err(fail) => {
                self.fail(fail, None);
                return Vec::new();
            }
        };
        let JsonKind::Array(items) = &tags.kind else {
            self.invalid(tags.span, "`Tags` is a list of `{Key, Value}`");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            match (member(item, "Key"), member(item, "Value")) {
                (
                    Some(Json {
                        kind: JsonKind::String(k),
                        span: ks,
                    }),
                    Some(Json {
                        kind: JsonKind::String(v),
                        span: vs,
                    }),
                ) => out.push((Spanned::new(k.clone(), *ks), Spanned::new(v.clone(), *vs))),
                _ => self.invalid(item.span, "a tag is `{Key: STRING, Value: STRING}`"),
            }
        }
        out
    }

    /// A policy document: intrinsics evaluated (stand-ins allowed in
    /// resources and condition values), then read as IAM JSON.
    fn document(&mut self, doc: &Json) -> Option<ast::DumpDocument> {
        let cx = Cx {
            policy: true,
            lenient: false,
        };
        let resolved = match self.resolver.resolve(doc, cx) {
            Ok(Some(resolved)) => resolved,
            Ok(None) => {
                self.invalid(doc.span, "a policy document is `AWS::NoValue`");
                return None;
            }
            Err(fail) => {
                self.fail(fail, Some(doc));
                return None;
            }
        };
        if let JsonKind::String(_) = resolved.kind {
            self.invalid(
                doc.span,
                "a policy document in a template is a map, not a string",
            );
            return None;
        }
        self.parsed(&resolved)
    }

    fn parsed(&mut self, resolved: &Json) -> Option<ast::DumpDocument> {
        match verdict_grammar::policy_from_json_with(resolved, &self.limits) {
            Ok(policy) => Some(ast::DumpDocument {
                policy,
                decoded: Some(compact(resolved)),
            }),
            Err(errors) => {
                self.parse_errors.extend(errors);
                None
            }
        }
    }

    /// Attaches the policies and memberships that name entities.
    fn link(&mut self, links: Links) {
        let file = self.file;
        let mut missing = Vec::new();
        for (kind, entity, policy) in links.inline {
            let target = match kind {
                "user" => self
                    .dump
                    .users
                    .iter_mut()
                    .find(|u| u.name.node == entity.node)
                    .map(|u| &mut u.inline_policies),
                "group" => self
                    .dump
                    .groups
                    .iter_mut()
                    .find(|g| g.name.node == entity.node)
                    .map(|g| &mut g.inline_policies),
                _ => self
                    .dump
                    .roles
                    .iter_mut()
                    .find(|r| r.name.node == entity.node)
                    .map(|r| &mut r.inline_policies),
            };
            match target {
                Some(list) => list.push(policy),
                None => missing.push((kind, entity)),
            }
        }
        for (kind, entity, attachment) in links.attached {
            let target = match kind {
                "user" => self
                    .dump
                    .users
                    .iter_mut()
                    .find(|u| u.name.node == entity.node)
                    .map(|u| &mut u.attached),
                "group" => self
                    .dump
                    .groups
                    .iter_mut()
                    .find(|g| g.name.node == entity.node)
                    .map(|g| &mut g.attached),
                _ => self
                    .dump
                    .roles
                    .iter_mut()
                    .find(|r| r.name.node == entity.node)
                    .map(|r| &mut r.attached),
            };
            match target {
                Some(list) => list.push(attachment),
                None => missing.push((kind, entity)),
            }
        }
        for (user, group) in links.memberships {
            match self
                .dump
                .users
                .iter_mut()
                .find(|u| u.name.node == user.node)
            {
                Some(u) => u.groups.push(group),
                None => missing.push(("user", user)),
            }
        }
        for (kind, entity) in missing {
            self.diags.push(
                Diagnostic::error(
                    codes::E0252,
                    format!("the template gives {kind} `{}` a policy or group, but does not create it", entity.node),
                )
                .at(file, entity.span, format!("{kind} not in the template"))
                .with_help("verdict reads the template alone: declare the entity in it, or compile it together with the account dump that has it"),
            );
            self.failed = true;
        }
    }
}

/// The value of `key` in the object `json`.
fn member<'j>(json: &'j Json, key: &str) -> Option<&'j Json> {
    let JsonKind::Object(members) = &json.kind else {
        return None;
    };
    members.iter().find(|(k, _)| k.node == key).map(|(_, v)| v)
}

/// The statement of the policy document `doc` whose span holds `span`.
fn statement_around(doc: &Json, span: Span) -> Option<Span> {
    let statements = member(doc, "Statement")?;
    let JsonKind::Array(items) = &statements.kind else {
        return Some(statements.span);
    };
    items
        .iter()
        .find(|s| s.span.start <= span.start && span.end <= s.span.end)
        .map(|s| s.span)
}

/// A JSON value as compact text (for the size of a resolved document).
fn compact(json: &Json) -> String {
    let mut out = String::new();
    write_compact(json, &mut out);
    out
}

fn write_compact(json: &Json, out: &mut String) {
    match &json.kind {
        JsonKind::Null => out.push_str("null"),
        JsonKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        JsonKind::Number(n) => out.push_str(n),
        JsonKind::String(s) => write_string(s, out),
        JsonKind::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(item, out);
            }
            out.push(']');
        }
        JsonKind::Object(members) => {
            out.push('{');
            for (i, (key, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(&key.node, out);
                out.push(':');
                write_compact(value, out);
            }
            out.push('}');
        }
    }
}

fn write_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
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
