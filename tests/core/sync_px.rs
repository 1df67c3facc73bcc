//! PX sync against the simulator: accounts, users and features equal PX's, a second sync writes
//! no unchanged entity, and daily feature usage equals the events PX serves for those days.

use crate::common;

use common::{Cell, Col, col};
use gainsight_sim::{RunningSim, SimConfig};
use outpost::Outpost;
use outpost::connections::{ConnectInput, ConnectKind, PxTarget};
use outpost::gainsight::px::{PxEndpoints, PxRegion};
use outpost::sync::{StreamProgress, SyncOptions};
use rusqlite::Connection;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;

fn quiet(_: &StreamProgress) {}

/// Not the default 30, to show the setting is used; long enough that some account uses a feature
/// more than once a day (so events and distinct users differ somewhere).
const BACKFILL_DAYS: i64 = 28;

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

/// Every item of a PX scroll list (`/accounts`, `/users`, `/events/...`), following `scrollId`
/// until a page comes back empty.
async fn px_scroll(
    base: &str,
    path: &str,
    list_key: &str,
    params: &[(&str, String)],
) -> Vec<Map<String, Value>> {
    let mut query: Vec<(&str, String)> = params.to_vec();
    query.push(("pageSize", "1000".into()));
    let mut out = Vec::new();
    loop {
        let v = px_get(base, path, &query).await;
        let items = v[list_key].as_array().unwrap_or_else(|| panic!("{path}: {v}"));
        if items.is_empty() {
            return out;
        }
        out.extend(items.iter().filter_map(|i| i.as_object().cloned()));
        let scroll = v["scrollId"].as_str().expect("a scroll id").to_string();
        query = vec![("pageSize", "1000".into()), ("scrollId", scroll)];
    }
}

/// Every feature, page by page (`pageNumber`) until `isLastPage`.
async fn px_features(base: &str) -> Vec<Map<String, Value>> {
    let (mut out, mut page) = (Vec::new(), 0);
    loop {
        let v =
            px_get(base, "/feature", &[("pageSize", "200".into()), ("pageNumber", page.to_string())]).await;
        out.extend(v["features"].as_array().expect("features").iter().filter_map(|f| f.as_object().cloned()));
        if v["isLastPage"] != false {
            return out;
        }
        page += 1;
    }
}

const ACCOUNT: &[Col] = &[
    col("id", "id", Cell::Text),
    col("name", "name", Cell::Text),
    col("gs_id", "gsId", Cell::Text),
    col("health_score", "healthScore", Cell::Real),
    col("nps", "nps", Cell::Real),
    col("users", "numberOfUsers", Cell::Int),
    col("industry", "industry", Cell::Text),
    col("plan", "plan", Cell::Text),
    col("last_seen", "lastSeenDate", Cell::Instant),
];
/// `fullName` is the test's own: first and last name, space-joined, as the user is shown.
const USER: &[Col] = &[
    col("id", "aptrinsicId", Cell::Text),
    col("account_id", "accountId", Cell::Text),
    col("email", "email", Cell::Text),
    col("name", "fullName", Cell::Text),
    col("last_seen", "lastSeenDate", Cell::Instant),
    col("visits", "numberOfVisits", Cell::Int),
];
const FEATURE: &[Col] = &[
    col("id", "id", Cell::Text),
    col("name", "name", Cell::Text),
    col("type", "type", Cell::Text),
    col("parent_id", "parentFeatureId", Cell::Text),
];
/// Records the test builds from the events: one per account, feature and UTC day.
const USAGE: &[Col] = &[
    col("account_id", "accountId", Cell::Text),
    col("feature_id", "featureId", Cell::Text),
    col("day", "day", Cell::Text),
    col("events", "events", Cell::Int),
    col("users", "users", Cell::Int),
];

/// Asserts the PX accounts, users and features in the cache are exactly what PX lists now.
async fn assert_px_entities_equal_px(base: &str, dir: &Path) {
    let accounts = px_scroll(base, "/accounts", "accounts", &[]).await;
    common::assert_table(dir, "px_accounts", "", ACCOUNT, &accounts);
    let mut users = px_scroll(base, "/users", "users", &[]).await;
    for u in &mut users {
        let name: Vec<&str> = ["firstName", "lastName"].iter().filter_map(|k| u.get(*k)?.as_str()).collect();
        u.insert("fullName".into(), Value::from(name.join(" ")));
    }
    common::assert_table(dir, "px_users", "", USER, &users);
    common::assert_table(dir, "px_features", "", FEATURE, &px_features(base).await);
}

