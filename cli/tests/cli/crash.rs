//! A sync process killed with SIGKILL mid-run: the next sync resumes to the exact truth.

use crate::common::truth::{assert_equals_truth, rows, truth};
use gainsight_sim::{RunningSim, SimConfig};
use outpost::Outpost;
use outpost::connections::CsConnectInput;
use outpost::sync::{StreamProgress, SyncOptions};
use rusqlite::Connection;
use std::path::Path;

const CS: &str = "Sim";

async fn start(companies: usize, latency_ms: u64) -> RunningSim {
    gainsight_sim::start(SimConfig { companies, latency_ms, anchor_day: Some(20_400), ..Default::default() })
        .await
        .expect("simulator")
}

async fn connect(dir: &Path, sim: &RunningSim) -> Outpost {
    let app = Outpost::open(dir).expect("open data dir");
    let input = CsConnectInput {
        name: CS.into(),
        description: None,
        instance_url: sim.base_url(),
        access_key: gainsight_sim::DEMO_ACCESS_KEY.into(),
    };
    app.connect_cs(&input).await.expect("connect (needs the keychain `make test` starts)");
    let settings = outpost::db::settings::SyncSettings { cs_calls_per_minute: 100, ..Default::default() };
    app.set_sync_settings(CS, &settings).expect("settings");
    app
}

fn quiet(_: &StreamProgress) {}

