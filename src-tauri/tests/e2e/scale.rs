//! End to end on the real app with a 20,000-account cache (written straight into SQLite, no
//! sync): the true total is shown, the last account is reachable by scrolling to the end and by
//! search, and a facet count matches the cache.

use crate::support;

use serde_json::json;
use support::*;

fn seed(dir: &std::path::Path) {
    let db = outpost::db::open(&dir.join("outpost.db")).expect("open the cache");
    db.execute_batch(
        "INSERT INTO connections (id, kind, name, instance_url, auth_mode, connected_by, connected_on, last_sync_at)
            VALUES ('big', 'cs', 'Big org', 'https://big.gainsightcloud.com', 'access_key', 'e2e', '2026-01-01',
                    strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
         INSERT INTO companies (connection_id, gsid, name, industry, score, score_label)
            SELECT 'big', printf('G%05d', i), printf('Account %05d', i), 'Retail', i % 100,
                   CASE WHEN i % 100 < 50 THEN 'Poor' WHEN i % 100 < 75 THEN 'Average' ELSE 'Good' END FROM n;",
    )
    .expect("seed 20,000 accounts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_thousand_accounts_all_reachable() {
    let data = tempfile::tempdir().expect("data dir");
    seed(data.path());
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    click(&app, "nav-accounts").await;
    wait_text_css(&app, &testid("account-total"), "20,000 accounts").await;
    let bands = facet_counts(&app, "band").await;
    assert_eq!(
        bands,
        [("Poor".to_string(), 10_000), ("Average".to_string(), 5_000), ("Good".to_string(), 5_000)],
        "band counts of the whole cache"
    );

    // By name, scrolled to the very end: the 20,000th row is the last account.
    click(&app, "sort-name").await;
    wait_until(&app, "sorted by name", || async {
        texts_css(&app, &testid("account-open")).await.first().map(String::as_str) == Some("Account 00001")
    })
    .await;
    let grid = testid("accounts-table");
    wait_until(&app, "the last account after scrolling to the end", || async {
        app.execute(
            "const g = document.querySelector(arguments[0]); g.scrollTop = g.scrollHeight;",
            vec![json!(grid)],
        )
        .await
        .expect("scroll");
        texts_css(&app, &testid("account-open")).await.last().map(String::as_str) == Some("Account 20000")
    })
    .await;
    let index = find_css(&app, "[data-testid='account-row']:last-child")
        .await
        .attr("data-index")
        .await
        .expect("attr");
    assert_eq!(index.as_deref(), Some("19999"), "it is row 20,000 of 20,000");
    screenshot(&app, "accounts-20000-end.png").await;

    // And by search.
    type_into(&app, "account-search", "account 20000").await;
    wait_text_css(&app, &testid("account-total"), "20,000 accounts · 1 match").await;
    assert_eq!(texts_css(&app, &testid("account-open")).await, ["Account 20000"]);
    screenshot(&app, "accounts-20000-search.png").await;
    app.close().await.expect("close the app");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dark_desktop_gets_the_dark_theme() {
    let data = tempfile::tempdir().expect("data dir");
    seed(data.path());
    let driver = Driver::start_with_env(&[("GTK_THEME", "Adwaita:dark")]);
    let app = driver.launch(data.path()).await;
    click(&app, "nav-accounts").await;
    wait_text_css(&app, &testid("account-total"), "20,000 accounts").await;
    let dark = app
        .execute("return matchMedia('(prefers-color-scheme: dark)').matches && getComputedStyle(document.documentElement).getPropertyValue('--bg').trim()", vec![])
        .await
        .expect("theme");
    assert_eq!(dark, json!("#10151c"), "the OS's dark preference selects the dark palette");
    screenshot(&app, "accounts-dark.png").await;
    app.close().await.expect("close the app");
}
