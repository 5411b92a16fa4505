"""On a full disk the database answers but cannot grow the buckets' table: a request then
goes through unlimited (reads still work on a full disk; a limiter must not take them away),
and is counted again once there is space.

The disk is real: the test database's rate_limits table moves to a tablespace on a small
tmpfs that the test fills (mounting needs root, as in tests/outage/test_disk_full.py)."""

import contextlib
import logging
import os
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

from tests.limits.helpers import limited_client

NS = {"namespace": "memories.alice"}
TABLESPACE = "limits_small_disk"


def fill(path: Path) -> None:
    """Until not even 512 bytes are left: no page can be added to any table there."""
    with path.open("wb", buffering=0) as f:
        for size in (65536, 4096, 512):
            with contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * size)


@pytest.fixture
def full_disk_for_buckets(pg_admin_url, database_url):
    mount = Path(tempfile.mkdtemp(prefix="memlimits-"))
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    done = subprocess.run([*sudo, "mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs",
                           str(mount)], capture_output=True, text=True)
    assert done.returncode == 0, f"cannot mount a small tmpfs: {done.stderr.strip()}"
    location = mount / "pg"
    location.mkdir()
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        data = conn.execute("SHOW data_directory").fetchone()[0]
        owner = Path(data).stat()  # the system user the server runs as
        subprocess.run([*sudo, "chown", f"{owner.st_uid}:{owner.st_gid}", str(location)],
                       check=True)
        conn.execute(f"CREATE TABLESPACE {TABLESPACE} LOCATION '{location}'")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"ALTER TABLE rate_limits SET TABLESPACE {TABLESPACE}")
    filler = mount / "filler"
    fill(filler)
    try:
        yield filler
    finally:
        with contextlib.suppress(FileNotFoundError):
            filler.unlink()
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("ALTER TABLE rate_limits SET TABLESPACE pg_default")
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f"DROP TABLESPACE IF EXISTS {TABLESPACE}")
        subprocess.run([*sudo, "umount", "-l", str(mount)], check=False)


async def test_a_full_disk_lets_requests_through_unlimited(
        settings, embedder, full_disk_for_buckets, database_url, caplog):
    caplog.set_level(logging.WARNING, logger="app.limits.rate_limit")
    async with limited_client(settings, embedder, rate_limit_per_minute=1) as client:
        # a burst of one: a bucket that could be written would refuse the second request
        for _ in range(3):
            listed = await client.get("/v1/memories", params=NS)
            assert listed.status_code == 200, listed.text
        assert "rate limit not applied" in caplog.text and "disk" in caplog.text.lower()
        full_disk_for_buckets.unlink()  # space again: counted again
        statuses = [(await client.get("/v1/memories", params=NS)).status_code
                    for _ in range(2)]
        assert statuses == [200, 429]
