//! `verdict man`: the manual page `verdict(1)` in roff, generated from the
//! clap definition (`args::command`): `clap_mangen` writes the title, name,
//! synopsis, description, global options and the list of commands; this
//! file adds a COMMANDS section (each command's description, arguments and
//! options) and an EXIT STATUS section gathered from each command's
//! `Exit status:` help, so the page says what `--help` says.

use std::fmt::Write as _;

use crate::args::ManArgs;
use crate::{CmdResult, Io, EXIT_OK};

/// Runs `verdict man`: the page on standard output, 0.
pub(crate) fn run(_args: ManArgs, io: &mut Io<'_>) -> CmdResult {
    let page = page().map_err(|why| format!("cannot render the manual page: {why}"))?;
    crate::files::closed_output(io.stdout.write_all(page.as_bytes()))
        .map_err(|why| format!("cannot write the manual page: {why}"))?;
    Ok(EXIT_OK)
}

/// The whole page.
pub(crate) fn page() -> std::io::Result<String> {
    let command = crate::args::command();
    let man = clap_mangen::Man::new(command.clone());
    let mut head = Vec::new();
    man.render_title(&mut head)?;
    man.render_name_section(&mut head)?;
    man.render_synopsis_section(&mut head)?;
    man.render_description_section(&mut head)?;
    man.render_options_section(&mut head)?;
    man.render_subcommands_section(&mut head)?;
    let mut page = String::from_utf8_lossy(&head).into_owned();
    page.push_str(&commands_section(&command));
    page.push_str(&exit_section(&command));
    let mut tail = Vec::new();
    man.render_version_section(&mut tail)?;
    page.push_str(&String::from_utf8_lossy(&tail));
    Ok(page)
}

/// Text as roff reads it literally: backslashes and hyphens escaped, and no
/// line starting with a control character.
fn roff(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    escaped
        .lines()
        .map(|line| {
            if line.starts_with('.') || line.starts_with('\'') {
                format!("\\&{line}")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `Exit status: …` sentence of a command's after-help, if it has one.
fn exit_status(command: &clap::Command) -> Option<String> {
    let help = command.get_after_help()?.to_string();
    let at = help.find("Exit status:")?;
    let rest = help.get(at + "Exit status:".len()..)?;
    Some(rest.trim().replace('\n', " "))
}

fn commands_section(command: &clap::Command) -> String {
    let mut out = String::from(".SH COMMANDS\n");
    for sub in command.get_subcommands() {
        let name = sub.get_name();
        let _ = writeln!(out, ".SS \"verdict {}\"", roff(name));
        if let Some(about) = sub.get_long_about().or_else(|| sub.get_about()) {
            let _ = writeln!(out, "{}", roff(&about.to_string()));
        }
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            let values: Vec<String> = arg
                .get_value_names()
                .map(|names| {
                    names
                        .iter()
                        .map(|n| format!("\\fI{}\\fR", roff(n)))
                        .collect()
                })
                .unwrap_or_default();
            let flag = if arg.is_positional() {
                values
                    .first()
                    .cloned()
                    .unwrap_or_else(|| format!("\\fI{}\\fR", roff(arg.get_id().as_str())))
            } else {
                let mut names = Vec::new();
                if let Some(short) = arg.get_short() {
                    names.push(format!("\\fB\\-{short}\\fR"));
                }
                if let Some(long) = arg.get_long() {
                    names.push(format!("\\fB\\-\\-{}\\fR", roff(long)));
                }
                let takes_value = arg.get_num_args().is_none_or(|n| n.takes_values())
                    && !matches!(
                        arg.get_action(),
                        clap::ArgAction::SetTrue | clap::ArgAction::Count
                    );
                let mut flag = names.join(", ");
                if takes_value {
                    if let Some(value) = values.first() {
                        flag.push(' ');
                        flag.push_str(value);
                    }
                }
                flag
            };
            let _ = writeln!(out, ".TP\n{flag}");
            if let Some(help) = arg.get_long_help().or_else(|| arg.get_help()) {
                let _ = writeln!(out, "{}", roff(&help.to_string()));
            }
        }
        if let Some(status) = exit_status(sub) {
            let _ = writeln!(out, ".PP\nExit status: {}", roff(&status));
        }
    }
    out
}

fn exit_section(command: &clap::Command) -> String {
    let mut out = String::from(
        ".SH \"EXIT STATUS\"\n0 success (a check allowed, no gate failed), \
         1 a check denied or a gate or lint failed, 2 usage, input or IO errors; per command:\n",
    );
    for sub in command.get_subcommands() {
        let status = exit_status(sub).unwrap_or_else(|| "0, or 2 on errors.".to_owned());
        let _ = writeln!(
            out,
            ".TP\n\\fBverdict {}\\fR\n{}",
            roff(sub.get_name()),
            roff(&status)
        );
    }
    out
}
