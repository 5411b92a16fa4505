"""Item keys: at most MAX_KEY_LENGTH characters, and with their namespace within what one
PostgreSQL index entry holds. The store's indexes (store, store_vectors, store_keywords,
memory_history) carry the dotted namespace and the key together, and a btree entry holds at
most ~2,704 bytes: a longer pair failed at write time as a 500 ("index row size exceeds
btree maximum"), and only when it did not compress, so it is refused up front, every time."""

from collections.abc import Sequence

from app.errors import InvalidInput
from app.memories.storable import unstorable

MAX_KEY_LENGTH = 1024
MAX_ADDRESS_BYTES = 2560  # the dotted namespace and the key, UTF-8; leaves room for the rest


def check_key(namespace: Sequence[str], key: object, *, field: str = "key") -> str:
    """The key, when it can be stored under `namespace` (a validated one); else a 422."""
    if not isinstance(key, str) or not key:
        raise InvalidInput(f"{field} must be a non-empty string")
    if problem := unstorable(key):
        raise InvalidInput(f"{field} contains {problem}, which cannot be stored; remove it")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"{field} is {len(key)} characters long; at most {MAX_KEY_LENGTH} "
                           "are allowed")
    size = len(".".join(namespace).encode()) + len(key.encode())
    if size > MAX_ADDRESS_BYTES:
        raise InvalidInput(f"the namespace and {field} together take {size} bytes as UTF-8; "
                           f"at most {MAX_ADDRESS_BYTES} fit the database's index: use a "
                           "shorter key or namespace")
    return key
