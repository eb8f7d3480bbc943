"""Every write takes the one command path: idempotency keys, versions, request ids."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.memory_desk import Auth, post_ticket

TICKETS = "/api/v1/tickets"
ADMIN = "/api/v1/admin"


def _with(auth: Auth, who: str, **headers: str) -> dict[str, str]:
    return {**auth[who], **headers}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/queues", {"name": "Billing", "group": "billing"}),
        ("/agents", {"login": "frank", "name": "Frank", "email": "f@example.com"}),
        ("/customers", {"email": "gus@example.com", "name": "Gus"}),
        ("/organizations", {"name": "Initech", "domains": ["initech.test"]}),
        ("/fields", {"name": "serial", "kind": "text"}),
        ("/statuses", {"name": "on_hold", "category": "pending"}),
    ],
)
def test_a_configuration_write_retried_under_its_key_answers_the_first_result(
    client: TestClient, auth: Auth, path: str, body: dict[str, Any]
) -> None:
    headers = _with(auth, "admin", **{"Idempotency-Key": "k-1"})
    first = client.post(ADMIN + path, json=body, headers=headers)
    again = client.post(ADMIN + path, json=body, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Location"] == first.headers["Location"]
    # Without the key, the same write is a second one, and refused.
    assert client.post(ADMIN + path, json=body, headers=auth["admin"]).status_code in (
        409,
        422,
    )


def test_a_configuration_key_reused_for_another_write_is_refused(
    client: TestClient, auth: Auth
) -> None:
    headers = _with(auth, "admin", **{"Idempotency-Key": "k-2"})
    client.post(f"{ADMIN}/queues", json={"name": "Billing"}, headers=headers)
    response = client.post(f"{ADMIN}/queues", json={"name": "Sales"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["title"] == "Idempotency Key Reused"
    assert client.get(f"{ADMIN}/queues/Sales", headers=auth["admin"]).status_code == 404


def test_a_patch_retried_under_its_key_applies_once(
    client: TestClient, auth: Auth
) -> None:
    headers = _with(auth, "admin", **{"Idempotency-Key": "k-3"})
    patch = {"skills": ["printers"]}
    first = client.patch(f"{ADMIN}/agents/alice", json=patch, headers=headers)
    again = client.patch(f"{ADMIN}/agents/alice", json=patch, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    history = client.get(f"{ADMIN}/agents/alice", headers=auth["admin"])
    assert history.json()["version"] == first.json()["version"]


def test_configuration_writes_check_if_match(client: TestClient, auth: Auth) -> None:
    queue = client.get(f"{ADMIN}/queues/General", headers=auth["admin"])
    stale = _with(auth, "admin", **{"If-Match": '"99"'})
    refused = client.patch(
        f"{ADMIN}/queues/General", json={"group": "billing"}, headers=stale
    )
    assert refused.status_code == 412
    assert refused.json()["current_version"] == queue.json()["version"]
    current = _with(auth, "admin", **{"If-Match": queue.headers["ETag"]})
    done = client.patch(
        f"{ADMIN}/queues/General", json={"group": "billing"}, headers=current
    )
    assert done.status_code == 200, done.text
    assert done.json()["group"] == "billing"


def test_if_match_star_asks_only_that_the_record_exists(
    client: TestClient, auth: Auth
) -> None:
    number = post_ticket(client, auth)["number"]
    star = _with(auth, "alice", **{"If-Match": "*"})
    response = client.post(f"{TICKETS}/{number}/tags", json={"tag": "x"}, headers=star)
    assert response.status_code == 200, response.text
    patched = client.patch(
        f"{ADMIN}/queues/General",
        json={"group": "support"},
        headers=_with(auth, "admin", **{"If-Match": "*"}),
    )
    assert patched.status_code == 200, patched.text
    missing = client.post(f"{TICKETS}/nope/tags", json={"tag": "x"}, headers=star)
    assert missing.status_code == 404


def test_an_idempotent_retry_answers_the_first_position(
    client: TestClient, auth: Auth
) -> None:
    number = post_ticket(client, auth)["number"]
    headers = _with(auth, "alice", **{"Idempotency-Key": "t-1"})
    first = client.post(f"{TICKETS}/{number}/tags", json={"tag": "x"}, headers=headers)
    client.post(f"{TICKETS}/{number}/tags", json={"tag": "y"}, headers=auth["alice"])
    again = client.post(f"{TICKETS}/{number}/tags", json={"tag": "x"}, headers=headers)
    assert first.json()["position"] is not None
    assert again.json() == {**first.json(), "replayed": True}


def test_a_write_without_a_request_id_gets_one_and_records_it(
    client: TestClient, auth: Auth
) -> None:
    body = {"title": "Printer on fire", "article": {"body": "It smokes."}}
    response = client.post(TICKETS, json=body, headers=auth["bob"])
    request_id = response.headers["X-Request-Id"]
    assert len(request_id) >= 16
    number = response.json()["number"]
    history = client.get(f"{TICKETS}/{number}/history", headers=auth["alice"]).json()
    assert {e["correlation_id"] for e in history["entries"]} == {request_id}
    given = _with(auth, "alice", **{"X-Request-Id": "req-42"})
    tagged = client.post(f"{TICKETS}/{number}/tags", json={"tag": "x"}, headers=given)
    assert tagged.headers["X-Request-Id"] == "req-42"
    # Reads and refusals carry an id too, so a caller can always quote one.
    assert client.get(f"{TICKETS}/nope", headers=auth["bob"]).headers["X-Request-Id"]


def test_a_token_retried_under_its_key_is_one_token_whose_secret_is_shown_once(
    client: TestClient, auth: Auth
) -> None:
    body = {"name": "portal", "role": "customer", "subject": "bob@acme.test"}
    headers = _with(auth, "admin", **{"Idempotency-Key": "tok-1"})
    first = client.post(f"{ADMIN}/tokens", json=body, headers=headers)
    again = client.post(f"{ADMIN}/tokens", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["secret"]
    assert again.json() == {**first.json(), "secret": None}
    tokens = client.get(f"{ADMIN}/tokens?limit=500", headers=auth["admin"]).json()
    assert [t["name"] for t in tokens["items"]].count("portal") == 1
