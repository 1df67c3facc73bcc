//! PX tables. Entities carry a digest of what PX sent so a full reload writes only real changes.

use super::db_err;
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashSet;

pub struct PxAccountRow {
    pub id: String,
    pub name: String,
    pub gs_id: Option<String>,
    pub health_score: Option<f64>,
    pub nps: Option<f64>,
    pub users: Option<i64>,
    pub industry: Option<String>,
    pub plan: Option<String>,
    pub last_seen: Option<String>,
    pub digest: String,
}

pub struct PxUserRow {
    pub id: String,
    pub account_id: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub last_seen: Option<String>,
    pub visits: Option<i64>,
    pub digest: String,
}

pub struct PxFeatureRow {
    pub id: String,
    pub name: String,
    pub r#type: Option<String>,
    pub parent_id: Option<String>,
    pub digest: String,
}

fn unchanged(conn: &Connection, table: &str, cid: &str, id: &str, digest: &str) -> Result<bool> {
    let old: Option<String> = conn
        .query_row(
            &format!("SELECT digest FROM {table} WHERE connection_id = ?1 AND id = ?2"),
            params![cid, id],
            |r| r.get(0),
        )
        .optional()
        .map_err(db_err)?;
    Ok(old.as_deref() == Some(digest))
}

/// Whether the cache holds any PX account of the connection (none before its first sync).
pub fn has_accounts(conn: &Connection, cid: &str) -> Result<bool> {
    conn.query_row("SELECT EXISTS (SELECT 1 FROM px_accounts WHERE connection_id = ?1)", [cid], |r| r.get(0))
        .map_err(db_err)
}

/// The cached health score of an account: `None` when the account is not cached at all.
pub fn account_health(conn: &Connection, cid: &str, id: &str) -> Result<Option<Option<f64>>> {
    conn.query_row(
        "SELECT health_score FROM px_accounts WHERE connection_id = ?1 AND id = ?2",
        params![cid, id],
        |r| r.get(0),
    )
    .optional()
    .map_err(db_err)
}

/// Writes the account if it is new or changed; returns whether it wrote.
pub fn upsert_account(conn: &Connection, cid: &str, a: &PxAccountRow) -> Result<bool> {
    if unchanged(conn, "px_accounts", cid, &a.id, &a.digest)? {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO px_accounts (connection_id, id, name, gs_id, health_score, nps, users, industry, plan, last_seen, digest)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (connection_id, id) DO UPDATE SET name = excluded.name, gs_id = excluded.gs_id,
            health_score = excluded.health_score, nps = excluded.nps, users = excluded.users, industry = excluded.industry,
            plan = excluded.plan, last_seen = excluded.last_seen, digest = excluded.digest",
        params![cid, a.id, a.name, a.gs_id, a.health_score, a.nps, a.users, a.industry, a.plan, a.last_seen, a.digest],
    )
    .map_err(db_err)?;
    Ok(true)
}

pub fn upsert_user(conn: &Connection, cid: &str, u: &PxUserRow) -> Result<bool> {
    if unchanged(conn, "px_users", cid, &u.id, &u.digest)? {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO px_users (connection_id, id, account_id, email, name, last_seen, visits, digest)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (connection_id, id) DO UPDATE SET account_id = excluded.account_id, email = excluded.email,
            name = excluded.name, last_seen = excluded.last_seen, visits = excluded.visits, digest = excluded.digest",
        params![cid, u.id, u.account_id, u.email, u.name, u.last_seen, u.visits, u.digest],
    )
    .map_err(db_err)?;
    Ok(true)
}

pub fn upsert_feature(conn: &Connection, cid: &str, f: &PxFeatureRow) -> Result<bool> {
    if unchanged(conn, "px_features", cid, &f.id, &f.digest)? {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO px_features (connection_id, id, name, type, parent_id, digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (connection_id, id) DO UPDATE SET name = excluded.name, type = excluded.type,
            parent_id = excluded.parent_id, digest = excluded.digest",
        params![cid, f.id, f.name, f.r#type, f.parent_id, f.digest],
    )
    .map_err(db_err)?;
    Ok(true)
}

/// A row a full reload no longer had, as it was in the cache.
pub struct Removed {
    pub id: String,
    pub name: Option<String>,
    /// The linked CS company (accounts only).
    pub gs_id: Option<String>,
}

/// Deletes the rows of `table` whose ids were not in the latest full reload; returns them.
pub fn delete_unseen(
    conn: &Connection,
    table: &str,
    cid: &str,
    seen: &HashSet<String>,
) -> Result<Vec<Removed>> {
    let link = if table == "px_accounts" { "gs_id" } else { "NULL" };
    let mut stmt = conn
        .prepare(&format!("SELECT id, name, {link} FROM {table} WHERE connection_id = ?1"))
        .map_err(db_err)?;
    let rows = stmt
        .query_map([cid], |r| Ok(Removed { id: r.get(0)?, name: r.get(1)?, gs_id: r.get(2)? }))
        .map_err(db_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db_err)?;
    let mut removed = Vec::new();
    for row in rows.into_iter().filter(|r| !seen.contains(&r.id)) {
        conn.execute(
            &format!("DELETE FROM {table} WHERE connection_id = ?1 AND id = ?2"),
            params![cid, row.id],
        )
        .map_err(db_err)?;
        removed.push(row);
    }
    Ok(removed)
}

/// Replaces one day's usage with the counts computed from that day's events.
pub fn replace_usage_day(
    conn: &Connection,
    cid: &str,
    day: &str,
    rows: &[(String, String, i64, i64)],
) -> Result<()> {
    conn.execute("DELETE FROM px_feature_usage WHERE connection_id = ?1 AND day = ?2", params![cid, day])
        .map_err(db_err)?;
    for (account, feature, events, users) in rows {
        conn.execute(
            "INSERT INTO px_feature_usage (connection_id, account_id, feature_id, day, events, users)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![cid, account, feature, day, events, users],
        )
        .map_err(db_err)?;
    }
    Ok(())
}
