"""The mixed load's client over httpx: the reference the lean client is checked against,
and the one bench/replicas.py's round-robin transport plugs into."""

from __future__ import annotations

import httpx

from bench.load_http import ClientError, Reply

_JSON = {"content-type": "application/json"}


class HttpxClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def send(self, method: str, target: str, body: bytes = b"") -> Reply:
        try:
            r = await self.http.request(method, target, content=body or None,
                                        headers=_JSON if body else None)
        except httpx.HTTPError as exc:
            raise ClientError(f"{type(exc).__name__} {exc}") from exc
        return Reply(r.status_code, r.content)

    async def aclose(self) -> None:
        await self.http.aclose()
