//! End to end on the real app with the desktop's dark preference: the demo org connected and
//! synced, every screen opened in the dark palette and screenshotted (`dark-*.png`), for the
//! README and for looking at them as an admin would.

use crate::support;

use serde_json::json;
use support::*;

const SCREENS: [(&str, &str); 8] = [
    ("accounts", "account-row"),
    ("renewals", "renewals-table"),
    ("attention", "alerts-count"),
    ("ctas", "cta-row"),
    ("changes", "changes-since"),
    ("quality", "quality-table"),
    ("history", "history-row"),
    ("integrations", "connected-card"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_in_the_dark_theme() {
    let data = tempfile::tempdir().expect("data dir");
    let driver = Driver::start_with_env(&[("GTK_THEME", "Adwaita:dark")]);
    let app = driver.launch(data.path()).await;
    connect_demo_cs(&app).await;
    crate::fields::sync_cs(&app, None).await;

    let palette = "return matchMedia('(prefers-color-scheme: dark)').matches \
                   && getComputedStyle(document.documentElement).getPropertyValue('--bg').trim()";
    for (screen, shown) in SCREENS {
        click(&app, &format!("nav-{screen}")).await;
        find(&app, shown).await;
        assert_eq!(app.execute(palette, vec![]).await.expect("theme"), json!("#10151c"), "{screen} is dark");
        screenshot(&app, &format!("dark-{screen}.png")).await;
    }
    click(&app, "nav-accounts").await;
    click(&app, "account-open").await;
    find(&app, "score-chart").await;
    screenshot(&app, "dark-account.png").await;
    app.close().await.expect("close the app");
}
