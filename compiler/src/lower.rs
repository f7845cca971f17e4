//! The front end: reads the inputs (through the caller's [`FileLoader`]),
//! parses them, resolves names and lowers everything into a [`Model`].
//!
//! Name resolution lives here: accounts and the names qualified by them,
//! undefined and duplicate names, include cycles, clauses on the wrong kind
//! of entity, all with locations and did-you-mean suggestions. Policy
//! documents are validated by `validate`. Files are read in `lower/read.rs`,
//! accounts settled in `lower/accounts.rs`, policies declared and attached
//! names resolved in `lower/policies.rs`; the DSL's entities are lowered in
//! `lower/dsl.rs`, account dumps in `lower/dump.rs`, trust policies and the
//! service-linked-role rules in `lower/trust.rs`; IAM's quotas are checked in
//! `lower/quotas.rs`.

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

mod accounts;
mod dsl;
mod dump;
mod plans;
mod policies;
mod quotas;
mod read;
mod trust;

use std::collections::{BTreeSet, HashMap};

use petgraph::graph::DiGraph;
use verdict_grammar::{self as ast, EntityKind, Span, Spanned};

use crate::diag::{Diagnostic, Diagnostics};
use crate::limits::{raise_help, Limits};
use crate::model::{GroupId, Loc, Model, PolicyId, RoleId, ScpLevel, UserId};
use crate::origin::OriginIndex;
use crate::source::{FileId, SourceMap};
use crate::{codes, FileLoader, Input, InputKind};

use read::{file_stem, sniff_kind};

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
    /// What CloudFormation templates are read with.
    templates: crate::cfn::TemplateSettings,
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
    /// Records that declare nothing and add their facts to an entity
    /// declared in another file (a plan laid over a dump: `overlay.rs`).
    carriers: BTreeSet<crate::overlay::Owner>,
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
            templates: crate::cfn::TemplateSettings::default(),
        }
    }

    /// The settings CloudFormation templates are read with.
    pub fn with_templates(mut self, templates: &crate::cfn::TemplateSettings) -> Lowerer<'a> {
        self.templates = templates.clone();
        self
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
        let mut plans = Vec::new();
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
                InputKind::PolicyJson => self.read_json_input(file, &mut dumps, &mut plans),
                InputKind::TerraformPlan { account } => {
                    self.read_plan(file, account, false, &mut plans)
                }
                InputKind::TerraformPrior { account } => {
                    self.read_plan(file, account, true, &mut plans)
                }
                InputKind::CfnTemplate => self.read_template(file, &mut dumps),
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
        // Plans are laid over the dumps of their account.
        self.apply_plans(plans, &mut dumps);

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
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests;
