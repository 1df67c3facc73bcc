//! End to end on the real app, the scheduler: a connection set to sync every 15 minutes that has
//! never synced is due at once; the core's scheduler (hosted by the app, its tick shortened here)
//! syncs it with nobody pressing Sync now, and the card refreshes to show the run.

use crate::support;

use std::time::{Duration, Instant};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_sync_runs_by_itself_and_refreshes_the_card() {
    let data = tempfile::tempdir().expect("data dir");
    let driver = Driver::start_with_env(&[("OUTPOST_SCHEDULER_TICK_MS", "500")]);
    let app = driver.launch(data.path()).await;

    connect_demo_cs(&app).await;
    assert_eq!(text_css(&app, &in_card("cs", "card-last-sync")).await, "never", "not synced yet");

    click_css(&app, &in_card("cs", "sync-settings")).await;
    select_css(&app, &in_card("cs", "frequency"), "15m").await;

    // No click on Sync now: the scheduler finds the connection due and syncs it.
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let last = text_css(&app, &in_card("cs", "card-last-sync")).await;
        if last != "never" && !last.is_empty() {
            break;
        }
        if Instant::now() >= deadline {
            let shot = screenshot(&app, "timeout-scheduled.png").await;
            panic!(
                "no scheduled sync reached the card (last sync {last:?}); the screen is in {}",
                shot.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let next = text_css(&app, &in_card("cs", "card-next-sync")).await;
    assert_ne!(next, "manual", "the card shows when the next scheduled sync runs: {next}");
    assert_eq!(
        count_css(&app, &in_card("cs", "card-outcome")).await,
        0,
        "a complete sync leaves no problem note"
    );
    app.close().await.expect("close");
}
