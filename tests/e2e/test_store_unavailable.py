"""When the store cannot answer, or a commit's outcome is unknown: 503, said plainly."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi.testclient import TestClient

from domain.desk import HelpDesk
from domain.errors import CommitUncertain
from tests.e2e.memory_desk import Auth, post_ticket


def test_a_commit_of_unknown_outcome_says_a_keyed_retry_is_safe(
    client: TestClient, auth: Auth, desk: HelpDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = post_ticket(client, auth)["number"]

    def lost(*args: object, **kwargs: object) -> None:
        raise CommitUncertain("the connection broke while the command was committed")

    monkeypatch.setattr(desk, "handle", lost)
    response = client.post(
        f"/api/v1/tickets/{number}/articles",
        json={"body": "Unplug it"},
        headers={**auth["alice"], "Idempotency-Key": "k1"},
    )
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "2"
    problem = response.json()
    assert (problem["title"], problem["code"]) == (
        "Outcome Unknown",
        "commit-uncertain",
    )
    assert "same Idempotency-Key is safe" in problem["detail"]


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("couldn't get a connection after 3.00 sec"),
        InterfaceError("the connection is closed"),
        psycopg.OperationalError("server closed the connection unexpectedly"),
        sqlite3.OperationalError("database is locked"),
    ],
)
def test_an_unreachable_store_answers_503_with_retry_after(
    client: TestClient,
    auth: Auth,
    desk: HelpDesk,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
) -> None:
    number = post_ticket(client, auth)["number"]

    def unreachable(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(desk, "ticket", unreachable)
    response = client.get(f"/api/v1/tickets/{number}", headers=auth["alice"])
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "2"
    problem = response.json()
    assert (problem["title"], problem["code"]) == (
        "Store Unavailable",
        "store-unavailable",
    )
    assert str(error) not in problem["detail"]
