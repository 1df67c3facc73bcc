//! Shared server state: the generated org, keys in force, limits, the fault plan and the counters
//! tests read.

use crate::config::{PxKey, SimConfig};
use crate::data::{self, DataSpec};
use crate::faults::{FaultPlan, FaultRule};
use crate::profile::OrgProfile;
use crate::px::PxData;
use crate::schema::{Object, Store};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The object name under which the control API's modify and delete reach PX accounts.
pub const PX_ACCOUNT: &str = "px_account";

/// What the simulator has seen; tests read these to prove how a client behaved.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Counters {
    /// Calls per endpoint, keyed like `POST /v1/data/objects/query/company`.
    pub calls: BTreeMap<String, u64>,
    /// Calls with a wrong key or token.
    pub unauthorized: u64,
    /// Calls with no auth header at all.
    pub missing_auth: u64,
    /// 429s sent (by the limiter or a fault).
    pub rate_limited: u64,
    /// Most requests in flight at once.
    pub peak_concurrency: u64,
    /// Most CS calls let through in one rate window (of the org's limit per window).
    pub peak_window_calls: u64,
}

impl Counters {
    pub fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }

    /// Calls whose endpoint key contains `part` (e.g. `query/company`).
    pub fn calls_to(&self, part: &str) -> u64 {
        self.calls.iter().filter(|(k, _)| k.contains(part)).map(|(_, v)| v).sum()
    }
}

#[derive(Default)]
struct Window {
    index: u64,
    used: u32,
}

#[derive(Default)]
struct Limits {
    cs_window: Window,
    cs_day: Window,
    px_second: Window,
}

/// A cached row order: the store generation it was sorted at, and the row positions in order.
type RowOrder = (u64, Arc<Vec<u32>>);

pub struct SimState {
    pub config: SimConfig,
    pub anchor_day: i64,
    pub store: RwLock<Store>,
    pub cs_access_key: RwLock<String>,
    pub cs_client_secret: RwLock<String>,
    pub px: RwLock<PxData>,
    pub px_keys: RwLock<Vec<PxKey>>,
    /// The org profile in force: the configured one plus every one applied since.
    pub profile: RwLock<OrgProfile>,
    pub faults: Mutex<FaultPlan>,
    /// Issued M2M bearer tokens and when each expires.
    tokens: Mutex<HashMap<String, SystemTime>>,
    counters: Mutex<Counters>,
    limits: Mutex<Limits>,
    in_flight: AtomicU64,
    request_seq: AtomicU64,
    mutation_seq: AtomicU64,
    /// Bumped on every change to `store` (see [`SimState::write_store`]): a row order cached at
    /// an older generation is stale.
    store_generation: AtomicU64,
    /// Row orders per object and `orderBy`, with the generation each was computed at, so a keyset
    /// page walks an order already sorted (see [`crate::query::page_in_order`]).
    row_orders: Mutex<HashMap<(String, String), RowOrder>>,
}

/// Decrements the in-flight count when a request finishes.
pub struct InFlight<'a>(&'a AtomicU64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// Counts one call in a fixed window of `len` seconds; `Some(time to the window's end)` when over `limit`.
fn take(w: &mut Window, len: u64, limit: u32, now: Duration) -> Option<Duration> {
    let index = now.as_secs() / len.max(1);
    if index != w.index {
        *w = Window { index, used: 0 };
    }
    if w.used >= limit {
        let end = Duration::from_secs((index + 1) * len.max(1));
        return Some(end.saturating_sub(now));
    }
    w.used += 1;
    None
}

