"""SLA through HTTP for each role: the escalation list and its counts, a ticket's
clocks now and as of a past moment, reminders, and what customers are never told."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from domain.articles import Article
from domain.configuration_commands import DefineSlaPolicy
from domain.desk import HelpDesk
from domain.sla_policies import Targets
from projections.catalogue import all_views
from projections.engine.runner import ViewRunner
from projections.engine.store import SQLiteViewStore
from projections.escalations.worker import EscalationWorker
from tests.e2e.memory_desk import (
    ADMIN,
    AGENT,
    Auth,
    MemoryBlobs,
    open_ticket,
    read,
    staffed_desk,
)

MINUTE = timedelta(minutes=1)
ESCALATIONS = "/api/v1/views/escalations"


class Clock:
    """The desk's clock: it starts three hours ago and the test moves it."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(clock: Clock) -> HelpDesk:
    desk = staffed_desk(clock)
    targets = {p: Targets(30, 60, 600) for p in ("low", "normal", "high")}
    desk.handle(DefineSlaPolicy("standard", targets), ADMIN)
    return desk


@pytest.fixture
def views(desk: HelpDesk, tmp_path: Path) -> Iterator[ViewRunner]:
    store = SQLiteViewStore(tmp_path / "views.sqlite3")
    yield ViewRunner(desk, store, all_views())
    store.close()


@pytest.fixture
def api(desk: HelpDesk, blobs: MemoryBlobs, views: ViewRunner) -> Iterator[TestClient]:
    with TestClient(create_app(Services(desk=desk, blobs=blobs, views=views))) as c:
        yield c


def answered_ticket(desk: HelpDesk, clock: Clock) -> tuple[str, datetime]:
    """bob's ticket, answered by alice 20 minutes after it was opened."""
    opened = clock()
    number = open_ticket(desk, "bob@acme.test")
    clock.advance(20 * MINUTE)
    reply = Article(desk.new_article_id(), "agent", "public", "web", "On it")
    desk.add_article(number, reply, AGENT)
    return number, opened


def test_the_escalation_list_for_each_role(
    api: TestClient, auth: Auth, desk: HelpDesk, views: ViewRunner, clock: Clock
) -> None:
    late = open_ticket(desk, "bob@acme.test")
    clock.advance(3 * 60 * MINUTE)
    views.catch_up()
    page = read(api, ESCALATIONS, auth["alice"])
    assert [(c["number"], c["clock"], c["state"]) for c in page["clocks"]] == [
        (late, "first_response", "breached"),
        (late, "solution", "running"),
    ]
    assert page["clocks"][0]["due_in_seconds"] < -2 * 3600
    assert read(api, ESCALATIONS, auth["auditor"])["total"] == 2
    assert read(api, ESCALATIONS, auth["carol"])["total"] == 0
    breached = read(api, ESCALATIONS, auth["admin"], state="breached")
    assert [c["clock"] for c in breached["clocks"]] == ["first_response"]
    for customer in ("bob", "erin"):
        assert api.get(ESCALATIONS, headers=auth[customer]).status_code == 403
    counts = read(api, f"{ESCALATIONS}/counts", auth["alice"], by="queue")
    assert counts["tallies"] == [
        {"key": "General", "breached": 1, "warned": 0, "counting": 2}
    ]
    assert read(api, f"{ESCALATIONS}/counts", auth["carol"])["tallies"] == []
    bad = api.get(ESCALATIONS, params={"state": "late"}, headers=auth["alice"])
    assert bad.status_code == 422


def test_a_tickets_clocks_now_and_as_they_stood(
    api: TestClient, auth: Auth, desk: HelpDesk, clock: Clock
) -> None:
    number, opened = answered_ticket(desk, clock)
    url = f"/api/v1/tickets/{number}/sla"
    now = read(api, url, auth["alice"])
    clocks = {c["clock"]: c for c in now["clocks"]}
    assert now["policy"] == "standard"
    assert clocks["first_response"]["state"] == "met"
    assert clocks["first_response"]["used_minutes"] == 20
    then = read(api, url, auth["auditor"], as_of=(opened + 10 * MINUTE).isoformat())
    first = {c["clock"]: c for c in then["clocks"]}["first_response"]
    assert (first["state"], first["used_minutes"]) == ("running", 10)
    before = api.get(
        url, params={"as_of": (opened - MINUTE).isoformat()}, headers=auth["alice"]
    )
    assert before.status_code == 404
    naive = api.get(url, params={"as_of": "2026-01-01T10:00:00"}, headers=auth["alice"])
    assert naive.status_code == 422
    assert api.get(url, headers=auth["carol"]).status_code == 404
    assert api.get(url, headers=auth["erin"]).status_code == 404