/// Asserts the cached daily feature usage equals the feature-match events PX serves for the days
/// `first..=last`, counted per account, feature and UTC day (events, and distinct identified users);
/// `filter` narrows the cached rows compared (an SQL condition, or empty for all).
async fn assert_usage_equals_events(
    base: &str,
    dir: &Path,
    filter: &str,
    first: chrono::NaiveDate,
    last: chrono::NaiveDate,
) {
    let ms = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis();
    // Asked the way the published description documents for feature-match events: a date filter.
    let window = [("filter", format!("date>={};date<{}", ms(first), ms(last.succ_opt().expect("next day"))))];
    let events = px_scroll(base, "/events/feature_match", "featureMatchEvents", &window).await;
    let mut counts: BTreeMap<(String, String, String), (i64, BTreeSet<String>)> = BTreeMap::new();
    for e in &events {
        let text = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_string);
        let (Some(account), Some(feature)) = (text("accountId"), text("featureId")) else { continue };
        let at = e.get("date").and_then(Value::as_i64).expect("an event date");
        let day = chrono::DateTime::from_timestamp_millis(at).expect("date").format("%Y-%m-%d").to_string();
        let entry = counts.entry((account, feature, day)).or_default();
        entry.0 += 1;
        entry.1.extend(text("identifyId"));
    }
    let records: Vec<Map<String, Value>> = counts
        .into_iter()
        .map(|((account, feature, day), (events, users))| {
            let v = serde_json::json!({
                "accountId": account, "featureId": feature, "day": day, "events": events, "users": users.len(),
            });
            v.as_object().cloned().unwrap_or_default()
        })
        .collect();
    assert!(!records.is_empty(), "PX served events for {first}..={last}");
    common::assert_table(dir, "px_feature_usage", filter, USAGE, &records);
}

/// The app on `dir` with the simulator's PX endpoints.
fn px_app(sim: &RunningSim, dir: &std::path::Path) -> Outpost {
    let endpoints = PxEndpoints::simulator(&sim.base_url()).expect("endpoints");
    Outpost::open(dir).expect("open").with_px_endpoints(endpoints)
}

/// Connects the simulator's PX (US region, the demo key) as "PX".
async fn connect_px(app: &Outpost) {
    let input = ConnectInput {
        name: "PX".into(),
        description: None,
        kind: ConnectKind::Px {
            target: PxTarget::Region(PxRegion::Us),
            api_key: gainsight_sim::DEMO_PX_API_KEY.into(),
        },
    };
    app.connect(&input).await.expect("connect PX (needs the keychain make test starts)");
}

/// [`px_app`] with PX connected and feature usage read back [`BACKFILL_DAYS`] days.
async fn px_connected(sim: &RunningSim, dir: &std::path::Path) -> Outpost {
    let app = px_app(sim, dir);
    connect_px(&app).await;
    let mut settings = app.sync_settings("PX").expect("settings");
    settings.backfill_days = BACKFILL_DAYS;
    app.set_sync_settings("PX", &settings).expect("backfill");
    app
}

fn count(db: &Connection, sql: &str) -> i64 {
    db.query_row(sql, [], |r| r.get(0)).expect("count")
}

