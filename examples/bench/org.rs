//! The sync figures on a simulated org: the simulator's own serving rate, the two ceilings a sync
//! is judged by (fetching the same pages and discarding them; storing the same rows into a fresh
//! database), the full sync itself as the `outpost` command runs it (wall time, peak memory), an
//! incremental sync after 1% of the records changed, and a sync under the real rate limit.

use futures_util::TryStreamExt;
use gainsight_sim::{RunningSim, SimConfig};
use outpost::db::settings::SyncSettings;
use outpost::gainsight::budget::CallWindow;
use outpost::gainsight::http::Timeouts;
use outpost::gainsight::paging::{Record, query_pages};
use outpost::gainsight::{CsAuth, CsClient, normalize_instance_url};
use outpost::secret::Secret;
use outpost::sync::plan::StreamKind;
use outpost::sync::roles::{self, Resolved};
use outpost::sync::streams::{self, ObjectNames, PageJob};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const ANCHOR_DAY: i64 = 20_400;

/// An org with no rate limit to speak of: the sync's own speed, not the budget's.
pub async fn unlimited_org(companies: usize) -> RunningSim {
    gainsight_sim::start(SimConfig {
        companies,
        anchor_day: Some(ANCHOR_DAY),
        rate_limit_per_window: 1_000_000,
        daily_limit: 100_000_000,
        px_per_second: 1_000_000,
        ..Default::default()
    })
    .await
    .expect("simulator")
}

/// The objects a CS sync reads, by stream, with the default settings' names.
pub fn cs_objects() -> Vec<(StreamKind, String)> {
    let d = SyncSettings::default();
    let names = ObjectNames { fact: d.fact_object, history: d.history_object, usage: d.usage_object };
    StreamKind::ALL.iter().map(|k| (*k, streams::object_of(*k, &names))).collect()
}

/// Reads every row of `object` 5,000 at a time with bare reqwest and serde_json, the fields the
/// sync asks for: what the simulator serves when nothing on the client side is in the way.
async fn raw_read(http: &reqwest::Client, base: &str, object: &str, select: &[String]) -> (usize, usize) {
    let (mut rows, mut calls) = (0, 0);
    for offset in (0..).step_by(5000) {
        let body = json!({"select": select, "orderBy": {"ModifiedDate": "asc", "Gsid": "asc"}, "limit": 5000, "offset": offset});
        let v: Value = http
            .post(format!("{base}/v1/data/objects/query/{object}"))
            .header("Accesskey", gainsight_sim::DEMO_ACCESS_KEY)
            .json(&body)
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        calls += 1;
        let n = v["data"]["records"].as_array().map_or(0, Vec::len);
        rows += n;
        if n < 5000 {
            break;
        }
    }
    (rows, calls)
}

/// Rows per object as the simulator holds them, and the fewest calls a first sync can make: a
/// describe per object and its rows in pages of 5,000, the last one short.
pub async fn truth(sim: &RunningSim) -> (BTreeMap<String, usize>, u64, f64) {
    let http = reqwest::Client::new();
    let client = client(sim);
    let mut selects = Vec::new();
    for (kind, object) in cs_objects() {
        let select = streams::spec(&resolve(&client, kind, &object).await).select;
        selects.push((object, select));
    }
    let mut rows = BTreeMap::new();
    let mut minimum = 0;
    let t = Instant::now();
    for (object, select) in selects {
        let (n, calls) = raw_read(&http, &sim.base_url(), &object, &select).await;
        rows.insert(object, n);
        minimum += calls as u64 + 1;
    }
    let total: usize = rows.values().sum();
    (rows, minimum, total as f64 / t.elapsed().as_secs_f64())
}

fn client(sim: &RunningSim) -> CsClient {
    let url = normalize_instance_url(&sim.base_url()).expect("url");
    CsClient::new(url, CsAuth::AccessKey(Secret::new(gainsight_sim::DEMO_ACCESS_KEY)), Timeouts::default())
        .expect("client")
        .with_budget(Arc::new(CallWindow::new(1_000_000, Duration::from_secs(60))))
}

/// One stream's read as the sync asks for it: its roles matched to the org's describe, its query.
async fn resolve(client: &CsClient, kind: StreamKind, object: &str) -> Resolved {
    let described = client
        .meta(&format!("/v1/meta/services/objects/{object}/describe?idd=true"))
        .await
        .expect("describe");
    let fields = roles::parse_describe(&described.data);
    roles::resolve(object, streams::roles_of(kind), Some(&fields), &BTreeMap::new(), &[], &[])
}

pub struct Fetched {
    pub streams: Vec<(StreamKind, Resolved, Vec<Vec<Record>>)>,
    pub rows: usize,
}

