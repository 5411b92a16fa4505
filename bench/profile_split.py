"""Split a py-spy profile (`py-spy record -f raw`) of the server into where the CPU goes.

Each sample is charged to the first category whose pattern matches, scanning the stack
from the innermost frame out: so time in pydantic under a route counts as validation, time
in psycopg under our middleware as SQL client work. `python -m bench.profile_split FILE`.
"""

from __future__ import annotations

import sys
from collections import Counter

# (category, substrings of a frame "function (file:line)"), innermost match wins.
CATEGORIES = [
    ("embedding (ONNX model, tokenizer)", ("onnxruntime", "fastembed/", "tokenizers")),
    ("embedding glue (numpy, to_thread)", ("numpy/", "embedders.py", "embed_batcher",
                                           "embed_cache")),
    ("logging (request log line, JSON)", ("logging/", "app/observability/logging.py")),
    ("metrics (prometheus)", ("prometheus_client", "app/observability/metrics.py")),
    ("SQL client (psycopg, pool)", ("psycopg", "psycopg_pool")),
    ("validation, serialisation (pydantic, json)", ("pydantic", "json/", "jsonable_encoder",
                                                    "serialize_response", "_prepare_response")),
    ("our middleware (observability, limits, shutdown, db outage)", (
        "app/observability/middleware.py", "app/limits/", "app/shutdown.py",
        "app/db/unavailable.py", "app/api/body_limit.py")),
    ("FastAPI routing, dependencies", ("fastapi/", "starlette/", "app/auth/", "app/api/")),
    ("HTTP protocol (uvicorn, httptools)", ("uvicorn/", "httptools", "h11", "http_protocol")),
    ("our services, store, search, repositories", ("app/",)),
    ("asyncio event loop", ("asyncio/", "selectors")),
]
OTHER = "other"


def classify(stack: str) -> str:
    frames = stack.split(";")
    for frame in reversed(frames):
        for name, patterns in CATEGORIES:
            if any(p in frame for p in patterns):
                return name
    return OTHER


def split(lines: list[str]) -> Counter:
    counts: Counter = Counter()
    for line in lines:
        stack, _, n = line.rstrip().rpartition(" ")
        if stack and n.isdigit():
            counts[classify(stack)] += int(n)
    return counts


def table_rows(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(str(v) for v in row) + " |" for row in rows])


def render(counts: Counter) -> str:
    total = sum(counts.values()) or 1
    return table_rows(["where", "samples", "share"], [
        [name, n, f"{100 * n / total:.1f}%"] for name, n in counts.most_common()])


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(render(split(f.readlines())))
