"""Errors nobody expected answer problem+json too: 500 for a bug, 503 for the store."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator

import psycopg
import pytest
from eventsourcing import persistence
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from tests.e2e.memory_desk import Auth, MemoryBlobs
from tickettape.settings import Settings
from tickettape.stores import event_store_env

SECRET = "password=hunter2 in row 17"


def fail() -> None:
    """A dependency with a bug."""
    raise RuntimeError(SECRET)


@pytest.fixture
def app(desk: HelpDesk, blobs: MemoryBlobs) -> FastAPI:
    """The API, plus a route that fails and one whose dependency fails."""
    app = create_app(Services(desk=desk, blobs=blobs))

    def broken_route() -> None:
        raise KeyError(SECRET)

    def broken_dependency() -> None:
        """Never reached."""

    app.add_api_route("/broken/route", broken_route)
    app.add_api_route(
        "/broken/dependency", broken_dependency, dependencies=[Depends(fail)]
    )
    return app


@pytest.fixture
def lenient(app: FastAPI) -> Iterator[TestClient]:
    """A client that hands back the server's answer instead of its exception."""
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("path", ["/broken/route", "/broken/dependency"])
def test_an_unhandled_error_is_a_generic_problem_and_is_logged(
    lenient: TestClient, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    with caplog.at_level(logging.ERROR, logger="tickettape.api"):
        response = lenient.get(path)

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://tickettape.dev/problems/500",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "the server failed to answer; the error is logged",
        "instance": path,
    }
    assert SECRET not in response.text
    [record] = [r for r in caplog.records if r.name == "tickettape.api"]
    assert record.exc_info is not None
    assert SECRET in str(record.exc_info[1])


def test_a_strict_client_sees_no_server_exception(app: FastAPI) -> None:
    # The error is answered, not raised again past the app.
    with TestClient(app) as client:
        assert client.get("/broken/route").status_code == 500


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(persistence.OperationalError("refused"), id="event-store"),
        pytest.param(persistence.InterfaceError("closed"), id="event-store-closed"),
        pytest.param(psycopg.OperationalError("server closed"), id="postgres"),
        pytest.param(sqlite3.OperationalError("database is locked"), id="sqlite"),
    ],
)
def test_an_unreachable_store_is_503(
    lenient: TestClient,
    desk: HelpDesk,
    auth: Auth,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
) -> None:
    def unreachable(*args: object) -> None:
        raise error

    monkeypatch.setattr(desk, "authenticate", unreachable)
    with caplog.at_level(logging.ERROR, logger="tickettape.api"):
        response = lenient.get("/api/v1/tickets/20240101000001", headers=auth["bob"])

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "store-unavailable"
    assert str(error) not in response.text
    assert any(r.exc_info for r in caplog.records)


def test_readiness_is_a_503_problem_when_the_store_fails(
    lenient: TestClient, desk: HelpDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable() -> None:
        raise persistence.OperationalError("connection refused")

    monkeypatch.setattr(desk.recorder, "max_notification_id", unreachable)

    response = lenient.get("/readyz")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "the event store is not ready"


@pytest.mark.postgres
def test_a_closed_postgres_store_is_503(
    postgres_schema_url: str, blobs: MemoryBlobs
) -> None:
    desk = HelpDesk(env=event_store_env(Settings(database_url=postgres_schema_url)))
    desk.initialize()
    draft = TicketDraft(title="Printer", customer="bob@acme.test")
    first = Article("a1", "customer", "public", "web", "It smokes.")
    number = desk.open_ticket(draft, first, Origin("customer:bob@acme.test")).number
    app = create_app(Services(desk=desk, blobs=blobs))
    with TestClient(app, raise_server_exceptions=False) as client:
        # Its connection pool closed, the store refuses every request.
        desk.close()
        reply = client.get(
            f"/api/v1/tickets/{number}", headers={"Authorization": "Bearer any"}
        )
        ready = client.get("/readyz")

    assert reply.status_code == ready.status_code == 503
    assert reply.headers["content-type"] == "application/problem+json"
