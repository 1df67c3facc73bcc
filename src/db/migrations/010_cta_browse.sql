-- The org-wide CTA list at 100,000+ CTAs: its order (overdue first, then open by due date, then
-- closed) walked from an index instead of sorted per page, and its facet counts (type, owner,
-- priority, status, connection under a state filter) read from a covering index, not the table.
CREATE INDEX ctas_in_order ON ctas (is_closed, due_date IS NULL, due_date, name, connection_id, gsid);
CREATE INDEX ctas_facets ON ctas (is_closed, due_date, type, owner_name, priority, status, connection_id);
