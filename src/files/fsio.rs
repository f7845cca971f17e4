//! Every file the CLI reads or writes goes through here: one bounded reader
//! (regular files only, never more than the limit plus one byte, never
//! blocking on a FIFO) and one atomic writer (an exclusively created,
//! unpredictably named temporary beside the output, synced, renamed, the
//! directory synced; stale temporaries of killed runs removed).
//!
//! Standard input is not read here: the commands that document `-` read it
//! from [`Io`](crate::Io) with their own bounds.

/* Design note.

Reading. A path is opened with `O_NONBLOCK` (unix), so opening a FIFO without
a writer returns at once instead of waiting for one, and the type is checked
on the opened handle (`File::metadata` is `fstat`), so there is no window
between the check and the open in which the path could be swapped for a FIFO
or a device. Anything but a regular file is refused. For regular files
`O_NONBLOCK` has no effect on reads. The length from the metadata is only a
capacity hint: reads go through `take(limit + 1)`, so `/proc` files that
claim 0 bytes, or a file that grows while it is read, can never make us hold
more than the limit plus one byte; one byte more than the limit is the error.

Writing. The temporary is `.NAME.verdict-PID-RANDOM.tmp` in the output's
folder (so the rename stays on one file system), created with `create_new`
(`O_CREAT | O_EXCL`: never through an existing name, a symbolic link
included) and a name drawn from `RandomState` (randomly keyed per process),
the time and a counter, so it cannot be planted beforehand; a collision is
retried with a new name. The rename replaces the output's directory entry,
never what a link there points to. A run killed between create and rename
leaves its temporary behind; the next write of the same output removes the
temporaries of that output whose writer is gone: names of exactly our
pattern, regular files (by `lstat`: links are never followed, nor removed),
owned by the user we run as (the owner of the temporary we just created),
with one link, and a PID that is not alive (`/proc/PID`; where `/proc` is
absent nothing is removed, as liveness cannot be told). A PID reused by a
live process only delays the removal. */

use std::fs::{File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Why a bounded read failed.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The file holds more than the limit.
    TooLarge(usize),
    /// Not a regular file, or an I/O error: the reason, in words.
    Other(String),
}

impl ReadError {
    /// The reason in words; `hint` is appended to a "too large" reason (e.g.
    /// the option that raises the limit).
    pub(crate) fn reason(&self, hint: &str) -> String {
        match self {
            ReadError::TooLarge(limit) => format!("larger than {limit} bytes{hint}"),
            ReadError::Other(why) => why.clone(),
        }
    }
}

/// `O_NONBLOCK`, so that opening a FIFO never waits for a writer.
#[cfg(unix)]
fn open_flags() -> i32 {
    libc::O_NONBLOCK
}

/// Opens `path` for reading if it is a regular file (following links to
/// one), without ever blocking; the type is checked on the opened handle.
pub(crate) fn open_regular(path: &Path) -> Result<File, String> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(open_flags());
    }
    let file = options.open(path).map_err(|e| super::io_reason(&e))?;
    let meta = file.metadata().map_err(|e| super::io_reason(&e))?;
    if meta.is_file() {
        return Ok(file);
    }
    Err(if meta.is_dir() {
        "is a directory".to_string()
    } else {
        format!("not a regular file ({})", file_kind(&meta))
    })
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    let _ = meta;
    "a special file"
}

/// All the bytes of the regular file at `path`, at most `limit` of them.
pub(crate) fn read_bounded(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    let file = open_regular(path).map_err(ReadError::Other)?;
    read_all_bounded(file, limit)
}

/// The rest of `file`, at most `limit` bytes.
pub(crate) fn read_all_bounded(mut file: File, limit: usize) -> Result<Vec<u8>, ReadError> {
    let hint = file
        .metadata()
        .ok()
        .and_then(|m| usize::try_from(m.len()).ok())
        .unwrap_or(0);
    let cap = limit.saturating_add(1);
    let mut bytes = Vec::with_capacity(hint.min(cap));
    (&mut file)
        .take(cap as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Other(super::io_reason(&e)))?;
    if bytes.len() > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(bytes)
}

/// The UTF-8 text of the regular file at `path`, at most `limit` bytes.
pub(crate) fn read_text(path: &Path, limit: usize, hint: &str) -> Result<String, String> {
    read_text_from(open_regular(path)?, limit, hint)
}

/// The UTF-8 text of the rest of `file`, at most `limit` bytes; `hint` is
/// appended to a "too large" reason.
pub(crate) fn read_text_from(file: File, limit: usize, hint: &str) -> Result<String, String> {
    let bytes = read_all_bounded(file, limit).map_err(|e| e.reason(hint))?;
    String::from_utf8(bytes)
        .map_err(|e| format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to()))
}

/// The first bytes of the regular file at `path`, up to `n` of them.
pub(crate) fn read_head(path: &Path, n: usize) -> Result<Vec<u8>, String> {
    let mut file = open_regular(path)?;
    let mut head = Vec::with_capacity(n);
    (&mut file)
        .take(n as u64)
        .read_to_end(&mut head)
        .map_err(|e| super::io_reason(&e))?;
    file.rewind().map_err(|e| super::io_reason(&e))?;
    Ok(head)
}

/// The suffix of every temporary of ours.
const TMP_SUFFIX: &str = ".tmp";
/// Between the output's name and the PID.
const TMP_INFIX: &str = ".verdict-";

