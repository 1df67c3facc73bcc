//! The local SQLite database: opened one way everywhere, migrated at start.

pub mod account_index;
pub mod account_page;
pub mod browse;
pub mod changes;
pub mod companies;
pub mod connections;
pub mod cta_index;
pub mod cta_page;
pub mod ctas;
pub mod cursors;
pub mod insights;
mod migrations;
pub mod org;
pub mod picklists;
pub mod px;
pub mod runs;
pub mod scores;
pub mod settings;

use crate::error::{Error, ErrorKind, Result};
use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;

pub use migrations::migrations;

/// Opens (creating if needed) and migrates the database at `path`. A database this version
/// cannot use is refused before anything in it changes: one from a newer Outpost, or an empty
/// file where a database was (re-creating it would lose the connections and orphan their keys).
pub fn open(path: &Path) -> Result<Connection> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
        return Err(Error::new(
            ErrorKind::Database,
            format!("The local database {} is empty (0 bytes): its data is gone.", path.display()),
        )
        .with_hint(EMPTY));
    }
    let mut conn = Connection::open(path).map_err(db_err)?;
    // Before the first read: another process may be writing (migrating, say) at this moment.
    conn.busy_timeout(BUSY_TIMEOUT).map_err(db_err)?;
    let version: i64 =
        conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(|e| file_err(path, e))?;
    if version > LATEST {
        return Err(too_new());
    }
    check_pages(&conn, path)?;
    configure(&conn)?;
    migrate(&mut conn).map_err(|e| match e.kind {
        // One plain line naming the file: the migration error quotes its SQL, no help to the admin.
        ErrorKind::Database if e.message != too_new().message => Error::new(
            ErrorKind::Database,
            format!("The local database {} could not be upgraded from schema version {version} to {LATEST}: {}", path.display(), e.message),
        )
        .with_hint("Another program may have changed it; move the file away to start afresh (connect again and sync), or restore a backup."),
        _ => e,
    })?;
    Ok(conn)
}

/// Another connection to a database [`open`] has already checked and migrated (the sync's page
/// writer): configured the same way, nothing checked again.
pub fn open_writer(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path).map_err(|e| file_err(path, e))?;
    configure(&conn)?;
    Ok(conn)
}

/// How long a connection waits for another process's write lock before a `Database` error.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The schema version the migrations bring a database to (SQLite's `user_version`).
pub const LATEST: i64 = 10;

fn too_new() -> Error {
    Error::new(
        ErrorKind::Database,
        "This database was written by a newer version of Outpost; this version will not change it.",
    )
    .with_hint("Install the newer Outpost again, or point --data-dir at another folder.")
}

/// Refuses a file whose pages are damaged (a disk fault, a copy cut short, another program's
/// write) before a sync writes more into it. `quick_check` reads every page once but skips the
/// index-against-table cross-check `integrity_check` does: about 0.1 s on a 53 MB cache and
/// 0.6 s on 378 MB with a warm page cache (integrity_check: 5 s there).
fn check_pages(conn: &Connection, path: &Path) -> Result<()> {
    let mut stmt = conn.prepare("PRAGMA quick_check(1)").map_err(|e| file_err(path, e))?;
    let first: String = stmt.query_row([], |r| r.get(0)).map_err(|e| file_err(path, e))?;
    if first == "ok" { Ok(()) } else { Err(unreadable(path, &first)) }
}

/// An error reading the file at open: damage named as such, anything else (busy, say) as it is.
fn file_err(path: &Path, e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    match e.sqlite_error_code() {
        Some(DatabaseCorrupt | NotADatabase) => unreadable(path, &e.to_string()),
        _ => db_err(e),
    }
}

/// The error for a database file whose pages can't be read; `detail` is SQLite's first finding.
fn unreadable(path: &Path, detail: &str) -> Error {
    let detail: String = detail.lines().next().unwrap_or_default().chars().take(160).collect();
    Error::new(
        ErrorKind::Database,
        format!(
            "The local database {} is damaged ({detail}); Outpost will not write into it.",
            path.display()
        ),
    )
    .with_hint(UNREADABLE)
}

const UNREADABLE: &str = "Rebuild the cache: run `outpost rebuild-cache`, or choose Rebuild the cache when \
     Outpost starts. It moves the file away (nothing is deleted), keeps the connections, their keys and settings, \
     and syncs again.";
const EMPTY: &str = "Restore it from a backup, or start afresh with `outpost rebuild-cache` (connect again; the \
     old keys stay in the keychain).";

/// Whether an error's hint (from opening or using the database) sends the admin to a rebuild.
pub(crate) fn needs_rebuild(hint: Option<&str>) -> bool {
    matches!(hint, Some(h) if h == UNREADABLE || h == EMPTY || h == DAMAGED)
}

