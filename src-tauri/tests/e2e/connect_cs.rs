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
    wait_text_css(&app, &testid("account-total"), "50 accounts").await;
    screenshot(&app, "accounts.png").await;

    // A facet count, clicked, filters to that many; the chip removes it again.
    let poor = facet_counts(&app, "band").await.into_iter().find(|(b, _)| b == "Poor").map(|(_, n)| n);
    let poor = poor.expect("the demo org has Poor accounts");
    click_css(&app, "[data-testid='facet-value'][data-facet='band'][data-value='Poor']").await;
    wait_text_css(&app, &testid("account-total"), &format!("50 accounts · {poor} match")).await;
    let bands = texts_css(&app, "[data-testid='account-row'] .band-label").await;
    assert!(!bands.is_empty() && bands.iter().all(|b| b == "Poor"), "only Poor rows: {bands:?}");
    screenshot(&app, "accounts-filtered.png").await;
    click(&app, "filter-chip").await;
    wait_text_css(&app, &testid("account-total"), "50 accounts").await;

    // Search as you type: the last row's name finds it at the top.
    let names = texts_css(&app, &testid("account-open")).await;
    let name = names.last().expect("rows").clone();
    type_into(&app, "account-search", &name).await;
    wait_until(&app, "the searched account on top", || async {
        texts_css(&app, &testid("account-open")).await.first() == Some(&name)
    })
    .await;
    let total = text(&app, "account-total").await;
    assert!(
        total.starts_with("50 accounts · ") && total.ends_with(" match"),
        "the true total and the matches: {total}"
    );
    click(&app, "account-open").await;
    assert_eq!(text(&app, "account-name").await, name, "the row clicked is the account opened");

    // Its weekly score is a chart drawn on a canvas, with a point per week.
    let chart = find(&app, "score-chart").await;
    let weeks: usize =
        chart.attr("data-points").await.expect("attr").unwrap_or_default().parse().unwrap_or(0);
    assert!(weeks > 1, "a chart of several weeks, got {weeks}");
    let lines: usize = chart.attr("data-lines").await.expect("attr").unwrap_or_default().parse().unwrap_or(0);
    assert!(lines > 1, "the overall score and a line per measure, got {lines}");
    assert_eq!(count_css(&app, "[data-testid='score-chart'] canvas").await, 1, "uPlot drew a canvas");
    let painted: bool = serde_json::from_value(
        app.execute(
            "const c = document.querySelector(\"[data-testid='score-chart'] canvas\"); \
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; \
             for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false;",
            vec![],
        )
        .await
        .expect("read the canvas"),
    )
    .expect("bool");
    assert!(painted, "the canvas has something drawn on it");
    screenshot(&app, "account-detail.png").await;

    // CTAs org-wide: the true counts, overdue first, each row keyed by connection and id, and a
    // click through to its account.
    click(&app, "nav-ctas").await;
    find(&app, "cta-row").await;
    let total = text(&app, "cta-total").await;
    assert!(total.contains(" CTAs · ") && total.ends_with(" match"), "all CTAs and the open ones: {total}");
    let fresh = text(&app, "freshness").await;
    assert!(fresh.starts_with("Synced ") && fresh.contains(" · "), "the freshness line: {fresh}");
    let keys = app
        .execute(
            "return Array.from(document.querySelectorAll(\"[data-testid='cta-row']\"), e => e.dataset.key)",
            vec![],
        )
        .await
        .expect("keys");
    let keys: Vec<String> = serde_json::from_value(keys).expect("keys");
    assert!(keys.iter().all(|k| k.contains('/')), "rows keyed by connection/id: {keys:?}");
    let due = texts_css(&app, "[data-testid='cta-row'] .cell.due").await;
    assert!(due.first().is_some_and(|d| d.ends_with("overdue")), "overdue first: {due:?}");
    screenshot(&app, "ctas.png").await;
    let account = texts_css(&app, &testid("cta-account")).await.first().cloned().expect("an account");
    click(&app, "cta-account").await;
    assert_eq!(text(&app, "account-name").await, account, "the CTA opens its account");

    // Sync history: the run just made, with its outcome.
    click(&app, "nav-history").await;
    find(&app, "history-row").await;
    let outcomes = app
        .execute("return Array.from(document.querySelectorAll(\"[data-testid='history-row']\"), e => e.dataset.outcome)", vec![])
        .await
        .expect("outcomes");
    let outcomes: Vec<String> = serde_json::from_value(outcomes).expect("outcomes");
    assert_eq!(outcomes, ["ok"], "one sync, ok");
    screenshot(&app, "history.png").await;
    app.close().await.expect("close the app");

    // The search survives a restart.
    let app = driver.launch(data.path()).await;
    click(&app, "nav-accounts").await;
    let kept = find(&app, "account-search").await.prop("value").await.expect("prop").unwrap_or_default();
    assert_eq!(kept, name, "the Accounts view keeps its search across a restart");
    app.close().await.expect("close the app");
}
