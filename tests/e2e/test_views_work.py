"""GET /api/v1/views/waiting and /api/v1/views/agents, over SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.queues import FollowUp, Queue
from projections.agents.dashboard import AgentDashboard
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewStore
from projections.tickets.summary import TicketSummary
from tests.e2e.memory_desk import Auth

WAITING, AGENTS = "/api/v1/views/waiting", "/api/v1/views/agents"
NOW = datetime.now(UTC).replace(microsecond=0)
HOUR = timedelta(hours=1)


def ago(delta: timedelta, actor: str = "agent:alice") -> Origin:
    """An origin stamped that long before the tests started."""
    return Origin(actor, at=NOW - delta)


def open_ticket(desk: HelpDesk, customer: str, when: timedelta, **extra: Any) -> str:
    """A ticket the customer opened that long ago; its number."""
    article = Article(desk.new_article_id(), "customer", "public", "web", "Help!")
    draft = TicketDraft(title="Printer", customer=customer, **extra)
    return desk.open_ticket(draft, article, ago(when, f"customer:{customer}")).number


def write(desk: HelpDesk, number: str, sender: str, when: timedelta) -> None:
    """A public article by alice or the ticket's customer, that long ago."""
    actor = "agent:alice" if sender == "agent" else "customer:bob@acme.test"
    article = Article(desk.new_article_id(), sender, "public", "web", "Words.")
    desk.add_article(number, article, ago(when, actor))


@pytest.fixture
def views(desk: HelpDesk, view_store: ViewStore) -> ViewRunner:
    """The work views, caught up only when a test says so; carol works Billing."""
    desk.save_config(Queue.open("Billing", "billing", FollowUp.REOPEN, None, ago(HOUR)))
    return ViewRunner(
        desk, view_store, [TicketSummary(), AgentDashboard()], batch_size=7
    )


@pytest.fixture
def tickets(desk: HelpDesk, views: ViewRunner) -> dict[str, str]:
    """Four tickets waiting for an answer, two that do not; the views caught up."""
    made = {
        "old": open_ticket(desk, "bob@acme.test", 3 * HOUR),
        "billing": open_ticket(desk, "erin@example.com", 2 * HOUR, queue="Billing"),
        "answered": open_ticket(desk, "bob@acme.test", 90 * HOUR / 60),
        "fresh": open_ticket(desk, "dave@acme.test", HOUR / 2),
        "done": open_ticket(desk, "bob@acme.test", 4 * HOUR),
        "replied": open_ticket(desk, "bob@acme.test", 4 * HOUR),
    }
    write(desk, made["answered"], "agent", 80 * HOUR / 60)
    write(desk, made["answered"], "customer", HOUR)
    write(desk, made["replied"], "agent", 3 * HOUR)
    desk.change_status(made["done"], "resolved", None, "", ago(3 * HOUR))
    views.catch_up()
    return made


def get(
    api: TestClient, auth: Auth, path: str, who: str = "admin", **params: Any
) -> Any:
    """A view as a caller sees it, expecting success."""
    response = api.get(path, params=params, headers=auth[who])
    assert response.status_code == 200, response.text
    return response.json()


def numbers(page: dict[str, Any]) -> list[str]:
    """The ticket numbers of a page, in order."""
    return [t["number"] for t in page["tickets"]]


def test_waiting_tickets_come_oldest_first_with_their_wait(
    api: TestClient, auth: Auth, tickets: dict[str, str]
) -> None:
    page = get(api, auth, WAITING)
    order = ["old", "billing", "answered", "fresh"]
    assert numbers(page) == [tickets[name] for name in order]
    assert (page["total"], page["next_cursor"], page["caught_up"]) == (4, None, True)
    now = datetime.fromisoformat(page["now"])
    for ticket in page["tickets"]:
        since = datetime.fromisoformat(ticket["waiting_since"])
        assert ticket["waited_seconds"] == int((now - since).total_seconds())
    answered = page["tickets"][2]
    assert answered["waiting_since"] == (NOW - HOUR).isoformat().replace("+00:00", "Z")
    assert [t["first_response_pending"] for t in page["tickets"]] == [
        True,
        True,
        False,
        True,
    ]


