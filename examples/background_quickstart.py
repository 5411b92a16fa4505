"""LangMem's background quickstart, with its memories in memory-service.

This is LangMem's background quickstart
(https://langchain-ai.github.io/langmem/background_quickstart/) with one line changed: the
store is RemoteStore(...) instead of InMemoryStore(index=...). LangMem's memory manager
extracts memories from the conversation and writes them through RemoteStore; the service
embeds and keeps them, so any process (or our own API) reads them back.

    make run                                   # memory-service on http://127.0.0.1:8000
    export ANTHROPIC_API_KEY=sk-ant-...
    .venv/bin/python examples/background_quickstart.py

MEMORY_SERVICE_URL points it at another service. Its memories go to ("memories", "background"),
not LangMem's ("memories",): the hot-path quickstart writes plain {"content": ...} items there,
which LangMem's memory manager cannot read (KeyError: 'kind') when both run on one service.
"""

import asyncio
import os

from langchain.chat_models import init_chat_model
from langgraph.func import entrypoint
from langmem import create_memory_store_manager

from app.client import RemoteStore

# The one changed line: was `store = InMemoryStore(index={"dims": 1536, "embed": ...})`
store = RemoteStore(os.environ.get("MEMORY_SERVICE_URL", "http://127.0.0.1:8000"))
llm = init_chat_model("anthropic:claude-3-5-sonnet-latest")

# Create memory manager Runnable to extract memories from conversations
memory_manager = create_memory_store_manager(
    "anthropic:claude-3-5-sonnet-latest",
    # Store memories in the "memories" namespace (aka directory); "background" keeps them
    # apart from the hot-path quickstart's, which the manager cannot read
    namespace=("memories", "background"),
)


@entrypoint(store=store)  # Create a LangGraph workflow
async def chat(message: str):
    response = llm.invoke(message)

    # memory_manager extracts memories from conversation history
    # We'll provide it in OpenAI's message format
    to_process = {"messages": [{"role": "user", "content": message}] + [response]}
    await memory_manager.ainvoke(to_process)
    return response.content


async def main():  # the quickstart's top-level awaits, in a script
    # Run conversation as normal
    response = await chat.ainvoke(
        "I like dogs. My dog's name is Fido.",
    )
    print(response)

    print(store.search(("memories", "background")))


asyncio.run(main())
