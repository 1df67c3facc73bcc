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
