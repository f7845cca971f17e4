//! The front end: reads the inputs (through the caller's [`FileLoader`]),
//! parses them, resolves names and lowers everything into a [`Model`].
//!
//! Name resolution lives here: undefined and duplicate names, include
//! cycles, clauses on the wrong kind of entity, all with locations and
//! did-you-mean suggestions. Policy documents are validated by `validate`.

use std::collections::HashMap;
use std::path::Path;

use petgraph::graph::DiGraph;
use verdict_grammar::{self as ast, EntityKind, Span, Spanned};

use crate::diag::{Diagnostic, Diagnostics};
use crate::limits::{raise_help, Limits};
use crate::model::{
    Group, GroupId, Loc, Model, PolicyDef, PolicyId, PolicyKind, Role, RoleId, TrustSubject, User,
    UserId,
};
use crate::source::{FileId, SourceMap};
use crate::validate::{self, DocContext};
use crate::{FileLoader, Input, InputKind};

/// IAM quotas (SEMANTICS.md V14). Sizes count characters other than white space.
pub const MAX_MANAGED_POLICY_SIZE: usize = 6_144;
pub const MAX_USER_INLINE_SIZE: usize = 2_048;
pub const MAX_GROUP_INLINE_SIZE: usize = 5_120;
pub const MAX_ROLE_INLINE_SIZE: usize = 10_240;
/// Managed policies attached to one user or role: 10 by default, at most 20.
pub const DEFAULT_MANAGED_PER_PRINCIPAL: usize = 10;
pub const MAX_MANAGED_PER_PRINCIPAL: usize = 20;
pub const MAX_GROUPS_PER_USER: usize = 10;
pub const MAX_MANAGED_PER_GROUP: usize = 10;
pub const MAX_POLICY_VERSIONS: usize = 5;

pub(crate) struct Lowerer<'a> {
    pub sources: SourceMap,
    pub diags: Diagnostics,
    loader: &'a mut dyn FileLoader,
    limits: Limits,
    /// Whether the policy or principal limit was already reported (once is
    /// enough).
    reported_policies: bool,
    reported_principals: bool,
    model: Model,
    /// Global policy namespace: name → id.
    policy_names: HashMap<String, PolicyId>,
    policy_arns: HashMap<String, PolicyId>,
    user_names: HashMap<String, UserId>,
    group_names: HashMap<String, GroupId>,
    role_names: HashMap<String, RoleId>,
    /// Include graph (file → included file), for cycle reports.
    includes: DiGraph<FileId, Span>,
    /// Files read as account dumps: their entities are real account
    /// configuration, so IAM quotas are errors there (V14).
    dump_files: Vec<FileId>,
    include_nodes: HashMap<FileId, petgraph::graph::NodeIndex>,
}

/// An entity declaration waiting for its clauses to be resolved.
struct PendingEntity {
    file: FileId,
    decl: ast::EntityDecl,
}

struct PendingDump {
    file: FileId,
    dump: ast::AccountDump,
}

