//! What the app holds while it runs: the core, and the in-app demo simulator when one is started.

use gainsight_sim::{RunningSim, SimConfig};
use outpost::sync::{StreamProgress, SyncOptions, SyncSummary};
use outpost::{Error, ErrorKind, Outpost, Result};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::Mutex;

pub struct AppState {
    pub core: Outpost,
    demo: Mutex<Option<RunningSim>>,
    /// Cancel flags of the syncs running now, by connection id.
    running: std::sync::Mutex<HashMap<String, Arc<AtomicBool>>>,
}

impl AppState {
    pub fn open(data_dir: &Path) -> Result<Self> {
        Ok(AppState { core: Outpost::open(data_dir)?, demo: Mutex::new(None), running: Default::default() })
    }

    /// Starts the demo org once per app run (on `port` when given and free) and returns its URL.
    pub async fn demo_url(&self, port: u16) -> Result<String> {
        let mut demo = self.demo.lock().await;
        if let Some(sim) = demo.as_ref() {
            return Ok(sim.base_url());
        }
        let sim = match gainsight_sim::start(SimConfig { port, ..Default::default() }).await {
            Ok(sim) => sim,
            Err(_) if port != 0 => gainsight_sim::start(SimConfig::default()).await.map_err(sim_err)?,
            Err(e) => return Err(sim_err(e)),
        };
        let url = sim.base_url();
        *demo = Some(sim);
        Ok(url)
    }

    /// A saved demo connection points at a simulator that died with the last run: start it again,
    /// on the same port when free, and follow it when it had to move.
    pub async fn revive_demo(&self) -> Result<()> {
        for card in self.core.connection_cards()?.into_iter().filter(|c| c.is_demo) {
            let port = url_port(&card.instance_url).unwrap_or(0);
            let url = self.demo_url(port).await?;
            if url != card.instance_url {
                self.core.set_instance_url(&card.id, &url)?;
            }
        }
        Ok(())
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

    pub async fn is_demo_url(&self, url: &str) -> bool {
        self.demo.lock().await.as_ref().is_some_and(|sim| sim.base_url() == url.trim_end_matches('/'))
    }
}

fn url_port(url: &str) -> Option<u16> {
    url.rsplit(':').next()?.trim_end_matches('/').parse().ok()
}

fn sim_err(e: std::io::Error) -> Error {
    Error::new(ErrorKind::Internal, format!("Could not start the demo org: {e}."))
}
