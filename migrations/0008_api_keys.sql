-- API keys: stored only as a SHA-256 hash (keys are 256-bit random, so a slow hash buys
-- nothing) with a short visible prefix to tell them apart. Grants are namespace prefixes
-- with read or write access: [{"prefix": ["memories", "alice"], "access": "write"}].
CREATE TABLE IF NOT EXISTS api_keys (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    identity text,
    visible_prefix text NOT NULL,
    key_hash text NOT NULL UNIQUE,
    grants jsonb NOT NULL,
    admin boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);

-- A LangGraph thread belongs to the key that created it (NULL: created without keys or by
-- an admin key): other keys can neither read it nor run on it.
ALTER TABLE run_threads ADD COLUMN IF NOT EXISTS owner_key text;
