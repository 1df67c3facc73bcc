//! The data folder and the database file: owner-only on disk, and a database this version can't
//! use refused before anything in it changes.

use outpost::Outpost;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

fn chmod(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod");
}

#[test]
fn the_data_folder_and_database_are_owner_only_also_when_left_open() {
    let root = tempfile::tempdir().expect("dir");
    let dir = root.path().join("data");
    drop(Outpost::open(&dir).expect("open"));
    assert_eq!(mode(&dir), 0o700, "a new data folder is owner-only");
    assert_eq!(mode(&dir.join("outpost.db")), 0o600, "a new database is owner-only");
    assert_eq!(mode(&dir.join("budget.sqlite")), 0o600, "a new call budget file is owner-only");

    // As an older version left them: readable by every local user.
    chmod(&dir, 0o755);
    chmod(&dir.join("outpost.db"), 0o644);
    std::fs::create_dir_all(dir.join("locks")).expect("locks");
    chmod(&dir.join("locks"), 0o755);
    std::fs::write(dir.join("locks/sync-x.lock"), b"").expect("lock file");
    chmod(&dir.join("locks/sync-x.lock"), 0o644);
    std::fs::write(dir.join("outpost.db-wal"), b"").expect("wal");
    chmod(&dir.join("outpost.db-wal"), 0o644);
    chmod(&dir.join("budget.sqlite"), 0o644);
    let app = Outpost::open(&dir).expect("reopen");
    for (path, want) in [
        (dir.clone(), 0o700),
        (dir.join("outpost.db"), 0o600),
        (dir.join("outpost.db-wal"), 0o600),
        (dir.join("budget.sqlite"), 0o600),
        (dir.join("locks"), 0o700),
        (dir.join("locks/sync-x.lock"), 0o600),
    ] {
        assert_eq!(mode(&path), want, "{} is made owner-only at start", path.display());
    }
    // A lock file a sync takes is owner-only from the start.
    assert!(!app.is_syncing("another"), "nothing holds it");
    assert_eq!(mode(&dir.join("locks/sync-another.lock")), 0o600);
    let shm = dir.join("outpost.db-shm");
    if shm.exists() {
        assert_eq!(mode(&shm), 0o600, "SQLite makes its files with the database's permissions");
    }
}

#[test]
fn an_empty_database_file_is_refused_not_recreated() {
    let dir = tempfile::tempdir().expect("dir");
    drop(Outpost::open(dir.path()).expect("open"));
    std::fs::write(dir.path().join("outpost.db"), b"").expect("truncate to 0 bytes");
    let _ = std::fs::remove_file(dir.path().join("outpost.db-wal"));
    let _ = std::fs::remove_file(dir.path().join("outpost.db-shm"));
    let e = Outpost::open(dir.path()).err().expect("an empty database is refused");
    assert_eq!(e.kind, outpost::ErrorKind::Database);
    assert!(e.message.contains("empty") && !e.message.contains('\n'), "{e:?}");
    assert_eq!(std::fs::metadata(dir.path().join("outpost.db")).expect("file").len(), 0, "left as it was");
}

#[test]
fn a_newer_database_is_refused_before_its_journal_mode_changes() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("outpost.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("db");
        conn.pragma_update(None, "journal_mode", "DELETE").expect("rollback journal");
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 999;").expect("a newer schema");
    }
    let e = Outpost::open(dir.path()).err().expect("refused");
    assert!(e.message.contains("newer version"), "{e:?}");
    let conn = rusqlite::Connection::open(&path).expect("db");
    let journal: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).expect("mode");
    assert_eq!(journal, "delete", "the refused database was not switched to WAL");
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).expect("version");
    assert_eq!(version, 999);
}

#[test]
fn a_database_that_cannot_be_upgraded_says_so_in_one_line() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("outpost.db");
    {
        // Claims schema 4 but has none of its tables: migration 5 cannot apply.
        let conn = rusqlite::Connection::open(&path).expect("db");
        conn.execute_batch("PRAGMA user_version = 4;").expect("version");
    }
    let e = Outpost::open(dir.path()).err().expect("refused");
    assert_eq!(e.kind, outpost::ErrorKind::Database);
    assert!(!e.message.contains('\n'), "one line, no SQL: {}", e.message);
    assert!(
        !e.message.contains("--") && !e.message.contains("query") && !e.message.contains("rusqlite"),
        "plain words, no SQL: {}",
        e.message
    );
    assert!(
        e.message.contains(&path.display().to_string()) && e.message.contains("version 4"),
        "names the file and its version: {}",
        e.message
    );
    assert!(e.hint.is_some(), "says the way out: {e:?}");
}

