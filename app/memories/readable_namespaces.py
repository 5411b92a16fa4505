"""Listings across a key's grants: namespaces the key may read, and nothing else.

A key may hold several grants under one requested prefix (memories.alice and
memories.bob under memories), so a namespace listing runs once per grant and merges."""

from app.domain.principal import Namespace, Principal
from app.memories.service import MemoryService

WILDCARD = "*"


def within(grant: Namespace, requested: Namespace) -> Namespace | None:
    """The requested prefix narrowed to the grant, label by label ('*' in the request
    matches the grant's label); None when they share nothing."""
    labels = []
    for i in range(max(len(grant), len(requested))):
        wanted = requested[i] if i < len(requested) else None
        if i >= len(grant):
            labels.append(requested[i])
        elif wanted is None or wanted == WILDCARD or wanted == grant[i]:
            labels.append(grant[i])
        else:
            return None
    return tuple(labels)


async def list_readable_namespaces(memories: MemoryService, principal: Principal, *,
                                   prefix: Namespace, suffix: Namespace,
                                   max_depth: int | None, limit: int,
                                   offset: int) -> list[Namespace]:
    scopes = {s for g in principal.grants if (s := within(g.prefix, prefix)) is not None}
    if len(scopes) == 1:  # the common case: one page straight from the database
        (scope,) = scopes
        found = await memories.list_namespaces(prefix=scope, suffix=suffix,
                                               max_depth=max_depth, limit=limit,
                                               offset=offset)
        return [n for n in found if _visible(principal, n)]
    memories.check_page(limit, offset)
    merged: set[Namespace] = set()
    for scope in scopes:
        merged.update(await memories.list_namespaces(prefix=scope, suffix=suffix,
                                                     max_depth=max_depth,
                                                     limit=offset + limit))
    visible = sorted((n for n in merged if _visible(principal, n)), key=".".join)
    return visible[offset: offset + limit]  # the order one listing has: by dotted name


def _visible(principal: Principal, namespace: Namespace) -> bool:
    """Readable, or a prefix of a grant (what max_depth truncation shows of it)."""
    return principal.can_read(namespace) or any(
        g.prefix[: len(namespace)] == namespace for g in principal.grants)
