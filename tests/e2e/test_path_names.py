"""Names in URL paths: new ones must fit one segment, old ones stay reachable.

A `/` in a name was accepted once and then could never be read or changed by
path (`%2F` is decoded before routing); new names with `/`, `.` or `..` are now
refused, and names stored before that are still addressed through their path.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from domain import commands as c
from domain.configuration_commands import (
    AddStatus,
    OpenQueue,
    RegisterCustomer,
    RegisterOrganization,
)
from domain.desk import HelpDesk
from tests.e2e.memory_desk import ADMIN, Auth, open_ticket

A = "/api/v1/admin"
UNADDRESSABLE = ["a/b", ".", "..", "   "]


def position(desk: HelpDesk) -> int:
    """The event log's position: a refused request must leave it where it was."""
    return int(desk.recorder.max_notification_id() or 0)


def creations(name: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every request that makes a new name a path later carries."""
    return [
        ("POST", f"{A}/queues", {"name": name}),
        ("POST", f"{A}/organizations", {"name": name}),
        ("POST", f"{A}/statuses", {"name": name, "category": "open"}),
        ("POST", f"{A}/fields", {"name": name, "kind": "text"}),
        ("POST", f"{A}/agents", {"login": name, "name": "X", "email": "x@x.test"}),
        ("PUT", f"{A}/priorities", {"values": ["low", name], "default": "low"}),
        ("PUT", f"{A}/ticket-types", {"values": ["question", name], "default": name}),
    ]


@pytest.mark.parametrize("name", UNADDRESSABLE)
def test_a_new_name_that_cannot_be_a_path_segment_is_refused(
    client: TestClient, auth: Auth, desk: HelpDesk, name: str
) -> None:
    before = position(desk)
    for method, url, body in creations(name):
        answer = client.request(method, url, json=body, headers=auth["admin"])
        assert answer.status_code == 422, (url, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["errors"], (url, answer.text)
    assert position(desk) == before


@pytest.mark.parametrize("name", UNADDRESSABLE)
def test_a_new_tag_that_cannot_be_a_path_segment_is_refused(
    client: TestClient, auth: Auth, desk: HelpDesk, name: str
) -> None:
    number = open_ticket(desk, "bob@acme.test")
    before = position(desk)
    answer = client.post(
        f"/api/v1/tickets/{number}/tags", json={"tag": name}, headers=auth["alice"]
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["errors"][0]["loc"] == ["body", "tag"]
    assert "'/'" in problem["errors"][0]["msg"]
    assert position(desk) == before


def test_the_refusal_says_why(client: TestClient, auth: Auth) -> None:
    answer = client.post(f"{A}/queues", json={"name": "a/b"}, headers=auth["admin"])
    assert answer.json()["errors"] == [
        {
            "loc": ["body", "name"],
            "msg": "a name must not contain '/', be '.' or '..', or be only "
            "spaces, since it is used in URL paths",
            "type": "path_name",
        }
    ]


def test_names_with_dots_inside_are_still_fine(client: TestClient, auth: Auth) -> None:
    answer = client.post(
        f"{A}/queues", json={"name": "2nd level...support"}, headers=auth["admin"]
    )
    assert answer.status_code == 201, answer.text
    read = client.get(f"{A}/queues/2nd level...support", headers=auth["admin"])
    assert read.status_code == 200, read.text


@pytest.fixture
def legacy(desk: HelpDesk) -> str:
    """Names stored before the rule, straight through the desk; a ticket tagged so."""
    for command in (
        OpenQueue("Sales/EMEA"),
        RegisterOrganization("ACME/Europe", ("acme.eu",)),
        RegisterCustomer("ops/night@acme.eu", "Night ops", "ACME/Europe"),
        AddStatus("on/hold", "pending"),
    ):
        desk.handle(command, ADMIN)
    number = open_ticket(desk, "bob@acme.test")
    desk.handle(c.Tag(number, "hw/printer"), ADMIN)
    return number


@pytest.mark.parametrize(
    ("url", "key", "value"),
    [
        (f"{A}/queues/Sales/EMEA", "name", "Sales/EMEA"),
        (f"{A}/queues/{quote('Sales/EMEA', safe='')}", "name", "Sales/EMEA"),
        (f"{A}/organizations/ACME%2FEurope", "name", "ACME/Europe"),
        (f"{A}/customers/ops/night@acme.eu", "email", "ops/night@acme.eu"),
        (f"{A}/statuses/on/hold", "name", "on/hold"),
    ],
)
def test_a_legacy_name_with_a_slash_reads_by_path(
    client: TestClient, auth: Auth, legacy: str, url: str, key: str, value: str
) -> None:
    answer = client.get(url, headers=auth["admin"])
    assert answer.status_code == 200, answer.text
    assert answer.json()[key] == value


def test_a_legacy_queue_with_a_slash_is_patched_and_viewed_by_path(
    client: TestClient, auth: Auth, legacy: str
) -> None:
    patched = client.patch(
        f"{A}/queues/Sales/EMEA", json={"active": False}, headers=auth["admin"]
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["active"] is False
    view = client.get("/api/v1/views/queues/Sales/EMEA", headers=auth["admin"])
    # The views are not kept in this process: the route was reached.
    assert view.status_code == 503, view.text


def test_a_legacy_organization_and_customer_are_patched_by_path(
    client: TestClient, auth: Auth, legacy: str
) -> None:
    organization = client.patch(
        f"{A}/organizations/ACME/Europe",
        json={"domains": ["acme.eu", "acme.fr"]},
        headers=auth["admin"],
    )
    assert organization.status_code == 200, organization.text
    assert organization.json()["domains"] == ["acme.eu", "acme.fr"]
    customer = client.patch(
        f"{A}/customers/ops/night@acme.eu",
        json={"name": "Night shift"},
        headers=auth["admin"],
    )
    assert customer.status_code == 200, customer.text
    assert customer.json()["name"] == "Night shift"


def test_a_legacy_status_with_a_slash_is_retired_by_path(
    client: TestClient, auth: Auth, legacy: str
) -> None:
    retired = client.post(f"{A}/statuses/on/hold/retire", headers=auth["admin"])
    assert retired.status_code == 200, retired.text
    status = client.get(f"{A}/statuses/on/hold", headers=auth["admin"])
    assert status.json()["active"] is False


def test_a_legacy_tag_with_a_slash_is_removed_by_path(
    client: TestClient, auth: Auth, legacy: str
) -> None:
    removed = client.delete(
        f"/api/v1/tickets/{legacy}/tags/hw/printer", headers=auth["alice"]
    )
    assert removed.status_code == 200, removed.text
    ticket = client.get(f"/api/v1/tickets/{legacy}", headers=auth["alice"])
    assert ticket.json()["tags"] == []


@pytest.mark.parametrize("listing", ["queues", "customers", "organizations", "fields"])
def test_a_trailing_slash_still_leads_to_the_list(
    client: TestClient, auth: Auth, listing: str
) -> None:
    answer = client.get(
        f"{A}/{listing}/", headers=auth["admin"], follow_redirects=False
    )
    assert answer.status_code == 307
    assert answer.headers["location"].endswith(f"{A}/{listing}")


def test_a_trailing_slash_after_a_name_leads_to_the_record(
    client: TestClient, auth: Auth
) -> None:
    answer = client.get(
        f"{A}/queues/General/", headers=auth["admin"], follow_redirects=False
    )
    assert answer.status_code == 307
    assert answer.headers["location"].endswith(f"{A}/queues/General")
    followed = client.get(f"{A}/queues/General/", headers=auth["admin"])
    assert followed.status_code == 200
    assert followed.json()["name"] == "General"
