"""RemoteStore: LangGraph's BaseStore over the service's HTTP API.

Swap it in wherever LangGraph or LangMem takes a store:

    from memory_service_client import RemoteStore

    store = RemoteStore("http://127.0.0.1:8000")          # instead of InMemoryStore(...)
    agent = create_react_agent(model, tools=[...], store=store)

It speaks LangGraph's `/store` API (the one `langgraph_sdk` uses), so it works against this
service and against LangGraph's own server alike. The server embeds and searches; the client
needs no embedding configuration. Sync calls use one pooled `httpx.Client`; async calls use an
`httpx.AsyncClient` per event loop. `abatch` runs independent operations concurrently and keeps
the order of operations that touch the same items.
"""

import asyncio
import threading
import weakref
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import httpx
from langgraph.store.base import (
    BaseStore,
    GetOp,
    Item,
    ListNamespacesOp,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    TTLConfig,
)

DEFAULT_URL = "http://127.0.0.1:8000"


class RemoteStoreError(RuntimeError):
    """The service answered an error (status_code set) or could not be reached (None)."""

    def __init__(self, message: str, *, status_code: int | None = None,
                 detail: Any = None, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.status_code = status_code
        self.detail = detail
        self.method = method
        self.url = url


class RemoteStore(BaseStore):
    """A LangGraph BaseStore whose items live in a memory-service (or LangGraph server)."""

    supports_ttl = True

    def __init__(self, url: str = DEFAULT_URL, *, api_key: str | None = None,
                 headers: Mapping[str, str] | None = None,
                 timeout: float | httpx.Timeout = 30.0, max_connections: int = 20,
                 ttl: TTLConfig | None = None) -> None:
        """`api_key` is sent as `x-api-key` (as langgraph_sdk does); `timeout` is in seconds
        per request; `max_connections` bounds each client's pool and how many operations of
        one `abatch` run at once; `ttl` is LangGraph's TTLConfig (`default_ttl` in minutes,
        `refresh_on_read`)."""
        self.url = url.rstrip("/")
        self.ttl_config = ttl
        self._headers = {"accept": "application/json", **(headers or {})}
        if api_key:
            self._headers["x-api-key"] = api_key
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._limits = httpx.Limits(max_connections=max_connections,
                                    max_keepalive_connections=max_connections)
        self._max_concurrency = max_connections
        self._sync: httpx.Client | None = None
        # an AsyncClient's connections belong to the loop that opened them: one per loop
        self._async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop,
                                                       httpx.AsyncClient] = \
            weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"

    # -- BaseStore ------------------------------------------------------------------------

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Run the operations in order (each sees the effects of the ones before it)."""
        return [self._run_sync(op) for op in ops]

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        """Run the operations concurrently, in waves: an operation waits for earlier ones
        that write what it reads or writes, so results are those of running them in order."""
        ops = list(ops)
        results: list[Result] = [None] * len(ops)
        client = self._async_client()
        limit = asyncio.Semaphore(self._max_concurrency)

        async def run(index: int) -> None:
            async with limit:
                results[index] = await self._run_async(client, ops[index])

        for wave in _waves(ops):
            await asyncio.gather(*(run(i) for i in wave))
        return results

    # -- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            sync, self._sync = self._sync, None
        if sync is not None:
            sync.close()

    async def aclose(self) -> None:
        """Close this event loop's async client (and the sync one)."""
        client = self._async_clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()
        self.close()

    def __enter__(self) -> "RemoteStore":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    async def __aenter__(self) -> "RemoteStore":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    # -- HTTP -----------------------------------------------------------------------------

    def _sync_client(self) -> httpx.Client:
        with self._lock:
            if self._sync is None:
                self._sync = httpx.Client(base_url=self.url, headers=self._headers,
                                          timeout=self._timeout, limits=self._limits)
            return self._sync

    def _async_client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        client = self._async_clients.get(loop)
        if client is None or client.is_closed:
            client = httpx.AsyncClient(base_url=self.url, headers=self._headers,
                                       timeout=self._timeout, limits=self._limits)
            self._async_clients[loop] = client
        return client

    def _run_sync(self, op: Op) -> Result:
        method, path, kwargs = _request(op)
        try:
            response = self._sync_client().request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise self._unreachable(method, path, exc) from exc
        return _result(op, self._checked(response))

    async def _run_async(self, client: httpx.AsyncClient, op: Op) -> Result:
        method, path, kwargs = _request(op)
        try:
            response = await client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise self._unreachable(method, path, exc) from exc
        return _result(op, self._checked(response))

    def _unreachable(self, method: str, path: str, exc: Exception) -> RemoteStoreError:
        return RemoteStoreError(
            f"{method} {self.url}{path}: could not reach the memory service "
            f"({type(exc).__name__}: {exc})", method=method, url=f"{self.url}{path}")

    @staticmethod
    def _checked(response: httpx.Response) -> Any:
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except (ValueError, AttributeError):
                detail = response.text
            method, url = response.request.method, str(response.request.url)
            raise RemoteStoreError(f"{method} {url} answered {response.status_code}: {detail}",
                                   status_code=response.status_code, detail=detail,
                                   method=method, url=url)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()