fn db(dir: &Path) -> Connection {
    Connection::open(dir.join("outpost.db")).expect("database file")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_sync_resumes_to_the_exact_truth() {
    let sim = start(120, 15).await;
    let dir = tempfile::tempdir().expect("dir");
    drop(connect(dir.path(), &sim).await);

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_outpost"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--quiet", "sync", "--page-size", "10"])
        .spawn()
        .expect("outpost sync");
    // Wait until some pages are in, then kill -9 mid-sync.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let n: i64 = db(dir.path()).query_row("SELECT count(*) FROM ctas", [], |r| r.get(0)).unwrap_or(0);
        if n >= 50 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the sync made no progress");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    let partial: i64 =
        db(dir.path()).query_row("SELECT count(*) FROM ctas", [], |r| r.get(0)).expect("count");
    let all = truth(&sim, "call_to_action", &["Gsid"]).await.len() as i64;
    assert!(partial < all, "the kill landed mid-sync ({partial} of {all} CTAs)");

    // Nobody holds the killed run's lock: the card is not "Syncing", and the history (asked
    // first, before any card) settles the run the killed process left behind.
    let stale = rows(dir.path(), "SELECT outcome FROM sync_runs");
    assert_eq!(stale, vec!["running"], "the killed process could not record its end");
    let history = std::process::Command::new(env!("CARGO_BIN_EXE_outpost"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--json", "history"])
        .output()
        .expect("outpost history");
    let runs: serde_json::Value = serde_json::from_slice(&history.stdout).expect("history JSON");
    assert_eq!(runs[0]["outcome"], "interrupted", "history never shows a dead run as running: {runs}");
    // What the killed run committed is in its record, page by page, not 0.
    let committed_ctas = runs[0]["counts"]["ctas"].as_i64().unwrap_or(0);
    assert!(committed_ctas >= partial, "the interrupted run counts the {partial} CTAs it committed: {runs}");
    let companies: i64 =
        db(dir.path()).query_row("SELECT count(*) FROM companies", [], |r| r.get(0)).expect("count");
    assert_eq!(runs[0]["counts"]["companies"].as_i64(), Some(companies), "and its companies: {runs}");
    let app = Outpost::open(dir.path()).expect("reopen");
    // Another test of this binary may be spawning a process at the instant we test the lock (its
    // fork briefly shares our descriptors until exec): give that a moment, never the dead process.
    let id = app.connection_cards().expect("cards")[0].id.clone();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while app.is_syncing(&id) {
        assert!(std::time::Instant::now() < deadline, "the killed process's lock is released");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let card = app.connection(CS).expect("card");
    assert_eq!(card.status, outpost::connections::ConnectionStatus::Connected);
    let outcomes = rows(dir.path(), "SELECT outcome FROM sync_runs ORDER BY id");
    assert_eq!(outcomes, vec!["interrupted"], "the killed run is recorded as interrupted");

    let s = app.sync(CS, SyncOptions::default(), &quiet).await.expect("resume");
    assert_eq!(s.outcome, "ok", "{:?}", s.error);
    assert_equals_truth(&sim, dir.path()).await;
    let outcomes = rows(dir.path(), "SELECT outcome FROM sync_runs ORDER BY id");
    assert_eq!(outcomes, vec!["interrupted", "ok"]);
    let changes = app.changes(None, 1000).expect("changes");
    assert!(
        changes.is_empty(),
        "a first sync, even resumed, logs nothing: {} entries, first {:?}",
        changes.len(),
        changes.first().map(|c| &c.kind)
    );
}

/// Starts `outpost sync` on `dir` and kills it with SIGKILL once the simulator has answered
/// `after` more calls; returns the endpoints called by then (the streams the kill fell among) and
/// whether the process was still running when killed (else the point fell after its end).
async fn sync_killed_after(sim: &RunningSim, dir: &Path, after: u64) -> (Vec<String>, bool) {
    let before = sim.counters();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_outpost"))
        .arg("--data-dir")
        .arg(dir)
        .args(["--quiet", "sync", "--page-size", "40"])
        .env("OUTPOST_LOOPBACK_CS_WINDOW_MS", "1000")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("outpost sync");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while sim.counters().total_calls() < before.total_calls() + after {
        assert!(std::time::Instant::now() < deadline, "the sync made no progress");
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    let running = child.try_wait().expect("wait").is_none();
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    let now = sim.counters();
    let called = now
        .calls
        .iter()
        .filter(|(k, n)| **n > before.calls.get(*k).copied().unwrap_or(0))
        .map(|(k, _)| k.rsplit('/').next().unwrap_or(k).to_string())
        .collect();
    (called, running)
}

/// After a kill: the file is sound, no cursor is ahead of its data, and the next sync reaches
/// the exact truth.
async fn assert_recovers(sim: &RunningSim, dir: &Path, point: &str) {
    let check: String =
        db(dir).query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity_check");
    assert_eq!(check, "ok", "{point}: the database is sound after the kill");
    let cursors = crate::common::truth::assert_no_cursor_ahead(sim, dir).await;
    let committed: i64 = db(dir)
        .query_row(
            "SELECT (SELECT count(*) FROM companies) + (SELECT count(*) FROM ctas) + (SELECT count(*) FROM score_history) + (SELECT count(*) FROM usage_weekly)",
            [],
            |r| r.get(0),
        )
        .expect("count");
    eprintln!("{point}: {cursors} cursors checked, {committed} rows committed");
    let app = Outpost::open(dir).expect("reopen").with_loopback_window(std::time::Duration::from_secs(1));
    let s = app
        .sync(CS, SyncOptions { page_size: Some(40), ..Default::default() }, &quiet)
        .await
        .expect("resume");
    assert_eq!(s.outcome, "ok", "{point}: {:?}", s.error);
    assert_equals_truth(sim, dir).await;
    let company = rows(dir, "SELECT name FROM companies LIMIT 1").remove(0);
    crate::common::assert_key_nowhere(dir, gainsight_sim::DEMO_ACCESS_KEY, &company);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_killed_at_twenty_four_points_across_streams_always_recovers() {
    let sim = gainsight_sim::start(SimConfig {
        companies: 30,
        latency_ms: 3,
        anchor_day: Some(20_400),
        rate_limit_per_window: 100,
        window_secs: 1,
        ..Default::default()
    })
    .await
    .expect("simulator");

    // A whole first sync, to spread the kill points over its calls.
    let reference = tempfile::tempdir().expect("dir");
    drop(connect(reference.path(), &sim).await);
    sim.reset_counters();
    let (_, _) = sync_killed_after(&sim, reference.path(), u64::MAX).await;
    let full_calls = sim.counters().total_calls();
    assert!(full_calls >= 20, "a first sync of this org takes {full_calls} calls, enough to kill between");

    let mut stages = std::collections::BTreeSet::new();
    let mut points = 0;
    // 18 points through a first sync, each in a fresh data folder.
    for i in 0..18u64 {
        let after = 1 + i * (full_calls - 2) / 17;
        let dir = tempfile::tempdir().expect("dir");
        drop(connect(dir.path(), &sim).await);
        let (called, running) = sync_killed_after(&sim, dir.path(), after).await;
        let point = format!("first sync, after call {after} of {full_calls} ({})", called.join(", "));
        assert!(running, "{point}: the kill landed before the sync ended");
        assert_recovers(&sim, dir.path(), &point).await;
        stages.insert(called);
        points += 1;
    }

    // 6 points through incremental syncs after the org changed, in the reference folder.
    for round in 0..6u64 {
        sim.modify("company", 3);
        sim.modify("call_to_action", 6);
        sim.modify("company_scorecard_history", 4);
        sim.modify("product_usage__gc", 4);
        let after = 1 + round;
        let (called, running) = sync_killed_after(&sim, reference.path(), after).await;
        let point = format!("incremental sync {round}, after call {after} ({})", called.join(", "));
        assert!(running, "{point}: the kill landed before the sync ended");
        assert_recovers(&sim, reference.path(), &point).await;
        stages.insert(called);
        points += 1;
    }
    assert!(points >= 20);
    assert!(stages.len() >= 5, "the kills fell among different streams' calls, not all in one: {stages:?}");
}

/// A database damaged on disk: every command refuses it and names `outpost rebuild-cache`, which
/// moves it aside, keeps the connection and its key, and syncs the data back.
#[tokio::test(flavor = "multi_thread")]
async fn rebuild_cache_is_the_way_out_of_a_damaged_database() {
    use crate::run::{outpost, text};
    let sim = crate::common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    let env = [("OUTPOST_PX_ENDPOINTS_BASE", "http://127.0.0.1:9")];
    let url = sim.base_url();
    let out = outpost(
        d,
        &["connect", "cs", "--name", "Prod", "--url", &url, "--access-key-stdin"],
        gainsight_sim::DEMO_ACCESS_KEY,
        &env,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = outpost(d, &["sync"], "", &env);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // The companies table's root page overwritten, as a disk fault would leave it.
    let path = d.join("outpost.db");
    let (root, page_size): (i64, i64) = {
        let conn = Connection::open(&path).expect("db");
        let root = conn
            .query_row("SELECT rootpage FROM sqlite_master WHERE name = 'companies'", [], |r| r.get(0))
            .expect("root page");
        (root, conn.pragma_query_value(None, "page_size", |r| r.get(0)).expect("page size"))
    };
    let mut bytes = std::fs::read(&path).expect("read");
    let at = ((root - 1) * page_size) as usize;
    bytes[at..at + page_size as usize].fill(0xAB);
    std::fs::write(&path, &bytes).expect("damage");

    let out = outpost(d, &["accounts"], "", &env);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("damaged") && err.contains("outpost rebuild-cache"), "{err}");

    let out = outpost(d, &["rebuild-cache"], "", &env);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    assert!(said.contains("Moved the damaged database to"), "{said}");
    assert!(said.contains("Kept 1 connection with their keys and settings: Prod."), "{said}");
    let moved: Vec<_> = std::fs::read_dir(d)
        .expect("dir")
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("outpost.db.damaged-") && !name.ends_with("-wal") && !name.ends_with("-shm")
        })
        .collect();
    assert!(!moved.is_empty(), "the damaged file is kept aside");
    assert_eq!(std::fs::read(moved[0].path()).expect("moved").len(), bytes.len());

    // Synced again with the kept key: the whole org is back.
    assert_equals_truth(&sim, d).await;
    let out = outpost(d, &["--json", "history"], "", &env);
    let runs: serde_json::Value = serde_json::from_slice(&out.stdout).expect("history");
    assert_eq!(runs.as_array().map(Vec::len), Some(1), "the new cache's one run: {runs}");
    assert_eq!(runs[0]["outcome"], "ok");
}