#[tokio::test(flavor = "multi_thread")]
async fn px_entities_and_daily_usage_match_px() {
    let sim = gainsight_sim::start(SimConfig { companies: 20, ..Default::default() }).await.expect("sim");
    let dir = tempfile::tempdir().expect("dir");
    let app = px_connected(&sim, dir.path()).await;

    let totals = Mutex::new(Vec::new());
    let progress = |p: &StreamProgress| {
        if let (Some(t), Ok(mut v)) = (p.total, totals.lock()) {
            v.push((p.stream, t));
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
    assert!(!days.is_empty() && days.len() <= BACKFILL_DAYS as usize, "usage for the backfill: {days:?}");
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
            &[("filter", format!("date>={start};date<{}", start + 86_400_000)), ("pageSize", "1".into())],
        )
        .await["totalHits"]
            .as_i64()
            .expect("hits");
        let ours =
            count(&db, &format!("SELECT coalesce(sum(events), 0) FROM px_feature_usage WHERE day = '{day}'"));
        assert_eq!(ours, truth, "events on {day}");
    }
    assert_px_entities_equal_px(&sim.base_url(), dir.path()).await;
    let last = chrono::NaiveDate::parse_from_str(days.last().expect("a day"), "%Y-%m-%d").expect("day");
    let today = chrono::Utc::now().date_naive();
    assert!(last == today || last.succ_opt() == Some(today), "usage is read through today ({today}): {last}");
    let backfill = last - chrono::Duration::days(BACKFILL_DAYS - 1);
    assert_usage_equals_events(&sim.base_url(), dir.path(), "", backfill, last).await;

    let second = app.sync("PX", SyncOptions::default(), &quiet).await.expect("second PX sync");
    assert_eq!(second.outcome, "ok", "{:?}", second.error);
    for stream in ["px_accounts", "px_users", "px_features"] {
        assert_eq!(second.counts.get(stream), Some(&0), "nothing changed in PX, so {stream} writes nothing");
    }
    assert_eq!(count(&db, "SELECT count(*) FROM px_accounts"), 20, "a reload keeps every account");
    assert!(app.changes(None, 100).expect("changes").is_empty(), "nothing changed, nothing logged");

    // PX moves three health scores and deletes two accounts: the next reload writes those, logs
    // each, and drops the deleted accounts with their users.
    let moved: Vec<String> = sim_post(&sim.base_url(), "modify", 3).await;
    let removed: Vec<String> = sim_post(&sim.base_url(), "delete", 2).await;
    let third = app.sync("PX", SyncOptions::default(), &quiet).await.expect("third PX sync");
    assert_eq!(third.outcome, "ok", "{:?}", third.error);
    assert_eq!(count(&db, "SELECT count(*) FROM px_accounts"), 18);
    let orphans = count(
        &db,
        "SELECT count(*) FROM px_users u WHERE NOT EXISTS (SELECT 1 FROM px_accounts a WHERE a.id = u.account_id)",
    );
    assert_eq!(orphans, 0, "the deleted accounts' users are gone too");
    assert_px_entities_equal_px(&sim.base_url(), dir.path()).await;
    // The deleted accounts' usage of earlier days goes with them (the sync re-reads only recent
    // days): the cache's usage equals the events PX now serves, all of it.
    let window = format!("day BETWEEN '{backfill}' AND '{last}'");
    assert_usage_equals_events(&sim.base_url(), dir.path(), &window, backfill, last).await;
    let kept = count(
        &db,
        "SELECT count(*) FROM px_feature_usage WHERE account_id NOT IN (SELECT id FROM px_accounts)",
    );
    assert_eq!(kept, 0, "no usage of a deleted account stays");
    let still_moved: Vec<&String> = moved.iter().filter(|id| !removed.contains(id)).collect();
    assert_eq!(
        third.counts.get("px_accounts"),
        Some(&((still_moved.len() + removed.len()) as u64)),
        "only the changed and deleted accounts are written"
    );

    let name_of = |id: &str| -> String {
        let sql = "SELECT name FROM px_accounts WHERE id = ?1";
        db.query_row(sql, [id], |r| r.get(0)).expect("a cached account")
    };
    let changes = app.changes(Some(second.run_id), 100).expect("changes");
    let mut logged: Vec<(String, String)> =
        changes.iter().map(|c| (c.kind.code().to_string(), c.subject.clone().unwrap_or_default())).collect();
    logged.sort();
    let mut expected: Vec<(String, String)> =
        still_moved.iter().map(|id| ("px_health_changed".to_string(), name_of(id))).collect();
    let accounts_before: Vec<Value> = accounts["accounts"].as_array().cloned().unwrap_or_default();
    for id in &removed {
        let a =
            accounts_before.iter().find(|a| a["id"] == id.as_str()).expect("a deleted account was listed");
        expected.push(("px_account_removed".to_string(), a["name"].as_str().unwrap_or_default().to_string()));
    }
    expected.sort();
    assert_eq!(logged, expected, "one entry per real change");
    for c in changes.iter().filter(|c| c.kind == "px_health_changed") {
        let d: Value = serde_json::from_str(c.detail.as_deref().unwrap_or("{}")).expect("detail");
        let (from, to) = (d["from"].as_f64().expect("from"), d["to"].as_f64().expect("to"));
        assert_eq!((from - to).abs(), 30.0, "{}: {from} → {to}", c.subject.as_deref().unwrap_or(""));
        assert_eq!(c.connection, "PX");
        assert!(c.company_gsid.is_some(), "a PX change keeps the link to its CS company");
    }
}

/// POSTs a PX account change to the simulator's control API; returns the ids it touched.
async fn sim_post(base: &str, what: &str, count: usize) -> Vec<String> {
    reqwest::Client::new()
        .post(format!("{base}/__sim/{what}"))
        .json(&serde_json::json!({"object": gainsight_sim::PX_ACCOUNT, "count": count}))
        .send()
        .await
        .expect("control call")
        .json()
        .await
        .expect("ids")
}