/// The fetch-only ceiling: every stream's pages through Outpost's client (describe, keyset
/// paging, parse, de-dup), the scoring scheme first and the others concurrently as the sync reads
/// them, and nothing written. Kept in memory for the store-only ceiling.
pub async fn fetch_only(sim: &RunningSim) -> (Fetched, Duration) {
    let client = client(sim);
    let t = Instant::now();
    let read = |kind: StreamKind, object: String| {
        let client = &client;
        async move {
            let resolved = resolve(client, kind, &object).await;
            let pages: Vec<Vec<Record>> =
                query_pages(client, streams::spec(&resolved)).try_collect().await.expect("pages");
            (kind, resolved, pages)
        }
    };
    let objects = cs_objects();
    let mut out = vec![read(objects[0].0, objects[0].1.clone()).await];
    out.extend(futures_util::future::join_all(objects[1..].iter().map(|(k, o)| read(*k, o.clone()))).await);
    let took = t.elapsed();
    let rows = out.iter().flat_map(|(_, _, p)| p.iter().map(Vec::len)).sum();
    (Fetched { streams: out, rows }, took)
}

/// The store-only ceiling: the fetched pages written into a fresh cache, page by page, each in its
/// own transaction with its cursor (the sync's own page write), on one connection, one after the
/// other, with nothing fetched meanwhile.
pub fn store_only(fetched: &Fetched) -> Duration {
    let dir = tempfile::tempdir().expect("dir");
    let app = outpost::Outpost::open(dir.path()).expect("open");
    drop(app);
    let path = dir.path().join("outpost.db");
    let mut conn = outpost::db::open_writer(&path).expect("writer");
    conn.execute(
        "INSERT INTO connections (id, kind, name, instance_url, auth_mode, connected_by, connected_on)
         VALUES ('bench', 'cs', 'Bench', 'https://bench.gainsightcloud.com', 'access_key', 'bench', '2026-01-01')",
        [],
    )
    .expect("connection");
    let now = "2026-01-01T00:00:00.000Z".to_string();
    let run_id = outpost::db::runs::start_run(&conn, "bench", &now, true).expect("run");
    let t = Instant::now();
    for (kind, resolved, pages) in &fetched.streams {
        let job = PageJob {
            cid: "bench".into(),
            run_id,
            now: now.clone(),
            first: true,
            order_field: streams::spec(resolved).order_field,
            kind: *kind,
            resolved: resolved.clone(),
        };
        for page in pages {
            job.write(&mut conn, page).expect("write");
        }
    }
    t.elapsed()
}

/// The `outpost` command built next to this benchmark.
pub fn outpost_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("exe");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let bin = dir.join("outpost");
    assert!(bin.exists(), "{} is missing: `make bench` builds it", bin.display());
    bin
}

/// A data dir with the simulator's CS connected, taking the org's whole 100 calls a minute.
pub async fn connected(sim: &RunningSim, dir: &Path) {
    let app = outpost::Outpost::open(dir).expect("open");
    let input = outpost::connections::CsConnectInput {
        name: "Bench".into(),
        description: None,
        instance_url: sim.base_url(),
        access_key: gainsight_sim::DEMO_ACCESS_KEY.into(),
    };
    app.connect_cs(&input).await.expect("connect (needs the keychain `make bench` starts)");
    let settings = SyncSettings { cs_calls_per_minute: 100, ..Default::default() };
    app.set_sync_settings("Bench", &settings).expect("settings");
}

/// The simulator's PX connected on `dir` as "PX", its feature usage read 30 days back.
pub async fn connected_px(sim: &RunningSim, dir: &Path) {
    use outpost::connections::{ConnectInput, ConnectKind, PxTarget};
    use outpost::gainsight::px::{PxEndpoints, PxRegion};
    let endpoints = PxEndpoints::simulator(&sim.base_url()).expect("endpoints");
    let app = outpost::Outpost::open(dir).expect("open").with_px_endpoints(endpoints);
    let input = ConnectInput {
        name: "PX".into(),
        description: None,
        kind: ConnectKind::Px {
            target: PxTarget::Region(PxRegion::Us),
            api_key: gainsight_sim::DEMO_PX_API_KEY.into(),
        },
    };
    app.connect(&input).await.expect("connect PX");
    let mut settings = app.sync_settings("PX").expect("settings");
    settings.backfill_days = 30;
    app.set_sync_settings("PX", &settings).expect("backfill");
}

/// Forgets the connection's keychain item when the benchmark is done with its data dir.
pub async fn disconnect(dir: &Path) {
    let app = outpost::Outpost::open(dir).expect("open");
    for name in ["Bench", "PX"] {
        let _ = app.disconnect(name, true).await;
    }
}

pub struct CliSync {
    pub wall: Duration,
    pub records: u64,
    pub peak_rss_mb: f64,
    /// CPU seconds the process used (user + system), all its threads.
    pub cpu_s: f64,
}

