//! gainsight-sim: a simulated Gainsight CS (NXT) and PX API server on loopback, for demos and tests.
//!
//! Start it in-process with [`start`] or run the `gainsight-sim` binary. Data is generated from a
//! seed (see [`data`]), so the same configuration always serves the same org.

mod cs;
pub mod data;
mod envelope;
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

pub use query::DateStyle;
pub use state::Counters;

/// The demo org's Access Key. It is public on purpose: `outpost demo` prints it and the desktop app
/// fills it in, so no one mistakes it for a secret.
pub const DEMO_ACCESS_KEY: &str = "demo-cs-access-key-0000000000000000";

#[derive(Clone, Debug)]
pub struct SimConfig {
    /// 0 picks any free port.
    pub port: u16,
    pub seed: u64,
    pub companies: usize,
    /// The simulated "today" (days since 1970-01-01); `None` uses the current UTC date.
    pub anchor_day: Option<i64>,
    pub cs_access_key: String,
    pub latency_ms: u64,
    pub dates: DateStyle,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            port: 0,
            seed: 42,
            companies: 50,
            anchor_day: None,
            cs_access_key: DEMO_ACCESS_KEY.to_string(),
            latency_ms: 0,
            dates: DateStyle::EpochMs,
        }
    }
}

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

/// Generates the org and starts serving on 127.0.0.1. Fails if the port is taken.
pub async fn start(config: SimConfig) -> std::io::Result<RunningSim> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
    let addr = listener.local_addr()?;
    let state = Arc::new(state::SimState::new(config));
    let app = cs::router(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok(RunningSim {
        addr,
        state,
        shutdown: Some(tx),
        task: Some(task),
    })
}