impl SimState {
    /// The org of `config`; `Err` when its profile does not fit the generated org.
    pub fn new(config: SimConfig) -> Result<Self, String> {
        let anchor_day = config.anchor_day.unwrap_or_else(|| now().as_secs() as i64 / 86_400);
        let mut store = data::generate(&DataSpec {
            seed: config.seed,
            companies: config.companies,
            anchor_day,
            measure_history: config.measure_history,
        });
        if let Some((fact, history)) = &config.scorecard_objects {
            // The generated objects exist; a name another object already has is refused, and
            // the object keeps its default name.
            let _ = store.rename(data::FACT_OBJECT, fact, None);
            let _ = store.rename(data::HISTORY_OBJECT, history, None);
        }
        // PX is generated from the org as generated, so a profile changes CS alone.
        let px = PxData::generate(&config, &store, anchor_day);
        config.profile.apply(&mut store)?;
        let profile = config.profile.clone();
        Ok(SimState {
            cs_access_key: RwLock::new(config.cs_access_key.clone()),
            cs_client_secret: RwLock::new(config.cs_client_secret.clone()),
            px: RwLock::new(px),
            px_keys: RwLock::new(config.px_keys.clone()),
            profile: RwLock::new(profile),
            faults: Mutex::new(FaultPlan::new(config.seed)),
            tokens: Mutex::new(HashMap::new()),
            anchor_day,
            config,
            store: RwLock::new(store),
            counters: Mutex::new(Counters::default()),
            limits: Mutex::new(Limits::default()),
            in_flight: AtomicU64::new(0),
            request_seq: AtomicU64::new(0),
            mutation_seq: AtomicU64::new(0),
            store_generation: AtomicU64::new(0),
            row_orders: Mutex::new(HashMap::new()),
        })
    }

    pub fn counters(&self) -> Counters {
        self.counters.lock().map(|c| c.clone()).unwrap_or_default()
    }

    pub fn reset_counters(&self) {
        if let Ok(mut c) = self.counters.lock() {
            *c = Counters::default();
        }
    }

