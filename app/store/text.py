"""Which text of an item gets embedded (and, later, keyword-indexed)."""

import json
from typing import Any

from langgraph.store.base import get_text_at_path, tokenize_path


def indexed_text(value: dict[str, Any], fields: list[str] | None = None) -> str:
    """The one text an item is searched by.

    With explicit `fields` (LangGraph's `index=[...]` paths) their texts are joined. By
    default the memory's own words are used, not its JSON wrapper: a LangMem memory
    `{"kind": ..., "content": {"content": "..."}}` or a manage-tool item `{"content": "..."}`
    is embedded as its sentence, so "dark mode" is not diluted by key names.
    """
    if fields:
        parts = [t for f in fields for t in get_text_at_path(value, tokenize_path(f))]
        return "\n".join(p for p in parts if p)
    content = value.get("content", value)
    if isinstance(content, dict) and isinstance(content.get("content"), str) and len(content) == 1:
        content = content["content"]
    if isinstance(content, str):
        return content
    return json.dumps(content, ensure_ascii=False, sort_keys=True)
