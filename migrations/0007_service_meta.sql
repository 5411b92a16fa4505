-- Facts about the database itself, e.g. which embedding model made its vectors, so a start
-- with another model refuses instead of silently mixing vectors from two models.
CREATE TABLE IF NOT EXISTS service_meta (
    key text PRIMARY KEY,
    value jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
