"""RemoteStore: LangGraph's BaseStore over memory-service's (or LangGraph's) /store HTTP API.

Installable on its own (`pip install ./clients/remote-store`): it needs httpx and LangGraph's
store interface, not the server's FastAPI, Postgres or embedding stack."""

from memory_service_client.remote_store import DEFAULT_URL, RemoteStore, RemoteStoreError

__all__ = ["DEFAULT_URL", "RemoteStore", "RemoteStoreError"]
