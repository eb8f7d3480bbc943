"""GET /api/v1/views/queues[/{queue}] and /api/v1/views/status, on both view stores."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.queues import FollowUp, Queue
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewStore
from projections.engine.view import View
from projections.queues.view import QueueView
from projections.statuses.view import StatusView
from projections.tickets.summary import TicketSummary
from tests.e2e.memory_desk import Auth
from tests.unit.builders import Clock

VIEWS = "/api/v1/views"
AGENT = Origin("agent:alice")
DAY = timedelta(days=1)
TODAY = Clock.START.date()


@pytest.fixture
def desk(desk: HelpDesk, clock: Clock) -> HelpDesk:
    """The shared test desk on a movable clock, with queue Billing for carol."""
    desk.clock = clock
    desk.save_config(Queue.open("Billing", "billing", FollowUp.REOPEN, None, AGENT))
    return desk


@pytest.fixture
def views(desk: HelpDesk, view_store: ViewStore) -> ViewRunner:
    """The three views the endpoints read, caught up only when a test says so."""
    views: list[View] = [TicketSummary(), QueueView(), StatusView()]
    return ViewRunner(desk, view_store, views, batch_size=7)


def open_ticket(
    desk: HelpDesk, queue: str = "General", priority: str = "normal"
) -> str:
    """A ticket of bob's; its number."""
    article = Article(desk.new_article_id(), "customer", "public", "web", "Help!")
    draft = TicketDraft(title="Help", customer="bob@acme.test", queue=queue)
    number = desk.open_ticket(draft, article, Origin("customer:bob@acme.test")).number
    if priority != "normal":
        desk.change_priority(number, priority, AGENT)
    return number


@pytest.fixture
def tickets(
    desk: HelpDesk, clock: Clock, views: ViewRunner, auth: Auth
) -> dict[str, str]:
    """Four tickets in General and one in Billing, opened a minute apart.

    The tokens come first, so the views are caught up with the whole log.
    """
    made = {}
    for name, queue, priority in [
        ("low", "General", "low"),
        ("high", "General", "high"),
        ("done", "General", "critical"),
        ("later high", "General", "high"),
        ("invoice", "Billing", "normal"),
    ]:
        made[name] = open_ticket(desk, queue, priority)
        clock.advance(timedelta(minutes=1))
    desk.assign(made["high"], "alice", None, AGENT)
    reply = Article(desk.new_article_id(), "agent", "public", "web", "On it.")
    desk.add_article(made["high"], reply, AGENT)
    desk.change_status(made["done"], "resolved", None, "fixed", AGENT)
    views.catch_up()
    return made


def get(
    api: TestClient, auth: Auth, path: str, who: str = "admin", **params: Any
) -> Any:
    """The answer to a GET, expecting success."""
    response = api.get(f"{VIEWS}{path}", params=params, headers=auth[who])
    assert response.status_code == 200, response.text
    return response.json()


def span(first: date, last: date) -> dict[str, str]:
    """The query of a backlog from first to last."""
    return {"from": first.isoformat(), "to": last.isoformat()}


CATEGORIES = ["new", "open", "pending", "resolved", "closed", "merged"]


def by_category(**counts: int) -> dict[str, int]:
    """Counts per category, zeros for the rest."""
    return {c: counts.get(c, 0) for c in CATEGORIES}


@pytest.mark.usefixtures("tickets")
def test_each_caller_sees_the_queues_of_their_groups(
    api: TestClient, auth: Auth
) -> None:
    general = {
        "name": "General",
        "group": "support",
        "tickets": 4,
        "by_status_category": by_category(new=2, pending=1, resolved=1),
        "by_priority": {"low": 1, "normal": 0, "high": 2, "critical": 0},
    }
    billing = {
        "name": "Billing",
        "group": "billing",
        "tickets": 1,
        "by_status_category": by_category(new=1),
        "by_priority": {"low": 0, "normal": 1, "high": 0, "critical": 0},
    }
    for who, expected in [
        ("admin", [billing, general]),
        ("auditor", [billing, general]),
        ("alice", [general]),
        ("carol", [billing]),
    ]:
        page = get(api, auth, "/queues", who)
        assert page["queues"] == expected, who
        assert page["caught_up"]
    for who in ("bob", "erin"):
        response = api.get(f"{VIEWS}/queues", headers=auth[who])
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"


