"""Authorizing a namespace filled from a template (extraction, tools, runs): the key's
identity fills {user_id} (and may not be overridden), the one template resolver fills the
rest, and the key must hold a grant on the result. Namespaces a request names literally are
checked with the same Principal methods by the door that reads them."""

from collections.abc import Mapping, Sequence
from typing import Any

from app.domain.principal import Namespace, Principal
from app.memories.namespaces import Missing, fill_template


def authorize_template(principal: Principal, template: Sequence[str],
                       values: Mapping[str, Any], *, write: bool = True,
                       missing: Missing | None = None,
                       ) -> tuple[Namespace, dict[str, Any]]:
    """The filled namespace the key may write (or read, write=False), and the template values
    with the key's identity in them."""
    bound = principal.template_values(dict(values))
    namespace = fill_template(template, bound, missing=missing)
    if write:
        return principal.require_write(namespace), bound
    return principal.require_read(namespace), bound
