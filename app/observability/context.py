"""The request id and job id of the work being done now, for every log line it emits.

Context variables follow the work: a request's handler, the threads and tasks it starts,
and a background job each see their own values.
"""

import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "x-request-id"
MAX_REQUEST_ID_LENGTH = 128
# What survives from a client's X-Request-ID: enough for UUIDs, trace ids and
# "service/123" styles, never spaces, quotes or control characters that would break logs.
_UNSAFE = re.compile(r"[^A-Za-z0-9._:/@+=-]")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
job_id: ContextVar[str | None] = ContextVar("job_id", default=None)


def accept_request_id(header: bytes | None) -> str:
    """The client's X-Request-ID, sanitised and capped, or a new one when nothing is left."""
    if header:
        cleaned = _UNSAFE.sub("", header.decode("latin-1"))[:MAX_REQUEST_ID_LENGTH]
        if cleaned:
            return cleaned
    return uuid.uuid4().hex
