"""LLM clients for memory extraction: one forced tool call, through the official SDKs.

`call_tool` sends a system and a user message with exactly one tool and forces the model to
call it; the tool call's arguments are the structured output. Timeouts and the capped,
exponentially backed-off retries on 408/409/429/5xx and connection errors are the SDKs' own
(`timeout=`, `max_retries=`); whatever still fails becomes an `LLMError` whose `transient`
flag says whether trying again later may help.
"""

import importlib
import json
from dataclasses import dataclass
from typing import Any, Protocol, cast

from app.config import Settings
from app.errors import AppError
from app.observability.metrics import count_llm_tokens, measure_llm_call
from app.observability.spans import llm_call as traced_llm_call

# Sent when no key is configured, so keyless OpenAI-compatible servers (Ollama, vLLM, a proxy)
# work; a real provider answers it with a 401, reported as a permanent LLMError.
PLACEHOLDER_API_KEY = "unset"
_MAX_DETAIL_CHARS = 500


@dataclass
class ToolCallResult:
    arguments: dict[str, Any]  # the forced tool call's parsed arguments
    prompt_tokens: int
    completion_tokens: int
    calls: int = 1  # requests it took (a server refusing a tool_choice form costs one more)


class LLMError(AppError):
    """The model call failed. Rendered as 502; `transient` tells callers whether to retry later.

    Transient: 408 / 409 / 429 / 5xx, timeouts and connection errors (what the SDK itself
    retries), once its retries are spent. Permanent: other 4xx, and unusable output (no tool
    call, arguments that are not a JSON object, output cut off at the token limit).
    """

    status_code = 502

    def __init__(self, detail: str, *, transient: bool, upstream_status: int | None = None) -> None:
        super().__init__(detail)
        self.transient = transient
        self.upstream_status = upstream_status


class LLMClient(Protocol):
    model: str  # e.g. "openai:gpt-4o-mini"
    calls: int  # call_tool invocations, failed ones included
    prompt_tokens: int  # as reported by the provider's usage, successful calls only
    completion_tokens: int

    async def call_tool(self, *, system: str, user: str, tool_name: str,
                        tool_description: str, parameters: dict[str, Any],
                        strict: bool = False) -> ToolCallResult: ...

    async def aclose(self) -> None: ...


def _retryable_status(status: int) -> bool:
    # The SDKs' own retry policy (both openai and anthropic): these are worth another try.
    return status in (408, 409, 429) or status >= 500


def _body_message(body: object) -> str | None:
    """The human-readable message of an error body: {"error": {"message"}} or {"message"}."""
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return inner["message"]
        if isinstance(inner, str):
            return inner
        if isinstance(body.get("message"), str):
            return body["message"]
    if isinstance(body, str) and body.strip():
        return body
    return None


class _BaseClient:
    provider = ""  # also the name of its SDK's module
    sdk_client = ""  # the SDK's async client class

    def __init__(self, name: str, *, api_key: str | None, base_url: str | None,
                 timeout: float, max_retries: int, max_output_tokens: int) -> None:
        self.model = f"{self.provider}:{name}"
        self._name = name
        self._secret = api_key if api_key and api_key != PLACEHOLDER_API_KEY else None
        self.calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self._max_output_tokens = max_output_tokens
        # The SDK is imported only when its provider is configured.
        self._sdk = importlib.import_module(self.provider)
        self._client = getattr(self._sdk, self.sdk_client)(
            api_key=api_key or PLACEHOLDER_API_KEY, base_url=base_url, timeout=timeout,
            max_retries=max_retries)

    async def aclose(self) -> None:
        await self._client.close()

    def _redact(self, text: str) -> str:
        if self._secret:
            text = text.replace(self._secret, "***")
        return text[:_MAX_DETAIL_CHARS]

    def _error(self, what: str, *, transient: bool, status: int | None = None) -> LLMError:
        return LLMError(self._redact(f"LLM {self.model}: {what}"), transient=transient,
                        upstream_status=status)

    def _map_sdk_error(self, exc: Exception, *, status_error: type, timeout_error: type,
                       connection_error: type) -> LLMError:
        """An SDK exception (after the SDK's own retries) as an LLMError; never the API key."""
        if isinstance(exc, status_error):
            status = int(exc.status_code)  # type: ignore[attr-defined]
            message = _body_message(getattr(exc, "body", None)) or str(exc)
            return self._error(f"{self.provider} API returned HTTP {status}: {message}",
                               transient=_retryable_status(status), status=status)
        if isinstance(exc, timeout_error):
            return self._error(f"{self.provider} API request timed out", transient=True)
        if isinstance(exc, connection_error):
            cause = exc.__cause__ or exc.__context__
            reason = f": {cause}" if cause else ""
            return self._error(f"cannot reach the {self.provider} API{reason}", transient=True)
        # Responses the SDK could not validate, and anything else the SDK raises.
        return self._error(f"{self.provider} API call failed: {type(exc).__name__}: {exc}",
                           transient=False)

    def _account(self, prompt_tokens: int | None, completion_tokens: int | None) -> None:
        self.prompt_tokens += prompt_tokens or 0
        self.completion_tokens += completion_tokens or 0
        count_llm_tokens(self.model, prompt_tokens or 0, completion_tokens or 0)