impl<'a> Lowerer<'a> {
    pub fn new(loader: &'a mut dyn FileLoader, limits: &Limits) -> Lowerer<'a> {
        Lowerer {
            sources: SourceMap::default(),
            diags: Diagnostics::default(),
            loader,
            limits: *limits,
            reported_policies: false,
            reported_principals: false,
            model: Model::default(),
            policy_names: HashMap::new(),
            policy_arns: HashMap::new(),
            user_names: HashMap::new(),
            group_names: HashMap::new(),
            role_names: HashMap::new(),
            includes: DiGraph::new(),
            dump_files: Vec::new(),
            include_nodes: HashMap::new(),
        }
    }

    /// Runs the whole front end. The model is complete only when no error
    /// was reported.
    pub fn lower(mut self, inputs: &[Input]) -> (Model, SourceMap, Diagnostics) {
        let mut dsl_files: Vec<(FileId, ast::File)> = Vec::new();
        let mut dumps = Vec::new();
        for input in inputs {
            let kind = match input.kind {
                InputKind::Auto => sniff_kind(&input.path),
                k => k,
            };
            let Some(file) = self.read(&input.path, None) else {
                continue;
            };
            match kind {
                InputKind::Dsl | InputKind::Auto => self.read_dsl_tree(file, &mut dsl_files),
                InputKind::PolicyJson => self.read_json_input(file, &mut dumps),
                InputKind::AccountDump => {
                    if let Some(dump) = self.parse_dump(file) {
                        self.dump_files.push(file);
                        self.dump_files.push(file);
                        dumps.push(PendingDump { file, dump });
                    }
                }
            }
        }
        // Policies first, so entities can refer to policies declared anywhere.
        let mut entities = Vec::new();
        for (file, parsed) in dsl_files {
            for item in parsed.items {
                match item {
                    ast::Item::Include(_) => {}
                    ast::Item::Policy(decl) => {
                        self.declare_policy(file, &decl, None);
                    }
                    ast::Item::Entity(decl) => {
                        // Managed policies written inside an entity are global.
                        for clause in &decl.clauses {
                            if let ast::Clause::Inline(policy) = clause {
                                if policy.managed {
                                    self.declare_policy(file, policy, None);
                                }
                            }
                        }
                        entities.push(PendingEntity { file, decl });
                    }
                }
            }
        }
        for pending in &dumps {
            self.declare_dump_policies(pending);
        }
        for pending in &entities {
            self.declare_entity(pending);
        }
        for pending in &dumps {
            self.declare_dump_entities(pending);
        }
        for pending in &entities {
            self.resolve_entity(pending);
        }
        for pending in &dumps {
            self.resolve_dump_entities(pending);
        }
        self.check_quotas();
        self.model.build_graph();
        (self.model, self.sources, self.diags)
    }

    /// V14: IAM's size and count quotas. Over a quota is an error for
    /// account dumps (real configuration) and a warning elsewhere (models of
    /// hypothetical policies).
    fn check_quotas(&mut self) {
        let mut found: Vec<(bool, Loc, String, String)> = Vec::new();
        let is_dump = |loc: Loc, files: &[FileId]| files.contains(&loc.file);
        for policy in &self.model.policies {
            // AWS managed policies (account `aws` in the ARN) are not bound
            // by the customer quota; many are far larger.
            let aws_managed = policy
                .arn
                .as_deref()
                .is_some_and(|arn| arn.split(':').nth(4) == Some("aws"));
            if policy.kind == PolicyKind::Managed
                && !aws_managed
                && policy.size > MAX_MANAGED_POLICY_SIZE
            {
                found.push((
                    is_dump(policy.loc, &self.dump_files),
                    policy.loc,
                    format!(
                        "managed policy `{}` has {} characters; the quota for customer managed policies is {MAX_MANAGED_POLICY_SIZE}",
                        policy.name, policy.size
                    ),
                    "too large".to_string(),
                ));
            }
        }
        let inline_size = |policies: &[PolicyId], model: &Model| -> usize {
            policies
                .iter()
                .map(|p| model.policy(*p))
                .filter(|p| p.kind == PolicyKind::Inline)
                .map(|p| p.size)
                .sum()
        };
        let managed_count = |policies: &[PolicyId], model: &Model| -> usize {
            policies
                .iter()
                .filter(|p| model.policy(**p).kind != PolicyKind::Inline)
                .count()
        };
        for user in &self.model.users {
            let dump = is_dump(user.loc, &self.dump_files);
            let size = inline_size(&user.policies, &self.model);
            if size > MAX_USER_INLINE_SIZE {
                found.push((dump, user.loc, format!("inline policies of user `{}` have {size} characters; the quota is {MAX_USER_INLINE_SIZE}", user.name), "too large".into()));
            }
            let n = managed_count(&user.policies, &self.model);
            if n > MAX_MANAGED_PER_PRINCIPAL {
                found.push((dump, user.loc, format!("user `{}` has {n} managed policies attached; the quota is {MAX_MANAGED_PER_PRINCIPAL}", user.name), "too many".into()));
            } else if n > DEFAULT_MANAGED_PER_PRINCIPAL {
                found.push((false, user.loc, format!("user `{}` has {n} managed policies attached; the default quota is {DEFAULT_MANAGED_PER_PRINCIPAL} (raisable to {MAX_MANAGED_PER_PRINCIPAL})", user.name), "over the default quota".into()));
            }
            if user.groups.len() > MAX_GROUPS_PER_USER {
                found.push((
                    dump,
                    user.loc,
                    format!(
                        "user `{}` is in {} groups; the quota is {MAX_GROUPS_PER_USER}",
                        user.name,
                        user.groups.len()
                    ),
                    "too many".into(),
                ));
            }
        }
        for group in &self.model.groups {
            let dump = is_dump(group.loc, &self.dump_files);
            let size = inline_size(&group.policies, &self.model);
            if size > MAX_GROUP_INLINE_SIZE {
                found.push((dump, group.loc, format!("inline policies of group `{}` have {size} characters; the quota is {MAX_GROUP_INLINE_SIZE}", group.name), "too large".into()));
            }
            let n = managed_count(&group.policies, &self.model);
            if n > MAX_MANAGED_PER_GROUP {
                found.push((dump, group.loc, format!("group `{}` has {n} managed policies attached; the quota is {MAX_MANAGED_PER_GROUP}", group.name), "too many".into()));
            }
        }
        for role in &self.model.roles {
            let dump = is_dump(role.loc, &self.dump_files);
            let size = inline_size(&role.policies, &self.model);
            if size > MAX_ROLE_INLINE_SIZE {
                found.push((dump, role.loc, format!("inline policies of role `{}` have {size} characters; the quota is {MAX_ROLE_INLINE_SIZE}", role.name), "too large".into()));
            }
            let n = managed_count(&role.policies, &self.model);
            if n > MAX_MANAGED_PER_PRINCIPAL {
                found.push((dump, role.loc, format!("role `{}` has {n} managed policies attached; the quota is {MAX_MANAGED_PER_PRINCIPAL}", role.name), "too many".into()));
            } else if n > DEFAULT_MANAGED_PER_PRINCIPAL {
                found.push((false, role.loc, format!("role `{}` has {n} managed policies attached; the default quota is {DEFAULT_MANAGED_PER_PRINCIPAL} (raisable to {MAX_MANAGED_PER_PRINCIPAL})", role.name), "over the default quota".into()));
            }
        }
        for (error, loc, message, label) in found {
            let d = if error {
                Diagnostic::error("E0301", message)
            } else {
                Diagnostic::warning("W0301", message)
            };
            self.diags.push(
                d.at(loc.file, loc.span, label)
                    .with_help("IAM quotas: SEMANTICS.md V14"),
            );
        }
    }

    /// Reads a file through the loader; `from` is where it was referenced.
    fn read(&mut self, path: &str, from: Option<Loc>) -> Option<FileId> {
        if let Some(existing) = self.sources.find(path) {
            return Some(existing);
        }
        let referenced = |d: Diagnostic| match from {
            Some(loc) => d.at(loc.file, loc.span, "referenced here"),
            None => d,
        };
        if self.sources.len() >= self.limits.files {
            let d = Diagnostic::error(
                "E0002",
                format!(
                    "cannot read `{path}`: more than {} files",
                    self.limits.files
                ),
            )
            .with_help(raise_help("files"));
            self.diags.push(referenced(d));
            return None;
        }
        match self.loader.load(path) {
            Ok(text) if text.len() > self.limits.input_bytes => {
                let d = Diagnostic::error(
                    "E0002",
                    format!(
                        "cannot read `{path}`: larger than {} bytes",
                        self.limits.input_bytes
                    ),
                )
                .with_help(raise_help("input-bytes"));
                self.diags.push(referenced(d));
                None
            }
            Ok(text) => Some(self.sources.add(path, text)),
            Err(why) => {
                let mut d = Diagnostic::error("E0002", format!("cannot read `{path}`: {why}"));
                if let Some(loc) = from {
                    d = d.at(loc.file, loc.span, "referenced here");
                }
                self.diags.push(d);
                None
            }
        }
    }

    fn text(&self, file: FileId) -> &str {
        self.sources.get(file).map_or("", |f| f.text.as_str())
    }

    fn path(&self, file: FileId) -> &str {
        self.sources.get(file).map_or("", |f| f.path.as_str())
    }

    /// A path referenced from `file`, relative to its folder.
    fn relative(&self, file: FileId, path: &str) -> String {
        let base = Path::new(self.path(file)).parent().unwrap_or(Path::new(""));
        let joined = base.join(path);
        normalize(&joined)
    }

    fn syntax_error(&mut self, file: FileId, err: &verdict_grammar::ParseError) {
        use verdict_grammar::ParseErrorKind as Kind;
        let limit = match err.kind {
            Kind::TooLarge(_) => Some("input-bytes"),
            Kind::TooDeep(_) => Some("json-depth"),
            Kind::StringTooLong(_) => Some("string-bytes"),
            Kind::TooManyStatements(_) => Some("statements"),
            _ => None,
        };
        let d = match limit {
            Some(name) => Diagnostic::error("E0003", err.kind.to_string())
                .at(file, err.span, "over the limit")
                .with_help(raise_help(name)),
            None => Diagnostic::error("E0001", err.kind.to_string()).at(file, err.span, "here"),
        };
        self.diags.push(d);
    }

    fn include_node(&mut self, file: FileId) -> petgraph::graph::NodeIndex {
        *self
            .include_nodes
            .entry(file)
            .or_insert_with(|| self.includes.add_node(file))
    }

    /// Parses a DSL file and, depth first, every file it includes.
    fn read_dsl_tree(&mut self, root: FileId, out: &mut Vec<(FileId, ast::File)>) {
        if out.iter().any(|(f, _)| *f == root) {
            return;
        }
        let mut stack = vec![root];
        while let Some(file) = stack.pop() {
            let parsed =
                match verdict_grammar::parse_dsl_with(self.text(file), &self.limits.parse_limits())
                {
                    Ok(parsed) => parsed,
                    Err(err) => {
                        self.syntax_error(file, &err);
                        continue;
                    }
                };
            for item in &parsed.items {
                if let ast::Item::Include(path) = item {
                    let resolved = self.relative(file, &path.node);
                    let loc = Loc {
                        file,
                        span: path.span,
                    };
                    let Some(included) = self.read(&resolved, Some(loc)) else {
                        continue;
                    };
                    let from = self.include_node(file);
                    let to = self.include_node(included);
                    self.includes.add_edge(from, to, path.span);
                    if petgraph::algo::has_path_connecting(&self.includes, to, from, None) {
                        self.diags.push(
                            Diagnostic::error(
                                "E0203",
                                format!("`{}` includes itself", self.path(included)),
                            )
                            .at(file, path.span, "this include closes a cycle")
                            .with_help("remove one of the includes in the cycle"),
                        );
                        continue;
                    }
                    if !out.iter().any(|(f, _)| *f == included) && !stack.contains(&included) {
                        stack.push(included);
                    }
                }
            }
            out.push((file, parsed));
        }
    }

    /// A JSON input: a policy document (named after the file) or an account dump.
    fn read_json_input(&mut self, file: FileId, dumps: &mut Vec<PendingDump>) {
        let json =
            match verdict_grammar::parse_json_with(self.text(file), &self.limits.parse_limits()) {
                Ok(json) => json,
                Err(err) => return self.syntax_error(file, &err),
            };
        let is_dump = matches!(&json.kind, verdict_grammar::JsonKind::Object(members)
            if members.iter().any(|(k, _)| matches!(k.node.as_str(),
                "UserDetailList" | "GroupDetailList" | "RoleDetailList" | "Policies")));
        if is_dump {
            if let Some(dump) = self.parse_dump(file) {
                dumps.push(PendingDump { file, dump });
            }
            return;
        }
        let policy =
            match verdict_grammar::policy_from_json_with(&json, &self.limits.parse_limits()) {
                Ok(policy) => policy,
                Err(errs) => {
                    for err in &errs {
                        self.syntax_error(file, err);
                    }
                    return;
                }
            };
        let name = file_stem(self.path(file));
        let loc = Loc {
            file,
            span: Span::new(0, 0),
        };
        let cx = DocContext {
            kind: PolicyKind::Standalone,
            dsl: false,
        };
        let document = validate::identity_policy(&policy, file, cx, &mut self.diags);
        let size = json_size(self.text(file), policy.span);
        let kind = PolicyKind::Standalone;
        self.add_policy(
            PolicyDef {
                name,
                loc,
                kind,
                arn: None,
                document,
                size,
            },
            true,
        );
    }

    fn parse_dump(&mut self, file: FileId) -> Option<ast::AccountDump> {
        match verdict_grammar::parse_account_dump_with(self.text(file), &self.limits.parse_limits())
        {
            Ok(dump) => Some(dump),
            Err(errs) => {
                for err in &errs {
                    self.syntax_error(file, err);
                }
                None
            }
        }
    }

    /// Registers a policy; `global` puts it in the namespace `attach` uses.
    fn add_policy(&mut self, def: PolicyDef, global: bool) -> Option<PolicyId> {
        if self.model.policies.len() >= self.limits.policies {
            if !self.reported_policies {
                self.reported_policies = true;
                self.diags.push(
                    Diagnostic::error(
                        "E0003",
                        format!("more than {} policies", self.limits.policies),
                    )
                    .at(def.loc.file, def.loc.span, "one policy too many")
                    .with_help(raise_help("policies")),
                );
            }
            return None;
        }
        if global {
            if let Some(&existing) = self.policy_names.get(&def.name) {
                let first = self.model.policy(existing).loc;
                self.diags.push(
                    Diagnostic::error(
                        "E0202",
                        format!("policy `{}` is defined more than once", def.name),
                    )
                    .at(def.loc.file, def.loc.span, "defined again here")
                    .with_related(first.file, first.span, "first defined here"),
                );
                return None;
            }
        }
        let id = PolicyId(self.model.policies.len() as u32);
        if global {
            self.policy_names.insert(def.name.clone(), id);
        }
        if let Some(arn) = &def.arn {
            self.policy_arns.insert(arn.clone(), id);
        }
        self.model.policies.push(def);
        Some(id)
    }

    /// A DSL `policy` declaration; `owner` is set for inline policies.
    fn declare_policy(
        &mut self,
        file: FileId,
        decl: &ast::PolicyDecl,
        owner: Option<&str>,
    ) -> Option<PolicyId> {
        let kind = match (decl.managed, owner) {
            (_, Some(_)) => PolicyKind::Inline,
            (true, None) => PolicyKind::Managed,
            (false, None) => PolicyKind::Standalone,
        };
        let loc = Loc {
            file,
            span: decl.name.span,
        };
        let mut size = 0;
        let document = match &decl.body {
            ast::PolicyBody::Inline(policy) => {
                let cx = DocContext { kind, dsl: true };
                size = canonical_size(policy);
                validate::identity_policy(policy, file, cx, &mut self.diags)
            }
            ast::PolicyBody::Import(path) => {
                let resolved = self.relative(file, &path.node);
                let imported = self.read(
                    &resolved,
                    Some(Loc {
                        file,
                        span: path.span,
                    }),
                )?;
                match verdict_grammar::parse_policy_json_with(
                    self.text(imported),
                    &self.limits.parse_limits(),
                ) {
                    Ok(policy) => {
                        let cx = DocContext { kind, dsl: false };
                        size = json_size(self.text(imported), policy.span);
                        validate::identity_policy(&policy, imported, cx, &mut self.diags)
                    }
                    Err(errs) => {
                        for err in &errs {
                            self.syntax_error(imported, err);
                        }
                        None
                    }
                }
            }
        };
        let name = match owner {
            Some(owner) => format!("{owner}/{}", decl.name.node),
            None => decl.name.node.clone(),
        };
        self.add_policy(
            PolicyDef {
                name,
                loc,
                kind,
                arn: None,
                document,
                size,
            },
            owner.is_none(),
        )
    }

    fn declare_entity(&mut self, pending: &PendingEntity) {
        let decl = &pending.decl;
        let loc = Loc {
            file: pending.file,
            span: decl.name.span,
        };
        let name = decl.name.node.clone();
        self.declare_entity_name(decl.kind, name, loc, None);
    }

    /// Adds an empty user, group or role, or reports a duplicate name.
    fn declare_entity_name(
        &mut self,
        kind: EntityKind,
        name: String,
        loc: Loc,
        arn: Option<String>,
    ) {
        let existing = match kind {
            EntityKind::User => self
                .user_names
                .get(&name)
                .map(|u| self.model.users[u.index()].loc),
            EntityKind::Group => self
                .group_names
                .get(&name)
                .map(|g| self.model.groups[g.index()].loc),
            EntityKind::Role => self
                .role_names
                .get(&name)
                .map(|r| self.model.roles[r.index()].loc),
        };
        if let Some(first) = existing {
            self.diags.push(
                Diagnostic::error(
                    "E0202",
                    format!("{} `{name}` is defined more than once", kind_word(kind)),
                )
                .at(loc.file, loc.span, "defined again here")
                .with_related(first.file, first.span, "first defined here"),
            );
            return;
        }
        let is_principal = matches!(kind, EntityKind::User | EntityKind::Role);
        let n_principals = self.model.users.len() + self.model.roles.len();
        if is_principal && n_principals >= self.limits.principals {
            if !self.reported_principals {
                self.reported_principals = true;
                self.diags.push(
                    Diagnostic::error(
                        "E0003",
                        format!("more than {} principals", self.limits.principals),
                    )
                    .at(loc.file, loc.span, "one principal too many")
                    .with_help(raise_help("principals")),
                );
            }
            return;
        }
        match kind {
            EntityKind::User => {
                self.user_names
                    .insert(name.clone(), UserId(self.model.users.len() as u32));
                self.model.users.push(User {
                    name,
                    loc,
                    arn,
                    groups: Vec::new(),
                    policies: Vec::new(),
                    boundary: None,
                    tags: Vec::new(),
                });
            }
            EntityKind::Group => {
                self.group_names
                    .insert(name.clone(), GroupId(self.model.groups.len() as u32));
                self.model.groups.push(Group {
                    name,
                    loc,
                    policies: Vec::new(),
                });
            }
            EntityKind::Role => {
                self.role_names
                    .insert(name.clone(), RoleId(self.model.roles.len() as u32));
                self.model.roles.push(Role {
                    name,
                    loc,
                    arn,
                    policies: Vec::new(),
                    boundary: None,
                    tags: Vec::new(),
                    trust: Vec::new(),
                });
            }
        }
    }

    fn lookup_policy(&mut self, file: FileId, name: &Spanned<String>) -> Option<PolicyId> {
        if let Some(&id) = self.policy_names.get(&name.node) {
            return Some(id);
        }
        if self.reported_policies {
            // Probably one of the policies dropped for the limit: say nothing more.
            return None;
        }
        let mut d = Diagnostic::error("E0201", format!("unknown policy `{}`", name.node)).at(
            file,
            name.span,
            "not defined",
        );
        if let Some(s) = closest(&name.node, self.policy_names.keys()) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        self.diags.push(d);
        None
    }

    fn resolve_entity(&mut self, pending: &PendingEntity) {
        let file = pending.file;
        let decl = &pending.decl;
        let owner = format!("{}/{}", kind_word(decl.kind), decl.name.node);
        let Some(index) = (match decl.kind {
            EntityKind::User => self.user_names.get(&decl.name.node).map(|u| u.index()),
            EntityKind::Group => self.group_names.get(&decl.name.node).map(|g| g.index()),
            EntityKind::Role => self.role_names.get(&decl.name.node).map(|r| r.index()),
        }) else {
            return;
        };
        // A duplicate declaration resolves into nothing (already reported).
        let this_loc = Loc {
            file,
            span: decl.name.span,
        };
        let entity_loc = match decl.kind {
            EntityKind::User => self.model.users[index].loc,
            EntityKind::Group => self.model.groups[index].loc,
            EntityKind::Role => self.model.roles[index].loc,
        };
        if entity_loc != this_loc {
            return;
        }
        let mut boundary_seen: Option<Span> = None;
        for clause in &decl.clauses {
            match clause {
                ast::Clause::Attach(names) => {
                    for name in names {
                        if let Some(p) = self.lookup_policy(file, name) {
                            self.push_policy(decl.kind, index, p);
                        }
                    }
                }
                ast::Clause::Inline(policy) if policy.managed => {
                    // Declared globally before resolution; attached here.
                    if let Some(p) = self.lookup_policy(file, &policy.name) {
                        self.push_policy(decl.kind, index, p);
                    }
                }
                ast::Clause::Inline(policy) => {
                    if let Some(p) = self.declare_policy(file, policy, Some(&owner)) {
                        self.push_policy(decl.kind, index, p);
                    }
                }
                ast::Clause::Member(groups) => {
                    if decl.kind != EntityKind::User {
                        self.wrong_clause(file, groups.first().map(|g| g.span), "member", "users");
                        continue;
                    }
                    for g in groups {
                        match self.group_names.get(&g.node) {
                            Some(&gid) => self.model.users[index].groups.push(gid),
                            None => {
                                let mut d = Diagnostic::error(
                                    "E0201",
                                    format!("unknown group `{}`", g.node),
                                )
                                .at(file, g.span, "not defined");
                                if let Some(s) = closest(&g.node, self.group_names.keys()) {
                                    d = d.with_help(format!("did you mean `{s}`?"));
                                }
                                self.diags.push(d);
                            }
                        }
                    }
                }
                ast::Clause::Boundary(name) => {
                    if decl.kind == EntityKind::Group {
                        self.wrong_clause(file, Some(name.span), "boundary", "users and roles");
                        continue;
                    }
                    if let Some(first) = boundary_seen {
                        self.diags.push(
                            Diagnostic::error(
                                "E0206",
                                "a principal has at most one permissions boundary",
                            )
                            .at(file, name.span, "second boundary")
                            .with_related(
                                file,
                                first,
                                "first boundary",
                            ),
                        );
                        continue;
                    }
                    boundary_seen = Some(name.span);
                    if let Some(p) = self.lookup_policy(file, name) {
                        match decl.kind {
                            EntityKind::User => self.model.users[index].boundary = Some(p),
                            EntityKind::Role => self.model.roles[index].boundary = Some(p),
                            EntityKind::Group => {}
                        }
                    }
                }
                ast::Clause::Trust(targets) => {
                    if decl.kind != EntityKind::Role {
                        self.wrong_clause(file, targets.first().map(|t| t.span), "trust", "roles");
                        continue;
                    }
                    for target in targets {
                        if let Some(subject) = self.trust_subject(file, target) {
                            self.model.roles[index].trust.push(subject);
                        }
                    }
                }
                ast::Clause::Tag { key, value } => {
                    let tag = (key.node.clone(), value.node.clone());
                    match decl.kind {
                        EntityKind::User => self.model.users[index].tags.push(tag),
                        EntityKind::Role => self.model.roles[index].tags.push(tag),
                        EntityKind::Group => {
                            self.wrong_clause(file, Some(key.span), "tag", "users and roles")
                        }
                    }
                }
                ast::Clause::Path(_) => {}
            }
        }
    }

    fn trust_subject(&mut self, file: FileId, target: &ast::TrustTarget) -> Option<TrustSubject> {
        let name = &target.name;
        let (found, what, keys): (Option<TrustSubject>, &str, Vec<&String>) = match target.kind {
            ast::TrustKind::User => (
                self.user_names
                    .get(&name.node)
                    .map(|&u| TrustSubject::User(u)),
                "user",
                self.user_names.keys().collect(),
            ),
            ast::TrustKind::Role => (
                self.role_names
                    .get(&name.node)
                    .map(|&r| TrustSubject::Role(r)),
                "role",
                self.role_names.keys().collect(),
            ),
            ast::TrustKind::Account => return Some(TrustSubject::Account(name.node.clone())),
            ast::TrustKind::Service => return Some(TrustSubject::Service(name.node.clone())),
        };
        if found.is_none() {
            let mut d = Diagnostic::error("E0201", format!("unknown {what} `{}`", name.node)).at(
                file,
                name.span,
                "not defined",
            );
            if let Some(s) = closest(&name.node, keys.into_iter()) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            self.diags.push(d);
        }
        found
    }

    fn wrong_clause(&mut self, file: FileId, span: Option<Span>, clause: &str, allowed: &str) {
        let mut d = Diagnostic::error("E0204", format!("`{clause}` is only allowed for {allowed}"));
        if let Some(span) = span {
            d = d.at(file, span, "not allowed here");
        }
        self.diags.push(d);
    }

    fn push_policy(&mut self, kind: EntityKind, index: usize, policy: PolicyId) {
        match kind {
            EntityKind::User => self.model.users[index].policies.push(policy),
            EntityKind::Group => self.model.groups[index].policies.push(policy),
            EntityKind::Role => self.model.roles[index].policies.push(policy),
        }
    }

    // -- account dumps ------------------------------------------------------

    fn declare_dump_policies(&mut self, pending: &PendingDump) {
        let file = pending.file;
        for managed in &pending.dump.policies {
            let loc = Loc {
                file,
                span: managed.name.span,
            };
            let default = managed.versions.iter().find(|v| v.is_default).or_else(|| {
                let id = managed.default_version_id.as_ref()?;
                managed
                    .versions
                    .iter()
                    .find(|v| v.version_id.as_ref().is_some_and(|v| v.node == id.node))
            });
            let document = match default {
                Some(version) => {
                    let cx = DocContext {
                        kind: PolicyKind::Managed,
                        dsl: false,
                    };
                    validate::identity_policy(&version.document, file, cx, &mut self.diags)
                }
                None => {
                    self.diags.push(
                        Diagnostic::error(
                            "E0207",
                            format!(
                                "managed policy `{}` has no default version",
                                managed.name.node
                            ),
                        )
                        .at(
                            file,
                            managed.span,
                            "no `IsDefaultVersion: true` in `PolicyVersionList`",
                        ),
                    );
                    None
                }
            };
            let size = default.map_or(0, |v| json_size(self.text(file), v.document.span));
            let def = PolicyDef {
                name: managed.name.node.clone(),
                loc,
                kind: PolicyKind::Managed,
                arn: Some(managed.arn.node.clone()),
                document,
                size,
            };
            self.add_policy(def, true);
            if managed.versions.len() > MAX_POLICY_VERSIONS {
                self.diags.push(
                    Diagnostic::error(
                        "E0302",
                        format!(
                            "managed policy `{}` has {} versions; IAM keeps at most {MAX_POLICY_VERSIONS}",
                            managed.name.node,
                            managed.versions.len()
                        ),
                    )
                    .at(file, managed.name.span, "too many versions"),
                );
            }
        }
    }

    fn declare_dump_entities(&mut self, pending: &PendingDump) {
        let file = pending.file;
        for user in &pending.dump.users {
            let loc = Loc {
                file,
                span: user.name.span,
            };
            self.declare_entity_name(
                EntityKind::User,
                user.name.node.clone(),
                loc,
                user.arn.as_ref().map(|a| a.node.clone()),
            );
        }
        for group in &pending.dump.groups {
            let loc = Loc {
                file,
                span: group.name.span,
            };
            self.declare_entity_name(EntityKind::Group, group.name.node.clone(), loc, None);
        }
        for role in &pending.dump.roles {
            let loc = Loc {
                file,
                span: role.name.span,
            };
            self.declare_entity_name(
                EntityKind::Role,
                role.name.node.clone(),
                loc,
                role.arn.as_ref().map(|a| a.node.clone()),
            );
        }
    }

    fn dump_inline(
        &mut self,
        file: FileId,
        owner: &str,
        inline: &[ast::DumpInlinePolicy],
    ) -> Vec<PolicyId> {
        let mut out = Vec::new();
        for p in inline {
            let cx = DocContext {
                kind: PolicyKind::Inline,
                dsl: false,
            };
            let document = validate::identity_policy(&p.document, file, cx, &mut self.diags);
            let loc = Loc {
                file,
                span: p.name.span,
            };
            let size = json_size(self.text(file), p.document.span);
            let name = format!("{owner}/{}", p.name.node);
            let def = PolicyDef {
                name,
                loc,
                kind: PolicyKind::Inline,
                arn: None,
                document,
                size,
            };
            if let Some(id) = self.add_policy(def, false) {
                out.push(id);
            }
        }
        out
    }

    fn dump_attachment(
        &mut self,
        file: FileId,
        attachment: &ast::DumpAttachment,
    ) -> Option<PolicyId> {
        if let Some(&id) = self.policy_arns.get(&attachment.arn.node) {
            return Some(id);
        }
        let what = if attachment.arn.node.starts_with("arn:aws:iam::aws:policy/") {
            "AWS managed policy"
        } else {
            "managed policy"
        };
        self.diags.push(
            Diagnostic::error(
                "E0205",
                format!(
                    "{what} `{}` is attached but not in the dump",
                    attachment.arn.node
                ),
            )
            .at(file, attachment.arn.span, "attached here")
            .with_help(
                "dump with `--filter LocalManagedPolicy AWSManagedPolicy` or add the policy",
            ),
        );
        None
    }

    /// An entity's inline policies and attached managed policies, in that order.
    fn dump_policies(
        &mut self,
        file: FileId,
        owner: &str,
        inline: &[ast::DumpInlinePolicy],
        attached: &[ast::DumpAttachment],
    ) -> Vec<PolicyId> {
        let mut policies = self.dump_inline(file, owner, inline);
        policies.extend(
            attached
                .iter()
                .filter_map(|a| self.dump_attachment(file, a)),
        );
        policies
    }

    fn resolve_dump_entities(&mut self, pending: &PendingDump) {
        let file = pending.file;
        for user in &pending.dump.users {
            let Some(&uid) = self.user_names.get(&user.name.node) else {
                continue;
            };
            if self.model.users[uid.index()].loc
                != (Loc {
                    file,
                    span: user.name.span,
                })
            {
                continue;
            }
            let owner = format!("user/{}", user.name.node);
            let policies = self.dump_policies(file, &owner, &user.inline_policies, &user.attached);
            let boundary = user
                .boundary
                .as_ref()
                .and_then(|b| self.dump_attachment(file, b));
            let mut groups = Vec::new();
            for g in &user.groups {
                match self.group_names.get(&g.node) {
                    Some(&gid) => groups.push(gid),
                    None => self.diags.push(
                        Diagnostic::error("E0201", format!("unknown group `{}`", g.node)).at(
                            file,
                            g.span,
                            "not in the dump",
                        ),
                    ),
                }
            }
            let entry = &mut self.model.users[uid.index()];
            entry.policies = policies;
            entry.boundary = boundary;
            entry.groups = groups;
            entry.tags = user
                .tags
                .iter()
                .map(|(k, v)| (k.node.clone(), v.node.clone()))
                .collect();
        }
        for group in &pending.dump.groups {
            let Some(&gid) = self.group_names.get(&group.name.node) else {
                continue;
            };
            if self.model.groups[gid.index()].loc
                != (Loc {
                    file,
                    span: group.name.span,
                })
            {
                continue;
            }
            let owner = format!("group/{}", group.name.node);
            let policies =
                self.dump_policies(file, &owner, &group.inline_policies, &group.attached);
            self.model.groups[gid.index()].policies = policies;
        }
        for role in &pending.dump.roles {
            let Some(&rid) = self.role_names.get(&role.name.node) else {
                continue;
            };
            if self.model.roles[rid.index()].loc
                != (Loc {
                    file,
                    span: role.name.span,
                })
            {
                continue;
            }
            let owner = format!("role/{}", role.name.node);
            let policies = self.dump_policies(file, &owner, &role.inline_policies, &role.attached);
            let boundary = role
                .boundary
                .as_ref()
                .and_then(|b| self.dump_attachment(file, b));
            let entry = &mut self.model.roles[rid.index()];
            entry.policies = policies;
            entry.boundary = boundary;
            entry.tags = role
                .tags
                .iter()
                .map(|(k, v)| (k.node.clone(), v.node.clone()))
                .collect();
        }
    }
}

fn kind_word(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::User => "user",
        EntityKind::Group => "group",
        EntityKind::Role => "role",
    }
}

