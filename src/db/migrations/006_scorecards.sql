CREATE TABLE scorecards (
                connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
                gsid          TEXT NOT NULL,
                name          TEXT NOT NULL,
                PRIMARY KEY (connection_id, gsid)
            ) STRICT;
