"""Links between tickets through HTTP: both tickets must be the caller's to change."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.links import Link
from domain.queues import FollowUp, Queue
from tests.e2e.memory_desk import Auth

TICKETS = "/api/v1/tickets"
ADMIN = Origin("admin:test")


def open_ticket(desk: HelpDesk, queue: str = "General") -> str:
    """A ticket of bob's in the queue; its number."""
    article = Article(desk.new_article_id(), "customer", "public", "web", "Help!")
    draft = TicketDraft(title="Printer", customer="bob@acme.test", queue=queue)
    return desk.open_ticket(draft, article, Origin("customer:bob@acme.test")).number


@pytest.fixture
def tickets(desk: HelpDesk) -> dict[str, str]:
    """alice's ticket (General) linked by an admin to a Billing ticket alice cannot
    see, and a second General ticket of hers, unlinked."""
    desk.save_config(Queue.open("Billing", "billing", FollowUp.REOPEN, None, ADMIN))
    made = {
        "mine": open_ticket(desk),
        "billing": open_ticket(desk, "Billing"),
        "also_mine": open_ticket(desk),
    }
    desk.link(made["mine"], made["billing"], "related", ADMIN)
    return made


def versions(desk: HelpDesk, *numbers: str) -> list[int]:
    """The tickets' versions: any recorded event moves one."""
    return [desk.ticket(number).version for number in numbers]


def unlink(
    client: TestClient, auth: Auth, who: str, mine: str, other: str, kind: str
) -> Any:
    """DELETE the link from `mine` to `other` as a caller."""
    return client.delete(f"{TICKETS}/{mine}/links/{kind}/{other}", headers=auth[who])


def test_an_agent_cannot_unlink_a_ticket_they_may_not_see(
    client: TestClient, auth: Auth, desk: HelpDesk, tickets: dict[str, str]
) -> None:
    mine, billing = tickets["mine"], tickets["billing"]
    before = versions(desk, mine, billing)

    response = unlink(client, auth, "alice", mine, billing, "related")

    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert versions(desk, mine, billing) == before
    assert desk.ticket(billing).links == [Link(mine, "related")]


def test_an_invisible_ticket_answers_exactly_like_a_missing_one(
    client: TestClient, auth: Auth, tickets: dict[str, str]
) -> None:
    mine = tickets["mine"]
    hidden = unlink(client, auth, "alice", mine, tickets["billing"], "related")
    missing = unlink(client, auth, "alice", mine, "19990101000000", "related")

    assert hidden.status_code == missing.status_code == 404
    # Each answer carries its own request's id; nothing else may differ.
    assert {**hidden.headers, "x-request-id": ""} == {
        **missing.headers,
        "x-request-id": "",
    }
    assert hidden.text.replace(tickets["billing"], "N") == missing.text.replace(
        "19990101000000", "N"
    )


def test_unlinking_a_missing_ticket_is_not_found(
    client: TestClient, auth: Auth, desk: HelpDesk, tickets: dict[str, str]
) -> None:
    mine = tickets["mine"]
    before = versions(desk, mine)

    response = unlink(client, auth, "admin", mine, "19990101000000", "related")

    assert response.status_code == 404, response.text
    assert versions(desk, mine) == before


def test_an_agent_cannot_link_to_a_ticket_they_may_not_see(
    client: TestClient, auth: Auth, desk: HelpDesk, tickets: dict[str, str]
) -> None:
    mine, billing = tickets["also_mine"], tickets["billing"]
    before = versions(desk, mine, billing)

    response = client.post(
        f"{TICKETS}/{mine}/links",
        json={"number": billing, "kind": "parent"},
        headers=auth["alice"],
    )

    assert response.status_code == 404, response.text
    assert versions(desk, mine, billing) == before


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_a_customer_changes_no_link(
    client: TestClient,
    auth: Auth,
    desk: HelpDesk,
    tickets: dict[str, str],
    method: str,
) -> None:
    mine, billing = tickets["mine"], tickets["billing"]
    before = versions(desk, mine, billing)
    if method == "POST":
        response = client.post(
            f"{TICKETS}/{billing}/links",
            json={"number": tickets["also_mine"]},
            headers=auth["bob"],
        )
    else:
        response = unlink(client, auth, "bob", billing, mine, "related")

    assert response.status_code == 403, response.text
    assert versions(desk, mine, billing) == before


def test_a_caller_who_sees_both_tickets_unlinks_both(
    client: TestClient, auth: Auth, desk: HelpDesk, tickets: dict[str, str]
) -> None:
    mine, billing = tickets["mine"], tickets["billing"]

    response = unlink(client, auth, "admin", mine, billing, "related")

    assert response.status_code == 200, response.text
    assert desk.ticket(mine).links == desk.ticket(billing).links == []
