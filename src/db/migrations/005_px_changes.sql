-- PX changes join the change log: a PX account added or removed, and its health score moving.
-- SQLite cannot alter a CHECK constraint, so the table is rebuilt with its rows and index.
CREATE TABLE changes_v5 (
    id            INTEGER PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    run_id        INTEGER NOT NULL,
    at            TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('band_changed', 'cta_opened', 'cta_closed', 'company_added',
                                               'company_removed', 'px_account_added', 'px_account_removed',
                                               'px_health_changed')),
    company_gsid  TEXT,
    subject       TEXT,
    detail        TEXT
) STRICT;
INSERT INTO changes_v5 (id, connection_id, run_id, at, kind, company_gsid, subject, detail)
    SELECT id, connection_id, run_id, at, kind, company_gsid, subject, detail FROM changes;
DROP TABLE changes;
ALTER TABLE changes_v5 RENAME TO changes;
CREATE INDEX changes_by_run ON changes (connection_id, run_id);
