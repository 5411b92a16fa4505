"""A database error in the middle of a job (the connection dropped while it wrote) is the
database's state, not the job's fault: the job runs again instead of failing for good."""

import psycopg

from tests.jobs.test_background import FACT, job_request, wait_for

# The first write of an extraction fails as a dropped connection does (SQLSTATE 08006,
# psycopg's OperationalError); the next one goes through.
BLIP_ONCE = """
CREATE SEQUENCE blips;  -- a sequence: its count survives the failed transaction
CREATE FUNCTION blip_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF nextval('blips') = 1 THEN
        RAISE EXCEPTION 'connection lost' USING ERRCODE = '08006';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER blip BEFORE INSERT ON store FOR EACH ROW EXECUTE FUNCTION blip_once();
"""


async def test_a_job_cut_by_a_database_error_runs_again(extract_client, llm, database_url):
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(BLIP_ONCE)
    llm.script(default=FACT)  # each attempt asks the model
    job = (await extract_client.post("/v1/jobs/extract", json=job_request("I like dogs"))).json()
    done = await wait_for(extract_client, job["id"], "succeeded", "failed")
    assert done["status"] == "succeeded", (done["error"], done["result"])
    assert done["attempts"] == 2
    assert done["result"]["created"][0]["value"]["content"]["content"] == "User likes dogs"
