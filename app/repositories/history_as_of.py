"""SQL for reading the past from memory_history: a namespace (or one memory) as it stood at
a time, and the net change of each memory between two times. One statement per page.

Pages are in byte order of namespace and key, read from memory_history_as_of_idx
(migration 0014): DISTINCT ON over that index scan keeps each memory's last change at or
before the time, so a page reads the memories up to it and sorts nothing. A memory whose
first recorded change is an update or a delete was written before the history began
(migration 0002; 0014 recorded the creation of those never changed since): before that
change it reads as it was then, its creation time unknown (None)."""

from datetime import datetime

from psycopg import sql

from app.domain.as_of import NetChange, PastItem
from app.repositories.connection import AsyncConnection

KEY = 'prefix COLLATE "C", key COLLATE "C"'

# Per memory: its last change at or before `at` ("known"); failing that, its first change,
# which, when it is not its creation, shows what it held before the history began.
AS_OF = """
WITH state AS (
    SELECT DISTINCT ON ({key}) id, prefix, key, action, changed_at, changed_at <= %s AS known
    FROM memory_history h WHERE {scope}
    ORDER BY {key}, changed_at <= %s DESC,
             CASE WHEN changed_at <= %s THEN id ELSE -id END DESC
),
page AS (
    SELECT * FROM state
    WHERE CASE WHEN known THEN action <> 'delete' ELSE action <> 'insert' END
    ORDER BY {key} LIMIT %s OFFSET %s
)
SELECT p.prefix, p.key, CASE WHEN p.known THEN m.new_value ELSE m.old_value END AS value,
       CASE WHEN p.known THEN p.changed_at END AS updated_at,
       CASE WHEN p.known THEN p.id END AS change_id,
       (SELECT c.changed_at FROM memory_history c
        WHERE p.known AND c.prefix = p.prefix AND c.key = p.key AND c.action = 'insert'
          AND c.id <= p.id
        ORDER BY c.id DESC LIMIT 1) AS created_at
FROM page p JOIN memory_history m ON m.id = p.id
ORDER BY p.prefix COLLATE "C", p.key COLLATE "C"
"""

# Inside the window (since, until]: a memory's state at `until` is its last change there;
# its state at `since` is its change just before the window's first (ids grow with time
# for one memory: its writes are serialized by the row lock), or, with none, what the
# window's first change found (nothing, for a creation).
CHANGES = """
WITH inside AS (
    SELECT prefix, key, count(*) AS changes, min(changed_at) AS first_changed_at,
           max(changed_at) AS last_changed_at, min(id) AS first_id, max(id) AS last_id
    FROM memory_history h WHERE {scope} AND changed_at > %s AND changed_at <= %s
    GROUP BY prefix, key
),
net AS (
    SELECT i.*, CASE WHEN b.action IS NOT NULL AND b.action <> 'delete' THEN b.new_value
                     WHEN b.action IS NULL AND f.action <> 'insert' THEN f.old_value
                END AS before,
           CASE WHEN l.action <> 'delete' THEN l.new_value END AS after,
           CASE WHEN l.action = 'delete' THEN l.old_value ELSE l.new_value END AS last_value
    FROM inside i JOIN memory_history l ON l.id = i.last_id
    JOIN memory_history f ON f.id = i.first_id
    LEFT JOIN LATERAL (
        SELECT e.action, e.new_value FROM memory_history e
        WHERE e.prefix = i.prefix AND e.key = i.key AND e.id < i.first_id
        ORDER BY e.id DESC LIMIT 1) b ON true
)
SELECT * FROM (
    SELECT *, CASE WHEN before IS NULL AND after IS NULL THEN 'created_and_deleted'
                   WHEN before IS NULL THEN 'created'
                   WHEN after IS NULL THEN 'deleted'
                   WHEN before <> after THEN 'updated' END AS action
    FROM net) judged
WHERE action IS NOT NULL ORDER BY {key} LIMIT %s OFFSET %s
"""


def _scope(namespace: tuple[str, ...], *, key: str | None) -> tuple[sql.Composable, list]:
    """One memory, or the namespace and everything below it, as ranges of the byte-ordered
    index: [a, a/) holds a and every a.* ('.' sorts just before '/'); the OR then drops
    siblings inside that range such as a-2."""
    if key is not None:  # one memory: memory_history_item_idx
        return sql.SQL("h.prefix = %s AND h.key = %s"), [".".join(namespace), key]
    if not namespace:
        return sql.SQL("TRUE"), []
    path = ".".join(namespace)
    escaped = path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return (sql.SQL('(h.prefix COLLATE "C" >= %s AND h.prefix COLLATE "C" < %s '
                    "AND (h.prefix = %s OR h.prefix LIKE %s))"),
            [path, path + "/", path, escaped + ".%"])


def _query(template: str, scope: sql.Composable) -> sql.Composed:
    return sql.SQL(template.replace("{key}", KEY)).format(scope=scope)


async def as_of(conn: AsyncConnection, namespace: tuple[str, ...], at: datetime, limit: int,
                offset: int, *, key: str | None = None) -> list[PastItem]:
    """Under `namespace` (and below it), or, with `key`, that one memory of `namespace`."""
    scope, params = _scope(namespace, key=key)
    async with conn.transaction():
        if key is None:  # one memory's few changes sort in microseconds
            # Else the planner sorts a big prefix's every change for a page (0.7 s for 40,000
            # changes) instead of walking memory_history_as_of_idx to it (under 1 ms).
            await conn.execute("SELECT set_config('enable_sort', 'off', true)")
        cur = await conn.execute(_query(AS_OF, scope), [at, *params, at, at, limit, offset])
    return [PastItem(namespace=tuple(r["prefix"].split(".")), key=r["key"], value=r["value"],
                     created_at=r["created_at"], updated_at=r["updated_at"],
                     change_id=r["change_id"]) for r in await cur.fetchall()]


async def changes(conn: AsyncConnection, namespace: tuple[str, ...], since: datetime,
                  until: datetime, limit: int, offset: int) -> list[NetChange]:
    """Each memory under `namespace` changed in (since, until], as its net change."""
    scope, params = _scope(namespace, key=None)
    cur = await conn.execute(_query(CHANGES, scope), [*params, since, until, limit, offset])
    return [NetChange(namespace=tuple(r["prefix"].split(".")), key=r["key"],
                      action=r["action"], before=r["before"], after=r["after"],
                      last_value=r["last_value"], changes=r["changes"],
                      first_changed_at=r["first_changed_at"],
                      last_changed_at=r["last_changed_at"],
                      last_change_id=r["last_id"]) for r in await cur.fetchall()]
