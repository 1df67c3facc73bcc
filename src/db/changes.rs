//! The change log: what each sync found moved (bands, CTAs opened and closed, accounts added and
//! removed, PX accounts and health).

use super::db_err;
use crate::error::Result;
use crate::model::{ChangeKind, SyncOutcome};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Change {
    pub id: i64,
    pub run_id: i64,
    pub at: String,
    pub kind: ChangeKind,
    /// The connection that recorded it (its name).
    pub connection: String,
    pub connection_id: String,
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
    pub kind: ChangeKind,
    pub company: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub detail: Option<&'a str>,
}

pub fn add_change(conn: &Connection, cid: &str, c: &NewChange<'_>) -> Result<()> {
    super::cached_execute(
        conn,
        "INSERT INTO changes (connection_id, run_id, at, kind, company_gsid, subject, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![cid, c.run_id, c.at, c.kind, c.company, c.subject, c.detail],
    )
    .map_err(db_err)?;
    Ok(())
}

const CHANGE_COLS: &str = "ch.id, ch.run_id, ch.at, ch.kind, ch.company_gsid, c.name, ch.subject, ch.detail, cn.name, ch.connection_id";
const CHANGE_FROM: &str = "FROM changes ch JOIN connections cn ON cn.id = ch.connection_id
     LEFT JOIN companies c ON c.connection_id = ch.connection_id AND c.gsid = ch.company_gsid";

fn change_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Change> {
    Ok(Change {
        id: r.get(0)?,
        run_id: r.get(1)?,
        at: r.get(2)?,
        kind: r.get(3)?,
        company_gsid: r.get(4)?,
        company_name: r.get(5)?,
        subject: r.get(6)?,
        detail: r.get(7)?,
        connection: r.get(8)?,
        connection_id: r.get(9)?,
    })
}

fn collect(conn: &Connection, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare(sql).map_err(db_err)?;
    let rows = stmt.query_map(args, change_from).map_err(db_err)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db_err)
}

/// Changes recorded by runs after `since_run` (all when `None`), newest first.
pub fn list_changes(conn: &Connection, since_run: Option<i64>, limit: i64) -> Result<Vec<Change>> {
    collect(
        conn,
        &format!(
            "SELECT {CHANGE_COLS} {CHANGE_FROM} WHERE ?1 IS NULL OR ch.run_id > ?1 ORDER BY ch.id DESC LIMIT ?2"
        ),
        &[&since_run, &limit],
    )
}

/// What the Changes screen asks for.
#[derive(Clone, Debug, Default, Deserialize, Serialize, TS, PartialEq)]
pub struct ChangeQuery {
    /// Changes recorded by this sync and every later one. None: since each connection's last
    /// sync that read through (ok or partial), so a failed run after it hides nothing.
    pub since_run: Option<i64>,
    pub connection_id: Option<String>,
    /// Only these kinds; empty for all.
    pub kinds: Vec<ChangeKind>,
    pub limit: i64,
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct ChangeList {
    /// How many changes match (the rows stop at the query's limit).
    pub matching: i64,
    pub rows: Vec<Change>,
}

const SINCE_LAST: &str =
    "coalesce((SELECT max(r.id) FROM sync_runs r WHERE r.connection_id = ch.connection_id
     AND r.outcome IN ('ok', 'partial')), 0)";

/// The change log under a [`ChangeQuery`], newest first.
pub fn query_changes(conn: &Connection, q: &ChangeQuery) -> Result<ChangeList> {
    let kinds: Vec<&str> = q.kinds.iter().map(|k| k.code()).collect();
    let kinds = serde_json::to_string(&kinds).unwrap_or_else(|_| "[]".into());
    let filter = format!(
        "WHERE ch.run_id >= coalesce(?1, {SINCE_LAST}) AND (?2 IS NULL OR ch.connection_id = ?2)
           AND (?3 = '[]' OR ch.kind IN (SELECT value FROM json_each(?3)))"
    );
    let matching: i64 = conn
        .query_row(
            &format!("SELECT count(*) FROM changes ch {filter}"),
            params![q.since_run, q.connection_id, kinds],
            |r| r.get(0),
        )
        .map_err(db_err)?;
    let limit = q.limit.clamp(1, 10_000);
    let rows = collect(
        conn,
        &format!("SELECT {CHANGE_COLS} {CHANGE_FROM} {filter} ORDER BY ch.id DESC LIMIT ?4"),
        &[&q.since_run, &q.connection_id, &kinds, &limit],
    )?;
    Ok(ChangeList { matching, rows })
}

/// A sync to list changes since, for the picker: when it ran and how many changes it recorded.
#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct ChangeRun {
    pub id: i64,
    pub connection_id: String,
    pub connection: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub outcome: SyncOutcome,
    pub changes: i64,
}

/// Every run, newest first (of one connection when given), with its change count.
pub fn change_runs(conn: &Connection, connection_id: Option<&str>, limit: i64) -> Result<Vec<ChangeRun>> {
    let mut stmt = conn
        .prepare(
            "SELECT r.id, r.connection_id, cn.name, r.started_at, r.finished_at, r.outcome,
                (SELECT count(*) FROM changes ch WHERE ch.connection_id = r.connection_id AND ch.run_id = r.id)
             FROM sync_runs r JOIN connections cn ON cn.id = r.connection_id
             WHERE ?1 IS NULL OR r.connection_id = ?1 ORDER BY r.id DESC LIMIT ?2",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map(params![connection_id, limit.clamp(1, 10_000)], |r| {
            Ok(ChangeRun {
                id: r.get(0)?,
                connection_id: r.get(1)?,
                connection: r.get(2)?,
                started_at: r.get(3)?,
                finished_at: r.get(4)?,
                outcome: r.get(5)?,
                changes: r.get(6)?,
            })
        })
        .map_err(db_err)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db_err)
}

/// What changed for one account: its band moves, CTAs opened and closed, and its PX account's
/// health moves, newest first.
pub fn account_changes(conn: &Connection, cid: &str, gsid: &str, limit: i64) -> Result<Vec<Change>> {
    collect(
        conn,
        &format!(
            "SELECT {CHANGE_COLS} {CHANGE_FROM}
             WHERE ch.company_gsid = ?2 AND (ch.connection_id = ?1 OR ch.kind = 'px_health_changed')
               AND ch.kind IN ('band_changed', 'cta_opened', 'cta_closed', 'px_health_changed')
             ORDER BY ch.at DESC, ch.id DESC LIMIT ?3"
        ),
        &[&cid, &gsid, &limit],
    )
}
