"""Export streams JSON Lines; import upserts them; export, forget, import restores all."""

import json

import psycopg

NS = ["memories", "alice"]


async def seed(client):
    items = [{"namespace": NS, "key": f"k{i}", "content": f"Alice fact number {i}"}
             for i in range(30)]
    items.append({"namespace": [*NS, "work"], "key": "job", "content": "Alice works at Acme",
                  "ttl": 600})
    items.append({"namespace": NS, "key": "hidden", "content": "not searchable",
                  "index": False})
    assert (await client.post("/v1/memories/batch", json={"items": items})).status_code == 201


async def export(client, prefix="memories.alice") -> list[dict]:
    response = await client.get("/v1/export", params={"prefix": prefix})
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


async def search(client, query):
    found = await client.post("/v1/search", json={"query": query, "namespace_prefix": NS,
                                                  "limit": 10})
    return [(i["namespace"], i["key"], round(i["score"], 6)) for i in found.json()["items"]]


async def import_(client, lines: list[dict] | str):
    body = lines if isinstance(lines, str) else "".join(json.dumps(x) + "\n" for x in lines)
    response = await client.post("/v1/import", content=body.encode(),
                                 headers={"content-type": "application/x-ndjson"})
    assert response.status_code == 200, response.text
    return response.json()


async def test_export_forget_import_gives_back_the_same_items_and_results(client):
    await seed(client)
    exported = await export(client)
    assert len(exported) == 32
    job = next(x for x in exported if x["key"] == "job")
    assert job["namespace"] == [*NS, "work"] and job["ttl_minutes"] == 600
    assert next(x for x in exported if x["key"] == "hidden")["index"] is False
    before = await search(client, "what does Alice do for work?")

    await client.post("/v1/forget", json={"namespace_prefix": NS})
    report = await import_(client, exported)
    assert report == {"inserted": 32, "updated": 0, "unchanged": 0, "rejected": []}

    after = await export(client)
    strip = lambda rows: [{k: v for k, v in r.items() if k != "ttl_minutes"} for r in rows]  # noqa: E731
    assert strip(after) == strip(exported)  # same keys, values and timestamps
    assert await search(client, "what does Alice do for work?") == before
    hidden = await client.post("/v1/search", json={"query": "not searchable",
                                                   "namespace_prefix": NS, "limit": 50})
    assert "hidden" not in [i["key"] for i in hidden.json()["items"]]


async def test_importing_twice_changes_nothing_and_updates_are_counted(client):
    await seed(client)
    exported = await export(client)
    assert (await import_(client, exported))["unchanged"] == 32
    exported[0]["value"] = {"kind": "Memory", "content": {"content": "changed"}}
    again = await import_(client, exported)
    assert (again["updated"], again["unchanged"], again["inserted"]) == (1, 31, 0)
    assert (await client.get("/v1/stats", params={"prefix": "memories.alice"})
            ).json()["memories"] == 32


async def test_bad_lines_are_rejected_by_number_and_good_ones_land(client):
    body = "\n".join([
        json.dumps({"namespace": NS, "key": "good1", "value": {"content": "one"}}),
        "{not json",
        json.dumps({"namespace": ["langgraph"], "key": "k", "value": {}}),
        json.dumps({"namespace": NS, "key": "", "value": {}}),
        json.dumps({"namespace": NS, "key": "k", "value": "text"}),
        json.dumps({"namespace": NS, "key": "k", "value": {}, "created_at": "yesterday"}),
        "",
        json.dumps({"namespace": NS, "key": "good2", "value": {"content": "two"}}),
        # text Postgres cannot store, and a TTL past any date it can hold
        json.dumps({"namespace": NS, "key": "k", "value": {"content": "a\x00b"}}),
        json.dumps({"namespace": NS, "key": "k\ud800", "value": {}}),
        json.dumps({"namespace": NS, "key": "k", "value": {}, "ttl_minutes": 1e12}),
    ])
    report = await import_(client, body)
    assert report["inserted"] == 2
    assert [(r["line"], r["error"].split(":")[0]) for r in report["rejected"]] == [
        (2, "not JSON"), (3, "namespace cannot start with 'langgraph'"),
        (4, "'key' must be a non-empty string"), (5, "'value' must be a JSON object"),
        (6, "bad timestamp"),
        (9, "value.content contains the NUL character (\\u0000), which cannot be stored; "
            "remove it"),
        (10, "key contains an unpaired surrogate (\\ud800), which cannot be stored; remove it"),
        (11, "'ttl_minutes' must be a positive number of minutes, at most 525600000 "
             "(1000 years)")]


