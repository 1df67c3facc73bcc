//! The `companies` table: the accounts an admin browses.

use super::db_err;
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use ts_rs::TS;

#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
pub struct CompanyRow {
    pub gsid: String,
    pub name: String,
    pub industry: Option<String>,
    pub arr: Option<f64>,
    pub mrr: Option<f64>,
    /// `yyyy-MM-dd`
    pub renewal_date: Option<String>,
    pub stage: Option<String>,
    pub status: Option<String>,
    pub csm_name: Option<String>,
    pub csm_email: Option<String>,
    pub managed_as: Option<String>,
    pub employees: Option<i64>,
    pub score: Option<f64>,
    pub score_label: Option<String>,
    pub score_color: Option<String>,
    /// Mapped custom fields, as a JSON object of field name to value.
    pub custom: String,
    pub created_at: Option<String>,
    pub modified_at: Option<String>,
}

/// Inserts or updates one company; returns its previous health band label (`Some(None)` when it
/// existed without a band, `None` when it is new).
pub fn upsert(conn: &Connection, connection_id: &str, c: &CompanyRow) -> Result<Option<Option<String>>> {
    let previous: Option<Option<String>> = super::cached_row(
        conn,
        "SELECT score_label FROM companies WHERE connection_id = ?1 AND gsid = ?2",
        params![connection_id, c.gsid],
        |r| r.get(0),
    )
    .optional()
    .map_err(db_err)?;
    super::cached_execute(conn,
        "INSERT INTO companies (connection_id, gsid, name, industry, arr, mrr, renewal_date, stage, status, csm_name,
            csm_email, managed_as, employees, score, score_label, score_color, custom, created_at, modified_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
         ON CONFLICT (connection_id, gsid) DO UPDATE SET
            name = excluded.name, industry = excluded.industry, arr = excluded.arr, mrr = excluded.mrr,
            renewal_date = excluded.renewal_date, stage = excluded.stage, status = excluded.status,
            csm_name = excluded.csm_name, csm_email = excluded.csm_email, managed_as = excluded.managed_as,
            employees = excluded.employees, score = excluded.score, score_label = excluded.score_label,
            score_color = excluded.score_color, custom = excluded.custom, created_at = excluded.created_at,
            modified_at = excluded.modified_at",
        params![
            connection_id, c.gsid, c.name, c.industry, c.arr, c.mrr, c.renewal_date, c.stage, c.status, c.csm_name,
            c.csm_email, c.managed_as, c.employees, c.score, c.score_label, c.score_color, c.custom, c.created_at,
            c.modified_at
        ],
    )
    .map_err(db_err)?;
    Ok(previous)
}

/// Removes a company and everything cached under it; returns its name if it was there.
pub fn delete(conn: &Connection, connection_id: &str, gsid: &str) -> Result<Option<String>> {
    let name: Option<String> = conn
        .query_row(
            "SELECT name FROM companies WHERE connection_id = ?1 AND gsid = ?2",
            params![connection_id, gsid],
            |r| r.get(0),
        )
        .optional()
        .map_err(db_err)?;
    for table in ["companies", "measure_scores", "score_history", "usage_weekly"] {
        let key = if table == "companies" { "gsid" } else { "company_gsid" };
        super::cached_execute(
            conn,
            &format!("DELETE FROM {table} WHERE connection_id = ?1 AND {key} = ?2"),
            params![connection_id, gsid],
        )
        .map_err(db_err)?;
    }
    Ok(name)
}

pub fn all_ids(conn: &Connection, connection_id: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT gsid FROM companies WHERE connection_id = ?1").map_err(db_err)?;
    let rows = stmt.query_map([connection_id], |r| r.get(0)).map_err(db_err)?;
    rows.collect::<rusqlite::Result<Vec<String>>>().map_err(db_err)
}