def test_a_queue_lists_its_unfinished_tickets_for_work(
    api: TestClient, auth: Auth, tickets: dict[str, str]
) -> None:
    names = {number: name for name, number in tickets.items()}
    seen, cursor = [], None
    while True:
        params = {"limit": 2} if cursor is None else {"limit": 2, "cursor": cursor}
        page = get(api, auth, "/queues/general", "alice", **params)
        assert page["queue"]["name"] == "General"
        assert page["total"] == 3
        seen += [names[t["number"]] for t in page["tickets"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["high", "later high", "low"]


@pytest.mark.usefixtures("tickets")
@pytest.mark.parametrize(
    ("who", "path", "params", "status"),
    [
        ("carol", "/queues/General", {}, 403),
        ("bob", "/queues/General", {}, 403),
        ("admin", "/queues/Nowhere", {}, 404),
        ("admin", "/queues/" + "x" * 101, {}, 422),
        ("admin", "/queues/General", {"cursor": "not-a-cursor"}, 422),
        ("admin", "/queues/General", {"limit": 201}, 422),
        ("admin", "/status", {"from": "2024-01-02", "to": "2024-01-01"}, 422),
        ("admin", "/status", {"from": "2022-12-31", "to": "2024-01-01"}, 422),
        ("admin", "/status", {"from": "0001-01-01"}, 422),
        ("admin", "/status", {"to": "yesterday"}, 422),
        ("erin", "/status", {}, 403),
    ],
)
def test_refusals(
    api: TestClient,
    auth: Auth,
    who: str,
    path: str,
    params: dict[str, Any],
    status: int,
) -> None:
    response = api.get(f"{VIEWS}{path}", params=params, headers=auth[who])
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_status_counts_and_the_daily_backlog(
    api: TestClient,
    auth: Auth,
    desk: HelpDesk,
    clock: Clock,
    views: ViewRunner,
    tickets: dict[str, str],
) -> None:
    clock.advance(DAY)
    desk.change_status(tickets["low"], "closed", None, "", AGENT)
    desk.change_status(tickets["invoice"], "resolved", None, "", AGENT)
    clock.advance(DAY)
    desk.reopen(tickets["done"], AGENT)
    views.catch_up()
    admin = get(api, auth, "/status", **span(TODAY - DAY, TODAY + 3 * DAY))
    assert admin["by_status_category"] == by_category(
        new=1, open=1, pending=1, resolved=1, closed=1
    )
    assert {(s["status"], s["tickets"]) for s in admin["by_status"]} == {
        ("new", 1),
        ("open", 1),
        ("waiting_for_customer", 1),
        ("resolved", 1),
        ("closed", 1),
    }
    assert admin["by_owner"] == [
        {
            "owner": None,
            "by_status_category": by_category(new=1, open=1, closed=1, resolved=1),
        },
        {"owner": "alice", "by_status_category": by_category(pending=1)},
    ]
    days = [(d["day"], d["tickets"]) for d in admin["backlog"]]
    assert days == [
        ("2023-12-31", 0),
        ("2024-01-01", 4),
        ("2024-01-02", 2),
        ("2024-01-03", 3),
        ("2024-01-04", 3),
    ]
    carol = get(api, auth, "/status", "carol", **span(TODAY, TODAY + DAY))
    assert carol["by_status_category"] == by_category(resolved=1)
    assert [d["tickets"] for d in carol["backlog"]] == [1, 0]
    # By default, the 30 days up to today (the desk's clock).
    default = get(api, auth, "/status", "auditor")["backlog"]
    assert (len(default), default[-1]) == (30, {"day": "2024-01-03", "tickets": 3})


@pytest.mark.usefixtures("tickets")
@pytest.mark.parametrize("path", ["/queues", "/queues/General", "/status"])
def test_a_read_can_wait_for_a_write(
    api: TestClient, auth: Auth, desk: HelpDesk, views: ViewRunner, path: str
) -> None:
    written = open_ticket(desk)
    position = desk.recorder.max_notification_id()
    assert not get(api, auth, path, after=position, wait=0)["caught_up"]
    views.catch_up()
    page = get(api, auth, path, after=position, wait=0)
    assert page["caught_up"]
    assert page["position"] >= (position or 0)
    if path == "/queues/General":
        assert written in [t["number"] for t in page["tickets"]]
