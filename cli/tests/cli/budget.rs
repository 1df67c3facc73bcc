//! Two `outpost sync` processes syncing two connections of one org share the org's call budget
//! (`budget.sqlite`): together they stay within the admin's share, so the simulator, which enforces
//! the org's real limit, never answers 429.

use gainsight_sim::SimConfig;
use outpost::Outpost;
use outpost::connections::CsConnectInput;
use outpost::db::settings::SyncSettings;
use std::process::{Command, Stdio};

/// The simulator's window, shortened from a minute so that the test takes seconds, and the org's
/// limit in it; Outpost's share of it.
const WINDOW_SECS: u64 = 2;
const ORG_LIMIT: u32 = 10;
const SHARE: i64 = 6;

#[tokio::test(flavor = "multi_thread")]
async fn two_sync_processes_of_one_org_stay_within_the_share_and_meet_no_429() {
    let sim = gainsight_sim::start(SimConfig {
        companies: 20,
        anchor_day: Some(20_400),
        rate_limit_per_window: ORG_LIMIT,
        window_secs: WINDOW_SECS,
        ..Default::default()
    })
    .await
    .expect("simulator");
    let dir = tempfile::tempdir().expect("dir");
    {
        let app = Outpost::open(dir.path()).expect("open data dir");
        for name in ["One", "Two"] {
            let input = CsConnectInput {
                name: name.into(),
                description: None,
                instance_url: sim.base_url(),
                access_key: gainsight_sim::DEMO_ACCESS_KEY.into(),
            };
            app.connect_cs(&input).await.expect("connect (needs the keychain `make test` starts)");
            let settings = SyncSettings { cs_calls_per_minute: SHARE, ..Default::default() };
            app.set_sync_settings(name, &settings).expect("settings");
        }
    }
    // The connection tests' calls (made before the connections were saved, outside any budget) are
    // not the syncs': start in a fresh window of the simulator, with fresh counters.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock");
    let next = std::time::Duration::from_secs((now.as_secs() / WINDOW_SECS + 1) * WINDOW_SECS);
    tokio::time::sleep(next - now + std::time::Duration::from_millis(20)).await;
    sim.reset_counters();
    let window_ms = (WINDOW_SECS * 1000).to_string();
    let children: Vec<_> = ["One", "Two"]
        .into_iter()
        .map(|name| {
            Command::new(env!("CARGO_BIN_EXE_outpost"))
                .arg("--data-dir")
                .arg(dir.path())
                .args(["--json", "sync", name, "--full", "--page-size", "50"])
                .env("OUTPOST_LOOPBACK_CS_WINDOW_MS", &window_ms)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("outpost sync")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "each sync completes: {:?} {stderr}", out.status);
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("summary JSON");
        assert_eq!(summary[0]["outcome"], "ok", "{summary}");
    }
    let c = sim.counters();
    let cs_calls = c.total_calls();
    assert_eq!(c.rate_limited, 0, "no 429 reached either process: {c:?}");
    assert!(
        c.peak_window_calls <= SHARE as u64,
        "no window of the simulator held more than the share of {SHARE}: {c:?}"
    );
    assert!(cs_calls > 3 * SHARE as u64, "the syncs needed several windows ({cs_calls} calls)");

    // The two runs overlapped (else the budget was never shared), and every call was counted.
    let db = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("db");
    let spans: Vec<(String, String)> = db
        .prepare("SELECT started_at, finished_at FROM sync_runs ORDER BY id")
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .expect("runs");
    assert_eq!(spans.len(), 2, "{spans:?}");
    assert!(spans[0].0 < spans[1].1 && spans[1].0 < spans[0].1, "the syncs ran at the same time: {spans:?}");
    let app = Outpost::open(dir.path()).expect("reopen");
    let meter = app.budget_meter("One").expect("meter");
    assert_eq!(meter.calls_today as u64, cs_calls, "the shared count holds both processes' calls");
    assert_eq!(meter, app.budget_meter("One").expect("meter"), "reading the meter spends nothing");
    assert_eq!(app.budget_meter("Two").expect("meter").calls_today, meter.calls_today, "one count per org");

    // The CLI shows the same meter, in the contract's JSON and in words.
    let run = |args: &[&str]| crate::run::outpost(dir.path(), args, "", &[]);
    let out = run(&["--json", "budget"]);
    assert!(out.status.success(), "{}", crate::run::text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("budget JSON");
    assert_eq!(doc.as_array().map(Vec::len), Some(2), "one meter per CS connection: {doc}");
    assert_eq!(doc[0]["calls_today"].as_u64(), Some(cs_calls), "{doc}");
    assert_eq!(doc[0]["calls_per_day"].as_i64(), Some(50_000), "{doc}");
    assert_eq!(doc[0]["share_per_minute"].as_i64(), Some(SHARE), "{doc}");
    assert_eq!(doc[0]["estimate_basis"], "last_full_run", "{doc}");
    let set = run(&["settings", "Two", "--calls-per-day", "70000"]);
    assert!(set.status.success(), "{}", crate::run::text(&set.stderr));
    let words = crate::run::text(&run(&["budget", "Two"]).stdout);
    let today = outpost::budget::thousands(cs_calls as i64);
    assert!(words.contains(" calls this minute (Outpost's share 6) · "), "{words}");
    assert!(words.contains(&format!("· {today} of 70,000 today · a full sync needs about ")), "{words}");
    let bad = run(&["settings", "Two", "--calls-per-day", "0"]);
    assert_eq!(bad.status.code(), Some(3), "0 a day is an input error: {}", crate::run::text(&bad.stderr));
}
