//! gainsight-sim: a simulated Gainsight CS (NXT) and PX API server on loopback, for demos and tests.
//!
//! Start it in-process with [`start`] or run the `gainsight-sim` binary. Data is generated from a
//! seed (see [`data`]), so the same configuration always serves the same org. An [`OrgProfile`]
//! (`SimConfig::profile`, `--profile`, `PUT /__sim/profile`) makes the org differ from the default
//! shape the way real orgs do; the PX surface is described in [`px`]; the failures a test can
//! inject are in [`faults`].

pub mod config;
mod control;
mod cs;
pub mod data;
mod envelope;
pub mod faults;
mod mutate;
mod observe;
pub mod profile;
pub mod px;
pub mod query;
mod rng;
pub mod schema;
mod state;
pub mod time;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{
    DEMO_ACCESS_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PX_API_KEY, EmptyStyle, M2mStyle, OptionsStyle,
    PxKey, RateLimitStyle, Region, RowsStyle, SimConfig, TokenBody,
};
pub use profile::OrgProfile;
pub use query::DateStyle;
pub use state::{Counters, PX_ACCOUNT};

/// A simulator serving on loopback until [`RunningSim::stop`] is called or it is dropped.
pub struct RunningSim {
    addr: SocketAddr,
    state: Arc<state::SimState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningSim {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The CS instance URL an admin would enter, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn counters(&self) -> Counters {
        self.state.counters()
    }

    pub fn reset_counters(&self) {
        self.state.reset_counters();
    }

    pub fn add_fault(&self, rule: faults::FaultRule) {
        self.state.add_fault(rule);
    }

    pub fn clear_faults(&self) {
        self.state.set_faults(Vec::new());
    }

    /// Re-Generate the CS Access Key: the old one gets 401 from now on.
    pub fn rotate_cs_key(&self, new: &str) {
        self.state.rotate_cs_key(new);
    }

    /// Modifies `count` records of `object` now (companies move health band, CTAs close or reopen).
    pub fn modify(&self, object: &str, count: usize) -> Vec<String> {
        self.state.modify(object, count)
    }

    /// Deletes `count` records of `object` and logs them in `record_delete_log`.
    pub fn delete(&self, object: &str, count: usize) -> Vec<String> {
        self.state.delete(object, count)
    }

    /// Applies an org profile on top of the one in force (see [`OrgProfile`]); on an error nothing
    /// changes.
    pub fn apply_profile(&self, profile: &OrgProfile) -> Result<(), String> {
        self.state.apply_profile(profile)
    }

    /// The org profile in force: the configured one plus every one applied since.
    pub fn profile(&self) -> OrgProfile {
        self.state.profile()
    }

    pub fn rotate_px_key(&self, old: &str, new: &str) -> bool {
        self.state.rotate_px_key(old, new)
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Generates the org and starts serving on 127.0.0.1. Fails if the port is taken, or if the
/// configured [`OrgProfile`] does not fit the org (an `InvalidInput` error saying why).
pub async fn start(config: SimConfig) -> std::io::Result<RunningSim> {
    let state = state::SimState::new(config)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("profile: {e}")))?;
    let state = Arc::new(state);
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, state.config.port)).await?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new()
        .merge(cs::routes())
        .merge(px::router())
        .merge(control::routes())
        .fallback(cs::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe::layer))
        .with_state(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok(RunningSim { addr, state, shutdown: Some(tx), task: Some(task) })
}
