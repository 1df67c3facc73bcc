//! The sync's bookkeeping: runs, per-stream cursors, the change log and per-connection settings.

use super::db_err;
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use ts_rs::TS;

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct SyncRun {
    pub id: i64,
    pub connection_id: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// running, ok (complete), partial (some streams failed or were skipped), failed (nothing could
    /// be read), cancelled or interrupted (the process stopped mid-sync).
    pub outcome: String,
    pub full: bool,
    /// Records applied per stream, as a JSON object.
    pub counts: String,
    pub calls: i64,
    pub error_kind: Option<String>,
    pub error_message: Option<String>,
    /// Each stream's outcome, records and error.
    pub streams: Vec<crate::db::org::StreamOutcome>,
    pub notices: Vec<String>,
}

pub fn start_run(conn: &Connection, cid: &str, started_at: &str, full: bool) -> Result<i64> {
    conn.execute(
        "INSERT INTO sync_runs (connection_id, started_at, outcome, full) VALUES (?1, ?2, 'running', ?3)",
        params![cid, started_at, full],
    )
    .map_err(db_err)?;
    Ok(conn.last_insert_rowid())
}

/// How a run ended.
pub struct RunEnd<'a> {
    pub finished_at: &'a str,
    pub outcome: &'a str,
    pub counts: &'a str,
    pub calls: i64,
    pub error_kind: Option<&'a str>,
    pub error_message: Option<&'a str>,
    pub streams: &'a [crate::db::org::StreamOutcome],
    pub notices: &'a [String],
}

pub fn finish_run(conn: &Connection, id: i64, e: &RunEnd<'_>) -> Result<()> {
    let streams = serde_json::to_string(e.streams).unwrap_or_else(|_| "[]".into());
    let notices = serde_json::to_string(e.notices).unwrap_or_else(|_| "[]".into());
    conn.execute(
        "UPDATE sync_runs SET finished_at = ?2, outcome = ?3, counts = ?4, calls = ?5, error_kind = ?6, error_message = ?7,
            streams = ?8, notices = ?9
         WHERE id = ?1",
        params![id, e.finished_at, e.outcome, e.counts, e.calls, e.error_kind, e.error_message, streams, notices],
    )
    .map_err(db_err)?;
    Ok(())
}

/// Whether a run of the connection is recorded as still running.
pub fn has_running(conn: &Connection, cid: &str) -> Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sync_runs WHERE connection_id = ?1 AND outcome = 'running')",
        [cid],
        |r| r.get(0),
    )
    .map_err(db_err)
}

/// Runs left `running` by a process that stopped (killed, crashed) become `interrupted`.
pub fn mark_interrupted(conn: &Connection, cid: &str) -> Result<usize> {
    conn.execute(
        "UPDATE sync_runs SET outcome = 'interrupted', error_message = 'The sync stopped before it finished.'
         WHERE connection_id = ?1 AND outcome = 'running'",
        [cid],
    )
    .map_err(db_err)
}

fn run_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<SyncRun> {
    Ok(SyncRun {
        id: r.get(0)?,
        connection_id: r.get(1)?,
        started_at: r.get(2)?,
        finished_at: r.get(3)?,
        outcome: r.get(4)?,
        full: r.get(5)?,
        counts: r.get(6)?,
        calls: r.get(7)?,
        error_kind: r.get(8)?,
        error_message: r.get(9)?,
        streams: serde_json::from_str(&r.get::<_, String>(10)?).unwrap_or_default(),
        notices: serde_json::from_str(&r.get::<_, String>(11)?).unwrap_or_default(),
    })
}

const RUN_COLUMNS: &str = "id, connection_id, started_at, finished_at, outcome, full, counts, calls, error_kind, \
     error_message, streams, notices";

pub fn list_runs(conn: &Connection, cid: Option<&str>, limit: i64) -> Result<Vec<SyncRun>> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs WHERE ?1 IS NULL OR connection_id = ?1 ORDER BY id DESC LIMIT ?2"
        ))
        .map_err(db_err)?;
    let rows = stmt.query_map(params![cid, limit], run_from).map_err(db_err)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db_err)
}

pub fn last_ok_run(conn: &Connection, cid: &str) -> Result<Option<SyncRun>> {
    conn.query_row(
        &format!("SELECT {RUN_COLUMNS} FROM sync_runs WHERE connection_id = ?1 AND outcome IN ('ok', 'partial') ORDER BY id DESC LIMIT 1"),
        [cid],
        run_from,
    )
    .optional()
    .map_err(db_err)
}

/// The newest run of a connection that is not still running.
pub fn last_finished_run(conn: &Connection, cid: &str) -> Result<Option<SyncRun>> {
    conn.query_row(
        &format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs WHERE connection_id = ?1 AND outcome != 'running' ORDER BY id DESC LIMIT 1"
        ),
        [cid],
        run_from,
    )
    .optional()
    .map_err(db_err)
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cursor {
    /// The newest modification time applied (ISO-8601), for incremental fetches.
    pub modified_to: Option<String>,
    /// When the last run that completed this stream started.
    pub last_ok_start: Option<String>,
}

