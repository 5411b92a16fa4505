-- The namespaces an Idempotency-Key record's request and stored response name, so forget can
-- erase the replays of what it forgets. NULL means unknown (a body that is not JSON, a
-- namespace template only the API key's identity fills, a record from before this
-- migration): every forget erases those, since their replay might show any namespace.
ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS namespaces text[];
