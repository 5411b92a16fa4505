"""Helpers shared by the agent tests."""

import time

import httpx


def wait_for_job(api: httpx.Client, job_id: str, timeout: float = 20.0) -> dict:
    """Poll a background job until it has finished."""
    deadline = time.monotonic() + timeout
    while True:
        job = api.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, f"job still {job['status']} after {timeout}s"
        time.sleep(0.05)


def extraction_insert(text: str) -> dict:
    """The service's extraction model answer that inserts one plain memory."""
    return {"operations": [{"action": "insert", "kind": "Memory", "content": {"content": text}}]}