/// Input kind from the file name: `.vp` → DSL, anything else → JSON
/// (policy or dump, told apart by content).
fn sniff_kind(path: &str) -> InputKind {
    if path.ends_with(".vp") {
        InputKind::Dsl
    } else {
        InputKind::PolicyJson
    }
}

fn file_stem(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(path)
        .to_string()
}

/// Lexical normalisation of a joined path (`a/./b/../c` → `a/c`), no IO.
fn normalize(path: &Path) -> String {
    use std::path::Component;
    let mut parts: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    let joined: std::path::PathBuf = parts.iter().collect();
    joined.to_string_lossy().into_owned()
}

/// The closest name, if close enough to be a likely typo. Candidates are
/// sorted first, so the answer does not depend on hash-map order.
pub(crate) fn closest<'n>(
    name: &str,
    candidates: impl Iterator<Item = &'n String>,
) -> Option<&'n str> {
    let mut sorted: Vec<&str> = candidates.map(String::as_str).collect();
    sorted.sort_unstable();
    crate::catalog::closest_name(&sorted, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalize_lexically() {
        assert_eq!(normalize(Path::new("a/./b/../c.json")), "a/c.json");
        assert_eq!(normalize(Path::new("../x/y")), "../x/y");
    }

    #[test]
    fn closest_names_are_likely_typos() {
        let names = ["ChimeAdmin".to_string(), "Support".to_string()];
        assert_eq!(closest("chimeadmn", names.iter()), Some("ChimeAdmin"));
        assert_eq!(closest("Totally", names.iter()), None);
        // Ties go to the first name in sorted order, whatever the input order.
        let tied = ["Bb".to_string(), "Ab".to_string()];
        assert_eq!(closest("Xb", tied.iter()), Some("Ab"));
        // Huge names get no suggestion instead of quadratic work.
        assert_eq!(closest(&"a".repeat(100_000), names.iter()), None);
    }
}