/// An in-memory database with the full schema, for unit tests.
pub fn open_in_memory() -> Result<Connection> {
    let mut conn = Connection::open_in_memory().map_err(db_err)?;
    configure(&conn)?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// A statement the sync runs for every row it writes, prepared once per connection and kept in the
/// connection's statement cache (preparing an upsert costs about as much as running it).
pub(crate) fn cached_execute(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// [`cached_execute`] for a query of one row.
pub(crate) fn cached_row<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.prepare_cached(sql)?.query_row(params, f)
}

/// Statements kept prepared per connection: every per-row statement of the sync's streams fits.
const STATEMENT_CACHE: usize = 64;

fn configure(conn: &Connection) -> Result<()> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // WAL: the UI and CLI read while a sync writes, without blocking each other.
    conn.pragma_update(None, "journal_mode", "WAL").map_err(db_err)?;
    // NORMAL is durable at every checkpoint in WAL mode and much faster than FULL per page.
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(db_err)?;
    // SQLite leaves foreign keys off unless asked, per connection.
    conn.pragma_update(None, "foreign_keys", "ON").map_err(db_err)?;
    // A second process (CLI beside the app) waits for a write lock instead of failing at once.
    conn.busy_timeout(BUSY_TIMEOUT).map_err(db_err)?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    migrations().to_latest(conn).map_err(|e| match e {
        rusqlite_migration::Error::MigrationDefinition(
            rusqlite_migration::MigrationDefinitionError::DatabaseTooFarAhead,
        ) => too_new(),
        // SQLite's reason, one line, without the migration's SQL (the caller names the file).
        rusqlite_migration::Error::RusqliteError { err, .. } => {
            Error::new(ErrorKind::Database, format!("{}.", first_line(&err.to_string())))
        }
        other => Error::new(ErrorKind::Database, format!("{}.", first_line(&other.to_string()))),
    })
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().chars().take(200).collect()
}

pub(crate) fn db_err(e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode::{
        CannotOpen, DatabaseBusy, DatabaseCorrupt, DatabaseLocked, DiskFull, NotADatabase, ReadOnly,
    };
    let err = Error::new(ErrorKind::Database, format!("Local database error: {e}."));
    match e.sqlite_error_code() {
        // Damage found after the check at open (a disk fault mid-session): stop, and say the way out.
        Some(DatabaseCorrupt | NotADatabase) => err.with_hint(DAMAGED),
        Some(DiskFull) => Error::new(
            ErrorKind::Database,
            "The disk that holds Outpost's data folder is full, so nothing more could be written.",
        )
        .with_hint(DISK_FULL),
        Some(DatabaseBusy | DatabaseLocked) => Error::new(
            ErrorKind::Database,
            format!(
                "Another program kept the local database (outpost.db) locked for more than {} s.",
                BUSY_TIMEOUT.as_secs()
            ),
        )
        .with_hint(LOCKED),
        Some(ReadOnly | CannotOpen) => Error::new(
            ErrorKind::Database,
            "Outpost's data folder cannot be written: the folder or a file in it is read-only.",
        )
        .with_hint(
            "Give your user write access to Outpost's data folder, or point --data-dir at another folder.",
        ),
        _ => err,
    }
}

const DISK_FULL: &str =
    "Free some space on that disk and sync again: the data of earlier syncs is kept and stays browsable.";
const LOCKED: &str = "Close any other program that has outpost.db open (an SQLite browser, a backup or sync tool) \
     and try again; the data of earlier syncs is kept.";

/// The hint of damage found mid-session; a sync that meets it stops writing.
const DAMAGED: &str = "The database file (outpost.db in the data folder) is damaged: rebuild the cache (quit \
     Outpost and run `outpost rebuild-cache`, or start Outpost and choose Rebuild the cache). It moves the file \
     away, keeps the connections, their keys and settings, and syncs again.";

/// Whether an error (by its hint) is damage SQLite found in the database file.
pub(crate) fn is_damaged(hint: Option<&str>) -> bool {
    hint == Some(DAMAGED)
}

/// What a stream still running says when another found the database damaged.
pub(crate) fn stopped_by_damage() -> Error {
    Error::new(ErrorKind::Database, "Stopped: the local database is damaged.").with_hint(DAMAGED)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(code: std::ffi::c_int) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None)
    }

    #[test]
    fn damage_found_mid_session_says_the_way_out_other_errors_do_not() {
        for code in [rusqlite::ffi::SQLITE_CORRUPT, rusqlite::ffi::SQLITE_NOTADB] {
            let e = db_err(sqlite(code));
            assert_eq!(e.kind, ErrorKind::Database);
            assert!(
                e.hint
                    .as_deref()
                    .is_some_and(|h| h.contains("outpost.db") && h.contains("outpost rebuild-cache")),
                "{e:?}"
            );
        }
        let busy = db_err(sqlite(rusqlite::ffi::SQLITE_BUSY));
        assert!(!is_damaged(busy.hint.as_deref()), "a busy database is not damaged: {busy:?}");
    }

    #[test]
    fn a_full_disk_a_lock_and_a_read_only_file_each_say_what_happened_and_what_to_do() {
        let cases = [
            (rusqlite::ffi::SQLITE_FULL, "full", "Free some space"),
            (rusqlite::ffi::SQLITE_BUSY, "locked", "Close any other program"),
            (rusqlite::ffi::SQLITE_LOCKED, "locked", "Close any other program"),
            (rusqlite::ffi::SQLITE_READONLY, "read-only", "write access"),
        ];
        for (code, says, hint) in cases {
            let e = db_err(sqlite(code));
            assert_eq!(e.kind, ErrorKind::Database);
            assert!(e.message.contains(says), "{code}: {e:?}");
            assert!(!e.message.contains("Local database error"), "{code}: not SQLite's words: {e:?}");
            assert!(e.hint.as_deref().is_some_and(|h| h.contains(hint)), "{code}: {e:?}");
        }
    }
}
