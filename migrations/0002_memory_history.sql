-- Every change to a memory, from any door: old and new value, source, job id, time.
-- A trigger records it, so no write path can forget to. Writers name themselves per
-- transaction with set_config('memory.source' / 'memory.job_id'); anything else (say the
-- plain LangGraph store writing to the same tables) is recorded as 'direct'.
CREATE TABLE IF NOT EXISTS memory_history (
    id bigserial PRIMARY KEY,
    prefix text NOT NULL,
    key text NOT NULL,
    action text NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    old_value jsonb,
    new_value jsonb,
    source text NOT NULL,
    job_id text,
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX IF NOT EXISTS memory_history_item_idx ON memory_history (prefix, key, id);
CREATE INDEX IF NOT EXISTS memory_history_prefix_idx ON memory_history (prefix text_pattern_ops);

CREATE OR REPLACE FUNCTION memory_record_history() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    src text := coalesce(nullif(current_setting('memory.source', true), ''), 'direct');
    job text := nullif(current_setting('memory.job_id', true), '');
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO memory_history (prefix, key, action, old_value, new_value, source, job_id)
        VALUES (NEW.prefix, NEW.key, 'insert', NULL, NEW.value, src, job);
    ELSIF TG_OP = 'UPDATE' THEN
        -- Rewriting the same value (or refreshing a TTL) is not a change.
        IF NEW.value IS DISTINCT FROM OLD.value THEN
            INSERT INTO memory_history (prefix, key, action, old_value, new_value, source, job_id)
            VALUES (NEW.prefix, NEW.key, 'update', OLD.value, NEW.value, src, job);
        END IF;
    ELSE
        INSERT INTO memory_history (prefix, key, action, old_value, new_value, source, job_id)
        VALUES (OLD.prefix, OLD.key, 'delete', OLD.value, NULL, src, job);
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS memory_history_trigger ON store;
CREATE TRIGGER memory_history_trigger
    AFTER INSERT OR UPDATE OF value OR DELETE ON store
    FOR EACH ROW EXECUTE FUNCTION memory_record_history();
