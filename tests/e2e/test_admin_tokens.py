"""API tokens through the admin API: issued once, listed without secrets, revoked."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from tests.e2e.memory_desk import Auth

ADMIN = "/api/v1/admin"
TOKENS = f"{ADMIN}/tokens"


def issue(client: TestClient, auth: Auth, **body: Any) -> dict[str, Any]:
    """Issue a token as the admin and return the response body."""
    response = client.post(TOKENS, json=body, headers=auth["admin"])
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"{TOKENS}/{response.json()['id']}"
    assert response.headers["Cache-Control"] == "no-store"
    token: dict[str, Any] = response.json()
    return token


def bearer(token: dict[str, Any]) -> dict[str, str]:
    """The Authorization header for an issued token."""
    return {"Authorization": f"Bearer {token['secret']}"}


def test_tokens_are_listed_and_read_without_secrets(
    client: TestClient, auth: Auth
) -> None:
    token = issue(client, auth, name="ci", role="auditor", subject="ci-bot")
    assert token["secret"].startswith("tt_")
    listed = client.get(TOKENS, headers=auth["auditor"]).json()
    assert listed["total"] == 9
    for item in listed["items"]:
        assert set(item) == {
            "id",
            "name",
            "role",
            "subject",
            "revoked",
            "version",
            "created_at",
            "updated_at",
        }
    read = client.get(f"{TOKENS}/{token['id']}", headers=auth["admin"]).json()
    assert read == {k: v for k, v in token.items() if k != "secret"}
    assert token["secret"] not in client.get(TOKENS, headers=auth["admin"]).text


def test_a_new_customer_opens_a_ticket_with_a_new_token(
    client: TestClient, auth: Auth
) -> None:
    customer = {"email": "gus@example.com", "name": "Gus"}
    client.post(f"{ADMIN}/customers", json=customer, headers=auth["admin"])
    token = issue(
        client, auth, name="portal", role="customer", subject="GUS@example.com"
    )
    assert token["subject"] == "gus@example.com"
    body = {"title": "Login broken", "article": {"body": "It says no."}}
    opened = client.post("/api/v1/tickets", json=body, headers=bearer(token))
    assert opened.status_code == 201, opened.text
    ticket = client.get(
        f"/api/v1/tickets/{opened.json()['number']}", headers=auth["alice"]
    ).json()
    assert ticket["customer"] == "gus@example.com"
    assert ticket["articles"][0]["author"] == "customer:gus@example.com"
    refused = client.get(f"{ADMIN}/queues", headers=bearer(token))
    assert refused.status_code == 403


def test_a_new_agent_works_with_a_new_token(client: TestClient, auth: Auth) -> None:
    agent = {"login": "dora", "name": "Dora", "email": "dora@example.com"}
    client.post(
        f"{ADMIN}/agents", json=agent | {"groups": ["support"]}, headers=auth["admin"]
    )
    token = issue(client, auth, name="desk", role="agent", subject="dora")
    body = {
        "title": "Phoned in",
        "customer": "erin@example.com",
        "article": {"body": "Erin called.", "channel": "phone"},
    }
    opened = client.post("/api/v1/tickets", json=body, headers=bearer(token))
    assert opened.status_code == 201, opened.text
    assert client.get(f"{ADMIN}/statuses", headers=bearer(token)).status_code == 200
    writes = client.post(f"{ADMIN}/queues", json={"name": "X"}, headers=bearer(token))
    assert writes.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "role": "customer", "subject": "nobody@example.com"},
        {"name": "x", "role": "agent", "subject": "nobody"},
        {"name": "x", "role": "agent", "subject": "bob@acme.test"},
        {"name": "x", "role": "root", "subject": "x"},
        {"name": "x", "role": "auditor", "subject": ""},
        {"name": "x", "role": "auditor"},
    ],
)
def test_tokens_need_a_known_subject_and_role(
    client: TestClient, auth: Auth, body: dict[str, Any]
) -> None:
    response = client.post(TOKENS, json=body, headers=auth["admin"])
    assert response.status_code == 422, response.text


def test_a_revoked_token_is_refused(client: TestClient, auth: Auth) -> None:
    token = issue(client, auth, name="temp", role="admin", subject="temp")
    assert client.get(TOKENS, headers=bearer(token)).status_code == 200
    revoked = client.post(f"{TOKENS}/{token['id']}/revoke", headers=auth["admin"])
    assert revoked.status_code == 200, revoked.text
    assert (revoked.json()["revoked"], revoked.json()["version"]) == (True, 2)
    refused = client.get(TOKENS, headers=bearer(token))
    assert refused.status_code == 401
    assert refused.json()["detail"] == "the token is unknown or revoked"
    again = client.post(f"{TOKENS}/{token['id']}/revoke", headers=auth["admin"])
    assert again.json()["version"] == 2


def test_revoking_unknown_or_stale_tokens(client: TestClient, auth: Auth) -> None:
    missing = client.post(f"{TOKENS}/{uuid4()}/revoke", headers=auth["admin"])
    assert missing.status_code == 404
    assert client.get(f"{TOKENS}/{uuid4()}", headers=auth["admin"]).status_code == 404
    malformed = client.post(f"{TOKENS}/not-a-uuid/revoke", headers=auth["admin"])
    assert malformed.status_code == 422
    token = issue(client, auth, name="temp", role="auditor", subject="temp")
    stale = client.post(
        f"{TOKENS}/{token['id']}/revoke?expected_version=2", headers=auth["admin"]
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 1
    assert client.get(TOKENS, headers=bearer(token)).status_code == 200
