"""A scripted fake LLM server on 127.0.0.1 that the real `openai` and `anthropic` SDKs talk to.

One uvicorn server in a background thread speaks three wire formats:

- OpenAI  `POST /v1/chat/completions` -> one function tool call (base_url: `fake.openai_url`)
- Anthropic `POST /v1/messages`       -> one `tool_use` block (base_url: `fake.anthropic_url`)
- OpenAI  `POST /v1/embeddings`       -> `hashed_embedding` vectors, as tests/fakes/openai_server

What the model "answers" is scripted with `fake.script(*responders, default=...)`: a queue
consumed in order, one entry per LLM request, then the default. A responder is

- a dict: the tool call's arguments;
- a callable `(request_body) -> responder` (sync or async), e.g. building arguments from the
  prompt (`user_text(body)`); it may return any responder below as well as a dict;
- `Failure(status=500, times=2)`: answer that HTTP error `times` times (with `retry-after-ms`
  so the SDKs' retries are quick); as the default, every request fails;
- `Delay(seconds, then=None)`: answer after a pause, with `then` or else the next responder;
- `NoToolCall(text)`: a plain text answer, no tool call;
- `RawArguments(text, truncated=False)`: these exact argument characters (invalid JSON, a
  list...), and with `truncated` the output is cut off at the token limit;
- `ToolCall(name, arguments)`: a call of the tool with this name (any tool the request offers,
  not only the forced or first one), as agents' models choose among several tools; a list or
  tuple of `ToolCall`s answers with parallel tool calls in one message.

Token usage is deterministic and returned in `usage`: prompt tokens are the whitespace-split
words of the system text, the message texts, the tool's name and description and its schema
as sorted-key JSON (`prompt_tokens_for`); completion tokens are the words of the arguments as
sorted-key JSON (`completion_tokens_for`). `fake.prompt_tokens` / `fake.completion_tokens` sum
them over successful answers, so a client's counters can be checked against the server's.
`fake.in_flight` / `fake.max_in_flight` count LLM requests being answered at once.

Like strict real servers, the fake answers 400 before any responder runs when an OpenAI tool
with `strict: true` has a schema OpenAI would refuse (`schema_literal.strict_violation`), and
when `fake.refused_tool_choices` holds the request's tool_choice form ("named", "required" or
"auto"), as some OpenAI-compatible local servers refuse a tool_choice naming a function.
`schema_literal.schema_literal` is the responder of a model that fills the offered schema
literally.

Usage, from sync or async tests (`async with` works too):

    with fake_llm_server() as fake:
        fake.script(Failure(500, times=2), {"memories": []}, default={"memories": []})
        settings = Settings(llm_model="openai:gpt-4o-mini", openai_base_url=fake.openai_url)
        ...
        assert fake.calls == 4 and fake.failures == 2
"""

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.fakes.openai_server import embeddings_response
from tests.fakes.schema_literal import strict_violation
from tests.live_server import free_port

OPENAI_CHAT_PATH = "/v1/chat/completions"
ANTHROPIC_MESSAGES_PATH = "/v1/messages"
EMBEDDINGS_PATH = "/v1/embeddings"
LLM_PATHS = (OPENAI_CHAT_PATH, ANTHROPIC_MESSAGES_PATH)
UNSCRIPTED_STATUS = 418  # a 4xx the SDKs do not retry, and that no scripted Failure uses


@dataclass(frozen=True)
class Failure:
    """Answer with this HTTP error; consumed after `times` requests (never, as the default)."""

    status: int = 500
    times: int = 1
    message: str = "fake LLM server: scripted failure"
    retry_after_ms: int | None = 10  # keeps the SDKs' retry backoff short in tests
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Delay:
    """Answer after `seconds`, with `then`, or else with the next scripted responder."""

    seconds: float
    then: Any = None


@dataclass(frozen=True)
class NoToolCall:
    """A plain text answer without the tool call."""

    text: str = "I have nothing to add."


@dataclass(frozen=True)
class RawArguments:
    """A tool call with these exact argument characters; `truncated`: cut off at max tokens."""

    text: str
    truncated: bool = False


