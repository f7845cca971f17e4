//! The front end: reads the inputs (through the caller's [`FileLoader`]),
//! parses them, resolves names and lowers everything into a [`Model`].
//!
//! Name resolution lives here: accounts and the names qualified by them,
//! undefined and duplicate names, include cycles, clauses on the wrong kind
//! of entity, all with locations and did-you-mean suggestions. Policy
//! documents are validated by `validate`. The DSL's entities are lowered in
//! `lower/dsl.rs`, account dumps in `lower/dump.rs`, trust policies and the
//! service-linked-role rules in `lower/trust.rs`.

/*
Order of work. Everything is parsed first. Then accounts are settled (a DSL
file's `account`, an entity's own, a dump's from its ARNs): with two or more
accounts, names are looked up per account and principals are named
`ACCOUNT:kind/NAME`. Then policies are declared (DSL, dumps, SCPs), then
users, groups and roles, then sessions and federated users (which name a
role or user), then clauses and dump attachments are resolved, then trust
policies (whose principals may name any principal), then the
service-linked-role checks and the quotas. The model's graph is built last.

Namespaces. Users, groups, roles (service-linked ones included), sessions
and federated users have one namespace each per account (`Scope`: the
account when names are qualified, else `None` for all). Managed policies
have one global namespace for the DSL's `attach NAME`; a policy name that
dumps of different accounts both use is ambiguous there, and `attach` then
takes the policy's ARN (`attach "arn:aws:iam::111122223333:policy/NAME"`).
SCPs have their own namespace and are never attached by name.
*/

mod dsl;
mod dump;
mod trust;

use crate::codes;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use petgraph::graph::DiGraph;
use verdict_grammar::{self as ast, EntityKind, Span, Spanned};

use crate::diag::{Diagnostic, Diagnostics};
use crate::limits::{raise_help, Limits};
use crate::model::{
    GroupId, Loc, Model, PolicyDef, PolicyId, PolicyKind, RoleId, ScpAttachment, ScpLevel, UserId,
};
use crate::origin::OriginIndex;
use crate::source::{FileId, SourceMap};
use crate::validate::{self, DocContext};
use crate::{FileLoader, Input, InputKind};

/// IAM quotas (SEMANTICS.md V14). Sizes count characters other than white
/// space, except for SCPs, where every character counts.
pub const MAX_MANAGED_POLICY_SIZE: usize = 6_144;
pub const MAX_USER_INLINE_SIZE: usize = 2_048;
pub const MAX_GROUP_INLINE_SIZE: usize = 5_120;
pub const MAX_ROLE_INLINE_SIZE: usize = 10_240;
/// Role trust policy: 2,048 by default, raisable to 4,096.
pub const DEFAULT_TRUST_POLICY_SIZE: usize = 2_048;
pub const MAX_TRUST_POLICY_SIZE: usize = 4_096;
/// Inline session policy (AssumeRole*, GetFederationToken).
pub const MAX_SESSION_POLICY_SIZE: usize = 2_048;
/// Managed policy ARNs passed as session policies.
pub const MAX_SESSION_MANAGED_POLICIES: usize = 10;
/// Service control policy, white space included.
pub const MAX_SCP_SIZE: usize = 5_120;
/// Managed policies attached to one user or role: 10 by default, at most 20.
pub const DEFAULT_MANAGED_PER_PRINCIPAL: usize = 10;
pub const MAX_MANAGED_PER_PRINCIPAL: usize = 20;
pub const MAX_GROUPS_PER_USER: usize = 10;
pub const MAX_MANAGED_PER_GROUP: usize = 10;
pub const MAX_POLICY_VERSIONS: usize = 5;

/// The account a name is looked up in: `Some` only when names are
/// qualified by account (two or more accounts in the compilation).
type Scope = Option<String>;

/// Entity names per scope.
#[derive(Default)]
struct Names {
    users: HashMap<(Scope, String), UserId>,
    groups: HashMap<(Scope, String), GroupId>,
    /// Roles and service-linked roles.
    roles: HashMap<(Scope, String), RoleId>,
    /// `ROLE/SESSION` → session.
    sessions: HashMap<(Scope, String), crate::model::SessionId>,
    federated_users: HashMap<(Scope, String), crate::model::FederatedUserId>,
}

