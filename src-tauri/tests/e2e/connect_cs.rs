//! End to end on the real app: Try the demo org → Test Connection → Save → Connected card, and the
//! card is still there after a restart.

use crate::support;

use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_org_connects_and_survives_a_restart() {
    let data = tempfile::tempdir().expect("data dir");
    let driver = Driver::start();

    let app = driver.launch(data.path()).await;
    click(&app, "connect-cs").await;
    click(&app, "try-demo").await;
    let url = wait_value(&app, "instance-url").await;
    assert!(url.starts_with("http://127.0.0.1:"), "the demo org runs on loopback, got {url}");
    assert!(!wait_value(&app, "access-key").await.is_empty(), "the demo key is filled in");

    let save_disabled = find(&app, "save").await.prop("disabled").await.expect("prop");
    assert_eq!(save_disabled.as_deref(), Some("true"), "Save stays disabled until a test passes");
    click(&app, "test-connection").await;
    wait_attr(&app, "test-result", "data-ok", "true").await;
    click(&app, "save").await;

    let status = text(&app, "card-status").await;
    let by = text(&app, "card-connected-by").await;
    let on = text(&app, "card-connected-on").await;
    let instance = text(&app, "card-instance").await;
    assert_eq!(status, "Connected");
    assert!(!by.is_empty(), "Connected by shows the OS user's name");
    assert!(on.chars().any(|c| c.is_ascii_digit()), "Connected on shows a date, got {on:?}");
    assert!(instance.starts_with("127.0.0.1:"), "Instance shows the domain, got {instance:?}");
    let key = text(&app, "card-key").await;
    assert!(
        key.starts_with("••••") && key.chars().count() == 8,
        "the card shows only a masked key, got {key:?}"
    );
    screenshot(&app, "connected-card.png").await;
    app.close().await.expect("close the app");

    // Restart: a new app process on the same data directory shows the same card.
    let app = driver.launch(data.path()).await;
    assert_eq!(text(&app, "card-status").await, "Connected");
    assert_eq!(text(&app, "card-connected-by").await, by);
    assert_eq!(text(&app, "card-connected-on").await, on);
    let revived = text(&app, "card-instance").await;
    assert!(
        revived.starts_with("127.0.0.1:"),
        "the demo org is started again after a restart, got {revived:?}"
    );

    // Sync now against the revived demo org, then browse what it brought, offline from the cache.
    click(&app, "sync-now").await;
    wait_attr_long(&app, "sync-outcome", "data-outcome", "ok").await;
    assert!(text(&app, "card-last-sync").await != "never", "the card shows the last sync");
    screenshot(&app, "synced-card.png").await;
    click(&app, "nav-accounts").await;
    find(&app, "account-row").await;
    let rows = app.find_all(fantoccini::Locator::Css(&testid("account-row"))).await.expect("rows");
    assert_eq!(rows.len(), 50, "the demo org's 50 accounts are browsable");
    screenshot(&app, "accounts.png").await;
    click(&app, "account-open").await;
    assert!(!text(&app, "account-name").await.is_empty());
    screenshot(&app, "account-detail.png").await;
    app.close().await.expect("close the app");
}
