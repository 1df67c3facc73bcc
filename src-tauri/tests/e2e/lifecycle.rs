//! End to end on the real app, the connection lifecycle: connect CS (Access Key) and PX (region US)
//! through the demo org, survive a re-generated key (Needs attention → Update key → Connected),
//! edit Connected by, disconnect while keeping the cached data browsable, and reconnect.

use crate::support;

use serde_json::json;
use support::*;

const NEW_CS_KEY: &str = "rotated-demo-access-key-0000000000000042";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_cs_and_px_rotate_a_rejected_key_disconnect_and_reconnect() {
    let data = tempfile::tempdir().expect("data dir");
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;

    // Gainsight CS with an Access Key, through the demo org.
    click(&app, "connect-cs").await;
    let access_key_selected = find(&app, "auth-access-key").await.attr("aria-checked").await.expect("attr");
    assert_eq!(access_key_selected.as_deref(), Some("true"), "the CS form starts on Access Key");
    click(&app, "auth-m2m").await;
    click(&app, "try-demo").await;
    assert!(!wait_value(&app, "client-id").await.is_empty(), "the demo fills the M2M client id too");
    screenshot(&app, "cs-form-m2m.png").await;
    click(&app, "auth-access-key").await;
    let sim = wait_value(&app, "instance-url").await;
    click(&app, "test-connection").await;
    wait_attr(&app, "test-result", "data-ok", "true").await;
    click(&app, "save").await;
    wait_text_css(&app, &in_card("cs", "card-status"), "Connected").await;
    let old_key = text_css(&app, &in_card("cs", "card-key")).await;

    // Gainsight PX, the demo org's simulated US region.
    click(&app, "connect-px").await;
    click(&app, "try-demo").await;
    assert!(!wait_value(&app, "px-api-key").await.is_empty(), "the demo PX key is filled in");
    let region = find(&app, "px-region").await.prop("value").await.expect("prop");
    assert_eq!(region.as_deref(), Some("us"), "the demo PX key is a US key");
    click(&app, "test-connection").await;
    wait_attr(&app, "test-result", "data-ok", "true").await;
    assert!(
        text(&app, "test-subscription").await.starts_with("Subscription "),
        "a passing PX test names the subscription"
    );
    scroll_to(&app, "[data-testid='px-form']").await;
    screenshot(&app, "px-form.png").await;
    click(&app, "save").await;
    wait_text_css(&app, &in_card("px", "card-status"), "Connected").await;
    // The demo PX is an ordinary connection to the simulator's URL: the card names where it is.
    let region = text_css(&app, &in_card("px", "card-region")).await;
    assert!(region.starts_with("127.0.0.1:"), "the demo PX card shows the simulator's address: {region}");
    // PX syncs from its own card: accounts, users, features and daily feature usage.
    click_css(&app, &in_card("px", "sync-now")).await;
    wait_outcome(&app, &in_card("px", "sync-outcome"), "data-outcome", "ok").await;
    scroll_to(&app, "h1").await;
    screenshot(&app, "integrations.png").await;

    // A first sync, so there is cached data to keep after the disconnect.
    click_css(&app, &in_card("cs", "sync-now")).await;
    wait_outcome(&app, &in_card("cs", "sync-outcome"), "data-outcome", "ok").await;

    // The key is re-generated in Gainsight: the next test gets 401 and the card needs attention.
    assert_eq!(sim_post(&sim, "/__sim/rotate", &json!({"product": "cs", "key": NEW_CS_KEY})).await, 204);
    click_css(&app, &in_card("cs", "card-test")).await;
    wait_text_css(&app, &in_card("cs", "card-status"), "Needs attention: key rejected").await;
    find_css(&app, &in_card("cs", "needs-attention")).await;
    scroll_to(&app, "[data-testid='connected-card'][data-kind='cs']").await;
    screenshot(&app, "needs-attention.png").await;

    // A wrong new key is refused and the old one is kept; the right one brings the card back.
    click_css(&app, &in_card("cs", "update-key")).await;
    type_into(&app, "new-key", "still-not-the-right-key-000000000000").await;
    click(&app, "update-key-save").await;
    find(&app, "old-key-kept").await;
    let kind = find(&app, "error-note").await.attr("data-kind").await.expect("attr");
    assert_eq!(kind.as_deref(), Some("InvalidKey"), "the wrong key is reported as rejected");
    assert_eq!(text_css(&app, &in_card("cs", "card-key")).await, old_key, "a failing key changes nothing");
    scroll_to(&app, "[data-testid='connected-card'][data-kind='cs']").await;
    screenshot(&app, "update-key-error.png").await;
    type_into(&app, "new-key", NEW_CS_KEY).await;
    click(&app, "update-key-save").await;
    wait_text_css(&app, &in_card("cs", "card-status"), "Connected").await;
    let new_key = text_css(&app, &in_card("cs", "card-key")).await;
    assert!(
        new_key != old_key && new_key.ends_with("0042"),
        "the card shows the new key's mask, got {new_key:?}"
    );

    // Connected by is editable in place.
    click_css(&app, &in_card("cs", "edit-connected-by")).await;
    type_into(&app, "connected-by-input", "Pat Admin").await;
    click(&app, "connected-by-save").await;
    wait_text_css(&app, &in_card("cs", "card-connected-by"), "Pat Admin").await;

    // Disconnect, keeping the cached data: the card says Disconnected and that it no longer syncs,
    // and Accounts still lists them.
    let last_sync = text_css(&app, &in_card("cs", "card-last-sync")).await;
    click_css(&app, &in_card("cs", "disconnect")).await;
    click(&app, "confirm-disconnect").await;
    wait_text_css(&app, &in_card("cs", "card-status"), "Disconnected").await;
    let shown = text_css(&app, &card_of("cs")).await;
    assert!(!shown.contains("Next sync"), "a disconnected card promises no next sync, it showed:\n{shown}");
    assert_eq!(
        text_css(&app, &in_card("cs", "card-sync-off")).await,
        "Off — disconnected; cached data stays browsable"
    );
    assert_eq!(
        count_css(&app, &in_card("cs", "sync-now")).await,
        0,
        "a disconnected card offers no Sync now"
    );
    assert_eq!(
        text_css(&app, &in_card("cs", "card-last-sync")).await,
        last_sync,
        "the last sync is still shown"
    );
    find_css(&app, &in_card("cs", "card-key-removed")).await;
    scroll_to(&app, &card_of("cs")).await;
    screenshot(&app, "disconnected.png").await;
    click(&app, "nav-accounts").await;
    find(&app, "account-row").await;
    // A disconnect that keeps the data leaves the accounts browsable.
    wait_text_css(&app, &testid("account-total"), "50 accounts").await;

    // Reconnect from the card: a wrong key stores nothing; the working one makes it Connected again.
    click(&app, "nav-integrations").await;
    click_css(&app, &in_card("cs", "reconnect")).await;
    type_into(&app, "new-key", "still-not-the-right-key-000000000000").await;
    click(&app, "update-key-save").await;
    find(&app, "still-disconnected").await;
    let note = find_css(&app, "[data-testid='update-key-form'] [data-testid='error-note']").await;
    let kind = note.attr("data-kind").await.expect("attr");
    assert_eq!(kind.as_deref(), Some("InvalidKey"), "the wrong key is reported as rejected");
    assert_eq!(text_css(&app, &in_card("cs", "card-status")).await, "Disconnected");
    scroll_to(&app, &card_of("cs")).await;
    screenshot(&app, "reconnect-error.png").await;
    type_into(&app, "new-key", NEW_CS_KEY).await;
    click(&app, "update-key-save").await;
    wait_text_css(&app, &in_card("cs", "card-status"), "Connected").await;
    find_css(&app, &in_card("cs", "reconnected")).await;
    find_css(&app, &in_card("cs", "sync-now")).await;
    assert_eq!(text_css(&app, &in_card("cs", "card-next-sync")).await, "manual", "the schedule is back");
    assert_eq!(count_css(&app, &in_card("cs", "card-sync-off")).await, 0);
    assert_eq!(count_css(&app, &in_card("cs", "card-key-removed")).await, 0);
    assert!(text_css(&app, &in_card("cs", "card-key")).await.ends_with("0042"), "the reconnected key's mask");
    scroll_to(&app, &card_of("cs")).await;
    screenshot(&app, "reconnected.png").await;
    app.close().await.expect("close the app");

    // After a restart the reconnected CS card is still Connected, the demo org is revived and the
    // saved PX connection reaches it again.
    let app = driver.launch(data.path()).await;
    find(&app, "accounts-table").await; // it opens on Accounts once something has synced
    click(&app, "nav-integrations").await;
    wait_text_css(&app, &in_card("cs", "card-status"), "Connected").await;
    click_css(&app, &in_card("px", "card-test")).await;
    wait_attr(&app, "card-test-result", "data-ok", "true").await;
    assert_eq!(text_css(&app, &in_card("px", "card-status")).await, "Connected");
    app.close().await.expect("close the app");
}
