//! End to end on the real app, Gainsight going away: an org served by a simulator this test runs
//! is connected and synced, then the simulator is stopped. Sync now says it is retrying, gives up
//! with every stream marked failed and one message, the card says Offline, and the data screens
//! say "Offline — showing the cache from …" while accounts, an account page and CTAs still open.

use crate::support;

use support::*;

/// Records every text the sync's retry line shows, so a line that is up for a second is not missed.
const WATCH_RETRIES: &str = "window.__retries = []; new MutationObserver(() => { \
    const e = document.querySelector(\"[data-testid='sync-retrying']\"); \
    if (e && window.__retries[window.__retries.length - 1] !== e.textContent) window.__retries.push(e.textContent); \
  }).observe(document.body, { subtree: true, childList: true, characterData: true });";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gainsight_going_away_leaves_the_cache_browsable_and_says_offline() {
    let sim = gainsight_sim::start(gainsight_sim::SimConfig::default()).await.expect("start the simulator");
    let url = sim.base_url();
    let data = tempfile::tempdir().expect("data dir");
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    // Every reply, error, progress message and event from the Rust side is kept for the scan.
    app.execute("window.__outpostIpcLog = []", vec![]).await.expect("record the IPC replies");

    click(&app, "connect-cs").await;
    type_into(&app, "instance-url", &url).await;
    type_into(&app, "access-key", gainsight_sim::DEMO_ACCESS_KEY).await;
    click(&app, "test-connection").await;
    wait_attr(&app, "test-result", "data-ok", "true").await;
    click(&app, "save").await;
    wait_text_css(&app, &in_card("cs", "card-status"), "Connected").await;
    let first = crate::fields::sync_cs(&app, None).await;
    // A wrong new key is refused: its error crosses the boundary too, for the scan below.
    click_css(&app, &in_card("cs", "update-key")).await;
    type_into(&app, "new-key", "still-not-the-right-key-000000000000").await;
    click(&app, "update-key-save").await;
    find(&app, "old-key-kept").await;
    click_css(&app, "[data-testid='update-key-form'] button.ghost").await;

    // Gainsight goes away: nothing listens on its address any more.
    sim.stop().await;
    app.execute(WATCH_RETRIES, vec![]).await.expect("watch the retry line");
    click_css(&app, &in_card("cs", "sync-now")).await;
    let ended = in_card("cs", "sync-outcome");
    wait_until(&app, "the sync to end", || async {
        match app.find(fantoccini::Locator::Css(&ended)).await {
            Ok(el) => el.attr("data-run-id").await.ok().flatten().is_some_and(|run| run != first),
            Err(_) => false,
        }
    })
    .await;
    let outcome = find_css(&app, &ended).await.attr("data-outcome").await.expect("attr");
    assert_eq!(outcome.as_deref(), Some("failed"), "nothing answered: the sync failed");
    let seen: Vec<String> =
        serde_json::from_value(app.execute("return window.__retries", vec![]).await.expect("retries"))
            .expect("texts");
    assert!(
        seen.iter().any(|t| t.starts_with("Gainsight is not answering — retrying (") && t.ends_with(")…")),
        "the sync said it was retrying: {seen:?}"
    );
    wait_text_css(&app, &in_card("cs", "card-status"), "Offline").await;
    let outcomes = data_of_all(&app, &testid("sync-stream"), "outcome").await;
    assert!(
        !outcomes.is_empty() && outcomes.iter().all(|o| o == "failed"),
        "every stream failed: {outcomes:?}"
    );
    assert_eq!(count_css(&app, "[data-testid='sync-streams'] progress").await, 0, "no bar left running");
    let card = text_css(&app, &card_of("cs")).await;
    let host = url.trim_start_matches("http://");
    assert_eq!(card.matches(&format!("Nothing is answering at {host}")).count(), 1, "said once: {card}");
    assert!(!card.contains("score_bands") && !card.contains("scoring_scheme"), "no internal names: {card}");
    let offline = text(&app, "card-offline").await;
    assert!(offline.starts_with("Offline — showing the cache from "), "{offline}");
    screenshot(&app, "offline-card.png").await;

    // The cache stays browsable, and every data screen says where it comes from.
    click(&app, "nav-accounts").await;
    wait_text_css(&app, &testid("account-total"), "50 accounts").await;
    let fresh = text(&app, "freshness").await;
    assert!(fresh.starts_with("Offline — showing the cache from "), "the freshness line: {fresh}");
    screenshot(&app, "offline-accounts.png").await;
    let name = texts_css(&app, &testid("account-open")).await.first().cloned().expect("a row");
    click(&app, "account-open").await;
    wait_text_css(&app, &testid("account-name"), &name).await;
    find(&app, "score-chart").await;
    click(&app, "nav-ctas").await;
    find(&app, "cta-row").await;
    assert!(text(&app, "freshness").await.starts_with("Offline — "), "CTAs say it too");
    click(&app, "nav-history").await;
    wait_until(&app, "both runs listed", || async { count_css(&app, &testid("history-row")).await == 2 })
        .await;
    let outcomes = data_of_all(&app, &testid("history-row"), "outcome").await;
    assert_eq!(outcomes, ["failed", "ok"], "the failed run, then the good one: {outcomes:?}");

    // No IPC reply carried the key: the test, the save, the sync with its progress, every screen.
    let log = app.execute("return window.__outpostIpcLog", vec![]).await.expect("the IPC log");
    let log = log.as_array().cloned().unwrap_or_default();
    let said = |e: &serde_json::Value| e["text"].as_str().unwrap_or_default().to_string();
    let names: std::collections::BTreeSet<String> =
        log.iter().filter_map(|e| e["name"].as_str().map(str::to_string)).collect();
    for needed in [
        "test_connection",
        "save_connection",
        "sync_now",
        "sync_now:progress",
        "account_page",
        "get_account",
        "cta_page",
        "sync_history",
        "list_connections",
    ] {
        assert!(names.contains(needed), "the log holds {needed} replies: {names:?}");
    }
    assert!(log.iter().any(|e| said(e).contains(&name)), "the scan sees what the replies hold");
    assert!(log.iter().any(|e| e["ok"] == false), "errors are scanned too");
    let leaked: Vec<String> = log
        .iter()
        .filter(|e| said(e).contains(gainsight_sim::DEMO_ACCESS_KEY))
        .map(|e| e["name"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        leaked.is_empty(),
        "the Access Key crossed the IPC boundary in {leaked:?} ({} messages scanned)",
        log.len()
    );
    eprintln!("IPC scan: {} messages of {} kinds, none holding the key", log.len(), names.len());
    app.close().await.expect("close the app");

    // The key went to the keychain and nowhere else: not the database, its WAL, the lock files,
    // the logs, nor WebKit's storage and caches.
    assert!(data.path().join("webview").is_dir(), "WebKit's storage is in the data dir, scanned with it");
    let mut roots = vec![data.path().to_path_buf()];
    roots.extend(webview_dirs());
    assert!(!files_holding(&roots, name.as_bytes()).is_empty(), "the scan finds what the files hold");
    let holding = files_holding(&roots, gainsight_sim::DEMO_ACCESS_KEY.as_bytes());
    assert!(holding.is_empty(), "the Access Key's bytes are in {holding:?}");
}
