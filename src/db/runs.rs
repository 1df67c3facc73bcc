//! Sync runs: one row per run, with its outcome, counts, calls, error and each stream's outcome.

use super::db_err;
use crate::error::Result;
use crate::model::SyncOutcome;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct SyncRun {
    pub id: i64,
    pub connection_id: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// running, ok (complete), partial (some streams failed or were skipped), failed (nothing could
    /// be read), cancelled or interrupted (the process stopped mid-sync).
    pub outcome: SyncOutcome,
    pub full: bool,
    /// Records applied per stream.
    pub counts: BTreeMap<String, u64>,
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
    pub outcome: SyncOutcome,
    pub counts: &'a BTreeMap<String, u64>,
    pub calls: i64,
    pub error_kind: Option<&'a str>,
    pub error_message: Option<&'a str>,
    pub streams: &'a [crate::db::org::StreamOutcome],
    pub notices: &'a [String],
}

pub fn finish_run(conn: &Connection, id: i64, e: &RunEnd<'_>) -> Result<()> {
    let streams = serde_json::to_string(e.streams).unwrap_or_else(|_| "[]".into());
    let counts = serde_json::to_string(e.counts).unwrap_or_else(|_| "{}".into());
    let notices = serde_json::to_string(e.notices).unwrap_or_else(|_| "[]".into());
    conn.execute(
        "UPDATE sync_runs SET finished_at = ?2, outcome = ?3, counts = ?4, calls = ?5, error_kind = ?6, error_message = ?7,
            streams = ?8, notices = ?9
         WHERE id = ?1",
        params![id, e.finished_at, e.outcome, counts, e.calls, e.error_kind, e.error_message, streams, notices],
    )
    .map_err(db_err)?;
    Ok(())
}

/// Adds `n` records of `stream` to a running run's counts, inside the transaction that commits
/// them: a run that fails, is cancelled or is killed later still says what it brought in.
pub fn add_committed(conn: &Connection, run_id: i64, stream: &str, n: u64) -> Result<()> {
    super::cached_execute(conn,
        "UPDATE sync_runs SET counts = json_set(counts, '$.' || ?2, coalesce(json_extract(counts, '$.' || ?2), 0) + ?3)
         WHERE id = ?1",
        params![run_id, stream, n as i64],
    )
    .map_err(db_err)?;
    Ok(())
}

/// The records a run has committed so far, per stream (see [`add_committed`]).
pub fn committed(conn: &Connection, run_id: i64) -> Result<BTreeMap<String, u64>> {
    let counts: Option<String> = conn
        .query_row("SELECT counts FROM sync_runs WHERE id = ?1", [run_id], |r| r.get(0))
        .optional()
        .map_err(db_err)?;
    Ok(counts.and_then(|c| serde_json::from_str(&c).ok()).unwrap_or_default())
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
        counts: serde_json::from_str(&r.get::<_, String>(6)?).unwrap_or_default(),
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
