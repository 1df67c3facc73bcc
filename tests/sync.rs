//! The sync engine against the simulator on a real socket, with the real keychain and a real
//! database file: a full sync equals the simulator's truth, incremental syncs converge with the
//! minimal calls, a long gap reconciles, a killed process resumes, cancel keeps data, mappings
//! round-trip, and two syncs of one connection never run at once.

mod common;

use gainsight_sim::{RunningSim, SimConfig};
use outpost::Outpost;
use outpost::connections::CsConnectInput;
use outpost::db::settings::FieldMapping;
use outpost::sync::{StreamProgress, SyncOptions};
use rusqlite::Connection;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const CS: &str = "Sim";

async fn start(companies: usize, latency_ms: u64) -> RunningSim {
    gainsight_sim::start(SimConfig { companies, latency_ms, anchor_day: Some(20_400), ..Default::default() })
        .await
        .expect("simulator")
}

async fn connect(dir: &Path, sim: &RunningSim) -> Outpost {
    let app = Outpost::open(dir).expect("open data dir");
    let input = CsConnectInput {
        name: CS.into(),
        description: None,
        instance_url: sim.base_url(),
        access_key: gainsight_sim::DEMO_ACCESS_KEY.into(),
    };
    app.connect_cs(&input, false).await.expect("connect (needs the keychain `make test` starts)");
    // The simulator is this test's own org: let the sync use its whole per-minute limit.
    let settings = outpost::db::settings::SyncSettings { cs_calls_per_minute: 100, ..Default::default() };
    app.set_sync_settings(CS, &settings).expect("settings");
    app
}

fn quiet(_: &StreamProgress) {}

/// Every row of `object` as the simulator serves it now.
async fn truth(sim: &RunningSim, object: &str, select: &[&str]) -> Vec<serde_json::Map<String, Value>> {
    let body = json!({"select": select, "orderBy": {"Gsid": "asc"}, "limit": 5000, "offset": 0});
    let v: Value = reqwest::Client::new()
        .post(format!("{}/v1/data/objects/query/{object}", sim.base_url()))
        .header("Accesskey", gainsight_sim::DEMO_ACCESS_KEY)
        .json(&body)
        .send()
        .await
        .expect("truth query")
        .json()
        .await
        .expect("truth json");
    v["data"]["records"].as_array().expect("records").iter().filter_map(|r| r.as_object().cloned()).collect()
}

fn db(dir: &Path) -> Connection {
    Connection::open(dir.join("outpost.db")).expect("database file")
}

fn rows(dir: &Path, sql: &str) -> Vec<String> {
    let conn = db(dir);
    let mut stmt = conn.prepare(sql).expect("sql");
    stmt.query_map([], |r| r.get::<_, String>(0))
        .expect("query")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows")
}

/// Equal lists, or a failure that names only the differences.
fn same(got: Vec<String>, want: Vec<String>, what: &str) {
    if got != want {
        let missing: Vec<&String> = want.iter().filter(|w| !got.contains(w)).take(5).collect();
        let extra: Vec<&String> = got.iter().filter(|g| !want.contains(g)).take(5).collect();
        panic!(
            "{what}: cache has {} rows, truth {}; missing {missing:?}; extra {extra:?}",
            got.len(),
            want.len()
        );
    }
}

