//! Hot reload for long-running services: [`TableHandle`] holds the table a
//! service answers from and swaps in a new one atomically when asked to
//! reload.
//!
//! Readers never block and never see a mix of two tables: [`TableHandle::current`]
//! hands out the whole table that was current at that instant, and a reload
//! replaces it in one atomic pointer swap, after the new table was read and
//! fully validated. A file that fails validation is never swapped in: the old
//! table keeps serving and the failure is returned and kept for
//! [`TableHandle::last_error`]. Nothing here decides *when* to reload (a
//! signal, a timer, a file watcher): that is the service's business.

/* Design note.

The current table lives in an `arc_swap::ArcSwap<Table>`: a load is a few
atomic operations and never waits for a writer, a store is one pointer swap.
A reader that took a snapshot keeps that table alive (it is an `Arc`) until
it drops it, however many reloads happen meanwhile, so a sequence of checks
on one snapshot is always answered by one table.

Reloads are serialised by a mutex that only reloaders take, so the
generation counter and the last error are updated in the same order as the
swaps. Readers never touch that mutex. A reload does all its work (reading,
checksum, decoding, validation) before it swaps, so a slow or failing reload
costs readers nothing. */

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arc_swap::{ArcSwap, ArcSwapOption, Guard};

use crate::error::LoadError;
use crate::table::Table;

/// A table that can be replaced while it is being read.
///
/// Share it between threads (it is `Send + Sync`; put it in an `Arc` or a
/// `static`). Readers call [`current`](TableHandle::current) or
/// [`snapshot`](TableHandle::snapshot); a reloader calls
/// [`reload`](TableHandle::reload) (re-reads the file) or
/// [`reload_from_bytes`](TableHandle::reload_from_bytes).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use verdict_runtime::{Decision, Table, TableHandle, Cell, AccessLevel};
/// use verdict_runtime::parts::TableParts;
/// # let parts = TableParts {
/// #     catalog: "chime".to_owned(),
/// #     principals: vec!["user/alice".to_owned()],
/// #     principal_arns: vec![String::new()],
/// #     actions: vec!["chime:ListUsers".to_owned()],
/// #     action_access: vec![AccessLevel::List],
/// #     action_wildcard_only: vec![true],
/// #     principal_row: vec![0],
/// #     action_col: vec![0],
/// #     n_rows: 1,
/// #     n_cols: 1,
/// #     cells: vec![Cell::Allow],
/// #     ..TableParts::default()
/// # };
/// # let dir = std::env::temp_dir().join(format!("verdict-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// # let path = dir.join("org.vdt");
/// # std::fs::write(&path, Table::from_parts(parts)?.to_bytes())?;
/// let tables = TableHandle::open(&path)?;
///
/// // Request handlers: one snapshot per request.
/// let table = tables.current();
/// assert_eq!(table.check("user/alice", "chime:ListUsers")?, Decision::Allow);
///
/// // Elsewhere, after the pipeline shipped a new file: swap it in.
/// std::fs::write(&path, b"not a table")?;
/// assert!(tables.reload().is_err());           // rejected, reported...
/// assert!(tables.last_error().is_some());
/// assert_eq!(tables.generation(), 1);          // ...and the old table still serves
/// assert_eq!(tables.current().check("user/alice", "chime:ListUsers")?, Decision::Allow);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct TableHandle {
    /// The file [`reload`](TableHandle::reload) reads; `None` for a handle
    /// made from a table.
    path: Option<PathBuf>,
    current: ArcSwap<Table>,
    /// Number of tables swapped in, the first one included.
    generation: AtomicU64,
    /// The failure of the most recent reload, `None` if it succeeded.
    last_error: ArcSwapOption<LoadError>,
    /// Taken by reloaders only, never by readers.
    reloading: Mutex<()>,
    /// INVARIANT: when set, every table swapped in passed it, the first one
    /// included.
    #[cfg(feature = "verify")]
    verifier: Option<crate::sign::Verifier>,
}

