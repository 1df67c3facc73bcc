//! Faults in the middle of a sync: a 429 storm without `Retry-After`, a truncated page, the key
//! rotated in Gainsight, a runaway reply. Each run either ends with the cache equal to the
//! simulator's truth or fails with a clear kind, the data it had intact, and the next run
//! converging.

use crate::common;

use common::truth::*;
use gainsight_sim::faults::{Fault, FaultRule};
use gainsight_sim::{RunningSim, SimConfig};
use outpost::Outpost;
use outpost::connections::{ConnectionStatus, CsConnectInput};
use outpost::sync::{StreamProgress, SyncOptions};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

const CS: &str = "Sim";

async fn start(companies: usize, latency_ms: u64) -> RunningSim {
    gainsight_sim::start(SimConfig {
        companies,
        latency_ms,
        anchor_day: Some(20_400),
        window_secs: 1,
        ..Default::default()
    })
    .await
    .expect("simulator")
}

/// A connection whose calls are counted per second, like the simulator's window.
async fn connect(dir: &Path, sim: &RunningSim) -> Outpost {
    let app = Outpost::open(dir).expect("open data dir").with_loopback_window(Duration::from_secs(1));
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

fn small_pages() -> SyncOptions {
    SyncOptions { page_size: Some(20), ..Default::default() }
}

fn count(dir: &Path, table: &str) -> i64 {
    rusqlite::Connection::open(dir.join("outpost.db"))
        .expect("db")
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

fn sound(dir: &Path) {
    let check: String = rusqlite::Connection::open(dir.join("outpost.db"))
        .expect("db")
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(check, "ok");
}

/// Waits until the cache holds at least `n` CTAs (the sync is under way), then runs `act`.
async fn when_ctas_reach(dir: &Path, n: i64, act: impl FnOnce()) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while count(dir, "ctas") < n {
        assert!(std::time::Instant::now() < deadline, "the sync made no progress");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    act();
}

/// The CTA stream's error: the one stream these faults hit.
fn cta_error(s: &outpost::sync::SyncSummary) -> outpost::error::ErrorPayload {
    let cta = s.streams.iter().find(|o| o.stream == outpost::model::Stream::Ctas).expect("a CTA stream");
    cta.error.clone().unwrap_or_else(|| panic!("the CTA stream failed: {:?}", s.streams))
}

/// Every CTA line of the cache, to prove a failed run left them as they were.
fn cta_lines(dir: &Path) -> Vec<String> {
    common::cache_lines(dir, "ctas", "", CTA)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_storm_without_retry_after_waits_for_the_window_and_ends_with_the_truth() {
    let sim = start(30, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    // The default rate-limit style sends no Retry-After: four 429s in a row on the CTA query.
    sim.add_fault(FaultRule {
        endpoint: "/v1/data/objects/query/call_to_action".into(),
        fault: Fault::RateLimited,
        count: Some(4),
        probability: None,
    });
    let notes = Mutex::new(Vec::new());
    let on = |p: &StreamProgress| {
        if let Some(r) = &p.retrying {
            notes.lock().expect("notes").push((r.attempt, r.of, r.kind));
        }
    };
    let s = app.sync(CS, small_pages(), &on).await.expect("sync");
    assert_eq!(s.outcome, "ok", "{:?}", s.error);
    assert_eq!(sim.counters().rate_limited, 4, "each 429 was met once");
    let notes = notes.into_inner().expect("notes");
    let attempts: Vec<u32> = notes.iter().map(|n| n.0).collect();
    assert_eq!(attempts, vec![1, 2, 3, 4], "each retry was shown: {notes:?}");
    assert!(notes.iter().all(|n| n.2 == outpost::ErrorKind::RateLimited && n.1 == 5), "{notes:?}");
    assert_equals_truth(&sim, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_storm_that_never_ends_fails_clearly_and_keeps_the_last_sync() {
    let sim = start(20, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    assert_eq!(app.sync(CS, small_pages(), &quiet).await.expect("first").outcome, "ok");
    let before = cta_lines(dir.path());
    sim.modify("call_to_action", 5);
    sim.add_fault(FaultRule {
        endpoint: "/v1/data/objects/query/call_to_action".into(),
        fault: Fault::RateLimited,
        count: None,
        probability: None,
    });
    let s = app.sync(CS, small_pages(), &quiet).await.expect("runs");
    assert_eq!(s.outcome, "partial", "the other streams went through");
    let e = cta_error(&s);
    assert_eq!(e.kind, outpost::ErrorKind::RateLimited, "{e:?}");
    assert_eq!(sim.counters().rate_limited, 6, "the first try and five retries, then it gave up");
    assert_eq!(cta_lines(dir.path()), before, "the CTAs of the last good sync are intact");
    sound(dir.path());
    assert_eq!(app.connection(CS).expect("card").status, ConnectionStatus::Connected, "the key is fine");

    sim.clear_faults();
    assert_no_cursor_ahead(&sim, dir.path()).await;
    let next = app.sync(CS, small_pages(), &quiet).await.expect("next");
    assert_eq!(next.outcome, "ok", "{:?}", next.error);
    assert_equals_truth(&sim, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_truncated_page_mid_sync_fails_clearly_and_the_next_run_converges() {
    let sim = start(40, 5).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    let sync = app.sync(CS, small_pages(), &quiet);
    let cut = when_ctas_reach(dir.path(), 40, || {
        sim.add_fault(FaultRule {
            endpoint: "/v1/data/objects/query/call_to_action".into(),
            fault: Fault::TruncatedJson,
            count: Some(1),
            probability: None,
        })
    });
    let (s, ()) = tokio::join!(sync, cut);
    let s = s.expect("runs");
    assert_eq!(s.outcome, "partial", "a page cut in half is not taken as the end of the data");
    let e = cta_error(&s);
    assert_eq!(e.kind, outpost::ErrorKind::BadResponse, "{e:?}");
    assert!(!e.message.contains('{'), "one plain line, no JSON: {}", e.message);
    let partial = count(dir.path(), "ctas");
    let all = truth(&sim, "call_to_action", &["Gsid"]).await.len() as i64;
    assert!(partial >= 40 && partial < all, "the pages before the cut are kept ({partial} of {all})");
    sound(dir.path());
    assert!(assert_no_cursor_ahead(&sim, dir.path()).await >= 1);

    let next = app.sync(CS, small_pages(), &quiet).await.expect("next");
    assert_eq!(next.outcome, "ok", "{:?}", next.error);
    assert_equals_truth(&sim, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_rotated_mid_sync_needs_attention_and_loses_nothing() {
    let sim = start(40, 5).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    assert_eq!(app.sync(CS, SyncOptions::default(), &quiet).await.expect("first").outcome, "ok");
    let companies_before = count(dir.path(), "companies");
    sim.modify("call_to_action", 30);
    sim.modify("company", 5);

    // Someone regenerates the key in Gainsight while a full re-read is under way.
    let sync = app.sync(CS, SyncOptions { full: true, ..small_pages() }, &quiet);
    let rotate = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        sim.rotate_cs_key("regenerated-in-gainsight");
    };
    let (s, ()) = tokio::join!(sync, rotate);
    let s = s.expect("runs");
    assert_ne!(s.outcome, "ok");
    let kinds: Vec<_> = s.streams.iter().filter_map(|o| o.error.as_ref().map(|e| e.kind)).collect();
    assert!(kinds.contains(&outpost::ErrorKind::InvalidKey), "{:?}", s.streams);
    assert!(
        s.counts.values().sum::<u64>() > 0,
        "the rotation fell mid-sync, after some pages: {:?}",
        s.counts
    );
    let card = app.connection(CS).expect("card");
    assert_eq!(card.status, ConnectionStatus::NeedsAttention);
    assert_eq!(card.status_reason.as_deref(), Some(outpost::connections::KEY_REJECTED));
    // Nothing lost: a failed full re-read deletes nothing, and what it wrote is sound.
    assert_eq!(count(dir.path(), "companies"), companies_before, "no company dropped");
    sound(dir.path());
    // (The test reads the simulator's truth with the old key: the org takes it back for a moment.)
    sim.rotate_cs_key(gainsight_sim::DEMO_ACCESS_KEY);
    assert_no_cursor_ahead(&sim, dir.path()).await;
    sim.rotate_cs_key("regenerated-in-gainsight");

    // The admin pastes the new key: the next run converges.
    app.rotate(CS, "regenerated-in-gainsight").await.expect("new key");
    let next = app.sync(CS, small_pages(), &quiet).await.expect("next");
    assert_eq!(next.outcome, "ok", "{:?}", next.error);
    assert_eq!(app.connection(CS).expect("card").status, ConnectionStatus::Connected);
    sim.rotate_cs_key(gainsight_sim::DEMO_ACCESS_KEY);
    assert_equals_truth(&sim, dir.path()).await;
}