/// User + system CPU seconds of a running process, from /proc (clock ticks of 1/100 s).
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut f = stat.rsplit_once(')')?.1.split_whitespace();
    // After the name: state (3) … utime (14), stime (15).
    let utime: u64 = f.nth(11)?.parse().ok()?;
    let stime: u64 = f.next()?.parse().ok()?;
    Some(utime + stime)
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn counts_in(v: &Value) -> u64 {
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| {
                if k == "counts" {
                    v.as_object().map_or(0, |c| c.values().filter_map(Value::as_u64).sum())
                } else {
                    counts_in(v)
                }
            })
            .sum(),
        Value::Array(a) => a.iter().map(counts_in).sum(),
        _ => 0,
    }
}

/// `outpost sync` on `dir`, as an admin runs it; its peak resident memory from /proc while it runs
/// (VmHWM only grows, so its last reading is the peak).
pub fn cli_sync(dir: &Path, window_ms: u64, extra: &[&str]) -> CliSync {
    cli_sync_env(dir, window_ms, extra, &[])
}

/// [`cli_sync`] with more environment (the PX endpoints of the simulator).
pub fn cli_sync_env(dir: &Path, window_ms: u64, extra: &[&str], env: &[(&str, String)]) -> CliSync {
    let t = Instant::now();
    let mut child = Command::new(outpost_bin())
        .arg("--data-dir")
        .arg(dir)
        .arg("--json")
        .arg("sync")
        .args(extra)
        .env("OUTPOST_LOOPBACK_CS_WINDOW_MS", window_ms.to_string())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("outpost sync");
    let pid = child.id();
    let (mut peak, mut ticks) = (0, 0);
    let out = loop {
        if let Some(kb) = vm_hwm_kb(pid) {
            peak = peak.max(kb);
        }
        if let Some(t) = cpu_ticks(pid) {
            ticks = ticks.max(t);
        }
        if child.try_wait().expect("wait").is_some() {
            break child.wait_with_output().expect("output");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let wall = t.elapsed();
    assert!(out.status.success(), "outpost sync failed: {}", String::from_utf8_lossy(&out.stdout));
    let summary: Value = serde_json::from_slice(&out.stdout).expect("sync --json");
    CliSync {
        wall,
        records: counts_in(&summary),
        peak_rss_mb: peak as f64 / 1024.0,
        cpu_s: ticks as f64 / 100.0,
    }
}

/// Database and WAL bytes after a checkpoint, and the rows the cache holds.
pub fn db_size(dir: &Path) -> (u64, u64) {
    let path = dir.join("outpost.db");
    let conn = rusqlite::Connection::open(&path).expect("db");
    let _: (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("checkpoint");
    let mut rows = 0u64;
    for table in ["companies", "ctas", "measure_scores", "score_history", "usage_weekly", "score_bands"] {
        let n: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap_or(0);
        rows += n as u64;
    }
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(dir.join("outpost.db-wal")).map(|m| m.len()).unwrap_or(0);
    (bytes, rows)
}

/// The sync under the real CS rule, 100 calls a window, with a short window to keep it quick:
/// calls spent, 429s met, and its wall time against what the budget allows — the window count
/// the fewest calls need (the last window's calls start when it opens), or the unlimited sync's
/// own time when that is longer.
pub async fn rate_limited(
    companies: usize,
    minimum: u64,
    unlimited_wall: f64,
    r: &mut crate::figures::Report,
) {
    let window_secs = 10;
    println!("\nunder the rate limit: 100 calls per {window_secs}-second window, the org's whole share");
    let sim = gainsight_sim::start(SimConfig {
        companies,
        anchor_day: Some(ANCHOR_DAY),
        rate_limit_per_window: 100,
        window_secs,
        daily_limit: 100_000_000,
        px_per_second: 1_000_000,
        ..Default::default()
    })
    .await
    .expect("simulator");
    let dir = tempfile::tempdir().expect("dir");
    connected(&sim, dir.path()).await;
    sim.reset_counters();
    let s = tokio::task::block_in_place(|| cli_sync(dir.path(), window_secs * 1000, &[]));
    let c = sim.counters();
    disconnect(dir.path()).await;
    sim.stop().await;
    // The budget lets the first 100 calls go at once and each further 100 a window later; the
    // calls of the last window then take what they take unlimited (their share of its time).
    let windows = minimum.div_ceil(100).max(1);
    let tail = (minimum - (windows - 1) * 100) as f64 / minimum as f64;
    let allowed = ((windows - 1) * window_secs) as f64 + unlimited_wall * tail;
    r.note(format!(
        "rate-limited sync: {} calls in {:.1} s; the budget allows {allowed:.1} s ({windows} windows for the fewest {minimum} calls, \
         the last window's calls at the unlimited pace of {unlimited_wall:.1} s a sync); peak calls in one window {}",
        c.total_calls(),
        s.wall.as_secs_f64(),
        c.peak_window_calls
    ));
    r.add(
        "budget_time_ratio",
        "rate-limited sync wall ÷ the time the budget allows",
        "ratio",
        vec![s.wall.as_secs_f64() / allowed],
        format!("{allowed:.1} s"),
        "≤ 1.05",
    );
    r.add("r429_count", "429s the rate-limited sync met", "count", vec![c.rate_limited as f64], "—", "0");
}
