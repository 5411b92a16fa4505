"""A fake OpenAI-compatible server on 127.0.0.1 for the real `openai` SDK to talk to.

Embeddings are deterministic bag-of-words hashes, so texts sharing words are close and a
search through them behaves like a (crude) real model.
"""

import hashlib
import math
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI, Request

from tests.live_server import free_port


def hashed_embedding(text: str, dims: int) -> list[float]:
    vector = [0.0] * dims
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        digest = hashlib.sha256(word.encode()).digest()
        vector[int.from_bytes(digest[:4], "big") % dims] += 1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


@dataclass
class FakeOpenAI:
    url: str
    dims: int
    requests: list[dict] = field(default_factory=list)

    @property
    def embedding_calls(self) -> int:
        return sum(1 for r in self.requests if r["path"] == "/v1/embeddings")


def embeddings_response(body: dict, dims: int) -> dict:
    """What OpenAI's POST /v1/embeddings answers, with hashed vectors."""
    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
    return {
        "object": "list",
        "model": body["model"],
        "data": [{"object": "embedding", "index": i, "embedding": hashed_embedding(text, dims)}
                 for i, text in enumerate(inputs)],
        "usage": {"prompt_tokens": len(inputs), "total_tokens": len(inputs)},
    }


def build_app(state: FakeOpenAI) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/embeddings")
    async def embeddings(request: Request) -> dict:
        body = await request.json()
        state.requests.append({"path": "/v1/embeddings", "body": body,
                               "auth": request.headers.get("authorization")})
        return embeddings_response(body, state.dims)

    return app


@contextmanager
def fake_openai_server(dims: int = 1536) -> Iterator[FakeOpenAI]:
    port = free_port()
    state = FakeOpenAI(url=f"http://127.0.0.1:{port}/v1", dims=dims)
    server = uvicorn.Server(uvicorn.Config(build_app(state), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.01)
    try:
        yield state
    finally:
        server.should_exit = True
        thread.join(timeout=5)
