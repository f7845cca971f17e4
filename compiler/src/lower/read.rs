//! Reading: files through the caller's loader under the `files` and
//! `input-bytes` limits, include trees with cycle detection, JSON inputs told
//! apart (policy, account dump or Terraform plan), syntax errors as diagnostics, and
//! the lexical normalisation of included paths.

use std::path::Path;

use verdict_grammar::{self as ast, Span};

use crate::diag::Diagnostic;
use crate::limits::raise_help;
use crate::model::{Loc, PolicyDef, PolicyKind};
use crate::source::FileId;
use crate::validate::DocContext;
use crate::{codes, validate, InputKind};

use super::plans::PendingPlan;
use super::quotas::json_size;
use super::{Lowerer, PendingDump};

impl Lowerer<'_> {
    /// Reads a file through the loader; `from` is where it was referenced.
    /// Every file read counts against the `files` and `input-bytes` limits:
    /// inputs, includes, imports, `--scp` files and the `--managed-policies`
    /// files actually used.
    pub(super) fn read(&mut self, path: &str, from: Option<Loc>) -> Option<FileId> {
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

    pub(super) fn text(&self, file: FileId) -> &str {
        self.sources.get(file).map_or("", |f| f.text.as_str())
    }

    pub(super) fn path(&self, file: FileId) -> &str {
        self.sources.get(file).map_or("", |f| f.path.as_str())
    }

    /// A path referenced from `file`, relative to its folder.
    pub(super) fn relative(&self, file: FileId, path: &str) -> String {
        let base = Path::new(self.path(file)).parent().unwrap_or(Path::new(""));
        let joined = base.join(path);
        normalize(&joined)
    }

    pub(super) fn syntax_error(&mut self, file: FileId, err: &verdict_grammar::ParseError) {
        use verdict_grammar::ParseErrorKind as Kind;
        let limit = match err.kind {
            Kind::TooLarge(_) | Kind::AliasExpansion(_) => Some("input-bytes"),
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

    pub(super) fn include_node(&mut self, file: FileId) -> petgraph::graph::NodeIndex {
        *self
            .include_nodes
            .entry(file)
            .or_insert_with(|| self.includes.add_node(file))
    }

    /// Parses a DSL file and, depth first, every file it includes.
    pub(super) fn read_dsl_tree(&mut self, root: FileId, out: &mut Vec<(FileId, ast::File)>) {
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
    pub(super) fn read_json_input(
        &mut self,
        file: FileId,
        dumps: &mut Vec<PendingDump>,
        plans: &mut Vec<PendingPlan>,
    ) {
        let json =
            match verdict_grammar::parse_json_with(self.text(file), &self.limits.parse_limits()) {
                Ok(json) => json,
                Err(err) => return self.syntax_error(file, &err),
            };
        if crate::terraform::is_plan(&json) {
            plans.push(PendingPlan {
                file,
                json,
                account: None,
                prior_only: false,
            });
            return;
        }
        let is_dump = matches!(&json.kind, verdict_grammar::JsonKind::Object(members)
            if members.iter().any(|(k, _)| matches!(k.node.as_str(),
                "UserDetailList" | "GroupDetailList" | "RoleDetailList" | "Policies")));
        if is_dump {
            if let Some(dump) = self.parse_dump(file) {
                dumps.push(self.pending_dump(file, dump));
            }
            return;
        }
        if crate::cfn::is_template(&json) {
            return self.template_dump(file, &json, dumps);
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

    /// A CloudFormation template (JSON or YAML), read as an account dump.
    pub(super) fn read_template(&mut self, file: FileId, dumps: &mut Vec<PendingDump>) {
        let limits = self.limits.parse_limits();
        let text = self.text(file);
        let parsed = if text.trim_start().starts_with('{') {
            verdict_grammar::parse_json_with(text, &limits)
        } else {
            verdict_grammar::parse_template_yaml_with(text, &limits)
        };
        match parsed {
            Ok(json) => self.template_dump(file, &json, dumps),
            Err(err) => self.syntax_error(file, &err),
        }
    }

    /// The account dump of a parsed template, with its diagnostics.
    fn template_dump(&mut self, file: FileId, json: &ast::Json, dumps: &mut Vec<PendingDump>) {
        let read = crate::cfn::read_template(
            file,
            json,
            &self.templates,
            &self.limits.parse_limits(),
            self.text(file).len(),
        );
        for d in read.diags {
            self.diags.push(d);
        }
        for err in &read.parse_errors {
            self.syntax_error(file, err);
        }
        if let Some(dump) = read.dump {
            dumps.push(self.pending_dump(file, dump));
        }
    }

    pub(super) fn parse_dump(&mut self, file: FileId) -> Option<ast::AccountDump> {
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
}

/// Input kind from the file name: `.vp` → DSL, `.yaml`/`.yml` → a
/// CloudFormation template, anything else → JSON (policy, dump or
/// template, told apart by content).
pub(super) fn sniff_kind(path: &str) -> InputKind {
    if path.ends_with(".vp") {
        InputKind::Dsl
    } else if path.ends_with(".yaml") || path.ends_with(".yml") {
        InputKind::CfnTemplate
    } else {
        InputKind::PolicyJson
    }
}

pub(super) fn file_stem(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(path)
        .to_string()
}

/// Lexical normalisation of a joined path (`a/./b/../c` → `a/c`), no IO.
pub(super) fn normalize(path: &Path) -> String {
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
