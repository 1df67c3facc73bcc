//! What the app holds while it runs: the core, and the cancel flags of the syncs it started.

use outpost::sync::{StreamProgress, SyncOptions, SyncSummary};
use outpost::{Outpost, Result};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub struct AppState {
    pub core: Outpost,
    /// Cancel flags of the syncs running now, by connection id.
    running: std::sync::Mutex<HashMap<String, Arc<AtomicBool>>>,
}

impl AppState {
    pub fn open(data_dir: &Path) -> Result<Self> {
        Ok(AppState { core: Outpost::open(data_dir)?, running: Default::default() })
    }

    /// Syncs one connection, remembering its cancel flag while it runs.
    pub async fn sync(
        &self,
        id: &str,
        progress: impl Fn(&StreamProgress) + Send + Sync,
    ) -> Result<SyncSummary> {
        let cancel = Arc::new(AtomicBool::new(false));
        if let Ok(mut running) = self.running.lock() {
            running.insert(id.to_string(), cancel.clone());
        }
        let result = self.core.sync(id, SyncOptions { cancel, ..Default::default() }, &progress).await;
        if let Ok(mut running) = self.running.lock() {
            running.remove(id);
        }
        result
    }

    pub fn cancel_sync(&self, id: &str) -> bool {
        let flag = self.running.lock().ok().and_then(|r| r.get(id).cloned());
        flag.map(|f| f.store(true, Ordering::SeqCst)).is_some()
    }

    pub fn is_syncing(&self, id: &str) -> bool {
        self.running.lock().is_ok_and(|r| r.contains_key(id))
    }
}
