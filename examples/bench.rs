//! `make bench`: figures for the simulator and the client, each against a baseline measured in
//! the same run. Prints, asserts nothing; correctness lives in the tests.

use futures_util::TryStreamExt;
use gainsight_sim::SimConfig;
use outpost::gainsight::budget::CallWindow;
use outpost::gainsight::http::Timeouts;
use outpost::gainsight::paging::{QuerySpec, query_pages};
use outpost::gainsight::{CsAuth, CsClient, normalize_instance_url};
use outpost::secret::Secret;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

const FIELDS: &[&str] =
    &["Gsid", "Name", "Arr", "RenewalDate", "Csm__gr.Email", "CurrentScore__gr.Score", "ModifiedDate"];

/// Reads every row of `object` 5000 at a time with bare reqwest and serde_json: the baseline.
async fn raw_page_through(http: &reqwest::Client, base: &str, object: &str, select: &[&str]) -> usize {
    let mut seen = 0;
    for offset in (0..).step_by(5000) {
        let body = json!({"select": select, "orderBy": {"ModifiedDate": "asc", "Gsid": "asc"}, "limit": 5000, "offset": offset});
        let v: serde_json::Value = http
            .post(format!("{base}/v1/data/objects/query/{object}"))
            .header("Accesskey", gainsight_sim::DEMO_ACCESS_KEY)
            .json(&body)
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        let n = v["data"]["records"].as_array().map_or(0, Vec::len);
        seen += n;
        if n < 5000 {
            break;
        }
    }
    seen
}

#[tokio::main]
async fn main() {
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("Outpost benchmarks ({profile} build, {cores} cores)\n");

    println!("simulator: org generation");
    let mut base_gen = Duration::ZERO;
    for companies in [50usize, 2_000, 20_000] {
        let t = Instant::now();
        let sim =
            gainsight_sim::start(SimConfig { companies, anchor_day: Some(20_400), ..Default::default() })
                .await
                .expect("sim");
        let took = t.elapsed();
        if companies == 50 {
            base_gen = took;
        }
        println!(
            "  {companies:>6} companies: {:>8.1} ms  ({:.1}x the 50-company demo org)",
            took.as_secs_f64() * 1e3,
            took.as_secs_f64() / base_gen.as_secs_f64().max(1e-9)
        );
        sim.stop().await;
    }

    let n = 20_000;
    let sim =
        gainsight_sim::start(SimConfig { companies: n, anchor_day: Some(20_400), ..Default::default() })
            .await
            .expect("sim");
    println!("\npaging all {n} companies, 5000 a page, {} fields with lookups", FIELDS.len());
    let url = normalize_instance_url(&sim.base_url()).expect("url");
    let client = CsClient::new(
        url,
        CsAuth::AccessKey(Secret::new(gainsight_sim::DEMO_ACCESS_KEY)),
        Timeouts::default(),
    )
    .expect("client")
    .with_budget(Arc::new(CallWindow::new(10_000, Duration::from_secs(60))));
    // Interleaved, best of three each, so warm-up and noise hit both sides alike.
    let (mut raw_best, mut ours_best, mut rows) = (Duration::MAX, Duration::MAX, 0);
    for _ in 0..3 {
        let t = Instant::now();
        let raw = raw_page_through(&reqwest::Client::new(), &sim.base_url(), "company", FIELDS).await;
        raw_best = raw_best.min(t.elapsed());
        let t = Instant::now();
        let pages: Vec<_> =
            query_pages(&client, QuerySpec::new("company", FIELDS)).try_collect().await.expect("pages");
        ours_best = ours_best.min(t.elapsed());
        rows = pages.iter().map(Vec::len).sum::<usize>();
        assert_eq!(raw, rows, "both read the whole org");
    }
    let rate = |d: Duration| rows as f64 / d.as_secs_f64();
    println!(
        "  baseline (bare reqwest + serde_json):       {rows} rows in {:>7.1} ms = {:>8.0} rows/s",
        raw_best.as_secs_f64() * 1e3,
        rate(raw_best)
    );
    println!(
        "  outpost client (classify, de-dup, stream):  {rows} rows in {:>7.1} ms = {:>8.0} rows/s  ({:.2}x baseline time)",
        ours_best.as_secs_f64() * 1e3,
        rate(ours_best),
        ours_best.as_secs_f64() / raw_best.as_secs_f64()
    );
    let c = sim.counters();
    println!("  simulator served {} calls; peak concurrency {}", c.total_calls(), c.peak_concurrency);
    sim.stop().await;
    sync_bench().await;
    org_scale_browse();

    let calls = n / 5000 + 1;
    println!(
        "\nA full read of {n} companies costs {calls} CS calls: {:.0}% of Outpost's default 60-call minute.",
        calls as f64 / 60.0 * 100.0
    );
}

