"""What a customer may do on their ticket, and what only staff may: close, rate,
hide, time accounting and notes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.memory_desk import Auth, post_ticket, read

TICKETS = "/api/v1/tickets"


def _resolved(client: TestClient, auth: Auth) -> str:
    number = post_ticket(client, auth)["number"]
    done = client.post(
        f"{TICKETS}/{number}/status", json={"status": "resolved"}, headers=auth["alice"]
    )
    assert done.status_code == 200, done.text
    return str(number)


def test_a_customer_may_not_account_time_or_write_a_note(
    client: TestClient, auth: Auth
) -> None:
    number = post_ticket(client, auth)["number"]
    before = read(client, f"{TICKETS}/{number}", auth["alice"])["version"]
    for article in (
        {"body": "I spent ages", "time_spent_minutes": 30},
        {"body": "a note", "channel": "note"},
    ):
        response = client.post(
            f"{TICKETS}/{number}/articles", json=article, headers=auth["bob"]
        )
        assert response.status_code == 422, response.text
    assert read(client, f"{TICKETS}/{number}", auth["alice"])["version"] == before
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
    rated = read(client, f"{TICKETS}/{number}", auth["dave"])["rating"]
    assert rated == {
        "score": 2,
        "comment": "slow",
        "rated_by": "customer:bob@acme.test",
    }


def test_a_customer_closes_their_ticket_and_a_reply_then_meets_the_queue_policy(
    client: TestClient, auth: Auth
) -> None:
    number = post_ticket(client, auth)["number"]
    assert client.post(
        f"{TICKETS}/{number}/close", headers=auth["dave"]
    ).status_code == (403)
    closed = client.post(f"{TICKETS}/{number}/close", headers=auth["bob"])
    assert closed.status_code == 200, closed.text
    ticket = read(client, f"{TICKETS}/{number}", auth["bob"])
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
    assert read(client, f"{TICKETS}/{number}", auth["bob"])["status_category"] == "open"


def test_a_closed_ticket_in_a_rejecting_queue_refuses_the_customers_reply(
    client: TestClient, auth: Auth
) -> None:
    number = post_ticket(client, auth)["number"]
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
    number = post_ticket(client, auth)["number"]
    assert client.post(f"{TICKETS}/{number}/hide", headers=auth["bob"]).status_code == (
        403
    )
    hidden = client.post(f"{TICKETS}/{number}/hide", headers=auth["alice"])
    assert hidden.status_code == 200, hidden.text
    assert client.get(f"{TICKETS}/{number}", headers=auth["bob"]).status_code == 404
    assert read(client, f"{TICKETS}/{number}", auth["alice"])["hidden"] is True
    shown = client.post(f"{TICKETS}/{number}/unhide", headers=auth["alice"])
    assert shown.status_code == 200
    assert read(client, f"{TICKETS}/{number}", auth["bob"])["title"] == "Printer"
    history = client.get(f"{TICKETS}/{number}/history", headers=auth["alice"]).json()
    events = [e["event"] for e in history["entries"]]
    assert events[-2:] == ["Hidden", "Unhidden"]
