-- LangGraph's runs API over extraction jobs (app/runs, app/api/runs.py).
--
-- A profile is what a run's assistant_id names: instructions, memory kinds and the
-- insert/update/delete switches, plus the namespace template used when a run sends none.
-- The default profile 'memory' is seeded here; the API may replace it but not delete it.
CREATE TABLE IF NOT EXISTS extraction_profiles (
    name text PRIMARY KEY,
    description text NOT NULL DEFAULT '',
    namespace jsonb NOT NULL,
    instructions text,
    kinds jsonb,
    enable_inserts boolean NOT NULL DEFAULT true,
    enable_updates boolean NOT NULL DEFAULT true,
    enable_deletes boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO extraction_profiles (name, description, namespace)
VALUES ('memory', 'The default profile: text facts (kind Memory), inserts, updates and deletes',
        '["memories", "{user_id}"]')
ON CONFLICT (name) DO NOTHING;

-- A LangGraph thread: created by a run with if_not_exists="create" or by POST /threads. Its
-- metadata fills namespace templates ({user_id}) that a run's config leaves open.
CREATE TABLE IF NOT EXISTS run_threads (
    thread_id text PRIMARY KEY,
    metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A run IS an extraction job (run_id = job id); this row adds what the runs API shows.
-- Erasing a namespace deletes its jobs, and with them their runs.
CREATE TABLE IF NOT EXISTS extraction_runs (
    run_id uuid PRIMARY KEY REFERENCES extraction_jobs (id) ON DELETE CASCADE,
    thread_id text NOT NULL,
    assistant_id text NOT NULL,
    multitask_strategy text NOT NULL
        CHECK (multitask_strategy IN ('reject', 'interrupt', 'rollback', 'enqueue')),
    metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS extraction_runs_thread_idx
    ON extraction_runs (thread_id, created_at DESC);

-- A thread's unfinished jobs, oldest first: multitask strategies and in-order runs read them.
CREATE INDEX IF NOT EXISTS extraction_jobs_thread_active_idx
    ON extraction_jobs (namespace, thread_id, created_at)
    WHERE status IN ('queued', 'running');
