"""Which enabled endpoints receive an event: the type is subscribed, the event's namespace
lies under the endpoint's prefix, and the endpoint's key may read it (app/domain/principal).
A "namespace.forgotten" event names a prefix: it reaches endpoints whose prefix or key's
grants overlap it (a user learns that their data was erased), and carries only that name."""

from collections.abc import Sequence

from app.auth.keys import ADMIN
from app.domain.principal import Grant, Principal
from app.repositories.webhooks_rows import EventRecord, Subscriber

FORGOTTEN = "namespace.forgotten"


def _overlaps(a: Sequence[str], b: Sequence[str]) -> bool:
    shorter = min(len(a), len(b))
    return tuple(a[:shorter]) == tuple(b[:shorter])


def principal(subscriber: Subscriber) -> Principal:
    """The rights that bound what the endpoint receives: admin's, or its key's."""
    if subscriber.webhook.key_id is None or subscriber.key_admin:
        return ADMIN
    grants = tuple(Grant(tuple(g["prefix"]), write=g["access"] == "write")
                   for g in subscriber.key_grants or [])
    return Principal(key_id=str(subscriber.webhook.key_id), identity=None, grants=grants,
                     admin=False)


def receives(subscriber: Subscriber, event: EventRecord) -> bool:
    webhook = subscriber.webhook
    if not subscriber.key_active or event.type not in webhook.event_types:
        return False
    rights = principal(subscriber)
    if event.type == FORGOTTEN:
        prefix_ok = webhook.namespace_prefix is None or _overlaps(webhook.namespace_prefix,
                                                                   event.namespace)
        return prefix_ok and any(_overlaps(g.prefix, event.namespace) for g in rights.grants)
    under_prefix = webhook.namespace_prefix is None or \
        event.namespace[:len(webhook.namespace_prefix)] == webhook.namespace_prefix
    return under_prefix and rights.can_read(event.namespace)