pub(crate) struct Lowerer<'a> {
    pub sources: SourceMap,
    pub diags: Diagnostics,
    loader: &'a mut dyn FileLoader,
    limits: Limits,
    /// Whether the policy or principal limit was already reported (once is
    /// enough).
    reported_policies: bool,
    reported_principals: bool,
    /// Whether any limit was exceeded (files, input bytes, a parse limit,
    /// policies, principals): the front end then stops after the step that
    /// found it, so that no error follows from what the limit dropped.
    limit_hit: bool,
    /// Entities, policies and statements of the dumps, by place.
    origins: OriginIndex,
    model: Model,
    /// Global policy namespace: name → id.
    policy_names: HashMap<String, PolicyId>,
    /// Names of managed policies that dumps of different accounts both use:
    /// name → (ARN, where) of each.
    ambiguous_policies: HashMap<String, Vec<(String, Loc)>>,
    policy_arns: HashMap<String, PolicyId>,
    /// `--managed-policies` files by policy name (the file stem), read on
    /// first use.
    supplied_policies: HashMap<String, String>,
    /// Default documents of dump policies, without white space, by ARN: to
    /// compare the copies of one policy in several dumps.
    dump_policy_texts: HashMap<String, String>,
    /// Missing managed policies already reported: ARN → index of the
    /// diagnostic, to add further attachments to it.
    missing_policies: HashMap<String, usize>,
    scp_names: HashMap<String, Loc>,
    names: Names,
    /// Include graph (file → included file), for cycle reports.
    includes: DiGraph<FileId, Span>,
    /// Files read as account dumps: their entities are real account
    /// configuration, so IAM quotas are errors there (V14).
    dump_files: Vec<FileId>,
    /// Files given with `--scp`: real SCPs, so their quota is an error too.
    scp_files: Vec<FileId>,
    include_nodes: HashMap<FileId, petgraph::graph::NodeIndex>,
}

/// What the front end hands the rest of a compilation.
pub(crate) struct Lowered {
    pub model: Model,
    pub sources: SourceMap,
    pub diags: Diagnostics,
    pub origins: OriginIndex,
    /// A limit was exceeded: the front end stopped after the step that
    /// found it, and nothing after the front end should run.
    pub limit_hit: bool,
}

/// An entity declaration waiting for its clauses to be resolved.
struct PendingEntity {
    file: FileId,
    decl: ast::EntityDecl,
    /// The entity's `account` clause, else its file's `account`.
    account: Option<String>,
}

struct PendingDump {
    file: FileId,
    dump: ast::AccountDump,
    /// The account its ARNs name, if any.
    account: Option<String>,
}

/// An SCP waiting to be declared.
struct PendingScp {
    file: FileId,
    name: Spanned<String>,
    level: ScpLevel,
    account: Option<String>,
    body: ScpBody,
}

enum ScpBody {
    /// From `--scp FILE`: the whole file.
    File,
    Dsl(ast::PolicyBody),
}

