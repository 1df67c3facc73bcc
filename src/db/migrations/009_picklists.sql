-- The org's picklist items (id -> label), learned from describe's `options[]`: values stay ids in
-- the cache and are shown and filtered by these labels.
CREATE TABLE picklist_labels (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    item_id       TEXT NOT NULL,
    label         TEXT NOT NULL,
    -- Where it was seen last (`company.Products__gc`), for the org report and for debugging.
    source        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (connection_id, item_id)
) STRICT;
CREATE INDEX picklist_labels_by_label ON picklist_labels (connection_id, label COLLATE NOCASE);
