"""What a customer may do on their ticket, and what only staff may: close, rate,
hide, time accounting and notes."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

Auth = dict[str, dict[str, str]]
TICKETS = "/api/v1/tickets"


def _opened(client: TestClient, auth: Auth, who: str = "bob") -> str:
    body = {"title": "Printer on fire", "article": {"body": "It smokes."}}
    response = client.post(TICKETS, json=body, headers=auth[who])
    assert response.status_code == 201, response.text
    number: str = response.json()["number"]
    return number


def _ticket(client: TestClient, auth: Auth, who: str, number: str) -> dict[str, Any]:
    response = client.get(f"{TICKETS}/{number}", headers=auth[who])
    assert response.status_code == 200, response.text
    ticket: dict[str, Any] = response.json()
    return ticket


def _resolved(client: TestClient, auth: Auth) -> str:
    number = _opened(client, auth)
    done = client.post(
        f"{TICKETS}/{number}/status", json={"status": "resolved"}, headers=auth["alice"]
    )
    assert done.status_code == 200, done.text
    return number


def test_a_customer_may_not_account_time_or_write_a_note(
    client: TestClient, auth: Auth
) -> None:
    number = _opened(client, auth)
    before = _ticket(client, auth, "alice", number)["version"]
    for article in (
        {"body": "I spent ages", "time_spent_minutes": 30},
        {"body": "a note", "channel": "note"},
    ):
        response = client.post(
            f"{TICKETS}/{number}/articles", json=article, headers=auth["bob"]
        )
        assert response.status_code == 422, response.text
    assert _ticket(client, auth, "alice", number)["version"] == before
    body = {"title": "t", "article": {"body": "b", "time_spent_minutes": 5}}
    assert client.post(TICKETS, json=body, headers=auth["bob"]).status_code == 422


def test_only_the_tickets_own_customer_rates_it(client: TestClient, auth: Auth) -> None:
    number = _resolved(client, auth)
    rating = {"score": 2, "comment": "slow"}
    colleague = client.post(
        f"{TICKETS}/{number}/rating", json=rating, headers=auth["dave"]
    )
    assert colleague.status_code == 403
    own = client.post(f"{TICKETS}/{number}/rating", json=rating, headers=auth["bob"])
    assert own.status_code == 200, own.text
    rated = _ticket(client, auth, "dave", number)["rating"]
    assert rated == {
        "score": 2,
        "comment": "slow",
        "rated_by": "customer:bob@acme.test",
    }


def test_a_customer_closes_their_ticket_and_a_reply_then_meets_the_queue_policy(
    client: TestClient, auth: Auth
) -> None:
    number = _opened(client, auth)
    assert client.post(
        f"{TICKETS}/{number}/close", headers=auth["dave"]
    ).status_code == (403)
    closed = client.post(f"{TICKETS}/{number}/close", headers=auth["bob"])
    assert closed.status_code == 200, closed.text
    ticket = _ticket(client, auth, "bob", number)
    assert (ticket["status"], ticket["status_category"]) == ("closed", "closed")
    assert ticket["finished_at"] is not None
    # Closing again changes nothing; an agent cannot use the customer's door.
    again = client.post(f"{TICKETS}/{number}/close", headers=auth["bob"])
    assert again.json()["version"] == closed.json()["version"]
    assert client.post(
        f"{TICKETS}/{number}/close", headers=auth["alice"]
    ).status_code == (403)
    # General reopens on a customer's follow-up (its default policy).
    reply = client.post(
        f"{TICKETS}/{number}/articles",
        json={"body": "still smokes"},
        headers=auth["bob"],
    )
    assert reply.status_code == 201, reply.text
    assert _ticket(client, auth, "bob", number)["status_category"] == "open"


def test_a_closed_ticket_in_a_rejecting_queue_refuses_the_customers_reply(
    client: TestClient, auth: Auth
) -> None:
    number = _opened(client, auth)
    client.patch(
        "/api/v1/admin/queues/General",
        json={"follow_up": "reject"},
        headers=auth["admin"],
    )
    client.post(f"{TICKETS}/{number}/close", headers=auth["bob"])
    reply = client.post(
        f"{TICKETS}/{number}/articles", json={"body": "hello?"}, headers=auth["bob"]
    )
    assert reply.status_code == 409


def test_staff_hide_and_unhide_a_ticket(client: TestClient, auth: Auth) -> None:
    number = _opened(client, auth)
    assert client.post(f"{TICKETS}/{number}/hide", headers=auth["bob"]).status_code == (
        403
    )
    hidden = client.post(f"{TICKETS}/{number}/hide", headers=auth["alice"])
    assert hidden.status_code == 200, hidden.text
    assert client.get(f"{TICKETS}/{number}", headers=auth["bob"]).status_code == 404
    assert _ticket(client, auth, "alice", number)["hidden"] is True
    shown = client.post(f"{TICKETS}/{number}/unhide", headers=auth["alice"])
    assert shown.status_code == 200
    assert _ticket(client, auth, "bob", number)["title"] == "Printer on fire"
    history = client.get(f"{TICKETS}/{number}/history", headers=auth["alice"]).json()
    events = [e["event"] for e in history["entries"]]
    assert events[-2:] == ["Hidden", "Unhidden"]
