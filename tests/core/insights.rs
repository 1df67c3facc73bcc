//! Renewal risk, health alerts, data quality and the CS ↔ PX link against a real database file
//! seeded with accounts whose every answer is worked out by hand below, and the alerts of a real
//! sync against the simulator.

use chrono::{Days, Local, NaiveDate};
use outpost::Outpost;
use outpost::error::ErrorKind;
use outpost::insights::settings::InsightSettings;
use outpost::model::{AlertKind, AlertState, Severity};
use outpost::sync::{StreamProgress, SyncOptions};
use rusqlite::{Connection, params};
use std::path::Path;

fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// `today + d` days as yyyy-MM-dd (negative: before).
fn day(d: i64) -> String {
    let t = today();
    if d >= 0 { t + Days::new(d as u64) } else { t - Days::new((-d) as u64) }.format("%Y-%m-%d").to_string()
}

fn db(dir: &Path) -> Connection {
    Connection::open(dir.join("outpost.db")).expect("database file")
}

fn exec(dir: &Path, sql: &str, args: impl rusqlite::Params) {
    db(dir).execute(sql, args).expect(sql);
}

/// A Prod company: its health as (score, label), its CSM and mapped fields as (csm, custom).
fn company(
    c: &Connection,
    gsid: &str,
    name: &str,
    arr: Option<f64>,
    renews: i64,
    health: (Option<f64>, Option<&str>),
    more: (Option<&str>, &str),
) {
    let ((score, label), (csm, custom)) = (health, more);
    c.execute(
        "INSERT INTO companies (connection_id, gsid, name, arr, renewal_date, score, score_label, csm_name, custom)
         VALUES ('prod', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![gsid, name, arr, day(renews), score, label, csm, custom],
    )
    .expect("company");
}

fn week(c: &Connection, gsid: &str, weeks_ago: i64, score: f64, label: &str) {
    c.execute(
        "INSERT INTO score_history (connection_id, gsid, company_gsid, week, score, label)
         VALUES ('prod', ?1, ?2, ?3, ?4, ?5)",
        params![format!("{gsid}-w{weeks_ago}"), gsid, day(-7 * weeks_ago), score, label],
    )
    .expect("history week");
}

fn cta(c: &Connection, id: &str, gsid: &str, kind: &str, due: i64, closed: bool) {
    c.execute(
        "INSERT INTO ctas (connection_id, gsid, company_gsid, name, type, due_date, is_closed)
         VALUES ('prod', ?1, ?2, 'Follow up', ?3, ?4, ?5)",
        params![id, gsid, kind, day(due), closed],
    )
    .expect("cta");
}

/// The org, by hand (T is today):
/// - Atlas (ARR 100k, renews T+20, Poor 30): weekly scores 70 from 12 weeks ago, then 60, 50, 40,
///   35, 30 (Average, Average, Poor, Poor, Poor); Risk CTAs: 2 open overdue, 1 open due later, 1
///   closed overdue, plus an overdue Expansion CTA; linked to PX by gsId, PX feature events 60 in
///   the last 30 days against 100 before, users 10 and 10.
///   Risk 40 + 20 + 15 (−30 in 4 weeks) + 10 (−40 in 12) + 5 + 5 (usage −40 %) = 95; at risk 95k.
/// - Birch (ARR 500k, renews T+60, Average 60): Good 75 last week, Average 60 this week; CS usage
///   (no PX account): 10 active users a week 4–7 weeks ago, 5 a week since. Risk 15 + 10 = 25;
///   at risk 125k.
/// - Cedar (ARR 1M, renews T+120, Good 90, steady): risk 0. Holds PxId__gc = ACME-7.
/// - Dune (no ARR, renews T+10, no score, no CSM): risk 10 (no score).
/// - Elm (renewal T−30, Good 80, score last updated 45 days ago, a CTA overdue 100 days).
/// - PX: px-atlas (gsId = Atlas), px-orphan (gsId NOPE), px-field (id ACME-7, no gsId).
/// - The last complete sync of Prod finished 12 days ago.
fn seed(dir: &Path) -> Outpost {
    let app = Outpost::open(dir).expect("open");
    let mut conn = db(dir);
    let c = conn.transaction().expect("tx");
    for (id, kind, name) in [("prod", "cs", "Prod"), ("pxc", "px", "Prod PX")] {
        c.execute(
            "INSERT INTO connections (id, kind, name, instance_url, auth_mode, connected_by, connected_on)
             VALUES (?1, ?2, ?3, 'https://x.gainsightcloud.com', 'access_key', 'test', '2026-01-01')",
            params![id, kind, name],
        )
        .expect("connection");
    }
    for (field, label) in [("Region__gc", "Region"), ("Tier__gc", "Tier"), ("PxId__gc", "PX id")] {
        c.execute(
            "INSERT INTO field_mappings VALUES ('prod', 'company', ?1, ?2, 'STRING')",
            params![field, label],
        )
        .expect("mapping");
    }
    company(
        &c,
        "ATLAS",
        "Atlas",
        Some(100_000.0),
        20,
        (Some(30.0), Some("Poor")),
        (Some("Ada"), r#"{"Region__gc":"EMEA"}"#),
    );
    company(
        &c,
        "BIRCH",
        "Birch",
        Some(500_000.0),
        60,
        (Some(60.0), Some("Average")),
        (Some("Ada"), r#"{"Region__gc":"AMER"}"#),
    );
    company(
        &c,
        "CEDAR",
        "Cedar",
        Some(1_000_000.0),
        120,
        (Some(90.0), Some("Good")),
        (Some("Bo"), r#"{"PxId__gc":"ACME-7"}"#),
    );
    company(&c, "DUNE", "Dune", None, 10, (None, None), (None, "{}"));
    company(&c, "ELM", "Elm", Some(50_000.0), -30, (Some(80.0), Some("Good")), (Some("Bo"), "{}"));
    for k in (5..=12).rev() {
        week(&c, "ATLAS", k, 70.0, "Good");
    }
    for (k, s, l) in
        [(4, 60.0, "Average"), (3, 50.0, "Average"), (2, 40.0, "Poor"), (1, 35.0, "Poor"), (0, 30.0, "Poor")]
    {
        week(&c, "ATLAS", k, s, l);
    }
    week(&c, "BIRCH", 1, 75.0, "Good");
    week(&c, "BIRCH", 0, 60.0, "Average");
    for k in 0..=2 {
        week(&c, "CEDAR", k, 90.0, "Good");
    }
    week(&c, "ELM", 7, 80.0, "Good");
    week(&c, "ELM", 6, 80.0, "Good");
    c.execute(
        "INSERT INTO measure_scores (connection_id, gsid, company_gsid, measure_gsid, score, modified_at)
         VALUES ('prod', 'ms-elm', 'ELM', 'overall', 80, ?1)",
        [format!("{}T10:00:00.000Z", day(-45))],
    )
    .expect("measure score");
    cta(&c, "a1", "ATLAS", "Risk", -5, false);
    cta(&c, "a2", "ATLAS", "risk", -1, false);
    cta(&c, "a3", "ATLAS", "Risk", 10, false);
    cta(&c, "a4", "ATLAS", "Risk", -5, true);
    cta(&c, "a5", "ATLAS", "Expansion", -5, false);
    cta(&c, "e1", "ELM", "Lifecycle", -100, false);
    cta(&c, "e2", "ELM", "Lifecycle", -100, true);
    for k in 0..8 {
        let users = if k < 4 { 5 } else { 10 };
        c.execute(
            "INSERT INTO usage_weekly (connection_id, gsid, company_gsid, week, active_users) VALUES ('prod', ?1, 'BIRCH', ?2, ?3)",
            params![format!("u{k}"), day(-7 * k), users],
        )
        .expect("usage week");
    }
    for (id, gs_id) in [("px-atlas", Some("ATLAS")), ("px-orphan", Some("NOPE")), ("ACME-7", None)] {
        c.execute(
            "INSERT INTO px_accounts (connection_id, id, name, gs_id, digest) VALUES ('pxc', ?1, ?1, ?2, 'd')",
            params![id, gs_id],
        )
        .expect("px account");
    }
    for (d, events, users) in [(-1, 30, 5), (-10, 30, 5), (-40, 50, 5), (-50, 50, 5), (-70, 999, 99)] {
        c.execute(
            "INSERT INTO px_feature_usage (connection_id, account_id, feature_id, day, events, users)
             VALUES ('pxc', 'px-atlas', 'f1', ?1, ?2, ?3)",
            params![day(d), events, users],
        )
        .expect("px usage");
    }
    c.execute(
        "INSERT INTO sync_runs (connection_id, started_at, finished_at, outcome) VALUES ('prod', ?1, ?1, 'ok')",
        [format!("{}T08:00:00.000Z", day(-12))],
    )
    .expect("run");
    c.commit().expect("commit");
    app
}

#[test]
fn renewals_rank_by_arr_at_risk_with_their_reasons() {
    let dir = tempfile::tempdir().expect("dir");
    let app = seed(dir.path());
    let rows = app.renewals(90, 50).expect("renewals");
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["Birch", "Atlas", "Dune"],
        "Birch's 125k at risk beats Atlas's 95k; Cedar renews later"
    );
    let atlas = &rows[1];
    assert_eq!(atlas.risk, 95);
    assert_eq!(atlas.arr_at_risk, 95_000.0);
    assert_eq!(
        atlas.reasons,
        [
            "Poor for 3 weeks",
            "2 overdue risk CTAs",
            "score −30 in 4 weeks",
            "score −40 in 12 weeks",
            "1 open risk CTA",
            "usage −40% in 30 days"
        ],
        "closed and non-Risk CTAs don't count; usage is PX's"
    );
    assert_eq!(atlas.px_account.as_deref(), Some("px-atlas"));
    assert_eq!(atlas.days_to_renewal, 20);
    let birch = &rows[0];
    assert_eq!((birch.risk, birch.arr_at_risk), (25, 125_000.0));
    assert_eq!(birch.reasons, ["Average for 1 week", "active users −50% in 30 days"], "CS usage without PX");
    assert_eq!(
        (rows[2].risk, rows[2].arr_at_risk, rows[2].reasons.clone()),
        (10, 0.0, vec!["no score".to_string()])
    );

    let soon: Vec<String> = app.renewals(30, 50).expect("30").into_iter().map(|r| r.name).collect();
    assert_eq!(soon, ["Atlas", "Dune"]);
    let later: Vec<String> = app.renewals(180, 50).expect("180").into_iter().map(|r| r.name).collect();
    assert_eq!(later, ["Birch", "Atlas", "Dune", "Cedar"], "no ARR at risk: the higher risk first");
    assert_eq!(app.renewals(180, 2).expect("limit").len(), 2);
    let err = app.renewals(45, 50).expect_err("45 days is no window");
    assert_eq!(err.kind, ErrorKind::InvalidInput);
}

#[test]
fn the_link_field_decides_which_px_account_is_which_company() {
    let dir = tempfile::tempdir().expect("dir");
    let app = seed(dir.path());
    let ids = |app: &Outpost| -> Vec<String> {
        app.unlinked_px_accounts().expect("unlinked").into_iter().map(|a| a.id).collect()
    };
    assert_eq!(ids(&app), ["ACME-7", "px-orphan"], "by Gsid, only px-atlas links");
    let linked_in_accounts = |app: &Outpost| -> i64 {
        let facets = app.account_facets(&Default::default()).expect("facets");
        let px = facets.iter().find(|f| f.facet == "px").expect("the PX facet");
        px.values.iter().find(|v| v.value == "linked").map_or(0, |v| v.count)
    };
    assert_eq!(linked_in_accounts(&app), 1, "the Accounts PX facet counts what links by Gsid");
    let s = InsightSettings { px_link_field: "PxId__gc".into(), ..Default::default() };
    app.set_insight_settings(&s).expect("link by a custom field");
    assert_eq!(ids(&app), ["px-orphan"], "ACME-7 is Cedar's PxId__gc; px-atlas still links by its gsId");
    assert_eq!(linked_in_accounts(&app), 2, "the Accounts PX facet follows the link field");
    let page = app.account("Cedar").expect("Cedar's page");
    assert_eq!(page.px.map(|p| p.account_name), Some("ACME-7".to_string()), "its PX panel too");
    let no_px = app.quality_check("no_px", 50).expect("no_px");
    let names: Vec<&str> = no_px.items.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["Birch", "Dune", "Elm"]);
    let bad = InsightSettings { px_link_field: "a.b".into(), ..Default::default() };
    assert_eq!(app.set_insight_settings(&bad).expect_err("refused").kind, ErrorKind::InvalidInput);
    assert_eq!(app.insight_settings().expect("kept"), s, "a refused setting changes nothing");
}

#[test]
fn quality_checks_count_and_list_what_they_find() {
    let dir = tempfile::tempdir().expect("dir");
    let app = seed(dir.path());
    let checks = app.quality().expect("quality");
    let found: Vec<(&str, u64)> = checks.iter().map(|c| (c.code.as_str(), c.count)).collect();
    assert_eq!(
        found,
        [
            ("no_csm", 1),
            ("no_score", 1),
            ("stale_score", 1),
            ("renewal_past", 1),
            ("cta_overdue_90", 1),
            ("px_unlinked", 2),
            ("no_px", 4),
            ("sparse_field", 1),
            ("delete_window", 1),
        ]
    );
    let names = |code: &str| -> Vec<String> {
        let c = app.quality_check(code, 50).expect(code);
        c.items.iter().map(|i| format!("{} {}", i.name, i.detail.clone().unwrap_or_default())).collect()
    };
    assert_eq!(names("no_csm"), ["Dune "]);
    assert_eq!(names("no_score"), ["Dune "]);
    assert_eq!(
        names("stale_score"),
        [format!("Elm last updated {}", day(-42))],
        "the newest of history and measures"
    );
    assert_eq!(names("renewal_past"), [format!("Elm renewal {}", day(-30))]);
    assert_eq!(names("cta_overdue_90"), ["Elm 1 overdue > 90 days"], "the closed one does not count");
    assert_eq!(
        names("sparse_field"),
        ["Tier empty for 100% of 5 accounts"],
        "PX id is empty for exactly 80 %: not most"
    );
    let window = app.quality_check("delete_window", 50).expect("window");
    assert_eq!(window.severity, Severity::Warning, "12 days: a warning");
    assert_eq!(window.items[0].name, "Prod");
    exec(dir.path(), "UPDATE sync_runs SET finished_at = ?1", [format!("{}T08:00:00.000Z", day(-17))]);
    assert_eq!(
        app.quality_check("delete_window", 50).expect("window").severity,
        Severity::Error,
        "past 15 days"
    );
    exec(dir.path(), "UPDATE sync_runs SET finished_at = ?1", [format!("{}T08:00:00.000Z", day(-2))]);
    assert_eq!(app.quality_check("delete_window", 50).expect("window").count, 0, "a recent sync passes");

    let limited = app.quality_check("no_px", 2).expect("limit");
    assert_eq!((limited.count, limited.items.len()), (4, 2), "the count is all of them, the list is limited");
    assert_eq!(app.quality_check("mood", 5).expect_err("unknown").kind, ErrorKind::InvalidInput);

    exec(dir.path(), "DELETE FROM connections WHERE kind = 'px'", []);
    let codes: Vec<String> = app.quality().expect("quality").into_iter().map(|c| c.code).collect();
    assert!(!codes.contains(&"no_px".to_string()), "without a PX connection no company lacks one: {codes:?}");
}

#[test]
fn alerts_open_once_are_dismissed_and_resolve_by_themselves() {
    let dir = tempfile::tempdir().expect("dir");
    let app = seed(dir.path());
    assert_eq!(app.refresh_alerts(Some(7)).expect("refresh"), 5);
    let open = app.alerts(false).expect("alerts");
    let mut seen: Vec<(String, AlertKind, String)> =
        open.iter().map(|a| (a.company_name.clone(), a.kind, a.detail.clone())).collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("Atlas".to_string(), AlertKind::Declining, "score down 5 weeks in a row (70 → 30)".to_string()),
            ("Atlas".into(), AlertKind::UsageDown, "usage −40% in 30 days".into()),
            (
                "Atlas".into(),
                AlertKind::RenewalPoor,
                format!("renews {} (in 20 days) with a Poor score", day(20))
            ),
            ("Birch".into(), AlertKind::BandDropped, "Good → Average".into()),
            ("Birch".into(), AlertKind::UsageDown, "active users −50% in 30 days".into()),
        ]
    );
    assert!(open.iter().all(|a| a.state == AlertState::Open && a.run_id == Some(7)));
    assert_eq!(app.refresh_alerts(Some(8)).expect("again"), 0, "an open alert is not raised twice");
    assert_eq!(app.alerts(true).expect("all").len(), 5);

    let dropped = open.iter().find(|a| a.kind == AlertKind::BandDropped).expect("Birch's drop").id;
    let d = app.dismiss_alert(dropped).expect("dismiss");
    assert_eq!(d.state, AlertState::Dismissed);
    assert_eq!(app.alerts(false).expect("open").len(), 4, "dismissed alerts leave the list");
    assert_eq!(app.refresh_alerts(None).expect("refresh"), 0, "nor come back while the drop holds");
    assert_eq!(app.dismiss_alert(9999).expect_err("none").kind, ErrorKind::NotFound);

    exec(dir.path(), "UPDATE score_history SET label = 'Good' WHERE gsid = 'BIRCH-w0'", []);
    assert_eq!(app.refresh_alerts(None).expect("refresh"), 0);
    let all = app.alerts(true).expect("all");
    let old = all.iter().find(|a| a.id == dropped).expect("kept");
    assert_eq!(old.state, AlertState::Resolved, "the condition went away");
    exec(dir.path(), "UPDATE score_history SET label = 'Average' WHERE gsid = 'BIRCH-w0'", []);
    assert_eq!(app.refresh_alerts(None).expect("refresh"), 1, "a new drop is a new alert");

    let s = InsightSettings {
        decline_weeks: 6,
        usage_drop_pct: 45.0,
        renewal_alert_days: 10,
        ..Default::default()
    };
    app.set_insight_settings(&s).expect("thresholds");
    app.refresh_alerts(None).expect("refresh");
    let left: Vec<(String, AlertKind)> =
        app.alerts(false).expect("open").into_iter().map(|a| (a.company_name, a.kind)).collect();
    assert_eq!(
        left,
        [("Birch".to_string(), AlertKind::BandDropped), ("Birch".into(), AlertKind::UsageDown)],
        "5 falls < 6 weeks, −40 % is within 45 %, 20 days is past a 10-day window"
    );
}