/// Feature usage that stops part way (PX refuses the events API after a few days are in) still
/// records the events of the days it committed, in the run's counts and the stream's outcome.
#[tokio::test(flavor = "multi_thread")]
async fn px_usage_that_fails_part_way_records_the_days_it_committed() {
    use gainsight_sim::faults::{Fault, FaultRule};
    let sim = gainsight_sim::start(SimConfig { companies: 20, ..Default::default() }).await.expect("sim");
    let dir = tempfile::tempdir().expect("dir");
    let app = px_connected(&sim, dir.path()).await;

    let armed = std::sync::atomic::AtomicBool::new(false);
    let fail_after_some_days = |p: &StreamProgress| {
        use std::sync::atomic::Ordering;
        if p.stream == outpost::model::Stream::PxFeatureUsage
            && p.pages >= 5
            && !armed.swap(true, Ordering::SeqCst)
        {
            sim.add_fault(FaultRule {
                endpoint: "/px/us/v1/events".into(),
                fault: Fault::Status { status: 400, error_code: None },
                count: None,
                probability: None,
            });
        }
    };
    let s = app.sync("PX", SyncOptions::default(), &fail_after_some_days).await.expect("the run returns");
    assert!(armed.load(std::sync::atomic::Ordering::SeqCst), "the fault went in part way");
    let usage = s.streams.iter().find(|o| o.stream == outpost::model::Stream::PxFeatureUsage).expect("usage");
    assert_eq!(usage.outcome, outpost::sync::StreamResult::Failed, "{usage:?}");
    let db = Connection::open(dir.path().join("outpost.db")).expect("db");
    let committed = count(&db, "SELECT coalesce(sum(events), 0) FROM px_feature_usage") as u64;
    let days = count(&db, "SELECT count(DISTINCT day) FROM px_feature_usage");
    assert!(committed > 0 && days < BACKFILL_DAYS, "some days in, not all: {days} days, {committed} events");
    assert_eq!(usage.records, committed, "the failed stream says what it committed");
    assert_eq!(s.counts.get("px_feature_usage"), Some(&committed), "{:?}", s.counts);
    let history = app.sync_history(None, 1).expect("history");
    assert_eq!(history[0].counts.get("px_feature_usage"), Some(&committed), "and so does the history");
}

/// Damage in the PX accounts table met mid-session: the run fails with the `Database` error and
/// its way out, and feature usage is not written into the damaged file.
#[tokio::test(flavor = "multi_thread")]
async fn a_px_sync_that_meets_a_damaged_table_stops_writing() {
    let sim = gainsight_sim::start(SimConfig { companies: 20, ..Default::default() }).await.expect("sim");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("outpost.db");
    let open = || px_app(&sim, dir.path());
    {
        let app = open();
        connect_px(&app).await;
        assert_eq!(app.sync("PX", SyncOptions::default(), &quiet).await.expect("first").outcome, "ok");
    }
    let app = open();
    let (root, page_size): (i64, i64) = {
        let conn = Connection::open(&path).expect("db");
        let root = conn
            .query_row("SELECT rootpage FROM sqlite_master WHERE name = 'px_accounts'", [], |r| r.get(0))
            .expect("root page");
        (root, conn.pragma_query_value(None, "page_size", |r| r.get(0)).expect("page size"))
    };
    let mut bytes = std::fs::read(&path).expect("read");
    let at = ((root - 1) * page_size) as usize;
    bytes[at..at + page_size as usize].fill(0xAB);
    std::fs::write(&path, &bytes).expect("damage px_accounts");
    Connection::open(&path)
        .expect("db")
        .execute_batch("CREATE TABLE bump (x); DROP TABLE bump;")
        .expect("bump");

    let s = app.sync("PX", SyncOptions::default(), &quiet).await.expect("the run returns");
    assert_eq!(s.outcome, "failed", "{:?}", s.streams);
    let error = s.error.expect("why");
    assert_eq!(error.kind, outpost::ErrorKind::Database);
    assert!(error.hint.as_deref().is_some_and(|h| h.contains("outpost.db")), "{error:?}");
    let usage = s.streams.iter().find(|o| o.stream == outpost::model::Stream::PxFeatureUsage).expect("usage");
    assert!(
        usage.error.as_ref().is_some_and(|e| e.message.contains("Stopped: the local database is damaged")),
        "usage is not read into a damaged file: {usage:?}"
    );
}
