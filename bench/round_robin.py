"""An httpx transport that sends each request to the next of several servers in turn, as a
round-robin load balancer does (nginx's default upstream), so one client's put, search and
get land on different replicas."""

from __future__ import annotations

import itertools

import httpx


class RoundRobin(httpx.AsyncBaseTransport):
    def __init__(self, urls: list[str], limits: httpx.Limits) -> None:
        self._targets = [(httpx.URL(u), httpx.AsyncHTTPTransport(limits=limits)) for u in urls]
        self._next = itertools.cycle(self._targets)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target, transport = next(self._next)
        request.url = request.url.copy_with(scheme=target.scheme, host=target.host,
                                            port=target.port)
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        for _, transport in self._targets:
            await transport.aclose()
