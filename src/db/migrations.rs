//! Embedded, numbered, append-only migrations. A shipped migration is never edited: add a new one.
//! The schema version lives in SQLite's `user_version`, so an older binary can see that a database
//! is ahead of it and refuse to touch it.

use rusqlite_migration::{M, Migrations};

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        // 1: connections. Secrets are not here: only the last four characters of a key, for its mask.
        M::up(include_str!("migrations/001_connections.sql")),
        // 2: the cache of the org's account health, and the sync's own bookkeeping.
        M::up(include_str!("migrations/002_cache.sql")),
        // 3: the PX data centre of a PX connection (NULL for CS, and for PX at an explicit URL).
        M::up(include_str!("migrations/003_px_region.sql")),
        // 4: Gainsight PX accounts, users, features and daily feature usage.
        M::up(include_str!("migrations/004_px.sql")),
        // 5: PX account changes (added, removed, health score moved) in the change log.
        M::up(include_str!("migrations/005_px_changes.sql")),
        // 6: scorecards (from the scorecard fact rows' ScorecardId lookup), which measures belong to.
        M::up(include_str!("migrations/006_scorecards.sql")),
        // 7: the org's shape (described fields, each stream's last outcome), field roles, partial runs.
        M::up(include_str!("migrations/007_org_shape.sql")),
        // 8: insight settings (alert thresholds, the PX link field) and the health alerts.
        M::up(include_str!("migrations/008_insights.sql")),
        // 9: picklist item labels, so ids in the cache are shown and filtered by their labels.
        M::up(include_str!("migrations/009_picklists.sql")),
        M::up(include_str!("migrations/010_cta_browse.sql")),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok(), "every migration must apply cleanly to an empty database");
    }

    /// A database written by the previous schema keeps its change log through the rebuild of
    /// `changes` in migration 5, and takes the new PX kinds afterwards.
    #[test]
    fn the_change_log_survives_migration_5() {
        let mut conn = rusqlite::Connection::open_in_memory().expect("memory db");
        migrations().to_version(&mut conn, 4).expect("schema 4");
        conn.execute_batch(
            "INSERT INTO connections (id, kind, name, instance_url, auth_mode, connected_by, connected_on)
                 VALUES ('c1', 'cs', 'Prod', 'https://acme.gainsightcloud.com', 'access_key', 'Ada', '2026-01-01');
             INSERT INTO changes (connection_id, run_id, at, kind, company_gsid, subject, detail)
                 VALUES ('c1', 3, '2026-01-02', 'band_changed', '1P02X', 'Acme', '{}');",
        )
        .expect("rows at schema 4");
        assert!(
            conn.execute(
                "INSERT INTO changes (connection_id, run_id, at, kind) VALUES ('c1', 4, 'now', 'px_account_added')",
                [],
            )
            .is_err(),
            "schema 4 does not know the PX kinds"
        );
        migrations().to_latest(&mut conn).expect("latest");
        let kept: (i64, String, String) = conn
            .query_row("SELECT run_id, kind, subject FROM changes", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .expect("the old row");
        assert_eq!(kept, (3, "band_changed".into(), "Acme".into()));
        conn.execute(
            "INSERT INTO changes (connection_id, run_id, at, kind) VALUES ('c1', 4, 'now', 'px_account_added')",
            [],
        )
        .expect("schema 5 takes the PX kinds");
        let plan: String = conn
            .query_row(
                "EXPLAIN QUERY PLAN SELECT * FROM changes WHERE connection_id = 'c1' AND run_id > 1",
                [],
                |r| r.get(3),
            )
            .expect("plan");
        assert!(plan.contains("changes_by_run"), "the index is back: {plan}");
    }

    /// The run history survives the rebuild of `sync_runs` in migration 7, which then takes
    /// partial runs and their per-stream outcomes.
    #[test]
    fn the_run_history_survives_migration_7() {
        let mut conn = rusqlite::Connection::open_in_memory().expect("memory db");
        migrations().to_version(&mut conn, 6).expect("schema 6");
        conn.execute_batch(
            "INSERT INTO connections (id, kind, name, instance_url, auth_mode, connected_by, connected_on)
                 VALUES ('c1', 'cs', 'Prod', 'https://acme.gainsightcloud.com', 'access_key', 'Ada', '2026-01-01');
             INSERT INTO sync_runs (id, connection_id, started_at, outcome, counts, calls)
                 VALUES (7, 'c1', '2026-01-02T00:00:00.000Z', 'ok', '{\"companies\":3}', 4);",
        )
        .expect("a run at schema 6");
        assert!(
            conn.execute("UPDATE sync_runs SET outcome = 'partial' WHERE id = 7", []).is_err(),
            "schema 6 knows no partial runs"
        );
        migrations().to_latest(&mut conn).expect("latest");
        let kept: (i64, String, String, i64, String) = conn
            .query_row("SELECT id, outcome, counts, calls, streams FROM sync_runs", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .expect("the old run");
        assert_eq!(kept, (7, "ok".into(), "{\"companies\":3}".into(), 4, "[]".into()));
        conn.execute("UPDATE sync_runs SET outcome = 'partial' WHERE id = 7", [])
            .expect("schema 7 takes partial runs");
        let plan: String = conn
            .query_row(
                "EXPLAIN QUERY PLAN SELECT * FROM sync_runs WHERE connection_id = 'c1' ORDER BY id",
                [],
                |r| r.get(3),
            )
            .expect("plan");
        assert!(plan.contains("sync_runs_by_connection"), "the index is back: {plan}");
    }

    /// Migration 8 keeps one open alert per account and kind; a resolved one leaves room for the next.
    #[test]
    fn an_alert_is_open_once_per_account_and_kind() {
        let conn = crate::db::open_in_memory().expect("db");
        conn.execute_batch(
            "INSERT INTO connections (id, kind, name, instance_url, auth_mode, connected_by, connected_on)
                 VALUES ('c1', 'cs', 'Prod', 'https://acme.gainsightcloud.com', 'access_key', 'Ada', '2026-01-01');",
        )
        .expect("connection");
        let open = |kind: &str| {
            conn.execute(
                "INSERT INTO alerts (connection_id, company_gsid, company_name, kind, detail, opened_at)
                 VALUES ('c1', 'G1', 'Acme', ?1, 'x', 'now')",
                [kind],
            )
        };
        open("declining").expect("the first");
        assert!(open("declining").is_err(), "a second open alert of the same kind");
        open("usage_down").expect("another kind");
        assert!(open("mood").is_err(), "an unknown kind");
        conn.execute("UPDATE alerts SET resolved_at = 'later' WHERE kind = 'declining'", [])
            .expect("resolve");
        open("declining").expect("after it resolved, a new one");
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
