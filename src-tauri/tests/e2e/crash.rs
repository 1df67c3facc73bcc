//! The real app killed (SIGKILL, as a crash or a forced quit would) in the middle of a sync: the
//! database is sound, no cursor is ahead of its data, and after a restart the history says the
//! run was interrupted and the next Sync now reaches the simulator's exact truth.

use crate::common::truth::{assert_equals_truth, assert_no_cursor_ahead};
use crate::support;

use std::time::{Duration, Instant};
use support::desktop::{app_pid, has_exited};
use support::*;

fn query(dir: &std::path::Path, sql: &str) -> String {
    let conn = rusqlite::Connection::open(dir.join("outpost.db")).expect("db");
    conn.query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0))
        .map(|v| match v {
            rusqlite::types::Value::Text(t) => t,
            rusqlite::types::Value::Integer(i) => i.to_string(),
            other => format!("{other:?}"),
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_killed_mid_sync_loses_nothing_and_the_next_sync_converges() {
    // Slow replies, so the sync is still running when the first pages are in.
    let sim = gainsight_sim::start(gainsight_sim::SimConfig {
        companies: 1500,
        latency_ms: 250,
        anchor_day: Some(20_400),
        ..Default::default()
    })
    .await
    .expect("simulator");
    let data = tempfile::tempdir().expect("data dir");
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    click(&app, "connect-cs").await;
    type_into(&app, "instance-url", &sim.base_url()).await;
    type_into(&app, "access-key", gainsight_sim::DEMO_ACCESS_KEY).await;
    click(&app, "test-connection").await;
    wait_attr(&app, "test-result", "data-ok", "true").await;
    click(&app, "save").await;
    wait_text_css(&app, &in_card("cs", "card-status"), "Connected").await;

    click_css(&app, &in_card("cs", "sync-now")).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let running =
            query(data.path(), "SELECT outcome FROM sync_runs ORDER BY id DESC LIMIT 1") == "running";
        let rows: i64 = query(data.path(), "SELECT count(*) FROM companies").parse().unwrap_or(0);
        if running && rows > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the sync got under way");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pid = app_pid(data.path());
    std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().expect("kill -9");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !has_exited(pid) {
        assert!(Instant::now() < deadline, "the app is gone");
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(app);
    drop(driver);
    assert_eq!(
        query(data.path(), "SELECT outcome FROM sync_runs ORDER BY id DESC LIMIT 1"),
        "running",
        "the kill fell mid-sync: nobody recorded the run's end"
    );
    assert_eq!(query(data.path(), "PRAGMA integrity_check"), "ok", "the database is sound");
    assert!(assert_no_cursor_ahead(&sim, data.path()).await >= 1, "some stream had committed pages");

    // Started again: History says the run was interrupted, and Sync now converges.
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    click(&app, "nav-integrations").await;
    wait_text_css(&app, &in_card("cs", "card-status"), "Connected").await;
    crate::fields::sync_cs(&app, None).await;
    click(&app, "nav-history").await;
    wait_until(&app, "both runs listed", || async { count_css(&app, &testid("history-row")).await == 2 })
        .await;
    let outcomes = data_of_all(&app, &testid("history-row"), "outcome").await;
    assert_eq!(outcomes, ["ok", "interrupted"], "the good run, then the killed one: {outcomes:?}");
    app.close().await.expect("close");
    assert_equals_truth(&sim, data.path()).await;
}