@dataclass(frozen=True)
class ToolCall:
    """A call of the tool named `name` with these arguments (a list of them: parallel calls)."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


Responder = dict[str, Any] | Callable[[dict[str, Any]], Any] | Failure | Delay | NoToolCall \
    | RawArguments | ToolCall | list[ToolCall] | tuple[ToolCall, ...]


@dataclass
class RecordedRequest:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]  # lower-case names
    status: int = 0  # the status the fake answered with (0 while still being answered)


def count_words(text: str) -> int:
    return len(text.split())


def schema_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def prompt_tokens_for(*, system: str, user: str, tool_name: str, tool_description: str,
                      parameters: dict[str, Any]) -> int:
    """The prompt tokens the fake reports for one call_tool(...) request, for either provider."""
    return sum(count_words(t) for t in
               (system, user, tool_name, tool_description, schema_json(parameters)))


def completion_tokens_for(arguments: Any) -> int:
    """The completion tokens the fake reports for a tool call with these arguments."""
    if isinstance(arguments, ToolCall):
        return count_words(schema_json(arguments.arguments))
    if isinstance(arguments, list | tuple):
        return sum(completion_tokens_for(call) for call in arguments)
    return count_words(arguments.text if isinstance(arguments, RawArguments)
                       else schema_json(arguments))


def _content_text(content: Any) -> str:
    """A message's text: a string, or a list of content parts/blocks with "text"."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def system_text(body: dict[str, Any]) -> str:
    """The system prompt of an OpenAI chat or Anthropic messages request body."""
    if "system" in body:  # Anthropic
        return _content_text(body["system"])
    return " ".join(_content_text(m.get("content")) for m in body.get("messages", [])
                    if m.get("role") in ("system", "developer"))


def user_text(body: dict[str, Any]) -> str:
    """The user messages' text of an OpenAI chat or Anthropic messages request body."""
    return " ".join(_content_text(m.get("content")) for m in body.get("messages", [])
                    if m.get("role") == "user")


