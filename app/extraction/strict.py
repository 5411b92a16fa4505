"""A kind's content schema as a strict tool schema (OpenAI `strict: true`, grammar-constrained
local servers, Anthropic tool use).

Strict mode wants every object closed (`additionalProperties: false`) with every property
required; an optional property becomes nullable instead, and `drop_nulls` removes the nulls
again before the content is validated against the kind's own schema. Keywords that only narrow
values (lengths, ranges, formats) are left out of the tool schema: validation after the call
still enforces them, and not every server understands them. A construct strict mode cannot
express is refused with a 422 naming it and where it is.
"""

from typing import Any

from app.errors import InvalidInput

# Checked after the call against the kind's own schema; not sent to the model.
_NARROWING = {"pattern", "format", "minLength", "maxLength", "minimum", "maximum",
              "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems",
              "uniqueItems", "minProperties", "maxProperties"}
_UNSUPPORTED = {"allOf", "not", "if", "then", "else", "patternProperties", "dependentSchemas",
                "dependentRequired", "dependencies", "prefixItems", "contains", "minContains",
                "maxContains", "unevaluatedProperties", "unevaluatedItems", "propertyNames",
                "$dynamicRef", "$recursiveRef", "additionalItems"}
_MAX_DEPTH = 10  # OpenAI's nesting limit for strict schemas


def strict_schema(schema: dict[str, Any], kind: str) -> dict[str, Any]:
    return _Converter(schema, kind).convert(schema, "", 0, frozenset())


class _Converter:
    def __init__(self, root: dict[str, Any], kind: str) -> None:
        self.root = root
        self.kind = kind

    def fail(self, where: str, what: str) -> InvalidInput:
        return InvalidInput(
            f"kind {self.kind!r}: {what} at {where or '/'} of its schema cannot be expressed "
            "in a strict tool schema (OpenAI strict function calling, constrained local "
            "models); describe the content with type, properties, items, enum or anyOf")

    def convert(self, node: Any, where: str, depth: int, refs: frozenset[str]) -> dict[str, Any]:
        if not isinstance(node, dict):
            raise self.fail(where, "a boolean schema")
        if depth > _MAX_DEPTH:
            raise self.fail(where, f"nesting deeper than {_MAX_DEPTH} levels")
        for keyword in sorted(_UNSUPPORTED & node.keys()):
            raise self.fail(where, f"the keyword {keyword!r}")
        if "$ref" in node:
            return self.convert(self.resolve(node["$ref"], where, refs), where, depth,
                                refs | {node["$ref"]})
        out: dict[str, Any] = {k: node[k] for k in ("description",) if k in node}
        if "const" in node:
            out["enum"] = [node["const"]]
        elif "enum" in node:
            out["enum"] = list(node["enum"])
        if "type" in node:
            out["type"] = node["type"]
        alternatives = node.get("anyOf", node.get("oneOf"))
        if alternatives is not None:
            out["anyOf"] = [self.convert(a, f"{where}/anyOf/{i}", depth + 1, refs)
                            for i, a in enumerate(alternatives)]
        types: list[Any] = (node["type"] if isinstance(node.get("type"), list)
                            else [node.get("type")])
        if "object" in types or "properties" in node:
            out.update(self.object(node, where, depth, refs))
        if "array" in types or "items" in node:
            items = node.get("items")
            if not isinstance(items, dict):
                raise self.fail(where, "an array without one 'items' schema")
            out["items"] = self.convert(items, f"{where}/items", depth + 1, refs)
        if not {"type", "enum", "anyOf"} & out.keys():
            raise self.fail(where, "a schema that allows any value (no 'type')")
        return out

    def object(self, node: dict[str, Any], where: str, depth: int,
               refs: frozenset[str]) -> dict[str, Any]:
        properties = node.get("properties") or {}
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            raise self.fail(where, "'additionalProperties' as a schema (a map of any keys)")
        if not properties:
            raise self.fail(where, "an object without 'properties' (a free-form map)")
        required = set(node.get("required") or [])
        converted = {}
        for name, sub in properties.items():
            value = self.convert(sub, f"{where}/properties/{name}", depth + 1, refs)
            converted[name] = value if name in required else _nullable(value)
        return {"type": "object", "properties": converted, "required": list(converted),
                "additionalProperties": False}

    def resolve(self, ref: Any, where: str, seen: frozenset[str]) -> Any:
        if ref in seen:
            raise self.fail(where, f"the recursive reference {ref!r}")
        parts = ref.split("/") if isinstance(ref, str) else []
        if len(parts) != 3 or parts[0] != "#" or parts[1] not in ("$defs", "definitions"):
            raise self.fail(where, f"the reference {ref!r} (only #/$defs/<name> is supported)")
        target = (self.root.get(parts[1]) or {}).get(parts[2])
        if target is None:
            raise self.fail(where, f"the reference {ref!r} to nothing")
        return target


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    types = schema.get("type")
    if "anyOf" in schema and types is None:  # Pydantic's Optional[X]: anyOf [X, null]
        if any(a.get("type") == "null" for a in schema["anyOf"]):
            return schema
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    if types is None:
        return {"anyOf": [schema, {"type": "null"}]}
    types = types if isinstance(types, list) else [types]
    out = {**schema, "type": [*types, "null"] if "null" not in types else types}
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out


def drop_nulls(content: Any, schema: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """Remove the nulls a strict model sends for optional properties the kind's own schema
    does not allow to be null, so the content validates as the kind defines it."""
    root = schema if root is None else root
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.count("/") == 2:  # #/$defs/<name>, as strict_schema allows
        _, group, name = ref.split("/")
        schema = (root.get(group) or {}).get(name) or {}
    if isinstance(content, dict) and isinstance(schema.get("properties"), dict):
        required = set(schema.get("required") or [])
        properties = schema["properties"]
        return {k: drop_nulls(v, properties.get(k) or {}, root) for k, v in content.items()
                if not (v is None and k not in required and k in properties)}
    if isinstance(content, list) and isinstance(schema.get("items"), dict):
        return [drop_nulls(v, schema["items"], root) for v in content]
    return content
