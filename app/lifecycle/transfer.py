"""Export a prefix as JSON Lines, and import JSON Lines (ours, or a plain store's rows)."""

import json
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from langgraph.store.base import PutOp
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from pydantic import ValidationError

from app.config import Settings
from app.errors import AppError
from app.lifecycle.import_line import ImportLine, parse_line, rejection
from app.lifecycle.import_stopped import REFUSED_BY_DATABASE, ImportStopped
from app.memories.namespaces import validate_namespace
from app.repositories import lifecycle as lifecycle_sql
from app.repositories.history import Origin
from app.store.memory_store import MemoryStore

PAGE = 1000
DEFAULT_VALUE_DEPTH = Settings.model_fields["max_value_depth"].default
IMPORT = Origin("import")


@dataclass
class ImportReport:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


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

    async def import_lines(self, lines: AsyncIterable[str | bytes], *, batch_size: int = 500,
                           progress=None, may_write=None,
                           max_value_depth: int = DEFAULT_VALUE_DEPTH) -> ImportReport:
        """Upsert by namespace + key in batches; bad lines are rejected by number (bytes
        must be UTF-8) and the good ones still land. Running it twice changes nothing the
        second time. `may_write(namespace)` raises for a namespace the caller may not write
        (its lines are rejected like bad ones). Anything else that stops the import raises
        ImportStopped, saying which lines were applied."""
        report = ImportReport()
        batch: dict[tuple[tuple[str, ...], str], ImportLine] = {}
        number = done = 0  # lines read; lines applied or rejected, all of them
        try:
            async for raw in lines:
                number += 1
                try:
                    line = parse_line(number, raw, max_value_depth)
                    if line is not None and may_write is not None:
                        may_write(line.namespace)
                except (ValueError, ValidationError, AppError) as exc:
                    report.rejected.append({"line": number, "error": rejection(exc)})
                    continue
                if line is None:
                    continue
                if (line.namespace, line.key) in batch or len(batch) >= batch_size:
                    await self._flush(list(batch.values()), report)
                    done = number - 1
                    batch.clear()
                    if progress:
                        progress(number)
                batch[(line.namespace, line.key)] = line
            await self._flush(list(batch.values()), report)
        except Exception as exc:
            raise ImportStopped(report, done, exc) from exc
        if progress:
            progress(number)
        report.rejected.sort(key=lambda r: r["line"])
        return report

    async def _flush(self, lines: list[ImportLine], report: ImportReport) -> None:
        """Apply a batch in one transaction. A line the database refuses (it fails the whole
        batch) is found by applying the batch's lines one by one, and rejected by number."""
        if not lines:
            return
        try:
            await self._apply(lines, report)
        except REFUSED_BY_DATABASE as exc:
            if len(lines) == 1:
                report.rejected.append({"line": lines[0].number, "error": "the database "
                                        f"refused it: {exc.diag.message_primary}"})
                return
            for line in lines:
                await self._flush([line], report)

    async def _apply(self, lines: list[ImportLine], report: ImportReport) -> None:
        async with self.pool.connection() as conn:
            current = await lifecycle_sql.current_values(conn, [(ln.namespace, ln.key)
                                                                for ln in lines])
        changed = [ln for ln in lines
                   if current.get((ln.namespace, ln.key)) != (ln.value, ln.ttl, ln.indexed)]
        stamps = [(ln.namespace, ln.key, ln.created_at, ln.updated_at or ln.created_at)
                  for ln in changed if ln.created_at]

        async def keep_times(conn: AsyncConnection) -> None:
            await lifecycle_sql.set_timestamps(conn, stamps)

        await self.store.apply_puts(
            [PutOp(ln.namespace, ln.key, ln.value, None if ln.indexed else False, ln.ttl)
             for ln in changed], origin=IMPORT, also=keep_times)
        # Counted once committed: a batch that failed counts nothing.
        inserted = sum(1 for ln in changed if (ln.namespace, ln.key) not in current)
        report.inserted += inserted
        report.updated += len(changed) - inserted
        report.unchanged += len(lines) - len(changed)
