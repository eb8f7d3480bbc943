"""GET /api/v1/activity and its SSE stream: order, pages, filters, rights."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient

from api.routes import activity as activity_routes
from api.routes.activity import activity_events
from domain.audit import Origin
from domain.commands import Hide
from domain.desk import HelpDesk
from domain.queues import FollowUp, Queue
from projections.activity.feed import ActivityFilter
from projections.activity.projection import ActivityFeed
from projections.engine.runner import ViewRunner
from projections.engine.scope import Scope
from projections.engine.store import SQLiteViewStore
from tests.e2e.activity_feed import FEED, STREAM, add_note, feed, frames, stream
from tests.e2e.memory_desk import AGENT, Auth, open_ticket


@pytest.fixture
def views(desk: HelpDesk, tmp_path: Path) -> Iterator[ViewRunner]:
    """The feed in a SQLite file, caught up only when a test says so."""
    desk.save_config(Queue.open("Billing", "billing", FollowUp.REOPEN, None, AGENT))
    store = SQLiteViewStore(tmp_path / "views.sqlite3")
    yield ViewRunner(desk, store, [ActivityFeed()], batch_size=7)
    store.close()


@pytest.fixture
def tickets(desk: HelpDesk, views: ViewRunner) -> dict[str, str]:
    """Bob's ticket with a note, a hidden one, erin's billing ticket; caught up."""
    made = {
        "fire": open_ticket(desk, "bob@acme.test"),
        "hidden": open_ticket(desk, "bob@acme.test", hidden=True),
        "invoice": open_ticket(desk, "erin@example.com", queue="Billing"),
    }
    add_note(desk, made["fire"], "Third fire this month.", "internal")
    add_note(desk, made["fire"], "Unplug it, please.", "public")
    desk.tag(made["invoice"], "billing", Origin("agent:carol"))
    views.catch_up()
    return made


def test_newest_first_with_what_changed(
    api: TestClient, auth: Auth, tickets: dict[str, str]
) -> None:
    page = feed(api, auth, "admin")
    positions = [a["position"] for a in page["activities"]]
    assert positions == sorted(positions, reverse=True)
    assert page["total"] == len(positions) == 10
    newest = page["activities"][0]
    assert newest["summary"] == "tagged billing"
    assert newest["changes"] == {"tag": "billing"}
    assert (newest["actor"], newest["ticket"]) == ("agent:carol", tickets["invoice"])
    assert (newest["queue"], newest["event_type"]) == ("Billing", "Tagged")
    assert page["caught_up"]


def test_rights_per_role(api: TestClient, auth: Auth, tickets: dict[str, str]) -> None:
    def seen(who: str) -> list[str]:
        return [a["ticket"] for a in feed(api, auth, who)["activities"]]

    everything = set(tickets.values())
    assert set(seen("admin")) == set(seen("auditor")) == everything
    assert set(seen("alice")) == {tickets["fire"], tickets["hidden"]}
    assert set(seen("carol")) == {tickets["invoice"]}
    assert set(seen("erin")) == {tickets["invoice"]}
    assert set(seen("bob")) == set(seen("dave")) == {tickets["fire"]}
    internal = [a for a in feed(api, auth, "alice")["activities"] if a["internal"]]
    assert "article added (internal note)" in {a["summary"] for a in internal}
    bob = feed(api, auth, "bob")
    assert "internal note" not in json.dumps(bob)
    assert bob["total"] == 4  # opened, article, reply, status change: no note


def test_filters_and_cursor_pages(
    api: TestClient, auth: Auth, tickets: dict[str, str]
) -> None:
    mine = feed(api, auth, "admin", ticket=tickets["fire"], actor="agent:alice")
    assert {a["summary"] for a in mine["activities"]} == {
        "article added (internal note)",
        "article added (agent via web)",
        "status new → waiting_for_customer",
    }
    assert feed(api, auth, "admin", queue="Billing")["total"] == 3
    assert feed(api, auth, "alice", queue="Billing")["total"] == 0
    whole = feed(api, auth, "admin")["activities"]
    moment = whole[0]["at"]
    since = feed(api, auth, "admin", since=moment)["activities"]
    assert [a["summary"] for a in since] == ["tagged billing"]
    assert feed(api, auth, "admin", until=moment)["total"] == len(whole) - 1
    seen, cursor = [], None
    while True:
        params = {"limit": 4} | ({"cursor": cursor} if cursor else {})
        page = feed(api, auth, "admin", **params)
        seen += page["activities"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == whole


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 201},
        {"cursor": -1},
        {"cursor": "soon"},
        {"since": "2026-01-01T00:00:00"},
        {"wait": 6},
        {"actor": "agent:\x00"},
        {"colour": "blue"},
    ],
)
def test_bad_queries_are_422_problems(
    api: TestClient, auth: Auth, params: dict[str, Any]
) -> None:
    response = api.get(FEED, params=params, headers=auth["admin"])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_read_your_writes(api: TestClient, auth: Auth, views: ViewRunner) -> None:
    body = {"title": "Printer on fire", "article": {"body": "It smokes."}}
    written = api.post("/api/v1/tickets", json=body, headers=auth["bob"]).json()
    early = feed(api, auth, "bob", after=written["position"], wait=0)
    assert (early["caught_up"], early["activities"]) == (False, [])
    views.catch_up()
    late = feed(api, auth, "bob", after=written["position"], wait=0)
    assert late["caught_up"]
    assert late["activities"][0]["position"] == written["position"]


def test_the_stream_sends_existing_activity_after_a_position(
    api: TestClient, auth: Auth, tickets: dict[str, str]
) -> None:
    listed = feed(api, auth, "admin")["activities"][::-1]
    sent = stream(api, auth, "admin", after=0)
    assert [f["id"] for f in sent] == [a["position"] for a in listed]
    assert [f["data"] for f in sent] == listed
    middle = listed[5]["position"]
    resumed = stream(api, auth, "admin", {"Last-Event-ID": str(middle)}, after=0)
    assert [f["id"] for f in resumed] == [a["position"] for a in listed[6:]]
    assert stream(api, auth, "admin") == [], "by default only what happens next"
    assert {f["data"]["ticket"] for f in stream(api, auth, "carol", after=0)} == {
        tickets["invoice"]
    }


def test_a_customers_stream_never_carries_an_internal_article(
    api: TestClient, auth: Auth, tickets: dict[str, str]
) -> None:
    sent = stream(api, auth, "bob", after=0)
    assert [f["data"] for f in sent] == feed(api, auth, "bob")["activities"][::-1]
    text = json.dumps(sent)
    for secret in ("internal note", "Third fire", tickets["hidden"]):
        assert secret not in text
    assert not any(f["data"]["internal"] for f in sent)


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"max_seconds": 301}, {}),
        ({"max_seconds": -1}, {}),
        ({"after": "last"}, {}),
        ({}, {"Last-Event-ID": "yesterday"}),
    ],
)
def test_bad_stream_requests_are_422_problems(
    api: TestClient, auth: Auth, params: dict[str, Any], headers: dict[str, str]
) -> None:
    response = api.get(STREAM, params=params, headers={**auth["bob"], **headers})
    assert response.status_code == 422, response.text


class ScriptedClock:
    """A clock that reads out given times, calling `on_call[n]` at its n-th read."""

    def __init__(self, times: list[float], on_call: dict[int, Callable[[], object]]):
        self.times, self.on_call, self.calls = iter(times), on_call, 0

    def __call__(self) -> float:
        self.calls += 1
        self.on_call.get(self.calls, lambda: None)()
        return next(self.times)


def test_the_stream_beats_and_delivers_what_happens_while_open(
    desk: HelpDesk, views: ViewRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(activity_routes, "POLL_SECONDS", 0)
    number = open_ticket(desk, "bob@acme.test")
    views.catch_up()
    start = views.position("activity")

    def tag() -> None:
        desk.tag(number, "fire", AGENT)
        views.catch_up()

    # Reads: deadline, heartbeat, then one per round: idle past the heartbeat,
    # the tag arrives before the third round's look, then past the deadline.
    clock = ScriptedClock([0, 0, 16, 20, 61], on_call={4: tag})
    bob = Scope(customer="bob@acme.test", organization="ACME")

    async def collect() -> list[str]:
        events = activity_events(views.store, bob, ActivityFilter(), start, 60, clock)
        return [frame async for frame in events]

    sent = anyio.run(collect)
    assert sent[0] == ": heartbeat\n\n"
    assert [f["data"]["summary"] for f in frames("".join(sent[1:]))] == ["tagged fire"]


def test_hiding_a_ticket_takes_its_activity_from_its_customers(
    api: TestClient,
    auth: Auth,
    desk: HelpDesk,
    views: ViewRunner,
    tickets: dict[str, str],
) -> None:
    fire = tickets["fire"]
    desk.handle(Hide(fire), AGENT)
    desk.tag(fire, "while-hidden", AGENT)
    views.catch_up()
    assert fire not in {a["ticket"] for a in feed(api, auth, "bob")["activities"]}
    staff = feed(api, auth, "alice")["activities"]
    assert [a["summary"] for a in staff[:2]] == [
        "tagged while-hidden",
        "hidden from the customer",
    ]
    desk.handle(Hide(fire, hidden=False), AGENT)
    views.catch_up()
    shown = [a for a in feed(api, auth, "bob")["activities"] if a["ticket"] == fire]
    # What happened before it was hidden is theirs again; what happened while
    # it was hidden, and the hiding itself, never were.
    assert len(shown) == 4
    assert "while-hidden" not in json.dumps(shown)
