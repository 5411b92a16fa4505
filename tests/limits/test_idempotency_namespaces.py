"""The namespaces an Idempotency-Key record names: its request's, its answer's, or unknown."""

import pytest

from app.limits.idempotency_namespaces import NOT_JSON, answered, requested, stored

ALICE = ["memories", "alice"]


@pytest.mark.parametrize("path, body, expected", [
    ("/v1/memories", {"namespace": ALICE, "content": "x"}, {"memories.alice"}),
    ("/v1/memories/batch", {"items": [{"namespace": ALICE}, {"namespace": ["b", "c"]}]},
     {"memories.alice", "b.c"}),
    ("/v1/extract", {"namespace": ["memories", "{user_id}"], "config": {"user_id": "alice"}},
     {"memories.alice"}),
    ("/v1/jobs/extract", {"namespace": ["shared"]}, {"shared"}),
])
def test_the_request_names_its_namespaces(path, body, expected):
    assert requested(path, body) == expected


@pytest.mark.parametrize("path, body", [
    ("/v1/memories", NOT_JSON),
    ("/v1/memories", ["not", "an", "object"]),
    ("/v1/memories", {"content": "no namespace"}),
    ("/v1/memories", {"namespace": "memories.alice"}),  # a string, not labels
    ("/v1/memories", {"namespace": ["memories", "a.b"]}),
    ("/v1/memories", {"namespace": ["memories", "a\x00b"]}),
    ("/v1/memories/batch", {"items": [{"namespace": ALICE}, {"content": "x"}]}),
    ("/v1/memories/batch", {"items": "x"}),
    # {user_id} filled by the API key's identity: not in the body
    ("/v1/extract", {"namespace": ["memories", "{user_id}"]}),
    ("/v1/extract", {"namespace": ["memories", "{user_id.x}"], "config": {"user_id": "a"}}),
    ("/v1/jobs/extract", {"namespace": ALICE, "config": ["x"]}),
])
def test_an_unreadable_request_is_unknown(path, body):
    assert requested(path, body) is None


def test_the_answer_names_every_namespace_at_any_depth():
    job = {"namespace": ALICE, "result": {"namespace": ALICE, "created": [
        {"namespace": [*ALICE, "work"], "key": "k"}]}}
    assert answered(job) == {"memories.alice", "memories.alice.work"}
    assert answered([{"namespace": ["a"]}, {"namespace": ["b"]}]) == {"a", "b"}
    assert answered({"detail": [{"input": {"namespace": ALICE}}]}) == {"memories.alice"}
    assert answered({"namespace": "a", "other": [1, None]}) == set()
    assert answered(NOT_JSON) == set()


def test_a_record_stays_unknown_unless_its_success_names_its_namespaces():
    assert stored(frozenset({"a"}), 201, {"namespace": ["b"]}) == {"a", "b"}
    assert stored(frozenset(), 422, {"detail": "x"}) == set()
    assert stored(None, 201, {"namespace": ALICE}) == {"memories.alice"}
    assert stored(None, 201, {"run": 1}) is None
    assert stored(None, 422, {"detail": [{"input": {"namespace": ALICE}}]}) is None