/// V14 size of a JSON document: its characters other than white space.
fn json_size(text: &str, span: Span) -> usize {
    text.get(span.start as usize..span.end as usize)
        .map_or(0, |t| t.chars().filter(|c| !c.is_whitespace()).count())
}

/// V14 size of a DSL policy: that of its canonical compact JSON rendering
/// (keys in IAM's order, single values as one-element arrays).
fn canonical_size(policy: &ast::Policy) -> usize {
    fn string(out: &mut String, s: &str) {
        out.push('"');
        for c in s.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
    fn list(out: &mut String, key: &str, items: &Option<ast::StringList>) {
        if let Some(items) = items {
            out.push_str(&format!(",\"{key}\":["));
            for (i, item) in items.node.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(out, &item.node);
            }
            out.push(']');
        }
    }
    let mut out = String::from("{");
    if let Some(v) = &policy.version {
        out.push_str("\"Version\":");
        string(&mut out, &v.node);
        out.push(',');
    }
    out.push_str("\"Statement\":[");
    for stmt in policy.statements.iter().flat_map(|s| &s.node) {
        out.push_str("{\"Effect\":");
        string(
            &mut out,
            stmt.effect.as_ref().map_or("", |e| e.node.as_str()),
        );
        if let Some(sid) = &stmt.sid {
            out.push_str(",\"Sid\":");
            string(&mut out, &sid.node);
        }
        list(&mut out, "Action", &stmt.action);
        list(&mut out, "NotAction", &stmt.not_action);
        list(&mut out, "Resource", &stmt.resource);
        list(&mut out, "NotResource", &stmt.not_resource);
        if let Some(cond) = &stmt.condition {
            out.push_str(",\"Condition\":{");
            for op in &cond.node.operators {
                string(&mut out, &op.name.node);
                out.push_str(":{");
                for entry in &op.entries {
                    string(&mut out, &entry.key.node);
                    out.push_str(":[");
                    for v in &entry.values.node {
                        string(&mut out, &v.node);
                        out.push(',');
                    }
                    out.push_str("],");
                }
                out.push_str("},");
            }
            out.push('}');
        }
        out.push_str("},");
    }
    out.push_str("]}");
    let out = out.replace(",]", "]").replace(",}", "}");
    out.chars().filter(|c| !c.is_whitespace()).count()
}