/// A first sync and an incremental sync of a 2,000-company org into a real database file, against
/// reading the same objects and fields with bare reqwest (no parsing into rows, no writes).
async fn sync_bench() {
    use outpost::sync::SyncOptions;
    let companies = 2_000;
    let sim = gainsight_sim::start(SimConfig { companies, anchor_day: Some(20_400), ..Default::default() })
        .await
        .expect("sim");
    let dir = tempfile::tempdir().expect("dir");
    let app = outpost::Outpost::open(dir.path()).expect("open");
    let input = outpost::connections::CsConnectInput {
        name: "Bench".into(),
        description: None,
        instance_url: sim.base_url(),
        access_key: gainsight_sim::DEMO_ACCESS_KEY.into(),
    };
    if let Err(e) = app.connect_cs(&input).await {
        println!("\nsync: skipped ({}): run `make bench`, which provides a keychain", e.message);
        return;
    }
    let settings = outpost::db::settings::SyncSettings { cs_calls_per_minute: 100, ..Default::default() };
    app.set_sync_settings("Bench", &settings).expect("settings");

    let objects: &[(&str, &[&str])] = &[
        ("scoring_scheme_definition", &["Gsid", "Name", "Score", "Color", "ModifiedDate"]),
        ("company", FIELDS),
        (
            "call_to_action",
            &[
                "Gsid",
                "Name",
                "CompanyId",
                "StatusId__gr.Name",
                "TypeId__gr.Name",
                "OwnerId__gr.Name",
                "DueDate",
                "IsClosed",
                "ModifiedDate",
            ],
        ),
        (
            "company_scorecard_fact",
            &["Gsid", "CompanyId", "MeasureId__gr.Name", "CurScoreId__gr.Score", "Trend", "ModifiedDate"],
        ),
        ("company_scorecard_history", &["Gsid", "CompanyId", "Score", "SnapshotDate", "ModifiedDate"]),
        ("product_usage__gc", &["Gsid", "CompanyId__gc", "UsageDate__gc", "ActiveUsers__gc", "ModifiedDate"]),
    ];
    let http = reqwest::Client::new();
    let t = Instant::now();
    let mut raw_rows = 0usize;
    for (object, select) in objects {
        raw_rows += raw_page_through(&http, &sim.base_url(), object, select).await;
    }
    let raw = t.elapsed();
    let quiet = |_: &outpost::sync::StreamProgress| {};
    let t = Instant::now();
    let first = app.sync("Bench", SyncOptions::default(), &quiet).await.expect("sync");
    let full = t.elapsed();
    let rows: u64 = first.counts.values().sum();
    println!("\nsync of a {companies}-company org into SQLite (all CS streams)");
    println!(
        "  baseline (the same pages, bare reqwest):  {raw_rows} rows in {:>7.1} ms",
        raw.as_secs_f64() * 1e3
    );
    println!(
        "  first sync (fetch, parse, upsert, cursor per page): {rows} rows in {:>7.1} ms, {} calls  ({:.2}x baseline time)",
        full.as_secs_f64() * 1e3,
        first.calls,
        full.as_secs_f64() / raw.as_secs_f64()
    );
    sim.modify("company", 20);
    sim.modify("call_to_action", 50);
    let t = Instant::now();
    let second = app.sync("Bench", SyncOptions::default(), &quiet).await.expect("sync");
    let inc = t.elapsed();
    println!(
        "  incremental sync after 20 companies and 50 CTAs changed: {} rows in {:>6.1} ms, {} calls ({:.1}% of the first sync's time)",
        second.counts.values().sum::<u64>(),
        inc.as_secs_f64() * 1e3,
        second.calls,
        inc.as_secs_f64() / full.as_secs_f64() * 100.0
    );
    let size = std::fs::metadata(dir.path().join("outpost.db")).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(dir.path().join("outpost.db-wal")).map(|m| m.len()).unwrap_or(0);
    println!("  database on disk: {:.1} MiB", size as f64 / 1_048_576.0);
    let t = Instant::now();
    let q = outpost::db::browse::AccountQuery {
        sort: Some("health".into()),
        limit: Some(100),
        ..Default::default()
    };
    for _ in 0..20 {
        app.accounts(&q).expect("browse");
    }
    println!(
        "  browse: 100 least healthy accounts of {companies}: {:.2} ms a query",
        t.elapsed().as_secs_f64() * 1e3 / 20.0
    );
}

