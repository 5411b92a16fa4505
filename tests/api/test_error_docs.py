"""The OpenAPI schema documents every error as it is sent (found by tests/fuzz): each status a
route answers, with its {"detail": ...} body."""

import pytest

from app.config import Settings
from app.main import create_app

SPEC = create_app(Settings(_env_file=None)).openapi()
OPERATIONS = [(method.upper(), path, op) for path, item in SPEC["paths"].items()
              for method, op in item.items()]


def test_every_error_status_documents_its_body():
    for method, path, op in OPERATIONS:
        for status, response in op["responses"].items():
            if status[0] in "45":
                schema = response["content"]["application/json"]["schema"]["$ref"]
                body = "HTTPValidationError" if status == "422" else "Error"
                assert schema.endswith("/" + body), (method, path, status)
    assert SPEC["components"]["schemas"]["Error"]["required"] == ["detail"]


def test_a_422_detail_is_a_sentence_or_fastapis_list():
    detail = SPEC["components"]["schemas"]["HTTPValidationError"]["properties"]["detail"]
    assert [s.get("type") for s in detail["anyOf"]] == ["string", "array"]


def test_every_json_body_documents_the_400_for_an_unreadable_one():
    for method, path, op in OPERATIONS:
        if "application/json" in op.get("requestBody", {}).get("content", {}):
            assert "400" in op["responses"], (method, path)


@pytest.mark.parametrize("method, path, statuses", [
    ("GET", "/v1/history/{change_id}", {"404"}),
    ("POST", "/v1/history/{change_id}/restore", {"404"}),
    ("GET", "/v1/jobs/{job_id}", {"404"}),
    ("POST", "/v1/jobs/{job_id}/cancel", {"404", "409"}),
    ("DELETE", "/v1/keys/{key_id}", {"404"}),
    ("POST", "/v1/memories/batch", {"409"}),
    ("GET", "/v1/tools", {"404"}),
    ("POST", "/v1/tools/execute", {"404"}),
    ("GET", "/store/items", {"400"}),
    ("POST", "/threads", {"409"}),
    ("GET", "/threads/{thread_id}", {"404"}),
    ("PATCH", "/threads/{thread_id}", {"404"}),
    ("GET", "/threads/{thread_id}/runs", {"404"}),
    ("POST", "/threads/{thread_id}/runs/{run_id}/cancel", {"404", "409"}),
    ("GET", "/threads/{thread_id}/runs/{run_id}/join", {"404", "409"}),
])
def test_routes_document_the_statuses_they_answer(method, path, statuses):
    assert statuses <= set(SPEC["paths"][path][method.lower()]["responses"])
