"""Every answer forbids type sniffing; the API's answers, which hold personal
data, are kept by no cache unless the route says otherwise."""

from __future__ import annotations

from fastapi.testclient import TestClient

from domain.desk import HelpDesk
from tests.e2e.memory_desk import Auth, open_ticket


def test_api_answers_are_not_stored_by_caches(
    client: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    number = open_ticket(desk, "bob@acme.test")
    answers = [
        client.get(f"/api/v1/tickets/{number}", headers=auth["bob"]),
        client.get(f"/api/v1/tickets/{number}", headers=auth["erin"]),  # a 404
        client.get(f"/api/v1/tickets/{number}"),  # a 401
        client.post("/api/v1/tickets", json={"title": 1}, headers=auth["bob"]),
    ]
    assert [a.status_code for a in answers] == [200, 404, 401, 422]
    for answer in answers:
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_probes_and_docs_are_not_marked_private(client: TestClient) -> None:
    for path in ("/healthz", "/openapi.json"):
        answer = client.get(path)
        assert answer.status_code == 200
        assert "cache-control" not in answer.headers
        assert answer.headers["x-content-type-options"] == "nosniff"
