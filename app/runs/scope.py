"""Whose a thread is. Thread ids are per API key: a thread is (owner, thread_id), so two keys'
"t1" are two threads and neither can learn the other exists. Admin keys and open access (no
keys configured) share one scope of their own, the owner None.

A run's job debounces and orders by (namespace, job thread key), so a key's threads get a
key-scoped job thread key: another key's "t1" into the same namespace never replaces, rejects
or waits for it. The admin scope keeps the bare thread id, as before keys existed. Migration
0011 computes the same keys for existing runs.
"""

import hashlib

from app.domain.principal import Principal

MAX_THREAD_ID = 256  # a LangGraph thread id, and a job's thread key


def owner(principal: Principal) -> str | None:
    return None if principal.admin else principal.key_id


def job_thread_key(owner_key: str | None, thread_id: str) -> str:
    if owner_key is None:
        return thread_id
    key = f"{owner_key}/{thread_id}"
    if len(key) <= MAX_THREAD_ID:
        return key
    return f"{owner_key}/sha256:{hashlib.sha256(thread_id.encode()).hexdigest()}"
