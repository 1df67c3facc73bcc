//! Per-stream cursors: how far the last applied page got (written in the page's transaction) and
//! when the last run that completed the stream started.

use super::db_err;
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};

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
    super::cached_execute(
        conn,
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