def _tool(body: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """(name, description, schema) of the request's forced (else first) tool, either format."""
    choice = body.get("tool_choice")
    forced = None
    if isinstance(choice, dict):  # OpenAI nests the name under "function", Anthropic does not
        forced = choice.get("name") or (choice.get("function") or {}).get("name")
    specs = [tool.get("function", tool) for tool in body.get("tools") or []] or [{}]
    spec = next((s for s in specs if s.get("name") == forced), specs[0])
    return (spec.get("name", ""), spec.get("description", ""),
            spec.get("parameters", spec.get("input_schema", {})))


def request_prompt_tokens(body: dict[str, Any]) -> int:
    name, description, schema = _tool(body)
    messages = " ".join(_content_text(m.get("content")) for m in body.get("messages", []))
    system = _content_text(body.get("system", ""))
    return sum(count_words(t) for t in (system, messages, name, description, schema_json(schema)))


class FakeLLMServer:
    """Start with `with`/`async with` (or start()/stop()); see the module docstring."""

    def __init__(self, dims: int = 1536) -> None:
        self.dims = dims
        self.port = 0
        self.url = ""
        self.requests: list[RecordedRequest] = []
        self.calls = 0  # LLM requests received (chat completions + messages), failures included
        self.failures = 0  # LLM requests answered with an error status
        self.prompt_tokens = 0  # usage reported in successful answers
        self.completion_tokens = 0
        self.in_flight = 0  # LLM requests being answered now
        self.max_in_flight = 0  # the most at once since the last reset
        self.refused_tool_choices: set[str] = set()  # answered with 400 (see the docstring)
        self._generation = 0
        self._lock = threading.Lock()
        self._queue: list[list[Any]] = []  # [responder, remaining uses]
        self._default: Any = None
        self._ids = itertools.count(1)
        self._closing = False
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- scripting and reading -------------------------------------------------------------

    def script(self, *responders: Responder, default: Any = ...) -> "FakeLLMServer":
        """Queue responders (consumed in order); `default` answers once the queue is empty."""
        with self._lock:
            for responder in responders:
                uses = responder.times if isinstance(responder, Failure) else 1
                self._queue.append([responder, uses])
            if default is not ...:
                self._default = default
        return self

    def reset(self) -> None:
        """Forget the script, the default, the recorded requests and every counter."""
        with self._lock:
            self._queue.clear()
            self._default = None
            self.requests.clear()
            self.calls = self.failures = self.prompt_tokens = self.completion_tokens = 0
            # Requests of an earlier test may still be held (a delayed answer whose client is
            # gone): they belong to that test's generation and are no longer counted.
            self._generation += 1
            self.in_flight = self.max_in_flight = 0
            self.refused_tool_choices = set()

    @property
    def pending(self) -> int:
        """Scripted responder uses not consumed yet."""
        with self._lock:
            return sum(uses for _, uses in self._queue)

    @property
    def llm_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path in LLM_PATHS]

    @property
    def embedding_calls(self) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path == EMBEDDINGS_PATH)

    @property
    def openai_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def anthropic_url(self) -> str:
        return self.url  # the anthropic SDK appends /v1/messages itself

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> "FakeLLMServer":
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._closing = False
        config = uvicorn.Config(build_app(self), host="127.0.0.1", port=self.port,
                                log_level="warning", lifespan="off",
                                timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True,
                                         name=f"fake-llm-{self.port}")
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"fake LLM server did not start on port {self.port}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._closing = True  # wakes Delay responders
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "FakeLLMServer":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    async def __aenter__(self) -> "FakeLLMServer":
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, *_: object) -> None:
        await asyncio.to_thread(self.stop)

    # -- answering (runs on the server's event loop) ---------------------------------------

    def _record(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> RecordedRequest:
        record = RecordedRequest(path, body, headers)
        with self._lock:
            self.requests.append(record)
            if path in LLM_PATHS:
                self.calls += 1
        return record

    def _next(self) -> Any:
        with self._lock:
            if self._queue:
                entry = self._queue[0]
                entry[1] -= 1
                if entry[1] <= 0:
                    self._queue.pop(0)
                return entry[0]
            return self._default

    async def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._closing and time.monotonic() < deadline:
            await asyncio.sleep(min(0.02, max(0.0, deadline - time.monotonic())))

    async def _resolve(self, responder: Any, body: dict[str, Any]) -> Any:
        """Run callables and delays down to a dict, Failure, NoToolCall, RawArguments or None."""
        for _ in range(100):
            if isinstance(responder, Delay):
                then = responder.then if responder.then is not None else self._next()
                await self._sleep(responder.seconds)
                responder = then
            elif callable(responder):
                responder = responder(body)
                if asyncio.iscoroutine(responder):
                    responder = await responder
            else:
                return responder
        raise RuntimeError("fake LLM server: responders nest too deeply")

    async def answer(self, provider: str, request: Request) -> JSONResponse:
        with self._lock:
            generation = self._generation
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(provider, request)
        finally:
            with self._lock:
                if generation == self._generation:
                    self.in_flight -= 1

    async def _answer(self, provider: str, request: Request) -> JSONResponse:
        body = await request.json()
        path = OPENAI_CHAT_PATH if provider == "openai" else ANTHROPIC_MESSAGES_PATH
        record = self._record(path, body, dict(request.headers))
        if refusal := self._refusal(provider, body):
            with self._lock:
                self.failures += 1
            record.status = 400
            return _error_response(provider, Failure(status=400, message=refusal))
        try:
            responder = await self._resolve(self._next(), body)
        except Exception as exc:  # a broken callable: say so in the error the client sees
            responder = Failure(status=UNSCRIPTED_STATUS,
                                message=f"fake LLM server: responder raised {exc!r}")
        if responder is None:
            responder = Failure(status=UNSCRIPTED_STATUS,
                                message="fake LLM server: no response scripted for this request")
        if isinstance(responder, Failure):
            response = _error_response(provider, responder)
            with self._lock:
                self.failures += 1
        else:
            payload, prompt, completion = _completion(provider, body, responder,
                                                      next(self._ids))
            with self._lock:
                self.prompt_tokens += prompt
                self.completion_tokens += completion
            response = JSONResponse(payload, headers={"x-request-id": f"req_fake_{self.port}"})
        record.status = response.status_code
        return response


    def _refusal(self, provider: str, body: dict[str, Any]) -> str | None:
        """Why a strict real server would refuse this request with a 400, if it would."""
        choice = body.get("tool_choice")
        form = "named" if isinstance(choice, dict) else choice
        if form in self.refused_tool_choices:
            return f"tool_choice {form!r} is not supported by this server"
        if provider != "openai":
            return None
        for tool in body.get("tools") or []:
            function = tool.get("function") or {}
            if function.get("strict") and (reason := strict_violation(function.get("parameters"))):
                return f"Invalid schema for function '{function.get('name')}': {reason}"
        return None


def _error_response(provider: str, failure: Failure) -> JSONResponse:
    kind = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
            404: "not_found_error", 429: "rate_limit_error", 529: "overloaded_error"}.get(
                failure.status, "api_error" if failure.status >= 500 else "invalid_request_error")
    if provider == "openai":
        body: dict[str, Any] = {"error": {"message": failure.message, "type": kind,
                                          "param": None, "code": None}}
    else:
        body = {"type": "error", "error": {"type": kind, "message": failure.message},
                "request_id": "req_fake"}
    headers = dict(failure.headers)
    if failure.retry_after_ms is not None:
        headers.setdefault("retry-after-ms", str(failure.retry_after_ms))
    return JSONResponse(body, status_code=failure.status, headers=headers)


