"""DATABASE_READ_URL unset changes nothing (no second pool); set, it must be a connection
string, and the app refuses to start on one that is not."""

import httpx
import pytest
from pydantic import ValidationError

from app.config import Settings


async def test_unset_means_one_pool_and_no_replica_in_readyz(app, client: httpx.AsyncClient):
    assert app.state.runtime.replica is None
    body = (await client.get("/readyz")).json()
    assert body["status"] == "ready" and "read_replica" not in body


@pytest.mark.parametrize("url", ["not a connection string", "postgresql://[::1"])
def test_a_malformed_read_url_is_refused_with_what_to_fix(url: str):
    with pytest.raises(ValidationError, match="DATABASE_READ_URL"):
        Settings(database_read_url=url)


def test_an_empty_read_url_is_unset():
    assert Settings(database_read_url="").database_read_url is None


@pytest.mark.parametrize("seconds", [0, -1, 301])
def test_a_read_replica_timeout_out_of_range_is_refused(seconds: float):
    with pytest.raises(ValidationError, match="read_replica_timeout_seconds"):
        Settings(read_replica_timeout_seconds=seconds)
