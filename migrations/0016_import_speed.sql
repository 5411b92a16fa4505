-- New rows' history and keyword rows, written once per INSERT statement instead of once per
-- row. A bulk import inserts 500 rows a statement: the per-row triggers (a PL/pgSQL call,
-- then a one-row INSERT that fired the webhook trigger on memory_history once per row) cost
-- about as much Postgres CPU as the rows themselves, on cores the embedder shares
-- (bench/PORTABILITY.md). What they record is unchanged: the same rows, in the order the
-- statement inserted them; updates and deletes keep their per-row triggers.

CREATE OR REPLACE FUNCTION memory_record_inserts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO memory_history (prefix, key, action, old_value, new_value, source, job_id)
    SELECT n.prefix, n.key, 'insert', NULL, n.value,
           coalesce(nullif(current_setting('memory.source', true), ''), 'direct'),
           nullif(current_setting('memory.job_id', true), '')
    FROM new_rows n;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS memory_history_trigger ON store;
CREATE TRIGGER memory_history_trigger
    AFTER UPDATE OF value OR DELETE ON store
    FOR EACH ROW EXECUTE FUNCTION memory_record_history();
DROP TRIGGER IF EXISTS memory_history_insert_trigger ON store;
CREATE TRIGGER memory_history_insert_trigger
    AFTER INSERT ON store REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION memory_record_inserts();

CREATE OR REPLACE FUNCTION memory_keywords_insert_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    lang regconfig := memory_keyword_language();
BEGIN
    INSERT INTO store_keywords (prefix, key, tsv, length)
    SELECT n.prefix, n.key, w.tsv, memory_tsv_length(w.tsv)
    FROM new_rows n
    CROSS JOIN LATERAL (SELECT to_tsvector(lang, coalesce(n.text, '')) AS tsv) AS w
    WHERE n.field_name = 'text'
    ON CONFLICT (prefix, key) DO UPDATE SET tsv = EXCLUDED.tsv, length = EXCLUDED.length;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS store_keywords_insert ON store_vectors;
CREATE TRIGGER store_keywords_insert
    AFTER INSERT ON store_vectors REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION memory_keywords_insert_rows();
-- As 0005: kept in step even by a COPY with session_replication_role = replica.
ALTER TABLE store_vectors ENABLE ALWAYS TRIGGER store_keywords_insert;
