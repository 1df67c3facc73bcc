ALTER TABLE connections ADD COLUMN region TEXT CHECK (region IN ('us', 'eu', 'us2'));
