-- Extraction jobs: our record of each queued conversation (procrastinate only schedules).
-- Status, result and error live here so they survive procrastinate's own cleanup, and the
-- row is locked when a job applies its changes, so a job re-run after a crash applies once.
CREATE TABLE IF NOT EXISTS extraction_jobs (
    id uuid PRIMARY KEY,
    namespace text NOT NULL,
    thread_id text,
    status text NOT NULL
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    request jsonb NOT NULL,
    result jsonb,
    error text,
    attempts integer NOT NULL DEFAULT 0,
    queue_job_id bigint,
    superseded_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    due_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz
);

-- Debounce: find a thread's queued job quickly.
CREATE INDEX IF NOT EXISTS extraction_jobs_thread_idx
    ON extraction_jobs (namespace, thread_id) WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS extraction_jobs_namespace_idx
    ON extraction_jobs (namespace text_pattern_ops);
