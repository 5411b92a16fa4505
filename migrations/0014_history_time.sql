-- "As of" reads (app/repositories/history_as_of.py) walk a prefix's changes memory by memory,
-- newest first, in byte order ("C": the same under any database collation): with this index
-- a page reads only the memories up to it, with no sort (DISTINCT ON over an index scan).
CREATE INDEX IF NOT EXISTS memory_history_as_of_idx
    ON memory_history (prefix COLLATE "C", key COLLATE "C", id DESC) INCLUDE (action, changed_at);

-- A store row with no history at all was written before 0002 started recording (a database
-- a plain LangGraph store used first): its creation is recorded now, at the row's own
-- created_at, with source 'baseline', so "as of" sees it from then on. Every later write is
-- recorded by the trigger; a function, so that a data-only restore made with triggers
-- disabled can run it again (it adds nothing twice).
CREATE OR REPLACE FUNCTION memory_history_backfill() RETURNS bigint
LANGUAGE sql AS $$
    WITH added AS (
        INSERT INTO memory_history (prefix, key, action, old_value, new_value, source, changed_at)
        SELECT s.prefix, s.key, 'insert', NULL, s.value, 'baseline', s.created_at
        FROM store s
        WHERE NOT EXISTS (SELECT 1 FROM memory_history h
                          WHERE h.prefix = s.prefix AND h.key = s.key)
        ORDER BY s.created_at
        RETURNING 1)
    SELECT count(*) FROM added
$$;

SELECT memory_history_backfill();