def _completion(provider: str, body: dict[str, Any], responder: Any,
                number: int) -> tuple[dict[str, Any], int, int]:
    """The success payload in the provider's exact wire shape, and its (prompt, completion)."""
    if isinstance(responder, ToolCall):
        responder = [responder]
    if isinstance(responder, list | tuple):
        if not responder or not all(isinstance(c, ToolCall) for c in responder):
            raise TypeError(f"fake LLM server: not a list of ToolCall: {responder!r}")
        return _named_calls(provider, body, list(responder), number)
    if not isinstance(responder, dict | NoToolCall | RawArguments):
        raise TypeError(f"fake LLM server: not a responder: {responder!r}")
    tool_name = _tool(body)[0]
    prompt = request_prompt_tokens(body)
    truncated = isinstance(responder, RawArguments) and responder.truncated
    if isinstance(responder, NoToolCall):
        completion = count_words(responder.text)
    else:
        completion = completion_tokens_for(responder)
    if provider == "openai":
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None,
                                   "annotations": []}
        if isinstance(responder, NoToolCall):
            message["content"] = responder.text
            finish = "stop"
        else:
            arguments = (responder.text if isinstance(responder, RawArguments)
                         else json.dumps(responder))
            message["tool_calls"] = [{"id": f"call_fake_{number}", "type": "function",
                                      "function": {"name": tool_name, "arguments": arguments}}]
            # Like OpenAI: a tool forced by name finishes with "stop", not "tool_calls".
            forced = isinstance(body.get("tool_choice"), dict)
            finish = "length" if truncated else ("stop" if forced else "tool_calls")
        payload: dict[str, Any] = {
            "id": f"chatcmpl-fake-{number}", "object": "chat.completion",
            "created": int(time.time()), "model": body.get("model", ""),
            "system_fingerprint": "fp_fake", "service_tier": "default",
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion},
        }
        return payload, prompt, completion

    if isinstance(responder, NoToolCall):
        content: list[dict[str, Any]] = [{"type": "text", "text": responder.text}]
        stop = "end_turn"
    else:
        if isinstance(responder, RawArguments):
            try:
                tool_input: Any = json.loads(responder.text)
            except ValueError:
                tool_input = {}  # the API only ever sends an object, possibly partial
        else:
            tool_input = responder
        content = [{"type": "tool_use", "id": f"toolu_fake_{number}", "name": tool_name,
                    "input": tool_input}]
        stop = "max_tokens" if truncated else "tool_use"
    payload = {
        "id": f"msg_fake_{number}", "type": "message", "role": "assistant",
        "model": body.get("model", ""), "content": content, "stop_reason": stop,
        "stop_sequence": None,
        "usage": {"input_tokens": prompt, "output_tokens": completion,
                  "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
    }
    return payload, prompt, completion


def _named_calls(provider: str, body: dict[str, Any], calls: list[ToolCall],
                 number: int) -> tuple[dict[str, Any], int, int]:
    """One answer with these tool calls (by name), in the provider's exact wire shape."""
    prompt = request_prompt_tokens(body)
    completion = completion_tokens_for(calls)
    if provider == "openai":
        message: dict[str, Any] = {
            "role": "assistant", "content": None, "refusal": None, "annotations": [],
            "tool_calls": [{"id": f"call_fake_{number}_{i}", "type": "function",
                            "function": {"name": call.name,
                                         "arguments": json.dumps(call.arguments)}}
                           for i, call in enumerate(calls)]}
        forced = isinstance(body.get("tool_choice"), dict)
        payload: dict[str, Any] = {
            "id": f"chatcmpl-fake-{number}", "object": "chat.completion",
            "created": int(time.time()), "model": body.get("model", ""),
            "system_fingerprint": "fp_fake", "service_tier": "default",
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": "stop" if forced else "tool_calls"}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion},
        }
        return payload, prompt, completion
    payload = {
        "id": f"msg_fake_{number}", "type": "message", "role": "assistant",
        "model": body.get("model", ""),
        "content": [{"type": "tool_use", "id": f"toolu_fake_{number}_{i}", "name": call.name,
                     "input": call.arguments} for i, call in enumerate(calls)],
        "stop_reason": "tool_use", "stop_sequence": None,
        "usage": {"input_tokens": prompt, "output_tokens": completion,
                  "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
    }
    return payload, prompt, completion


def build_app(state: FakeLLMServer) -> FastAPI:
    app = FastAPI()

    @app.post(OPENAI_CHAT_PATH)
    async def chat_completions(request: Request) -> JSONResponse:
        return await state.answer("openai", request)

    @app.post(ANTHROPIC_MESSAGES_PATH)
    async def messages(request: Request) -> JSONResponse:
        return await state.answer("anthropic", request)

    @app.post(EMBEDDINGS_PATH)
    async def embeddings(request: Request) -> dict:
        body = await request.json()
        state._record(EMBEDDINGS_PATH, body, dict(request.headers)).status = 200
        return embeddings_response(body, state.dims)

    return app


def fake_llm_server(dims: int = 1536) -> FakeLLMServer:
    """`with fake_llm_server() as fake:` (or `async with`): a started fake, stopped on exit."""
    return FakeLLMServer(dims=dims)