async def test_a_plain_langgraph_store_table_imports(client, database_url):
    """What `psql -c "COPY (SELECT row_to_json(s) FROM store s) TO STDOUT"` prints."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE legacy (LIKE store)")
        conn.execute("INSERT INTO legacy (prefix, key, value, created_at, updated_at) VALUES "
                     "('memories.carol', 'a', '{\"content\": \"Carol plays chess\"}', "
                     "'2024-01-02T03:04:05Z', '2024-02-03T04:05:06Z')")
        lines = [r[0] for r in conn.execute("SELECT row_to_json(s)::text FROM legacy s")]
    report = await import_(client, "\n".join(lines) + "\n")
    assert report["inserted"] == 1
    got = (await client.get("/v1/memories/a", params={"namespace": "memories.carol"})).json()
    assert got["value"] == {"kind": "Memory", "content": {"content": "Carol plays chess"}}
    assert got["created_at"].startswith("2024-01-02T03:04:05")
    found = await client.post("/v1/search", json={"query": "board games", "limit": 1})
    assert found.json()["items"][0]["key"] == "a"


def deep(levels: int):
    value = "x"
    for _ in range(levels):
        value = {"a": value}
    return value


async def test_poison_lines_are_rejected_by_number_and_good_ones_land(client):
    def line(key, value, **more):
        return json.dumps({"namespace": NS, "key": key, "value": value, **more}).encode()

    body = b"\n".join([
        line("good1", {"content": "one"}),
        line("deep", deep(65)),   # past MAX_VALUE_DEPTH (64)
        line("deeper", deep(300)),  # past what any response can carry (255)
        b'{"namespace": ["memories", "alice"], "key": "k", "value": ' + b'{"a": ' * 5000
        + b"1" + b"}" * 5000 + b"}",
        b'{"namespace": ["memories", "alice"], "key": "k", "value": {"p": NaN}}',
        b'{"namespace": ["memories", "alice"], "key": "k", "value": {"p": 1e400}}',
        b'{"namespace": ["memories", "alice"], "key": "k", "value": {}, "ttl": Infinity}',
        b'{"namespace": ["memories", "alice"], "key": "k", "value": {"c": "caf\xe9"}}',
        line("k" * 3000, {}),
        line("good2", {"content": "two"}),
    ])
    response = await client.post("/v1/import", content=body)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["inserted"] == 2
    assert [(r["line"], r["error"]) for r in report["rejected"]] == [
        (2, "value is nested more than 64 levels deep (at value.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
            "a.a.a.…); values may nest at most 64 levels (MAX_VALUE_DEPTH)"),
        (3, report["rejected"][1]["error"]),
        (4, "not JSON: nested too deeply to parse"),
        (5, "value.p is NaN, which JSON numbers cannot be; send a finite number"),
        (6, "value.p is Infinity (or a number too large, such as 1e400), which JSON numbers "
            "cannot be; send a finite number"),
        (7, "'ttl_minutes' must be a positive number of minutes, at most 525600000 "
            "(1000 years)"),
        (8, "not UTF-8: byte 0xe9 at offset 68"),  # was stored as "caf\ufffd", silently
        (9, "key is 3000 characters long; at most 1024 are allowed"),
    ]
    assert "MAX_VALUE_DEPTH" in report["rejected"][1]["error"]


def refuse_keys(database_url: str, key: str, sqlstate: str) -> None:
    """Make the database itself refuse to store `key` with `sqlstate`, as it refuses a value
    or key it cannot hold (22xxx, 54000) or fails on its own (XX000)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"""
            CREATE FUNCTION refuse_{sqlstate}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = '{sqlstate}'; END $$;
            CREATE TRIGGER refuse_{sqlstate} BEFORE INSERT ON store FOR EACH ROW
            WHEN (NEW.key = '{key}') EXECUTE FUNCTION refuse_{sqlstate}();""")


def many_lines(bad: int, bad_key: str, total: int = 600) -> str:
    return "".join(json.dumps({"namespace": NS, "key": bad_key if i == bad else f"k{i}",
                               "value": {"content": f"fact {i}"}}) + "\n"
                   for i in range(1, total + 1))


async def test_a_line_the_database_refuses_is_rejected_and_its_batch_still_lands(
        client, database_url):
    refuse_keys(database_url, "poison", "22023")
    report = await import_(client, many_lines(550, "poison"))
    assert (report["inserted"], report["rejected"]) == (599, [
        {"line": 550, "error": "the database refused it: refused by the test"}])
    stats = await client.get("/v1/stats", params={"prefix": "memories.alice"})
    assert stats.json()["memories"] == 599


async def test_an_import_that_stops_says_which_lines_it_applied(client, database_url):
    refuse_keys(database_url, "stop", "XX000")
    response = await client.post("/v1/import", content=many_lines(550, "stop").encode())
    assert response.status_code == 500
    assert response.json()["detail"] == (
        "the import stopped: an internal error (logged). lines 1-500 were applied: 500 "
        "inserted, 0 updated, 0 unchanged, 0 rejected; nothing from line 501 on was. "
        "Importing the same lines again is safe: it changes only what differs")
    stats = await client.get("/v1/stats", params={"prefix": "memories.alice"})
    assert stats.json()["memories"] == 500
