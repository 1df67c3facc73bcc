//! The local SQLite database: opened one way everywhere, migrated at start.

pub mod account_page;
pub mod browse;
pub mod changes;
pub mod companies;
pub mod connections;
pub mod cta_page;
pub mod ctas;
pub mod cursors;
mod migrations;
pub mod org;
pub mod px;
pub mod runs;
pub mod scores;
pub mod settings;

use crate::error::{Error, ErrorKind, Result};
use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;

pub use migrations::migrations;

/// Opens (creating if needed) and migrates the database at `path`.
pub fn open(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open(path).map_err(db_err)?;
    configure(&conn)?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// An in-memory database with the full schema, for unit tests.
pub fn open_in_memory() -> Result<Connection> {
    let mut conn = Connection::open_in_memory().map_err(db_err)?;
    configure(&conn)?;
    migrate(&mut conn)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<()> {
    // WAL: the UI and CLI read while a sync writes, without blocking each other.
    conn.pragma_update(None, "journal_mode", "WAL").map_err(db_err)?;
    // NORMAL is durable at every checkpoint in WAL mode and much faster than FULL per page.
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(db_err)?;
    // SQLite leaves foreign keys off unless asked, per connection.
    conn.pragma_update(None, "foreign_keys", "ON").map_err(db_err)?;
    // A second process (CLI beside the app) waits for a write lock instead of failing at once.
    conn.busy_timeout(Duration::from_secs(10)).map_err(db_err)?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    migrations().to_latest(conn).map_err(|e| match e {
        rusqlite_migration::Error::MigrationDefinition(
            rusqlite_migration::MigrationDefinitionError::DatabaseTooFarAhead,
        ) => Error::new(
            ErrorKind::Database,
            "This database was written by a newer version of Outpost; this version will not change it.",
        )
        .with_hint("Install the newer Outpost again, or point --data-dir at another folder."),
        other => Error::new(ErrorKind::Database, format!("Could not prepare the local database: {other}.")),
    })
}

pub(crate) fn db_err(e: rusqlite::Error) -> Error {
    Error::new(ErrorKind::Database, format!("Local database error: {e}."))
}
