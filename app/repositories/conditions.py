"""SQL fragments shared by the item queries: namespace scopes, filters, expiry."""

import json

from psycopg import sql

from app.domain.filters import Condition
from app.domain.time_range import COLUMNS, ColumnCondition

_COMPARE = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
NOT_EXPIRED = sql.SQL("(s.expires_at IS NULL OR s.expires_at > now())")


def ns_text(namespace: tuple[str, ...]) -> str:
    return ".".join(namespace)


def prefix_scope(column: str, namespace_prefix: tuple[str, ...], *,
                 exact: bool = False) -> tuple[sql.Composable, list]:
    """The namespace itself or anything below it: ("a",) matches a and a.b, never ab.

    The byte-wise range [a, a/) holds a and every a.* ('.' sorts just before '/'): it lets
    the planner read one range of a prefix index (text_pattern_ops), index-only where it
    can, which `= a OR LIKE 'a.%'` alone does not (a BitmapOr, or a full index scan with
    the OR as a filter); the OR then drops siblings inside the range such as a-2."""
    if not namespace_prefix:
        return sql.SQL("TRUE"), []
    path = ns_text(namespace_prefix)
    if exact:
        return sql.SQL("{} = %s").format(sql.SQL(column)), [path]
    escaped = path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    col = sql.SQL(column)
    return (
        sql.SQL("({col} ~>=~ %s AND {col} ~<~ %s AND ({col} = %s OR {col} LIKE %s))"
                ).format(col=col),
        [path, path + "/", path, escaped + ".%"],
    )


def filter_clause(conditions: list[Condition]) -> tuple[sql.Composable, list]:
    if not conditions:
        return sql.SQL("TRUE"), []
    parts: list[sql.Composable] = []
    params: list = []
    for c in conditions:
        path = list(c.path)
        if isinstance(c, ColumnCondition):  # the item's own timestamps, not its value
            assert c.path[0] in COLUMNS.values()
            parts.append(sql.SQL("s.{} {} %s").format(sql.Identifier(c.path[0]),
                                                      sql.SQL(_COMPARE[c.op])))
            params.append(c.value)
        elif c.op == "$eq":
            parts.append(sql.SQL("s.value #> %s = %s::jsonb"))
            params += [path, json.dumps(c.value)]
        elif c.op == "$ne":
            parts.append(sql.SQL("s.value #> %s IS DISTINCT FROM %s::jsonb"))
            params += [path, json.dumps(c.value)]
        elif isinstance(c.value, str):
            parts.append(sql.SQL(
                "(CASE WHEN jsonb_typeof(s.value #> %s) = 'string' THEN s.value #>> %s END) {} %s"
            ).format(sql.SQL(_COMPARE[c.op])))
            params += [path, path, c.value]
        else:
            # CASE guarantees the cast only runs on JSON numbers.
            parts.append(sql.SQL(
                "(CASE WHEN jsonb_typeof(s.value #> %s) = 'number' "
                "THEN (s.value #>> %s)::numeric END) {} %s::numeric"
            ).format(sql.SQL(_COMPARE[c.op])))
            params += [path, path, c.value]
    return sql.SQL(" AND ").join(parts), params
