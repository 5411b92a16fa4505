"""Who is calling: the key's identity and the namespace prefixes it may read or write.

Resolved once per request (app.auth.dependencies.authenticate) and kept on
request.state.principal, so later middleware (rate limits, logs) can see which key called.
Every door checks namespaces through these methods before it touches the store.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.errors import Forbidden

Namespace = tuple[str, ...]
IDENTITY_FIELD = "user_id"  # the {user_id} placeholder a key's identity fills


def dotted(namespace: Sequence[str]) -> str:
    return ".".join(namespace) or "(the whole store)"


@dataclass(frozen=True)
class Grant:
    prefix: Namespace  # () is the whole store
    write: bool  # False: read only

    def covers(self, namespace: Sequence[str]) -> bool:
        """Label by label, so ("memories", "alice") never covers ("memories", "alice2")."""
        return tuple(namespace[: len(self.prefix)]) == self.prefix


@dataclass(frozen=True)
class Principal:
    key_id: str | None  # None when no keys are configured (loopback, open access)
    identity: str | None  # fills {user_id} templates in namespaces
    grants: tuple[Grant, ...]
    admin: bool  # may manage keys and extraction profiles

    def can_read(self, namespace: Sequence[str]) -> bool:
        return any(g.covers(namespace) for g in self.grants)

    def can_write(self, namespace: Sequence[str]) -> bool:
        return any(g.write and g.covers(namespace) for g in self.grants)

    def require_read(self, namespace: Sequence[str]) -> Namespace:
        if not self.can_read(namespace):
            raise Forbidden(f"this API key may not read namespace {dotted(namespace)!r}; "
                            f"it may read {self.describe()}")
        return tuple(namespace)

    def require_write(self, namespace: Sequence[str]) -> Namespace:
        if not self.can_write(namespace):
            raise Forbidden(f"this API key may not write namespace {dotted(namespace)!r}; "
                            f"it may write {self.describe(write=True)}")
        return tuple(namespace)

    def require_admin(self) -> None:
        if not self.admin:
            raise Forbidden("this needs an admin API key (ADMIN_API_KEY or a key created "
                            "with --admin)")

    def scope(self, prefix: Sequence[str]) -> Namespace | None:
        """The part of `prefix` this key may read, for searches, listings and exports: the
        prefix itself when a grant covers it, the grant's prefix when the grant lies inside
        it, None when nothing under it is readable (the caller sees an empty result)."""
        prefix = tuple(prefix)
        if self.can_read(prefix):
            return prefix
        inside = {g.prefix for g in self.grants if g.prefix[: len(prefix)] == prefix}
        if len(inside) > 1:
            raise Forbidden(f"this API key may read several prefixes under "
                            f"{dotted(prefix)!r}: {self.describe()}; name one of them")
        return inside.pop() if inside else None

    def template_values(self, values: dict[str, Any]) -> dict[str, Any]:
        """A key with an identity acts as that user: it fills {user_id} and may not name
        another user."""
        if self.identity is None:
            return values
        sent = values.get(IDENTITY_FIELD)
        if sent is not None and str(sent) != self.identity:
            raise Forbidden(f"this API key acts as {IDENTITY_FIELD} {self.identity!r}; it "
                            f"cannot act as {str(sent)!r}")
        return {**values, IDENTITY_FIELD: self.identity}

    def describe(self, *, write: bool = False) -> str:
        shown = [repr(dotted(g.prefix)) for g in self.grants if g.write or not write]
        return ", ".join(shown) or "nothing"


OPEN_ACCESS = Principal(key_id=None, identity=None, grants=(Grant((), write=True),), admin=True)
