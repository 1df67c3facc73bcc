CREATE TABLE connections (
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
            ) STRICT;
