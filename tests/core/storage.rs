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