fn quiet(_: &StreamProgress) {}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_raises_alerts_once_and_an_alert_failure_is_only_a_notice() {
    let sim = crate::common::sim().await;
    let dir = tempfile::tempdir().expect("dir");
    let app = Outpost::open(dir.path()).expect("open");
    crate::common::connect_cs(&app, "Sim", &sim).await;

    let first = app.sync("Sim", SyncOptions::default(), &quiet).await.expect("sync");
    assert_eq!(first.outcome, "ok", "{:?}", first.error);
    let raised = app.alerts(false).expect("alerts");
    assert_eq!(first.new_alerts, raised.len() as u64, "the summary counts the alerts the run raised");
    assert!(raised.iter().all(|a| a.run_id == Some(first.run_id)));
    assert!(first.new_alerts > 0, "the demo org has declining and Poor accounts");
    let second = app.sync("Sim", SyncOptions::default(), &quiet).await.expect("sync");
    assert_eq!(second.new_alerts, 0, "nothing moved: nothing new");

    exec(dir.path(), "INSERT INTO insight_settings (key, value) VALUES ('decline_weeks', 'three')", []);
    let third = app.sync("Sim", SyncOptions::default(), &quiet).await.expect("the sync still succeeds");
    assert_eq!(third.outcome, "ok");
    assert_eq!(third.new_alerts, 0);
    assert!(
        third.notices.iter().any(|n| n.starts_with("Health alerts were not updated")),
        "{:?}",
        third.notices
    );
}
