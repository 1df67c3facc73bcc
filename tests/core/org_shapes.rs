//! Orgs that differ from the simulator's default shape (its org profiles): every profile syncs to
//! complete or partial — never failed for an optional gap — with exact rows for what the org has,
//! nulls and notices for what it lacks, and the org report showing each match.

use crate::common;

use common::{Cell, Col, col};
use gainsight_sim::faults::{Fault, FaultRule};
use gainsight_sim::{OrgProfile, RunningSim, SimConfig};
use outpost::Outpost;
use outpost::connections::CsConnectInput;
use outpost::sync::roles::Matched;
use outpost::sync::{StreamProgress, StreamResult, SyncOptions, SyncSummary};
use serde_json::{Map, Value};
use std::path::Path;

const CS: &str = "Org";

fn quiet(_: &StreamProgress) {}

async fn start(profile: OrgProfile, companies: usize) -> RunningSim {
    let config = SimConfig { companies, anchor_day: Some(20_400), profile, ..Default::default() };
    gainsight_sim::start(config).await.expect("simulator")
}

fn named(name: &str) -> OrgProfile {
    OrgProfile::named(name).unwrap_or_else(|| panic!("the simulator has a {name} profile"))
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
    let mut s = app.sync_settings(CS).expect("settings");
    s.cs_calls_per_minute = 100;
    app.set_sync_settings(CS, &s).expect("settings");
    app
}

/// Every record of `object`, selecting only the fields the org has (`None` columns are the ones it
/// lacks: the cache must hold NULL there, which compares as the empty text of a missing field).
async fn truth(sim: &RunningSim, object: &str, cols: &[(Col, bool)]) -> Vec<Map<String, Value>> {
    let fields: Vec<&str> =
        cols.iter().filter(|(c, has)| *has && !matches!(c.cell, Cell::Sql)).map(|(c, _)| c.field).collect();
    common::cs_records(&sim.base_url(), object, &fields).await
}

fn assert_table(dir: &Path, table: &str, cols: &[(Col, bool)], records: &[Map<String, Value>]) {
    let cols: Vec<Col> = cols.iter().map(|(c, _)| col(c.column, c.field, c.cell)).collect();
    common::assert_table(dir, table, "", &cols, records);
}

fn stream<'a>(s: &'a SyncSummary, name: &str) -> &'a outpost::sync::StreamOutcome {
    s.streams.iter().find(|o| o.stream == name).unwrap_or_else(|| panic!("{name} in {:?}", s.streams))
}

/// Queries of the Company object itself (not the scorecard objects whose names start alike).
fn company_calls(sim: &RunningSim) -> u64 {
    sim.counters().calls.get("POST /v1/data/objects/query/company").copied().unwrap_or(0)
}

fn has_notice(s: &SyncSummary, part: &str) -> bool {
    s.notices.iter().any(|n| n.contains(part))
}

const fn yes(c: Col) -> (Col, bool) {
    (c, true)
}

const fn no(c: Col) -> (Col, bool) {
    (c, false)
}