class OpenAILLMClient(_BaseClient):
    """Chat Completions with a forced function call: OpenAI or any compatible server."""

    provider = "openai"
    sdk_client = "AsyncOpenAI"
    _choice = 0  # index into _tool_choices: the form this server accepts (kept per client)

    async def call_tool(self, *, system: str, user: str, tool_name: str,
                        tool_description: str, parameters: dict[str, Any],
                        strict: bool = False) -> ToolCallResult:
        """`strict`: the parameters follow OpenAI's strict rules, so ask for exact adherence.
        A server that refuses a tool_choice naming the function (some local ones) is asked
        again with "required", then "auto"; the form that worked is kept for later calls."""
        function: dict[str, Any] = {"name": tool_name, "description": tool_description,
                                    "parameters": parameters}
        if strict:
            function["strict"] = True
        choices = _tool_choices(tool_name)
        attempts = 0
        while True:
            attempts += 1
            try:
                result = await self._call(system=system, user=user, function=function,
                                          tool_choice=choices[self._choice])
            except LLMError as exc:
                if self._choice + 1 < len(choices) and _refuses_tool_choice(exc):
                    self._choice += 1
                    continue
                raise
            result.calls = attempts
            return result

    @measure_llm_call
    @traced_llm_call
    async def _call(self, *, system: str, user: str, function: dict[str, Any],
                    tool_choice: Any) -> ToolCallResult:
        self.calls += 1
        openai = self._sdk
        tool_name = function["name"]
        try:
            response = await self._client.chat.completions.create(
                model=self._name,
                messages=[{"role": "system", "content": system},
                          {"role": "user", "content": user}],
                tools=[{"type": "function", "function": cast(Any, function)}],
                tool_choice=tool_choice,
                # The SDK's current name for the output cap (`max_tokens` is deprecated and
                # rejected by reasoning models); servers that do not know it ignore it.
                max_completion_tokens=self._max_output_tokens,
            )
        except openai.OpenAIError as exc:
            raise self._map_sdk_error(exc, status_error=openai.APIStatusError,
                                      timeout_error=openai.APITimeoutError,
                                      connection_error=openai.APIConnectionError) from exc

        usage = response.usage
        self._account(usage.prompt_tokens if usage else 0,
                      usage.completion_tokens if usage else 0)
        if not response.choices:
            raise self._error("model returned no choices", transient=False)
        choice = response.choices[0]
        calls = choice.message.tool_calls or []
        # Only one tool is offered, so the first function call is the forced one.
        called = next((f for c in calls if (f := getattr(c, "function", None))), None)
        if called is None:
            if choice.finish_reason == "length":
                raise self._error("output cut off at the token limit before the tool call "
                                  f"(max_completion_tokens={self._max_output_tokens})",
                                  transient=False)
            raise self._error(f"model returned no tool call to {tool_name!r} "
                              f"(finish_reason={choice.finish_reason!r})", transient=False)
        if choice.finish_reason == "length":
            raise self._error("output cut off at the token limit: tool call arguments are "
                              f"incomplete (max_completion_tokens={self._max_output_tokens})",
                              transient=False)
        try:
            arguments = json.loads(called.arguments)
        except (TypeError, ValueError) as exc:
            raise self._error(f"tool call arguments are not valid JSON: {exc}",
                              transient=False) from exc
        if not isinstance(arguments, dict):
            raise self._error("tool call arguments are not a JSON object "
                              f"(got {type(arguments).__name__})", transient=False)
        return ToolCallResult(arguments, usage.prompt_tokens if usage else 0,
                              usage.completion_tokens if usage else 0)


