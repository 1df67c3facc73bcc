//! What Outpost found in the org: each object's described fields, and how each stream last ended.

use super::db_err;
use crate::error::{ErrorPayload, Result};
use crate::model::Stream;
use crate::model::shape::{FieldInfo, RoleMatch};
pub use crate::model::shape::{StreamOutcome, StreamResult};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use ts_rs::TS;

pub fn get_fields(conn: &Connection, cid: &str, object: &str) -> Result<Option<(String, Vec<FieldInfo>)>> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT described_at, fields FROM object_fields WHERE connection_id = ?1 AND object = ?2",
            params![cid, object],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(db_err)?;
    Ok(row.map(|(at, json)| (at, serde_json::from_str(&json).unwrap_or_default())))
}

pub fn put_fields(conn: &Connection, cid: &str, object: &str, at: &str, fields: &[FieldInfo]) -> Result<()> {
    let json = serde_json::to_string(fields).unwrap_or_else(|_| "[]".into());
    conn.execute(
        "INSERT INTO object_fields (connection_id, object, described_at, fields) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (connection_id, object) DO UPDATE SET described_at = excluded.described_at,
            fields = excluded.fields",
        params![cid, object, at, json],
    )
    .map_err(db_err)?;
    Ok(())
}

/// A stream's last outcome, as the org report shows it.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct StreamStatus {
    pub stream: Stream,
    pub object: Option<String>,
    pub run_id: i64,
    pub at: String,
    pub outcome: StreamResult,
    pub records: u64,
    pub error: Option<ErrorPayload>,
    pub notices: Vec<String>,
    pub roles: Vec<RoleMatch>,
}

pub fn put_status(
    conn: &Connection,
    cid: &str,
    run_id: i64,
    at: &str,
    o: &StreamOutcome,
    roles: &[RoleMatch],
) -> Result<()> {
    let notices = serde_json::to_string(&o.notices).unwrap_or_else(|_| "[]".into());
    let roles = serde_json::to_string(roles).unwrap_or_else(|_| "[]".into());
    let e = o.error.as_ref();
    conn.execute(
        "INSERT INTO stream_status (connection_id, stream, object, run_id, at, outcome, records, error_kind,
            error_message, error_hint, notices, roles)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (connection_id, stream) DO UPDATE SET object = excluded.object, run_id = excluded.run_id,
            at = excluded.at, outcome = excluded.outcome, records = excluded.records,
            error_kind = excluded.error_kind, error_message = excluded.error_message,
            error_hint = excluded.error_hint, notices = excluded.notices,
            roles = CASE WHEN excluded.roles = '[]' THEN stream_status.roles ELSE excluded.roles END",
        params![
            cid,
            o.stream,
            o.object,
            run_id,
            at,
            o.outcome.name(),
            o.records as i64,
            e.map(|e| e.kind.name()),
            e.map(|e| e.message.as_str()),
            e.and_then(|e| e.hint.as_deref()),
            notices,
            roles
        ],
    )
    .map_err(db_err)?;
    Ok(())
}

pub fn list_status(conn: &Connection, cid: &str) -> Result<Vec<StreamStatus>> {
    let mut stmt = conn
        .prepare(
            "SELECT stream, object, run_id, at, outcome, records, error_kind, error_message, error_hint, notices, roles
             FROM stream_status WHERE connection_id = ?1",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map([cid], |r| {
            let kind: Option<String> = r.get(6)?;
            let error = kind.map(|k| ErrorPayload {
                kind: crate::error::ErrorKind::parse(&k),
                message: r.get::<_, Option<String>>(7).ok().flatten().unwrap_or_default(),
                hint: r.get::<_, Option<String>>(8).ok().flatten(),
            });
            let notices: String = r.get(9)?;
            let roles: String = r.get(10)?;
            Ok(StreamStatus {
                stream: r.get(0)?,
                object: r.get(1)?,
                run_id: r.get(2)?,
                at: r.get(3)?,
                outcome: StreamResult::parse(&r.get::<_, String>(4)?),
                records: r.get::<_, i64>(5)?.max(0) as u64,
                error,
                notices: serde_json::from_str(&notices).unwrap_or_default(),
                roles: serde_json::from_str(&roles).unwrap_or_default(),
            })
        })
        .map_err(db_err)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db_err)
}
