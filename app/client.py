"""RemoteStore, re-exported so `from app.client import RemoteStore` keeps working.

The client is its own distribution, clients/remote-store (`memory-service-client`, package
`memory_service_client`), so that an agent can install it without the server's dependencies.
In a checkout where it is not installed, it is imported from its folder beside `app`.
"""

import sys
from pathlib import Path

try:
    import memory_service_client  # noqa: F401
except ModuleNotFoundError:  # a server checkout: the client's source sits beside the package
    sys.path.append(str(Path(__file__).resolve().parent.parent / "clients/remote-store/src"))

from memory_service_client import DEFAULT_URL, RemoteStore, RemoteStoreError  # noqa: E402
from memory_service_client.remote_store import _waves  # noqa: E402,F401  (tests use it)

__all__ = ["DEFAULT_URL", "RemoteStore", "RemoteStoreError"]
