"""The import's three stages, overlapped: batch N is written (one transaction) while batch
N+1 is compared and embedded and the reader parses batch N+2. At most those are held: the
reader waits.

A batch that shares a key with the one being written waits for that commit before it
is compared, so it never decides against a value about to change."""

import asyncio
from typing import Any

from app.domain.history import Origin
from app.lifecycle.deferred_index import DeferredIndex
from app.lifecycle.import_batch import Prepared, prepare
from app.lifecycle.import_line import ImportLine
from app.lifecycle.import_stopped import REFUSED_BY_DATABASE
from app.memories.service import MemoryService

IMPORT = Origin("import")


class ImportPipeline:
    def __init__(self, memories: MemoryService, report: Any, index: DeferredIndex) -> None:
        self.memories, self.report, self.index = memories, report, index
        self.done = 0  # every line up to this one is applied or rejected, and committed
        self._writing: asyncio.Task | None = None
        self._writing_keys: set = set()
        # The batch being compared and embedded: its task, last line, keys and size.
        self._preparing: tuple[asyncio.Task, int, set, int] | None = None
        self._compared = self._changed = self._seen = 0

    async def submit(self, lines: list[ImportLine], through: int, seen: int) -> None:
        """Start comparing and embedding a batch that settles lines up to `through`, once
        the one before it is handed to writing; `seen`: the import's size so far (or
        expected). Returns while it embeds, so the reader parses the next batch meanwhile
        (parsing and comparing were ~2% of an import's time, spent with the model idle)."""
        await self._hand_over(seen)
        keys = {(ln.namespace, ln.key) for ln in lines}
        wait_for = self._writing if keys & self._writing_keys else None
        self._preparing = (asyncio.create_task(self._prepare_after(wait_for, lines)),
                           through, keys, len(lines))

    async def finish(self) -> None:
        await self._hand_over(self._seen)
        await self._settle()

    async def abort(self, cancelled: bool) -> None:
        """Stop: a cancelled import rolls back the batch in flight; otherwise it commits,
        so the report says exactly which lines were applied. A batch being prepared has
        written nothing: it is dropped."""
        if self._preparing is not None:
            self._preparing[0].cancel()
            await asyncio.gather(self._preparing[0], return_exceptions=True)
            self._preparing = None
        if self._writing is None:
            return
        if cancelled:
            self._writing.cancel()
        await asyncio.gather(self._writing, return_exceptions=True)
        self._writing = None

    async def _hand_over(self, seen: int) -> None:
        """The prepared batch goes to writing once the one before it committed. The index
        is set aside for the lines that will be written, projected from the share of lines
        compared so far that change: importing a file again does not rebuild it."""
        self._seen = max(self._seen, seen)
        if self._preparing is None:
            return
        task, through, keys, size = self._preparing
        parts = await task
        self._preparing = None
        self._compared += size
        self._changed += sum(len(part.rows) for part in parts)
        await self._settle()
        if self._compared:
            await self.index.maybe_defer(self._changed * max(self._seen, self._compared)
                                         // self._compared)
        self._writing_keys = keys
        self._writing = asyncio.create_task(self._write(parts, through))

    async def _settle(self) -> None:
        if self._writing is not None:
            task, self._writing, self._writing_keys = self._writing, None, set()
            await task

    async def _prepare_after(self, writing: asyncio.Task | None,
                             lines: list[ImportLine]) -> list[Prepared]:
        if writing is not None:  # its failure is raised where it is settled; wait(), unlike
            await asyncio.wait({writing})  # gather(), leaves it running if this is cancelled
        return await self._prepare(lines) if lines else []

    async def _prepare(self, lines: list[ImportLine]) -> list[Prepared]:
        """A batch the database refuses to compare (a key it cannot take) is prepared line
        by line, and the refused line rejected by number."""
        try:
            return [await prepare(self.memories, lines)]
        except REFUSED_BY_DATABASE as exc:
            if len(lines) == 1:
                self._reject(lines[0], exc)
                return []
        return [part for ln in lines for part in await self._prepare([ln])]

    async def _write(self, parts: list[Prepared], through: int) -> None:
        for part in parts:
            await self._write_part(part)
        self.done = through

    async def _write_part(self, part: Prepared) -> None:
        """One transaction. A line the database refuses fails the whole batch: it is found
        by writing the batch's lines one by one, and rejected by number."""
        try:
            if part.rows:
                await self.memories.write_rows(part.rows, IMPORT)
        except REFUSED_BY_DATABASE as exc:
            if len(part.lines) == 1:
                self._reject(part.lines[0], exc)
                return
            for single in part.split():
                await self._write_part(single)
            return
        # Counted once committed: a batch that failed counts nothing.
        inserted = sum(1 for r in part.rows if not r.existed)
        self.report.inserted += inserted
        self.report.updated += len(part.rows) - inserted
        self.report.unchanged += len(part.lines) - len(part.rows)

    def _reject(self, line: ImportLine, exc: Exception) -> None:
        message = getattr(getattr(exc, "diag", None), "message_primary", None) or str(exc)
        self.report.rejected.append({"line": line.number,
                                     "error": f"the database refused it: {message}"})
