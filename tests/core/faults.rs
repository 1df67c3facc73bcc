//! Faults in the middle of a sync: a 429 storm without `Retry-After`, a truncated page, the key
//! rotated in Gainsight, a runaway reply. Each run either ends with the cache equal to the
//! simulator's truth or fails with a clear kind, the data it had intact, and the next run
//! converging.

use crate::common;

use common::truth::*;
use gainsight_sim::faults::{Fault, FaultRule};
use gainsight_sim::{RunningSim, SimConfig};
use outpost::Outpost;
use outpost::connections::{ConnectionStatus, CsConnectInput};
use outpost::sync::{StreamProgress, SyncOptions};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

const CS: &str = "Sim";

async fn start(companies: usize, latency_ms: u64) -> RunningSim {
    gainsight_sim::start(SimConfig {
        companies,
        latency_ms,
        anchor_day: Some(20_400),
        window_secs: 1,
        ..Default::default()
    })
    .await
    .expect("simulator")
}

/// A connection whose calls are counted per second, like the simulator's window.
async fn connect(dir: &Path, sim: &RunningSim) -> Outpost {
    let app = Outpost::open(dir).expect("open data dir").with_loopback_window(Duration::from_secs(1));
    let input = CsConnectInput {
        name: CS.into(),
        description: None,
        instance_url: sim.base_url(),
        access_key: gainsight_sim::DEMO_ACCESS_KEY.into(),
    };
    app.connect_cs(&input).await.expect("connect (needs the keychain `make test` starts)");
    let settings = outpost::db::settings::SyncSettings { cs_calls_per_minute: 100, ..Default::default() };
    app.set_sync_settings(CS, &settings).expect("settings");
    app
}

fn quiet(_: &StreamProgress) {}

/// The scenario left the Access Key (old or regenerated) in no file of the data folder.
fn key_nowhere(dir: &Path) {
    let company: String = rusqlite::Connection::open(dir.join("outpost.db"))
        .expect("db")
        .query_row("SELECT name FROM companies WHERE name IS NOT NULL LIMIT 1", [], |r| r.get(0))
        .expect("a company");
    for key in [gainsight_sim::DEMO_ACCESS_KEY, "regenerated-in-gainsight"] {
        common::assert_key_nowhere(dir, key, &company);
    }
}

fn small_pages() -> SyncOptions {
    SyncOptions { page_size: Some(20), ..Default::default() }
}

