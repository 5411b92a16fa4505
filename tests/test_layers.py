"""The layers of docs/architecture.md hold: import-linter's contracts (.importlinter) pass on
app/, and they do catch an upward import (a repository importing a router)."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH first: the editable install would otherwise analyse the checkout's app/
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True,
                          text=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
                          timeout=120)


def test_imports_flow_down() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "app", tmp_path / "app",
                    ignore=shutil.ignore_patterns("__pycache__", "ui"))
    shutil.copy(ROOT / ".importlinter", tmp_path)
    rows = tmp_path / "app" / "repositories" / "rows.py"
    rows.write_text(rows.read_text() + "\nfrom app.api import memories  # noqa: E402, F401\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "app.repositories.rows -> app.api.memories" in result.stdout


def _calls(attribute: str, *, outside: tuple[str, ...]) -> list[tuple[str, ast.Call]]:
    """Calls of `.attribute(...)` in app/, except in files under the `outside` paths."""
    found = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name.startswith(outside):
            continue
        for node in ast.walk(ast.parse(path.read_text(), name)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == attribute):
                found.append((name, node))
    return found


def _is_sql(node: ast.expr) -> bool:
    """A statement's text: a string, an f-string, or psycopg's sql.SQL(...)."""
    if isinstance(node, ast.Constant | ast.JoinedStr):
        return True
    if isinstance(node, ast.Call):
        func = node.func
        named = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return named in ("SQL", "format") or (isinstance(func, ast.Attribute)
                                              and _is_sql(func.value))
    return False


def test_sql_only_in_repositories() -> None:
    outside = [f"{name}:{call.lineno}"
               for method in ("execute", "executemany")
               for name, call in _calls(method, outside=("app/repositories/",))
               if call.args and _is_sql(call.args[0])]
    assert outside == [], "SQL belongs in app/repositories: " + ", ".join(outside)


def test_writes_go_through_the_memory_service() -> None:
    # MemoryStore.apply_puts is the store's write; MemoryService is its one caller (the
    # store's own LangGraph batch API calls it from inside app/store).
    callers = [f"{name}:{call.lineno}" for name, call in _calls(
        "apply_puts", outside=("app/store/", "app/memories/service.py"))]
    assert callers == [], "write through MemoryService: " + ", ".join(callers)
    # The import's bulk batches too: their repository is MemoryService's alone.
    importers = [name for path in sorted((ROOT / "app").rglob("*.py"))
                 if any(f in path.read_text() for f in ("import bulk_import",
                                                        "bulk_import import"))
                 and (name := path.relative_to(ROOT).as_posix())
                 not in ("app/memories/service.py", "app/repositories/bulk_import.py")]
    assert importers == [], f"bulk writes outside MemoryService: {importers}"