def test_customers_see_only_the_solution_due_time_and_only_where_shown(
    api: TestClient, auth: Auth, desk: HelpDesk, clock: Clock
) -> None:
    opened = clock()
    number = open_ticket(desk, "bob@acme.test")
    url = f"/api/v1/tickets/{number}/sla"
    refused = api.get(url, headers=auth["bob"])
    assert refused.status_code == 403
    shown = api.patch(
        "/api/v1/admin/queues/General",
        json={"show_solution_due": True},
        headers=auth["admin"],
    )
    assert shown.status_code == 200, shown.text
    told = read(api, url, auth["bob"])
    [solution] = told["clocks"]
    assert solution["clock"] == "solution"
    assert datetime.fromisoformat(solution["due_at"]) == opened + 600 * MINUTE
    assert "policy" not in told
    # Answered, the ticket waits for the customer: the paused clock has no due time.
    number, _ = answered_ticket(desk, clock)
    paused = read(api, f"/api/v1/tickets/{number}/sla", auth["bob"])
    assert paused["clocks"] == [{"clock": "solution", "due_at": None}]


def sla_events(entries: list[dict[str, Any]], key: str) -> list[str]:
    return [e[key] for e in entries if e[key].startswith("Sla")]


def test_warnings_and_breaches_are_for_staff_only(
    api: TestClient, auth: Auth, desk: HelpDesk, views: ViewRunner, clock: Clock
) -> None:
    number = open_ticket(desk, "bob@acme.test")
    clock.advance(40 * MINUTE)
    views.catch_up()
    EscalationWorker(desk, views.store, clock=clock).tick(clock())
    views.catch_up()
    history = f"/api/v1/tickets/{number}/history"
    staff = read(api, history, auth["alice"])["entries"]
    assert sla_events(staff, "event") == ["SlaBreached"]
    assert sla_events(read(api, history, auth["bob"])["entries"], "event") == []
    feed = "/api/v1/activity"
    assert sla_events(read(api, feed, auth["alice"])["activities"], "event_type") == [
        "SlaBreached"
    ]
    for customer in ("bob", "dave"):
        activities = read(api, feed, auth[customer])["activities"]
        assert activities
        assert sla_events(activities, "event_type") == []
    metrics = api.get("/metrics").text
    assert "tickettape_sla_breached_clocks 1" in metrics


def test_the_days_reminders_per_agent(
    api: TestClient, auth: Auth, desk: HelpDesk, views: ViewRunner, clock: Clock
) -> None:
    number = open_ticket(desk, "bob@acme.test")
    desk.assign(number, "alice", None, AGENT)
    until = clock() + 60 * MINUTE
    desk.change_status(number, "postponed", until, "call back", AGENT)
    views.catch_up()
    day = until.date().isoformat()
    found = read(api, "/api/v1/views/reminders", auth["alice"], day=day)
    [agent] = found["agents"]
    assert agent["owner"] == "alice"
    [reminder] = agent["reminders"]
    assert (reminder["number"], reminder["queue"], reminder["owner"]) == (
        number,
        "General",
        "alice",
    )
    assert datetime.fromisoformat(reminder["pending_until"]) == until
    assert found["next_cursor"] is None
    second = open_ticket(desk, "bob@acme.test")
    desk.change_status(second, "postponed", until, "call back", AGENT)
    views.catch_up()
    first = read(api, "/api/v1/views/reminders", auth["alice"], day=day, limit=1)
    rest = read(
        api,
        "/api/v1/views/reminders",
        auth["alice"],
        day=day,
        limit=1,
        cursor=first["next_cursor"],
    )
    paged = [
        r["number"]
        for page in (first, rest)
        for a in page["agents"]
        for r in a["reminders"]
    ]
    assert sorted(paged) == sorted([number, second])
    assert rest["next_cursor"] is None
    bad = api.get(
        "/api/v1/views/reminders", params={"cursor": "bm9wZQ"}, headers=auth["alice"]
    )
    assert bad.status_code == 422
    assert read(api, "/api/v1/views/reminders", auth["carol"], day=day)["agents"] == []
    zone = api.get(
        "/api/v1/views/reminders",
        params={"time_zone": "Mars/Olympus"},
        headers=auth["alice"],
    )
    assert zone.status_code == 422
    assert api.get("/api/v1/views/reminders", headers=auth["bob"]).status_code == 403
