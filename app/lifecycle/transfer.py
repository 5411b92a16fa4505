"""Export a prefix as JSON Lines, and import JSON Lines (ours, or a plain store's rows)."""

import logging
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg_pool import PoolTimeout
from pydantic import ValidationError

from app.config import Settings
from app.errors import AppError
from app.lifecycle.deferred_index import DEFER_MIN_LINES, DeferredIndex
from app.lifecycle.export_line import export_line
from app.lifecycle.import_line import ImportLine, parse_line, rejection
from app.lifecycle.import_pipeline import ImportPipeline
from app.lifecycle.import_stopped import ImportStopped
from app.memories.namespaces import validate_namespace
from app.memories.service import MemoryService
from app.repositories import lifecycle as lifecycle_sql
from app.repositories.connection import AsyncConnectionPool

PAGE = 1000
DEFAULT_VALUE_DEPTH = Settings.model_fields["max_value_depth"].default
# An import that inserts or updates at least this many memories ends with an ANALYZE:
# autovacuum waits for 10% of a table to change, and until then the planner takes a
# namespace it has not seen for a row or two (bench/ONE_NAMESPACE.md: filtered searches in
# 20,000 new memories, 46 ms with those estimates, 19 ms with statistics).
ANALYZE_MIN_LINES = 1_000

log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


class TransferService:
    def __init__(self, pool: AsyncConnectionPool, memories: MemoryService,
                 defer_index_min_lines: int = DEFER_MIN_LINES) -> None:
        self.pool = pool
        self.memories = memories
        self.defer_index_min_lines = defer_index_min_lines

    async def export(self, namespace_prefix: tuple[str, ...]) -> AsyncIterator[str]:
        prefix = validate_namespace(namespace_prefix, field="prefix", allow_empty=True)
        after = None
        while True:
            async with self.pool.connection() as conn:
                page = await lifecycle_sql.page_after(conn, prefix, after, PAGE)
            for item, indexed in page:
                yield export_line(item, indexed)
            if len(page) < PAGE:
                return
            after = (".".join(page[-1][0].namespace), page[-1][0].key)

    async def import_lines(self, lines: AsyncIterable[str | bytes], *, batch_size: int = 500,
                           progress=None, may_write=None,
                           max_value_depth: int = DEFAULT_VALUE_DEPTH,
                           expected_lines: int | None = None) -> ImportReport:
        """Upsert by namespace + key in batches; bad lines are rejected by number (bytes
        must be UTF-8) and the good ones still land. Running it twice changes nothing the
        second time. `may_write(namespace)` raises for a namespace the caller may not write
        (its lines are rejected like bad ones). Anything else that stops the import raises
        ImportStopped, saying which lines were applied. Batches are embedded while the one
        before is written (import_pipeline); `expected_lines` (when known) lets a large
        import set the vector index aside from the start (deferred_index)."""
        report = ImportReport()
        index = DeferredIndex(self.pool, self.defer_index_min_lines)
        pipeline = ImportPipeline(self.memories, report, index)
        try:
            async with index:
                try:
                    number = await _feed(lines, pipeline, report, batch_size, progress,
                                         may_write, max_value_depth, expected_lines or 0)
                    await pipeline.finish()
                except BaseException as exc:
                    await pipeline.abort(cancelled=not isinstance(exc, Exception))
                    raise
        except Exception as exc:
            raise ImportStopped(report, pipeline.done, exc) from exc
        if report.inserted + report.updated >= ANALYZE_MIN_LINES:
            await self._analyze()
        if progress:
            progress(number)
        report.rejected.sort(key=lambda r: r["line"])
        return report

    async def _analyze(self) -> None:
        """Statistics for what the import wrote. The import itself has succeeded: a failure
        here (the database going away now) is logged, and autovacuum gets there later."""
        try:
            async with self.pool.connection() as conn:
                await lifecycle_sql.analyze_items(conn)
        except (psycopg.Error, PoolTimeout):
            log.warning("could not analyze the tables after an import (autovacuum does, later)",
                        exc_info=True)


async def _feed(lines: AsyncIterable[str | bytes], pipeline: ImportPipeline,
                report: ImportReport, batch_size: int, progress, may_write,
                max_value_depth: int, expected: int) -> int:
    """Parse lines into batches (a key seen twice starts a new one) and hand each to the
    pipeline; bad lines go to the report. Returns the number of lines read."""
    batch: dict[tuple[tuple[str, ...], str], ImportLine] = {}
    number = 0
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
            await pipeline.submit(list(batch.values()), number - 1, max(number, expected))
            batch.clear()
            if progress:
                progress(number)
        batch[(line.namespace, line.key)] = line
    await pipeline.submit(list(batch.values()), number, max(number, expected))
    return number
