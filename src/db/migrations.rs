//! Embedded, numbered, append-only migrations. A shipped migration is never edited: add a new one.
//! The schema version lives in SQLite's `user_version`, so an older binary can see that a database
//! is ahead of it and refuse to touch it.

use rusqlite_migration::{M, Migrations};

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        // 1: connections. Secrets are not here: only the last four characters of a key, for its mask.
        M::up(
            "CREATE TABLE connections (
                id            TEXT PRIMARY KEY,
                kind          TEXT NOT NULL CHECK (kind IN ('cs', 'px')),
                name          TEXT NOT NULL COLLATE NOCASE UNIQUE,
                description   TEXT,
                instance_url  TEXT NOT NULL,
                auth_mode     TEXT NOT NULL,
                client_id     TEXT,
                key_hint      TEXT NOT NULL DEFAULT '',
                connected_by  TEXT NOT NULL,
                connected_on  TEXT NOT NULL,
                status        TEXT NOT NULL DEFAULT 'connected',
                status_reason TEXT,
                is_demo       INTEGER NOT NULL DEFAULT 0,
                last_sync_at  TEXT,
                next_sync_at  TEXT
            ) STRICT;",
        ),
        // 2: the cache of the org's account health, and the sync's own bookkeeping.
        M::up(include_str!("migrations/002_cache.sql")),
        // 3: the PX data centre of a PX connection (NULL for CS, and for PX at an explicit URL).
        M::up("ALTER TABLE connections ADD COLUMN region TEXT CHECK (region IN ('us', 'eu', 'us2'));"),
        // 4: Gainsight PX accounts, users, features and daily feature usage.
        M::up(include_str!("migrations/004_px.sql")),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok(), "every migration must apply cleanly to an empty database");
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("outpost.db");
        {
            let conn = crate::db::open(&path).expect("first open");
            conn.pragma_update(None, "user_version", 999).expect("pretend a newer binary wrote it");
        }
        let err = crate::db::open(&path).expect_err("an old binary must refuse a newer database");
        assert_eq!(err.kind, crate::error::ErrorKind::Database);
        assert!(err.message.contains("newer version"), "{}", err.message);
    }
}
