"""The JSON error answer the limits' middleware send themselves, in the app's
{"detail": ...} shape."""

import abc
import json

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send


async def send_error(send: Send, status: int, detail: str,
                     retry_after: int | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class AnswerBeforeStart(abc.ABC):
    """ASGI middleware answering an exception raised below it with an error of its own, as
    long as no answer has started (after that, the exception goes on). Subclasses name the
    exceptions (`catches`) and answer them in `answer`, which returns False to re-raise."""

    catches: tuple[type[BaseException], ...] = ()

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI) -> None:
        self.app = app
        self.fastapi_app = fastapi_app

    @abc.abstractmethod
    async def answer(self, exc: BaseException, send: Send) -> bool:
        """Send the error answer for `exc` and return True, or return False to re-raise."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except self.catches as exc:
            if started or not await self.answer(exc, send):
                raise