fn count(dir: &Path, table: &str) -> i64 {
    rusqlite::Connection::open(dir.join("outpost.db"))
        .expect("db")
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

fn sound(dir: &Path) {
    let check: String = rusqlite::Connection::open(dir.join("outpost.db"))
        .expect("db")
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(check, "ok");
}

/// Waits until the cache holds at least `n` CTAs (the sync is under way), then runs `act`.
async fn when_ctas_reach(dir: &Path, n: i64, act: impl FnOnce()) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while count(dir, "ctas") < n {
        assert!(std::time::Instant::now() < deadline, "the sync made no progress");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    act();
}

/// The CTA stream's error: the one stream these faults hit.
fn cta_error(s: &outpost::sync::SyncSummary) -> outpost::error::ErrorPayload {
    let cta = s.streams.iter().find(|o| o.stream == outpost::model::Stream::Ctas).expect("a CTA stream");
    cta.error.clone().unwrap_or_else(|| panic!("the CTA stream failed: {:?}", s.streams))
}

fn first_page() -> outpost::db::account_page::AccountPageQuery {
    outpost::db::account_page::AccountPageQuery { limit: 50, ..Default::default() }
}

/// Every CTA line of the cache, to prove a failed run left them as they were.
fn cta_lines(dir: &Path) -> Vec<String> {
    common::cache_lines(dir, "ctas", "", CTA)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_storm_without_retry_after_waits_for_the_window_and_ends_with_the_truth() {
    let sim = start(30, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    // The default rate-limit style sends no Retry-After: four 429s in a row on the CTA query.
    sim.add_fault(FaultRule {
        endpoint: "/v1/data/objects/query/call_to_action".into(),
        fault: Fault::RateLimited,
        count: Some(4),
        probability: None,
    });
    let notes = Mutex::new(Vec::new());
    let on = |p: &StreamProgress| {
        if let Some(r) = &p.retrying {
            notes.lock().expect("notes").push((r.attempt, r.of, r.kind));
        }
    };
    let s = app.sync(CS, small_pages(), &on).await.expect("sync");
    assert_eq!(s.outcome, "ok", "{:?}", s.error);
    assert_eq!(sim.counters().rate_limited, 4, "each 429 was met once");
    let notes = notes.into_inner().expect("notes");
    let attempts: Vec<u32> = notes.iter().map(|n| n.0).collect();
    assert_eq!(attempts, vec![1, 2, 3, 4], "each retry was shown: {notes:?}");
    assert!(notes.iter().all(|n| n.2 == outpost::ErrorKind::RateLimited && n.1 == 5), "{notes:?}");
    assert_equals_truth(&sim, dir.path()).await;
    key_nowhere(dir.path());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_storm_that_never_ends_fails_clearly_and_keeps_the_last_sync() {
    let sim = start(20, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    assert_eq!(app.sync(CS, small_pages(), &quiet).await.expect("first").outcome, "ok");
    let before = cta_lines(dir.path());
    sim.modify("call_to_action", 5);
    sim.add_fault(FaultRule {
        endpoint: "/v1/data/objects/query/call_to_action".into(),
        fault: Fault::RateLimited,
        count: None,
        probability: None,
    });
    let s = app.sync(CS, small_pages(), &quiet).await.expect("runs");
    assert_eq!(s.outcome, "partial", "the other streams went through");
    let e = cta_error(&s);
    assert_eq!(e.kind, outpost::ErrorKind::RateLimited, "{e:?}");
    assert_eq!(sim.counters().rate_limited, 6, "the first try and five retries, then it gave up");
    assert_eq!(cta_lines(dir.path()), before, "the CTAs of the last good sync are intact");
    sound(dir.path());
    assert_eq!(app.connection(CS).expect("card").status, ConnectionStatus::Connected, "the key is fine");

    sim.clear_faults();
    assert_no_cursor_ahead(&sim, dir.path()).await;
    let next = app.sync(CS, small_pages(), &quiet).await.expect("next");
    assert_eq!(next.outcome, "ok", "{:?}", next.error);
    assert_equals_truth(&sim, dir.path()).await;
    key_nowhere(dir.path());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_truncated_page_mid_sync_fails_clearly_and_the_next_run_converges() {
    let sim = start(40, 5).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    let sync = app.sync(CS, small_pages(), &quiet);
    let cut = when_ctas_reach(dir.path(), 40, || {
        sim.add_fault(FaultRule {
            endpoint: "/v1/data/objects/query/call_to_action".into(),
            fault: Fault::TruncatedJson,
            count: Some(1),
            probability: None,
        })
    });
    let (s, ()) = tokio::join!(sync, cut);
    let s = s.expect("runs");
    assert_eq!(s.outcome, "partial", "a page cut in half is not taken as the end of the data");
    let e = cta_error(&s);
    assert_eq!(e.kind, outpost::ErrorKind::BadResponse, "{e:?}");
    assert!(!e.message.contains('{'), "one plain line, no JSON: {}", e.message);
    let partial = count(dir.path(), "ctas");
    let all = truth(&sim, "call_to_action", &["Gsid"]).await.len() as i64;
    assert!(partial >= 40 && partial < all, "the pages before the cut are kept ({partial} of {all})");
    sound(dir.path());
    assert!(assert_no_cursor_ahead(&sim, dir.path()).await >= 1);

    let next = app.sync(CS, small_pages(), &quiet).await.expect("next");
    assert_eq!(next.outcome, "ok", "{:?}", next.error);
    assert_equals_truth(&sim, dir.path()).await;
    key_nowhere(dir.path());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_rotated_mid_sync_needs_attention_and_loses_nothing() {
    let sim = start(40, 5).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    assert_eq!(app.sync(CS, SyncOptions::default(), &quiet).await.expect("first").outcome, "ok");
    let companies_before = count(dir.path(), "companies");
    sim.modify("call_to_action", 30);
    sim.modify("company", 5);

    // Someone regenerates the key in Gainsight while a full re-read is under way.
    let sync = app.sync(CS, SyncOptions { full: true, ..small_pages() }, &quiet);
    let rotate = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        sim.rotate_cs_key("regenerated-in-gainsight");
    };
    let (s, ()) = tokio::join!(sync, rotate);
    let s = s.expect("runs");
    assert_ne!(s.outcome, "ok");
    let kinds: Vec<_> = s.streams.iter().filter_map(|o| o.error.as_ref().map(|e| e.kind)).collect();
    assert!(kinds.contains(&outpost::ErrorKind::InvalidKey), "{:?}", s.streams);
    assert!(
        s.counts.values().sum::<u64>() > 0,
        "the rotation fell mid-sync, after some pages: {:?}",
        s.counts
    );
    let card = app.connection(CS).expect("card");
    assert_eq!(card.status, ConnectionStatus::NeedsAttention);
    assert_eq!(card.status_reason.as_deref(), Some(outpost::connections::KEY_REJECTED));
    // Nothing lost: a failed full re-read deletes nothing, and what it wrote is sound.
    assert_eq!(count(dir.path(), "companies"), companies_before, "no company dropped");
    sound(dir.path());
    // (The test reads the simulator's truth with the old key: the org takes it back for a moment.)
    sim.rotate_cs_key(gainsight_sim::DEMO_ACCESS_KEY);
    assert_no_cursor_ahead(&sim, dir.path()).await;
    sim.rotate_cs_key("regenerated-in-gainsight");

    // The admin pastes the new key: the next run converges.
    app.rotate(CS, "regenerated-in-gainsight").await.expect("new key");
    let next = app.sync(CS, small_pages(), &quiet).await.expect("next");
    assert_eq!(next.outcome, "ok", "{:?}", next.error);
    assert_eq!(app.connection(CS).expect("card").status, ConnectionStatus::Connected);
    sim.rotate_cs_key(gainsight_sim::DEMO_ACCESS_KEY);
    assert_equals_truth(&sim, dir.path()).await;
    key_nowhere(dir.path());
}

/// A small tmpfs mounted on a fresh folder, unmounted when dropped: a disk that can fill up.
/// Mounting needs root (CI runs as root) or passwordless sudo.
struct SmallDisk {
    _root: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl SmallDisk {
    fn mount(mb: u64) -> SmallDisk {
        let root = tempfile::tempdir().expect("dir");
        let path = root.path().join("disk");
        std::fs::create_dir(&path).expect("mount point");
        let size = format!("size={mb}m,mode=0700");
        let args = ["mount", "-t", "tmpfs", "-o", size.as_str(), "tmpfs", path.to_str().expect("path")];
        let mounted = std::process::Command::new(args[0])
            .args(&args[1..])
            .status()
            .is_ok_and(|s| s.success())
            || std::process::Command::new("sudo").arg("-n").args(args).status().is_ok_and(|s| s.success());
        assert!(mounted, "this test mounts a small tmpfs to fill: it needs root or passwordless sudo");
        SmallDisk { _root: root, path }
    }

    /// Fills the disk but for about `leave` bytes.
    fn fill(&self, leave: u64) -> std::path::PathBuf {
        use std::io::Write;
        let filler = self.path.join("filler");
        let mut f = std::fs::File::create(&filler).expect("filler");
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        let _ = f.flush();
        let len = std::fs::metadata(&filler).expect("filler").len();
        f.set_len(len.saturating_sub(leave)).expect("leave some room");
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let target = self.path.to_str().unwrap_or_default().to_string();
        let unmounted = std::process::Command::new("umount").arg(&target).status().is_ok_and(|s| s.success());
        if !unmounted {
            let _ = std::process::Command::new("sudo").args(["-n", "umount", &target]).status();
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_stops_the_sync_clearly_and_keeps_what_was_synced() {
    let sim = start(30, 0).await;
    let disk = SmallDisk::mount(24);
    let dir = disk.path.join("data");
    let app = connect(&dir, &sim).await;
    assert_eq!(app.sync(CS, small_pages(), &quiet).await.expect("first").outcome, "ok");
    let accounts_before = count(&dir, "companies");

    // The disk fills up (another program's download, say) and much of the org changes.
    let filler = disk.fill(16 * 1024);
    sim.modify("call_to_action", 200);
    sim.modify("company_scorecard_history", 300);
    sim.modify("company", 20);
    let s = app.sync(CS, SyncOptions { full: true, ..small_pages() }, &quiet).await;
    let errors: Vec<outpost::ErrorPayload> = match &s {
        Ok(s) => {
            assert_ne!(s.outcome, "ok", "a full disk cannot take the changes: {:?}", s.streams);
            s.streams.iter().filter_map(|o| o.error.clone()).chain(s.error.clone()).collect()
        }
        Err(e) => vec![e.payload()],
    };
    let full = errors.iter().find(|e| e.message.contains("is full")).unwrap_or_else(|| panic!("{errors:?}"));
    assert_eq!(full.kind, outpost::ErrorKind::Database);
    assert!(full.hint.as_deref().is_some_and(|h| h.contains("Free some space")), "{full:?}");

    // What was synced is intact and browsable while the disk is still full.
    sound(&dir);
    assert_eq!(count(&dir, "companies"), accounts_before, "no account lost");
    let page = app.account_page(&first_page()).expect("the accounts list opens on a full disk");
    assert_eq!(page.total, accounts_before);
    assert_no_cursor_ahead(&sim, &dir).await;

    // Room again: the next run converges.
    std::fs::remove_file(filler).expect("free the disk");
    let next = app.sync(CS, small_pages(), &quiet).await.expect("next");
    assert_eq!(next.outcome, "ok", "{:?}", next.error);
    assert_equals_truth(&sim, &dir).await;
    drop(app);
    key_nowhere(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_locked_past_the_busy_timeout_is_a_clear_database_error_not_a_hang() {
    let sim = start(10, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    assert_eq!(app.sync(CS, small_pages(), &quiet).await.expect("first").outcome, "ok");
    let before = cta_lines(dir.path());

    // Another program takes the write lock and keeps it.
    let other = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("another program");
    other.execute_batch("BEGIN IMMEDIATE; UPDATE connections SET name = name;").expect("write lock");
    sim.modify("call_to_action", 5);
    let t = std::time::Instant::now();
    let s = tokio::time::timeout(Duration::from_secs(90), app.sync(CS, small_pages(), &quiet))
        .await
        .expect("the sync ends while the lock is held; it does not hang");
    let waited = t.elapsed();
    let errors: Vec<outpost::ErrorPayload> = match &s {
        Ok(s) => {
            assert_ne!(s.outcome, "ok");
            s.streams.iter().filter_map(|o| o.error.clone()).chain(s.error.clone()).collect()
        }
        Err(e) => vec![e.payload()],
    };
    let locked = errors.iter().find(|e| e.message.contains("locked")).unwrap_or_else(|| panic!("{errors:?}"));
    assert_eq!(locked.kind, outpost::ErrorKind::Database);
    assert!(locked.hint.as_deref().is_some_and(|h| h.contains("Close any other program")), "{locked:?}");
    assert!(waited >= Duration::from_secs(9), "it waited the busy timeout first ({waited:?})");
    // Reading still works beside the lock (WAL), and nothing changed.
    assert_eq!(cta_lines(dir.path()), before);
    let page = app.account_page(&first_page()).expect("browse");
    assert_eq!(page.total, 10);

    other.execute_batch("ROLLBACK").expect("release");
    drop(other);
    let next = app.sync(CS, small_pages(), &quiet).await.expect("next");
    assert_eq!(next.outcome, "ok", "{:?}", next.error);
    assert_equals_truth(&sim, dir.path()).await;
    key_nowhere(dir.path());
}

/// Records of every odd shape a reply can hold: nulls where values belong, wrong types, unknown
/// fields, a 1 MB name, nesting 100 deep, replacement characters, and a reply
/// nested past what the parser takes. The sync never panics: a record keeps what can be read, a
/// page that cannot be parsed is a clear `BadResponse`, and the next clean run converges.
#[tokio::test(flavor = "multi_thread")]
async fn odd_records_keep_what_can_be_read_and_an_unparsable_page_is_a_clear_error() {
    let sim = start(5, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = connect(dir.path(), &sim).await;
    let deep = format!("{}1{}", "[".repeat(100), "]".repeat(100));
    let big = "x".repeat(1024 * 1024);
    let records = format!(
        r#"[{{"Gsid":"odd-1","Name":null,"Arr":"lots","Mrr":{{"a":1}},"RenewalDate":[1,2],"Employees":true,
            "ModifiedDate":"not a date","Unknown__gc":{deep},"Industry":42}},
           {{"Gsid":"odd-2","Name":"{big}","Arr":1e308,"RenewalDate":"2027-13-45","ModifiedDate":1700000000000,
            "Csm__gr.Name":"\ufffd\ufffd"}},
           {{"Gsid":null,"Name":"no id"}},
           {{"Name":"no id at all"}}]"#
    );
    let body =
        format!(r#"{{"result":true,"errorCode":null,"errorDesc":null,"data":{{"records":{records}}}}}"#);
    sim.add_fault(FaultRule {
        endpoint: "/v1/data/objects/query/company".into(),
        fault: Fault::Raw { status: 200, content_type: "application/json".into(), body },
        count: Some(1),
        probability: None,
    });
    let s = app
        .sync(
            CS,
            SyncOptions { objects: Some(vec![outpost::model::ObjectGroup::Companies]), ..Default::default() },
            &quiet,
        )
        .await
        .expect("the run returns");
    assert_eq!(s.outcome, "ok", "{:?}", s.streams);
    let companies = &s.streams[0];
    assert_eq!(companies.records, 2, "the two records with an id are kept");
    assert!(
        companies.notices.iter().any(|n| n.contains("2 records without an id (Gsid) could not be kept")),
        "and the admin is told of the two without: {:?}",
        companies.notices
    );
    let conn = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("db");
    let row = |id: &str| -> Vec<String> {
        conn.query_row(
            "SELECT quote(arr), quote(mrr), quote(renewal_date), quote(employees), quote(industry), \
             quote(modified_at), length(name), quote(csm_name) FROM companies WHERE gsid = ?1",
            [id],
            |r| (0..8).map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}"))).collect(),
        )
        .expect("row")
    };
    let odd1 = row("odd-1");
    // Wrong types are left empty, never guessed: a word as ARR, an object as MRR, a list as a date,
    // a flag as a head count, text as a modified date; a number as an industry is its text.
    for (i, what) in [(0, "arr"), (1, "mrr"), (2, "renewal"), (3, "employees"), (5, "modified")] {
        assert_eq!(odd1[i], r#"Text("NULL")"#, "odd-1's {what}: {odd1:?}");
    }
    assert_eq!(odd1[4], r#"Text("'42'")"#, "{odd1:?}");
    let odd2 = row("odd-2");
    assert_eq!(odd2[2], r#"Text("NULL")"#, "month 13 is no date: {odd2:?}");
    assert_eq!(odd2[6], "Integer(1048576)", "a huge name is kept whole, as text");
    assert_eq!(odd2[7], format!("Text({:?})", "'\u{fffd}\u{fffd}'"), "{odd2:?}");

    // A reply nested deeper than the parser takes: a clear error, not a crash or a stack overflow.
    let body = format!(
        r#"{{"result":true,"data":{{"records":[{{"Gsid":"deep","Name":{}1{}}}]}}}}"#,
        "[".repeat(5000),
        "]".repeat(5000)
    );
    sim.add_fault(FaultRule {
        endpoint: "/v1/data/objects/query/company".into(),
        fault: Fault::Raw { status: 200, content_type: "application/json".into(), body },
        count: Some(1),
        probability: None,
    });
    let only_companies =
        || SyncOptions { objects: Some(vec![outpost::model::ObjectGroup::Companies]), ..Default::default() };
    let s = app.sync(CS, only_companies(), &quiet).await.expect("the run returns");
    assert_ne!(s.outcome, "ok");
    let e = s.streams[0].error.clone().expect("an error");
    assert_eq!(e.kind, outpost::ErrorKind::BadResponse, "{e:?}");
    assert!(!e.message.contains('['), "one plain line: {}", e.message);

    // Clean replies again: a full read converges (the odd rows are gone with the reconcile).
    let s = app.sync(CS, SyncOptions { full: true, ..Default::default() }, &quiet).await.expect("clean");
    assert_eq!(s.outcome, "ok", "{:?}", s.error);
    assert_equals_truth(&sim, dir.path()).await;
    key_nowhere(dir.path());
}
