//! The sync engine against the simulator on a real socket, with the real keychain and a real
//! database file: a full sync equals the simulator's truth, incremental syncs converge with the
//! minimal calls, a long gap reconciles, a killed process resumes, cancel keeps data, mappings
//! round-trip, and two syncs of one connection never run at once.

use crate::common;

use common::Col;
use common::truth::*;
use gainsight_sim::{RunningSim, SimConfig};
use outpost::Outpost;
use outpost::connections::CsConnectInput;
use outpost::db::settings::FieldMapping;
use outpost::sync::{StreamProgress, SyncOptions};
use rusqlite::Connection;
use serde_json::Value;
use std::collections::BTreeSet;
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
    app.connect_cs(&input).await.expect("connect (needs the keychain `make test` starts)");
    // The simulator is this test's own org: let the sync use its whole per-minute limit.
    let settings = outpost::db::settings::SyncSettings { cs_calls_per_minute: 100, ..Default::default() };
    app.set_sync_settings(CS, &settings).expect("settings");
    app
}

fn quiet(_: &StreamProgress) {}

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

#[tokio::test(flavor = "multi_thread")]
async fn full_then_incremental_sync_converges_with_minimal_calls() {
    let sim = start(40, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;

    let first = app.sync(CS, SyncOptions::default(), &quiet).await.expect("first sync");
    assert_eq!(first.outcome, "ok", "{:?}", first.error);
    assert_equals_truth(&sim, dir.path()).await;
    assert!(rows(dir.path(), "SELECT kind FROM changes").is_empty(), "a first sync logs no changes");

    let scores_before = common::cache_lines(dir.path(), "measure_scores", "", MEASURE_SCORE);
    let history_before = common::cache_lines(dir.path(), "score_history", "", HISTORY);
    // Companies move band (their overall scorecard fact follows), history rows are re-saved.
    let moved = sim.modify("company", 3);
    let resaved = sim.modify("company_scorecard_history", 4);
    let toggled = sim.modify("call_to_action", 4);
    let deleted = sim.delete("company", 2);
    sim.reset_counters();
    let second = app.sync(CS, SyncOptions::default(), &quiet).await.expect("second sync");
    let spent = sim.counters();
    assert_eq!(second.outcome, "ok", "{:?}", second.error);
    assert_equals_truth(&sim, dir.path()).await;
    let rewritten = |before: &[String], table: &str, cols: &[Col], cell: usize| {
        let after = common::cache_lines(dir.path(), table, "", cols);
        let changed: BTreeSet<String> = after
            .iter()
            .filter(|l| before.binary_search(l).is_err())
            .map(|l| l.split('|').nth(cell).unwrap_or_default().to_string())
            .collect();
        let present: BTreeSet<String> =
            after.iter().map(|l| l.split('|').nth(cell).unwrap_or_default().to_string()).collect();
        (changed, present)
    };
    let (rescored, present) = rewritten(&scores_before, "measure_scores", MEASURE_SCORE, 1);
    let kept: BTreeSet<String> = moved.iter().filter(|m| present.contains(*m)).cloned().collect();
    assert!(!kept.is_empty(), "a moved company survived the deletes");
    assert_eq!(rescored, kept, "the moved companies' scores, and only theirs, changed in the cache");
    let (changed, present) = rewritten(&history_before, "score_history", HISTORY, 0);
    let kept: BTreeSet<String> = resaved.iter().filter(|m| present.contains(*m)).cloned().collect();
    assert!(!kept.is_empty(), "a re-saved history row survived the deletes");
    assert_eq!(changed, kept, "the re-saved history rows, and only those, changed in the cache");
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
async fn cancel_keeps_the_previous_data_browsable() {
    let sim = start(60, 5).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    app.sync(CS, SyncOptions::default(), &quiet).await.expect("first");
    let before = app.accounts(&Default::default()).expect("accounts").len();
    let snapshot = |dir: &Path| {
        let companies = rows(
            dir,
            "SELECT gsid || '|' || name || '|' || arr || '|' || coalesce(score_label, '') FROM companies ORDER BY gsid",
        );
        let ctas = rows(
            dir,
            "SELECT gsid || '|' || is_closed || '|' || coalesce(status, '') FROM ctas ORDER BY gsid",
        );
        (companies, ctas)
    };
    let old = snapshot(dir.path());
    let changed = sim.modify("company", 10);
    sim.delete("company", 3);
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
    // Every row is as it was or as Gainsight now has it; nothing half-written, nothing lost.
    let (companies, ctas) = snapshot(dir.path());
    assert_eq!(companies.len(), old.0.len(), "no company lost or duplicated by the cancel");
    let mut new_rows = 0;
    for row in &companies {
        if !old.0.contains(row) {
            let gsid = row.split('|').next().unwrap_or_default();
            assert!(changed.iter().any(|c| c == gsid), "{gsid} changed without being modified in Gainsight");
            new_rows += 1;
        }
    }
    assert!(new_rows < changed.len(), "the cancel stopped the sync before every change was read");
    assert_eq!(ctas.len(), old.1.len(), "the CTAs of the deleted companies stay until a sync completes");
    let card = app.connection(CS).expect("card");
    assert_eq!(card.status, outpost::connections::ConnectionStatus::Connected);
    let s = app.sync(CS, SyncOptions::default(), &quiet).await.expect("next");
    assert_eq!(s.outcome, "ok");
    assert_equals_truth(&sim, dir.path()).await;
}

/// A run that fails before its deletes step leaves them to the next run: the deletes cursor stays
/// where the last successful deletes step put it, and the next good run removes the companies.
#[tokio::test(flavor = "multi_thread")]
async fn deletes_left_by_a_failed_run_are_applied_by_the_next() {
    use gainsight_sim::faults::{Fault, FaultRule};
    let sim = start(20, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    let first = app.sync(CS, SyncOptions::default(), &quiet).await.expect("first");
    assert_eq!(first.outcome, "ok");
    let deletes_cursor =
        || rows(dir.path(), "SELECT last_ok_start FROM sync_cursors WHERE stream = 'deletes'");
    assert_eq!(deletes_cursor(), vec![first.started_at.clone()], "the first run covers deletes to its start");

    let gone = sim.delete("company", 2);
    // Every query refused: nothing can be read, so the run fails (one stream failing alone makes
    // a partial run, whose deletes step still runs).
    sim.add_fault(FaultRule {
        endpoint: "/v1/data/objects/query/".into(),
        fault: Fault::Status { status: 400, error_code: Some("GSOBJ_1002".into()) },
        count: Some(100),
        probability: None,
    });
    let failed = app.sync(CS, SyncOptions::default(), &quiet).await.expect("a failed run returns");
    assert_eq!(failed.outcome, "failed");
    assert_eq!(
        deletes_cursor(),
        vec![first.started_at.clone()],
        "a failed run does not move the deletes cursor"
    );
    let cached = rows(dir.path(), "SELECT gsid FROM companies");
    assert!(gone.iter().all(|g| cached.contains(g)), "the deletes wait for a good run");

    let their_ctas =
        rows(dir.path(), "SELECT company_gsid FROM ctas").iter().filter(|c| gone.contains(c)).count();
    sim.clear_faults();
    let next = app.sync(CS, SyncOptions::default(), &quiet).await.expect("next");
    assert_eq!(next.outcome, "ok", "{:?}", next.error);
    assert_eq!(next.deleted as usize, 2 + their_ctas, "the two companies and their CTAs go");
    assert_eq!(deletes_cursor(), vec![next.started_at.clone()]);
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
    assert_equals_truth(&sim, dir.path()).await;
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
        a.sync(CS, SyncOptions { page_size: Some(50), ..Default::default() }, &signal).await
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
    for table in ["measure_scores", "score_history"] {
        let n = rows(dir.path(), &format!("SELECT CAST(count(*) AS TEXT) FROM {table}"));
        assert_ne!(n, vec!["0"], "{table} is filled from the org's own object");
    }
    assert_equals_objects(&sim, dir.path(), &names.0, &names.1).await;

    sim.reset_counters();
    let second = app.sync(CS, SyncOptions::default(), &quiet).await.expect("second sync");
    assert_eq!(second.outcome, "ok", "{:?}", second.error);
    assert_eq!(sim.counters().calls_to("objects/list"), 0, "an incremental sync trusts the saved names");
}

/// A rejected key needs the admin until the key is fixed: a later run that fails for another
/// reason (a bad request here, not retried) leaves the card as it was, and the schedule skips it.
#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_key_stays_flagged_through_other_failures_and_is_not_scheduled() {
    use gainsight_sim::faults::{Fault, FaultRule};
    use outpost::connections::ConnectionStatus;
    let sim = start(10, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    let settings = outpost::db::settings::SyncSettings {
        frequency: outpost::model::Frequency::Every15Minutes,
        cs_calls_per_minute: 100,
        ..Default::default()
    };
    app.set_sync_settings(CS, &settings).expect("every 15 minutes");
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    assert_eq!(app.due_for_sync(later).expect("due").len(), 1, "due on its schedule");

    sim.rotate_cs_key("regenerated-in-gainsight");
    let rejected = app.sync(CS, SyncOptions::default(), &quiet).await.expect("runs");
    assert_eq!(rejected.error.as_ref().map(|e| e.kind), Some(outpost::ErrorKind::InvalidKey));
    assert_eq!(app.connection(CS).expect("card").status, ConnectionStatus::NeedsAttention);
    assert!(app.due_for_sync(later).expect("due").is_empty(), "a rejected key is not retried on schedule");

    sim.add_fault(FaultRule {
        endpoint: String::new(),
        fault: Fault::Status { status: 400, error_code: Some("GSOBJ_1002".into()) },
        count: None,
        probability: None,
    });
    let failed = app.sync(CS, SyncOptions::default(), &quiet).await.expect("runs");
    assert_eq!(failed.outcome, "failed");
    assert_eq!(failed.error.as_ref().map(|e| e.kind), Some(outpost::ErrorKind::Rejected));
    let card = app.connection(CS).expect("card");
    assert_eq!(
        card.status,
        ConnectionStatus::NeedsAttention,
        "a failure of another kind says nothing about the key"
    );
    assert_eq!(card.status_reason.as_deref(), Some("key rejected"));
}

/// The usage object is org-specific: when the org has none by the configured name, the run goes
/// through without it and says so, instead of failing every time.
#[tokio::test(flavor = "multi_thread")]
async fn a_usage_object_the_org_lacks_is_skipped_with_a_notice() {
    let sim = start(10, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    assert_eq!(app.sync(CS, SyncOptions::default(), &quiet).await.expect("first").outcome, "ok");
    let usage_rows = || rows(dir.path(), "SELECT gsid FROM usage_weekly").len();
    assert!(usage_rows() > 0);

    // Another usage object: the old one's rows and cursor go with the change.
    let mut settings = app.sync_settings(CS).expect("settings");
    settings.usage_object = "adoption_weekly__gc".into();
    app.set_sync_settings(CS, &settings).expect("settings");
    assert_eq!(usage_rows(), 0, "rows of the previous usage object are not this one's");
    let s = app.sync(CS, SyncOptions::default(), &quiet).await.expect("sync");
    assert_eq!(s.outcome, "ok", "{:?}", s.error);
    assert!(!s.counts.contains_key("usage"), "no usage stream ran: {:?}", s.counts);
    assert_eq!(s.notices.len(), 1, "{:?}", s.notices);
    assert!(s.notices[0].contains("adoption_weekly__gc"), "{}", s.notices[0]);
    assert!(s.counts.contains_key("companies") && s.counts.contains_key("ctas"));

    // Back to the org's object: read whole again, although companies are read incrementally.
    settings.usage_object = "product_usage__gc".into();
    app.set_sync_settings(CS, &settings).expect("settings");
    let s = app.sync(CS, SyncOptions::default(), &quiet).await.expect("sync");
    assert!(s.notices.is_empty(), "{:?}", s.notices);
    assert!(s.counts.get("usage").is_some_and(|n| *n > 0), "the org's usage object is read: {:?}", s.counts);
    assert_equals_truth(&sim, dir.path()).await;
}

/// Scorecard and usage rows deleted on their own in Gainsight (not with their company) reach the
/// delete log under their object's name, and the next sync removes them from the cache.
#[tokio::test(flavor = "multi_thread")]
async fn scorecard_and_usage_rows_deleted_on_their_own_leave_the_cache() {
    let sim = start(10, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    assert_eq!(app.sync(CS, SyncOptions::default(), &quiet).await.expect("first").outcome, "ok");
    let mut gone = Vec::new();
    for (object, table) in [
        ("company_scorecard_fact", "measure_scores"),
        ("company_scorecard_history", "score_history"),
        ("product_usage__gc", "usage_weekly"),
    ] {
        let ids = sim.delete(object, 2);
        assert_eq!(ids.len(), 2, "{object}");
        gone.extend(ids.into_iter().map(|id| (table, id)));
    }
    let next = app.sync(CS, SyncOptions::default(), &quiet).await.expect("next");
    assert_eq!(next.outcome, "ok", "{:?}", next.error);
    assert_eq!(next.deleted, 6, "each row deleted in Gainsight is deleted here");
    for (table, id) in &gone {
        let left = rows(dir.path(), &format!("SELECT gsid FROM {table} WHERE gsid = '{id}'"));
        assert!(left.is_empty(), "{table} still holds {id}");
    }
    assert_equals_truth(&sim, dir.path()).await;
}

/// Describing fields for the mapping screen is a call with the key like any other: a rejected key
/// marks the card, and a call that works again clears it.
#[tokio::test(flavor = "multi_thread")]
async fn the_field_list_notices_a_rejected_key_too() {
    use outpost::connections::ConnectionStatus;
    let sim = start(5, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    sim.rotate_cs_key("regenerated");
    let e = app.mappable_fields(CS, "company").await.expect_err("rejected");
    assert_eq!(e.kind, outpost::ErrorKind::InvalidKey);
    let card = app.connection(CS).expect("card");
    assert_eq!(card.status, ConnectionStatus::NeedsAttention);
    assert_eq!(card.status_reason.as_deref(), Some(outpost::connections::KEY_REJECTED));
    sim.rotate_cs_key(gainsight_sim::DEMO_ACCESS_KEY);
    assert!(!app.mappable_fields(CS, "company").await.expect("works again").is_empty());
    assert_eq!(app.connection(CS).expect("card").status, ConnectionStatus::Connected);
}

/// While a sync runs, what would pull the ground from under it waits: mapping fields (the sync
/// reads the fields mapped when it started) and changing an object (its rows are dropped); a
/// change of schedule goes through.
#[tokio::test(flavor = "multi_thread")]
async fn mappings_and_object_changes_wait_for_a_running_sync() {
    let sim = start(12, 80).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = Arc::new(connect(dir.path(), &sim).await);
    let offered = app.mappable_fields(CS, "company").await.expect("describe");
    let region = offered.iter().find(|f| f.field_name == "Region__gc").expect("Region__gc").clone();
    let started = Arc::new(tokio::sync::Notify::new());
    let (a, s) = (app.clone(), started.clone());
    let running = tokio::spawn(async move {
        let signal = move |_: &StreamProgress| s.notify_one();
        a.sync(CS, SyncOptions { page_size: Some(50), ..Default::default() }, &signal).await
    });
    started.notified().await;
    let e = app.set_field_mappings(CS, "company", std::slice::from_ref(&region)).expect_err("waits");
    assert_eq!(e.kind, outpost::ErrorKind::Conflict, "{e:?}");
    let mut settings = app.sync_settings(CS).expect("settings");
    settings.usage_object = "adoption__gc".into();
    let e = app.set_sync_settings(CS, &settings).expect_err("waits");
    assert_eq!(e.kind, outpost::ErrorKind::Conflict, "{e:?}");
    let mut schedule = app.sync_settings(CS).expect("settings");
    schedule.frequency = outpost::model::Frequency::Hourly;
    app.set_sync_settings(CS, &schedule).expect("a schedule change does not touch the cache");
    assert_eq!(running.await.expect("join").expect("sync").outcome, "ok");
    app.set_field_mappings(CS, "company", &[region]).expect("after the sync");
    app.set_sync_settings(CS, &settings).expect("after the sync");
}

/// Keyset paging re-reads one row per page at most: rows sharing the last instant of a page (score
/// history shares a few instants among many rows) are not fetched again, so each query spends the
/// fewest pages its rows need, and the cache still equals the truth.
#[tokio::test(flavor = "multi_thread")]
async fn paging_over_shared_instants_spends_the_fewest_calls() {
    let sim = start(60, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    let page = 150;
    sim.reset_counters();
    let options = SyncOptions { page_size: Some(page), ..Default::default() };
    let run = app.sync(CS, options, &quiet).await.expect("sync");
    assert_eq!(run.outcome, "ok", "{:?}", run.error);
    assert_equals_truth(&sim, dir.path()).await;
    let spent = sim.counters();
    let mut checked = 0;
    for object in [
        "company",
        "call_to_action",
        "company_scorecard_fact",
        "company_scorecard_history",
        "product_usage__gc",
    ] {
        let calls = spent.calls.get(&format!("POST /v1/data/objects/query/{object}")).copied().unwrap_or(0);
        if calls == 0 {
            continue;
        }
        let rows = truth(&sim, object, &["Gsid"]).await.len() as u64;
        // The first page brings `page` rows; each later one `page - 1` new rows and the row that
        // proves nothing shifted; a last short (or empty) page ends the walk.
        let fewest = 1 + rows.saturating_sub(page as u64).div_ceil(page as u64 - 1);
        assert!(
            calls <= fewest + 1,
            "{object}: {rows} rows in pages of {page} took {calls} calls; {fewest} pages hold them: {:?}",
            spent.calls
        );
        checked += 1;
    }
    assert!(checked >= 3, "the CS queries were paged: {:?}", spent.calls);
}

/// A run that stops part way through a stream still records the pages it committed: its counts
/// and the stream's outcome say how many rows came in, not 0.
#[tokio::test(flavor = "multi_thread")]
async fn a_run_that_fails_mid_stream_records_what_it_committed() {
    use gainsight_sim::faults::{Fault, FaultRule};
    let sim = start(40, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    let armed = AtomicBool::new(false);
    // After the second page of companies is in, every further query is refused for good.
    let fail_after_two_pages = |p: &StreamProgress| {
        if p.stream == outpost::model::Stream::Companies
            && p.pages >= 2
            && !armed.swap(true, Ordering::SeqCst)
        {
            sim.add_fault(FaultRule {
                endpoint: "/v1/data/objects/query/".into(),
                fault: Fault::Status { status: 400, error_code: Some("GSOBJ_1002".into()) },
                count: None,
                probability: None,
            });
        }
    };
    let opts = SyncOptions { page_size: Some(5), ..Default::default() };
    let s = app.sync(CS, opts, &fail_after_two_pages).await.expect("a failed run returns");
    assert!(armed.load(Ordering::SeqCst), "the fault went in mid-stream");
    assert_ne!(s.outcome, "ok");
    let cached: i64 = Connection::open(dir.path().join("outpost.db"))
        .and_then(|c| c.query_row("SELECT count(*) FROM companies", [], |r| r.get(0)))
        .expect("count");
    let cached = cached as u64;
    assert!(cached > 0 && cached < 40, "some pages of companies committed, not all: {cached}");
    assert_eq!(s.counts.get("companies"), Some(&cached), "the summary counts them: {:?}", s.counts);
    let stream = s.streams.iter().find(|o| o.stream == outpost::model::Stream::Companies).expect("companies");
    assert_eq!(stream.outcome, outpost::sync::StreamResult::Failed);
    assert_eq!(stream.records, cached, "the failed stream says what it brought in");
    let history = app.sync_history(None, 10).expect("history");
    assert_eq!(history[0].counts.get("companies"), Some(&cached), "and so does the history");
}

/// A call tried again is told on its stream's progress ("retrying (n of m)") with the stream's
/// counts so far, and the run still reads everything; once nothing answers at all, every stream
/// ends failed with the same plain error, and the card says Offline.
#[tokio::test(flavor = "multi_thread")]
async fn retries_are_reported_on_their_stream_and_silence_fails_every_stream() {
    use gainsight_sim::faults::{Fault, FaultRule};
    let sim = start(30, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    sim.add_fault(FaultRule {
        endpoint: "/v1/data/objects/query/call_to_action".into(),
        fault: Fault::Status { status: 503, error_code: None },
        count: Some(2),
        probability: None,
    });
    let seen = std::sync::Mutex::new(Vec::new());
    let progress = |p: &StreamProgress| seen.lock().expect("lock").push(p.clone());
    let s = app.sync(CS, SyncOptions::default(), &progress).await.expect("sync");
    assert_eq!(s.outcome, "ok", "{:?}", s.error);
    let seen = seen.into_inner().expect("lock");
    let notes: Vec<(String, u32, u32)> = seen
        .iter()
        .filter_map(|p| p.retrying.as_ref().map(|r| (p.stream.code().to_string(), r.attempt, r.of)))
        .collect();
    assert_eq!(notes, [("ctas".to_string(), 1, 5), ("ctas".to_string(), 2, 5)], "two retries told");
    let after = seen.iter().rposition(|p| p.retrying.is_some()).expect("a note");
    assert!(
        seen[after + 1..].iter().any(|p| p.stream.code() == "ctas" && p.retrying.is_none()),
        "the next progress of the stream clears the note"
    );
    let calls = sim.counters().calls_to("query/call_to_action");
    assert!(calls >= 3, "the failed calls were made: {calls}");

    // Nothing answers any more.
    let url = sim.base_url();
    sim.stop().await;
    let started = std::time::Instant::now();
    let s = app.sync(CS, SyncOptions::default(), &quiet).await.expect("a summary, not an error");
    assert_eq!(s.outcome, "failed");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "gives up soon: {:?}", started.elapsed());
    let error = s.error.as_ref().expect("the run's error");
    assert_eq!(error.kind, outpost::error::ErrorKind::Offline);
    let host = url.trim_start_matches("http://");
    assert_eq!(error.message, format!("Nothing is answering at {host}."), "plain words");
    let read: Vec<_> = s.streams.iter().filter(|o| o.stream.code() != "deletes").collect();
    assert!(!read.is_empty());
    for o in &read {
        assert_eq!(o.outcome, outpost::db::org::StreamResult::Failed, "{:?}", o.stream);
        assert_eq!(
            o.error.as_ref().map(|e| e.kind),
            Some(outpost::error::ErrorKind::Offline),
            "{:?}",
            o.stream
        );
    }
    let card = app.connection(CS).expect("card");
    assert_eq!(card.status, outpost::connections::ConnectionStatus::Offline);
}
