//! The `ctas` table: Calls to Action with their labels resolved.

use super::db_err;
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use ts_rs::TS;

#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
pub struct CtaRow {
    pub gsid: String,
    pub company_gsid: Option<String>,
    pub name: String,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub r#type: Option<String>,
    pub reason: Option<String>,
    pub owner_name: Option<String>,
    pub owner_email: Option<String>,
    pub due_date: Option<String>,
    pub is_closed: bool,
    pub closed_at: Option<String>,
    pub is_important: bool,
    pub created_at: Option<String>,
    pub modified_at: Option<String>,
}

/// Inserts or updates a CTA; returns whether it was closed before (`None` when new).
pub fn upsert(conn: &Connection, connection_id: &str, c: &CtaRow) -> Result<Option<bool>> {
    let was_closed: Option<bool> = super::cached_row(
        conn,
        "SELECT is_closed FROM ctas WHERE connection_id = ?1 AND gsid = ?2",
        params![connection_id, c.gsid],
        |r| r.get(0),
    )
    .optional()
    .map_err(db_err)?;
    super::cached_execute(conn,
        "INSERT INTO ctas (connection_id, gsid, company_gsid, name, status, priority, type, reason, owner_name,
            owner_email, due_date, is_closed, closed_at, is_important, created_at, modified_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT (connection_id, gsid) DO UPDATE SET
            company_gsid = excluded.company_gsid, name = excluded.name, status = excluded.status,
            priority = excluded.priority, type = excluded.type, reason = excluded.reason,
            owner_name = excluded.owner_name, owner_email = excluded.owner_email, due_date = excluded.due_date,
            is_closed = excluded.is_closed, closed_at = excluded.closed_at, is_important = excluded.is_important,
            created_at = excluded.created_at, modified_at = excluded.modified_at",
        params![
            connection_id, c.gsid, c.company_gsid, c.name, c.status, c.priority, c.r#type, c.reason, c.owner_name,
            c.owner_email, c.due_date, c.is_closed, c.closed_at, c.is_important, c.created_at, c.modified_at
        ],
    )
    .map_err(db_err)?;
    Ok(was_closed)
}

pub fn delete(conn: &Connection, connection_id: &str, gsid: &str) -> Result<bool> {
    let n = conn
        .execute("DELETE FROM ctas WHERE connection_id = ?1 AND gsid = ?2", params![connection_id, gsid])
        .map_err(db_err)?;
    Ok(n > 0)
}

pub fn all_ids(conn: &Connection, connection_id: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT gsid FROM ctas WHERE connection_id = ?1").map_err(db_err)?;
    let rows = stmt.query_map([connection_id], |r| r.get(0)).map_err(db_err)?;
    rows.collect::<rusqlite::Result<Vec<String>>>().map_err(db_err)
}
