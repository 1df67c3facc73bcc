//! End to end on the real app, the insights: the demo org's CS and PX synced, the sync says once
//! how many health alerts it raised (a desktop notification, the nav badge), Renewals ranks rows
//! with their reasons and opens an account, Attention dismisses an alert, and Data quality opens a
//! check's list. artifacts/renewals.png is the README's screenshot (copied to docs/ by hand, so
//! a test run leaves the tree clean).

use crate::support;

use std::time::{Duration, Instant};
use support::desktop::Desktop;
use support::*;

async fn connect_demo(app: &fantoccini::Client) {
    connect_demo_cs(app).await;
    click(app, "connect-px").await;
    click(app, "try-demo").await;
    wait_value(app, "px-api-key").await;
    click(app, "test-connection").await;
    wait_attr(app, "test-result", "data-ok", "true").await;
    click(app, "save").await;
    wait_text_css(app, &in_card("px", "card-status"), "Connected").await;
}

/// The health-alert notifications the daemon received ("3 new health alerts").
fn alert_notes(desktop: &Desktop) -> Vec<support::desktop::Shown> {
    desktop.shown().into_iter().filter(|s| s.summary.contains("new health alert")).collect()
}

async fn attr_f64(el: &fantoccini::elements::Element, name: &str) -> f64 {
    el.attr(name)
        .await
        .expect("attr")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("a numeric {name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewals_attention_and_data_quality_from_a_synced_demo_org() {
    let driver = Driver::start();
    let desktop = Desktop::start().await;
    let data = tempfile::tempdir().expect("data dir");
    let app = driver.launch(data.path()).await;
    connect_demo(&app).await;

    // PX first, so the CS sync that follows reads the usage it links to.
    click_css(&app, &in_card("px", "sync-now")).await;
    wait_outcome(&app, &in_card("px", "sync-outcome"), "data-outcome", "ok").await;
    click_css(&app, &in_card("cs", "sync-now")).await;
    wait_outcome(&app, &in_card("cs", "sync-outcome"), "data-outcome", "ok").await;

    // One notification for the run, with the count of alerts it raised; the badge counts them too.
    let deadline = Instant::now() + Duration::from_secs(20);
    while alert_notes(&desktop).is_empty() {
        assert!(Instant::now() < deadline, "no health-alert notification; got {:?}", desktop.shown());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let notes = alert_notes(&desktop);
    assert_eq!(notes.len(), 1, "one notification for one sync: {notes:?}");
    let raised: usize =
        notes[0].summary.split_whitespace().next().and_then(|n| n.parse().ok()).expect("a count");
    assert!(notes[0].body.contains("see Attention"), "{notes:?}");
    let badge = || async { find(&app, "alerts-badge").await.attr("data-count").await.ok().flatten() };
    wait_until(&app, "the badge counts the raised alerts", || async {
        badge().await == Some(raised.to_string())
    })
    .await;

    // Renewals: ranked by ARR at risk, each row says why; 180 days holds at least what 90 does.
    click(&app, "nav-renewals").await;
    find(&app, "renewal-row").await;
    click(&app, "window-180").await;
    wait_attr(&app, "window-180", "aria-pressed", "true").await;
    find(&app, "renewal-row").await;
    let rows = app.find_all(fantoccini::Locator::Css(&testid("renewal-row"))).await.expect("rows");
    assert!(rows.len() >= 3, "the demo org has renewals within 180 days: {}", rows.len());
    let mut at_risk = Vec::new();
    for r in &rows {
        at_risk.push(attr_f64(r, "data-at-risk").await);
    }
    assert!(at_risk.windows(2).all(|w| w[0] >= w[1]), "riskiest ARR first: {at_risk:?}");
    let reasons = texts_css(&app, &testid("renewal-reasons")).await;
    assert!(
        !reasons[0].is_empty() && reasons[0] != "No warning signs",
        "the top row says why it is at risk: {reasons:?}"
    );
    screenshot(&app, "renewals.png").await;
    let top = text(&app, "renewal-account").await;
    click(&app, "renewal-account").await;
    wait_text_css(&app, &testid("account-name"), &top).await;
    click(&app, "back").await;
    find(&app, "renewals-table").await;

    // Attention: the open alerts; dismissing one takes it off the list and the badge.
    click(&app, "nav-attention").await;
    find(&app, "alert-row").await;
    assert_eq!(count_css(&app, &testid("alert-row")).await, raised, "every raised alert is listed");
    screenshot(&app, "attention.png").await;
    let first = find(&app, "alert-row").await.attr("data-id").await.expect("attr").expect("an alert id");
    click(&app, "dismiss-alert").await;
    let gone = format!("[data-testid='alert-row'][data-id='{first}']");
    wait_until(&app, "the dismissed alert leaves the list", || async { count_css(&app, &gone).await == 0 })
        .await;
    if raised > 1 {
        let left = (raised - 1).to_string();
        wait_until(&app, "the badge counts one less", || async {
            badge().await.as_deref() == Some(left.as_str())
        })
        .await;
    } else {
        wait_until(&app, "no badge without open alerts", || async {
            count_css(&app, &testid("alerts-badge")).await == 0
        })
        .await;
    }
    click(&app, "alerts-show-all").await;
    let dismissed = format!("[data-testid='alert-row'][data-id='{first}'][data-state='dismissed']");
    wait_until(&app, "the dismissed alert shows with all alerts", || async {
        count_css(&app, &dismissed).await == 1
    })
    .await;

    // Data quality: each check with its count; one with failures opens its list.
    click(&app, "nav-quality").await;
    find(&app, "quality-row").await;
    screenshot(&app, "quality.png").await;
    let title = text(&app, "open-check").await;
    click(&app, "open-check").await;
    wait_text_css(&app, &testid("check-title"), &title).await;
    find(&app, "check-item").await;
    screenshot(&app, "quality-check.png").await;

    assert_eq!(alert_notes(&desktop).len(), 1, "browsing raises no second notification");
    app.close().await.expect("close");
}
