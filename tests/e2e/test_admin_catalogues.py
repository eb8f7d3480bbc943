"""Statuses, priorities, ticket types and custom fields through the admin API."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.memory_desk import Auth

ADMIN = "/api/v1/admin"
TICKETS = "/api/v1/tickets"


def open_ticket(client: TestClient, auth: Auth) -> str:
    """Open a ticket as bob in General and return its number."""
    body = {"title": "Printer jammed", "article": {"body": "Paper everywhere."}}
    response = client.post(TICKETS, json=body, headers=auth["bob"])
    assert response.status_code == 201, response.text
    number: str = response.json()["number"]
    return number


def test_an_added_status_can_be_set_on_tickets(client: TestClient, auth: Auth) -> None:
    body = {"name": "on_hold", "category": "pending"}
    response = client.post(f"{ADMIN}/statuses", json=body, headers=auth["admin"])
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"{ADMIN}/statuses/on_hold"
    assert response.json()["version"] == 2
    added = client.get(response.headers["Location"], headers=auth["alice"]).json()
    assert added == {
        "name": "on_hold",
        "category": "pending",
        "pending_until_required": False,
        "active": True,
    }
    number = open_ticket(client, auth)
    changed = client.post(
        f"{TICKETS}/{number}/status", json={"status": "on_hold"}, headers=auth["alice"]
    )
    assert changed.status_code == 200, changed.text


def test_a_retired_status_stays_listed_but_cannot_be_entered(
    client: TestClient, auth: Auth
) -> None:
    response = client.post(
        f"{ADMIN}/statuses/waiting_on_agent/retire", headers=auth["admin"]
    )
    assert response.status_code == 200, response.text
    statuses = {s["name"]: s for s in response.json()["statuses"]}
    assert statuses["waiting_on_agent"]["active"] is False
    number = open_ticket(client, auth)
    refused = client.post(
        f"{TICKETS}/{number}/status",
        json={"status": "waiting_on_agent"},
        headers=auth["alice"],
    )
    assert refused.status_code == 422


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "open", "category": "open"}, 409),
        ({"name": "gone", "category": "merged"}, 422),
        ({"name": "later", "category": "someday"}, 422),
        ({"name": " padded", "category": "open"}, 422),
        ({"name": "x" * 65, "category": "open"}, 422),
    ],
)
def test_refused_statuses(
    client: TestClient, auth: Auth, body: dict[str, Any], status: int
) -> None:
    response = client.post(f"{ADMIN}/statuses", json=body, headers=auth["admin"])
    assert response.status_code == status, response.text


def test_retiring_unknown_or_lifecycle_statuses(client: TestClient, auth: Auth) -> None:
    unknown = client.post(f"{ADMIN}/statuses/limbo/retire", headers=auth["admin"])
    assert unknown.status_code == 404
    missing = client.get(f"{ADMIN}/statuses/limbo", headers=auth["admin"])
    assert missing.status_code == 404
    lifecycle = client.post(f"{ADMIN}/statuses/new/retire", headers=auth["admin"])
    assert lifecycle.status_code == 422


def test_status_changes_check_the_catalogue_version(
    client: TestClient, auth: Auth
) -> None:
    body = {"name": "on_hold", "category": "pending"}
    client.post(
        f"{ADMIN}/statuses?expected_version=1", json=body, headers=auth["admin"]
    )
    stale = client.post(
        f"{ADMIN}/statuses/postponed/retire?expected_version=1", headers=auth["admin"]
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2


@pytest.mark.parametrize("kind", ["priorities", "ticket-types"])
def test_replacing_a_choice_list(client: TestClient, auth: Auth, kind: str) -> None:
    body = {"values": ["minor", "major", "blocker"], "default": "major"}
    response = client.put(f"{ADMIN}/{kind}", json=body, headers=auth["admin"])
    assert response.status_code == 200, response.text
    assert response.json() | body == response.json()
    assert response.json()["version"] == 2
    assert response.headers["ETag"] == '"2"'
    read = client.get(f"{ADMIN}/{kind}", headers=auth["alice"])
    assert read.json() == response.json()
    stale = client.put(
        f"{ADMIN}/{kind}?expected_version=1", json=body, headers=auth["admin"]
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2


@pytest.mark.parametrize(
    "body",
    [
        {"values": [], "default": "low"},
        {"values": ["low", "low"], "default": "low"},
        {"values": ["low", "high"], "default": "urgent"},
        {"values": ["low"]},
    ],
)
@pytest.mark.parametrize("kind", ["priorities", "ticket-types"])
def test_invalid_choice_lists_are_422(
    client: TestClient, auth: Auth, kind: str, body: dict[str, Any]
) -> None:
    response = client.put(f"{ADMIN}/{kind}", json=body, headers=auth["admin"])
    assert response.status_code == 422, response.text


def test_a_new_priority_can_be_set_on_tickets(client: TestClient, auth: Auth) -> None:
    body = {"values": ["low", "normal", "high", "critical", "outage"], "default": "low"}
    client.put(f"{ADMIN}/priorities", json=body, headers=auth["admin"])
    number = open_ticket(client, auth)
    ticket = client.get(f"{TICKETS}/{number}", headers=auth["alice"]).json()
    assert ticket["priority"] == "low"
    changed = client.post(
        f"{TICKETS}/{number}/priority",
        json={"priority": "outage"},
        headers=auth["alice"],
    )
    assert changed.status_code == 200, changed.text


def test_defining_and_updating_a_custom_field(client: TestClient, auth: Auth) -> None:
    body = {"name": "printer", "label": "Printer", "kind": "select", "options": ["a"]}
    response = client.post(f"{ADMIN}/fields", json=body, headers=auth["admin"])
    assert response.status_code == 201, response.text
    location = response.headers["Location"]
    assert location == f"{ADMIN}/fields/printer"
    assert response.json() | body == response.json()
    listed = client.get(f"{ADMIN}/fields", headers=auth["alice"]).json()
    assert [f["name"] for f in listed["items"]] == ["printer"]

    patch = {"options": ["a", "b"]}
    updated = client.patch(location, json=patch, headers=auth["admin"])
    assert updated.status_code == 200, updated.text
    assert (updated.json()["options"], updated.json()["version"]) == (["a", "b"], 2)
    assert updated.json()["label"] == "Printer"
    number = open_ticket(client, auth)
    url = f"{TICKETS}/{number}/fields/printer"
    assert client.put(url, json={"value": "b"}, headers=auth["alice"]).is_success

    retired = client.patch(location, json={"active": False}, headers=auth["admin"])
    assert retired.json()["active"] is False
    refused = client.put(url, json={"value": "a"}, headers=auth["alice"])
    assert refused.status_code == 422


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "size", "kind": "select"}, 422),
        ({"name": "size", "kind": "text", "options": ["s"]}, 422),
        ({"name": "size", "kind": "colour"}, 422),
        ({"name": "Size", "kind": "text"}, 422),
        ({"name": "size", "kind": "select", "options": ["s", "s"]}, 422),
    ],
)
def test_refused_field_definitions(
    client: TestClient, auth: Auth, body: dict[str, Any], status: int
) -> None:
    response = client.post(f"{ADMIN}/fields", json=body, headers=auth["admin"])
    assert response.status_code == status, response.text


def test_duplicate_unknown_and_stale_fields(client: TestClient, auth: Auth) -> None:
    body = {"name": "size", "kind": "number"}
    assert client.post(f"{ADMIN}/fields", json=body, headers=auth["admin"]).is_success
    again = client.post(f"{ADMIN}/fields", json=body, headers=auth["admin"])
    assert again.status_code == 409
    for method in ("GET", "PATCH"):
        missing = client.request(
            method, f"{ADMIN}/fields/weight", json={}, headers=auth["admin"]
        )
        assert missing.status_code == 404
    client.patch(f"{ADMIN}/fields/size", json={"label": "S"}, headers=auth["admin"])
    stale = client.patch(
        f"{ADMIN}/fields/size?expected_version=1",
        json={"label": "Size"},
        headers=auth["admin"],
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    options = client.patch(
        f"{ADMIN}/fields/size", json={"options": ["1"]}, headers=auth["admin"]
    )
    assert options.status_code == 422