/// The table that was current when [`TableHandle::snapshot`] was called; it
/// stays valid (and unchanged) for as long as the snapshot lives.
///
/// Cheaper than [`TableHandle::current`] for a short-lived borrow (one
/// request); hold it for the duration of one request, not for ever: a
/// thread holding many snapshots falls back to the slower path.
pub struct Snapshot(Guard<Arc<Table>>);

impl std::ops::Deref for Snapshot {
    type Target = Table;

    fn deref(&self) -> &Table {
        &self.0
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl TableHandle {
    /// Loads the table file at `path`; [`reload`](TableHandle::reload) reads
    /// the same path again.
    ///
    /// # Errors
    /// Any error of [`Table::open`]: a service cannot start without a valid
    /// table.
    ///
    /// # Panics
    /// Never.
    pub fn open(path: impl AsRef<Path>) -> Result<TableHandle, LoadError> {
        let path = path.as_ref();
        let table = Table::open(path)?;
        let mut handle = TableHandle::new(table);
        handle.path = Some(path.to_owned());
        Ok(handle)
    }

    /// A handle serving `table`, with no file behind it: reload it with
    /// [`reload_from_bytes`](TableHandle::reload_from_bytes) or
    /// [`replace`](TableHandle::replace).
    #[must_use]
    pub fn new(table: Table) -> TableHandle {
        TableHandle {
            path: None,
            current: ArcSwap::from_pointee(table),
            generation: AtomicU64::new(1),
            last_error: ArcSwapOption::empty(),
            reloading: Mutex::new(()),
            #[cfg(feature = "verify")]
            verifier: None,
        }
    }

    /// Loads the table file at `path` if it passes `verifier` (a signature
    /// by its key, or its digest), checked before anything else of the file;
    /// every later [`reload`](TableHandle::reload),
    /// [`reload_from_bytes`](TableHandle::reload_from_bytes) and
    /// [`replace`](TableHandle::replace) is checked the same way, so a table
    /// that fails verification is never served.
    ///
    /// # Errors
    /// Any error of [`Table::open_verified`].
    ///
    /// # Panics
    /// Never.
    #[cfg(feature = "verify")]
    pub fn open_verified(
        path: impl AsRef<Path>,
        verifier: crate::sign::Verifier,
    ) -> Result<TableHandle, LoadError> {
        let path = path.as_ref();
        let table = Table::open_verified(path, &verifier)?;
        let mut handle = TableHandle::new(table);
        handle.path = Some(path.to_owned());
        handle.verifier = Some(verifier);
        Ok(handle)
    }

    /// A handle serving `table` if it passes `verifier`, with no file behind
    /// it; later tables are checked the same way (see
    /// [`open_verified`](TableHandle::open_verified)).
    ///
    /// # Errors
    /// `table` fails `verifier`.
    #[cfg(feature = "verify")]
    pub fn new_verified(
        table: Table,
        verifier: crate::sign::Verifier,
    ) -> Result<TableHandle, LoadError> {
        table.verify(&verifier)?;
        let mut handle = TableHandle::new(table);
        handle.verifier = Some(verifier);
        Ok(handle)
    }

    /// The table file at `path`, loaded, and verified if the handle verifies.
    fn load_file(&self, path: &Path) -> Result<Table, LoadError> {
        #[cfg(feature = "verify")]
        if let Some(verifier) = &self.verifier {
            return Table::open_verified(path, verifier);
        }
        Table::open(path)
    }

    /// `bytes`, loaded, and verified if the handle verifies.
    fn load_bytes(&self, bytes: &[u8]) -> Result<Table, LoadError> {
        #[cfg(feature = "verify")]
        if let Some(verifier) = &self.verifier {
            return Table::from_bytes_verified(bytes, verifier);
        }
        Table::from_bytes(bytes)
    }

    /// The file this handle reloads from, if it was opened from one.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The current table. Never blocks; the table stays alive and unchanged
    /// while the caller holds it, whatever reloads happen meanwhile.
    #[must_use]
    pub fn current(&self) -> Arc<Table> {
        self.current.load_full()
    }

    /// Like [`current`](TableHandle::current), without touching the
    /// reference count in the common case: for the span of one request.
    #[must_use]
    pub fn snapshot(&self) -> Snapshot {
        Snapshot(self.current.load())
    }

    /// Re-reads the file the handle was opened from and, if it is a valid
    /// table, swaps it in. Returns the new [`generation`](TableHandle::generation).
    ///
    /// # Errors
    /// The file cannot be read or is not a valid table (any error of
    /// [`Table::open`], or of `Table::open_verified` on a handle that
    /// verifies), or the handle has no file. The current table is then
    /// unchanged and the error is also kept for [`last_error`](TableHandle::last_error).
    ///
    /// # Panics
    /// Never.
    pub fn reload(&self) -> Result<u64, Arc<LoadError>> {
        let _reloading = self.lock();
        let loaded = match &self.path {
            Some(path) => self.load_file(path),
            None => Err(LoadError::invalid(
                "this table handle has no file to reload from",
            )),
        };
        self.install(loaded)
    }

    /// Validates `bytes` and, if they are a valid table, swaps it in. Returns
    /// the new [`generation`](TableHandle::generation).
    ///
    /// # Errors
    /// Any error of [`Table::from_bytes`] (of `Table::from_bytes_verified` on
    /// a handle that verifies); the current table is then unchanged
    /// and the error is kept for [`last_error`](TableHandle::last_error).
    ///
    /// # Panics
    /// Never.
    pub fn reload_from_bytes(&self, bytes: &[u8]) -> Result<u64, Arc<LoadError>> {
        let _reloading = self.lock();
        self.install(self.load_bytes(bytes))
    }

    /// Swaps in a table that is already loaded (and so validated). Returns
    /// the new [`generation`](TableHandle::generation) and clears
    /// [`last_error`](TableHandle::last_error).
    ///
    /// On a handle that verifies (`open_verified`, feature `verify`), a
    /// table that fails the verifier is not swapped in: the error is kept
    /// for [`last_error`](TableHandle::last_error) and the generation
    /// returned is the current one, unchanged.
    pub fn replace(&self, table: Table) -> u64 {
        let _reloading = self.lock();
        #[cfg(feature = "verify")]
        if let Some(verifier) = &self.verifier {
            if let Err(err) = table.verify(verifier) {
                self.last_error.store(Some(Arc::new(err)));
                return self.generation();
            }
        }
        self.swap_in(table)
    }

    /// How many tables were swapped in, counting the first: 1 until the first
    /// successful reload. Failed reloads do not count.
    #[must_use]
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Why the most recent reload failed; `None` if it succeeded or there was
    /// none yet.
    #[must_use]
    pub fn last_error(&self) -> Option<Arc<LoadError>> {
        self.last_error.load_full()
    }

    /// Swaps `table` in and returns the new generation. Called with the
    /// reload lock held.
    fn swap_in(&self, table: Table) -> u64 {
        self.current.store(Arc::new(table));
        let generation = self
            .generation
            .fetch_add(1, Ordering::AcqRel)
            .saturating_add(1);
        self.last_error.store(None);
        generation
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        // The mutex guards no data, so a reloader that panicked (it cannot:
        // nothing under the lock panics) leaves nothing half-done.
        self.reloading
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Swaps in `loaded` if it is a table, else records the error. Called
    /// with the reload lock held.
    fn install(&self, loaded: Result<Table, LoadError>) -> Result<u64, Arc<LoadError>> {
        match loaded {
            Ok(table) => Ok(self.swap_in(table)),
            Err(err) => {
                let err = Arc::new(err);
                self.last_error.store(Some(Arc::clone(&err)));
                Err(err)
            }
        }
    }
}

#[cfg(test)]
mod tests;
