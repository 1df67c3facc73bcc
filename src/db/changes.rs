//! The change log: what each sync found moved (bands, CTAs opened and closed, accounts added and
//! removed, PX accounts and health).

use super::db_err;
use crate::error::Result;
use crate::model::ChangeKind;
use rusqlite::{Connection, params};
use serde::Serialize;
use ts_rs::TS;

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Change {
    pub id: i64,
    pub run_id: i64,
    pub at: String,
    pub kind: ChangeKind,
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
    pub kind: ChangeKind,
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