impl<'a> Lowerer<'a> {
    /// A front end with the default [`Limits`].
    #[cfg(test)]
    pub fn new(loader: &'a mut dyn FileLoader) -> Lowerer<'a> {
        Lowerer::with_limits(loader, &Limits::default())
    }

    pub fn with_limits(loader: &'a mut dyn FileLoader, limits: &Limits) -> Lowerer<'a> {
        Lowerer {
            sources: SourceMap::default(),
            diags: Diagnostics::default(),
            loader,
            limits: *limits,
            reported_policies: false,
            reported_principals: false,
            limit_hit: false,
            origins: OriginIndex::default(),
            model: Model::default(),
            policy_names: HashMap::new(),
            ambiguous_policies: HashMap::new(),
            policy_arns: HashMap::new(),
            supplied_policies: HashMap::new(),
            missing_policies: HashMap::new(),
            dump_policy_texts: HashMap::new(),
            scp_names: HashMap::new(),
            names: Names::default(),
            includes: DiGraph::new(),
            dump_files: Vec::new(),
            scp_files: Vec::new(),
            include_nodes: HashMap::new(),
        }
    }

    /// Runs the whole front end. The model is complete only when no error
    /// was reported.
    #[cfg(test)]
    pub fn lower(self, inputs: &[Input]) -> (Model, SourceMap, Diagnostics) {
        let lowered = self.lower_all(inputs);
        (lowered.model, lowered.sources, lowered.diags)
    }

    /// [`Lowerer::lower`], with what the rest of the compilation needs to
    /// know besides the model.
    pub fn lower_all(mut self, inputs: &[Input]) -> Lowered {
        self.lower_steps(inputs);
        self.model.build_graph();
        Lowered {
            model: self.model,
            sources: self.sources,
            diags: self.diags,
            origins: self.origins,
            limit_hit: self.limit_hit,
        }
    }

    /// The steps of the front end, in order; a step that exceeded a limit
    /// is the last one.
    fn lower_steps(&mut self, inputs: &[Input]) {
        let mut dsl_files: Vec<(FileId, ast::File)> = Vec::new();
        let mut dumps = Vec::new();
        let mut scps = Vec::new();
        for input in inputs {
            let kind = match &input.kind {
                InputKind::Auto => sniff_kind(&input.path),
                k => k.clone(),
            };
            if kind == InputKind::ManagedPolicy {
                // Read on first use only.
                self.supplied_policies
                    .entry(file_stem(&input.path))
                    .or_insert_with(|| input.path.clone());
                continue;
            }
            let Some(file) = self.read(&input.path, None) else {
                continue;
            };
            match kind {
                InputKind::Dsl | InputKind::Auto | InputKind::ManagedPolicy => {
                    self.read_dsl_tree(file, &mut dsl_files)
                }
                InputKind::PolicyJson => self.read_json_input(file, &mut dumps),
                InputKind::AccountDump => {
                    if let Some(dump) = self.parse_dump(file) {
                        dumps.push(self.pending_dump(file, dump));
                    }
                }
                InputKind::Scp(level) => {
                    self.scp_files.push(file);
                    let name = file_stem(self.path(file));
                    scps.push(PendingScp {
                        file,
                        name: Spanned::new(name, Span::new(0, 0)),
                        level,
                        account: None,
                        body: ScpBody::File,
                    });
                }
            }
        }

        if self.limit_hit {
            return;
        }

        // Accounts: of each DSL file, then of each entity.
        let mut entities = Vec::new();
        let mut dsl_policies = Vec::new();
        for (file, parsed) in dsl_files {
            let file_account = self.file_account(file, &parsed);
            for item in parsed.items {
                match item {
                    ast::Item::Include(_) | ast::Item::Account(_) => {}
                    ast::Item::Policy(decl) => dsl_policies.push((file, decl)),
                    ast::Item::Scp(decl) => scps.push(PendingScp {
                        file,
                        name: decl.name,
                        level: decl.level.map_or(ScpLevel::Root, |l| scp_level(l.node)),
                        account: file_account.clone(),
                        body: ScpBody::Dsl(decl.body),
                    }),
                    ast::Item::Entity(decl) => {
                        let account = self.entity_account(file, &decl, &file_account);
                        entities.push(PendingEntity {
                            file,
                            decl,
                            account,
                        });
                    }
                }
            }
        }
        let accounts: BTreeSet<&str> = dumps
            .iter()
            .filter_map(|d| d.account.as_deref())
            .chain(entities.iter().filter_map(|e| e.account.as_deref()))
            .collect();
        self.model.qualified_names = accounts.len() > 1;
        if self.model.qualified_names {
            let accounts: Vec<&str> = accounts.into_iter().collect();
            for pending in &entities {
                if pending.account.is_none() {
                    self.missing_account(pending, &accounts);
                }
            }
        }

        // Policies first, so entities can refer to policies declared anywhere.
        for (file, decl) in &dsl_policies {
            self.declare_policy(*file, decl, None);
        }
        for pending in &entities {
            // Managed policies written inside an entity are global.
            for clause in &pending.decl.clauses {
                if let ast::Clause::Inline(policy) = clause {
                    if policy.managed {
                        self.declare_policy(pending.file, policy, None);
                    }
                }
            }
        }
        for pending in &dumps {
            self.declare_dump_policies(pending);
        }
        for pending in scps {
            self.declare_scp(pending);
        }
        if self.limit_hit {
            return;
        }
        for pending in &entities {
            self.declare_entity(pending);
        }
        for pending in &dumps {
            self.declare_dump_entities(pending);
        }
        // Sessions and federated users name a role or a user.
        for pending in &entities {
            self.declare_session(pending);
        }
        if self.limit_hit {
            return;
        }
        for pending in &entities {
            self.resolve_entity(pending);
        }
        for pending in &dumps {
            self.resolve_dump_entities(pending);
            if let Some(truncated) = &pending.dump.is_truncated {
                if truncated.node {
                    self.diags.push(
                        Diagnostic::warning(
                            codes::W0210,
                            "the account dump is incomplete: `IsTruncated` is true",
                        )
                        .at(pending.file, truncated.span, "more pages follow")
                        .with_help("principals and policies of the next pages are missing; fetch every page (the AWS CLI does unless given `--max-items`; with the API, repeat the call with `Marker`) and merge them"),
                    );
                }
            }
        }
        // Trust policies may name any principal, sessions included.
        let arns = self.principal_arn_index();
        for pending in &entities {
            self.resolve_dsl_trust(pending, &arns);
        }
        for pending in &dumps {
            self.resolve_dump_trust(pending, &arns);
        }
        if self.limit_hit {
            return;
        }
        self.check_service_linked_policies();
        self.check_quotas();
    }

    /// The scope names of an entity of `account` are looked up in.
    fn scope(&self, account: Option<&str>) -> Scope {
        if self.model.qualified_names {
            account.map(str::to_string)
        } else {
            None
        }
    }

    /// The `account` item of a DSL file (at most one; 12 digits).
    fn file_account(&mut self, file: FileId, parsed: &ast::File) -> Option<String> {
        let mut found: Option<&Spanned<String>> = None;
        for item in &parsed.items {
            let ast::Item::Account(account) = item else {
                continue;
            };
            if let Some(first) = found {
                self.diags.push(
                    Diagnostic::error(codes::E0210, "a file declares its account at most once")
                        .at(file, account.span, "second `account`")
                        .with_related(file, first.span, "first `account`")
                        .with_help("put the entities of another account in a file of their own, or give them an `account` clause"),
                );
                continue;
            }
            found = Some(account);
        }
        let account = found?;
        self.check_account_id(file, account)
            .then(|| account.node.clone())
    }

    /// An entity's account: its `account` clause (at most one), else the
    /// file's.
    fn entity_account(
        &mut self,
        file: FileId,
        decl: &ast::EntityDecl,
        file_account: &Option<String>,
    ) -> Option<String> {
        let mut own: Option<&Spanned<String>> = None;
        for clause in &decl.clauses {
            let ast::Clause::Account(account) = clause else {
                continue;
            };
            if let Some(first) = own {
                self.diags.push(
                    Diagnostic::error(codes::E0210, "an entity has at most one `account`")
                        .at(file, account.span, "second `account`")
                        .with_related(file, first.span, "first `account`"),
                );
                continue;
            }
            own = Some(account);
        }
        match own {
            Some(account) => self
                .check_account_id(file, account)
                .then(|| account.node.clone()),
            None => file_account.clone(),
        }
    }

    /// An account id is 12 digits; reports it if not.
    fn check_account_id(&mut self, file: FileId, account: &Spanned<String>) -> bool {
        if validate::is_account_id(&account.node) {
            return true;
        }
        self.diags.push(
            Diagnostic::error(
                codes::E0210,
                format!("`{}` is not an AWS account id", account.node),
            )
            .at(file, account.span, "expected 12 digits")
            .with_help("write the account id as 12 digits, e.g. `account \"111122223333\"`"),
        );
        false
    }

    /// E0209: with several accounts, every entity must say which is its.
    fn missing_account(&mut self, pending: &PendingEntity, accounts: &[&str]) {
        let decl = &pending.decl;
        self.diags.push(
            Diagnostic::error(
                codes::E0209,
                format!(
                    "{} `{}` has no account, but this compilation has principals of several accounts ({})",
                    kind_word(decl.kind),
                    decl.name.node,
                    accounts.join(", ")
                ),
            )
            .at(pending.file, decl.name.span, "no `account`")
            .with_help("add `account \"ACCOUNT\"` to its file or to the entity; principals are then named `ACCOUNT:user/NAME`"),
        );
    }

    /// V14: IAM's size and count quotas. Over a quota is an error for
    /// account dumps and `--scp` files (real configuration) and a warning
    /// elsewhere (models of hypothetical policies).
    fn check_quotas(&mut self) {
        let mut found: Vec<(bool, Loc, String, String)> = Vec::new();
        let is_dump = |loc: Loc, files: &[FileId]| files.contains(&loc.file);
        for policy in &self.model.policies {
            // AWS managed policies (account `aws` in the ARN) are not bound
            // by the customer quota; many are far larger.
            let aws_managed = policy.arn.as_deref().is_some_and(is_aws_managed);
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
            if policy.kind == PolicyKind::Scp && policy.size > MAX_SCP_SIZE {
                found.push((
                    self.scp_files.contains(&policy.loc.file),
                    policy.loc,
                    format!(
                        "SCP `{}` has {} characters, white space included; the quota is {MAX_SCP_SIZE}",
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
        // Users, groups and roles: inline policy size; managed policies
        // attached (groups have no raisable default); groups per user.
        struct Entity<'a> {
            kind: &'static str,
            name: &'a str,
            loc: Loc,
            policies: &'a [PolicyId],
            max_inline: usize,
            /// (default quota, raisable to) for managed policies.
            managed: (Option<usize>, usize),
        }
        let users = self.model.users.iter().map(|u| Entity {
            kind: "user",
            name: &u.name,
            loc: u.loc,
            policies: &u.policies,
            max_inline: MAX_USER_INLINE_SIZE,
            managed: (
                Some(DEFAULT_MANAGED_PER_PRINCIPAL),
                MAX_MANAGED_PER_PRINCIPAL,
            ),
        });
        let groups = self.model.groups.iter().map(|g| Entity {
            kind: "group",
            name: &g.name,
            loc: g.loc,
            policies: &g.policies,
            max_inline: MAX_GROUP_INLINE_SIZE,
            managed: (None, MAX_MANAGED_PER_GROUP),
        });
        let roles = self.model.roles.iter().map(|r| Entity {
            kind: "role",
            name: &r.name,
            loc: r.loc,
            policies: &r.policies,
            max_inline: MAX_ROLE_INLINE_SIZE,
            managed: (
                Some(DEFAULT_MANAGED_PER_PRINCIPAL),
                MAX_MANAGED_PER_PRINCIPAL,
            ),
        });
        for e in users.chain(groups).chain(roles) {
            let (kind, name, loc) = (e.kind, e.name, e.loc);
            let dump = is_dump(loc, &self.dump_files);
            let size = inline_size(e.policies, &self.model);
            if size > e.max_inline {
                found.push((dump, loc, format!("inline policies of {kind} `{name}` have {size} characters; the quota is {}", e.max_inline), "too large".into()));
            }
            let n = managed_count(e.policies, &self.model);
            match e.managed {
                (_, max) if n > max => {
                    found.push((
                        dump,
                        loc,
                        format!(
                            "{kind} `{name}` has {n} managed policies attached; the quota is {max}"
                        ),
                        "too many".into(),
                    ));
                }
                (Some(default), max) if n > default => {
                    found.push((false, loc, format!("{kind} `{name}` has {n} managed policies attached; the default quota is {default} (raisable to {max})"), "over the default quota".into()));
                }
                _ => {}
            }
        }
        for user in &self.model.users {
            if user.groups.len() > MAX_GROUPS_PER_USER {
                found.push((
                    is_dump(user.loc, &self.dump_files),
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
        let sessions = self.model.sessions.iter().map(|s| {
            let role = &self.model.roles[s.role.index()].name;
            (format!("session `{role}/{}`", s.name), s.loc, &s.policies)
        });
        let federated = self
            .model
            .federated_users
            .iter()
            .map(|f| (format!("federated user `{}`", f.name), f.loc, &f.policies));
        for (what, loc, policies) in sessions.chain(federated) {
            let size = inline_size(policies, &self.model);
            if size > MAX_SESSION_POLICY_SIZE {
                found.push((false, loc, format!("the inline session policy of {what} has {size} characters; the quota is {MAX_SESSION_POLICY_SIZE}"), "too large".into()));
            }
            let n = managed_count(policies, &self.model);
            if n > MAX_SESSION_MANAGED_POLICIES {
                found.push((false, loc, format!("{what} has {n} managed session policies; at most {MAX_SESSION_MANAGED_POLICIES} can be passed"), "too many".into()));
            }
        }
        self.quota_diagnostics(found);
    }

    fn quota_diagnostics(&mut self, found: Vec<(bool, Loc, String, String)>) {
        for (error, loc, message, label) in found {
            let d = if error {
                Diagnostic::error(codes::E0301, message)
            } else {
                Diagnostic::warning(codes::W0301, message)
            };
            self.diags.push(
                d.at(loc.file, loc.span, label)
                    .with_help("IAM quotas: SEMANTICS.md V14"),
            );
        }
    }

    /// Reads a file through the loader; `from` is where it was referenced.
    /// Every file read counts against the `files` and `input-bytes` limits:
    /// inputs, includes, imports, `--scp` files and the `--managed-policies`
    /// files actually used.
    fn read(&mut self, path: &str, from: Option<Loc>) -> Option<FileId> {
        if let Some(existing) = self.sources.find(path) {
            return Some(existing);
        }
        let referenced = |d: Diagnostic| match from {
            Some(loc) => d.at(loc.file, loc.span, "referenced here"),
            None => d,
        };
        if self.sources.len() >= self.limits.files {
            self.limit_hit = true;
            let d = Diagnostic::error(
                codes::E0002,
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
                self.limit_hit = true;
                let d = Diagnostic::error(
                    codes::E0002,
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
                let mut d = Diagnostic::error(codes::E0002, format!("cannot read `{path}`: {why}"));
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
        self.limit_hit |= limit.is_some();
        let d = match limit {
            Some(name) => Diagnostic::error(codes::E0003, err.kind.to_string())
                .at(file, err.span, "over the limit")
                .with_help(raise_help(name)),
            None => {
                Diagnostic::error(codes::E0001, err.kind.to_string()).at(file, err.span, "here")
            }
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
                                codes::E0203,
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
                dumps.push(self.pending_dump(file, dump));
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
            self.limit_hit = true;
            if !self.reported_policies {
                self.reported_policies = true;
                self.diags.push(
                    Diagnostic::error(
                        codes::E0003,
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
                        codes::E0202,
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

    /// Reads and parses the IAM JSON document `path` referenced at `from`,
    /// returning its file and tree (errors reported).
    fn import_policy(&mut self, path: &str, from: Loc) -> Option<(FileId, ast::Policy)> {
        let imported = self.read(path, Some(from))?;
        match verdict_grammar::parse_policy_json_with(
            self.text(imported),
            &self.limits.parse_limits(),
        ) {
            Ok(policy) => Some((imported, policy)),
            Err(errs) => {
                for err in &errs {
                    self.syntax_error(imported, err);
                }
                None
            }
        }
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
        let (document, size) = self.policy_body(file, &decl.body, kind)?;
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

    /// Validates a DSL policy body (written out, or imported from a file)
    /// as an identity policy of `kind`: the document (`None` if it had
    /// errors) and its V14 size. `None` when an import could not be read.
    fn policy_body(
        &mut self,
        file: FileId,
        body: &ast::PolicyBody,
        kind: PolicyKind,
    ) -> Option<(Option<crate::model::PolicyDocument>, usize)> {
        match body {
            ast::PolicyBody::Inline(policy) => {
                let cx = DocContext { kind, dsl: true };
                let size = canonical_size(policy);
                Some((
                    validate::identity_policy(policy, file, cx, &mut self.diags),
                    size,
                ))
            }
            ast::PolicyBody::Import(path) => {
                let resolved = self.relative(file, &path.node);
                let from = Loc {
                    file,
                    span: path.span,
                };
                let Some((imported, policy)) = self.import_policy(&resolved, from) else {
                    return Some((None, 0));
                };
                let cx = DocContext { kind, dsl: false };
                let size = if kind == PolicyKind::Scp {
                    scp_size(self.text(imported), policy.span)
                } else {
                    json_size(self.text(imported), policy.span)
                };
                Some((
                    validate::identity_policy(&policy, imported, cx, &mut self.diags),
                    size,
                ))
            }
        }
    }

    /// An SCP: from `--scp FILE` or a DSL `scp` declaration.
    fn declare_scp(&mut self, pending: PendingScp) {
        let loc = Loc {
            file: pending.file,
            span: pending.name.span,
        };
        let (document, size) = match &pending.body {
            ScpBody::File => {
                let policy = match verdict_grammar::parse_policy_json_with(
                    self.text(pending.file),
                    &self.limits.parse_limits(),
                ) {
                    Ok(policy) => policy,
                    Err(errs) => {
                        for err in &errs {
                            self.syntax_error(pending.file, err);
                        }
                        return;
                    }
                };
                let cx = DocContext {
                    kind: PolicyKind::Scp,
                    dsl: false,
                };
                let size = scp_size(self.text(pending.file), policy.span);
                let document =
                    validate::identity_policy(&policy, pending.file, cx, &mut self.diags);
                (document, size)
            }
            ScpBody::Dsl(body) => match self.policy_body(pending.file, body, PolicyKind::Scp) {
                Some(found) => found,
                None => return,
            },
        };
        if let Some(first) = self.scp_names.get(&pending.name.node) {
            self.diags.push(
                Diagnostic::error(
                    codes::E0202,
                    format!("SCP `{}` is defined more than once", pending.name.node),
                )
                .at(loc.file, loc.span, "defined again here")
                .with_related(first.file, first.span, "first defined here")
                .with_help("SCP names (file names for `--scp`) must be unique"),
            );
            return;
        }
        self.scp_names.insert(pending.name.node.clone(), loc);
        let Some(policy) = self.add_policy(
            PolicyDef {
                name: pending.name.node,
                loc,
                kind: PolicyKind::Scp,
                arn: None,
                document,
                size,
            },
            false,
        ) else {
            return;
        };
        self.model.scps.push(ScpAttachment {
            policy,
            level: pending.level,
            account: pending.account,
        });
    }

    /// A managed policy by name (or by ARN) for `attach` and `boundary`:
    /// declared in the DSL, from a dump, or supplied with
    /// `--managed-policies`.
    fn lookup_policy(&mut self, file: FileId, name: &Spanned<String>) -> Option<PolicyId> {
        let from = Loc {
            file,
            span: name.span,
        };
        if name.node.starts_with("arn:") {
            if let Some(&id) = self.policy_arns.get(&name.node) {
                return Some(id);
            }
            if is_aws_managed(&name.node) {
                if let Some(id) = self.supplied_policy(&name.node, from) {
                    return Some(id);
                }
            }
            self.diags.push(
                Diagnostic::error(codes::E0201, format!("unknown policy `{}`", name.node))
                    .at(file, name.span, "no policy with this ARN")
                    .with_help("the ARN must be that of a managed policy in an account dump, or of an AWS managed policy given with `--managed-policies`"),
            );
            return None;
        }
        if let Some(&id) = self.policy_names.get(&name.node) {
            return Some(id);
        }
        if let Some(candidates) = self.ambiguous_policies.get(&name.node) {
            let arns: Vec<String> = candidates
                .iter()
                .map(|(arn, _)| format!("`{arn}`"))
                .collect();
            let mut d = Diagnostic::error(
                codes::E0211,
                format!("policy name `{}` is ambiguous", name.node),
            )
            .at(
                file,
                name.span,
                "managed policies of several accounts have this name",
            )
            .with_help(format!(
                "attach one of them by its ARN: {}",
                arns.join(", ")
            ));
            for (_, loc) in candidates {
                d = d.with_related(loc.file, loc.span, "a policy of this name");
            }
            self.diags.push(d);
            return None;
        }
        if self.supplied_policies.contains_key(&name.node) {
            let arn = format!("arn:aws:iam::aws:policy/{}", name.node);
            if let Some(id) = self.supplied_policy(&arn, from) {
                return Some(id);
            }
            return None;
        }
        if self.reported_policies {
            // Probably one of the policies dropped for the limit: say nothing more.
            return None;
        }
        let mut d = Diagnostic::error(codes::E0201, format!("unknown policy `{}`", name.node)).at(
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

    /// The AWS managed policy `arn` from a `--managed-policies` file named
    /// after its last path segment, read and declared on first use.
    fn supplied_policy(&mut self, arn: &str, from: Loc) -> Option<PolicyId> {
        if let Some(&id) = self.policy_arns.get(arn) {
            return Some(id);
        }
        let name = arn.rsplit('/').next().unwrap_or(arn).to_string();
        let path = self.supplied_policies.get(&name)?.clone();
        let (file, policy) = self.import_policy(&path, from)?;
        let cx = DocContext {
            kind: PolicyKind::Managed,
            dsl: false,
        };
        let document = validate::identity_policy(&policy, file, cx, &mut self.diags);
        let size = json_size(self.text(file), policy.span);
        let global = !self.policy_names.contains_key(&name);
        self.add_policy(
            PolicyDef {
                name,
                loc: Loc {
                    file,
                    span: Span::new(0, 0),
                },
                kind: PolicyKind::Managed,
                arn: Some(arn.to_string()),
                document,
                size,
            },
            global,
        )
    }

    /// Whether one more principal (a user, role, session or federated user:
    /// a row of the table) fits the `principals` limit; the first one that
    /// does not is reported at `loc`.
    fn principal_fits(&mut self, loc: Loc) -> bool {
        let model = &self.model;
        let n = model.users.len()
            + model.roles.len()
            + model.sessions.len()
            + model.federated_users.len();
        if n < self.limits.principals {
            return true;
        }
        self.limit_hit = true;
        if !self.reported_principals {
            self.reported_principals = true;
            self.diags.push(
                Diagnostic::error(
                    codes::E0003,
                    format!("more than {} principals", self.limits.principals),
                )
                .at(loc.file, loc.span, "one principal too many")
                .with_help(raise_help("principals")),
            );
        }
        false
    }

    fn wrong_clause(&mut self, file: FileId, span: Option<Span>, clause: &str, allowed: &str) {
        let mut d = Diagnostic::error(
            codes::E0204,
            format!("`{clause}` is only allowed for {allowed}"),
        );
        if let Some(span) = span {
            d = d.at(file, span, "not allowed here");
        }
        self.diags.push(d);
    }
}

/// The model's level of a DSL `at` level.
fn scp_level(level: ast::ScpLevel) -> ScpLevel {
    match level {
        ast::ScpLevel::Root => ScpLevel::Root,
        ast::ScpLevel::Ou(name) => ScpLevel::Ou(name),
        ast::ScpLevel::Account => ScpLevel::Account,
    }
}

/// An ARN of an AWS managed policy: `arn:PARTITION:iam::aws:policy/…`.
fn is_aws_managed(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws")
}

fn kind_word(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::User => "user",
        EntityKind::Group => "group",
        EntityKind::Role => "role",
        EntityKind::ServiceLinkedRole => "service-linked role",
        EntityKind::Session => "session",
        EntityKind::FederatedUser => "federated user",
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
mod tests;

/// V14 size of a JSON document: its characters other than white space.
fn json_size(text: &str, span: Span) -> usize {
    text.get(span.start as usize..span.end as usize)
        .map_or(0, |t| t.chars().filter(|c| !c.is_whitespace()).count())
}

/// V14 size of an SCP: every character of its document, white space
/// included.
fn scp_size(text: &str, span: Span) -> usize {
    text.get(span.start as usize..span.end as usize)
        .map_or(0, |t| t.chars().count())
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
        for (key, principal) in [
            ("Principal", &stmt.principal),
            ("NotPrincipal", &stmt.not_principal),
        ] {
            match principal.as_ref().map(|p| &p.node) {
                None => {}
                Some(ast::Principal::Bare(text)) => {
                    out.push_str(&format!(",\"{key}\":"));
                    string(&mut out, &text.node);
                }
                Some(ast::Principal::Map(map)) => {
                    out.push_str(&format!(",\"{key}\":{{"));
                    for (kind, values) in map {
                        string(&mut out, &kind.node);
                        out.push_str(":[");
                        for v in &values.node {
                            string(&mut out, &v.node);
                            out.push(',');
                        }
                        out.push_str("],");
                    }
                    out.push('}');
                }
            }
        }
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
