-- Our additions to the LangGraph store's tables (created by AsyncPostgresStore.setup()).

-- The text each vector was computed from: a rewrite whose text is unchanged keeps its vector
-- instead of calling the embedder again, and the keyword index can be built from it.
ALTER TABLE store_vectors ADD COLUMN IF NOT EXISTS text text;

-- Namespace-prefix scans on the vectors themselves (count candidates, exact search of a
-- small tenant) without touching the items table.
CREATE INDEX IF NOT EXISTS store_vectors_prefix_idx ON store_vectors (prefix text_pattern_ops);

-- Deterministic newest-first listing of a namespace.
CREATE INDEX IF NOT EXISTS store_prefix_updated_idx ON store (prefix, updated_at DESC, key);

-- TTLs are minutes and may be fractional; the store created an integer column.
ALTER TABLE store ALTER COLUMN ttl_minutes TYPE double precision;
