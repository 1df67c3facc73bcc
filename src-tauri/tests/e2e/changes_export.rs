//! End to end on the real app: after two syncs of the demo org with health moved in between, the
//! Changes screen lists the moves with their dates and a sync picker, a change opens its account
//! whose What changed has the move, and Accounts filtered by a band exports exactly its rows to
//! a CSV (the path named by `OUTPOST_EXPORT_PATH` instead of the native dialog), read back here.

use crate::fields::sync_cs;
use crate::support;

use serde_json::json;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_what_changed_and_a_filtered_export() {
    let data = tempfile::tempdir().expect("data dir");
    let out = tempfile::tempdir().expect("export dir");
    let csv = out.path().join("poor.csv");
    let driver = Driver::start_with_env(&[("OUTPOST_EXPORT_PATH", &csv.to_string_lossy())]);
    let app = driver.launch(data.path()).await;

    click(&app, "connect-cs").await;
    click(&app, "try-demo").await;
    let sim = wait_value(&app, "instance-url").await;
    click(&app, "test-connection").await;
    wait_attr(&app, "test-result", "data-ok", "true").await;
    click(&app, "save").await;
    wait_text_css(&app, &in_card("cs", "card-status"), "Connected").await;
    let first = sync_cs(&app, None).await;
    let moved = json!({"object": "company", "count": 3});
    assert_eq!(sim_post(&sim, "/__sim/modify", &moved).await, 200, "the simulator moves three accounts");
    sync_cs(&app, Some(&first)).await;

    // Changes: what the last sync found, each with its date; the picker offers both runs.
    click(&app, "nav-changes").await;
    find(&app, "changes-table").await;
    wait_until(&app, "three band moves listed", || async {
        texts_css(&app, "[data-testid='changes-table'] tbody tr").await.len() == 3
    })
    .await;
    let rows = texts_css(&app, "[data-testid='changes-table'] tbody tr").await;
    assert!(rows.iter().all(|r| r.contains("Health moved from")), "{rows:?}");
    let dates = texts_css(&app, &testid("change-at")).await;
    assert!(dates.iter().all(|d| !d.is_empty() && d != "never"), "every row has its date: {dates:?}");
    let options = texts_css(&app, "[data-testid='changes-since'] option").await;
    assert_eq!(options.len(), 3, "the last sync, then both runs: {options:?}");
    assert!(options[1].starts_with("Since ") && options[1].contains("3 changes"), "{options:?}");
    screenshot(&app, "changes.png").await;

    // A change opens its account; its What changed has the move.
    let name = text_css(&app, &testid("change-account")).await;
    click(&app, "change-account").await;
    wait_text_css(&app, &testid("account-name"), &name).await;
    let panel = text_css(&app, &testid("what-changed")).await;
    assert!(panel.contains("Health moved from"), "What changed: {panel:?}");
    screenshot(&app, "account-what-changed.png").await;

    // Accounts filtered to one band, exported: exactly those rows, labelled columns.
    click(&app, "nav-accounts").await;
    wait_text_css(&app, &testid("account-total"), "50 accounts").await;
    let poor = facet_counts(&app, "band").await.into_iter().find(|(b, _)| b == "Poor").map(|(_, n)| n);
    let poor = poor.expect("some Poor accounts");
    click_css(&app, "[data-testid='facet-value'][data-facet='band'][data-value='Poor']").await;
    wait_text_css(&app, &testid("account-total"), &format!("50 accounts · {poor} match")).await;
    click(&app, "export-accounts").await;
    let done = text_css(&app, &testid("export-done")).await;
    assert!(done.contains(&csv.to_string_lossy().to_string()), "{done:?}");
    let body = std::fs::read_to_string(&csv).expect("the exported file");
    let mut lines = body.lines();
    let header = lines.next().expect("a header");
    assert!(header.starts_with("Name,Industry,Health,Band,ARR"), "{header}");
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len() as i64, poor, "one line per account in the view");
    assert!(rows.iter().all(|r| r.contains(",Poor,")), "only the filtered band: {rows:?}");
    app.close().await.expect("close the app");
}
