//! The line-based catalog format, shared by user files and the built-in TSV:
//! `service:Action[<TAB>access level[<TAB>resource types]]`, one action per
//! line, an optional `action<TAB>...` header as the first content line,
//! blank lines and `#` comments ignored. A single pass, no regexes.
//!
//! Condition-key data may follow in blocks (the built-in `aws-keys.tsv`
//! format): a `service<TAB>PREFIX` line, then `key<TAB>NAME<TAB>TYPE`,
//! `resource<TAB>TYPE<TAB>KEYS` and `action<TAB>NAME<TAB>KEYS` lines, KEYS
//! comma-separated key names or indexes of the block's key lines. A file
//! without such lines has no key data (keys unknown).

use verdict_grammar::Span;

use super::{
    parse_access_level, AccessLevel, Catalog, CatalogAction, CatalogError, CatalogErrorKind,
    ConditionKeys, RawAction,
};

/// Parses `text`; with `only_service`, keeps only that service's lines
/// (ASCII case-insensitively) and skips the others without validating them.
pub(super) fn parse(
    name: &str,
    text: &str,
    only_service: Option<&str>,
) -> Result<Catalog, CatalogError> {
    let mut raw = Vec::new();
    let mut key_lines: Vec<(usize, Vec<&str>)> = Vec::new();
    let mut seen_content = false;
    let mut line_start = 0usize;
    for (line_idx, full_line) in text.split('\n').enumerate() {
        let line_no = line_idx + 1;
        let offset = line_start;
        line_start += full_line.len() + 1;
        let mut line = full_line.strip_suffix('\r').unwrap_or(full_line);
        let mut offset = offset;
        if line_idx == 0 {
            if let Some(rest) = line.strip_prefix('\u{feff}') {
                line = rest;
                offset += '\u{feff}'.len_utf8();
            }
        }
        let content = line.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let first_content = !seen_content;
        seen_content = true;

        let mut columns = line.split('\t');
        let action_col = columns.next().unwrap_or("");
        if let Some(service) = only_service {
            let keep = action_col
                .trim_start()
                .split_once(':')
                .is_some_and(|(s, _)| s.eq_ignore_ascii_case(service));
            if !keep {
                continue;
            }
        }
        if first_content && action_col.trim().eq_ignore_ascii_case("action") {
            continue;
        }
        let kind = action_col.trim();
        if kind == "service"
            || (!key_lines.is_empty() && ["key", "resource", "action"].contains(&kind))
        {
            key_lines.push((line_no, line.split('\t').collect()));
            continue;
        }
        let access_col = columns.next();
        let resources_col = columns.next();
        let extra = columns.count();
        let line_span = Span::new(offset, offset + line.len());
        if extra > 0 {
            return Err(CatalogError::at(
                CatalogErrorKind::TooManyColumns(3 + extra),
                Some(line_no),
                Some(line_span),
            ));
        }

        let action_text = action_col.trim();
        let action_offset = offset + (action_col.len() - action_col.trim_start().len());
        let action_span = Span::new(action_offset, action_offset + action_text.len());
        let (service, action_name) = split_action(action_text).map_err(|reason| {
            CatalogError::at(
                CatalogErrorKind::InvalidAction {
                    action: action_text.to_owned(),
                    reason,
                },
                Some(line_no),
                Some(action_span),
            )
        })?;

        let access = match access_col.map(str::trim) {
            None | Some("") => AccessLevel::Unknown,
            Some(level) => parse_access_level(level).ok_or_else(|| {
                let col_offset = offset + action_col.len() + 1;
                CatalogError::at(
                    CatalogErrorKind::UnknownAccessLevel(level.to_owned()),
                    Some(line_no),
                    Some(Span::new(
                        col_offset,
                        col_offset + access_col.map_or(0, str::len),
                    )),
                )
            })?,
        };
        let resource_types = resources_col.map(|col| {
            col.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect()
        });

        raw.push(RawAction {
            action: CatalogAction {
                service: service.to_owned(),
                name: action_name.to_owned(),
                access,
                resource_types,
            },
            line: Some(line_no),
            span: Some(action_span),
        });
    }
    let catalog = Catalog::build(name, raw)?;
    if key_lines.is_empty() {
        return Ok(catalog);
    }
    let keys = ConditionKeys::parse(key_lines.into_iter())
        .map_err(|(kind, line)| CatalogError::at(kind, Some(line), None))?;
    Ok(catalog.with_keys(keys))
}

/// Splits a catalog action `service:Action` and checks both parts: the
/// service is `[A-Za-z0-9.-]+` (SEMANTICS.md V9's vendor rule) and the name
/// `[A-Za-z0-9-]+` (V9's name characters without the wildcards).
pub(super) fn split_action(text: &str) -> Result<(&str, &str), &'static str> {
    let (service, name) = text.split_once(':').ok_or("expected `service:Action`")?;
    if name.contains(':') {
        return Err("more than one colon");
    }
    check_service(service)?;
    check_action_name(name)?;
    Ok((service, name))
}

pub(super) fn check_service(service: &str) -> Result<(), &'static str> {
    if service.is_empty() {
        return Err("empty service prefix");
    }
    if !service
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    {
        return Err("a service prefix may contain only letters, digits, `.` and `-`");
    }
    Ok(())
}

pub(super) fn check_action_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("empty action name");
    }
    if name.contains(['*', '?']) {
        return Err("catalog actions cannot contain wildcards");
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err("an action name may contain only letters, digits and `-`");
    }
    Ok(())
}
