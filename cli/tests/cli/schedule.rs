//! Headless schedules and a clean stop: `outpost sync --due` runs exactly what is due (nothing due:
//! no call, exit 0), and Ctrl-C stops a sync the way the app's Cancel button does.

use crate::common;
use std::process::{Command, Stdio};

fn outpost(data: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    crate::run::outpost(data, args, stdin, &[])
}

use crate::run::text;

fn connect(d: &std::path::Path, url: &str, name: &str) {
    let args = ["connect", "cs", "--name", name, "--url", url, "--access-key-stdin"];
    let out = outpost(d, &args, gainsight_sim::DEMO_ACCESS_KEY);
    assert!(out.status.success(), "connect {name}: {}", text(&out.stderr));
    let out = outpost(d, &["settings", name, "--calls-per-minute", "100"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_due_runs_exactly_what_is_due() {
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    connect(d, &sim.base_url(), "Hourly");
    connect(d, &sim.base_url(), "Manual");

    // Both manual: nothing is due, nothing is called.
    sim.reset_counters();
    let out = outpost(d, &["--json", "sync", "--due"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "[]");
    assert_eq!(sim.counters().total_calls(), 0, "nothing due: no call to Gainsight");

    // Hourly and never synced: due now; Manual never is.
    let out = outpost(d, &["settings", "Hourly", "--frequency", "1h"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = outpost(d, &["--json", "sync", "--due"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let summaries: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let synced: Vec<&str> =
        summaries.as_array().expect("array").iter().filter_map(|s| s["connection"].as_str()).collect();
    assert_eq!(synced, ["Hourly"], "only the due connection syncs");

    // Just synced: not due again for an hour.
    sim.reset_counters();
    let out = outpost(d, &["sync", "--due"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("Nothing is due."), "{}", text(&out.stderr));
    assert_eq!(sim.counters().total_calls(), 0);

    let out = outpost(d, &["sync", "--due", "Hourly"], "");
    assert_eq!(out.status.code(), Some(2), "--due names no connection: {}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_stops_a_sync_cleanly_and_keeps_what_was_read() {
    let config = gainsight_sim::SimConfig {
        companies: 150,
        latency_ms: 40,
        anchor_day: Some(20_400),
        ..Default::default()
    };
    let sim = gainsight_sim::start(config).await.expect("sim");
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    connect(d, &sim.base_url(), "Slow");
    let child = Command::new(env!("CARGO_BIN_EXE_outpost"))
        .arg("--data-dir")
        .arg(d)
        .args(["sync", "--page-size", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("outpost sync");
    let db = || rusqlite::Connection::open(d.join("outpost.db")).expect("db");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let n: i64 = db().query_row("SELECT count(*) FROM companies", [], |r| r.get(0)).unwrap_or(0);
        if n >= 20 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the sync made no progress");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let pid = child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().expect("kill -INT");
    assert!(sent.success());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(130), "Ctrl-C has its own exit code: {}", text(&out.stderr));
    assert!(text(&out.stderr).contains("Cancelled"), "{}", text(&out.stderr));
    let outcome: String = db()
        .query_row("SELECT outcome FROM sync_runs ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
        .expect("run");
    assert_eq!(outcome, "cancelled", "recorded as cancelled, not interrupted");
    let check: String = db().query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("check");
    assert_eq!(check, "ok");
    let kept: i64 = db().query_row("SELECT count(*) FROM companies", [], |r| r.get(0)).expect("count");
    assert!((20..150).contains(&kept), "the pages read before Ctrl-C are kept: {kept}");
}