/// Companies as the `documented` profile has them: no Mrr, Employees or Status.
const DOC_COMPANY: &[(Col, bool)] = &[
    yes(col("gsid", "Gsid", Cell::Text)),
    yes(col("name", "Name", Cell::Text)),
    yes(col("industry", "Industry", Cell::Text)),
    yes(col("arr", "Arr", Cell::Real)),
    no(col("mrr", "Mrr", Cell::Real)),
    yes(col("renewal_date", "RenewalDate", Cell::Day)),
    yes(col("stage", "Stage__gr.Name", Cell::Text)),
    no(col("status", "Status__gr.Name", Cell::Text)),
    yes(col("csm_name", "Csm__gr.Name", Cell::Text)),
    yes(col("csm_email", "Csm__gr.Email", Cell::Text)),
    yes(col("managed_as", "ManagedAs", Cell::Text)),
    no(col("employees", "Employees", Cell::Int)),
    yes(col("score", "CurrentScore__gr.Score", Cell::Real)),
    yes(col("score_label", "CurrentScore__gr.Name", Cell::Text)),
    yes(col("score_color", "CurrentScore__gr.Color", Cell::Text)),
    yes(col("created_at", "CreatedDate", Cell::Instant)),
    yes(col("modified_at", "ModifiedDate", Cell::Instant)),
];
const DOC_CTA: &[(Col, bool)] = &[
    yes(col("gsid", "Gsid", Cell::Text)),
    yes(col("company_gsid", "CompanyId", Cell::Text)),
    yes(col("name", "Name", Cell::Text)),
    yes(col("status", "StatusId__gr.Name", Cell::Text)),
    yes(col("priority", "PriorityId__gr.Name", Cell::Text)),
    yes(col("type", "TypeId__gr.Name", Cell::Text)),
    yes(col("reason", "ReasonId__gr.Name", Cell::Text)),
    yes(col("owner_name", "OwnerId__gr.Name", Cell::Text)),
    yes(col("owner_email", "OwnerId__gr.Email", Cell::Text)),
    yes(col("due_date", "DueDate", Cell::Day)),
    yes(col("is_closed", "IsClosed", Cell::Flag)),
    no(col("closed_at", "ClosedDate", Cell::Instant)),
    yes(col("is_important", "IsImportant", Cell::Flag)),
    yes(col("created_at", "CreatedDate", Cell::Instant)),
    yes(col("modified_at", "ModifiedDate", Cell::Instant)),
];
const DOC_BAND: &[(Col, bool)] = &[
    yes(col("gsid", "Gsid", Cell::Text)),
    yes(col("name", "Name", Cell::Text)),
    yes(col("score", "Score", Cell::Real)),
    yes(col("color", "Color", Cell::Text)),
];
/// The fact object under its `documented` name, with its current and previous score renamed.
const DOC_FACT: &[(Col, bool)] = &[
    yes(col("gsid", "Gsid", Cell::Text)),
    yes(col("company_gsid", "CompanyId", Cell::Text)),
    yes(col("measure_gsid", "MeasureId", Cell::Text)),
    yes(col("measure_name", "MeasureId__gr.Name", Cell::Text)),
    yes(col("score", "CurrentScoreId__gr.Score", Cell::Real)),
    yes(col("label", "CurrentScoreId__gr.Name", Cell::Text)),
    yes(col("color", "CurrentScoreId__gr.Color", Cell::Text)),
    yes(col("prev_score", "PreviousScoreId__gr.Score", Cell::Real)),
    yes(col("trend", "Trend", Cell::Text)),
    yes(col("modified_at", "ModifiedDate", Cell::Instant)),
];
/// History with its week renamed and its score only as a lookup to the scoring scheme.
const DOC_HISTORY: &[(Col, bool)] = &[
    yes(col("gsid", "Gsid", Cell::Text)),
    yes(col("company_gsid", "CompanyId", Cell::Text)),
    yes(col("measure_gsid", "MeasureId", Cell::Text)),
    yes(col("week", "WeekStartDate", Cell::Day)),
    yes(col("score", "ScoreId__gr.Score", Cell::Real)),
    yes(col("label", "ScoreId__gr.Name", Cell::Text)),
    yes(col("modified_at", "ModifiedDate", Cell::Instant)),
];
/// Usage under another object name, every field named otherwise, and no feature events.
const DOC_USAGE: &[(Col, bool)] = &[
    yes(col("gsid", "Gsid", Cell::Text)),
    yes(col("company_gsid", "Company__gc", Cell::Text)),
    yes(col("week", "WeekOf__gc", Cell::Day)),
    yes(col("active_users", "WeeklyActiveUsers__gc", Cell::Int)),
    yes(col("logins", "LoginCount__gc", Cell::Int)),
    no(col("feature_events", "FeatureEvents__gc", Cell::Int)),
    yes(col("modified_at", "ModifiedDate", Cell::Instant)),
];

