"""Extraction reads (candidates, duplicate check) through MemoryService, as it writes: it
neither imports app.store nor reaches for a service's `.store`."""

import ast
from pathlib import Path

EXTRACTION = Path(__file__).resolve().parents[2] / "app" / "extraction"


def test_extraction_does_not_touch_the_store() -> None:
    found = []
    for path in sorted(EXTRACTION.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), path.name)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app.store"):
                found.append(f"{path.name}:{node.lineno} imports {node.module}")
            elif isinstance(node, ast.Attribute) and node.attr == "store":
                found.append(f"{path.name}:{node.lineno} reads .store")
    assert found == [], "read through MemoryService: " + ", ".join(found)