#[test]
fn the_latest_schema_version_is_what_the_migrations_reach() {
    let dir = tempfile::tempdir().expect("dir");
    drop(Outpost::open(dir.path()).expect("open"));
    let conn = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("db");
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).expect("version");
    assert_eq!(version, outpost::db::LATEST, "db::LATEST must follow the migrations");
}

#[test]
fn a_database_with_damaged_pages_is_refused_untouched_naming_the_file() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("outpost.db");
    drop(Outpost::open(dir.path()).expect("open"));
    let (page_size, pages) = {
        let conn = rusqlite::Connection::open(&path).expect("db");
        conn.execute_batch(
            "CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
             INSERT INTO filler (body) SELECT randomblob(400) FROM n;",
        )
        .expect("rows over many pages");
        let size: i64 = conn.pragma_query_value(None, "page_size", |r| r.get(0)).expect("page size");
        let count: i64 = conn.pragma_query_value(None, "page_count", |r| r.get(0)).expect("page count");
        (size as u64, count as u64)
    };
    assert!(
        !dir.path().join("outpost.db-wal").exists()
            || std::fs::metadata(dir.path().join("outpost.db-wal")).expect("wal").len() == 0,
        "the last close checkpointed the WAL into the file"
    );
    // A page of the filler table overwritten with garbage, as a disk fault would leave it.
    let mut bytes = std::fs::read(&path).expect("read");
    let at = ((pages - 2) * page_size) as usize;
    bytes[at..at + page_size as usize].fill(0xAB);
    std::fs::write(&path, &bytes).expect("damage a page");

    let e = Outpost::open(dir.path()).err().expect("a damaged database is refused");
    assert_eq!(e.kind, outpost::ErrorKind::Database);
    assert!(
        e.message.contains("damaged") && e.message.contains(&path.display().to_string()),
        "names the file: {e:?}"
    );
    assert!(!e.message.contains('\n'), "one line: {}", e.message);
    assert!(
        e.hint.as_deref().is_some_and(|h| h.contains("outpost rebuild-cache")),
        "says the way out: {e:?}"
    );
    assert_eq!(std::fs::read(&path).expect("read again"), bytes, "the refused file is left byte for byte");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("outpost.db");
    let junk = b"this is a text file someone saved over the cache\n".repeat(200);
    std::fs::write(&path, &junk).expect("junk");
    let e = Outpost::open(dir.path()).err().expect("refused");
    assert_eq!(e.kind, outpost::ErrorKind::Database);
    assert!(e.message.contains(&path.display().to_string()), "names the file: {e:?}");
    assert!(e.hint.is_some(), "says the way out: {e:?}");
    assert_eq!(std::fs::read(&path).expect("read again"), junk, "left as it was");
}

