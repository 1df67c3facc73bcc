//! Insight tables: the key/value settings and the health alerts.

use super::browse::collect;
use super::db_err;
use crate::error::Result;
use crate::model::{AlertKind, AlertState};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use ts_rs::TS;

/// The stored value of an insight setting; `None` when it has its default.
pub fn get_setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    conn.query_row("SELECT value FROM insight_settings WHERE key = ?1", [key], |r| r.get(0))
        .optional()
        .map_err(db_err)
}

pub fn put_setting(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO insight_settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )
    .map_err(db_err)?;
    Ok(())
}

/// A health alert as the Attention view and `outpost alerts` list it.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct HealthAlert {
    pub id: i64,
    pub connection_id: String,
    pub company_gsid: String,
    pub company_name: String,
    pub kind: AlertKind,
    /// What moved, in a short phrase ("Good → Poor", "usage −38% in 30 days").
    pub detail: String,
    pub state: AlertState,
    /// The sync run that raised it.
    pub run_id: Option<i64>,
    pub opened_at: String,
    pub dismissed_at: Option<String>,
    pub resolved_at: Option<String>,
}

const ALERT_COLS: &str = "id, connection_id, company_gsid, company_name, kind, detail, run_id, opened_at, dismissed_at, resolved_at";

fn alert_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<HealthAlert> {
    let dismissed_at: Option<String> = r.get(8)?;
    let resolved_at: Option<String> = r.get(9)?;
    let state = match (&resolved_at, &dismissed_at) {
        (Some(_), _) => AlertState::Resolved,
        (None, Some(_)) => AlertState::Dismissed,
        (None, None) => AlertState::Open,
    };
    Ok(HealthAlert {
        id: r.get(0)?,
        connection_id: r.get(1)?,
        company_gsid: r.get(2)?,
        company_name: r.get(3)?,
        kind: r.get(4)?,
        detail: r.get(5)?,
        state,
        run_id: r.get(6)?,
        opened_at: r.get(7)?,
        dismissed_at,
        resolved_at,
    })
}

/// Open alerts not dismissed, newest first; with `all`, every alert ever raised.
pub fn list_alerts(conn: &Connection, all: bool) -> Result<Vec<HealthAlert>> {
    let filter = if all { "1 = 1" } else { "resolved_at IS NULL AND dismissed_at IS NULL" };
    collect(
        conn,
        &format!("SELECT {ALERT_COLS} FROM alerts WHERE {filter} ORDER BY id DESC"),
        &[],
        alert_from,
    )
}

pub fn get_alert(conn: &Connection, id: i64) -> Result<Option<HealthAlert>> {
    conn.query_row(&format!("SELECT {ALERT_COLS} FROM alerts WHERE id = ?1"), [id], alert_from)
        .optional()
        .map_err(db_err)
}

/// Every open alert (dismissed ones included): (id, connection, company, kind).
pub fn open_alerts(conn: &Connection) -> Result<Vec<(i64, String, String, AlertKind)>> {
    collect(
        conn,
        "SELECT id, connection_id, company_gsid, kind FROM alerts WHERE resolved_at IS NULL",
        &[],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
}

/// An alert to open.
pub struct NewAlert<'a> {
    pub connection_id: &'a str,
    pub company_gsid: &'a str,
    pub company_name: &'a str,
    pub kind: AlertKind,
    pub detail: &'a str,
    pub run_id: Option<i64>,
    pub at: &'a str,
}

/// Opens the alert, unless one of its account and kind is open already; returns whether it was added.
pub fn open_alert(conn: &Connection, a: &NewAlert<'_>) -> Result<bool> {
    let n = conn
        .execute(
            "INSERT INTO alerts (connection_id, company_gsid, company_name, kind, detail, run_id, opened_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (connection_id, company_gsid, kind) WHERE resolved_at IS NULL DO NOTHING",
            params![a.connection_id, a.company_gsid, a.company_name, a.kind, a.detail, a.run_id, a.at],
        )
        .map_err(db_err)?;
    Ok(n == 1)
}

pub fn resolve_alert(conn: &Connection, id: i64, at: &str) -> Result<()> {
    conn.execute("UPDATE alerts SET resolved_at = ?2 WHERE id = ?1 AND resolved_at IS NULL", params![id, at])
        .map_err(db_err)?;
    Ok(())
}

/// Marks an alert dismissed (once); returns whether the alert exists.
pub fn dismiss_alert(conn: &Connection, id: i64, at: &str) -> Result<bool> {
    conn.execute("UPDATE alerts SET dismissed_at = coalesce(dismissed_at, ?2) WHERE id = ?1", params![id, at])
        .map(|n| n == 1)
        .map_err(db_err)
}
