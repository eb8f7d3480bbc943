"""GET /api/v1/tickets: filters, sorting, cursor pages, presets, visibility, waits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk
from domain.queues import FollowUp, Queue
from projections.engine.runner import ViewRunner
from projections.engine.store import SQLiteViewStore
from projections.tickets.summary import TicketSummary
from tests.e2e.memory_desk import Auth, open_ticket, read

TICKETS = "/api/v1/tickets"
AGENT = Origin("agent:alice")


@pytest.fixture
def views(desk: HelpDesk, tmp_path: Path) -> Iterator[ViewRunner]:
    """The summary in a SQLite file, caught up only when a test says so."""
    desk.save_config(Queue.open("Billing", "billing", FollowUp.REOPEN, None, AGENT))
    store = SQLiteViewStore(tmp_path / "views.sqlite3")
    # A small batch makes every catch-up cross batch boundaries.
    yield ViewRunner(desk, store, [TicketSummary()], batch_size=7)
    store.close()


def listing(
    api: TestClient, auth: Auth, who: str = "admin", **params: Any
) -> dict[str, Any]:
    """The list as a caller sees it, expecting success."""
    return read(api, TICKETS, auth[who], **params)


def numbers(page: dict[str, Any]) -> list[str]:
    """The ticket numbers of a page, in order."""
    return [t["number"] for t in page["tickets"]]


@pytest.fixture
def tickets(desk: HelpDesk, views: ViewRunner) -> dict[str, str]:
    """A small desk: numbers by nickname, the summary caught up."""
    made = {
        "fire": open_ticket(desk, "bob@acme.test"),
        "dave": open_ticket(desk, "dave@acme.test", "Mouse", priority="high"),
        "erin": open_ticket(desk, "erin@example.com", "Invoice", queue="Billing"),
        "hidden": open_ticket(desk, "bob@acme.test", "Secret", hidden=True),
        "done": open_ticket(desk, "erin@example.com", "Old", type="problem"),
    }
    desk.assign(made["fire"], "alice", None, AGENT)
    desk.tag(made["fire"], "hardware", AGENT)
    reply = Article(desk.new_article_id(), "agent", "public", "web", "On it.")
    desk.add_article(made["dave"], reply, AGENT)
    desk.change_status(made["done"], "resolved", None, "fixed", AGENT)
    views.catch_up()
    return made


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": ["new", "resolved"]}, {"fire", "erin", "hidden", "done"}),
        ({"status_category": "pending"}, {"dave"}),
        ({"queue": "Billing"}, {"erin"}),
        ({"group": "billing"}, {"erin"}),
        ({"group": ["support", "billing"], "queue": "Billing"}, {"erin"}),
        ({"group": "no-such-group"}, set()),
        ({"owner": "alice"}, {"fire"}),
        ({"owner": ["none", "alice"]}, {"fire", "dave", "erin", "hidden", "done"}),
        ({"customer": "bob@acme.test"}, {"fire", "hidden"}),
        ({"organization": "ACME"}, {"fire", "dave", "hidden"}),
        ({"priority": "high"}, {"dave"}),
        ({"type": "problem"}, {"done"}),
        ({"tag": "hardware"}, {"fire"}),
        ({"waiting_for_agent": True}, {"fire", "erin", "hidden"}),
        ({"hidden": True}, {"hidden"}),
        ({"preset": "closed"}, {"done"}),
        ({"preset": "new_and_open"}, {"fire", "dave", "erin", "hidden"}),
        ({"status": "no-such-status"}, set()),
        ({"tag": "nothing", "queue": "General"}, set()),
    ],
)
def test_filters(
    api: TestClient,
    auth: Auth,
    tickets: dict[str, str],
    params: dict[str, Any],
    expected: set[str],
) -> None:
    page = listing(api, auth, **params)
    assert set(numbers(page)) == {tickets[name] for name in expected}
    assert page["total"] == len(expected)


def test_periods_split_the_tickets_at_a_moment(
    api: TestClient, auth: Auth, desk: HelpDesk, views: ViewRunner
) -> None:
    first = open_ticket(desk, "bob@acme.test")
    views.catch_up()
    moment = listing(api, auth)["tickets"][0]["created_at"]
    second = open_ticket(desk, "bob@acme.test")
    desk.retitle(first, "Printer still on fire", AGENT)
    views.catch_up()
    assert set(numbers(listing(api, auth, created_after=moment))) == {first, second}
    assert numbers(listing(api, auth, created_before=moment)) == []
    assert set(numbers(listing(api, auth, updated_after=moment))) == {first, second}


def test_sort_orders(api: TestClient, auth: Auth, tickets: dict[str, str]) -> None:
    def keys(page: dict[str, Any], *fields: str) -> list[tuple[Any, ...]]:
        return [tuple(t[f] for f in fields) for t in page["tickets"]]

    newest = listing(api, auth, sort="created", order="desc")
    assert keys(newest, "created_at", "number") == sorted(
        keys(newest, "created_at", "number"), reverse=True
    )
    oldest = listing(api, auth, sort="updated", order="asc")
    assert keys(oldest, "updated_at", "number") == sorted(
        keys(oldest, "updated_at", "number")
    )
    work = listing(api, auth, sort="priority", order="desc")
    assert numbers(work)[0] == tickets["dave"]
    ranks = [t["priority_rank"] for t in work["tickets"]]
    assert ranks == sorted(ranks, reverse=True)
    normal = [t for t in work["tickets"] if t["priority"] == "normal"]
    ages = [t["created_at"] for t in normal]
    assert ages == sorted(ages), "within a priority, the oldest comes first"


@pytest.mark.parametrize("sort", ["created", "updated", "priority"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_cursor_pages_through_every_ticket_once(
    api: TestClient,
    auth: Auth,
    desk: HelpDesk,
    views: ViewRunner,
    sort: str,
    order: str,
) -> None:
    made = [
        open_ticket(desk, "bob@acme.test", priority=("low", "high")[i % 2])
        for i in range(11)
    ]
    views.catch_up()
    whole = listing(api, auth, sort=sort, order=order, limit=200)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"sort": sort, "order": order, "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = listing(api, auth, **params)
        assert page["total"] == len(made)
        seen += numbers(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == numbers(whole)
    assert sorted(seen) == sorted(made)


def test_visibility_per_role(
    api: TestClient, auth: Auth, tickets: dict[str, str]
) -> None:
    def visible(who: str, **params: Any) -> set[str]:
        return set(numbers(listing(api, auth, who, **params)))

    everything = set(tickets.values())
    assert visible("admin") == visible("auditor") == everything
    assert visible("bob") == {tickets["fire"], tickets["dave"]}
    assert visible("bob", hidden=True) == set()
    assert visible("bob", customer="erin@example.com") == set()
    assert visible("erin") == {tickets["erin"], tickets["done"]}
    assert visible("alice") == everything - {tickets["erin"]}
    assert visible("carol") == {tickets["erin"]}
    assert listing(api, auth, "bob")["total"] == 2


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 201},
        {"cursor": "not a cursor"},
        {"cursor": "W10"},
        {"created_after": "yesterday"},
        {"updated_before": "2026-01-01T00:00:00"},
        {"sort": "title"},
        {"order": "sideways"},
        {"preset": "mine"},
        {"wait": 6},
        {"status": "new\x00"},
        {"colour": "blue"},
    ],
)
def test_bad_queries_are_422_problems(
    api: TestClient, auth: Auth, params: dict[str, Any]
) -> None:
    response = api.get(TICKETS, params=params, headers=auth["admin"])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_a_cursor_of_another_sort_is_refused(
    api: TestClient, auth: Auth, tickets: dict[str, str]
) -> None:
    cursor = listing(api, auth, limit=1)["next_cursor"]
    response = api.get(
        TICKETS, params={"cursor": cursor, "sort": "priority"}, headers=auth["admin"]
    )
    assert response.status_code == 422


def test_read_your_writes(
    api: TestClient, auth: Auth, views: ViewRunner, desk: HelpDesk
) -> None:
    body = {"title": "Printer on fire", "article": {"body": "It smokes."}}
    written = api.post(TICKETS, json=body, headers=auth["bob"]).json()
    early = listing(api, auth, "bob", after=written["position"], wait=0)
    assert not early["caught_up"]
    assert early["tickets"] == []

    views.catch_up()
    late = listing(api, auth, "bob", after=written["position"], wait=0)
    assert late["caught_up"]
    assert late["position"] >= written["position"]
    assert numbers(late) == [written["number"]]
    beyond = listing(api, auth, "bob", after=late["position"] + 1000, wait=0.05)
    assert not beyond["caught_up"]


def test_without_views_the_list_is_unavailable(client: TestClient, auth: Auth) -> None:
    response = client.get(TICKETS, headers=auth["admin"])
    assert response.status_code == 503
