//! The `verdict` binary: hands the process arguments and standard streams to
//! [`verdict::run`] and exits with its status. Everything else is in the
//! library so tests can drive it.
#![forbid(unsafe_code)]

use std::io::Write;

fn main() {
    let stdin = std::io::stdin();
    let mut stdin = stdin.lock();
    let stdout = std::io::stdout();
    let mut stdout = std::io::BufWriter::new(stdout.lock());
    // Not locked for the whole run: the progress spinner's thread writes to
    // standard error too, and would wait for the lock forever.
    let mut stderr = std::io::stderr();
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let color = std::env::var_os("NO_COLOR").is_none() && terminal;
    let mut io = verdict::Io {
        stdin: &mut stdin,
        stdout: &mut stdout,
        stderr: &mut stderr,
        color,
        progress: terminal,
    };
    let status = verdict::run(std::env::args_os(), &mut io);
    let _ = stdout.flush();
    std::process::exit(status);
}
