"""What a customer is told, the same in every endpoint: ticket, history, activity."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from projections.activity.projection import ActivityFeed
from projections.engine.runner import ViewRunner
from projections.engine.store import SQLiteViewStore
from tests.e2e.memory_desk import MemoryBlobs

Auth = dict[str, dict[str, str]]
TICKETS = "/api/v1/tickets"
ADMIN = Origin("admin:test")


@pytest.fixture
def views(desk: HelpDesk, tmp_path: Path) -> Iterator[ViewRunner]:
    """The activity feed in a SQLite file, caught up when a test says so."""
    store = SQLiteViewStore(tmp_path / "views.sqlite3")
    yield ViewRunner(desk, store, [ActivityFeed()])
    store.close()


@pytest.fixture
def api(desk: HelpDesk, blobs: MemoryBlobs, views: ViewRunner) -> Iterator[TestClient]:
    """A test client of the API with the views."""
    with TestClient(create_app(Services(desk=desk, blobs=blobs, views=views))) as c:
        yield c


def open_ticket(desk: HelpDesk, customer: str) -> str:
    """A ticket of the customer's in queue General; its number."""
    article = Article(desk.new_article_id(), "customer", "public", "web", "Help!")
    draft = TicketDraft(title="Printer", customer=customer)
    return desk.open_ticket(draft, article, Origin(f"customer:{customer}")).number


def get(api: TestClient, auth: Auth, who: str, path: str) -> Any:
    """The JSON of a GET as a caller, expecting success."""
    response = api.get(path, headers=auth[who])
    assert response.status_code == 200, response.text
    return response.json()


def entries(api: TestClient, auth: Auth, who: str, number: str) -> list[Any]:
    """The ticket's history as a caller sees it."""
    found: list[Any] = get(api, auth, who, f"{TICKETS}/{number}/history")["entries"]
    return found


def feed(api: TestClient, auth: Auth, who: str, views: ViewRunner) -> str:
    """The activity feed and its stream as a caller sees them, as text."""
    views.catch_up()
    page = get(api, auth, who, "/api/v1/activity?limit=200")
    stream = api.get(
        "/api/v1/activity/stream",
        params={"after": 0, "max_seconds": 0},
        headers=auth[who],
    )
    return json.dumps(page) + stream.text


def test_a_customer_is_never_told_the_time_spent_on_a_reply(
    api: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    number = open_ticket(desk, "bob@acme.test")
    reply = {"body": "Try this.", "time_spent_minutes": 7}
    response = api.post(
        f"{TICKETS}/{number}/articles", json=reply, headers=auth["alice"]
    )
    assert response.status_code == 201, response.text

    def spent(who: str) -> list[Any]:
        ticket = get(api, auth, who, f"{TICKETS}/{number}")
        return [a["time_spent_minutes"] for a in ticket["articles"]]

    def added(who: str) -> list[dict[str, Any]]:
        found = entries(api, auth, who, number)
        return [e["details"] for e in found if e["event"] == "ArticleAdded"]

    assert spent("bob") == [None, None]
    assert spent("alice") == spent("auditor") == [0, 7]
    assert all("time_spent_minutes" not in d for d in added("bob"))
    assert [d["time_spent_minutes"] for d in added("auditor")] == [0, 7]


def test_a_status_reason_is_a_note_to_colleagues_everywhere(
    api: TestClient, auth: Auth, desk: HelpDesk, views: ViewRunner
) -> None:
    number = open_ticket(desk, "bob@acme.test")
    change = {"status": "resolved", "reason": "Zanzibarian hunch"}
    response = api.post(
        f"{TICKETS}/{number}/status", json=change, headers=auth["alice"]
    )
    assert response.status_code == 200, response.text

    def told(who: str) -> str:
        history = json.dumps(entries(api, auth, who, number))
        return history + feed(api, auth, who, views)

    assert "Zanzibarian" not in told("bob")
    assert "Zanzibarian" not in told("dave")
    assert "Zanzibarian" in told("alice")
    (status,) = [
        e for e in entries(api, auth, "bob", number) if e["event"] == "StatusChanged"
    ]
    assert status["details"]["to_status"] == "resolved"


def test_a_customer_sees_only_links_to_tickets_they_may_see(
    api: TestClient, auth: Auth, desk: HelpDesk, views: ViewRunner
) -> None:
    mine = open_ticket(desk, "bob@acme.test")
    colleague = open_ticket(desk, "dave@acme.test")
    stranger = open_ticket(desk, "erin@example.com")
    for other in (stranger, colleague):
        desk.link(mine, other, "related", ADMIN)
    desk.unlink(mine, stranger, "related", ADMIN)
    desk.link(mine, stranger, "parent", ADMIN)

    def told(who: str) -> tuple[list[str], str]:
        ticket = get(api, auth, who, f"{TICKETS}/{mine}")
        history = json.dumps(entries(api, auth, who, mine))
        return [link["number"] for link in ticket["links"]], history + feed(
            api, auth, who, views
        )

    links, text = told("bob")
    assert links == [colleague]
    assert colleague in text
    assert stranger not in text
    links, text = told("admin")
    assert sorted(links) == sorted([colleague, stranger])
    assert stranger in text
