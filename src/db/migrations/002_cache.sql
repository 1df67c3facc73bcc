-- Every cached row belongs to a connection; disconnecting with purge deletes them by cascade.
-- Dates are ISO-8601 text in UTC (yyyy-MM-dd for dates, with time and Z for instants).

CREATE TABLE companies (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    gsid          TEXT NOT NULL,
    name          TEXT NOT NULL,
    industry      TEXT,
    arr           REAL,
    mrr           REAL,
    renewal_date  TEXT,
    stage         TEXT,
    status        TEXT,
    csm_name      TEXT,
    csm_email     TEXT,
    managed_as    TEXT,
    employees     INTEGER,
    score         REAL,
    score_label   TEXT,
    score_color   TEXT,
    custom        TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT,
    modified_at   TEXT,
    PRIMARY KEY (connection_id, gsid)
) STRICT;
CREATE INDEX companies_by_score ON companies (connection_id, score);
CREATE INDEX companies_by_arr ON companies (connection_id, arr);
CREATE INDEX companies_by_renewal ON companies (connection_id, renewal_date);
CREATE INDEX companies_by_name ON companies (connection_id, name COLLATE NOCASE);

CREATE TABLE ctas (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    gsid          TEXT NOT NULL,
    company_gsid  TEXT,
    name          TEXT NOT NULL,
    status        TEXT,
    priority      TEXT,
    type          TEXT,
    reason        TEXT,
    owner_name    TEXT,
    owner_email   TEXT,
    due_date      TEXT,
    is_closed     INTEGER NOT NULL DEFAULT 0,
    closed_at     TEXT,
    is_important  INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT,
    modified_at   TEXT,
    PRIMARY KEY (connection_id, gsid)
) STRICT;
CREATE INDEX ctas_by_company ON ctas (connection_id, company_gsid, is_closed, due_date);
CREATE INDEX ctas_open_by_due ON ctas (connection_id, is_closed, due_date);

CREATE TABLE score_bands (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    gsid          TEXT NOT NULL,
    name          TEXT NOT NULL,
    score         REAL,
    color         TEXT,
    PRIMARY KEY (connection_id, gsid)
) STRICT;

CREATE TABLE measures (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    gsid          TEXT NOT NULL,
    scorecard     TEXT,
    name          TEXT NOT NULL,
    is_overall    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (connection_id, gsid)
) STRICT;

CREATE TABLE measure_scores (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    gsid          TEXT NOT NULL,
    company_gsid  TEXT NOT NULL,
    measure_gsid  TEXT NOT NULL,
    measure_name  TEXT,
    score         REAL,
    label         TEXT,
    color         TEXT,
    prev_score    REAL,
    trend         TEXT,
    modified_at   TEXT,
    PRIMARY KEY (connection_id, gsid)
) STRICT;
CREATE INDEX measure_scores_by_company ON measure_scores (connection_id, company_gsid);

CREATE TABLE score_history (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    gsid          TEXT NOT NULL,
    company_gsid  TEXT NOT NULL,
    measure_gsid  TEXT,
    week          TEXT NOT NULL,
    score         REAL,
    label         TEXT,
    modified_at   TEXT,
    PRIMARY KEY (connection_id, gsid)
) STRICT;
CREATE INDEX score_history_by_company ON score_history (connection_id, company_gsid, week);

CREATE TABLE usage_weekly (
    connection_id  TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    gsid           TEXT NOT NULL,
    company_gsid   TEXT NOT NULL,
    week           TEXT NOT NULL,
    active_users   INTEGER,
    logins         INTEGER,
    feature_events INTEGER,
    modified_at    TEXT,
    PRIMARY KEY (connection_id, gsid)
) STRICT;
CREATE INDEX usage_by_company ON usage_weekly (connection_id, company_gsid, week);

CREATE TABLE sync_settings (
    connection_id  TEXT PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    objects        TEXT NOT NULL,
    frequency      TEXT NOT NULL DEFAULT 'manual',
    backfill_days  INTEGER NOT NULL DEFAULT 30,
    fact_object    TEXT NOT NULL DEFAULT 'company_scorecard_fact',
    history_object TEXT NOT NULL DEFAULT 'company_scorecard_history',
    usage_object   TEXT NOT NULL DEFAULT 'product_usage__gc',
    -- Share of the org's 100 CS calls a minute this connection may use.
    cs_calls_per_minute INTEGER NOT NULL DEFAULT 60
) STRICT;

CREATE TABLE field_mappings (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    object        TEXT NOT NULL,
    field_name    TEXT NOT NULL,
    label         TEXT NOT NULL,
    data_type     TEXT NOT NULL,
    PRIMARY KEY (connection_id, object, field_name)
) STRICT;

-- Per stream: how far the last applied page got, written in the same transaction as the page.
CREATE TABLE sync_cursors (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    stream        TEXT NOT NULL,
    modified_to   TEXT,
    last_ok_start TEXT,
    PRIMARY KEY (connection_id, stream)
) STRICT;

CREATE TABLE sync_runs (
    id            INTEGER PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    outcome       TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'failed', 'cancelled', 'interrupted')),
    full          INTEGER NOT NULL DEFAULT 0,
    counts        TEXT NOT NULL DEFAULT '{}',
    calls         INTEGER NOT NULL DEFAULT 0,
    error_kind    TEXT,
    error_message TEXT
) STRICT;
CREATE INDEX sync_runs_by_connection ON sync_runs (connection_id, id);

CREATE TABLE changes (
    id            INTEGER PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    run_id        INTEGER NOT NULL,
    at            TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('band_changed', 'cta_opened', 'cta_closed', 'company_added', 'company_removed')),
    company_gsid  TEXT,
    subject       TEXT,
    detail        TEXT
) STRICT;
CREATE INDEX changes_by_run ON changes (connection_id, run_id);
