//! Files and output of the command line, in one place: the bounded reader
//! and the atomic writer ([`fsio`], the low level), the compiler's
//! [`FsLoader`], catalogs by name or file, tables (verified or not), and a
//! command's output to a file or to standard output, where a closed pipe
//! ends the command quietly ([`closed_output`]).

pub(crate) mod fsio;

use std::io::{Read, Write};
use std::path::Path;

use verdict_compiler::{Catalog, FileLoader};
use verdict_runtime::Table;

use crate::Io;

/// Reads files for the compiler from the file system through the bounded
/// reader: regular files only, at most `max_bytes`.
pub(crate) struct FsLoader {
    max_bytes: usize,
    /// Some load failed because the file could not be opened at all
    /// (missing, a directory, a special file, no permission), rather than
    /// refused for its size or content, which the inputs' errors report.
    pub(crate) unreadable: bool,
}

impl FsLoader {
    pub(crate) fn new(max_bytes: usize) -> FsLoader {
        FsLoader {
            max_bytes,
            unreadable: false,
        }
    }
}

impl FileLoader for FsLoader {
    fn load(&mut self, path: &str) -> Result<String, String> {
        let file = fsio::open_regular(Path::new(path)).inspect_err(|_| self.unreadable = true)?;
        fsio::read_text_from(file, self.max_bytes, " (raise with --limit input-bytes=N)")
    }
}

/// `res`, except that a closed standard output (its reader went away, as
/// with `| head -1`: EPIPE, since Rust programs ignore SIGPIPE) is not an
/// error: the command stops writing and ends quietly.
pub(crate) fn closed_output(res: std::io::Result<()>) -> std::io::Result<()> {
    match res {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

pub(crate) fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
        std::io::ErrorKind::NotADirectory => "a parent is not a directory".to_string(),
        _ => err.to_string().to_lowercase(),
    }
}

pub(crate) fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Loads a catalog by built-in name or from a file.
pub(crate) fn load_catalog(spec: &str) -> Result<Catalog, String> {
    if let Some(builtin) = Catalog::builtin(spec) {
        return Ok(builtin);
    }
    if !Path::new(spec).exists() {
        return Err(format!(
            "unknown catalog `{spec}`: not `chime`, `aws`, or an existing file"
        ));
    }
    let max_bytes = verdict_grammar::MAX_INPUT_BYTES;
    let text = FsLoader::new(max_bytes)
        .load(spec)
        .map_err(|why| format!("cannot read catalog `{spec}`: {why}"))?;
    let name = Path::new(spec)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(spec);
    Catalog::from_text(name, &text).map_err(|e| format!("invalid catalog `{spec}`: {e}"))
}

/// Writes a command's output, produced by `write`, to `path` (atomically)
/// or to standard output. Output is streamed: exports and diffs of large
/// tables are never held in memory whole.
pub(crate) fn write_output(
    path: Option<&Path>,
    io: &mut Io<'_>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    match path {
        Some(path) => write_atomically_with(path, write)
            .map_err(|why| format!("cannot write `{}`: {why}", path.display())),
        None => closed_output(write(io.stdout).and_then(|()| io.stdout.flush()))
            .map_err(|e| format!("cannot write to standard output: {}", io_reason(&e))),
    }
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, and renames it
/// over `path`: readers see the old table or the new one, never a part.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    write_atomically_with(path, |file| file.write_all(bytes))
}

/// [`write_atomically`] with the content written by `write`, buffered.
pub(crate) fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    fsio::write_atomically(path, None, write)
}

/// A table file to load, and what must vouch for it (`check --key` or
/// `--digest`) before it is used.
#[derive(Clone, Copy)]
pub(crate) struct TableSource<'a> {
    pub(crate) path: &'a Path,
    pub(crate) verifier: Option<&'a verdict_runtime::Verifier>,
}

impl TableSource<'_> {
    /// The table, verified first when a verifier is given: a table that
    /// fails verification is never used.
    pub(crate) fn open(self) -> Result<Table, String> {
        let path = self.path;
        let cannot =
            |why: &dyn std::fmt::Display| format!("cannot load table `{}`: {why}", path.display());
        // The bounded reader's refusals, in its words; `Table::open` then
        // reads the file with the same care (regular files only, bounded,
        // never blocking) straight into the table's buffer.
        fsio::open_regular(path).map_err(|why| cannot(&why))?;
        match self.verifier {
            None => Table::open(path).map_err(|e| cannot(&e)),
            Some(verifier) => Table::open_verified(path, verifier)
                .map_err(|err| format!("`{}` is not verified: {err}", path.display())),
        }
    }
}

/// The table file at `path`, unverified; every failure (missing, a
/// directory, unreadable, damaged, another format version) is an error
/// saying why.
pub(crate) fn open_table(path: &Path) -> Result<Table, String> {
    TableSource {
        path,
        verifier: None,
    }
    .open()
}

/// The text of a source file: a regular file of at most `MAX_INPUT_BYTES`,
/// UTF-8.
pub(crate) fn read_text(path: &Path) -> Result<String, String> {
    fsio::read_text(path, verdict_grammar::MAX_INPUT_BYTES, "")
        .map_err(|why| format!("cannot read `{}`: {why}", path.display()))
}

/// All of standard input, at most `MAX_INPUT_BYTES`, UTF-8.
pub(crate) fn read_stdin(io: &mut Io<'_>) -> Result<String, String> {
    let limit = verdict_grammar::MAX_INPUT_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    Read::take(&mut *io.stdin, limit)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {}", io_reason(&e)))?;
    if bytes.len() > verdict_grammar::MAX_INPUT_BYTES {
        return Err(format!(
            "cannot read standard input: larger than {} bytes",
            verdict_grammar::MAX_INPUT_BYTES
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "cannot read standard input: not UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Replaces the file at `path` (through symbolic links) with `text`: a
/// temporary file in the same folder with the old file's permissions,
/// synced, then renamed over it (see `fsio::write_atomically`). Readers see
/// the old text or the new one.
pub(crate) fn rewrite(path: &Path, text: &str) -> Result<(), String> {
    let target = std::fs::canonicalize(path).map_err(|e| io_reason(&e))?;
    let permissions = std::fs::metadata(&target)
        .map_err(|e| io_reason(&e))?
        .permissions();
    fsio::write_atomically(&target, Some(permissions), |file| {
        file.write_all(text.as_bytes())
    })
}
