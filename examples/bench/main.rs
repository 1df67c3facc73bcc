//! `make bench`: Outpost's figures at org scale, each against a baseline measured in the same run,
//! written to `BENCHMARKS.md` and ended with one `name: value` line per figure. Prints, asserts
//! nothing; correctness lives in the tests.
//!
//! `OUTPOST_BENCH_RUNS` (default 3) sets how many runs each median takes; `OUTPOST_BENCH_COMPANIES`
//! (default 20,000) the large org's size.

mod figures;
mod offline;
mod org;

use figures::{Report, median};
use std::time::{Duration, Instant};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem_gb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines().next().and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1_048_576.0);
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    format!("{cpu}, {cores} cores, {mem_gb:.0} GiB, {} ({profile} build)", std::env::consts::OS)
}

/// Full syncs of a fresh cache by the `outpost` command: wall times, records, peak RSS; the data
/// dir of the last one is kept for what follows.
async fn full_syncs(
    sim: &gainsight_sim::RunningSim,
    runs: usize,
) -> (Vec<org::CliSync>, Vec<u64>, tempfile::TempDir) {
    let mut out = Vec::new();
    let mut calls = Vec::new();
    let mut kept = None;
    for i in 0..runs {
        let dir = tempfile::tempdir().expect("dir");
        org::connected(sim, dir.path()).await;
        sim.reset_counters();
        let s = tokio::task::block_in_place(|| org::cli_sync(dir.path(), 100, &[]));
        let c = sim.counters();
        calls.push(c.total_calls());
        if i == 0 {
            let mut by: Vec<(&String, &u64)> = c.calls.iter().collect();
            by.sort_by(|a, b| b.1.cmp(a.1));
            let list: Vec<String> = by.iter().map(|(k, n)| format!("{k} {n}")).collect();
            println!("  calls of a first sync: {}", list.join(", "));
        }
        out.push(s);
        if i + 1 == runs {
            kept = Some(dir);
        } else {
            org::disconnect(dir.path()).await;
        }
    }
    (out, calls, kept.expect("one run at least"))
}

