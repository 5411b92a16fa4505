"""Memory kinds: what extraction may store, each described by a JSON Schema for its content."""

from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from app.errors import InvalidInput
from app.extraction.strict import drop_nulls, strict_schema
from app.memories.values import DEFAULT_KIND

TEXT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"content": {"type": "string", "description": "One self-contained fact"}},
    "required": ["content"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Kind:
    name: str
    description: str
    schema: dict[str, Any]
    single: bool = False  # kept as one item per namespace (e.g. a UserProfile)
    # The content schema the tool offers the model (422 when strict mode cannot express it).
    tool_schema: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tool_schema", strict_schema(self.schema, self.name))

    def clean(self, content: Any) -> Any:
        """The content as the kind defines it: a strict model's nulls for optional fields
        left out."""
        return drop_nulls(content, self.schema)

    def errors(self, content: Any) -> list[str]:
        validator = Draft202012Validator(self.schema)
        return [f"{'/'.join(map(str, e.path)) or 'content'}: {e.message}"
                for e in validator.iter_errors(content)]


DEFAULT_KINDS = (Kind(DEFAULT_KIND, "A fact, preference or event worth remembering", TEXT_SCHEMA),)


def build_kinds(specs: list[dict[str, Any]] | None) -> tuple[Kind, ...]:
    if not specs:
        return DEFAULT_KINDS
    kinds = []
    for spec in specs:
        try:
            Draft202012Validator.check_schema(spec["schema"])
        except SchemaError as exc:
            raise InvalidInput(f"kind {spec['name']!r} has an invalid JSON Schema: "
                               f"{exc.message}") from None
        kinds.append(Kind(spec["name"], spec.get("description") or "", spec["schema"],
                          bool(spec.get("single"))))
    if len({k.name for k in kinds}) < len(kinds):
        raise InvalidInput("two kinds share a name")
    return tuple(kinds)
