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