/// The desktop figures, from `desktop_bench` (built beside this benchmark by `make bench`).
fn desktop(dir: &std::path::Path, r: &mut Report) {
    let exe = std::env::current_exe().expect("exe");
    let bin = exe.with_file_name("desktop_bench");
    if !bin.exists() {
        r.note(format!("desktop: skipped, {} is not built (`make bench` builds it)", bin.display()));
        return;
    }
    let out = std::process::Command::new(&bin)
        .arg(dir)
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("desktop_bench");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let value = |name: &str| {
        text.lines().find_map(|l| {
            l.strip_prefix(name).and_then(|v| v.strip_prefix(": ")).and_then(|v| v.trim().parse::<f64>().ok())
        })
    };
    if !out.status.success() {
        r.note(format!("desktop: desktop_bench failed ({}); its output: {}", out.status, text.trim()));
    }
    if let Some(v) = value("cold_start_s") {
        r.add(
            "cold_start_s",
            "launch to the first rendered accounts rows, synced cache",
            "s",
            vec![v],
            "—",
            "≤ 1.5",
        );
    }
    if let Some(v) = value("rss_mb") {
        let n = value("desktop_processes").unwrap_or(0.0);
        r.add(
            "rss_mb",
            format!("app resident memory after browsing ({n:.0} processes: app + WebKit)"),
            "MB",
            vec![v],
            "—",
            "≤ 200",
        );
    }
    // The screens, timed in the page (issue 11's targets): action to the first frame drawn after it.
    for (name, what, target) in [
        ("ui_accounts_first_rows_p95_ms", "Accounts opened: first rows drawn", "≤ 300"),
        ("ui_ctas_first_rows_p95_ms", "CTAs opened: first rows drawn", "≤ 300"),
        (
            "ui_search_rows_p95_ms",
            "search keystroke: query sent (after the 150 ms debounce) to rows drawn",
            "≤ 50",
        ),
        ("ui_facet_click_p95_ms", "facet clicked: rows drawn", "≤ 50"),
        ("ui_account_page_p95_ms", "account opened: page with its chart drawn", "≤ 150"),
    ] {
        if let Some(v) = value(name) {
            r.add(name, what, "ms", vec![v], "—", target);
        }
    }
    for l in text.lines().filter(|l| l.starts_with("ui_") && l.contains("_p50_ms")) {
        r.note(format!("desktop {l}"));
    }
    if let Some(v) = value("ui_search_keystroke_p95_ms") {
        r.note(format!("desktop: search keystroke to rows drawn, debounce included: p95 {v:.0} ms"));
    }
    if let (Some(frames), Some(blank)) = (value("ui_scroll_frames"), value("ui_scroll_blank_frames")) {
        r.note(format!(
            "desktop: scrolling all accounts a screen a frame: {blank:.0} of {frames:.0} frames showed a row still loading"
        ));
    }
    if let Some(v) = value("webview_mb") {
        r.add(
            "webview_mb",
            "the WebKit web process's memory (PSS) after browsing",
            "MB",
            vec![v],
            "—",
            "≤ 300",
        );
    }
    if let Some(v) = value("binary_mb") {
        r.add("binary_mb", "release `outpost-desktop` binary", "MB", vec![v], "—", "reported");
    }
    let bundle = exe.parent().and_then(std::path::Path::parent).map(|d| d.join("bundle"));
    for kind in ["deb", "rpm"] {
        let Some(found) = bundle.as_ref().and_then(|b| std::fs::read_dir(b.join(kind)).ok()) else {
            continue;
        };
        for f in found.flatten().filter(|f| f.path().extension().is_some_and(|e| e == kind)) {
            let mb = f.metadata().map(|m| m.len()).unwrap_or(0) as f64 / 1_048_576.0;
            r.note(format!("package {}: {mb:.1} MB", f.file_name().to_string_lossy()));
        }
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let started = Instant::now();
    let runs = env_usize("OUTPOST_BENCH_RUNS", 3).max(1);
    let large = env_usize("OUTPOST_BENCH_COMPANIES", 20_000);
    let small = (large / 10).max(50);
    let machine = machine();
    println!("Outpost benchmarks on {machine}; {runs} runs a median\n");
    let mut r = Report::default();
    if let Ok(only) = std::env::var("OUTPOST_BENCH_ONLY") {
        // For a profiler: the large org's fetch-only read (`fetch`), or that and the store-only
        // write of its pages (`store`), once, and nothing else.
        let sim = org::unlimited_org(large).await;
        let (f, took) = org::fetch_only(&sim).await;
        println!("fetch only: {} rows in {:.1} s", f.rows, secs(took));
        if only == "store" {
            let took = tokio::task::block_in_place(|| org::store_only(&f));
            println!("store only: {} rows in {:.1} s", f.rows, secs(took));
        }
        return;
    }
    if let Some(dir) = std::env::var("OUTPOST_BENCH_CACHE").ok().filter(|d| !d.is_empty()) {
        // For work on the queries: the large org synced into DIR once (kept), then the offline
        // queries on it; a DIR already synced is only queried.
        let dir = std::path::PathBuf::from(dir);
        if !dir.join("outpost.db").exists() {
            std::fs::create_dir_all(&dir).expect("dir");
            let sim = org::unlimited_org(large).await;
            org::connected(&sim, &dir).await;
            tokio::task::block_in_place(|| org::cli_sync(&dir, 100, &[]));
            sim.stop().await;
        }
        offline::queries(&dir, &mut r);
        return;
    }

    // The large org, with no rate limit in the way.
    let t = Instant::now();
    let sim = org::unlimited_org(large).await;
    r.note(format!("simulator: a {large}-company org generated in {:.1} s", secs(t.elapsed())));

    println!("\nthe simulator serving (bare reqwest, every CS object, pages of 5,000)");
    let mut sim_rates = Vec::new();
    let (mut truth, mut minimum) = (Default::default(), 0);
    for _ in 0..runs {
        let (rows, min, rate) = org::truth(&sim).await;
        (truth, minimum) = (rows, min);
        sim_rates.push(rate);
    }
    let truth_rows: usize = truth.values().sum();
    r.note(format!(
        "the org's CS objects: {} ({truth_rows} rows; the fewest calls a first sync can make: {minimum})",
        truth.iter().map(|(o, n)| format!("{o} {n}")).collect::<Vec<_>>().join(", ")
    ));
    r.add(
        "sim_records_per_s",
        "the simulator's serving rate (rows/s to a bare client)",
        "rows/s",
        sim_rates.clone(),
        "—",
        "well above full_sync_records_per_s",
    );

    println!(
        "\nceilings: fetch only (Outpost's client, nothing written) and store only (the same pages into a fresh cache)"
    );
    let mut fetch_s = Vec::new();
    let mut fetched = None;
    for _ in 0..runs {
        let (f, took) = org::fetch_only(&sim).await;
        fetch_s.push(secs(took));
        fetched = Some(f);
    }
    let fetched = fetched.expect("fetched");
    let store_s: Vec<f64> =
        (0..runs).map(|_| secs(tokio::task::block_in_place(|| org::store_only(&fetched)))).collect();
    let fetched_rows = fetched.rows;
    drop(fetched);
    r.note(format!(
        "fetch only: {fetched_rows} rows in {:.1} s (median); store only: the same rows in {:.1} s",
        median(&fetch_s),
        median(&store_s)
    ));

    println!("\nfull sync of the {large}-company org by `outpost sync` (rate limit off)");
    let (syncs, calls, dir) = full_syncs(&sim, runs).await;
    let walls: Vec<f64> = syncs.iter().map(|s| secs(s.wall)).collect();
    let records = syncs.last().map_or(0, |s| s.records);
    let (f_med, s_med) = (median(&fetch_s), median(&store_s));
    r.note(format!(
        "the sync process used {:.1} CPU seconds over {:.1} s (median): {:.2} of the machine's {} cores busy",
        median(&syncs.iter().map(|s| s.cpu_s).collect::<Vec<_>>()),
        median(&walls),
        median(&syncs.iter().map(|s| s.cpu_s / secs(s.wall)).collect::<Vec<_>>()),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    ));
    r.add(
        "full_sync_records_per_s",
        format!("a first sync, {records} records end to end"),
        "rows/s",
        syncs.iter().map(|s| s.records as f64 / secs(s.wall)).collect(),
        format!(
            "fetch only {:.0} rows/s, store only {:.0} rows/s",
            fetched_rows as f64 / f_med,
            fetched_rows as f64 / s_med
        ),
        "≥ 150,000",
    );
    r.add(
        "full_sync_vs_fetch_plus_store",
        "sync wall ÷ (fetch only + store only)",
        "ratio",
        walls.iter().map(|w| w / (f_med + s_med)).collect(),
        format!("fetch {f_med:.1} s + store {s_med:.1} s"),
        "< 1 (overlapped)",
    );
    r.add(
        "full_sync_vs_slower_ceiling",
        "sync wall ÷ max(fetch only, store only)",
        "ratio",
        walls.iter().map(|w| w / f_med.max(s_med)).collect(),
        format!("the slower ceiling, {:.1} s", f_med.max(s_med)),
        "≤ 1.10",
    );
    r.add(
        "calls_vs_minimum",
        "calls a first sync made ÷ the fewest it could",
        "ratio",
        calls.iter().map(|c| *c as f64 / minimum as f64).collect(),
        format!("{minimum} calls: a describe per object and its pages of 5,000"),
        "1.0",
    );
    let large_rates: Vec<f64> = syncs.iter().map(|s| s.records as f64 / secs(s.wall)).collect();
    let large_rss: Vec<f64> = syncs.iter().map(|s| s.peak_rss_mb).collect();
    r.add(
        "sync_peak_rss_mb",
        format!("peak RSS of `outpost sync`, {large} companies"),
        "MB",
        large_rss.clone(),
        "—",
        "bounded",
    );
    let (bytes, rows) = org::db_size(dir.path());
    r.add(
        "db_bytes_per_row",
        format!("database bytes ÷ cached rows ({rows} rows, {:.0} MiB)", bytes as f64 / 1_048_576.0),
        "bytes",
        vec![bytes as f64 / rows.max(1) as f64],
        "—",
        "reported; less where it buys nothing",
    );

    println!("\nincremental sync after 1% of each object's records changed");
    let mut inc = Vec::new();
    let mut inc_calls = Vec::new();
    for _ in 0..runs {
        for (object, n) in &truth {
            sim.modify(object, (n / 100).max(1));
        }
        sim.reset_counters();
        let s = tokio::task::block_in_place(|| org::cli_sync(dir.path(), 100, &[]));
        inc_calls.push(sim.counters().total_calls() as f64);
        inc.push(secs(s.wall));
    }
    let full_med = median(&walls);
    r.add(
        "incremental_time_fraction",
        format!("an incremental sync's time ÷ the full sync's (calls: median {:.0})", median(&inc_calls)),
        "ratio",
        inc.iter().map(|w| w / full_med).collect(),
        format!("the full sync, {full_med:.1} s"),
        "≤ 0.05",
    );

    println!("\nPX: the same org's accounts, users and 30 days of feature usage, by `outpost sync PX`");
    org::connected_px(&sim, dir.path()).await;
    let px_env = [("OUTPOST_PX_ENDPOINTS_BASE", sim.base_url())];
    let px = tokio::task::block_in_place(|| org::cli_sync_env(dir.path(), 100, &["PX"], &px_env));
    r.note(format!(
        "PX sync: {} records in {:.1} s = {:.0} rows/s, peak RSS {:.0} MB",
        px.records,
        secs(px.wall),
        px.records as f64 / secs(px.wall),
        px.peak_rss_mb
    ));

    println!("\noffline queries on the synced {large}-company cache (the functions the app calls)");
    offline::queries(dir.path(), &mut r);

    println!("\nthe desktop app (release build) on the same cache, through tauri-driver");
    desktop(dir.path(), &mut r);
    org::disconnect(dir.path()).await;
    drop(dir);
    sim.stop().await;

    println!("\nthe same at a tenth of the size ({small} companies)");
    let sim = org::unlimited_org(small).await;
    let (small_syncs, _, dir) = full_syncs(&sim, runs).await;
    org::disconnect(dir.path()).await;
    sim.stop().await;
    let small_rate = median(&small_syncs.iter().map(|s| s.records as f64 / secs(s.wall)).collect::<Vec<_>>());
    let small_rss = median(&small_syncs.iter().map(|s| s.peak_rss_mb).collect::<Vec<_>>());
    r.note(format!(
        "{small} companies: {} records, {small_rate:.0} rows/s, peak RSS {small_rss:.0} MB",
        small_syncs.last().map_or(0, |s| s.records)
    ));
    r.add(
        "sync_rss_growth_ratio",
        format!("peak sync RSS at {large} ÷ at {small} companies"),
        "ratio",
        large_rss.iter().map(|m| m / small_rss).collect(),
        format!("{small_rss:.0} MB at {small}"),
        "< 2",
    );
    r.add(
        "rows_per_s_scale_ratio",
        format!("rows/s at {large} ÷ rows/s at {small} companies"),
        "ratio",
        large_rates.iter().zip(&small_syncs).map(|(l, s)| l / (s.records as f64 / secs(s.wall))).collect(),
        format!("{small_rate:.0} rows/s at {small}"),
        "≥ 0.8",
    );

    org::rate_limited(large, minimum, full_med, &mut r).await;

    let took = secs(started.elapsed());
    let date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
    let md = r.markdown(&machine, &date, took);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md");
    std::fs::write(&path, md).expect("BENCHMARKS.md");
    println!("\nwrote {} ({took:.0} s)\n", path.display());
    print!("{}", r.lines());
}