/// Asserts the cache holds exactly what the simulator serves, table by table.
async fn assert_equals_truth(sim: &RunningSim, dir: &Path) {
    let companies = truth(sim, "company", &["Gsid", "Name", "Arr", "CurrentScore__gr.Name"]).await;
    let mut want: Vec<String> = companies
        .iter()
        .map(|r| {
            format!(
                "{}|{}|{}|{}",
                r["Gsid"].as_str().unwrap_or(""),
                r["Name"].as_str().unwrap_or(""),
                r["Arr"],
                r["CurrentScore__gr.Name"].as_str().unwrap_or("")
            )
        })
        .collect();
    want.sort();
    let got = rows(
        dir,
        "SELECT gsid || '|' || name || '|' || CAST(CAST(arr AS INTEGER) AS TEXT) || '|' || coalesce(score_label, '') FROM companies ORDER BY 1",
    );
    same(got, want, "companies must equal the simulator's, row for row");

    let ctas = truth(sim, "call_to_action", &["Gsid", "IsClosed", "StatusId__gr.Name"]).await;
    let mut want: Vec<String> = ctas
        .iter()
        .map(|r| {
            format!(
                "{}|{}|{}",
                r["Gsid"].as_str().unwrap_or(""),
                i32::from(r["IsClosed"] == true),
                r["StatusId__gr.Name"].as_str().unwrap_or("")
            )
        })
        .collect();
    want.sort();
    let got =
        rows(dir, "SELECT gsid || '|' || is_closed || '|' || coalesce(status, '') FROM ctas ORDER BY 1");
    same(got, want, "CTAs must equal the simulator's");

    for (object, table) in [
        ("company_scorecard_fact", "measure_scores"),
        ("company_scorecard_history", "score_history"),
        ("product_usage__gc", "usage_weekly"),
        ("scoring_scheme_definition", "score_bands"),
    ] {
        let mut want: Vec<String> = truth(sim, object, &["Gsid"])
            .await
            .iter()
            .filter_map(|r| r["Gsid"].as_str().map(str::to_string))
            .collect();
        want.sort();
        same(
            rows(dir, &format!("SELECT gsid FROM {table} ORDER BY 1")),
            want,
            &format!("{table} must hold exactly {object}"),
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn full_then_incremental_sync_converges_with_minimal_calls() {
    let sim = start(40, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;

    let first = app.sync(CS, SyncOptions::default(), &quiet).await.expect("first sync");
    assert_eq!(first.outcome, "ok", "{:?}", first.error);
    assert_equals_truth(&sim, dir.path()).await;
    assert!(rows(dir.path(), "SELECT kind FROM changes").is_empty(), "a first sync logs no changes");

    let moved = sim.modify("company", 3);
    let toggled = sim.modify("call_to_action", 4);
    let deleted = sim.delete("company", 2);
    sim.reset_counters();
    let second = app.sync(CS, SyncOptions::default(), &quiet).await.expect("second sync");
    let spent = sim.counters();
    assert_eq!(second.outcome, "ok", "{:?}", second.error);
    assert_equals_truth(&sim, dir.path()).await;
    assert_eq!(
        spent.total_calls(),
        7,
        "one page per stream (bands, companies, CTAs, scores, history, usage) and one delete-log call: {:?}",
        spent.calls
    );
    assert_eq!(second.calls, 7, "the run records the calls it spent");
    let changes = rows(dir.path(), "SELECT kind || ':' || coalesce(company_gsid, '') FROM changes");
    for id in &moved {
        assert!(
            changes.contains(&format!("band_changed:{id}")),
            "a band move is logged for {id}: {changes:?}"
        );
    }
    for id in &deleted {
        assert!(changes.contains(&format!("company_removed:{id}")), "a removal is logged for {id}");
    }
    let cta_changes = changes.iter().filter(|c| c.starts_with("cta_")).count();
    let remaining = truth(&sim, "call_to_action", &["Gsid"]).await;
    let still_there = toggled.iter().filter(|t| remaining.iter().any(|r| r["Gsid"] == t.as_str())).count();
    assert_eq!(cta_changes, still_there, "each toggled CTA (not deleted with its company) is logged once");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gap_of_two_weeks_reconciles_ids_instead_of_reading_the_log() {
    let sim = start(25, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    app.sync(CS, SyncOptions::default(), &quiet).await.expect("first");
    let gone = sim.delete("company", 3);
    let old = (chrono::Utc::now() - chrono::Duration::days(20))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    db(dir.path()).execute("UPDATE sync_cursors SET last_ok_start = ?1", [&old]).expect("age the cursors");
    sim.reset_counters();
    let s = app.sync(CS, SyncOptions::default(), &quiet).await.expect("after gap");
    assert_eq!(s.outcome, "ok", "{:?}", s.error);
    assert_eq!(sim.counters().calls_to("record_delete_log"), 0, "past 14 days the delete log is not trusted");
    assert!(s.deleted >= 3, "three companies (and their CTAs) were deleted, got {}", s.deleted);
    let left = rows(dir.path(), "SELECT gsid FROM companies");
    assert!(gone.iter().all(|g| !left.contains(g)), "reconcile removed the deleted companies");
    assert_equals_truth(&sim, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_sync_resumes_to_the_exact_truth() {
    let sim = start(120, 15).await;
    let dir = tempfile::tempdir().expect("dir");
    drop(connect(dir.path(), &sim).await);

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_outpost"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--quiet", "sync", "--page-size", "10"])
        .spawn()
        .expect("outpost sync");
    // Wait until some pages are in, then kill -9 mid-sync.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let n: i64 = db(dir.path()).query_row("SELECT count(*) FROM ctas", [], |r| r.get(0)).unwrap_or(0);
        if n >= 50 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the sync made no progress");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    let partial: i64 =
        db(dir.path()).query_row("SELECT count(*) FROM ctas", [], |r| r.get(0)).expect("count");
    let all = truth(&sim, "call_to_action", &["Gsid"]).await.len() as i64;
    assert!(partial < all, "the kill landed mid-sync ({partial} of {all} CTAs)");

    let app = Outpost::open(dir.path()).expect("reopen");
    let s = app.sync(CS, SyncOptions::default(), &quiet).await.expect("resume");
    assert_eq!(s.outcome, "ok", "{:?}", s.error);
    assert_equals_truth(&sim, dir.path()).await;
    let outcomes = rows(dir.path(), "SELECT outcome FROM sync_runs ORDER BY id");
    assert_eq!(outcomes, vec!["interrupted", "ok"], "the killed run is recorded as interrupted");
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_keeps_the_previous_data_browsable() {
    let sim = start(60, 5).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    app.sync(CS, SyncOptions::default(), &quiet).await.expect("first");
    let before = app.accounts(&Default::default()).expect("accounts").len();
    sim.modify("company", 10);
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let stop_after_first_page = move |p: &StreamProgress| {
        if p.pages >= 1 {
            flag.store(true, Ordering::SeqCst);
        }
    };
    let opts = SyncOptions { cancel, page_size: Some(5), ..Default::default() };
    let s = app.sync(CS, opts, &stop_after_first_page).await.expect("cancelled sync returns");
    assert_eq!(s.outcome, "cancelled");
    assert!(s.error.is_none(), "cancel is not an error");
    assert_eq!(
        app.accounts(&Default::default()).expect("accounts").len(),
        before,
        "every account is still there"
    );
    let card = app.connection(CS).expect("card");
    assert!(card.last_sync_at.is_some(), "the last good sync stays recorded");
    let s = app.sync(CS, SyncOptions::default(), &quiet).await.expect("next");
    assert_eq!(s.outcome, "ok");
    assert_equals_truth(&sim, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn custom_field_mappings_round_trip() {
    let sim = start(15, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    let offered = app.mappable_fields(CS, "company").await.expect("describe");
    let region =
        offered.iter().find(|f| f.field_name == "Region__gc").expect("Region__gc is offered").clone();
    assert!(offered.first().is_some_and(|f| f.field_name.ends_with("__gc")), "custom fields come first");
    let nps = FieldMapping {
        object: "company".into(),
        field_name: "NpsScore__gc".into(),
        label: "NPS".into(),
        data_type: "NUMBER".into(),
    };
    app.set_field_mappings(CS, "company", &[region, nps]).expect("map");
    assert_eq!(app.field_mappings(CS, "company").expect("read back").len(), 2);
    app.sync(CS, SyncOptions::default(), &quiet).await.expect("sync");
    let want = truth(&sim, "company", &["Gsid", "Region__gc", "NpsScore__gc"]).await;
    for r in want {
        let id = r["Gsid"].as_str().expect("gsid");
        let custom: String = db(dir.path())
            .query_row("SELECT custom FROM companies WHERE gsid = ?1", [id], |x| x.get(0))
            .expect("row");
        let custom: Value = serde_json::from_str(&custom).expect("json");
        assert_eq!(custom["Region__gc"], r["Region__gc"], "mapped text field stored for {id}");
        assert_eq!(custom["NpsScore__gc"], r["NpsScore__gc"], "mapped number field stored for {id}");
    }

    // Mapped fields are filterable and sortable.
    let truth_rows = truth(&sim, "company", &["Gsid", "Region__gc", "NpsScore__gc"]).await;
    let emea = truth_rows.iter().filter(|r| r["Region__gc"] == "EMEA").count();
    let q = outpost::db::browse::AccountQuery { field: Some("Region__gc=EMEA".into()), ..Default::default() };
    assert_eq!(app.accounts(&q).expect("filter").len(), emea, "filter by a mapped field");
    let q =
        outpost::db::browse::AccountQuery { sort: Some("custom:NpsScore__gc".into()), ..Default::default() };
    let sorted: Vec<i64> = app
        .accounts(&q)
        .expect("sort")
        .iter()
        .map(|a| {
            serde_json::from_str::<Value>(&a.company.custom).expect("json")["NpsScore__gc"]
                .as_i64()
                .expect("nps")
        })
        .collect();
    assert!(sorted.windows(2).all(|w| w[0] <= w[1]), "sorted by a mapped number field: {sorted:?}");
    let bad =
        outpost::db::browse::AccountQuery { sort: Some("custom:x') OR 1=1 --".into()), ..Default::default() };
    assert_eq!(app.accounts(&bad).expect_err("refused").kind, outpost::ErrorKind::InvalidInput);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_sync_of_the_same_connection_is_refused_while_one_runs() {
    let sim = start(12, 30).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = Arc::new(connect(dir.path(), &sim).await);
    let other = Outpost::open(dir.path()).expect("second handle, as another process would have");
    let started = Arc::new(tokio::sync::Notify::new());
    let (a, s) = (app.clone(), started.clone());
    let first = tokio::spawn(async move {
        let signal = move |_: &StreamProgress| s.notify_one();
        a.sync(CS, SyncOptions { page_size: Some(5), ..Default::default() }, &signal).await
    });
    started.notified().await;
    let err = other.sync(CS, SyncOptions::default(), &quiet).await.expect_err("refused");
    assert_eq!(err.kind, outpost::ErrorKind::Conflict, "{err:?}");
    let s = first.await.expect("join").expect("first sync");
    assert_eq!(s.outcome, "ok");
    assert_eq!(
        other.sync(CS, SyncOptions::default(), &quiet).await.expect("after").outcome,
        "ok",
        "the lock is released"
    );
}

/// An org whose scorecard objects have other API names: the first sync finds them in the object
/// list (one call), saves them in the settings, and caches exactly their rows; the next sync does
/// not look again.
#[tokio::test(flavor = "multi_thread")]
async fn scorecard_objects_are_found_under_the_orgs_own_names() {
    let names = ("gs_scorecard_fact_v2".to_string(), "gs_scorecard_history_v2".to_string());
    let config = SimConfig {
        companies: 12,
        anchor_day: Some(20_400),
        scorecard_objects: Some(names.clone()),
        ..Default::default()
    };
    let sim = gainsight_sim::start(config).await.expect("simulator");
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    let before = app.sync_settings(CS).expect("settings");
    assert_eq!(before.fact_object, "company_scorecard_fact", "the default is not this org's name");

    sim.reset_counters();
    let first = app.sync(CS, SyncOptions::default(), &quiet).await.expect("first sync");
    assert_eq!(first.outcome, "ok", "{:?}", first.error);
    assert_eq!(sim.counters().calls_to("objects/list"), 1, "one look at the object list");
    let after = app.sync_settings(CS).expect("settings");
    assert_eq!((after.fact_object, after.history_object), names, "the org's names are saved");
    for (object, table) in [(&names.0, "measure_scores"), (&names.1, "score_history")] {
        let mut want: Vec<String> = truth(&sim, object, &["Gsid"])
            .await
            .iter()
            .filter_map(|r| r["Gsid"].as_str().map(str::to_string))
            .collect();
        want.sort();
        assert!(!want.is_empty());
        same(rows(dir.path(), &format!("SELECT gsid FROM {table} ORDER BY 1")), want, table);
    }

    sim.reset_counters();
    let second = app.sync(CS, SyncOptions::default(), &quiet).await.expect("second sync");
    assert_eq!(second.outcome, "ok", "{:?}", second.error);
    assert_eq!(sim.counters().calls_to("objects/list"), 0, "an incremental sync trusts the saved names");
}
