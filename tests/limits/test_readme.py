"""The README's limits table names every cap, and its settings table the true defaults."""

import re
from pathlib import Path

from app.config import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
CAPS = ("MAX_BODY_BYTES", "MAX_IMPORT_BYTES", "MAX_BATCH_ITEMS", "MAX_PAGE_SIZE", "MAX_OFFSET",
        "MAX_EXTRACTION_MESSAGES", "EXTRACTION_MAX_CONCURRENCY", "RATE_LIMIT_PER_MINUTE",
        "RATE_LIMIT_BURST")
OURS = ("RATE_LIMIT_PER_MINUTE", "IDEMPOTENCY_TTL_SECONDS", "IDEMPOTENCY_LOCK_SECONDS",
        "EXTRACTION_MAX_CONCURRENCY", "EXTRACTION_WAIT_SECONDS", "MAX_EXTRACTION_MESSAGES")


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    return README[start:README.index("\n## ", start + 1)]


def test_the_limits_table_names_every_cap():
    table = section("Limits and retries")
    assert [cap for cap in CAPS if f"`{cap}`" not in table] == []


def test_settings_rows_show_the_defaults():
    rows = dict(re.findall(r"^\| `([A-Z_]+)` \| `([^`]*)` \|", section("Settings"), re.M))
    defaults = Settings.model_fields
    for name in OURS:
        default = defaults[name.lower()].default
        assert float(rows[name]) == float(default), name
