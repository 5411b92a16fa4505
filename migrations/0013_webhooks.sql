-- Webhooks: endpoints, an outbox of events, and one delivery row per (endpoint, event).
-- Events are written by triggers in the transaction that made the change (every door,
-- import, restore, TTL expiry and extraction alike): a rolled-back write sends nothing, and a
-- committed one is never missed. Workers (app/webhooks) fan events out to the endpoints
-- whose filters and key allow them, and deliver with retries; several replicas share the
-- work with FOR UPDATE SKIP LOCKED.
CREATE TABLE IF NOT EXISTS webhooks (
    id uuid PRIMARY KEY,
    url text NOT NULL,
    secret text NOT NULL,  -- kept as given: it signs every delivery (HMAC needs the secret)
    event_types text[] NOT NULL,
    namespace_prefix text,  -- dotted; NULL: every namespace the key may read
    key_id uuid REFERENCES api_keys (id) ON DELETE CASCADE,  -- NULL: admin
    description text,
    enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS webhook_events (
    id bigserial PRIMARY KEY,
    type text NOT NULL,
    prefix text NOT NULL,  -- the dotted namespace the event is about (forget erases by it)
    subject text NOT NULL,  -- one memory, job or namespace: deliveries keep its order
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    dispatched boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS webhook_events_pending_idx ON webhook_events (id) WHERE NOT dispatched;
CREATE INDEX IF NOT EXISTS webhook_events_prefix_idx ON webhook_events (prefix text_pattern_ops);

CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id bigserial PRIMARY KEY,
    webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id bigint NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    subject text NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz DEFAULT now(),  -- NULL once delivered or failed
    locked_until timestamptz,  -- a replica's lease on an attempt in flight
    last_status_code integer,
    last_error text,
    delivered_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due_idx
    ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_order_idx
    ON webhook_deliveries (webhook_id, subject, event_id) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_log_idx ON webhook_deliveries (webhook_id, id);
CREATE INDEX IF NOT EXISTS webhook_deliveries_event_idx ON webhook_deliveries (event_id);

-- Memory events come from the history table, which the store's trigger fills from every
-- door. One statement-level trigger: a bulk import adds one INSERT ... SELECT, not one per row.
-- Nothing is written while no enabled endpoint wants the type.
CREATE OR REPLACE FUNCTION webhook_memory_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_events (type, prefix, subject, payload)
    SELECT e.type, h.prefix, 'memory:' || h.prefix || ':' || h.key,
           jsonb_build_object('namespace', to_jsonb(string_to_array(h.prefix, '.')),
                              'key', h.key, 'value', h.new_value,
                              'previous_value', h.old_value, 'source', h.source,
                              'job_id', h.job_id, 'change_id', h.id,
                              'changed_at', h.changed_at)
    FROM new_rows h
    CROSS JOIN LATERAL (SELECT CASE h.action WHEN 'insert' THEN 'memory.created'
                                             WHEN 'update' THEN 'memory.updated'
                                             ELSE 'memory.deleted' END AS type) e
    WHERE EXISTS (SELECT 1 FROM webhooks w WHERE w.enabled AND e.type = ANY (w.event_types))
    ORDER BY h.id;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS webhook_memory_events_trigger ON memory_history;
CREATE TRIGGER webhook_memory_events_trigger
    AFTER INSERT ON memory_history REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_memory_events();

-- A job's end is recorded with the job's own status change, in its transaction.
CREATE OR REPLACE FUNCTION webhook_job_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    event_type text := 'job.' || NEW.status;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.enabled AND event_type = ANY (w.event_types))
    THEN
        RETURN NULL;
    END IF;
    INSERT INTO webhook_events (type, prefix, subject, payload)
    VALUES (event_type, NEW.namespace, 'job:' || NEW.id, jsonb_build_object(
        'job_id', NEW.id, 'namespace', to_jsonb(string_to_array(NEW.namespace, '.')),
        'thread_id', NEW.thread_id, 'status', NEW.status, 'error', NEW.error,
        'attempts', NEW.attempts, 'finished_at', NEW.finished_at,
        'outcome', NEW.result -> 'outcome',
        'created', coalesce(NEW.result -> 'created', '[]'::jsonb),
        'updated', coalesce(NEW.result -> 'updated', '[]'::jsonb),
        'deleted', coalesce(NEW.result -> 'deleted', '[]'::jsonb),
        'rejected', coalesce(NEW.result -> 'rejected', '[]'::jsonb)));
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS webhook_job_events_trigger ON extraction_jobs;
CREATE TRIGGER webhook_job_events_trigger
    AFTER UPDATE OF status ON extraction_jobs FOR EACH ROW
    WHEN (NEW.status IN ('succeeded', 'failed') AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION webhook_job_events();
