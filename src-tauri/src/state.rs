//! What the app holds while it runs: the core, and the in-app demo simulator when one is started.

use gainsight_sim::{RunningSim, SimConfig};
use outpost::connections::{ConnectInput, ConnectKind, PxTarget};
use outpost::gainsight::px::PxEndpoints;
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
    /// on the same port when free, and follow it when it had to move (PX keeps its `/px/{region}/v1`).
    pub async fn revive_demo(&self) -> Result<()> {
        for card in self.core.connection_cards()?.into_iter().filter(|c| c.is_demo) {
            let (origin, path) = split_origin(&card.instance_url);
            let port = origin.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0);
            let url = format!("{}{path}", self.demo_url(port).await?);
            if url != card.instance_url {
                self.core.set_instance_url(&card.id, &url)?;
            }
        }
        Ok(())
    }

    /// Where PX region names point for this input: the running demo org for its well-known PX
    /// key, the real Gainsight regions otherwise. `Some` marks a demo connection.
    pub async fn demo_px_endpoints(&self, input: &ConnectInput) -> Option<PxEndpoints> {
        let ConnectKind::Px { api_key, .. } = &input.kind else { return None };
        if api_key.trim() != gainsight_sim::DEMO_PX_API_KEY {
            return None;
        }
        let demo = self.demo.lock().await;
        PxEndpoints::simulator(&demo.as_ref()?.base_url()).ok()
    }

    /// Whether the input is for the running demo org (CS by its URL, PX by its key or URL).
    pub async fn is_demo_input(&self, input: &ConnectInput) -> bool {
        match &input.kind {
            ConnectKind::Cs { instance_url, .. } => self.is_demo_url(instance_url).await,
            ConnectKind::Px { target: PxTarget::Url(url), .. } => {
                self.is_demo_url(split_origin(url.trim()).0).await
            }
            ConnectKind::Px { .. } => self.demo_px_endpoints(input).await.is_some(),
        }
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

/// `http://127.0.0.1:4000/px/us/v1` → (`http://127.0.0.1:4000`, `/px/us/v1`).
fn split_origin(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => url.split_at(after_scheme + i),
        None => (url, ""),
    }
}

fn sim_err(e: std::io::Error) -> Error {
    Error::new(ErrorKind::Internal, format!("Could not start the demo org: {e}."))
}

#[cfg(test)]
mod tests {
    use super::split_origin;

    #[test]
    fn demo_urls_split_into_origin_and_path() {
        assert_eq!(split_origin("http://127.0.0.1:4000/px/us/v1"), ("http://127.0.0.1:4000", "/px/us/v1"));
        assert_eq!(split_origin("http://127.0.0.1:4000"), ("http://127.0.0.1:4000", ""));
    }
}
