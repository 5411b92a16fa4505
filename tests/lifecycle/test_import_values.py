"""A batch's values go to Postgres as one JSON array zipped with the keys (not one Jsonb
each): every value lands exactly under its own key, in line order, whatever it holds."""

import json

import psycopg

from tests.lifecycle.import_helpers import NS, lines_of, transfer

VALUES = [
    {"content": "plain"},
    {"content": "ünïcödé 😀 \"quoted\" back\\slash\nnew line"},
    {"big": 2**70, "small": -(2**63), "tiny": 1e-300, "pi": 3.141592653589793},
    {"nested": [[1, [2, {"x": None}]], {"deep": {"er": [True, False]}}]},
    {},
    {"content": "same text"},
    {"content": "same text"},  # two keys, equal values: each lands under its own key
]


async def test_every_value_lands_exactly_under_its_key_in_line_order(
        app, embedder, database_url):
    rows = [{"namespace": NS, "key": f"v{i}", "value": v} for i, v in enumerate(VALUES)]
    service, _ = transfer(app, embedder, defer_after=10_000)
    report = await service.import_lines(lines_of(rows), batch_size=100)
    assert (report.inserted, report.rejected) == (len(VALUES), [])
    with psycopg.connect(database_url) as conn:
        stored = dict(conn.execute("SELECT key, value::text FROM store WHERE prefix = %s",
                                   (".".join(NS),)).fetchall())
        history = conn.execute("SELECT key FROM memory_history WHERE prefix = %s ORDER BY id",
                               (".".join(NS),)).fetchall()
    assert {k: json.loads(v) for k, v in stored.items()} == {
        f"v{i}": v for i, v in enumerate(VALUES)}
    assert [k for (k,) in history] == [f"v{i}" for i in range(len(VALUES))]
