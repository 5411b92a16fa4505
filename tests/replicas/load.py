"""Mixed traffic round-robin over the live replicas, with a ledger of what was acknowledged:
a write answered 201 or a delete answered 204 must hold whatever happens to a replica later.
A request that got no answer (its replica was killed) may or may not have happened."""

import asyncio
import itertools
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.replicas.cluster import Replica


@dataclass
class Ledger:
    written: dict[tuple[str, str], str] = field(default_factory=dict)  # (ns, key) -> content
    deleted: set[tuple[str, str]] = field(default_factory=set)  # acknowledged deletes
    delete_tried: set[tuple[str, str]] = field(default_factory=set)
    statuses: Counter = field(default_factory=Counter)
    unanswered: int = 0

    def kept(self) -> dict[tuple[str, str], str]:
        """Acknowledged writes that no delete was even tried on: they must be there."""
        return {k: v for k, v in self.written.items() if k not in self.delete_tried}


class RoundRobin:
    def __init__(self, replicas: list[Replica]) -> None:
        self.replicas = replicas
        self._turn = itertools.count()

    def next_url(self) -> str:
        live = [r for r in self.replicas if r.alive()]
        return live[next(self._turn) % len(live)].url


async def _send(ledger: Ledger, client: httpx.AsyncClient, method: str, url: str,
                **kwargs) -> httpx.Response | None:
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.TransportError:  # the replica died under this request
        ledger.unanswered += 1
        return None
    ledger.statuses[(method, response.status_code)] += 1
    return response


async def worker(name: str, key: str, servers: RoundRobin, ledger: Ledger,
                 stop: asyncio.Event) -> None:
    """Put, search, delete (one of every four writes), in turn, until `stop`."""
    ns = f"memories.{name}"
    headers = {"authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        for n in itertools.count():
            if stop.is_set():
                return
            item = (ns, f"{name}-{n}")
            content = f"{name} fact number {n}"
            answer = await _send(ledger, client, "POST", f"{servers.next_url()}/v1/memories",
                                 json={"namespace": ns.split("."), "key": item[1],
                                       "content": content})
            if answer is not None and answer.status_code == 201:
                ledger.written[item] = content
            await _send(ledger, client, "POST", f"{servers.next_url()}/v1/search",
                        json={"query": content, "namespace_prefix": ns.split("."),
                              "limit": 3})
            if n % 4 == 3:
                victim = (ns, f"{name}-{n - 2}")
                if victim in ledger.written:
                    ledger.delete_tried.add(victim)
                    answer = await _send(ledger, client, "DELETE",
                                         f"{servers.next_url()}/v1/memories/{victim[1]}",
                                         params={"namespace": ns})
                    if answer is not None and answer.status_code == 204:
                        ledger.deleted.add(victim)
