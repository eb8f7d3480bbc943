"""Agents, customers and organizations through the admin API."""

from __future__ import annotations

from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from domain.audit import AuditedAggregate
from domain.desk import HelpDesk
from domain.ids import agent_id
from tests.e2e.memory_desk import Auth

ADMIN = "/api/v1/admin"
DORA = {
    "login": "dora",
    "name": "Dora",
    "email": "dora@example.com",
    "groups": ["support", "billing"],
    "skills": ["french"],
}


def test_hiring_an_agent(client: TestClient, auth: Auth, desk: HelpDesk) -> None:
    response = client.post(f"{ADMIN}/agents", json=DORA, headers=auth["admin"])
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"{ADMIN}/agents/dora"
    agent = response.json()
    assert agent["groups"] == ["billing", "support"]
    assert (agent["active"], agent["version"], agent["skills"]) == (True, 1, ["french"])
    assert client.get(f"{ADMIN}/agents/dora", headers=auth["auditor"]).json() == agent
    listed = client.get(f"{ADMIN}/agents", headers=auth["admin"]).json()
    assert [a["login"] for a in listed["items"]] == ["alice", "carol", "dora"]
    stored = list(desk.events.get(agent_id("dora")))
    events = cast("list[AuditedAggregate.Event]", stored)
    assert [e.actor for e in events] == ["admin:root"]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"login": "ALICE"}, 409),
        ({"login": "dora smith"}, 422),
        ({"email": "not-an-address"}, 422),
        ({"name": ""}, 422),
        ({"groups": [""]}, 422),
        ({"manager": "alice"}, 422),
    ],
)
def test_refused_hires(
    client: TestClient, auth: Auth, change: dict[str, Any], status: int
) -> None:
    response = client.post(f"{ADMIN}/agents", json=DORA | change, headers=auth["admin"])
    assert response.status_code == status, response.text


def test_updating_an_agent_keeps_what_is_left_out(
    client: TestClient, auth: Auth
) -> None:
    response = client.patch(
        f"{ADMIN}/agents/alice",
        json={"groups": ["support", "billing"], "skills": ["printers"]},
        headers=auth["admin"],
    )
    assert response.status_code == 200, response.text
    agent = response.json()
    assert (agent["groups"], agent["skills"]) == (["billing", "support"], ["printers"])
    assert (agent["name"], agent["email"]) == ("Alice", "alice@example.com")
    assert agent["version"] == 2
    unchanged = client.patch(f"{ADMIN}/agents/alice", json={}, headers=auth["admin"])
    assert unchanged.json()["version"] == 2


def test_a_deactivated_agent_is_locked_out(client: TestClient, auth: Auth) -> None:
    assert client.get(f"{ADMIN}/queues", headers=auth["alice"]).status_code == 200
    response = client.patch(
        f"{ADMIN}/agents/alice", json={"active": False}, headers=auth["admin"]
    )
    assert response.json()["active"] is False
    assert client.get(f"{ADMIN}/queues", headers=auth["alice"]).status_code == 401


def test_unknown_invalid_and_stale_agent_updates(
    client: TestClient, auth: Auth
) -> None:
    url = f"{ADMIN}/agents/alice"
    missing = client.patch(f"{ADMIN}/agents/zed", json={}, headers=auth["admin"])
    assert missing.status_code == 404
    assert client.get(f"{ADMIN}/agents/zed", headers=auth["admin"]).status_code == 404
    for body in ({"email": "nope"}, {"active": None}, {"login": "alice2"}):
        assert client.patch(url, json=body, headers=auth["admin"]).status_code == 422
    client.patch(url, json={"name": "Alice A."}, headers=auth["admin"])
    stale = client.patch(
        f"{url}?expected_version=1", json={"name": "Al"}, headers=auth["admin"]
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2


def test_registering_and_updating_a_customer(client: TestClient, auth: Auth) -> None:
    body = {"email": "Fay@ACME.test", "name": "Fay", "organization": "acme"}
    response = client.post(f"{ADMIN}/customers", json=body, headers=auth["admin"])
    assert response.status_code == 201, response.text
    customer = response.json()
    assert (customer["email"], customer["organization"]) == ("fay@acme.test", "ACME")
    assert response.headers["Location"] == f"{ADMIN}/customers/fay@acme.test"
    read = client.get(f"{ADMIN}/customers/FAY@acme.test", headers=auth["auditor"])
    assert read.json() == customer

    url = f"{ADMIN}/customers/fay@acme.test"
    renamed = client.patch(url, json={"name": "Fay Q."}, headers=auth["admin"])
    assert (renamed.json()["name"], renamed.json()["organization"]) == (
        "Fay Q.",
        "ACME",
    )
    alone = client.patch(url, json={"organization": None}, headers=auth["admin"])
    assert alone.json()["organization"] is None
    assert alone.json()["version"] == 3
    listed = client.get(f"{ADMIN}/customers", headers=auth["admin"]).json()
    assert listed["total"] == 4


def test_refused_customers(client: TestClient, auth: Auth) -> None:
    url = f"{ADMIN}/customers"
    cases = [
        ({"email": "BOB@acme.test", "name": "Bob"}, 409),
        ({"email": "gus@example.com", "name": "Gus", "organization": "Umbrella"}, 422),
        ({"email": "gus", "name": "Gus"}, 422),
        ({"email": "gus@example.com"}, 422),
    ]
    for body, status in cases:
        assert client.post(url, json=body, headers=auth["admin"]).status_code == status
    moved = client.patch(
        f"{url}/bob@acme.test", json={"organization": "Umbrella"}, headers=auth["admin"]
    )
    assert moved.status_code == 422
    missing = client.patch(f"{url}/gus@example.com", json={}, headers=auth["admin"])
    assert missing.status_code == 404
    stale = client.patch(
        f"{url}/bob@acme.test?expected_version=2",
        json={"name": "Robert"},
        headers=auth["admin"],
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 1


def test_registering_and_updating_an_organization(
    client: TestClient, auth: Auth
) -> None:
    body = {"name": "Initech", "domains": ["Initech.example", "initech.test"]}
    response = client.post(f"{ADMIN}/organizations", json=body, headers=auth["admin"])
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"{ADMIN}/organizations/Initech"
    assert response.json()["domains"] == ["initech.example", "initech.test"]
    patch = {"domains": ["initech.example"]}
    updated = client.patch(
        f"{ADMIN}/organizations/initech", json=patch, headers=auth["admin"]
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["domains"], updated.json()["version"]) == (
        ["initech.example"],
        2,
    )
    listed = client.get(f"{ADMIN}/organizations", headers=auth["auditor"]).json()
    assert [o["name"] for o in listed["items"]] == ["ACME", "Initech"]


def test_refused_organizations(client: TestClient, auth: Auth) -> None:
    url = f"{ADMIN}/organizations"
    duplicate = client.post(url, json={"name": "Acme"}, headers=auth["admin"])
    assert duplicate.status_code == 409
    bad = client.post(
        url, json={"name": "Hooli", "domains": ["not a domain"]}, headers=auth["admin"]
    )
    assert bad.status_code == 422
    assert client.get(f"{url}/Hooli", headers=auth["admin"]).status_code == 404
    stale = client.patch(
        f"{url}/ACME",
        json={"domains": []},
        headers={**auth["admin"], "If-Match": '"7"'},
    )
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 1