#[cfg(test)]
mod size_tests {
    use super::*;

    #[test]
    fn dsl_size_equals_the_size_of_its_json_twin() {
        let dsl = verdict_grammar::parse_dsl(
            r#"policy P {
                 version "2012-10-17"
                 sid A allow chime:List*, "chime:Get User" on "*"
                 deny not iam:* on not "arn:aws:s3:::b/*" when { StringEquals aws:SourceIp = ["a", "b"] Bool { aws:SecureTransport = true } }
               }"#,
        )
        .unwrap();
        let ast::Item::Policy(decl) = &dsl.items[0] else {
            panic!("a policy")
        };
        let ast::PolicyBody::Inline(policy) = &decl.body else {
            panic!("inline")
        };
        let json = r#"{"Version": "2012-10-17", "Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": ["chime:List*", "chime:Get User"], "Resource": ["*"]},
            {"Effect": "Deny", "NotAction": ["iam:*"], "NotResource": ["arn:aws:s3:::b/*"],
             "Condition": {"StringEquals": {"aws:SourceIp": ["a", "b"]}, "Bool": {"aws:SecureTransport": ["true"]}}}]}"#;
        let parsed = verdict_grammar::parse_policy_json(json).unwrap();
        assert_eq!(canonical_size(policy), json_size(json, parsed.span));
        assert_eq!(
            json_size(json, parsed.span),
            json.chars().filter(|c| !c.is_whitespace()).count()
        );
    }
}
