//! Scheduled syncs and the desktop's notifications: a failing scheduled sync is announced once per
//! problem — not once per tick the scheduler retries — whether the run failed before it had a
//! summary or ended with a summary that read nothing; a sync that reads again ends the problem.

use gainsight_sim::SimConfig;
use gainsight_sim::faults::{Fault, FaultRule};
use outpost::Outpost;
use outpost::alerts::{Alert, Alerts};
use outpost::model::Frequency;
use outpost::schedule::Scheduled;
use std::sync::Mutex;

const NEW_KEY: &str = "regenerated-access-key-0000000000000001";
const NEWER_KEY: &str = "regenerated-access-key-0000000000000002";

/// Runs what is due at `now`, the way the desktop's scheduler does, and returns what it announced.
async fn tick(app: &Outpost, alerts: &Mutex<Alerts>, now: chrono::DateTime<chrono::Utc>) -> Vec<Alert> {
    let shown = Mutex::new(Vec::new());
    let on = |event: Scheduled<'_>| {
        let alert = match event {
            Scheduled::Finished(summary) => alerts.lock().expect("alerts").finished(summary),
            Scheduled::Failed(id, e) => alerts.lock().expect("alerts").failed(id, id, e.kind, &e.message),
            Scheduled::Started(_) | Scheduled::Progress(_) => None,
        };
        shown.lock().expect("shown").extend(alert);
    };
    app.sync_due(now, &on).await.expect("the look at what is due");
    shown.into_inner().expect("shown")
}

#[tokio::test(flavor = "multi_thread")]
async fn scheduled_failures_make_one_alert_per_problem_not_one_per_try() {
    let sim =
        gainsight_sim::start(SimConfig { companies: 12, anchor_day: Some(20_400), ..Default::default() })
            .await
            .expect("simulator");
    let dir = tempfile::tempdir().expect("dir");
    let app = Outpost::open(dir.path()).expect("open");
    crate::common::connect_cs(&app, "Sim", &sim).await;
    let mut settings = app.sync_settings("Sim").expect("settings");
    settings.frequency = Frequency::Every15Minutes;
    app.set_sync_settings("Sim", &settings).expect("every 15 minutes");
    let alerts = Mutex::new(Alerts::default());
    let start = chrono::Utc::now();
    let at = |hours: i64| start + chrono::Duration::hours(hours);

    assert_eq!(tick(&app, &alerts, at(0)).await, [], "a healthy sync announces nothing");

    // The admin regenerates the key in Gainsight: every scheduled try fails from now on.
    sim.rotate_cs_key(NEW_KEY);
    let first = tick(&app, &alerts, at(1)).await;
    assert_eq!(first.len(), 1, "the first failing try is announced: {first:?}");
    assert_eq!(first[0].title, "Sim: the key needs attention");
    assert!(!first[0].body.contains(NEW_KEY) && !first[0].body.contains(gainsight_sim::DEMO_ACCESS_KEY));
    assert_eq!(tick(&app, &alerts, at(2)).await, [], "the scheduler's next try is the same problem");
    assert_eq!(tick(&app, &alerts, at(3)).await, [], "and the one after");

    // Update key on the card: the next scheduled sync reads again, and ends the problem.
    app.rotate("Sim", NEW_KEY).await.expect("the new key");
    assert_eq!(tick(&app, &alerts, at(4)).await, [], "a sync that reads is no news");

    // A proxy answers every call with its login page: each scheduled try fails the same way; only
    // the first says so. (A rejected key, above, is not retried by the schedule at all.)
    let login_page =
        FaultRule { endpoint: String::new(), fault: Fault::HtmlPage, count: None, probability: None };
    sim.add_fault(login_page);
    let proxy = tick(&app, &alerts, at(5)).await;
    assert_eq!(proxy.len(), 1, "the first failing try is announced: {proxy:?}");
    assert_eq!(proxy[0].title, "Sim: scheduled sync failed");
    assert_eq!(tick(&app, &alerts, at(6)).await, [], "the schedule retries: the same problem, no news");
    assert_eq!(tick(&app, &alerts, at(7)).await, [], "and again");
    sim.clear_faults();
    assert_eq!(tick(&app, &alerts, at(8)).await, [], "the proxy is gone: a sync that reads");

    // The key failure later is a new problem, and is announced again.
    sim.rotate_cs_key(NEWER_KEY);
    let again = tick(&app, &alerts, at(9)).await;
    assert_eq!(again.len(), 1, "a new failure after a recovery is news: {again:?}");
}