/// A number nobody can guess before we draw it.
fn unpredictable() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    hasher.write_u128(now);
    hasher.finish()
}

/// The temporary's name for output `name`, written by process `pid`.
fn tmp_name(name: &str, pid: u32, random: u64) -> String {
    format!(".{name}{TMP_INFIX}{pid}-{random:016x}{TMP_SUFFIX}")
}

/// The PID in `file_name` if it is a temporary of output `name`.
fn tmp_pid(file_name: &str, name: &str) -> Option<u32> {
    let rest = file_name
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix(TMP_INFIX)?
        .strip_suffix(TMP_SUFFIX)?;
    let (pid, random) = rest.split_once('-')?;
    let digits =
        |s: &str, n: usize| s.len() <= n && !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(pid, 10) || random.len() != 16 || !random.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    pid.parse().ok()
}

/// Whether process `pid` may still be running (true when it cannot be told).
fn may_be_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if !Path::new("/proc/self").exists() {
        return true;
    }
    Path::new("/proc").join(pid.to_string()).exists()
}

/// Removes the temporaries of output `name` in `dir` left by writers that are
/// gone (see the design note); `uid` is ours. Errors are ignored: this is
/// housekeeping.
#[cfg(unix)]
fn remove_stale(dir: &Path, name: &str, uid: u32) {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|f| tmp_pid(f, name)) else {
            continue;
        };
        if may_be_alive(pid) {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_file() && meta.uid() == uid && meta.nlink() == 1 {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// The folder and file name of output `path`.
fn split_output(path: &Path) -> Result<(PathBuf, String), String> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or("not a file name (or not UTF-8)")?
        .to_string();
    Ok((dir, name))
}

/// Creates a fresh temporary beside the output: never an existing name.
fn create_tmp(dir: &Path, name: &str) -> Result<(PathBuf, File), String> {
    let mut last = String::new();
    for _ in 0..16 {
        let tmp = dir.join(tmp_name(name, std::process::id(), unpredictable()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW);
        }
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                last = super::io_reason(&e);
            }
            Err(e) => return Err(super::io_reason(&e)),
        }
    }
    Err(format!("cannot create a temporary file: {last}"))
}

/// Replaces `path` with what `write` writes, atomically: readers see the old
/// file or the new one, never a part; a link at `path` is replaced, never
/// written through. With `permissions`, the new file gets them.
pub(crate) fn write_atomically(
    path: &Path,
    permissions: Option<std::fs::Permissions>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    write_via_temporary(path, permissions, false, write)
}

/// [`write_atomically`], except that an existing `path` (a link included) is
/// never replaced: the temporary is hard-linked to `path`, which fails if the
/// name exists, with no window between the check and the write.
pub(crate) fn write_new(
    path: &Path,
    permissions: Option<std::fs::Permissions>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    write_via_temporary(path, permissions, true, write)
}

fn write_via_temporary(
    path: &Path,
    permissions: Option<std::fs::Permissions>,
    no_clobber: bool,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    let (dir, name) = split_output(path)?;
    let (tmp, file) = create_tmp(&dir, &name)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = file.metadata() {
            remove_stale(&dir, &name, meta.uid());
        }
    }
    let result = (|| {
        // Before a byte is written: a private key is never readable by
        // others, not even in the temporary.
        if let Some(permissions) = permissions {
            file.set_permissions(permissions)
                .map_err(|e| super::io_reason(&e))?;
        }
        let mut buffered = std::io::BufWriter::new(file);
        write(&mut buffered).map_err(|e| super::io_reason(&e))?;
        let file = buffered
            .into_inner()
            .map_err(|e| super::io_reason(e.error()))?;
        file.sync_all().map_err(|e| super::io_reason(&e))?;
        drop(file);
        if no_clobber {
            std::fs::hard_link(&tmp, path).map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => "already exists".to_string(),
                _ => super::io_reason(&e),
            })?;
            std::fs::remove_file(&tmp).map_err(|e| super::io_reason(&e))
        } else {
            std::fs::rename(&tmp, path).map_err(|e| super::io_reason(&e))
        }
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return result;
    }
    // The rename is durable once the folder is synced. Some file systems
    // cannot sync a folder; the file itself is synced already.
    if let Ok(dir) = File::open(&dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tmp_names_round_trip_and_nothing_else_matches() {
        let name = tmp_name("out.vdt", 4242, 0xdead_beef);
        assert_eq!(tmp_pid(&name, "out.vdt"), Some(4242));
        assert_eq!(tmp_pid(&name, "out.vd"), None);
        for other in [
            ".out.vdt.tmp4242",
            ".out.vdt.verdict-4242-00000000deadbeef",
            ".out.vdt.verdict-4242-deadbeef.tmp",
            ".out.vdt.verdict--00000000deadbeef.tmp",
            ".out.vdt.verdict-42x2-00000000deadbeef.tmp",
            "out.vdt.verdict-4242-00000000deadbeef.tmp",
            ".out.vdt.verdict-4242-00000000deadbeeg.tmp",
        ] {
            assert_eq!(tmp_pid(other, "out.vdt"), None, "{other}");
        }
    }

    #[test]
    fn names_differ_between_draws() {
        assert_ne!(unpredictable(), unpredictable());
    }
}
