"""Forwarding an article through HTTP: the staff forward, customers never see
the forward, and bad input is a 4xx with nothing written."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from domain.desk import HelpDesk
from tests.e2e.memory_desk import Auth

VENDOR = "repairs@vendor.test"


def position(desk: HelpDesk) -> int:
    return int(desk.recorder.max_notification_id() or 0)


def opened(client: TestClient, auth: Auth) -> tuple[str, str]:
    ticket = {"title": "Printer", "article": {"body": "It smokes.", "subject": "Smoke"}}
    answer = client.post("/api/v1/tickets", json=ticket, headers=auth["bob"]).json()
    return str(answer["number"]), str(answer["article_id"])


def test_an_agent_forwards_and_the_customer_does_not_see_it(
    client: TestClient, auth: Auth
) -> None:
    number, article_id = opened(client, auth)
    url = f"/api/v1/tickets/{number}/articles/{article_id}/forward"
    body = {"to": [VENDOR], "cc": ["boss@acme.test"], "comment": "Please look."}
    forwarded = client.post(url, json=body, headers=auth["alice"])
    assert forwarded.status_code == 201, forwarded.text
    forward_id = forwarded.json()["article_id"]
    staff = client.get(f"/api/v1/tickets/{number}", headers=auth["alice"]).json()
    forward = next(a for a in staff["articles"] if a["article_id"] == forward_id)
    assert (forward["visibility"], forward["channel"], forward["to"]) == (
        "internal",
        "email",
        [VENDOR],
    )
    assert forward["subject"] == "Fwd: Smoke"
    customer = client.get(f"/api/v1/tickets/{number}", headers=auth["bob"]).json()
    assert forward_id not in {a["article_id"] for a in customer["articles"]}
    history = client.get(f"/api/v1/tickets/{number}/history", headers=auth["bob"])
    assert "ArticleForwarded" not in history.text


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"to": []}, 422),
        ({"to": ["not an address"]}, 422),
        ({"to": [VENDOR + "\r\nBcc: all@x.test"]}, 422),
        ({"to": [VENDOR], "extra": 1}, 422),
        ({"to": [VENDOR], "comment": "x" * 100_001}, 422),
    ],
)
def test_a_bad_forward_is_refused_and_nothing_written(
    client: TestClient, auth: Auth, desk: HelpDesk, body: dict[str, object], status: int
) -> None:
    number, article_id = opened(client, auth)
    at = position(desk)
    url = f"/api/v1/tickets/{number}/articles/{article_id}/forward"
    answer = client.post(url, json=body, headers=auth["alice"])
    assert answer.status_code == status, answer.text
    assert position(desk) == at


def test_an_unknown_article_or_ticket_is_404(
    client: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    number, _ = opened(client, auth)
    at = position(desk)
    for url in (
        f"/api/v1/tickets/{number}/articles/nope/forward",
        "/api/v1/tickets/999999/articles/nope/forward",
    ):
        answer = client.post(url, json={"to": [VENDOR]}, headers=auth["alice"])
        assert answer.status_code == 404, answer.text
    assert position(desk) == at
