"""Export a prefix as JSON Lines, and import JSON Lines (ours, or a plain store's rows)."""

import json
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from langgraph.store.base import PutOp
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from pydantic import TypeAdapter, ValidationError

from app.errors import AppError
from app.memories.namespaces import validate_namespace
from app.memories.storable import first_unstorable
from app.memories.values import MAX_TTL_MINUTES
from app.repositories import lifecycle as lifecycle_sql
from app.repositories.history import Origin
from app.store.memory_store import MemoryStore

PAGE = 1000
IMPORT = Origin("import")
_TIME = TypeAdapter(datetime)


@dataclass
class ImportReport:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Line:
    number: int
    namespace: tuple[str, ...]
    key: str
    value: dict[str, Any]
    ttl: float | None
    indexed: bool
    created_at: datetime | None
    updated_at: datetime | None


class TransferService:
    def __init__(self, pool: AsyncConnectionPool, store: MemoryStore) -> None:
        self.pool = pool
        self.store = store

    async def export(self, namespace_prefix: tuple[str, ...]) -> AsyncIterator[str]:
        prefix = validate_namespace(namespace_prefix, field="prefix", allow_empty=True)
        after = None
        while True:
            async with self.pool.connection() as conn:
                page = await lifecycle_sql.page_after(conn, prefix, after, PAGE)
            for item, indexed in page:
                line = {"namespace": list(item.namespace), "key": item.key, "value": item.value,
                        "created_at": item.created_at.isoformat(),
                        "updated_at": item.updated_at.isoformat(),
                        "ttl_minutes": item.ttl_minutes}
                if not indexed:
                    line["index"] = False
                yield json.dumps(line, ensure_ascii=False) + "\n"
            if len(page) < PAGE:
                return
            after = (".".join(page[-1][0].namespace), page[-1][0].key)

    async def import_lines(self, lines: AsyncIterable[str], *, batch_size: int = 500,
                           progress=None, may_write=None) -> ImportReport:
        """Upsert by namespace + key in batches; bad lines are reported by number and the
        good ones still land. Running it twice changes nothing the second time.
        `may_write(namespace)` raises for a namespace the caller may not write (its lines
        are rejected like bad ones)."""
        report = ImportReport()
        batch: dict[tuple[tuple[str, ...], str], _Line] = {}
        number = 0
        async for raw in lines:
            number += 1
            if not raw.strip():
                continue
            try:
                line = _parse(number, raw)
                if may_write is not None:
                    may_write(line.namespace)
            except (ValueError, ValidationError, AppError) as exc:
                report.rejected.append({"line": number, "error": _reason(exc)})
                continue
            if (line.namespace, line.key) in batch or len(batch) >= batch_size:
                await self._flush(list(batch.values()), report)
                batch.clear()
                if progress:
                    progress(number)
            batch[(line.namespace, line.key)] = line
        await self._flush(list(batch.values()), report)
        if progress:
            progress(number)
        return report

    async def _flush(self, lines: list[_Line], report: ImportReport) -> None:
        if not lines:
            return
        async with self.pool.connection() as conn:
            current = await lifecycle_sql.current_values(conn, [(ln.namespace, ln.key)
                                                                for ln in lines])
        changed = []
        for ln in lines:
            before = current.get((ln.namespace, ln.key))
            if before == (ln.value, ln.ttl, ln.indexed):
                report.unchanged += 1
                continue
            changed.append(ln)
            if before is None:
                report.inserted += 1
            else:
                report.updated += 1
        stamps = [(ln.namespace, ln.key, ln.created_at, ln.updated_at or ln.created_at)
                  for ln in changed if ln.created_at]

        async def keep_times(conn: AsyncConnection) -> None:
            await lifecycle_sql.set_timestamps(conn, stamps)

        await self.store.apply_puts(
            [PutOp(ln.namespace, ln.key, ln.value, None if ln.indexed else False, ln.ttl)
             for ln in changed], origin=IMPORT, also=keep_times)


def _parse(number: int, raw: str) -> _Line:
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("a line must be a JSON object")
    # Our export has "namespace": [...]; a plain store's row has "prefix": "a.b".
    if "namespace" in data:
        labels = data["namespace"]
    elif isinstance(data.get("prefix"), str):
        labels = data["prefix"].split(".")
    else:
        raise ValueError("missing 'namespace' (a list of labels) or 'prefix' (dotted)")
    if not isinstance(labels, list):
        raise ValueError("'namespace' must be a list of labels")
    key, value = data.get("key"), data.get("value")
    if not isinstance(key, str) or not key:
        raise ValueError("'key' must be a non-empty string")
    if not isinstance(value, dict):
        raise ValueError("'value' must be a JSON object")
    ttl = data.get("ttl_minutes", data.get("ttl"))
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int | float)
                            or not 0 < ttl <= MAX_TTL_MINUTES):
        raise ValueError(f"'ttl_minutes' must be a positive number of minutes, at most "
                         f"{MAX_TTL_MINUTES} (1000 years)")
    if problem := first_unstorable({"namespace": labels, "key": key, "value": value}, ""):
        raise ValueError(problem)
    return _Line(number, validate_namespace(labels), key, value, ttl,
                 data.get("index", True) is not False,
                 _TIME.validate_python(data["created_at"]) if data.get("created_at") else None,
                 _TIME.validate_python(data["updated_at"]) if data.get("updated_at") else None)


def _reason(exc: Exception) -> str:
    if isinstance(exc, AppError):
        return exc.detail
    if isinstance(exc, ValidationError):
        return "bad timestamp: " + exc.errors()[0]["msg"]
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON: {exc.msg}"
    return str(exc)
