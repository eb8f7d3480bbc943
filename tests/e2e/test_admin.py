"""Admin resources through HTTP: who may do what, and queues end to end."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.audit import AuditedAggregate
from domain.desk import HelpDesk
from domain.ids import queue_id
from tests.e2e.memory_desk import Auth

ADMIN = "/api/v1/admin"

WRITES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/queues", {"name": "Sales"}),
    ("PATCH", "/queues/General", {"active": False}),
    ("POST", "/agents", {"login": "zed", "name": "Zed", "email": "zed@example.com"}),
    ("PATCH", "/agents/alice", {"skills": ["french"]}),
    ("POST", "/customers", {"email": "zoe@example.com", "name": "Zoe"}),
    ("PATCH", "/customers/bob@acme.test", {"name": "Robert"}),
    ("POST", "/organizations", {"name": "Initech"}),
    ("PATCH", "/organizations/ACME", {"domains": ["acme.example"]}),
    ("POST", "/statuses", {"name": "on_hold", "category": "pending"}),
    ("POST", "/statuses/waiting_on_agent/retire", None),
    ("PUT", "/priorities", {"values": ["low", "high"], "default": "low"}),
    ("PUT", "/ticket-types", {"values": ["question"], "default": "question"}),
    ("POST", "/fields", {"name": "printer", "kind": "text"}),
    ("PATCH", "/fields/printer", {"label": "Printer"}),
    ("POST", "/tokens", {"name": "ci", "role": "auditor", "subject": "ci"}),
    ("POST", "/tokens/0b7f9d5e-4a52-4f0e-9d55-7c1b2a3e4f60/revoke", None),
]
WORK_LISTS = [
    "/queues",
    "/queues/General",
    "/statuses",
    "/statuses/open",
    "/priorities",
    "/ticket-types",
    "/fields",
]
PEOPLE_AND_TOKENS = [
    "/agents",
    "/agents/alice",
    "/customers",
    "/customers/bob@acme.test",
    "/organizations",
    "/organizations/ACME",
    "/tokens",
]


def actors(desk: HelpDesk, aggregate_id: UUID) -> list[str]:
    """The actor of every stored event of a record, oldest first."""
    events = cast("list[AuditedAggregate.Event]", list(desk.events.get(aggregate_id)))
    return [event.actor for event in events]


def log_position(desk: HelpDesk) -> int:
    """The id of the last notification in the log."""
    return int(desk.recorder.max_notification_id() or 0)


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_only_admins_write(
    client: TestClient,
    auth: Auth,
    desk: HelpDesk,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    before = log_position(desk)
    for who in ("alice", "bob", "auditor"):
        response = client.request(method, ADMIN + path, json=body, headers=auth[who])
        assert response.status_code == 403, (who, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert log_position(desk) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [*WRITES, *(("GET", path, None) for path in WORK_LISTS + PEOPLE_AND_TOKENS)],
)
def test_every_admin_resource_needs_a_live_token(
    client: TestClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    for headers in ({}, {"Authorization": "Bearer tt_not-a-real-token"}):
        response = client.request(method, ADMIN + path, json=body, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", WORK_LISTS + PEOPLE_AND_TOKENS)
def test_who_reads_the_configuration(client: TestClient, auth: Auth, path: str) -> None:
    def status(who: str) -> int:
        return client.get(ADMIN + path, headers=auth[who]).status_code

    assert status("admin") == 200
    assert status("auditor") == 200
    assert status("alice") == (200 if path in WORK_LISTS else 403)
    assert status("bob") == 403
    assert status("erin") == 403


def test_an_admin_opens_a_queue_that_its_group_then_works(
    client: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    body = {
        "name": "Billing",
        "group": "billing",
        "follow_up": "reopen_within_days",
        "reopen_within_days": 7,
    }
    response = client.post(f"{ADMIN}/queues", json=body, headers=auth["admin"])
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"{ADMIN}/queues/Billing"
    assert response.headers["ETag"] == '"1"'
    queue = response.json()
    assert queue | body == queue
    assert (queue["version"], queue["active"]) == (1, True)
    read = client.get(response.headers["Location"], headers=auth["alice"])
    assert read.json() == queue
    assert actors(desk, queue_id("Billing")) == ["admin:root"]

    ticket = {
        "title": "Invoice wrong",
        "customer": "bob@acme.test",
        "queue": "Billing",
        "article": {"body": "Twice the amount."},
    }
    opened = client.post("/api/v1/tickets", json=ticket, headers=auth["carol"])
    assert opened.status_code == 201, opened.text


def test_a_new_queue_defaults_to_the_support_group_and_reopening(
    client: TestClient, auth: Auth
) -> None:
    response = client.post(
        f"{ADMIN}/queues", json={"name": "Sales"}, headers=auth["admin"]
    )
    assert response.status_code == 201
    queue = response.json()
    assert (queue["group"], queue["follow_up"]) == ("support", "reopen")
    assert queue["reopen_within_days"] is None


def test_reconfiguring_the_follow_up_policy(
    client: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    url = f"{ADMIN}/queues/General"
    days = {"follow_up": "reopen_within_days", "reopen_within_days": 3}
    response = client.patch(url, json=days, headers=auth["admin"])
    assert response.status_code == 200, response.text
    assert response.json() | days == response.json()
    assert response.json()["version"] == 2
    assert response.headers["ETag"] == '"2"'

    longer = client.patch(url, json={"reopen_within_days": 10}, headers=auth["admin"])
    assert longer.json()["reopen_within_days"] == 10

    rejecting = client.patch(url, json={"follow_up": "reject"}, headers=auth["admin"])
    assert rejecting.status_code == 200
    assert rejecting.json()["follow_up"] == "reject"
    assert rejecting.json()["reopen_within_days"] is None
    assert rejecting.json()["group"] == "support"
    assert actors(desk, queue_id("General"))[1:] == ["admin:root"] * 3


@pytest.mark.parametrize(
    "body",
    [
        {"follow_up": "reopen_within_days"},
        {"reopen_within_days": 5},
        {"follow_up": "forward"},
        {"follow_up": "reopen_within_days", "reopen_within_days": 4000},
        {"group": None},
        {"group": " support"},
        {"colour": "red"},
    ],
)
def test_invalid_queue_changes_are_422(
    client: TestClient, auth: Auth, body: dict[str, Any]
) -> None:
    response = client.patch(f"{ADMIN}/queues/General", json=body, headers=auth["admin"])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_duplicate_and_unknown_queues(client: TestClient, auth: Auth) -> None:
    duplicate = client.post(
        f"{ADMIN}/queues", json={"name": "general"}, headers=auth["admin"]
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "already-exists"
    for method in ("GET", "PATCH"):
        missing = client.request(
            method, f"{ADMIN}/queues/Nowhere", json={}, headers=auth["admin"]
        )
        assert missing.status_code == 404


def test_queue_updates_check_the_expected_version(
    client: TestClient, auth: Auth
) -> None:
    url = f"{ADMIN}/queues/General"
    etag = client.get(url, headers=auth["admin"]).headers["ETag"]
    first = client.patch(
        url, json={"group": "billing"}, headers={**auth["admin"], "If-Match": etag}
    )
    assert first.status_code == 200
    stale = client.patch(
        url, json={"group": "sales"}, headers={**auth["admin"], "If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    conflict = client.patch(
        f"{url}?expected_version=1", json={"active": False}, headers=auth["admin"]
    )
    assert conflict.status_code == 409
    assert conflict.json()["current_version"] == 2
    assert client.get(url, headers=auth["admin"]).json()["group"] == "billing"


def test_lists_page_with_a_cursor(client: TestClient, auth: Auth) -> None:
    for name in ("Sales", "Billing"):
        client.post(f"{ADMIN}/queues", json={"name": name}, headers=auth["admin"])
    first = client.get(f"{ADMIN}/queues?limit=2", headers=auth["admin"]).json()
    assert [q["name"] for q in first["items"]] == ["General", "Sales"]
    assert (first["total"], first["next_cursor"]) == (3, "2")
    rest = client.get(
        f"{ADMIN}/queues?limit=2&cursor={first['next_cursor']}", headers=auth["admin"]
    ).json()
    assert [q["name"] for q in rest["items"]] == ["Billing"]
    assert rest["next_cursor"] is None
    for query in ("limit=0", "limit=501", "cursor=abc"):
        bad = client.get(f"{ADMIN}/queues?{query}", headers=auth["admin"])
        assert bad.status_code == 422
