"""The OpenAPI document lists each operation's refusals, its token and its headers.

test_openapi_conformance.py checks the answers against the document; this
module checks that the document says what a client needs to know at all.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

Document = dict[str, Any]
PUBLIC = {"/healthz", "/readyz", "/metrics"}
T = "/api/v1/tickets/{number}"


@pytest.fixture
def document(client: TestClient) -> Document:
    """The app's OpenAPI document, as served."""
    response = client.get("/openapi.json")
    assert response.status_code == 200
    served: Document = response.json()
    return served


def operations(document: Document) -> list[tuple[str, str, Document]]:
    """Every (method, path, operation) of the document."""
    return [
        (method.upper(), path, operation)
        for path, items in document["paths"].items()
        for method, operation in items.items()
    ]


def statuses(document: Document, method: str, path: str) -> set[int]:
    """The statuses the operation documents."""
    return {int(s) for s in document["paths"][path][method.lower()]["responses"]}


def test_every_operation_but_the_probes_takes_a_bearer_token(
    document: Document,
) -> None:
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token an admin issued: `Authorization: Bearer <token>`.",
    }
    for _, path, operation in operations(document):
        if path in PUBLIC:
            assert "security" not in operation, path
        else:
            assert operation["security"] == [{"bearer": []}], path
            assert "401" in operation["responses"], path
            assert "authorization" not in {
                p["name"].lower() for p in operation.get("parameters", [])
            }, path


def test_every_refusal_is_a_documented_problem(document: Document) -> None:
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance"}
    assert {"code", "current_version", "errors"} <= set(problem["properties"])
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["content"] == {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"}
                    }
                }, (method, path, status)


def test_everything_that_reads_the_store_may_be_unavailable(
    document: Document,
) -> None:
    for method, path, _ in operations(document):
        assert (503 in statuses(document, method, path)) == (path != "/healthz")


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", T, {401, 404, 422, 429, 503}),
        ("GET", "/api/v1/tickets", {401, 422, 429, 503}),
        ("POST", f"{T}/tags", {400, 401, 403, 404, 408, 409, 412, 413, 422, 429, 503}),
        (
            "POST",
            "/api/v1/tickets",
            {400, 401, 403, 408, 409, 412, 413, 415, 422, 429, 503},
        ),
        ("GET", "/api/v1/views/queues", {401, 403, 422, 429, 503}),
        ("GET", "/api/v1/admin/statuses", {401, 403, 429, 503}),
        ("GET", "/readyz", {503}),
        ("GET", "/healthz", set()),
    ],
)
def test_the_refusals_follow_from_what_an_operation_depends_on(
    document: Document, method: str, path: str, expected: set[int]
) -> None:
    assert statuses(document, method, path) - {200, 201} == expected


def test_successes_declare_their_status_and_headers(document: Document) -> None:
    opened = document["paths"]["/api/v1/tickets"]["post"]["responses"]
    assert set(opened["201"]["headers"]) == {"ETag", "Location"}
    tagged = document["paths"][f"{T}/tags"]["post"]["responses"]
    assert set(tagged["200"]["headers"]) == {"ETag"}
    assert tagged["200"]["headers"]["ETag"]["required"] is True
    read = document["paths"][T]["get"]["responses"]
    assert set(read["200"]["headers"]) == {"ETag"}
    listed = document["paths"]["/api/v1/tickets"]["get"]["responses"]
    assert "headers" not in listed["200"]


def test_a_forbidden_caller_is_refused_before_the_body_is_checked(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    response = client.post(
        "/api/v1/tickets/20240101000001/tags",
        json={"not": "a tag"},
        headers=auth["bob"],
    )

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
