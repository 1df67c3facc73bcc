-- Gainsight PX usage: accounts (linked to CS companies by gs_id), users, features, and daily
-- feature usage per account and feature. Each row keeps a digest of what PX sent, so a full
-- reload writes only rows that really changed.

CREATE TABLE px_accounts (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    id            TEXT NOT NULL,
    name          TEXT NOT NULL,
    gs_id         TEXT,
    health_score  REAL,
    nps           REAL,
    users         INTEGER,
    industry      TEXT,
    plan          TEXT,
    last_seen     TEXT,
    digest        TEXT NOT NULL,
    PRIMARY KEY (connection_id, id)
) STRICT;
CREATE INDEX px_accounts_by_gs_id ON px_accounts (gs_id);

CREATE TABLE px_users (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    id            TEXT NOT NULL,
    account_id    TEXT,
    email         TEXT,
    name          TEXT,
    last_seen     TEXT,
    visits        INTEGER,
    digest        TEXT NOT NULL,
    PRIMARY KEY (connection_id, id)
) STRICT;
CREATE INDEX px_users_by_account ON px_users (connection_id, account_id);

CREATE TABLE px_features (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    id            TEXT NOT NULL,
    name          TEXT NOT NULL,
    type          TEXT,
    parent_id     TEXT,
    digest        TEXT NOT NULL,
    PRIMARY KEY (connection_id, id)
) STRICT;

CREATE TABLE px_feature_usage (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    account_id    TEXT NOT NULL,
    feature_id    TEXT NOT NULL,
    day           TEXT NOT NULL,
    events        INTEGER NOT NULL,
    users         INTEGER NOT NULL,
    PRIMARY KEY (connection_id, account_id, feature_id, day)
) STRICT;
CREATE INDEX px_usage_by_day ON px_feature_usage (connection_id, day);
