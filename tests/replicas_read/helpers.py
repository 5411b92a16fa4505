"""What the read-replica tests ask of the API and of each database directly."""

import httpx
import psycopg

from tests.replicas_read.cluster import Replica


async def create(client: httpx.AsyncClient, namespace: list[str], key: str, content: str,
                 **extra: object) -> dict:
    response = await client.post("/v1/memories", json={"namespace": namespace, "key": key,
                                                       "content": content, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def stored_keys(url: str) -> set[str]:
    """The keys a database itself holds (primary or replica), read with plain SQL."""
    with psycopg.connect(url) as conn:
        return {row[0] for row in conn.execute("SELECT key FROM store")}


async def search_keys(client: httpx.AsyncClient, **body: object) -> set[str]:
    response = await client.post("/v1/search", json=body)
    assert response.status_code == 200, response.text
    return {item["key"] for item in response.json()["items"]}


async def lagging(cluster: Replica) -> None:
    """Catch up, then stop replaying: what the primary takes next, the replica lacks."""
    cluster.catch_up()
    cluster.pause_replay()