    /// The store for a change: every change goes through here, so cached row orders know.
    pub fn write_store(&self) -> Option<std::sync::RwLockWriteGuard<'_, Store>> {
        let guard = self.store.write().ok()?;
        self.store_generation.fetch_add(1, Ordering::SeqCst);
        Some(guard)
    }

    /// `object`'s rows in the order of `order_by`, sorted once per change of the store. `store`
    /// is this state's store, read-locked by the caller (so no change lands meanwhile).
    pub fn row_order(&self, store: &Store, object: &Object, order_by: &Map<String, Value>) -> Arc<Vec<u32>> {
        let generation = self.store_generation.load(Ordering::SeqCst);
        let key = (object.name.clone(), Value::Object(order_by.clone()).to_string());
        if let Ok(cache) = self.row_orders.lock()
            && let Some((at, order)) = cache.get(&key)
            && *at == generation
        {
            return Arc::clone(order);
        }
        let order = Arc::new(crate::query::order_index(store, object, order_by));
        if let Ok(mut cache) = self.row_orders.lock() {
            cache.insert(key, (generation, Arc::clone(&order)));
        }
        order
    }

    pub fn count(&self, f: impl FnOnce(&mut Counters)) {
        if let Ok(mut c) = self.counters.lock() {
            f(&mut c);
        }
    }

    pub fn modify(&self, object: &str, count: usize) -> Vec<String> {
        let now = self.now_ms();
        let salt = self.config.seed ^ self.mutation_seq.fetch_add(1, Ordering::Relaxed);
        if object == PX_ACCOUNT {
            return self.px.write().map(|mut px| px.modify_accounts(count, now, salt)).unwrap_or_default();
        }
        self.write_store()
            .map(|mut s| crate::mutate::modify(&mut s, object, count, now, salt))
            .unwrap_or_default()
    }

    pub fn delete(&self, object: &str, count: usize) -> Vec<String> {
        let now = self.now_ms();
        let salt = self.config.seed ^ self.mutation_seq.fetch_add(1, Ordering::Relaxed).wrapping_add(1 << 40);
        if object == PX_ACCOUNT {
            return self.px.write().map(|mut px| px.remove_accounts(count, salt)).unwrap_or_default();
        }
        self.write_store()
            .map(|mut s| crate::mutate::delete(&mut s, object, count, now, salt))
            .unwrap_or_default()
    }

    /// Applies `profile` on top of the one in force; nothing changes when it does not fit the org.
    pub fn apply_profile(&self, profile: &OrgProfile) -> Result<(), String> {
        let mut store = self.write_store().ok_or_else(|| "the org is unavailable".to_string())?;
        let mut in_force = self.profile.write().map_err(|_| "the org is unavailable".to_string())?;
        profile.apply(&mut store)?;
        in_force.merge(profile);
        Ok(())
    }

    pub fn profile(&self) -> OrgProfile {
        self.profile.read().map(|p| p.clone()).unwrap_or_default()
    }

    /// The status a PX call to `path` (under `/px/{region}/v1`) gets because the subscription lacks it.
    pub fn px_unavailable(&self, path: &str) -> Option<u16> {
        self.profile.read().ok().and_then(|p| p.px_status(path))
    }

    pub fn issue_token(&self) -> String {
        let token = format!("gs-m2m-{}", self.next_request_id());
        let expires = SystemTime::now() + Duration::from_secs(self.config.token_ttl_secs);
        if let Ok(mut t) = self.tokens.lock() {
            t.insert(token.clone(), expires);
        }
        token
    }

    pub fn token_valid(&self, token: &str) -> bool {
        self.tokens.lock().is_ok_and(|t| t.get(token).is_some_and(|exp| SystemTime::now() < *exp))
    }

    /// Wall-clock now in epoch ms, but never before the simulated today, so changes made through
    /// the control API are always newer than the generated data.
    pub fn now_ms(&self) -> i64 {
        (now().as_millis() as i64).max(self.anchor_day * crate::time::DAY_MS + 86_399_000)
    }

    pub fn add_fault(&self, rule: FaultRule) {
        if let Ok(mut plan) = self.faults.lock() {
            plan.add(rule);
        }
    }

    pub fn set_faults(&self, rules: Vec<FaultRule>) {
        if let Ok(mut plan) = self.faults.lock() {
            plan.set(rules);
        }
    }

    /// Re-Generate: the new Access Key works at once and the old one fails from now on.
    pub fn rotate_cs_key(&self, new: &str) -> bool {
        self.cs_access_key.write().map(|mut k| *k = new.to_string()).is_ok()
    }

    /// A new M2M client secret; tokens issued before stay valid until they expire, as bearer tokens do.
    pub fn rotate_cs_secret(&self, new: &str) -> bool {
        self.cs_client_secret.write().map(|mut k| *k = new.to_string()).is_ok()
    }

    /// Replaces the PX key `old` with `new`, keeping its region and permissions.
    pub fn rotate_px_key(&self, old: &str, new: &str) -> bool {
        let Ok(mut keys) = self.px_keys.write() else { return false };
        match keys.iter_mut().find(|k| k.key == old) {
            Some(k) => {
                k.key = new.to_string();
                true
            }
            None => false,
        }
    }

    pub fn enter(&self) -> InFlight<'_> {
        let n = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.count(|c| c.peak_concurrency = c.peak_concurrency.max(n));
        InFlight(&self.in_flight)
    }

    /// The CS fixed window and daily limit; `Some(wait)` when this call is over either.
    pub fn cs_rate_check(&self) -> Option<Duration> {
        let mut l = self.limits.lock().ok()?;
        let t = now();
        let day = take(&mut l.cs_day, 86_400, self.config.daily_limit, t);
        if day.is_some() {
            return day;
        }
        let denied = take(&mut l.cs_window, self.config.window_secs, self.config.rate_limit_per_window, t);
        let used = u64::from(l.cs_window.used);
        self.count(|c| c.peak_window_calls = c.peak_window_calls.max(used));
        denied
    }

    pub fn px_rate_check(&self) -> Option<Duration> {
        let mut l = self.limits.lock().ok()?;
        take(&mut l.px_second, 1, self.config.px_per_second, now())
    }

    /// A request id that is unique per call yet the same for the same call sequence and seed.
    pub fn next_request_id(&self) -> String {
        let n = self.request_seq.fetch_add(1, Ordering::Relaxed) + 1;
        let x =
            (self.config.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        format!("{x:016x}-{n:08x}")
    }
}
