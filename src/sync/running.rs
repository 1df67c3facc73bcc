//! The one owner of "a sync of this connection is running": a lock file per connection (held by
//! whichever process syncs it, so the app and the CLI never sync one connection at once) and, in
//! this process, the running sync's cancel flag. The card's *Syncing*, the Cancel button, Ctrl-C in
//! the CLI and the scheduler all ask here; nothing else records it.

use crate::error::{Error, ErrorKind, Result};
use crate::outpost::Outpost;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The cancel flags of the syncs this process runs, by connection id.
#[derive(Default)]
pub(crate) struct Registry(Mutex<HashMap<String, Arc<AtomicBool>>>);

/// A sync that holds its connection: the lock file and its place in the registry, both released
/// when dropped.
pub(crate) struct Running<'a> {
    _lock: std::fs::File,
    registry: &'a Registry,
    id: String,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let mut map = self.registry.0.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&self.id);
    }
}

impl Outpost {
    /// Takes connection `id` for a sync whose cancel flag is `cancel`; `Conflict` while another
    /// sync of it runs, here or in another process.
    pub(crate) fn start_running(&self, id: &str, name: &str, cancel: Arc<AtomicBool>) -> Result<Running<'_>> {
        let lock = self.try_sync_lock(id)?.ok_or_else(|| {
            Error::new(ErrorKind::Conflict, format!("A sync of {name} is already running."))
                .with_hint("Wait for it to finish; its progress shows in the app or the other terminal.")
        })?;
        let mut map = self.running.0.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(id.to_string(), cancel);
        Ok(Running { _lock: lock, registry: &self.running, id: id.to_string() })
    }

    /// Whether a sync of connection `id` runs now, in this process or another.
    pub fn is_syncing(&self, id: &str) -> bool {
        let here = self.running.0.lock().unwrap_or_else(|p| p.into_inner()).contains_key(id);
        here || matches!(self.try_sync_lock(id), Ok(None))
    }

    /// Asks this process's running sync of `id` to stop after its current page; false when none runs here.
    pub fn cancel_sync(&self, id: &str) -> bool {
        let map = self.running.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(id).map(|flag| flag.store(true, Ordering::SeqCst)).is_some()
    }

    /// Asks every sync this process runs to stop (Ctrl-C in the CLI, quitting the app).
    pub fn cancel_all_syncs(&self) -> usize {
        let map = self.running.0.lock().unwrap_or_else(|p| p.into_inner());
        map.values().for_each(|flag| flag.store(true, Ordering::SeqCst));
        map.len()
    }

    /// The lock file a sync of connection `id` holds while it runs (`locks/sync-{id}.lock`), locked
    /// for the caller; `None` while a sync, in this process or another, holds it. Changes that must
    /// not happen under a running sync (mappings, objects, disconnect) hold it too.
    pub(crate) fn try_sync_lock(&self, id: &str) -> Result<Option<std::fs::File>> {
        let dir = self.data_dir().join("locks");
        crate::private::folder(&dir)?;
        // Not truncated: another process may hold a lock on it.
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options
            .open(dir.join(format!("sync-{id}.lock")))
            .map_err(|e| Error::new(ErrorKind::Database, format!("lock file: {e}")))?;
        Ok(file.try_lock().is_ok().then_some(file))
    }

    /// Runs left `running` by a process that was killed or crashed (nobody holds their lock) are
    /// recorded as interrupted. Returns whether it settled any.
    pub(crate) fn settle_stale_runs(&self, id: &str) -> Result<bool> {
        if !crate::db::runs::has_running(&*self.db()?, id)? {
            return Ok(false);
        }
        let Some(_lock) = self.try_sync_lock(id)? else { return Ok(false) };
        Ok(crate::db::runs::mark_interrupted(&*self.db()?, id)? > 0)
    }
}
