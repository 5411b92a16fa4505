"""A webhook receiver on 127.0.0.1 (http.server in a thread) that checks every signature
with the `standardwebhooks` package, an implementation independent of ours. It answers
2xx, 500, or holds the request until released; stop() takes it down (connections refused)
and start() brings it back on the same port."""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook


@dataclass
class Received:
    id: str
    type: str
    data: dict[str, Any]


class Receiver:
    def __init__(self) -> None:
        self.secret: str | None = None
        self.status = 204
        self.release = threading.Event()
        self.release.set()  # cleared: requests wait until released
        self.held = threading.Event()  # a request is being held
        self.received: list[Received] = []  # verified deliveries answered 2xx
        self.hits: list[str] = []  # webhook-id of every request that arrived
        self.bad_signatures = 0
        self._server: ThreadingHTTPServer | None = None
        self.port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.hits.append(self.headers.get("webhook-id", ""))
                if not receiver.release.is_set():
                    receiver.held.set()
                    receiver.release.wait(30)
                status = receiver.status
                try:
                    payload = Webhook(receiver.secret or "").verify(body, dict(self.headers))
                except Exception:
                    receiver.bad_signatures += 1
                    status = 400
                if 200 <= status < 300:
                    receiver.received.append(
                        Received(self.headers["webhook-id"], payload["type"], payload["data"]))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def of_type(self, *types: str) -> list[Received]:
        return [r for r in self.received if r.type in types]

    def wait_for(self, count: int, *types: str, timeout: float = 20) -> list[Received]:
        """At least `count` deliveries (of these types) received, polled from a thread."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of_type(*types) if types else list(self.received)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        got = json.dumps([(r.type, r.data.get("key")) for r in self.received])
        raise AssertionError(f"{count} deliveries expected, got {got}")
