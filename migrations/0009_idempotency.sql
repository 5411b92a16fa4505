-- Idempotency-Key records: a creating request's first response, replayed for a retry with
-- the same key and body. Scoped by the hash of the presented credential ('' without one),
-- method and path, so two callers' keys never meet. status IS NULL while the first attempt
-- is in flight; an attempt past locked_until (its server died) may be taken over.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope text NOT NULL,
    method text NOT NULL,
    path text NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    attempt uuid NOT NULL,
    status integer,
    headers jsonb,
    body bytea,
    locked_until timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, method, path, key)
);

CREATE INDEX IF NOT EXISTS idempotency_keys_expires_at ON idempotency_keys (expires_at);
