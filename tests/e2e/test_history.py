"""A ticket's history and its state as of a version or a moment, through HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.fields import FieldDefinition
from tests.e2e.memory_desk import Auth

ALICE = Origin("agent:alice", "req-7")


@pytest.fixture
def number(desk: HelpDesk) -> str:
    """Bob's ticket: opened, replied to, noted internally, worked and resolved."""
    desk.save_config(FieldDefinition.define("model", "Model", "text", [], ALICE))
    first = Article("a1", "customer", "public", "web", "It smokes.")
    draft = TicketDraft(title="Printer", customer="bob@acme.test")
    number = desk.open_ticket(draft, first, Origin("customer:bob@acme.test")).number
    reply = Article("a2", "agent", "public", "email", "Unplug it.")
    desk.add_article(number, reply, ALICE)
    note = Article("a3", "agent", "internal", "note", "Third fire this month.")
    desk.add_article(number, note, ALICE)
    desk.set_field(number, "model", "HP 4000", ALICE)
    desk.account_time(number, 15, "call", None, ALICE)
    desk.assign(number, "alice", None, ALICE)
    desk.change_status(number, "resolved", None, "fixed", ALICE)
    return number


def entries(
    client: TestClient, auth: Auth, who: str, number: str, **params: Any
) -> dict[str, Any]:
    """The history page as a caller sees it, expecting success."""
    response = client.get(
        f"/api/v1/tickets/{number}/history", params=params, headers=auth[who]
    )
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def test_staff_see_every_event_with_its_changes(
    client: TestClient, auth: Auth, number: str
) -> None:
    page = entries(client, auth, "auditor", number)
    assert [e["event"] for e in page["entries"]] == [
        "Created",
        "ArticleAdded",
        "ArticleAdded",
        "StatusChanged",
        "ArticleAdded",
        "FieldChanged",
        "TimeAccounted",
        "Assigned",
        "StatusChanged",
    ]
    assert [e["version"] for e in page["entries"]] == list(range(1, 10))
    resolved = page["entries"][-1]
    assert resolved["changes"]["status"] == {
        "before": "waiting_for_customer",
        "after": "resolved",
    }
    assert (resolved["actor"], resolved["correlation_id"]) == ("agent:alice", "req-7")
    assert resolved["details"]["reason"] == "fixed"


def test_customers_see_only_the_public_part(
    client: TestClient, auth: Auth, number: str
) -> None:
    page = entries(client, auth, "bob", number)
    text = str(page)
    assert "Third fire" not in text
    assert "HP 4000" not in text
    assert {"FieldChanged", "TimeAccounted"}.isdisjoint(
        e["event"] for e in page["entries"]
    )
    assert all("fields" not in e["changes"] for e in page["entries"])
    foreign = client.get(f"/api/v1/tickets/{number}/history", headers=auth["erin"])
    assert foreign.status_code == 404


def test_filters_and_pages(client: TestClient, auth: Auth, number: str) -> None:
    articles = entries(client, auth, "alice", number, event="ArticleAdded")
    assert [e["version"] for e in articles["entries"]] == [2, 3, 5]
    by_bob = entries(client, auth, "alice", number, actor="customer:bob@acme.test")
    assert [e["version"] for e in by_bob["entries"]] == [1, 2]
    first = entries(client, auth, "alice", number, limit=4)
    assert (first["total"], first["next_after_version"]) == (9, 4)
    rest = entries(client, auth, "alice", number, after_version=4, limit=10)
    assert [e["version"] for e in rest["entries"]] == [5, 6, 7, 8, 9]
    assert rest["next_after_version"] is None
    at = first["entries"][2]["at"]
    since = entries(client, auth, "alice", number, since=at)
    assert since["entries"][0]["version"] == 3


def test_the_ticket_as_of_a_version_or_a_moment(
    client: TestClient, auth: Auth, number: str
) -> None:
    url = f"/api/v1/tickets/{number}"
    old = client.get(url, params={"version": 5}, headers=auth["alice"]).json()
    assert (old["version"], old["status"]) == (5, "waiting_for_customer")
    assert [a["article_id"] for a in old["articles"]] == ["a1", "a2", "a3"]
    assert old["owner"] is None
    moment = entries(client, auth, "alice", number)["entries"][5]["at"]
    then = client.get(url, params={"as_of": moment}, headers=auth["alice"]).json()
    assert (then["version"], then["fields"]) == (6, {"model": "HP 4000"})
    for_bob = client.get(url, params={"version": 5}, headers=auth["bob"]).json()
    assert [a["article_id"] for a in for_bob["articles"]] == ["a1", "a2"]


def test_bad_or_impossible_moments(client: TestClient, auth: Auth, number: str) -> None:
    url = f"/api/v1/tickets/{number}"
    created = entries(client, auth, "alice", number)["entries"][0]["at"]
    before = (datetime.fromisoformat(created) - timedelta(seconds=1)).isoformat()
    early = client.get(url, params={"as_of": before}, headers=auth["alice"])
    assert early.status_code == 404
    assert "did not exist" in early.json()["detail"]
    for bad in ("yesterday", "2026-11-20T10:00:00"):
        response = client.get(url, params={"as_of": bad}, headers=auth["alice"])
        assert response.status_code == 422, bad
    both = client.get(
        url, params={"as_of": created, "version": 1}, headers=auth["alice"]
    )
    assert both.status_code == 422
    missing = client.get(url, params={"version": 99}, headers=auth["alice"])
    assert missing.status_code == 404