class AnthropicLLMClient(_BaseClient):
    """The Messages API with a forced tool: `tool_choice={"type": "tool", "name": ...}`."""

    provider = "anthropic"
    sdk_client = "AsyncAnthropic"

    @measure_llm_call
    @traced_llm_call
    async def call_tool(self, *, system: str, user: str, tool_name: str,
                        tool_description: str, parameters: dict[str, Any],
                        strict: bool = False) -> ToolCallResult:
        # Anthropic tool use has no strict flag; the typed schema is what the model fills.
        self.calls += 1
        anthropic = self._sdk
        try:
            response = await self._client.messages.create(
                model=self._name,
                system=system,
                messages=[{"role": "user", "content": user}],
                tools=[{"name": tool_name, "description": tool_description,
                        "input_schema": parameters}],
                tool_choice={"type": "tool", "name": tool_name},
                max_tokens=self._max_output_tokens,
            )
        except anthropic.AnthropicError as exc:
            raise self._map_sdk_error(exc, status_error=anthropic.APIStatusError,
                                      timeout_error=anthropic.APITimeoutError,
                                      connection_error=anthropic.APIConnectionError) from exc

        usage = response.usage
        self._account(usage.input_tokens if usage else 0, usage.output_tokens if usage else 0)
        if response.stop_reason == "max_tokens":
            raise self._error("output cut off at the token limit: tool call input is "
                              f"incomplete (max_tokens={self._max_output_tokens})",
                              transient=False)
        block = next((b for b in response.content or []
                      if getattr(b, "type", None) == "tool_use"), None)
        if block is None:
            raise self._error(f"model returned no tool call to {tool_name!r} "
                              f"(stop_reason={response.stop_reason!r})", transient=False)
        arguments = getattr(block, "input", None)  # a tool_use block's
        if not isinstance(arguments, dict):
            raise self._error("tool call input is not a JSON object "
                              f"(got {type(arguments).__name__})", transient=False)
        return ToolCallResult(dict(arguments), usage.input_tokens if usage else 0,
                              usage.output_tokens if usage else 0)


def _tool_choices(tool_name: str) -> list[Any]:
    return [{"type": "function", "function": {"name": tool_name}}, "required", "auto"]


def _refuses_tool_choice(exc: LLMError) -> bool:
    """A 400/422 about tool_choice: the server does not take this form (vLLM without guided
    decoding, llama.cpp and others answer so for a named function)."""
    return exc.upstream_status in (400, 422) and "tool_choice" in exc.detail.lower()


def create_llm_client(settings: Settings) -> LLMClient | None:
    """The extraction model from LLM_MODEL, or None when it is unset."""
    if not settings.llm_model:
        return None
    provider, _, name = settings.llm_model.partition(":")
    clients: dict[str, tuple[type[_BaseClient], str | None, str | None]] = {
        "openai": (OpenAILLMClient, settings.openai_api_key, settings.openai_base_url),
        "anthropic": (AnthropicLLMClient, settings.anthropic_api_key,
                      settings.anthropic_base_url)}
    if provider not in clients:
        raise ValueError(f"unknown LLM provider in LLM_MODEL={settings.llm_model!r}")
    client, api_key, base_url = clients[provider]
    created = client(name, api_key=api_key, base_url=base_url,
                     timeout=settings.llm_timeout_seconds, max_retries=settings.llm_max_retries,
                     max_output_tokens=settings.llm_max_output_tokens)
    return cast(LLMClient, created)  # OpenAILLMClient and AnthropicLLMClient: both fit it