pub fn get_cursor(conn: &Connection, cid: &str, stream: &str) -> Result<Cursor> {
    Ok(conn
        .query_row(
            "SELECT modified_to, last_ok_start FROM sync_cursors WHERE connection_id = ?1 AND stream = ?2",
            params![cid, stream],
            |r| Ok(Cursor { modified_to: r.get(0)?, last_ok_start: r.get(1)? }),
        )
        .optional()
        .map_err(db_err)?
        .unwrap_or_default())
}

/// Advances a stream's cursor; called in the same transaction as the page it covers.
pub fn advance_cursor(conn: &Connection, cid: &str, stream: &str, modified_to: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO sync_cursors (connection_id, stream, modified_to) VALUES (?1, ?2, ?3)
         ON CONFLICT (connection_id, stream) DO UPDATE SET
            modified_to = max(coalesce(sync_cursors.modified_to, ''), excluded.modified_to)",
        params![cid, stream, modified_to],
    )
    .map_err(db_err)?;
    Ok(())
}

pub fn complete_cursor(conn: &Connection, cid: &str, stream: &str, run_started: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO sync_cursors (connection_id, stream, last_ok_start) VALUES (?1, ?2, ?3)
         ON CONFLICT (connection_id, stream) DO UPDATE SET last_ok_start = excluded.last_ok_start",
        params![cid, stream, run_started],
    )
    .map_err(db_err)?;
    Ok(())
}

/// Moves a stream's cursor back to `to` (never forward), so the next sync re-reads everything
/// modified since then; unlike a reset, the read stays incremental and its changes are logged.
pub fn rewind_cursor(conn: &Connection, cid: &str, stream: &str, to: &str) -> Result<()> {
    conn.execute(
        "UPDATE sync_cursors SET modified_to = ?3 WHERE connection_id = ?1 AND stream = ?2 AND modified_to > ?3",
        params![cid, stream, to],
    )
    .map_err(db_err)?;
    Ok(())
}

/// Forgets where one stream stands: the next sync reads it whole.
pub fn reset_cursor(conn: &Connection, cid: &str, stream: &str) -> Result<()> {
    conn.execute("DELETE FROM sync_cursors WHERE connection_id = ?1 AND stream = ?2", params![cid, stream])
        .map_err(db_err)?;
    Ok(())
}

pub fn reset_cursors(conn: &Connection, cid: &str) -> Result<()> {
    conn.execute("UPDATE sync_cursors SET modified_to = NULL WHERE connection_id = ?1", [cid])
        .map_err(db_err)?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Change {
    pub id: i64,
    pub run_id: i64,
    pub at: String,
    /// CS: band_changed, cta_opened, cta_closed, company_added, company_removed; PX:
    /// px_account_added, px_account_removed, px_health_changed.
    pub kind: String,
    /// The connection that recorded it (its name).
    pub connection: String,
    /// The CS company: for PX changes, the company the PX account is linked to.
    pub company_gsid: Option<String>,
    pub company_name: Option<String>,
    pub subject: Option<String>,
    pub detail: Option<String>,
}

/// One change-log entry, written in the transaction of the page that caused it.
pub struct NewChange<'a> {
    pub run_id: i64,
    pub at: &'a str,
    pub kind: &'a str,
    pub company: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub detail: Option<&'a str>,
}

pub fn add_change(conn: &Connection, cid: &str, c: &NewChange<'_>) -> Result<()> {
    conn.execute(
        "INSERT INTO changes (connection_id, run_id, at, kind, company_gsid, subject, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![cid, c.run_id, c.at, c.kind, c.company, c.subject, c.detail],
    )
    .map_err(db_err)?;
    Ok(())
}

/// Changes recorded by runs after `since_run` (all when `None`), newest first.
pub fn list_changes(conn: &Connection, since_run: Option<i64>, limit: i64) -> Result<Vec<Change>> {
    let mut stmt = conn
        .prepare(
            "SELECT ch.id, ch.run_id, ch.at, ch.kind, ch.company_gsid, c.name, ch.subject, ch.detail, cn.name
             FROM changes ch JOIN connections cn ON cn.id = ch.connection_id
             LEFT JOIN companies c ON c.connection_id = ch.connection_id AND c.gsid = ch.company_gsid
             WHERE ?1 IS NULL OR ch.run_id > ?1 ORDER BY ch.id DESC LIMIT ?2",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map(params![since_run, limit], |r| {
            Ok(Change {
                id: r.get(0)?,
                run_id: r.get(1)?,
                at: r.get(2)?,
                kind: r.get(3)?,
                connection: r.get(8)?,
                company_gsid: r.get(4)?,
                company_name: r.get(5)?,
                subject: r.get(6)?,
                detail: r.get(7)?,
            })
        })
        .map_err(db_err)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db_err)
}

pub fn set_next_sync(conn: &Connection, cid: &str, at: Option<&str>) -> Result<()> {
    conn.execute("UPDATE connections SET next_sync_at = ?2 WHERE id = ?1", params![cid, at])
        .map_err(db_err)?;
    Ok(())
}
