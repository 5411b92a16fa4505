"""Keyword statistics (document count, mean length, how many documents hold each word) come
from the namespaces searched: one tenant's words never move another tenant's ranking."""

import pytest

from tests.hybrid.helpers import create_many, search

TENANT_B = ("org", "b")
TENANT_A = ("org", "a")
QUERY = "falcon harbor"
# In B "falcon" is rare (one memory) and "harbor" common (six): the falcon memory wins.
B_TEXTS = {
    "falcon": "A falcon nested on the roof of the old mill",
    "harbor": "The harbor was calm on Sunday morning",
    **{f"h{i}": f"Boats number {i} were moored in the harbor near pier {i}" for i in range(5)},
    **{f"x{i}": f"Routine note {i} about groceries and laundry" for i in range(3)},
}
# In A every memory mentions falcons and none a harbor: table-wide, "falcon" is the
# common word and "harbor" the rare one, which would put B's harbor memory first.
A_TEXTS = {f"a{i}": f"Falcon watching log entry {i}: two falcons over the ridge"
           for i in range(40)}


def ranking(items: list[dict]) -> list[tuple[str, float]]:
    return [(i["key"], round(i["score"], 12)) for i in items]


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
async def test_another_tenants_words_do_not_change_a_ranking(client, mode):
    await create_many(client, TENANT_B, B_TEXTS)
    before = await search(client, TENANT_B, QUERY, mode=mode, limit=20)
    assert before[0]["key"] == "falcon"
    await create_many(client, TENANT_A, A_TEXTS)
    after = await search(client, TENANT_B, QUERY, mode=mode, limit=20)
    assert ranking(after) == ranking(before)


async def test_statistics_follow_the_prefix_searched(client):
    await create_many(client, TENANT_B, B_TEXTS)
    await create_many(client, TENANT_A, A_TEXTS)
    # Searching both tenants, falcon is everywhere and harbor rare: the harbor memory of B
    # (the shortest) now outranks B's falcon memory.
    both = [i["key"] for i in await search(client, ("org",), QUERY, mode="keyword", limit=60)]
    assert both.index("harbor") < both.index("falcon")
    only_b = [i["key"] for i in await search(client, TENANT_B, QUERY, mode="keyword")]
    assert only_b.index("falcon") < only_b.index("harbor")


async def test_filters_narrow_results_without_changing_scores(client):
    await create_many(client, TENANT_B, B_TEXTS)
    everything = {i["key"]: i["score"] for i in await search(client, TENANT_B, QUERY,
                                                              mode="keyword", limit=20)}
    response = await client.put("/v1/memories/harbor", params={"namespace": "org.b"},
                                json={"kind": "Note", "content": B_TEXTS["harbor"]})
    assert response.status_code == 200
    notes = await search(client, TENANT_B, QUERY, mode="keyword", filter={"kind": "Note"})
    assert [(i["key"], i["score"]) for i in notes] == [("harbor", everything["harbor"])]
