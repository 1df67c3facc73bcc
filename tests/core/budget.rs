//! The org's CS call budget through the sync engine: the daily limit stops a sync with a clear
//! "resumes after midnight UTC" and loses nothing, the next run (with calls left) resumes; the
//! meter counts what was spent and estimates a full sync.

use gainsight_sim::SimConfig;
use outpost::Outpost;
use outpost::budget::meter::EstimateBasis;
use outpost::connections::CsConnectInput;
use outpost::db::settings::SyncSettings;
use outpost::sync::{StreamProgress, SyncOptions};
use outpost::{ErrorKind, model::SyncOutcome};

const CS: &str = "Sim";

fn quiet(_: &StreamProgress) {}

async fn connect(app: &Outpost, url: String) {
    let input = CsConnectInput {
        name: CS.into(),
        description: None,
        instance_url: url,
        access_key: gainsight_sim::DEMO_ACCESS_KEY.into(),
    };
    app.connect_cs(&input).await.expect("connect (needs the keychain `make test` starts)");
    app.set_sync_settings(CS, &SyncSettings { cs_calls_per_minute: 100, ..Default::default() })
        .expect("settings");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daily_limit_stops_a_sync_clearly_and_the_next_run_resumes() {
    let sim =
        gainsight_sim::start(SimConfig { companies: 20, anchor_day: Some(20_400), ..Default::default() })
            .await
            .expect("simulator");
    let dir = tempfile::tempdir().expect("dir");
    let app = Outpost::open(dir.path()).expect("open");
    connect(&app, sim.base_url()).await;
    let first = app.sync(CS, SyncOptions::default(), &quiet).await.expect("first sync");
    assert_eq!(first.outcome, SyncOutcome::Ok);
    let runs = |app: &Outpost| app.sync_history(None, 10).expect("history").len();
    let before = runs(&app);

    // The day's calls are spent (by this and other processes): set the limit to what was used.
    let spent = app.budget_meter(CS).expect("meter").calls_today;
    assert_eq!(
        spent as u64,
        sim.counters().total_calls() - 1,
        "every call but the connection test's is counted"
    );
    let mut s = app.sync_settings(CS).expect("settings");
    s.cs_calls_per_day = spent;
    let saved = app.set_sync_settings(CS, &s).expect("daily limit saved");
    assert_eq!(saved.cs_calls_per_day, spent, "the setting reads back");
    sim.reset_counters();
    let stopped =
        app.sync(CS, SyncOptions { full: true, ..Default::default() }, &quiet).await.expect("summary");
    assert_eq!(stopped.outcome, SyncOutcome::Failed, "{stopped:?}");
    let e = stopped.error.expect("the run's error");
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert!(e.message.contains("resume after midnight UTC"), "{}", e.message);
    assert_eq!(sim.counters().total_calls(), 0, "no call went out over the limit");
    let rows: i64 = rusqlite::Connection::open(dir.path().join("outpost.db"))
        .and_then(|db| db.query_row("SELECT COUNT(*) FROM companies", [], |r| r.get(0)))
        .expect("count");
    assert_eq!(rows, 20, "the cached companies are intact");
    assert_eq!(runs(&app), before + 1, "the stopped run is in the history");

    // The next run with calls left (after midnight UTC, or a raised limit) resumes.
    s.cs_calls_per_day = 50_000;
    app.set_sync_settings(CS, &s).expect("raise");
    let next =
        app.sync(CS, SyncOptions { full: true, ..Default::default() }, &quiet).await.expect("next sync");
    assert_eq!(next.outcome, SyncOutcome::Ok, "{next:?}");

    let meter = app.budget_meter(CS).expect("meter");
    assert_eq!(meter.calls_per_day, 50_000);
    assert_eq!(meter.share_per_minute, 100);
    assert_eq!(meter.org_calls_per_minute, 100);
    assert_eq!(meter.calls_today, spent + next.calls as i64, "the shared count adds the run's calls");
    assert!(meter.calls_last_minute >= next.calls as i64, "the full run was within the last minute");
    assert_eq!(
        (meter.full_sync_estimate, meter.estimate_basis),
        (Some(next.calls as i64), Some(EstimateBasis::LastFullRun)),
        "the last complete full run says what a full sync costs"
    );
    assert!(
        app.set_sync_settings(CS, &SyncSettings { cs_calls_per_day: 0, ..s.clone() }).is_err(),
        "0 a day refused"
    );
    assert_eq!(
        app.sync_settings(CS).expect("settings").cs_calls_per_day,
        50_000,
        "a refused value changes nothing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn before_any_full_run_the_estimate_comes_from_the_cached_rows() {
    let sim =
        gainsight_sim::start(SimConfig { companies: 20, anchor_day: Some(20_400), ..Default::default() })
            .await
            .expect("simulator");
    let dir = tempfile::tempdir().expect("dir");
    let app = Outpost::open(dir.path()).expect("open");
    connect(&app, sim.base_url()).await;
    let m = app.budget_meter(CS).expect("meter");
    assert_eq!((m.full_sync_estimate, m.estimate_basis), (None, None), "nothing cached, nothing to go by");
    let first = app.sync(CS, SyncOptions::default(), &quiet).await.expect("sync");
    assert_eq!(first.outcome, SyncOutcome::Ok);
    let m = app.budget_meter(CS).expect("meter");
    // Five streams and the delete log, each under one page of 5,000, plus ten for discovery.
    assert_eq!((m.full_sync_estimate, m.estimate_basis), (Some(16), Some(EstimateBasis::CacheRows)));
    assert_eq!(app.budget_meters().expect("meters"), vec![m], "one CS connection, one meter");
}
