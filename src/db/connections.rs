//! The `connections` table.

use super::db_err;
use crate::error::Result;
use crate::model::{AuthMode, ConnectionKind};
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionRow {
    pub id: String,
    pub kind: ConnectionKind,
    pub name: String,
    pub description: Option<String>,
    pub instance_url: String,
    pub auth_mode: AuthMode,
    pub client_id: Option<String>,
    pub key_hint: String,
    pub connected_by: String,
    pub connected_on: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub is_demo: bool,
    pub last_sync_at: Option<String>,
    pub next_sync_at: Option<String>,
    /// PX only: `us`, `eu` or `us2`; `None` for CS and for PX at an explicit base URL.
    pub region: Option<String>,
}

const COLUMNS: &str = "id, kind, name, description, instance_url, auth_mode, client_id, key_hint, connected_by, \
     connected_on, status, status_reason, is_demo, last_sync_at, next_sync_at, region";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ConnectionRow> {
    Ok(ConnectionRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        instance_url: r.get(4)?,
        auth_mode: r.get(5)?,
        client_id: r.get(6)?,
        key_hint: r.get(7)?,
        connected_by: r.get(8)?,
        connected_on: r.get(9)?,
        status: r.get(10)?,
        status_reason: r.get(11)?,
        is_demo: r.get(12)?,
        last_sync_at: r.get(13)?,
        next_sync_at: r.get(14)?,
        region: r.get(15)?,
    })
}

pub fn insert(conn: &Connection, c: &ConnectionRow) -> Result<()> {
    conn.execute(
        &format!("INSERT INTO connections ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"),
        params![
            c.id, c.kind, c.name, c.description, c.instance_url, c.auth_mode, c.client_id, c.key_hint,
            c.connected_by, c.connected_on, c.status, c.status_reason, c.is_demo, c.last_sync_at, c.next_sync_at,
            c.region
        ],
    )
    .map_err(db_err)?;
    Ok(())
}

pub fn list(conn: &Connection) -> Result<Vec<ConnectionRow>> {
    let mut stmt = conn
        .prepare(&format!("SELECT {COLUMNS} FROM connections ORDER BY connected_on, name"))
        .map_err(db_err)?;
    let rows = stmt.query_map([], from_row).map_err(db_err)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db_err)
}

/// By id, or by name (case-insensitive), so the CLI can take either.
pub fn get(conn: &Connection, id_or_name: &str) -> Result<Option<ConnectionRow>> {
    conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM connections WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1"
        ),
        [id_or_name],
        from_row,
    )
    .optional()
    .map_err(db_err)
}

pub fn name_taken(conn: &Connection, name: &str) -> Result<bool> {
    conn.query_row("SELECT EXISTS (SELECT 1 FROM connections WHERE name = ?1)", [name], |r| r.get(0))
        .map_err(db_err)
}

pub fn update_instance_url(conn: &Connection, id: &str, url: &str) -> Result<()> {
    conn.execute("UPDATE connections SET instance_url = ?2 WHERE id = ?1", params![id, url])
        .map_err(db_err)?;
    Ok(())
}

pub fn set_status(conn: &Connection, id: &str, status: &str, reason: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE connections SET status = ?2, status_reason = ?3 WHERE id = ?1",
        params![id, status, reason],
    )
    .map_err(db_err)?;
    Ok(())
}

/// After a rotation: the new key's mask, and the connection is usable again.
pub fn set_key_hint_connected(conn: &Connection, id: &str, key_hint: &str) -> Result<()> {
    conn.execute(
        "UPDATE connections SET key_hint = ?2, status = 'connected', status_reason = NULL WHERE id = ?1",
        params![id, key_hint],
    )
    .map_err(db_err)?;
    Ok(())
}

pub fn set_connected_by(conn: &Connection, id: &str, name: &str) -> Result<()> {
    conn.execute("UPDATE connections SET connected_by = ?2 WHERE id = ?1", params![id, name])
        .map_err(db_err)?;
    Ok(())
}

pub fn set_last_sync(conn: &Connection, id: &str, at: &str) -> Result<()> {
    conn.execute("UPDATE connections SET last_sync_at = ?2 WHERE id = ?1", params![id, at])
        .map_err(db_err)?;
    Ok(())
}

pub fn delete(conn: &Connection, id: &str) -> Result<()> {
    conn.execute("DELETE FROM connections WHERE id = ?1", [id]).map_err(db_err)?;
    Ok(())
}

pub fn set_next_sync(conn: &Connection, cid: &str, at: Option<&str>) -> Result<()> {
    conn.execute("UPDATE connections SET next_sync_at = ?2 WHERE id = ?1", params![cid, at])
        .map_err(db_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(id: &str, name: &str) -> ConnectionRow {
        ConnectionRow {
            id: id.into(),
            kind: ConnectionKind::Cs,
            name: name.into(),
            description: None,
            instance_url: "https://acme.gainsightcloud.com".into(),
            auth_mode: AuthMode::AccessKey,
            client_id: None,
            key_hint: "3f9a".into(),
            connected_by: "Ada Admin".into(),
            connected_on: "2026-11-22T10:00:00Z".into(),
            status: "connected".into(),
            status_reason: None,
            is_demo: false,
            last_sync_at: None,
            next_sync_at: None,
            region: None,
        }
    }

    #[test]
    fn insert_get_list_delete() {
        let conn = crate::db::open_in_memory().expect("db");
        insert(&conn, &sample("a", "Production")).expect("insert");
        assert_eq!(get(&conn, "a").expect("get").map(|c| c.name), Some("Production".into()));
        assert_eq!(get(&conn, "production").expect("by name").map(|c| c.id), Some("a".into()));
        assert!(name_taken(&conn, "PRODUCTION").expect("taken"), "names are unique without regard to case");
        assert!(insert(&conn, &sample("b", "production")).is_err(), "duplicate name must be refused");
        assert_eq!(list(&conn).expect("list").len(), 1);
        set_key_hint_connected(&conn, "a", "9z9z").expect("hint");
        set_connected_by(&conn, "a", "Grace").expect("by");
        let row = get(&conn, "a").expect("get").expect("row");
        assert_eq!((row.key_hint.as_str(), row.connected_by.as_str()), ("9z9z", "Grace"));
        let px = ConnectionRow { kind: ConnectionKind::Px, region: Some("eu".into()), ..sample("p", "PX") };
        insert(&conn, &px).expect("px insert");
        assert_eq!(get(&conn, "p").expect("get").and_then(|c| c.region), Some("eu".into()));
        let bad = ConnectionRow { region: Some("apac".into()), ..sample("q", "Q") };
        assert!(insert(&conn, &bad).is_err(), "only known regions are stored");
        delete(&conn, "a").expect("delete");
        assert!(get(&conn, "a").expect("get").is_none());
    }
}