# -- operations <-> HTTP ------------------------------------------------------------------

def _request(op: Op) -> tuple[str, str, dict[str, Any]]:
    """(method, path, httpx keyword arguments) of one operation on LangGraph's store API."""
    if isinstance(op, GetOp):
        return "GET", "/store/items", {"params": {
            "namespace": ".".join(op.namespace), "key": op.key,
            "refresh_ttl": "true" if op.refresh_ttl else "false"}}
    if isinstance(op, PutOp):
        if op.value is None:
            return "DELETE", "/store/items", {"json": {"namespace": list(op.namespace),
                                                       "key": op.key}}
        body: dict[str, Any] = {"namespace": list(op.namespace), "key": op.key,
                                "value": dict(op.value)}
        if op.index is not None:
            body["index"] = op.index
        if op.ttl is not None:
            body["ttl"] = op.ttl
        return "PUT", "/store/items", {"json": body}
    if isinstance(op, SearchOp):
        body = {"namespace_prefix": list(op.namespace_prefix), "limit": op.limit,
                "offset": op.offset, "refresh_ttl": op.refresh_ttl}
        if op.filter is not None:
            body["filter"] = op.filter
        if op.query is not None:
            body["query"] = op.query
        return "POST", "/store/items/search", {"json": body}
    if isinstance(op, ListNamespacesOp):
        body = {"limit": op.limit, "offset": op.offset}
        for condition in op.match_conditions or ():
            field = condition.match_type  # "prefix" or "suffix"
            if field in body:
                raise ValueError(f"the store API takes one {field} condition, got several")
            body[field] = list(condition.path)
        if op.max_depth is not None:
            body["max_depth"] = op.max_depth
        return "POST", "/store/namespaces", {"json": body}
    raise TypeError(f"RemoteStore cannot run {type(op).__name__}")


def _result(op: Op, data: Any) -> Result:
    if isinstance(op, GetOp):
        return _item(data) if data else None
    if isinstance(op, PutOp):
        return None
    if isinstance(op, SearchOp):
        return [SearchItem(namespace=tuple(d["namespace"]), key=d["key"], value=d["value"],
                           created_at=_time(d["created_at"]), updated_at=_time(d["updated_at"]),
                           score=d.get("score")) for d in data["items"]]
    return [tuple(ns) for ns in data["namespaces"]]


def _item(data: dict[str, Any]) -> Item:
    return Item(namespace=tuple(data["namespace"]), key=data["key"], value=data["value"],
                created_at=_time(data["created_at"]), updated_at=_time(data["updated_at"]))


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- ordering -----------------------------------------------------------------------------

def _waves(ops: list[Op]) -> list[list[int]]:
    """Group operation indexes into waves that can run at once: an operation joins the
    earliest wave after every earlier operation it conflicts with."""
    waves: list[list[int]] = []
    placed: list[int] = []  # the wave of each operation so far
    for i, op in enumerate(ops):
        after = max((placed[j] for j in range(i) if _conflict(ops[j], op)), default=-1)
        wave = after + 1
        if wave == len(waves):
            waves.append([])
        waves[wave].append(i)
        placed.append(wave)
    return waves


def _conflict(a: Op, b: Op) -> bool:
    """Whether running a and b at once could give other results than running a, then b."""
    if not isinstance(a, PutOp) and not isinstance(b, PutOp):
        return False  # reads never conflict
    write, other = (a, b) if isinstance(a, PutOp) else (b, a)
    if isinstance(other, PutOp | GetOp):
        return (other.namespace, other.key) == (write.namespace, write.key)
    if isinstance(other, SearchOp):
        prefix = other.namespace_prefix
        return write.namespace[:len(prefix)] == prefix
    return True  # a listing of namespaces may change with any write