/// Damage that appears after the check at open (a disk fault mid-session): the sync that meets
/// it stops writing (no deletes step, the run failed with a `Database` error saying the way out),
/// and the next start refuses the file, naming it.
#[tokio::test(flavor = "multi_thread")]
async fn a_sync_that_meets_a_damaged_table_stops_and_says_the_way_out() {
    let config = gainsight_sim::SimConfig { companies: 200, anchor_day: Some(20_400), ..Default::default() };
    let sim = gainsight_sim::start(config).await.expect("simulator");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("outpost.db");
    {
        let app = Outpost::open(dir.path()).expect("open");
        let input = outpost::connections::CsConnectInput {
            name: "Sim".into(),
            description: None,
            instance_url: sim.base_url(),
            access_key: gainsight_sim::DEMO_ACCESS_KEY.into(),
        };
        app.connect_cs(&input).await.expect("connect (needs the keychain `make test` starts)");
        let settings = outpost::db::settings::SyncSettings { cs_calls_per_minute: 77, ..Default::default() };
        app.set_sync_settings("Sim", &settings).expect("settings");
        let s = app.sync("Sim", Default::default(), &|_| {}).await.expect("first");
        assert_eq!(s.outcome, "ok");
    }
    let app = Outpost::open(dir.path()).expect("a healthy file opens");
    // Now the companies table's root page is overwritten on disk; another connection's write
    // makes the open one read the file afresh.
    let (root, page_size): (i64, i64) = {
        let conn = rusqlite::Connection::open(&path).expect("db");
        let root = conn
            .query_row("SELECT rootpage FROM sqlite_master WHERE name = 'companies'", [], |r| r.get(0))
            .expect("root page");
        (root, conn.pragma_query_value(None, "page_size", |r| r.get(0)).expect("page size"))
    };
    let mut bytes = std::fs::read(&path).expect("read");
    let at = ((root - 1) * page_size) as usize;
    bytes[at..at + page_size as usize].fill(0xAB);
    std::fs::write(&path, &bytes).expect("damage the companies table");
    rusqlite::Connection::open(&path)
        .expect("db")
        .execute_batch("CREATE TABLE bump (x); DROP TABLE bump;")
        .expect("bump");
    sim.modify("company", 10);
    sim.modify("call_to_action", 10);

    let s = app.sync("Sim", Default::default(), &|_| {}).await.expect("the run returns");
    assert_eq!(s.outcome, "failed", "a damaged file fails the run: {:?}", s.streams);
    let error = s.error.expect("why");
    assert_eq!(error.kind, outpost::ErrorKind::Database);
    assert!(
        error.hint.as_deref().is_some_and(|h| h.contains("outpost.db") && h.contains("rebuild the cache")),
        "{error:?}"
    );
    assert!(
        !s.streams.iter().any(|o| o.stream == outpost::model::Stream::Deletes),
        "no deletes step writes into a damaged file: {:?}",
        s.streams
    );
    drop(app);
    let e = Outpost::open(dir.path()).err().expect("the next start refuses it");
    assert!(e.message.contains("damaged") && e.message.contains(&path.display().to_string()), "{e:?}");

    // The way out: rebuild the cache. The damaged file is moved aside as it was; the connection,
    // its settings and its key are kept; the next sync brings the data back.
    let damaged = std::fs::read(&path).expect("damaged bytes");
    let report = outpost::rebuild::rebuild_cache(dir.path()).expect("rebuild");
    assert_eq!(report.connections, vec!["Sim".to_string()], "{report:?}");
    assert!(report.lost.is_empty(), "{report:?}");
    assert_eq!(std::fs::read(&report.moved_to).expect("moved file"), damaged, "moved aside untouched");
    let app = Outpost::open(dir.path()).expect("the rebuilt cache opens");
    let card = app.connection("Sim").expect("the connection is kept");
    assert_eq!(card.last_sync_at, None, "nothing synced into the new cache yet");
    assert_eq!(app.sync_settings("Sim").expect("settings").cs_calls_per_minute, 77, "settings kept");
    assert_eq!(app.account_page(&Default::default()).expect("empty list").total, 0);
    let s = app.sync("Sim", Default::default(), &|_| {}).await.expect("sync with the kept key");
    assert_eq!(s.outcome, "ok", "{:?}", s.error);
    crate::common::truth::assert_equals_truth(&sim, dir.path()).await;
}

#[test]
fn a_rebuild_waits_for_a_running_sync_and_says_what_it_could_not_keep() {
    let dir = tempfile::tempdir().expect("dir");
    drop(Outpost::open(dir.path()).expect("open"));
    // A sync holds its lock (another process, as far as the file lock knows).
    std::fs::create_dir_all(dir.path().join("locks")).expect("locks");
    let lock = std::fs::File::create(dir.path().join("locks/sync-x.lock")).expect("lock");
    lock.lock().expect("held");
    let e = outpost::rebuild::rebuild_cache(dir.path()).expect_err("waits for the sync");
    assert_eq!(e.kind, outpost::ErrorKind::Conflict, "{e:?}");
    assert!(dir.path().join("outpost.db").exists(), "nothing moved");
    drop(lock);

    // A file that is no database at all: nothing to keep, and the report says so.
    std::fs::write(dir.path().join("outpost.db"), b"not a database, saved over the cache\n".repeat(100))
        .expect("junk");
    let _ = std::fs::remove_file(dir.path().join("outpost.db-wal"));
    let report = outpost::rebuild::rebuild_cache(dir.path()).expect("rebuild");
    assert!(report.connections.is_empty());
    assert!(report.lost.iter().any(|l| l.contains("connections")), "{report:?}");
    assert!(Outpost::open(dir.path()).is_ok(), "a fresh cache");
}
