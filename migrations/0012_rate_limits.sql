-- Per-caller token buckets shared by every server process on this database (rate limits
-- hold across replicas). One row per caller seen recently; a row whose bucket has refilled
-- is swept, since no row means a full bucket. UNLOGGED: no WAL per request, and a Postgres
-- crash (which empties it) only refills every bucket.
CREATE UNLOGGED TABLE IF NOT EXISTS rate_limits (
    caller text PRIMARY KEY,            -- 'key:<sha256 of the API key>' or 'addr:<client ip>'
    tokens double precision NOT NULL,   -- left after the last request, before refill
    updated timestamptz NOT NULL,       -- when `tokens` was computed (database clock)
    allowed boolean NOT NULL            -- whether the last request got a token
);
