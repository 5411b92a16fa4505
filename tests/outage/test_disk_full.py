"""A full disk answers 503 with Retry-After on writes (nothing half-written), /readyz reports
it, and writes work again once space is freed.

The disk is real: the database's tables move to a tablespace on a small tmpfs that the test
fills with a file, so Postgres fails to extend them with SQLSTATE 53100 (disk_full). Mounting
needs root; elsewhere the test is skipped (and says why).
"""

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

import app.db.unavailable as unavailable
from app.main import create_app
from tests.conftest import model_path
from tests.jobs.test_background import job_request
from tests.llm_fixtures import llm_settings
from tests.outage.conftest import StoppablePostgres

TABLESPACE = "small_disk"


class SmallDisk:
    def __init__(self, mount: Path) -> None:
        self.filler = mount / "filler"

    def fill(self) -> None:
        with contextlib.suppress(OSError), self.filler.open("wb") as f:
            while True:
                f.write(b"\0" * 65536)
                f.flush()

    def free(self) -> None:
        self.filler.unlink()


@pytest.fixture
def small_disk(own_postgres: StoppablePostgres) -> Iterator[SmallDisk]:
    mount = Path(tempfile.mkdtemp(prefix="memdisk-"))
    # root mounts it (as .ci/run's CI does); anyone else through sudo, as .ci/run installs
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    done = subprocess.run([*sudo, "mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs",
                           str(mount)], capture_output=True, text=True)
    assert done.returncode == 0, f"cannot mount a small tmpfs: {done.stderr.strip()}"
    location = mount / "pg"
    location.mkdir()
    user = own_postgres.server.system_user
    if user:
        subprocess.run([*sudo, "chown", user, str(location)], check=True)
    with psycopg.connect(own_postgres.admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLESPACE {TABLESPACE} LOCATION '{location}'")
    try:
        yield SmallDisk(mount)
    finally:  # after the test's database is dropped
        with psycopg.connect(own_postgres.admin_url, autocommit=True) as conn:
            conn.execute(f"DROP TABLESPACE IF EXISTS {TABLESPACE}")
        subprocess.run([*sudo, "umount", "-l", str(mount)], check=False)


def move_tables(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"ALTER TABLE ALL IN TABLESPACE pg_default SET TABLESPACE {TABLESPACE}")
        conn.execute(f"ALTER INDEX ALL IN TABLESPACE pg_default SET TABLESPACE {TABLESPACE}")


def batch(n: int, tag: str) -> dict:
    """n memories of ~2 kB each, enough for new pages; unindexed, so no embedding time."""
    return {"items": [{"namespace": ["memories", "alice"], "index": False,
                       "content": f"{tag} fact {i}: " + "padding words " * 150}
                      for i in range(n)]}


async def test_a_full_disk_answers_503_and_readyz_says_so(
        own_postgres, small_disk, outage_database_url, settings, embedder, llm, monkeypatch):
    on_own = settings.model_copy(update={"database_url": outage_database_url,
                                         "embedding_model_path": model_path()})
    migrating = create_app(on_own, embedder=embedder)
    async with migrating.router.lifespan_context(migrating):
        pass  # the schema, then its tables move before any worker runs
    move_tables(outage_database_url)
    app = create_app(llm_settings(on_own, llm), embedder=embedder)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.post("/v1/memories/batch", json=batch(2, "a"))).status_code == 201
            small_disk.fill()
            try:
                full = await client.post("/v1/memories/batch", json=batch(40, "b"))
                assert full.status_code == 503, full.text
                assert "disk" in full.json()["detail"] and full.headers["retry-after"]
                job = await client.post("/v1/jobs/extract", json=job_request("I like dogs"))
                assert job.status_code == 503 and "disk" in job.json()["detail"], job.text
                ready = await client.get("/readyz")
                assert ready.status_code == 503 and "disk full" in ready.json()["detail"]
                listed = await client.get("/v1/memories", params={"namespace": "memories.alice",
                                                                  "limit": 100})
                assert len(listed.json()["items"]) == 2  # reads work; nothing half-written
            finally:
                small_disk.free()
            assert (await client.post("/v1/memories/batch", json=batch(40, "c"))).status_code \
                == 201
            # the report ends once its window has passed (shortened here, not waited for)
            monkeypatch.setattr(unavailable, "DISK_FULL_REPORT_SECONDS", 0.0)
            assert (await client.get("/readyz")).status_code == 200
