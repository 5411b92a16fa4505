-- Thread ids are per owner: a thread is (owner_key, thread_id), so two API keys' "t1" are two
-- threads (NULL owner: admin keys and open access, one scope of their own). Runs point at the
-- thread row itself, so a thread's run list never holds another owner's run.

-- A run whose thread row is missing (none should be) gets one in the admin scope.
INSERT INTO run_threads (thread_id)
SELECT DISTINCT r.thread_id FROM extraction_runs r
WHERE NOT EXISTS (SELECT 1 FROM run_threads t WHERE t.thread_id = r.thread_id);

ALTER TABLE run_threads ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE run_threads DROP CONSTRAINT run_threads_pkey;
ALTER TABLE run_threads ADD PRIMARY KEY (id);
-- Key ids are UUIDs, so '' (the admin scope) is no key's id.
CREATE UNIQUE INDEX run_threads_owner_thread_idx
    ON run_threads ((coalesce(owner_key, '')), thread_id);

-- thread_id stays: it is the id the client sent and gets back.
ALTER TABLE extraction_runs ADD COLUMN thread uuid REFERENCES run_threads (id) ON DELETE CASCADE;
UPDATE extraction_runs r SET thread = t.id FROM run_threads t WHERE t.thread_id = r.thread_id;
ALTER TABLE extraction_runs ALTER COLUMN thread SET NOT NULL;
DROP INDEX IF EXISTS extraction_runs_thread_idx;
CREATE INDEX extraction_runs_thread_idx ON extraction_runs (thread, created_at DESC);

-- A run's job debounces and orders by (namespace, job thread key): a key's thread uses
-- '<key id>/<thread_id>' (a digest when that exceeds a job's 256 characters), so another
-- key's "t1" into the same namespace never replaces or waits for it (app/runs/scope.py).
UPDATE extraction_jobs j
SET thread_id = CASE
    WHEN length(t.owner_key || '/' || t.thread_id) <= 256 THEN t.owner_key || '/' || t.thread_id
    ELSE t.owner_key || '/sha256:' || encode(sha256(convert_to(t.thread_id, 'UTF8')), 'hex')
END
FROM extraction_runs r JOIN run_threads t ON t.id = r.thread
WHERE j.id = r.run_id AND t.owner_key IS NOT NULL;
