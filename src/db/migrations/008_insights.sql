-- Insights: the thresholds the admin sets, and the health alerts each sync raises.

-- Key/value settings of the insights (thresholds, the CS field PX accounts link by); a key not
-- here has its default.
CREATE TABLE insight_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- A notable move of an account's health. Open while its condition holds (resolved_at NULL);
-- dismissing hides it without closing it, so it is not raised again until it resolves.
CREATE TABLE alerts (
    id            INTEGER PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    company_gsid  TEXT NOT NULL,
    company_name  TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('band_dropped', 'declining', 'usage_down', 'renewal_poor')),
    detail        TEXT NOT NULL,
    run_id        INTEGER,
    opened_at     TEXT NOT NULL,
    dismissed_at  TEXT,
    resolved_at   TEXT
) STRICT;
-- One open alert per account and kind.
CREATE UNIQUE INDEX alerts_open_once ON alerts (connection_id, company_gsid, kind) WHERE resolved_at IS NULL;
