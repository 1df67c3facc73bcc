//! Shared server state: the generated org, keys in force and request counters for tests.

use crate::SimConfig;
use crate::data::{self, DataSpec};
use crate::schema::Store;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

/// What the simulator has seen; tests read these to prove how a client behaved.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Counters {
    /// Calls per endpoint, keyed like `POST /v1/data/objects/query/company`.
    pub calls: BTreeMap<String, u64>,
    pub unauthorized: u64,
    pub missing_auth: u64,
    pub rate_limited: u64,
}

impl Counters {
    pub fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }
}

pub struct SimState {
    pub config: SimConfig,
    pub store: RwLock<Store>,
    pub cs_access_key: RwLock<String>,
    counters: Mutex<Counters>,
    request_seq: AtomicU64,
}

impl SimState {
    pub fn new(config: SimConfig) -> Self {
        let anchor_day = config.anchor_day.unwrap_or_else(today);
        let store = data::generate(&DataSpec {
            seed: config.seed,
            companies: config.companies,
            anchor_day,
        });
        SimState {
            cs_access_key: RwLock::new(config.cs_access_key.clone()),
            config,
            store: RwLock::new(store),
            counters: Mutex::new(Counters::default()),
            request_seq: AtomicU64::new(0),
        }
    }

    pub fn counters(&self) -> Counters {
        self.counters.lock().map(|c| c.clone()).unwrap_or_default()
    }

    pub fn count(&self, f: impl FnOnce(&mut Counters)) {
        if let Ok(mut c) = self.counters.lock() {
            f(&mut c);
        }
    }

    /// A request id that is unique per call yet the same for the same call sequence and seed.
    pub fn next_request_id(&self) -> String {
        let n = self.request_seq.fetch_add(1, Ordering::Relaxed) + 1;
        let x =
            (self.config.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        format!("{x:016x}-{n:08x}")
    }
}

fn today() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    secs.div_euclid(86_400)
}
