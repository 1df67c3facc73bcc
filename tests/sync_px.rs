//! PX sync against the simulator: accounts, users and features equal PX's, a second sync writes
//! no unchanged entity, and daily feature usage equals the events PX serves for those days.

use gainsight_sim::SimConfig;
use outpost::Outpost;
use outpost::connections::{ConnectInput, ConnectKind, PxTarget};
use outpost::gainsight::px::{PxEndpoints, PxRegion};
use outpost::sync::{StreamProgress, SyncOptions};
use rusqlite::Connection;
use serde_json::Value;
use std::sync::Mutex;

fn quiet(_: &StreamProgress) {}

async fn px_get(base: &str, path: &str, query: &[(&str, String)]) -> Value {
    let mut url = url::Url::parse(&format!("{base}/px/us/v1{path}")).expect("url");
    for (k, v) in query {
        url.query_pairs_mut().append_pair(k, v);
    }
    reqwest::Client::new()
        .get(url)
        .header("X-APTRINSIC-API-KEY", gainsight_sim::DEMO_PX_API_KEY)
        .send()
        .await
        .expect("px call")
        .json()
        .await
        .expect("px json")
}

fn count(db: &Connection, sql: &str) -> i64 {
    db.query_row(sql, [], |r| r.get(0)).expect("count")
}

#[tokio::test(flavor = "multi_thread")]
async fn px_entities_and_daily_usage_match_px() {
    let sim = gainsight_sim::start(SimConfig { companies: 20, ..Default::default() }).await.expect("sim");
    let dir = tempfile::tempdir().expect("dir");
    let endpoints = PxEndpoints::simulator(&sim.base_url()).expect("endpoints");
    let app = Outpost::open(dir.path()).expect("open").with_px_endpoints(endpoints);
    let input = ConnectInput {
        name: "PX".into(),
        description: None,
        kind: ConnectKind::Px {
            target: PxTarget::Region(PxRegion::Us),
            api_key: gainsight_sim::DEMO_PX_API_KEY.into(),
        },
    };
    app.connect(&input, false).await.expect("connect PX (needs the keychain make test starts)");
    let mut settings = app.sync_settings("PX").expect("settings");
    settings.backfill_days = 5;
    app.set_sync_settings("PX", &settings).expect("backfill");

    let totals = Mutex::new(Vec::new());
    let progress = |p: &StreamProgress| {
        if let (Some(t), Ok(mut v)) = (p.total, totals.lock()) {
            v.push((p.stream.clone(), t));
        }
    };
    let first = app.sync("PX", SyncOptions::default(), &progress).await.expect("first PX sync");
    assert_eq!(first.outcome, "ok", "{:?}", first.error);
    assert!(
        totals.lock().expect("totals").iter().any(|(s, t)| s == "px_accounts" && *t == 20),
        "progress carries PX's totalHits as the expected total"
    );

    let db = Connection::open(dir.path().join("outpost.db")).expect("db");
    let accounts = px_get(&sim.base_url(), "/accounts", &[("pageSize", "1000".into())]).await;
    assert_eq!(count(&db, "SELECT count(*) FROM px_accounts"), accounts["totalHits"].as_i64().expect("hits"));
    let linked = count(&db, "SELECT count(*) FROM px_accounts WHERE gs_id IS NOT NULL");
    assert_eq!(linked, 20, "every PX account keeps its link to the CS company");
    let users = px_get(&sim.base_url(), "/users", &[("pageSize", "1".into())]).await;
    assert_eq!(count(&db, "SELECT count(*) FROM px_users"), users["totalHits"].as_i64().expect("hits"));
    let features = px_get(&sim.base_url(), "/feature", &[("pageSize", "200".into())]).await;
    let n_features = features["features"].as_array().map_or(0, Vec::len) as i64;
    assert_eq!(count(&db, "SELECT count(*) FROM px_features"), n_features);

    // Usage: each synced day's event total equals what the events API serves for that day.
    let days: Vec<String> = {
        let mut stmt = db.prepare("SELECT DISTINCT day FROM px_feature_usage ORDER BY day").expect("sql");
        stmt.query_map([], |r| r.get(0)).expect("days").collect::<Result<_, _>>().expect("days")
    };
    assert!(!days.is_empty() && days.len() <= 5, "usage for the 5-day backfill: {days:?}");
    for day in &days {
        let start = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .expect("day")
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc()
            .timestamp_millis();
        let truth = px_get(
            &sim.base_url(),
            "/events/feature_match",
            &[
                ("dateRangeStart", start.to_string()),
                ("dateRangeEnd", (start + 86_400_000).to_string()),
                ("pageSize", "1".into()),
            ],
        )
        .await["totalHits"]
            .as_i64()
            .expect("hits");
        let ours =
            count(&db, &format!("SELECT coalesce(sum(events), 0) FROM px_feature_usage WHERE day = '{day}'"));
        assert_eq!(ours, truth, "events on {day}");
    }

    let second = app.sync("PX", SyncOptions::default(), &quiet).await.expect("second PX sync");
    assert_eq!(second.outcome, "ok", "{:?}", second.error);
    for stream in ["px_accounts", "px_users", "px_features"] {
        assert_eq!(second.counts.get(stream), Some(&0), "nothing changed in PX, so {stream} writes nothing");
    }
    assert_eq!(count(&db, "SELECT count(*) FROM px_accounts"), 20, "a reload keeps every account");
}
