-- Keyword search: a full-text index over the text each vector was computed from.
--
-- store_keywords holds one row per indexed item (a store_vectors row with field_name
-- 'text'): its words as a tsvector and how many there are. It is narrow on purpose: a
-- keyword search reads one row per item that holds a query word, and these rows (~200
-- bytes) stay in memory where store_vectors rows (~1.9 kB, mostly the vector) would not.
--
-- Triggers on store_vectors keep it in step with every writer, whichever door the write
-- came through: our writes, a re-embedding that rewrites `text`, a delete or a TTL sweep
-- (cascading from store), index=False (which deletes the vector row), TRUNCATE, and COPY
-- with session_replication_role = replica (the triggers are ENABLE ALWAYS).

-- The text-search configuration (language: stemming and stop words) the index is built
-- with; queries are parsed with the same one. TEXT_SEARCH_LANGUAGE changes it (the app
-- rebuilds store_keywords in one transaction).
CREATE TABLE IF NOT EXISTS keyword_config (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    language regconfig NOT NULL DEFAULT 'english'
);
INSERT INTO keyword_config DEFAULT VALUES ON CONFLICT DO NOTHING;

CREATE OR REPLACE FUNCTION memory_keyword_language() RETURNS regconfig
LANGUAGE sql STABLE AS $$ SELECT language FROM keyword_config $$;

-- Document length for BM25's length normalisation: words indexed (stop words excluded).
CREATE OR REPLACE FUNCTION memory_tsv_length(tsvector) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(sum(coalesce(array_length(u.positions, 1), 1)), 0)::integer
    FROM unnest($1) AS u
$$;

CREATE TABLE IF NOT EXISTS store_keywords (
    prefix text NOT NULL,
    key text NOT NULL,
    tsv tsvector NOT NULL,
    length integer NOT NULL,
    PRIMARY KEY (prefix, key)
);

-- Which items hold any of a query's words.
CREATE INDEX IF NOT EXISTS store_keywords_tsv_idx ON store_keywords USING gin (tsv);
-- A namespace prefix's items and their lengths (per-scope statistics) from the index alone.
CREATE INDEX IF NOT EXISTS store_keywords_prefix_idx
    ON store_keywords (prefix text_pattern_ops) INCLUDE (length);

CREATE OR REPLACE FUNCTION memory_keywords_put(p_prefix text, p_key text, p_text text)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO store_keywords (prefix, key, tsv, length)
    SELECT p_prefix, p_key, w.tsv, memory_tsv_length(w.tsv)
    FROM (SELECT to_tsvector(memory_keyword_language(), coalesce(p_text, '')) AS tsv) AS w
    ON CONFLICT (prefix, key) DO UPDATE SET tsv = EXCLUDED.tsv, length = EXCLUDED.length
$$;

CREATE OR REPLACE FUNCTION memory_keywords_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.field_name = 'text' THEN
        DELETE FROM store_keywords WHERE prefix = OLD.prefix AND key = OLD.key;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.field_name = 'text' THEN
        PERFORM memory_keywords_put(NEW.prefix, NEW.key, NEW.text);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION memory_keywords_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE store_keywords;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS store_keywords_insert ON store_vectors;
CREATE TRIGGER store_keywords_insert AFTER INSERT ON store_vectors
    FOR EACH ROW WHEN (NEW.field_name = 'text') EXECUTE FUNCTION memory_keywords_sync();
-- (a re-embedding that writes the same text back changes nothing here)
DROP TRIGGER IF EXISTS store_keywords_update ON store_vectors;
CREATE TRIGGER store_keywords_update AFTER UPDATE ON store_vectors
    FOR EACH ROW WHEN (OLD.text IS DISTINCT FROM NEW.text OR OLD.field_name <> NEW.field_name
                       OR OLD.prefix <> NEW.prefix OR OLD.key <> NEW.key)
    EXECUTE FUNCTION memory_keywords_sync();
DROP TRIGGER IF EXISTS store_keywords_delete ON store_vectors;
CREATE TRIGGER store_keywords_delete AFTER DELETE ON store_vectors
    FOR EACH ROW WHEN (OLD.field_name = 'text') EXECUTE FUNCTION memory_keywords_sync();
DROP TRIGGER IF EXISTS store_keywords_truncate ON store_vectors;
CREATE TRIGGER store_keywords_truncate AFTER TRUNCATE ON store_vectors
    FOR EACH STATEMENT EXECUTE FUNCTION memory_keywords_truncate();

ALTER TABLE store_vectors ENABLE ALWAYS TRIGGER store_keywords_insert;
ALTER TABLE store_vectors ENABLE ALWAYS TRIGGER store_keywords_update;
ALTER TABLE store_vectors ENABLE ALWAYS TRIGGER store_keywords_delete;
ALTER TABLE store_vectors ENABLE ALWAYS TRIGGER store_keywords_truncate;

-- The memories that exist already.
INSERT INTO store_keywords (prefix, key, tsv, length)
SELECT sv.prefix, sv.key, w.tsv, memory_tsv_length(w.tsv)
FROM store_vectors sv
CROSS JOIN LATERAL (SELECT to_tsvector('english', coalesce(sv.text, '')) AS tsv) AS w
WHERE sv.field_name = 'text'
ON CONFLICT (prefix, key) DO NOTHING;
