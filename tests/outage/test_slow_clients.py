"""Slow or abusive clients against the real server, over raw sockets: connections that send
partial headers (or nothing) are closed after HTTP_HEADER_TIMEOUT_SECONDS, oversized
headers get 431, a stalled body gets 408, and well-behaved clients are served meanwhile."""

import socket
import time
from collections.abc import Iterator
from urllib.parse import urlparse

import httpx
import pytest

from tests.conftest import model_path
from tests.live_server import LiveServer

HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
MAX_HEADER_BYTES = 8192
SLOW_CONNECTIONS = 300


@pytest.fixture(scope="module")
def server(pg_admin_url, template_db) -> Iterator[LiveServer]:
    from tests.conftest import fresh_database

    with fresh_database(pg_admin_url, template_db) as url, LiveServer.start({
            "DATABASE_URL": url, "EMBEDDING_MODEL_PATH": model_path() or "",
            "HTTP_HEADER_TIMEOUT_SECONDS": str(HEADER_TIMEOUT),
            "HTTP_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT),
            "HTTP_MAX_HEADER_BYTES": str(MAX_HEADER_BYTES)}) as live:
        yield live


def connect(server: LiveServer) -> socket.socket:
    address = urlparse(server.url)
    sock = socket.create_connection((address.hostname, address.port), timeout=10)
    return sock


def read_all(sock: socket.socket, timeout: float) -> bytes:
    """Everything the server sends until it closes; fails if it keeps the connection open."""
    sock.settimeout(timeout)
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except TimeoutError:
        pytest.fail(f"connection still open after {timeout} s; got {b''.join(chunks)[:200]!r}")
    except ConnectionResetError:
        pass
    return b"".join(chunks)


def test_partial_headers_are_cut_after_the_header_timeout(server):
    socks = []
    try:
        for i in range(SLOW_CONNECTIONS):
            sock = connect(server)
            sock.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow-%d: " % i)
            socks.append(sock)
        silent = connect(server)  # sends nothing at all
        socks.append(silent)
        started = time.monotonic()
        assert httpx.get(f"{server.url}/livez").status_code == 200  # others are served
        answers = [read_all(sock, HEADER_TIMEOUT + 5) for sock in socks]
        assert time.monotonic() - started < HEADER_TIMEOUT + 5
    finally:
        for sock in socks:
            sock.close()
    assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers), {a[:40] for a in answers}


def test_a_megabyte_of_headers_gets_431_before_it_is_all_sent(server):
    sock = connect(server)
    sent, answer = 0, b""
    try:
        sock.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: ")
        sock.settimeout(0.05)
        while sent < 1_000_000 and not answer:
            try:
                sock.sendall(b"a" * 16384)
                sent += 16384
                answer = sock.recv(65536)
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert b"smaller" in answer and sent < 200_000  # refused early, not buffered whole


def test_headers_just_over_the_cap_in_one_packet_get_431(server):
    sock = connect(server)
    try:
        sock.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * MAX_HEADER_BYTES
                     + b"\r\n\r\n")
        answer = read_all(sock, 5)
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]


def test_a_stalled_body_gets_408_and_a_slow_steady_one_is_served(server):
    head = (b"POST /v1/search HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\n\r\n")
    body = b'{"namespace_prefix": ["memories"], "limit": 1}'
    stalled = connect(server)
    try:
        stalled.sendall(head % len(body) + body[:10])
        started = time.monotonic()
        answer = read_all(stalled, BODY_TIMEOUT + 5)
        assert time.monotonic() - started >= BODY_TIMEOUT - 0.1
    finally:
        stalled.close()
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]

    steady = connect(server)
    try:
        steady.sendall(head % len(body))
        for i in range(0, len(body), 16):  # 3 pauses, each shorter than the timeout
            time.sleep(BODY_TIMEOUT * 0.6)
            steady.sendall(body[i:i + 16])
        steady.settimeout(10)
        assert steady.recv(65536).startswith(b"HTTP/1.1 200 ")
    finally:
        steady.close()
