-- What Outpost found in the org, and how each stream last ended.

-- Each object's fields as describe last reported them, so a stream selects only what the org has.
CREATE TABLE object_fields (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    object        TEXT NOT NULL COLLATE NOCASE,
    described_at  TEXT NOT NULL,
    -- JSON: [{name, label, data_type, lookup_to}]
    fields        TEXT NOT NULL,
    PRIMARY KEY (connection_id, object)
) STRICT;

-- The last outcome of each stream, with the fields its read used: the org report reads it.
CREATE TABLE stream_status (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    stream        TEXT NOT NULL,
    object        TEXT,
    run_id        INTEGER NOT NULL,
    at            TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'skipped', 'not_set_up', 'cancelled')),
    records       INTEGER NOT NULL DEFAULT 0,
    error_kind    TEXT,
    error_message TEXT,
    error_hint    TEXT,
    notices       TEXT NOT NULL DEFAULT '[]',
    roles         TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (connection_id, stream)
) STRICT;

-- The admin's choice of field per role, per stream: {"companies": {"arr": "Arr__gc"}}.
ALTER TABLE sync_settings ADD COLUMN field_roles TEXT NOT NULL DEFAULT '{}';

-- Runs can be partial (some streams written, others failed or skipped) and keep each stream's
-- outcome and the run's notices. SQLite cannot alter a CHECK constraint: the table is rebuilt.
CREATE TABLE sync_runs_v7 (
    id            INTEGER PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    outcome       TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'partial', 'failed', 'cancelled', 'interrupted')),
    full          INTEGER NOT NULL DEFAULT 0,
    counts        TEXT NOT NULL DEFAULT '{}',
    calls         INTEGER NOT NULL DEFAULT 0,
    error_kind    TEXT,
    error_message TEXT,
    streams       TEXT NOT NULL DEFAULT '[]',
    notices       TEXT NOT NULL DEFAULT '[]'
) STRICT;
INSERT INTO sync_runs_v7 (id, connection_id, started_at, finished_at, outcome, full, counts, calls, error_kind,
                          error_message)
    SELECT id, connection_id, started_at, finished_at, outcome, full, counts, calls, error_kind, error_message
    FROM sync_runs;
DROP TABLE sync_runs;
ALTER TABLE sync_runs_v7 RENAME TO sync_runs;
CREATE INDEX sync_runs_by_connection ON sync_runs (connection_id, id);
