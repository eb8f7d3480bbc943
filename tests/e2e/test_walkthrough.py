"""The README's walkthrough, step by step, starting from the first admin token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from domain.audit import SYSTEM, Origin
from domain.desk import HelpDesk
from tests.e2e.memory_desk import MemoryBlobs

API = "/api/v1"


@pytest.fixture
def fresh() -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A freshly initialized desk and the first admin's headers, nothing else."""
    desk = HelpDesk()
    desk.initialize()
    secret, _ = desk.issue_token("first admin", "admin", "admin", Origin(SYSTEM))
    with TestClient(create_app(Services(desk=desk, blobs=MemoryBlobs()))) as client:
        yield client, {"Authorization": f"Bearer {secret}"}


def post(
    client: TestClient, path: str, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    """POST JSON and expect success."""
    response = client.post(f"{API}{path}", json=body, headers=headers)
    assert response.is_success, response.text
    result: dict[str, Any] = response.json()
    return result


def bearer(secret: str) -> dict[str, str]:
    """Authorization headers for a token secret."""
    return {"Authorization": f"Bearer {secret}"}


def test_readme_walkthrough(fresh: tuple[TestClient, dict[str, str]]) -> None:
    client, admin = fresh
    post(
        client,
        "/admin/queues",
        admin,
        {"name": "Hardware", "group": "hardware", "follow_up": "reopen"},
    )
    post(
        client,
        "/admin/agents",
        admin,
        {
            "login": "alice",
            "name": "Alice",
            "email": "alice@example.com",
            "groups": ["hardware"],
        },
    )
    post(client, "/admin/customers", admin, {"email": "bob@acme.test", "name": "Bob"})
    agent = bearer(
        post(
            client,
            "/admin/tokens",
            admin,
            {"name": "desk", "role": "agent", "subject": "alice"},
        )["secret"]
    )
    bob = bearer(
        post(
            client,
            "/admin/tokens",
            admin,
            {"name": "portal", "role": "customer", "subject": "bob@acme.test"},
        )["secret"]
    )

    number = post(
        client,
        "/tickets",
        bob,
        {
            "title": "Printer on fire",
            "queue": "Hardware",
            "article": {"body": "It smokes."},
        },
    )["number"]
    articles = f"/tickets/{number}/articles"
    post(client, articles, agent, {"body": "Unplug it, please."})
    post(
        client,
        articles,
        agent,
        {"body": "Third fire this month.", "visibility": "internal"},
    )

    seen = client.get(f"{API}/tickets/{number}", headers=bob).json()
    assert seen["status"] == "waiting_for_customer"
    assert [a["body"] for a in seen["articles"]] == ["It smokes.", "Unplug it, please."]

    post(client, f"/tickets/{number}/assign", agent, {"owner": "alice"})
    post(client, f"/tickets/{number}/status", agent, {"status": "resolved"})
    resolved = client.get(f"{API}/tickets/{number}", headers=bob).json()
    assert resolved["status_category"] == "resolved"

    post(client, articles, bob, {"body": "It is burning again."})
    ticket = client.get(f"{API}/tickets/{number}", headers=agent).json()
    assert (ticket["status"], ticket["owner"]) == ("open", "alice")
    assert len(ticket["articles"]) == 4
