"""The backlog report through HTTP: as of a moment, and only the caller's queues."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.queues import FollowUp, Queue
from tests.e2e.memory_desk import Auth

URL = "/api/v1/reports/backlog"
MONDAY = datetime(2024, 3, 4, 9, tzinfo=UTC)
HOUR = timedelta(hours=1)


def at(hours: float, actor: str = "agent:alice") -> Origin:
    """An origin stamped some hours after Monday 9:00 UTC."""
    return Origin(actor, at=MONDAY + hours * HOUR)


@pytest.fixture
def numbers(desk: HelpDesk) -> list[str]:
    """A General ticket resolved at 11:00, and a Billing ticket: both from 9:00."""
    desk.save_config(
        Queue.open("Billing", "billing", FollowUp.REOPEN, None, at(-1, "admin:test"))
    )
    opened = []
    for queue in ("General", "Billing"):
        draft = TicketDraft(title="Help", customer="bob@acme.test", queue=queue)
        text = Article(desk.new_article_id(), "customer", "public", "web", "Help")
        opened.append(desk.open_ticket(draft, text, at(0, "customer:bob")).number)
    desk.change_status(opened[0], "resolved", None, "fixed", at(2))
    return opened


def report(client: TestClient, auth: Auth, who: str, **params: Any) -> Any:
    """The backlog as the caller sees it, expecting success."""
    response = client.get(URL, params=params, headers=auth[who])
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.usefixtures("numbers")
def test_staff_see_the_backlog_as_it_stood(client: TestClient, auth: Auth) -> None:
    for who in ("admin", "auditor"):
        morning = report(client, auth, who, as_of="2024-03-04T10:00:00Z")
        assert (morning["open_tickets"], morning["queues"]) == (2, None)
        assert morning["by_queue"] == {"Billing": 1, "General": 1}
        assert morning["by_priority"]["normal"] == 2
    noon = report(client, auth, "admin", as_of="2024-03-04T13:00:00+01:00")
    assert (noon["open_tickets"], noon["tickets"]) == (1, 2)
    assert noon["by_status_category"]["resolved"] == 1
    assert noon["by_status"] == {"new": 1, "resolved": 1}
    early = report(client, auth, "admin", as_of="2024-03-04T08:59:59Z")
    assert (early["open_tickets"], early["tickets"]) == (0, 0)
    assert report(client, auth, "admin")["by_queue"] == {"Billing": 1}


@pytest.mark.usefixtures("numbers")
def test_an_agent_counts_only_the_queues_of_their_groups(
    client: TestClient, auth: Auth
) -> None:
    alice = report(client, auth, "alice", as_of="2024-03-04T10:00:00Z")
    assert (alice["queues"], alice["by_queue"], alice["tickets"]) == (
        ["General"],
        {"General": 1},
        1,
    )
    later = report(client, auth, "alice", as_of="2024-03-04T12:00:00Z")
    assert (later["open_tickets"], later["by_status_category"]["resolved"]) == (0, 1)
    carol = report(client, auth, "carol", as_of="2024-03-04T12:00:00Z")
    assert (carol["queues"], carol["by_queue"]) == (["Billing"], {"Billing": 1})


@pytest.mark.usefixtures("numbers")
def test_customers_may_not_read_the_backlog(client: TestClient, auth: Auth) -> None:
    for who in ("bob", "erin"):
        response = client.get(URL, headers=auth[who])
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "bad", ["2024-03-04T10:00:00", "yesterday", "2024-02-30T10:00:00Z", ""]
)
def test_a_time_without_a_zone_or_malformed_is_422(
    client: TestClient, auth: Auth, bad: str
) -> None:
    response = client.get(URL, params={"as_of": bad}, headers=auth["admin"])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