async fn assert_documented_truth(sim: &RunningSim, dir: &Path) {
    assert_table(dir, "companies", DOC_COMPANY, &truth(sim, "company", DOC_COMPANY).await);
    assert_table(dir, "ctas", DOC_CTA, &truth(sim, "call_to_action", DOC_CTA).await);
    assert_table(dir, "score_bands", DOC_BAND, &truth(sim, "scoring_scheme_definition", DOC_BAND).await);
    assert_table(dir, "measure_scores", DOC_FACT, &truth(sim, "scorecard_fact", DOC_FACT).await);
    assert_table(dir, "score_history", DOC_HISTORY, &truth(sim, "scorecard_history", DOC_HISTORY).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_org_from_the_documented_samples_syncs_what_it_has_and_says_what_it_lacks() {
    let sim = start(named("documented"), 30).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;

    let first = app.sync(CS, SyncOptions::default(), &quiet).await.expect("first sync");
    assert_eq!(first.outcome, "ok", "an optional gap is no failure: {:?}", first.streams);
    assert_eq!(first.error, None);
    for s in ["score_bands", "companies", "ctas", "measure_scores", "score_history"] {
        assert_eq!(stream(&first, s).outcome, StreamResult::Ok, "{s}: {:?}", stream(&first, s));
    }
    assert_eq!(
        stream(&first, "usage").outcome,
        StreamResult::NotSetUp,
        "the org has no product_usage__gc: usage waits for the admin's choice"
    );
    assert!(
        has_notice(&first, "Usage is not set up") && has_notice(&first, "customer_usage__gc"),
        "the notice offers the org's usage-like object: {:?}",
        first.notices
    );
    assert!(
        has_notice(&first, "Company: this org has no field for MRR, Status, Employees"),
        "the admin is told which company fields stay empty: {:?}",
        first.notices
    );
    assert!(has_notice(&first, "CTA: this org has no field for Closed date"), "{:?}", first.notices);
    assert_documented_truth(&sim, dir.path()).await;
    let settings = app.sync_settings(CS).expect("settings");
    assert_eq!(
        (settings.fact_object.as_str(), settings.history_object.as_str()),
        ("scorecard_fact", "scorecard_history"),
        "the org's own scorecard objects were found and kept"
    );

    // The org report names every match, offline.
    let report = app.org_report(CS, false).await.expect("report");
    let roles = |s: &str| report.streams.iter().find(|r| r.stream == s).expect("stream").roles.clone();
    let field = |s: &str, role: &str| {
        roles(s).into_iter().find(|r| r.role == role).map(|r| (r.field, r.matched)).expect("role")
    };
    assert_eq!(field("companies", "mrr"), (None, Matched::Missing));
    assert_eq!(field("companies", "score"), (Some("CurrentScore__gr.Score".into()), Matched::Name));
    assert_eq!(field("score_history", "score"), (Some("ScoreId__gr.Score".into()), Matched::Name));
    assert_eq!(field("score_history", "week"), (Some("WeekStartDate".into()), Matched::Name));
    assert_eq!(field("measure_scores", "score").0.as_deref(), Some("CurrentScoreId__gr.Score"));
    let companies = report.streams.iter().find(|r| r.stream == "companies").expect("companies");
    assert_eq!(companies.cached_rows, 30);
    assert!(companies.described_at.is_some(), "described once, before the first read");

    // The admin picks the usage object; its fields are matched by their labels.
    let mut s = app.sync_settings(CS).expect("settings");
    s.usage_object = "customer_usage__gc".into();
    app.set_sync_settings(CS, &s).expect("usage object");
    let candidates = app.usage_candidates(CS).await.expect("candidates");
    assert!(candidates.iter().any(|c| c.object == "customer_usage__gc"), "offered: {candidates:?}");
    let moved = sim.modify("company", 2);
    let second = app.sync(CS, SyncOptions::default(), &quiet).await.expect("second sync");
    assert_eq!(second.outcome, "ok", "{:?}", second.streams);
    assert_eq!(stream(&second, "usage").outcome, StreamResult::Ok);
    assert!(has_notice(&second, "Feature events"), "the usage field it lacks is named: {:?}", second.notices);
    assert_table(dir.path(), "usage_weekly", DOC_USAGE, &truth(&sim, "customer_usage__gc", DOC_USAGE).await);
    assert_documented_truth(&sim, dir.path()).await;
    let read = stream(&second, "companies").records as usize;
    assert!(read >= moved.len() && read < 30, "the read stayed incremental: {read} of 30 companies");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sparse_org_is_partial_never_failed_and_the_card_names_each_problem() {
    let sim = start(named("sparse"), 20).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    let s = app.sync(CS, SyncOptions::default(), &quiet).await.expect("sync");
    assert_eq!(s.outcome, "partial", "{:?}", s.streams);
    for ok in ["score_bands", "companies", "ctas"] {
        assert_eq!(stream(&s, ok).outcome, StreamResult::Ok, "{ok}: {:?}", stream(&s, ok));
    }
    for skipped in ["measure_scores", "score_history"] {
        assert_eq!(stream(&s, skipped).outcome, StreamResult::Skipped, "{skipped}");
    }
    assert_eq!(stream(&s, "usage").outcome, StreamResult::NotSetUp);
    let company: &[(Col, bool)] = &[
        yes(col("gsid", "Gsid", Cell::Text)),
        yes(col("name", "Name", Cell::Text)),
        no(col("arr", "Arr", Cell::Real)),
        no(col("csm_name", "Csm__gr.Name", Cell::Text)),
        no(col("score", "CurrentScore__gr.Score", Cell::Real)),
        yes(col("modified_at", "ModifiedDate", Cell::Instant)),
    ];
    assert_table(dir.path(), "companies", company, &truth(&sim, "company", company).await);
    let cta: &[(Col, bool)] = &[
        yes(col("gsid", "Gsid", Cell::Text)),
        yes(col("name", "Name", Cell::Text)),
        no(col("reason", "ReasonId__gr.Name", Cell::Text)),
        no(col("closed_at", "ClosedDate", Cell::Instant)),
        yes(col("is_closed", "IsClosed", Cell::Flag)),
    ];
    assert_table(dir.path(), "ctas", cta, &truth(&sim, "call_to_action", cta).await);

    let card = app.connection(CS).expect("card");
    assert_eq!(card.last_outcome, Some(outpost::model::SyncOutcome::Partial));
    let problems: Vec<&str> = card.last_problems.iter().map(|p| p.stream.code()).collect();
    assert_eq!(problems, ["measure_scores", "score_history"], "usage waiting for a choice is no problem");
    assert!(
        card.last_problems
            .iter()
            .all(|p| p.error.as_ref().is_some_and(|e| e.hint.is_some() || !e.message.is_empty())),
        "each problem says why: {:?}",
        card.last_problems
    );
    assert!(card.last_sync_at.is_some(), "a partial sync is a sync: the cache is fresh");
}

#[tokio::test(flavor = "multi_thread")]
async fn fields_hidden_from_the_api_user_are_dropped_once_and_remembered() {
    let sim = start(named("hidden"), 20).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    let first = app.sync(CS, SyncOptions::default(), &quiet).await.expect("first");
    assert_eq!(first.outcome, "ok", "{:?}", first.streams);
    assert!(has_notice(&first, "Gainsight refused to read"), "{:?}", first.notices);
    let company: &[(Col, bool)] = &[
        yes(col("gsid", "Gsid", Cell::Text)),
        yes(col("name", "Name", Cell::Text)),
        no(col("arr", "Arr", Cell::Real)),
        no(col("csm_email", "Csm__gr.Email", Cell::Text)),
        yes(col("mrr", "Mrr", Cell::Real)),
        yes(col("score", "CurrentScore__gr.Score", Cell::Real)),
    ];
    assert_table(dir.path(), "companies", company, &truth(&sim, "company", company).await);
    let report = app.org_report(CS, false).await.expect("report");
    let companies = report.streams.iter().find(|r| r.stream == "companies").expect("companies");
    let arr = companies.roles.iter().find(|r| r.role == "arr").expect("arr");
    assert_eq!((arr.field.as_deref(), arr.matched), (Some("Arr"), Matched::Refused));

    sim.reset_counters();
    sim.modify("company", 1);
    let second = app.sync(CS, SyncOptions::default(), &quiet).await.expect("second");
    assert_eq!(second.outcome, "ok", "{:?}", second.streams);
    assert_eq!(
        company_calls(&sim),
        1,
        "refused fields are not asked for again: one incremental company call"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_needed_field_missing_fails_its_stream_alone_until_the_admin_names_it() {
    let profile = OrgProfile {
        renamed_fields: vec![(
            "company".into(),
            "Name".into(),
            "AccountTitle__gc".into(),
            Some("Account Title".into()),
        )],
        ..Default::default()
    };
    let sim = start(profile, 15).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    let s = app.sync(CS, SyncOptions::default(), &quiet).await.expect("sync");
    assert_eq!(s.outcome, "partial", "{:?}", s.streams);
    let companies = stream(&s, "companies");
    assert_eq!(companies.outcome, StreamResult::Failed);
    let e = companies.error.as_ref().expect("why");
    assert!(
        e.message.contains("Company") && e.message.contains("company name"),
        "names object and field: {e:?}"
    );
    assert!(!e.message.contains("GSOBJ"), "never a bare error code: {e:?}");
    assert!(e.hint.as_deref().is_some_and(|h| h.contains("--field companies.name=")), "says the fix: {e:?}");
    assert_eq!(stream(&s, "ctas").outcome, StreamResult::Ok, "the other streams went on");
    let cursor: Option<String> = rusqlite::Connection::open(dir.path().join("outpost.db"))
        .expect("db")
        .query_row("SELECT last_ok_start FROM sync_cursors WHERE stream = 'companies'", [], |r| r.get(0))
        .ok();
    assert_eq!(cursor, None, "the failed stream's cursor stays, so the next run retries it");

    app.set_field_role(CS, "companies", "name", Some("AccountTitle__gc")).expect("the admin names it");
    let next = app.sync(CS, SyncOptions::default(), &quiet).await.expect("next");
    assert_eq!(next.outcome, "ok", "{:?}", next.streams);
    let company: &[(Col, bool)] =
        &[yes(col("gsid", "Gsid", Cell::Text)), yes(col("name", "AccountTitle__gc", Cell::Text))];
    assert_table(dir.path(), "companies", company, &truth(&sim, "company", company).await);
    let report = app.org_report(CS, false).await.expect("report");
    let name = report.streams[1].roles.iter().find(|r| r.role == "name").expect("name role");
    assert_eq!((name.field.as_deref(), name.matched), (Some("AccountTitle__gc"), Matched::Setting));
}

fn empty_reply_on(endpoint: &str, count: u32, style: &str) -> FaultRule {
    FaultRule {
        endpoint: endpoint.into(),
        fault: Fault::EmptyReply { style: Some(style.into()) },
        count: Some(count),
        probability: None,
    }
}

/// Forces the next sync's deletes step to reconcile IDs, as a 14-day gap would.
fn pretend_a_long_gap(dir: &Path) {
    rusqlite::Connection::open(dir.join("outpost.db"))
        .expect("db")
        .execute(
            "UPDATE sync_cursors SET last_ok_start = '2000-01-01T00:00:00.000Z' WHERE stream = 'deletes'",
            [],
        )
        .expect("rewind the deletes cursor");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reconcile_never_deletes_on_an_empty_or_unconfirmed_id_list() {
    for style in ["list", "no-data", "gsobj-1011"] {
        let sim = start(OrgProfile::default(), 40).await;
        let dir = tempfile::tempdir().expect("dir");
        let app = connect(dir.path(), &sim).await;
        assert_eq!(app.sync(CS, SyncOptions::default(), &quiet).await.expect("first").outcome, "ok");
        pretend_a_long_gap(dir.path());
        // Companies only (the fault's endpoint is a prefix of the scorecard objects' too): the
        // incremental company read finds nothing either way; the ID listing gets the empty reply.
        sim.add_fault(empty_reply_on("/v1/data/objects/query/company", 2, style));
        let only =
            SyncOptions { objects: Some(vec![outpost::model::ObjectGroup::Companies]), ..Default::default() };
        let s = app.sync(CS, only, &quiet).await.expect("sync");
        assert_eq!(s.deleted, 0, "{style}: an empty listing removes nothing");
        assert!(
            has_notice(&s, "Gainsight listed no companies"),
            "{style}: said so: {:?} {:?}",
            s.notices,
            s.streams
        );
        let cached: i64 = rusqlite::Connection::open(dir.path().join("outpost.db"))
            .expect("db")
            .query_row("SELECT count(*) FROM companies", [], |r| r.get(0))
            .expect("count");
        assert_eq!(cached, 40, "{style}: every company is still cached");
        let removed: i64 = rusqlite::Connection::open(dir.path().join("outpost.db"))
            .expect("db")
            .query_row("SELECT count(*) FROM changes WHERE kind = 'company_removed'", [], |r| r.get(0))
            .expect("count");
        assert_eq!(removed, 0, "{style}: no false removals in the change log");
    }

    // A real, large removal is read twice and then applied, and reported.
    let sim = start(OrgProfile::default(), 40).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    app.sync(CS, SyncOptions::default(), &quiet).await.expect("first");
    let gone = sim.delete("company", 10);
    pretend_a_long_gap(dir.path());
    sim.reset_counters();
    let s = app
        .sync(
            CS,
            SyncOptions { objects: Some(vec![outpost::model::ObjectGroup::Companies]), ..Default::default() },
            &quiet,
        )
        .await
        .expect("sync");
    assert_eq!(s.deleted as usize, gone.len(), "{:?}", s.notices);
    assert!(has_notice(&s, "Removed 10 of 40 cached companies"), "{:?}", s.notices);
    assert_eq!(
        company_calls(&sim),
        3,
        "one incremental read, then the ID listing read twice before a quarter of the cache goes"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn px_apis_a_subscription_lacks_are_skipped_with_px_hints() {
    use outpost::connections::{ConnectInput, ConnectKind, PxTarget};
    use outpost::gainsight::px::{PxEndpoints, PxRegion};
    let sim = start(named("px-limited"), 10).await;
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
    app.connect(&input).await.expect("connect PX");
    let s = app.sync("PX", SyncOptions::default(), &quiet).await.expect("sync");
    assert_eq!(s.outcome, "partial", "{:?}", s.streams);
    assert_eq!(stream(&s, "px_accounts").outcome, StreamResult::Ok);
    assert_eq!(stream(&s, "px_features").outcome, StreamResult::Ok);
    for (name, kind) in
        [("px_users", outpost::ErrorKind::Forbidden), ("px_feature_usage", outpost::ErrorKind::NotFound)]
    {
        let o = stream(&s, name);
        assert_eq!(o.outcome, StreamResult::Skipped, "{name}");
        let e = o.error.as_ref().expect("why");
        assert_eq!(e.kind, kind, "{name}: {e:?}");
        let hint = e.hint.as_deref().unwrap_or_default();
        assert!(hint.contains("PX") || hint.contains("REST API"), "{name}: a PX hint: {hint}");
        assert!(!hint.contains("gainsightcloud.com"), "{name}: no CS address in the hint: {hint}");
    }
    assert!(stream(&s, "px_accounts").records > 0);
    let card = app.connection("PX").expect("card");
    assert_eq!(card.last_problems.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn feature_events_outside_the_day_asked_for_fail_loudly() {
    use outpost::connections::{ConnectInput, ConnectKind, PxTarget};
    // A PX that ignores the date filter: every call answers the same event, at the epoch.
    let body = serde_json::json!({
        "id": "sub-1", "name": "Ignores filters", "products": [],
        "accounts": [], "users": [], "features": [], "isLastPage": true, "totalHits": 1,
        "featureMatchEvents": [{"eventId": "e1", "accountId": "a1", "featureId": "f1", "identifyId": "u1", "date": 0}],
    })
    .to_string();
    let server =
        common::raw_server(common::http_reply("200 OK", &[("Content-Type", "application/json")], &body))
            .await;
    let dir = tempfile::tempdir().expect("dir");
    let app = Outpost::open(dir.path()).expect("open");
    let input = ConnectInput {
        name: "PX".into(),
        description: None,
        kind: ConnectKind::Px { target: PxTarget::Url(format!("{}/v1", server.url)), api_key: "k".into() },
    };
    app.connect(&input).await.expect("connect");
    let s = app.sync("PX", SyncOptions::default(), &quiet).await.expect("sync");
    let usage = stream(&s, "px_feature_usage");
    assert_eq!(usage.outcome, StreamResult::Failed, "{usage:?}");
    let e = usage.error.as_ref().expect("why");
    assert_eq!(e.kind, outpost::ErrorKind::BadResponse);
    assert!(e.message.contains("outside the day"), "{e:?}");
    let stored: i64 = rusqlite::Connection::open(dir.path().join("outpost.db"))
        .expect("db")
        .query_row("SELECT count(*) FROM px_feature_usage", [], |r| r.get(0))
        .expect("count");
    assert_eq!(stored, 0, "nothing was stored for a day PX did not answer");
    let seen = server.seen.lock().expect("requests").join("\n");
    assert!(seen.contains("filter=date"), "the documented date filter was sent: {seen}");
}
