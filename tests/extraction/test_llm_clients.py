"""The extraction LLM clients, through the real openai and anthropic SDKs, against the fake."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anthropic
import httpx
import openai
import pytest
from anthropic.types import Message
from openai.types.chat import ChatCompletion

from app.config import Settings
from app.extraction.llm import (
    AnthropicLLMClient,
    LLMError,
    OpenAILLMClient,
    ToolCallResult,
    create_llm_client,
)
from tests.fakes.llm_server import (
    ANTHROPIC_MESSAGES_PATH,
    OPENAI_CHAT_PATH,
    Delay,
    Failure,
    FakeLLMServer,
    NoToolCall,
    RawArguments,
    completion_tokens_for,
    fake_llm_server,
    prompt_tokens_for,
    user_text,
)
from tests.fakes.openai_server import hashed_embedding
from tests.live_server import free_port

PROVIDERS = ["openai", "anthropic"]
MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet-4-5"}
API_KEY = "sk-test-0123456789abcdef"
SYSTEM = "You extract durable facts about the user from a conversation."
USER = "Conversation:\nuser: I moved to Lisbon last spring and I love surfing."
TOOL = "record_memories"
DESCRIPTION = "Record the memories worth keeping."
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"memories": {"type": "array", "items": {
        "type": "object",
        "properties": {"content": {"type": "string"}, "id": {"type": ["string", "null"]}},
        "required": ["content"]}}},
    "required": ["memories"],
}
ARGS = {"memories": [{"content": "Lives in Lisbon since last spring", "id": None},
                     {"content": "Loves surfing", "id": None}]}


_open_clients: list[Any] = []


@pytest.fixture
def fake() -> Iterator[FakeLLMServer]:
    with fake_llm_server() as server:
        yield server


@pytest.fixture(autouse=True)
async def close_clients() -> AsyncIterator[None]:
    """Close every client a test made: an SDK client left to the garbage collector closes its
    sockets from a finalizer, at some later point, in the middle of another test."""
    yield
    while _open_clients:
        await _open_clients.pop().aclose()


def new_client(settings: Settings) -> Any:
    client = create_llm_client(settings)
    assert client is not None
    _open_clients.append(client)
    return client


def llm_settings(provider: str, base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "llm_model": f"{provider}:{MODELS[provider]}",
        "openai_api_key": API_KEY, "anthropic_api_key": API_KEY,
        "openai_base_url": base_url if provider == "openai" else None,
        "anthropic_base_url": base_url if provider == "anthropic" else None,
        "llm_timeout_seconds": 10.0, "llm_max_retries": 2, "llm_max_output_tokens": 1234,
    }
    return Settings(_env_file=None, **{**values, **overrides})


def client_for(fake: FakeLLMServer, provider: str, **overrides: Any):
    url = fake.openai_url if provider == "openai" else fake.anthropic_url
    return new_client(llm_settings(provider, url, **overrides))


async def call(client, user: str = USER) -> ToolCallResult:
    return await client.call_tool(system=SYSTEM, user=user, tool_name=TOOL,
                                  tool_description=DESCRIPTION, parameters=SCHEMA)


async def call_error(client, user: str = USER) -> LLMError:
    with pytest.raises(LLMError) as caught:
        await call(client, user)
    return caught.value


# -- round trips -------------------------------------------------------------------------------

async def test_openai_forced_tool_call_round_trip(fake: FakeLLMServer) -> None:
    fake.script(ARGS)
    client = client_for(fake, "openai")

    result = await call(client)

    assert result.arguments == ARGS
    [request] = fake.requests
    assert request.path == OPENAI_CHAT_PATH
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    body = request.body
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"] == [{"role": "system", "content": SYSTEM},
                                {"role": "user", "content": USER}]
    assert body["tools"] == [{"type": "function", "function": {
        "name": TOOL, "description": DESCRIPTION, "parameters": SCHEMA}}]
    assert body["tool_choice"] == {"type": "function", "function": {"name": TOOL}}
    assert body["max_completion_tokens"] == 1234
    assert "stream" not in body or body["stream"] is False


async def test_anthropic_forced_tool_call_round_trip(fake: FakeLLMServer) -> None:
    fake.script(ARGS)
    client = client_for(fake, "anthropic")

    result = await call(client)

    assert result.arguments == ARGS
    [request] = fake.requests
    assert request.path == ANTHROPIC_MESSAGES_PATH
    # Older SDKs send the key as x-api-key, current ones as a bearer token.
    assert API_KEY in (request.headers.get("x-api-key"),
                       request.headers.get("authorization", "").removeprefix("Bearer "))
    assert request.headers["anthropic-version"]
    body = request.body
    assert body["model"] == "claude-sonnet-4-5"
    assert body["system"] == SYSTEM
    assert body["messages"] == [{"role": "user", "content": USER}]
    assert body["tools"] == [{"name": TOOL, "description": DESCRIPTION, "input_schema": SCHEMA}]
    assert body["tool_choice"] == {"type": "tool", "name": TOOL}
    assert body["max_tokens"] == 1234


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_token_counters_match_the_server(fake: FakeLLMServer, provider: str) -> None:
    # A callable responder builds its arguments from the prompt it receives.
    fake.script(default=lambda body: {"memories": [{"content": user_text(body).upper()}]})
    client = client_for(fake, provider)
    prompts = [USER, "user: my dog is called Rex", "user: I prefer tea over coffee, always"]

    results = [await call(client, prompt) for prompt in prompts]

    for prompt, result in zip(prompts, results, strict=True):
        assert result.arguments == {"memories": [{"content": prompt.upper()}]}
        assert result.prompt_tokens == prompt_tokens_for(
            system=SYSTEM, user=prompt, tool_name=TOOL, tool_description=DESCRIPTION,
            parameters=SCHEMA)
        assert result.completion_tokens == completion_tokens_for(result.arguments)
    assert client.calls == fake.calls == 3
    assert client.prompt_tokens == fake.prompt_tokens == sum(r.prompt_tokens for r in results)
    assert client.completion_tokens == fake.completion_tokens == sum(
        r.completion_tokens for r in results)
    assert fake.prompt_tokens > 0 and fake.completion_tokens > 0


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_concurrent_calls(fake: FakeLLMServer, provider: str) -> None:
    # Every answer is held back a little, so the requests are in flight together.
    fake.script(default=Delay(0.2, then=lambda body: {"echo": user_text(body)}))
    client = client_for(fake, provider)

    results = await asyncio.gather(*(call(client, f"user: fact number {i}") for i in range(12)))

    assert [r.arguments for r in results] == [{"echo": f"user: fact number {i}"}
                                              for i in range(12)]
    assert client.calls == fake.calls == 12
    assert client.prompt_tokens == fake.prompt_tokens


# -- failures ----------------------------------------------------------------------------------

@pytest.mark.parametrize("provider", PROVIDERS)
async def test_transient_failures_are_retried_by_the_sdk(fake: FakeLLMServer,
                                                         provider: str) -> None:
    fake.script(Failure(status=500, times=2), ARGS)
    client = client_for(fake, provider, llm_max_retries=2)

    result = await call(client)

    assert result.arguments == ARGS
    assert [r.status for r in fake.requests] == [500, 500, 200]
    assert fake.calls == 3 and fake.failures == 2
    assert client.calls == 1  # one logical call, however many attempts
    assert client.prompt_tokens == fake.prompt_tokens == result.prompt_tokens
    assert fake.pending == 0


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("status", [500, 503, 429])
async def test_persistent_transient_failure(fake: FakeLLMServer, provider: str,
                                            status: int) -> None:
    fake.script(default=Failure(status=status, message="upstream is on fire"))
    client = client_for(fake, provider, llm_max_retries=2)

    error = await call_error(client)

    assert error.transient is True
    assert error.status_code == 502
    assert error.upstream_status == status
    assert fake.calls == 3  # the first attempt and the SDK's two retries
    assert client.calls == 1 and client.prompt_tokens == 0
    assert provider in error.detail and MODELS[provider] in error.detail
    assert str(status) in error.detail and "upstream is on fire" in error.detail


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_bad_request_is_permanent_and_not_retried(fake: FakeLLMServer,
                                                        provider: str) -> None:
    fake.script(Failure(status=400, message="tools[0].input_schema: invalid"), ARGS)
    client = client_for(fake, provider, llm_max_retries=2)

    error = await call_error(client)

    assert error.transient is False
    assert error.upstream_status == 400
    assert "400" in error.detail and "tools[0].input_schema: invalid" in error.detail
    assert f"{provider}:{MODELS[provider]}" in error.detail
    assert fake.calls == 1 and fake.pending == 1  # not retried: ARGS is still queued


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_error_messages_never_include_the_api_key(fake: FakeLLMServer,
                                                        provider: str) -> None:
    fake.script(Failure(status=401, message=f"Incorrect API key provided: {API_KEY}"))
    client = client_for(fake, provider)

    error = await call_error(client)

    assert error.transient is False
    assert "401" in error.detail and "Incorrect API key provided" in error.detail
    assert API_KEY not in error.detail and API_KEY not in str(error)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_no_tool_call_is_a_permanent_error(fake: FakeLLMServer, provider: str) -> None:
    fake.script(NoToolCall("Nothing worth remembering here."))
    client = client_for(fake, provider)

    error = await call_error(client)

    assert error.transient is False
    assert "no tool call" in error.detail
    assert client.calls == 1 and client.prompt_tokens == fake.prompt_tokens > 0


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_arguments_that_are_not_an_object(fake: FakeLLMServer, provider: str) -> None:
    fake.script(RawArguments('["Lives in Lisbon"]'))
    client = client_for(fake, provider)

    error = await call_error(client)

    assert error.transient is False
    assert "not a JSON object" in error.detail


async def test_openai_arguments_that_are_not_json(fake: FakeLLMServer) -> None:
    fake.script(RawArguments('{"memories": [{"content": "Lives in'))
    error = await call_error(client_for(fake, "openai"))
    assert error.transient is False
    assert "not valid JSON" in error.detail


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_output_cut_off_at_the_token_limit(fake: FakeLLMServer, provider: str) -> None:
    fake.script(RawArguments('{"memories": [{"content": "Lives in', truncated=True))
    error = await call_error(client_for(fake, provider))
    assert error.transient is False
    assert "token limit" in error.detail and "1234" in error.detail


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_timeout_is_transient(fake: FakeLLMServer, provider: str) -> None:
    fake.script(default=Delay(30, then=ARGS))
    client = client_for(fake, provider, llm_timeout_seconds=0.3, llm_max_retries=1)

    error = await call_error(client)

    assert error.transient is True
    assert "timed out" in error.detail
    assert fake.calls == 2  # the SDK retried the timed-out attempt once


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_unreachable_server_is_transient(provider: str) -> None:
    client = new_client(llm_settings(provider, f"http://127.0.0.1:{free_port()}",
                                     llm_max_retries=0))

    error = await call_error(client)

    assert error.transient is True
    assert "cannot reach" in error.detail and provider in error.detail


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_unscripted_request_fails_clearly(fake: FakeLLMServer, provider: str) -> None:
    error = await call_error(client_for(fake, provider))
    assert error.transient is False
    assert "no response scripted" in error.detail


# -- construction ------------------------------------------------------------------------------

def test_no_client_without_llm_model() -> None:
    assert create_llm_client(Settings(_env_file=None, llm_model=None)) is None


def test_client_type_per_provider() -> None:
    openai_client = new_client(llm_settings("openai", "http://127.0.0.1:1/v1"))
    anthropic_client = new_client(llm_settings("anthropic", "http://127.0.0.1:1"))
    assert isinstance(openai_client, OpenAILLMClient)
    assert openai_client.model == "openai:gpt-4o-mini"
    assert isinstance(anthropic_client, AnthropicLLMClient)
    assert anthropic_client.model == "anthropic:claude-sonnet-4-5"
    for client in (openai_client, anthropic_client):
        assert (client.calls, client.prompt_tokens, client.completion_tokens) == (0, 0, 0)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_keyless_local_server(fake: FakeLLMServer, provider: str) -> None:
    fake.script(ARGS)
    client = client_for(fake, provider, openai_api_key=None, anthropic_api_key=None)
    assert (await call(client)).arguments == ARGS


# -- the fake itself ---------------------------------------------------------------------------

def test_fake_answers_in_the_sdks_wire_shapes(fake: FakeLLMServer) -> None:
    """The fake's bodies validate against the SDKs' own response models."""
    fake.script(ARGS, NoToolCall(), ARGS, NoToolCall())
    chat = {"model": "m", "messages": [{"role": "user", "content": USER}],
            "tools": [{"type": "function", "function": {"name": TOOL, "parameters": SCHEMA}}],
            "tool_choice": {"type": "function", "function": {"name": TOOL}}}
    messages = {"model": "m", "max_tokens": 100, "messages": [{"role": "user", "content": USER}],
                "tools": [{"name": TOOL, "input_schema": SCHEMA}],
                "tool_choice": {"type": "tool", "name": TOOL}}
    with httpx.Client() as http:
        tool_call, text = (ChatCompletion.model_validate(
            http.post(f"{fake.openai_url}/chat/completions", json=chat).json())
            for _ in range(2))
        tool_use, text_block = (Message.model_validate(
            http.post(f"{fake.anthropic_url}/v1/messages", json=messages).json())
            for _ in range(2))
    assert tool_call.choices[0].message.tool_calls[0].function.name == TOOL
    assert tool_call.usage.prompt_tokens > 0
    assert text.choices[0].message.tool_calls is None and text.choices[0].message.content
    assert tool_use.content[0].type == "tool_use" and tool_use.content[0].input == ARGS
    assert tool_use.stop_reason == "tool_use" and tool_use.usage.output_tokens > 0
    assert text_block.content[0].type == "text" and text_block.stop_reason == "end_turn"


async def test_fake_serves_embeddings_and_async_with() -> None:
    async with fake_llm_server(dims=64) as fake:
        async with openai.AsyncOpenAI(api_key="unset", base_url=fake.openai_url,
                                      max_retries=0) as sdk:
            response = await sdk.embeddings.create(model="text-embedding-3-small",
                                                   input=["surfing in Lisbon", "tea"])
        assert [d.embedding for d in response.data] == [
            pytest.approx(hashed_embedding("surfing in Lisbon", 64)),
            pytest.approx(hashed_embedding("tea", 64))]
        assert fake.embedding_calls == 1 and fake.calls == 0


def test_fake_script_queue_and_reset(fake: FakeLLMServer) -> None:
    fake.script(Failure(status=429, times=2), {"a": 1}, default={"b": 2})
    assert fake.pending == 3
    answers = []
    with anthropic.Anthropic(api_key="k", base_url=fake.anthropic_url, max_retries=0) as sdk:
        for _ in range(4):
            try:
                message = sdk.messages.create(
                    model="m", max_tokens=10, messages=[{"role": "user", "content": "hi"}],
                    tools=[{"name": TOOL, "input_schema": SCHEMA}],
                    tool_choice={"type": "tool", "name": TOOL})
                answers.append(message.content[0].input)
            except anthropic.RateLimitError:
                answers.append(429)
    assert answers == [429, 429, {"a": 1}, {"b": 2}]
    assert fake.calls == 4 and fake.failures == 2 and fake.pending == 0
    fake.reset()
    assert (fake.calls, fake.failures, fake.prompt_tokens, fake.requests) == (0, 0, 0, [])


# -- servers that refuse a tool_choice naming the function ---------------------------------------

@pytest.mark.parametrize("refused, used", [({"named"}, "required"),
                                           ({"named", "required"}, "auto")])
async def test_a_refused_tool_choice_falls_back_and_is_remembered(
        fake: FakeLLMServer, refused: set[str], used: str) -> None:
    fake.refused_tool_choices = set(refused)
    fake.script(default=ARGS)
    client = client_for(fake, "openai")

    first = await call(client)
    second = await call(client)

    assert first.arguments == second.arguments == ARGS
    assert first.calls == len(refused) + 1 and second.calls == 1  # the working form is kept
    assert [r.status for r in fake.requests] == [400] * len(refused) + [200, 200]
    assert fake.requests[-1].body["tool_choice"] == used


async def test_other_400s_do_not_change_the_tool_choice(fake: FakeLLMServer) -> None:
    fake.script(Failure(status=400, message="model not found"), default=ARGS)
    client = client_for(fake, "openai")
    assert "model not found" in (await call_error(client)).detail
    await call(client)
    assert fake.requests[-1].body["tool_choice"] == {"type": "function",
                                                     "function": {"name": TOOL}}


async def test_strict_is_sent_only_when_asked(fake: FakeLLMServer) -> None:
    strict = {"type": "object", "properties": {"memories": {"type": "string"}},
              "required": ["memories"], "additionalProperties": False}
    fake.script(default={"memories": "x"})
    client = client_for(fake, "openai")
    await client.call_tool(system=SYSTEM, user=USER, tool_name=TOOL, tool_description=DESCRIPTION,
                           parameters=strict, strict=True)
    assert fake.requests[-1].body["tools"][0]["function"]["strict"] is True
    # and the fake refuses an open schema sent as strict, as OpenAI does
    with pytest.raises(LLMError) as refused:
        await client.call_tool(system=SYSTEM, user=USER, tool_name=TOOL,
                               tool_description=DESCRIPTION, parameters=SCHEMA, strict=True)
    assert refused.value.upstream_status == 400 and "additionalProperties" in refused.value.detail
