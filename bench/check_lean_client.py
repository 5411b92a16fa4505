"""Self-check of bench/lean_client.py: `python -m bench.check_lean_client [--url URL]`.

1. Against a local stub speaking HTTP/1.1: Content-Length and chunked bodies (with a
   trailer), a body split across writes, `Connection: close`, 204 and 4xx responses, a
   server that hangs up mid-body (a ClientError, never a short body taken as whole).
2. With --url (a running memory-service), the same put / get / search / delete / bad
   request through the lean client and through httpx: same status, same JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from bench.load_clients import open_client
from bench.load_http import ClientError

CANNED = {  # path -> the raw response the stub writes, in pieces
    "/length": [b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello", b" world"],
    "/chunked": [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
                 b"6;x=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n"],
    "/close": [b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}"],
    "/empty": [b"HTTP/1.1 204 No Content\r\n\r\n"],
    "/cut": [b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"],
}
EXPECTED = {"/length": (200, b"hello world"), "/chunked": (200, b"hello world"),
            "/close": (404, b"{}"), "/empty": (204, b"")}


async def _stub(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            path = (await reader.readuntil(b"\r\n\r\n")).split(b" ", 2)[1].decode()
            for piece in CANNED[path]:
                writer.write(piece)
                await writer.drain()
                await asyncio.sleep(0.01)
            if path in ("/close", "/cut"):
                break
    except asyncio.IncompleteReadError:
        pass  # the client closed its connection
    finally:
        writer.close()


async def check_parser() -> None:
    server = await asyncio.start_server(_stub, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server, open_client("lean", url, 4) as client:
        for _ in range(2):  # the second round reuses the kept-alive connections
            for path, want in EXPECTED.items():
                got = tuple(await client.send("GET", path))
                assert got == want, f"{path}: {got!r} != {want!r}"
        try:
            await client.send("GET", "/cut")
        except ClientError:
            pass
        else:
            raise AssertionError("/cut: a body cut short was taken as complete")
    print("lean client parser: ok")


async def check_against_httpx(url: str) -> None:
    """Each read through both clients: the same status and JSON."""
    ns, items, search = ["lean-check", "c0"], "/store/items", "/store/items/search"
    get = "/store/items?namespace=lean-check.c0&key=k%201"
    put = json.dumps({"namespace": ns, "key": "k 1", "value": {"content": "tea, not coffee"}})
    query = json.dumps({"namespace_prefix": ns, "query": "what does the user drink?"})
    async with open_client("lean", url, 2) as lean, open_client("httpx", url, 2) as ref:
        stored = await lean.send("PUT", items, put.encode())
        assert 200 <= stored.status < 300, f"put: {stored}"
        reads = [("GET", get, b""), ("POST", search, query.encode()),
                 ("PUT", items, b'{"namespace": []}'), ("GET", "/no/such/path", b"")]
        for method, target, body in reads:
            a, b = await lean.send(method, target, body), await ref.send(method, target, body)
            assert a.status == b.status and a.json() == b.json(), f"{target}: {a} != {b}"
        gone = json.dumps({"namespace": ns, "key": "k 1"}).encode()
        deleted = await lean.send("DELETE", items, gone)
        assert 200 <= deleted.status < 300, f"delete: {deleted}"
        a, b = await lean.send("GET", get), await ref.send("GET", get)
        assert (a.status, a.json()) == (b.status, b.json()), f"{a} != {b}"
        assert a.status == 404 or a.json() is None, f"deleted, yet read back: {a}"
    print(f"lean client vs httpx at {url}: same statuses and bodies")


async def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.check_lean_client")
    p.add_argument("--url", help="a running memory-service (auth off) to compare on")
    opts = p.parse_args(argv)
    await check_parser()
    if opts.url:
        await check_against_httpx(opts.url)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
