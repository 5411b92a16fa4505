"""The JSON error answer the limits' middleware send themselves, in the app's
{"detail": ...} shape."""

import json

from starlette.types import Send


async def send_error(send: Send, status: int, detail: str,
                     retry_after: int | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
