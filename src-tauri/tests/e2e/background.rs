//! End to end on the real app, running in the background: the tray menu lists each connection with
//! Sync now and its last sync, and Sync now from the tray syncs; a scheduled sync that fails says so
//! with one desktop notification, and a sync that raises health alerts says so once; closing the
//! window keeps the app running in the tray (said once); Open Outpost brings the window back; Quit
//! ends the app. The tray host, the notification daemon and the window manager's close are played
//! by test peers on the real session bus and X display (support/desktop.rs).

use crate::support;

use serde_json::json;
use support::desktop::{Desktop, Display, app_pid, has_exited};
use support::*;

const TITLE: &str = "Outpost";
const ROTATED_KEY: &str = "rotated-demo-access-key-0000000000000077";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tray_close_to_tray_and_notifications() {
    // The turn first: another test's peers hold the same names on the bus until its turn ends.
    let driver = Driver::start_with_env(&[("OUTPOST_SCHEDULER_TICK_MS", "500")]);
    let desktop = Desktop::start().await;
    let data = tempfile::tempdir().expect("data dir");
    let app = driver.launch(data.path()).await;
    let pid = app_pid(data.path());
    let display = Display::open();

    // The tray host sees the app's item; with nothing connected the menu says so.
    let item = desktop.tray_item().await;
    let labels = desktop.labels(&item).await;
    assert_eq!(labels, ["Open Outpost", "No connections yet", "Quit Outpost"], "a fresh tray menu");

    click(&app, "connect-cs").await;
    click(&app, "try-demo").await;
    let sim = wait_value(&app, "instance-url").await;
    let demo_key = wait_value(&app, "access-key").await;
    click(&app, "test-connection").await;
    wait_attr(&app, "test-result", "data-ok", "true").await;
    click(&app, "save").await;
    wait_text_css(&app, &in_card("cs", "card-status"), "Connected").await;
    let name = text_css(&app, &in_card("cs", "card-name")).await;
    desktop.wait_entry(&item, "the new connection", |e| e.label == format!("{name}: not synced yet")).await;

    // The key is regenerated in Gainsight, then the admin turns the schedule on: the scheduler's
    // first run fails, and the desktop says so once.
    assert_eq!(sim_post(&sim, "/__sim/rotate", &json!({"product": "cs", "key": ROTATED_KEY})).await, 204);
    click_css(&app, &in_card("cs", "sync-settings")).await;
    select_css(&app, &in_card("cs", "frequency"), "15m").await;
    let shown = desktop.wait_shown(&format!("{name}: the key needs attention")).await;
    assert_eq!(shown.len(), 1, "one notification for the failed scheduled sync: {shown:?}");
    assert!(!shown[0].body.contains(ROTATED_KEY), "no key in a notification");
    let attention = format!("{name}: not synced yet, needs attention");
    desktop.wait_entry(&item, "the rejected key", |e| e.label == attention).await;

    // The key is set back; Sync now from the tray syncs, and the menu shows how it went.
    assert_eq!(sim_post(&sim, "/__sim/rotate", &json!({"product": "cs", "key": demo_key})).await, 204);
    desktop.click(&item, &format!("Sync now: {name}")).await;
    let last = desktop.wait_entry(&item, "an ok run", |e| e.label.contains("(ok)")).await;
    assert!(last.label.starts_with(&format!("{name}: last sync ")), "{last:?}");
    assert!(!last.enabled, "the last-sync line is information, not a command");
    // The window hears of it too: the card is Connected again and shows the run.
    wait_text_css(&app, &in_card("cs", "card-status"), "Connected").await;
    assert_ne!(text_css(&app, &in_card("cs", "card-last-sync")).await, "never");
    // The demo org's first read raises health alerts: Sync now from the tray says so, once.
    find(&app, "alerts-badge").await;
    let health = || desktop.shown().into_iter().filter(|s| s.summary.contains("new health alert")).count();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while health() == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(health(), 1, "one health-alert notification for the tray's sync: {:?}", desktop.shown());

    // Closing the window hides it; the app keeps running and says so, once.
    assert!(display.is_shown(pid, TITLE), "the window is on screen");
    display.close(pid, TITLE);
    display.wait_shown(pid, TITLE, false);
    let told = desktop.wait_shown("Outpost is still running").await;
    assert!(!has_exited(pid), "closing the window does not end the app");
    assert_eq!(app.title().await.expect("the webview still answers"), TITLE);

    desktop.click(&item, "Open Outpost").await;
    display.wait_shown(pid, TITLE, true);
    display.close(pid, TITLE);
    display.wait_shown(pid, TITLE, false);
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let running = desktop.shown().into_iter().filter(|s| s.summary == "Outpost is still running").count();
    assert_eq!(running, 1, "the tray is explained the first time only: {told:?}");

    desktop.click(&item, "Quit Outpost").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !has_exited(pid) {
        assert!(std::time::Instant::now() < deadline, "Quit Outpost did not end the app");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
