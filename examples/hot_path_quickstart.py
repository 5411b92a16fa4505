"""LangMem's hot-path quickstart, with its memories in memory-service.

This is LangMem's hot-path quickstart (https://langchain-ai.github.io/langmem/hot_path_quickstart/)
with one line changed: the store is RemoteStore(...) instead of InMemoryStore(index=...). The
agent saves a memory in thread A; thread B, a new conversation, finds it through the service.

    make run                                   # memory-service on http://127.0.0.1:8000
    export ANTHROPIC_API_KEY=sk-ant-...
    .venv/bin/python examples/hot_path_quickstart.py

MEMORY_SERVICE_URL points it at another service.
"""

import os

from langgraph.checkpoint.memory import MemorySaver
from langgraph.prebuilt import create_react_agent
from langgraph.utils.config import get_store
from langmem import (
    # Lets agent create, update, and delete memories
    create_manage_memory_tool,
    create_search_memory_tool,
)

from app.client import RemoteStore


def prompt(state):
    """Prepare the messages for the LLM."""
    # Get store from configured contextvar;
    store = get_store()  # Same as that provided to `create_react_agent`
    memories = store.search(
        # Search within the same namespace as the one
        # we've configured for the agent
        ("memories",),
        query=state["messages"][-1].content,
    )
    system_msg = f"""You are a helpful assistant.

## Memories
<memories>
{memories}
</memories>
"""
    return [{"role": "system", "content": system_msg}, *state["messages"]]


# The one changed line: was `store = InMemoryStore(index={"dims": 1536, "embed": ...})`
store = RemoteStore(os.environ.get("MEMORY_SERVICE_URL", "http://127.0.0.1:8000"))
checkpointer = MemorySaver()  # Checkpoint graph state

agent = create_react_agent(
    "anthropic:claude-3-5-sonnet-latest",
    prompt=prompt,
    tools=[  # Add memory tools
        # The agent can call "manage_memory" to
        # create, update, and delete memories by ID
        # Namespaces segment memories by user/workspace/etc.
        create_manage_memory_tool(namespace=("memories",)),
        create_search_memory_tool(namespace=("memories",)),
    ],
    # Our memories will be stored in this provided BaseStore instance
    store=store,
    # And the graph "state" will be checkpointed after each node
    # completes executing for tracking the chat history and durable execution
    checkpointer=checkpointer,
)

config = {"configurable": {"thread_id": "thread-a"}}

# Use the agent. The agent hasn't saved any memories,
# so it doesn't know about us
response = agent.invoke(
    {"messages": [{"role": "user", "content": "Know which display mode I prefer?"}]},
    config=config,
)
print(response["messages"][-1].content)

agent.invoke(
    {"messages": [{"role": "user", "content": "dark. Remember that."}]},
    # We will continue the conversation (thread-a) by using the config with
    # the same thread_id
    config=config,
)

# New thread = new conversation!
new_config = {"configurable": {"thread_id": "thread-b"}}
# The agent will only be able to recall
# whatever it explicitly saved using the manage_memories tool
response = agent.invoke(
    {"messages": [{"role": "user",
                   "content": "Hey there. Do you remember me? What are my preferences?"}]},
    config=new_config,
)
print(response["messages"][-1].content)