/// The browse queries at org scale: a cache of 20,000 accounts and 200,000 CTAs written straight
/// into SQLite (no sync), then p50 / p99 over repeated queries of what the Accounts and CTAs
/// screens ask: the first page, a facet click (page and facet counts), a search keystroke, the
/// last page, and the first page of open CTAs.
fn org_scale_browse() {
    use outpost::db::account_page::{AccountFilter, AccountPageQuery, FacetFilter};
    use outpost::db::cta_page::CtaPageQuery;
    let dir = tempfile::tempdir().expect("dir");
    let app = outpost::Outpost::open(dir.path()).expect("open");
    let mut db = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("db");
    let tx = db.transaction().expect("tx");
    tx.execute(
        "INSERT INTO connections (id, kind, name, instance_url, auth_mode, connected_by, connected_on)
         VALUES ('bench', 'cs', 'Bench', 'https://x.gainsightcloud.com', 'access_key', 'bench', '2026-01-01')",
        [],
    )
    .expect("connection");
    for i in 0..20_000i64 {
        let score = i % 100;
        let band = if score < 50 {
            "Poor"
        } else if score < 75 {
            "Average"
        } else {
            "Good"
        };
        tx.execute(
            "INSERT INTO companies (connection_id, gsid, name, industry, renewal_date, stage, csm_name, score, score_label)
             VALUES ('bench', ?1, ?2, ?3, date('now', ?4), ?5, ?6, ?7, ?8)",
            rusqlite::params![
                format!("G{i:05}"),
                format!("Account {i:05}"),
                ["Retail", "Health", "Finance", "Energy", "Media"][(i % 5) as usize],
                format!("+{} days", i % 400),
                ["Onboarding", "Adopting", "Renewing"][(i % 3) as usize],
                format!("CSM {}", i % 40),
                score as f64,
                band
            ],
        )
        .expect("company");
        for k in 0..10i64 {
            tx.execute(
                "INSERT INTO ctas (connection_id, gsid, company_gsid, name, type, priority, owner_name, due_date, is_closed)
                 VALUES ('bench', ?1, ?2, 'Follow up', ?3, ?4, ?5, date('now', ?6), ?7)",
                rusqlite::params![
                    format!("T{i}-{k}"),
                    format!("G{i:05}"),
                    ["Risk", "Renewal", "Lifecycle"][(k % 3) as usize],
                    ["High", "Medium", "Low"][((i + k) % 3) as usize],
                    format!("Owner {}", (i + k) % 40),
                    format!("{:+} days", (i * 7 + k * 13) % 120 - 30),
                    ((i + k) % 2 == 0) as i64
                ],
            )
            .expect("cta");
        }
    }
    tx.commit().expect("commit");

    fn measure(what: &str, mut f: impl FnMut()) {
        let mut took: Vec<f64> = (0..60)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        took.sort_by(f64::total_cmp);
        println!(
            "  {what:<58} p50 {:>6.1} ms  p99 {:>6.1} ms",
            took[took.len() / 2],
            took[took.len() * 99 / 100]
        );
    }
    let page = |filter: AccountFilter, sort: &str, offset: i64| AccountPageQuery {
        filter,
        sort: Some(sort.into()),
        offset,
        limit: 200,
    };
    let poor = AccountFilter {
        search: None,
        filters: vec![FacetFilter { facet: "band".into(), value: "Poor".into() }],
    };
    let typed = AccountFilter { search: Some("account 1999".into()), filters: vec![] };
    println!("\nbrowse at org scale: 20,000 accounts, 200,000 CTAs (pages of 200)");
    measure("accounts: first page, lowest health first", || {
        app.account_page(&page(AccountFilter::default(), "health", 0)).expect("page");
    });
    measure("accounts: facet counts, no filter", || {
        app.account_facets(&AccountFilter::default()).expect("facets");
    });
    measure("accounts: a facet click (band = Poor): page + facet counts", || {
        app.account_page(&page(poor.clone(), "health", 0)).expect("page");
        app.account_facets(&poor).expect("facets");
    });
    measure("accounts: a search keystroke: page + facet counts", || {
        app.account_page(&page(typed.clone(), "health", 0)).expect("page");
        app.account_facets(&typed).expect("facets");
    });
    measure("accounts: the last page by name", || {
        app.account_page(&page(AccountFilter::default(), "name", 19_800)).expect("page");
    });
    let open = CtaPageQuery {
        search: None,
        filters: vec![FacetFilter { facet: "state".into(), value: "open".into() }],
        offset: 0,
        limit: 200,
    };
    measure("CTAs: first page of open CTAs, overdue first, + facet counts", || {
        app.cta_page(&open).expect("page");
        app.cta_facets(&open).expect("facets");
    });
}
