//! "Rebuild the cache": the way out of a damaged database. The damaged file is moved aside (never
//! deleted, never written), a fresh database is made, and what the admin set up — connections,
//! their sync settings, field mappings and insight settings — is carried over from the damaged
//! file wherever SQLite can still read it. Connection ids are kept, so each connection's key in the
//! OS keychain still belongs to it; the synced data itself comes back with the next sync.

use crate::error::{Error, ErrorKind, Result};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The tables of what the admin set up, parents first (the others reference `connections`).
const KEPT: &[&str] = &["connections", "sync_settings", "field_mappings", "insight_settings"];

/// What a rebuild did.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RebuildReport {
    /// Where the damaged file now is (beside the new one, in the data folder).
    pub moved_to: String,
    /// The connections carried over, by name: their keys stay in the keychain.
    pub connections: Vec<String>,
    /// What could not be read from the damaged file and is lost (set up again by hand).
    pub lost: Vec<String>,
}

/// Whether rebuilding the cache is the way out of this error (a damaged or emptied database).
pub fn is_the_way_out(e: &Error) -> bool {
    e.kind == ErrorKind::Database && crate::db::needs_rebuild(e.hint.as_deref())
}

/// Rows of one table, with its column names, as the damaged file still gives them.
struct Salvaged {
    table: &'static str,
    columns: Vec<String>,
    rows: Vec<Vec<Value>>,
}

/// Moves `outpost.db` (and its WAL and shared-memory files) in `data_dir` aside and makes a new
/// one holding the connections and settings the old one still yields. Refused while a sync of
/// any connection runs (its process holds the old file open).
pub fn rebuild_cache(data_dir: &Path) -> Result<RebuildReport> {
    let path = data_dir.join("outpost.db");
    if !path.exists() {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("There is no local database at {} to rebuild.", path.display()),
        ));
    }
    let _locks = hold_every_sync_lock(data_dir)?;
    let (salvaged, mut lost) = salvage(&path);

    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let moved = data_dir.join(format!("outpost.db.damaged-{stamp}"));
    for side in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{side}", path.display()));
        if from.exists() {
            let to = PathBuf::from(format!("{}{side}", moved.display()));
            std::fs::rename(&from, &to).map_err(|e| {
                Error::new(ErrorKind::Database, format!("Could not move {} aside: {e}.", from.display()))
            })?;
        }
    }

    let mut conn = crate::db::open(&path)?;
    crate::private::file(&path)?;
    let tx = conn.transaction().map_err(crate::db::db_err)?;
    for s in &salvaged {
        if let Err(e) = insert(&tx, s) {
            lost.push(format!("{} ({})", s.table, first_line(&e.to_string())));
        }
    }
    // The new cache holds no data yet: no card may say when it last synced.
    tx.execute("UPDATE connections SET last_sync_at = NULL, status = 'connected', status_reason = NULL", [])
        .map_err(crate::db::db_err)?;
    let names: Vec<String> = {
        let mut stmt = tx.prepare("SELECT name FROM connections ORDER BY name").map_err(crate::db::db_err)?;
        let names = stmt.query_map([], |r| r.get(0)).map_err(crate::db::db_err)?;
        names.collect::<rusqlite::Result<_>>().map_err(crate::db::db_err)?
    };
    tx.commit().map_err(crate::db::db_err)?;
    if salvaged.iter().all(|s| s.table != "connections") {
        // Keys of the lost connections stay in the keychain; connecting again with the same
        // names makes new entries.
        lost.insert(0, "the connections (connect again)".into());
    }
    Ok(RebuildReport { moved_to: moved.display().to_string(), connections: names, lost })
}

/// Takes every connection's sync lock, so no sync (in any process) writes while the file moves.
fn hold_every_sync_lock(data_dir: &Path) -> Result<Vec<std::fs::File>> {
    let dir = data_dir.join("locks");
    let mut held = Vec::new();
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(entry.path())
            .map_err(|e| Error::new(ErrorKind::Database, format!("lock file: {e}")))?;
        if file.try_lock().is_err() {
            return Err(Error::new(
                ErrorKind::Conflict,
                "A sync is running: the cache can be rebuilt once it ends.",
            )
            .with_hint("Wait for the sync to finish (or cancel it), then rebuild the cache."));
        }
        held.push(file);
    }
    Ok(held)
}

/// Reads what it can of each kept table from the damaged file, read-only; a table that can't be
/// read is named in the second list.
fn salvage(path: &Path) -> (Vec<Salvaged>, Vec<String>) {
    let (mut out, mut lost) = (Vec::new(), Vec::new());
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = match Connection::open_with_flags(path, flags) {
        Ok(c) => c,
        Err(e) => {
            lost.push(format!("every setting ({})", first_line(&e.to_string())));
            return (out, lost);
        }
    };
    for table in KEPT {
        match read_table(&conn, table) {
            Ok(s) => out.push(s),
            Err(e) => lost.push(format!("{table} ({})", first_line(&e.to_string()))),
        }
    }
    (out, lost)
}

fn read_table(conn: &Connection, table: &'static str) -> rusqlite::Result<Salvaged> {
    let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\""))?;
    let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_string).collect();
    let n = columns.len();
    let rows = stmt
        .query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect::<rusqlite::Result<Vec<_>>>())?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Salvaged { table, columns, rows })
}

/// Inserts the salvaged rows into the new table, by the columns both have.
fn insert(conn: &Connection, s: &Salvaged) -> rusqlite::Result<()> {
    let present: Vec<String> = {
        let mut stmt = conn.prepare(&format!("SELECT name FROM pragma_table_info('{}')", s.table))?;
        stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
    };
    let keep: Vec<usize> = (0..s.columns.len()).filter(|i| present.contains(&s.columns[*i])).collect();
    if keep.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = keep.iter().map(|i| format!("\"{}\"", s.columns[*i])).collect();
    let marks: Vec<String> = (1..=keep.len()).map(|i| format!("?{i}")).collect();
    let sql =
        format!("INSERT OR IGNORE INTO \"{}\" ({}) VALUES ({})", s.table, names.join(", "), marks.join(", "));
    let mut stmt = conn.prepare(&sql)?;
    for row in &s.rows {
        stmt.execute(rusqlite::params_from_iter(keep.iter().map(|i| &row[*i])))?;
    }
    Ok(())
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().chars().take(160).collect()
}