@pytest.mark.parametrize(
    ("who", "params", "expected"),
    [
        ("alice", {}, ["old", "answered", "fresh"]),
        ("carol", {}, ["billing"]),
        ("carol", {"queue": "General"}, []),
        (
            "auditor",
            {"queue": ["Billing", "General"]},
            ["old", "billing", "answered", "fresh"],
        ),
        ("admin", {"first_response_pending": False}, ["answered"]),
        ("alice", {"first_response_pending": True}, ["old", "fresh"]),
    ],
)
def test_filters_and_who_sees_which_queue(
    api: TestClient,
    auth: Auth,
    tickets: dict[str, str],
    who: str,
    params: dict[str, Any],
    expected: list[str],
) -> None:
    page = get(api, auth, WAITING, who, **params)
    assert numbers(page) == [tickets[name] for name in expected]


def test_pages_follow_the_cursor(
    api: TestClient, auth: Auth, tickets: dict[str, str]
) -> None:
    first = get(api, auth, WAITING, limit=3)
    second = get(api, auth, WAITING, limit=3, cursor=first["next_cursor"])
    assert numbers(first) + numbers(second) == [
        tickets[name] for name in ("old", "billing", "answered", "fresh")
    ]
    assert (second["total"], second["next_cursor"]) == (4, None)


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "bm90IGEgY3Vyc29y"},
        {"limit": 0},
        {"limit": 201},
        {"first_response_pending": "maybe"},
        {"sort": "created"},
    ],
)
def test_bad_queries_are_422_problems(
    api: TestClient, auth: Auth, params: dict[str, Any]
) -> None:
    response = api.get(WAITING, params=params, headers=auth["admin"])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("path", [WAITING, AGENTS, f"{AGENTS}/alice"])
def test_customers_are_refused(api: TestClient, auth: Auth, path: str) -> None:
    assert api.get(path, headers=auth["bob"]).status_code == 403


def test_an_agents_opening_message_is_the_first_response_everywhere(
    api: TestClient, auth: Auth, desk: HelpDesk, views: ViewRunner
) -> None:
    """The ticket, the list, the waiting tickets and the dashboard agree: alice's
    outbound message is answered from the start; her phone note of bob's call
    (bob's article) is no response."""
    outbound = Article(desk.new_article_id(), "agent", "public", "email", "Hello")
    draft = TicketDraft(title="Your invoice", customer="bob@acme.test")
    sent = desk.open_ticket(draft, outbound, ago(2 * HOUR)).number
    call = Article(desk.new_article_id(), "customer", "public", "phone", "He rang")
    draft = TicketDraft(title="Call", customer="bob@acme.test")
    called = desk.open_ticket(draft, call, ago(2 * HOUR)).number
    write(desk, sent, "customer", HOUR)
    views.catch_up()
    opened = (NOW - 2 * HOUR).isoformat().replace("+00:00", "Z")
    assert get(api, auth, f"/api/v1/tickets/{sent}")["first_response_at"] == opened
    assert get(api, auth, f"/api/v1/tickets/{called}")["first_response_at"] is None
    listed = get(api, auth, "/api/v1/tickets")["tickets"]
    assert {t["number"]: t["first_response_at"] for t in listed} == {
        sent: opened,
        called: None,
    }
    waiting = get(api, auth, WAITING)["tickets"]
    assert {t["number"]: t["first_response_pending"] for t in waiting} == {
        sent: False,
        called: True,
    }
    alice = get(api, auth, f"{AGENTS}/alice")["agent"]
    assert figures(alice)[3:5] == (1, 0.0)


def test_a_read_says_whether_it_includes_a_write(
    api: TestClient, auth: Auth, desk: HelpDesk, views: ViewRunner
) -> None:
    number = open_ticket(desk, "bob@acme.test", HOUR)
    written = desk.recorder.max_notification_id()
    for path in (WAITING, AGENTS):
        assert get(api, auth, path, after=written, wait=0)["caught_up"] is False
    views.catch_up()
    page = get(api, auth, WAITING, after=written, wait=0)
    assert (page["caught_up"], numbers(page)) == (True, [number])
    assert get(api, auth, AGENTS, after=written)["caught_up"] is True


