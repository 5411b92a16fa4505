"""One import batch made ready to write: compared with what its keys hold, and the texts
that changed embedded. Nothing is written here, so it can run while the batch before it
is being written."""

from dataclasses import dataclass

from app.domain.bulk import Row
from app.lifecycle.import_line import ImportLine
from app.memories.service import MemoryService
from app.store.text import indexed_text


@dataclass
class Prepared:
    lines: list[ImportLine]
    rows: list[Row]  # the lines that change something, in line order

    def split(self) -> list["Prepared"]:
        """Each line on its own (to find the one the database refuses)."""
        rows = {(r.namespace, r.key): r for r in self.rows}
        return [Prepared([ln], [rows[k]] if (k := (ln.namespace, ln.key)) in rows else [])
                for ln in self.lines]


async def prepare(memories: MemoryService, lines: list[ImportLine]) -> Prepared:
    """Lines whose value, TTL and indexing already match are left out; only texts that
    differ from the one the stored vector was computed from are embedded."""
    current = await memories.stored_rows([(ln.namespace, ln.key) for ln in lines])
    rows, stale = [], []
    for ln in lines:
        now = current.get((ln.namespace, ln.key))
        if now is not None and (now.value, now.ttl, now.indexed) == (ln.value, ln.ttl,
                                                                    ln.indexed):
            continue
        row = Row(ln.namespace, ln.key, ln.value, ln.ttl,
                           (indexed_text(ln.value) or None) if ln.indexed else None,
                           ln.created_at, ln.updated_at, existed=now is not None)
        rows.append(row)
        if row.text is not None and (now.text if now else None) != row.text:
            stale.append(row)
    vectors = await memories.embed([r.text for r in stale if r.text is not None])
    for row, vector in zip(stale, vectors, strict=True):
        row.embedding = vector
    return Prepared(lines, rows)