@pytest.fixture
def work(desk: HelpDesk, views: ViewRunner) -> dict[str, str]:
    """alice answered and resolved a ticket 40 days ago and one 2 days ago;
    carol holds a new Billing ticket. The views caught up."""
    made = {
        "old": open_ticket(desk, "bob@acme.test", 40 * 24 * HOUR),
        "recent": open_ticket(desk, "bob@acme.test", 48 * HOUR),
        "billing": open_ticket(desk, "erin@example.com", 3 * HOUR, queue="Billing"),
    }
    for name, opened, answered in (("old", 960, 959), ("recent", 48, 47.5)):
        write(desk, made[name], "agent", answered * HOUR)
        desk.assign(made[name], "alice", None, ago(answered * HOUR, "admin:test"))
        resolved = ago((opened - 24) * HOUR, "agent:alice")
        desk.change_status(made[name], "resolved", None, "", resolved)
    desk.assign(made["billing"], "carol", None, ago(HOUR, "admin:test"))
    views.catch_up()
    return made


def figures(row: dict[str, Any]) -> tuple[Any, ...]:
    """A row's open, pending, resolved, first responses and medians."""
    return tuple(
        row[key]
        for key in (
            "open",
            "pending",
            "resolved",
            "first_responses",
            "median_first_response_seconds",
            "median_resolution_seconds",
        )
    )


def test_the_dashboard_covers_the_last_30_days_by_default(
    api: TestClient, auth: Auth, work: dict[str, str]
) -> None:
    board = get(api, auth, AGENTS)
    assert {row["login"]: figures(row) for row in board["agents"]} == {
        "alice": (0, 0, 1, 1, 1800.0, 86400.0),
        "carol": (1, 0, 0, 0, None, None),
    }
    assert figures(board["overall"]) == (1, 0, 1, 1, 1800.0, 86400.0)
    start, end = (datetime.fromisoformat(board[k]) for k in ("from", "to"))
    assert end - start == timedelta(days=30)
    assert board["caught_up"] is True


def test_a_longer_period_takes_in_older_work(
    api: TestClient, auth: Auth, work: dict[str, str]
) -> None:
    period = {"from": (NOW - 41 * 24 * HOUR).isoformat(), "to": NOW.isoformat()}
    board = get(api, auth, f"{AGENTS}/alice", "alice", **period)
    assert board["agent"]["login"] == "alice"
    assert figures(board["agent"]) == (0, 0, 2, 2, 2700.0, 86400.0)
    assert (board["from"], board["to"]) == tuple(
        moment.replace("+00:00", "Z") for moment in period.values()
    )


@pytest.mark.parametrize(
    ("who", "logins"),
    [
        ("admin", ["alice", "carol"]),
        ("auditor", ["alice", "carol"]),
        ("alice", ["alice"]),
    ],
)
def test_agents_see_only_their_own_row(
    api: TestClient, auth: Auth, work: dict[str, str], who: str, logins: list[str]
) -> None:
    board = get(api, auth, AGENTS, who)
    assert [row["login"] for row in board["agents"]] == logins
    assert figures(board["overall"]) == (1, 0, 1, 1, 1800.0, 86400.0)


def test_one_agents_figures_by_login(
    api: TestClient, auth: Auth, work: dict[str, str]
) -> None:
    assert api.get(f"{AGENTS}/alice", headers=auth["carol"]).status_code == 403
    assert api.get(f"{AGENTS}/nobody", headers=auth["admin"]).status_code == 404
    carol = get(api, auth, f"{AGENTS}/carol", "carol")["agent"]
    assert (carol["login"], carol["active"], figures(carol)[:3]) == (
        "carol",
        True,
        (1, 0, 0),
    )


@pytest.mark.parametrize(
    "params",
    [
        {"from": NOW.isoformat(), "to": NOW.isoformat()},
        {"from": (NOW - 400 * 24 * HOUR).isoformat(), "to": NOW.isoformat()},
        {"from": "2025-01-01T00:00:00"},
        {"to": "yesterday"},
        {"period": "week"},
    ],
)
def test_bad_periods_are_422_problems(
    api: TestClient, auth: Auth, params: dict[str, Any]
) -> None:
    for path in (AGENTS, f"{AGENTS}/alice"):
        response = api.get(path, params=params, headers=auth["admin"])
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
