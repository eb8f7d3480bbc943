"""A client that keeps presenting bad tokens is answered 429 for a while, and
nothing it sends meanwhile is read or recorded; other clients are not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from api.throttle import AuthThrottle
from domain.desk import HelpDesk
from tests.e2e.memory_desk import Auth, MemoryBlobs, open_ticket
from tests.unit.builders import Ticks

BAD = {"Authorization": "Bearer tt_not-a-token"}
PROBE = "10.0.0.66"
NEIGHBOUR = "10.0.0.7"
TICKETS = "/api/v1/tickets"
#: A read that needs only the desk: the ticket the fixture opens.
ZOOM = f"{TICKETS}/{{number}}"


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def zoom(desk: HelpDesk) -> str:
    """The path of a ticket bob opened."""
    return ZOOM.format(number=open_ticket(desk, "bob@acme.test"))


@pytest.fixture
def app_clients(desk: HelpDesk, ticks: Ticks) -> Iterator[dict[str, TestClient]]:
    """Clients of one app from two addresses; three bad tokens a minute."""
    throttle = AuthThrottle(3, window=60.0, clock=ticks)
    app = create_app(Services(desk=desk, blobs=MemoryBlobs(), auth_throttle=throttle))
    with (
        TestClient(app, client=(PROBE, 40000)) as probe,
        TestClient(app, client=(NEIGHBOUR, 40001)) as neighbour,
    ):
        yield {"probe": probe, "neighbour": neighbour}


def test_bad_tokens_past_the_limit_are_refused_with_retry_after(
    app_clients: dict[str, TestClient],
    zoom: str,
    auth: Auth,
    ticks: Ticks,
    desk: HelpDesk,
    caplog: pytest.LogCaptureFixture,
) -> None:
    probe = app_clients["probe"]
    for _ in range(3):
        assert probe.get(zoom, headers=BAD).status_code == 401
    # The operator learns once that an address is held back, and which.
    [held] = [r for r in caplog.records if r.name == "tickettape.api"]
    assert held.levelname == "WARNING"
    assert PROBE in held.getMessage()
    refused = probe.get(zoom, headers=BAD)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "60"
    problem = refused.json()
    assert problem["title"] == "Too Many Requests"
    assert problem["retry_after"] == 60
    assert problem["code"] == "too-many-requests"
    assert "bad token" in problem["detail"]
    # A good token from that address is refused too, and its write is not
    # recorded: the answer tells a guesser nothing, and does nothing.
    before = desk.recorder.max_notification_id()
    body = {"title": "Printer", "article": {"body": "It smokes"}}
    written = probe.post(TICKETS, json=body, headers=auth["bob"])
    assert written.status_code == 429
    assert desk.recorder.max_notification_id() == before
    # Without a token it is a plain 401, as for anybody.
    assert probe.get(zoom).status_code == 401


def test_other_addresses_are_not_held_back(
    app_clients: dict[str, TestClient], zoom: str, auth: Auth
) -> None:
    for _ in range(5):
        app_clients["probe"].get(zoom, headers=BAD)
    neighbour = app_clients["neighbour"]
    assert neighbour.get(zoom, headers=BAD).status_code == 401
    assert neighbour.get(zoom, headers=auth["alice"]).status_code == 200


def test_the_client_is_let_through_once_its_failures_age_out(
    app_clients: dict[str, TestClient], zoom: str, auth: Auth, ticks: Ticks
) -> None:
    probe = app_clients["probe"]
    for second in (0, 20, 40):
        ticks.now = 1000.0 + second
        probe.get(zoom, headers=BAD)
    ticks.now = 1050.0
    refused = probe.get(zoom, headers=auth["alice"])
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "10")
    ticks.now = 1060.0
    assert probe.get(zoom, headers=auth["alice"]).status_code == 200
    # One more bad token while the two later failures are in the window.
    assert probe.get(zoom, headers=BAD).status_code == 401
    assert probe.get(zoom, headers=auth["alice"]).status_code == 429


def test_good_tokens_are_never_counted(
    app_clients: dict[str, TestClient], zoom: str, auth: Auth
) -> None:
    probe = app_clients["probe"]
    for _ in range(20):
        assert probe.get(zoom, headers=auth["alice"]).status_code == 200
    # A role refusal (403) is not a bad token either.
    for _ in range(5):
        answer = probe.get("/api/v1/admin/statuses", headers=auth["bob"])
        assert answer.status_code == 403
    assert probe.get(zoom, headers=auth["alice"]).status_code == 200


def test_malformed_tokens_count_as_bad_ones(
    app_clients: dict[str, TestClient], zoom: str
) -> None:
    probe = app_clients["probe"]
    for token in (b"tt x", "t\u00e9".encode("latin-1"), b"a" * 500):
        answer = probe.get(zoom, headers={b"Authorization": b"Bearer " + token})
        assert answer.status_code == 401
    assert probe.get(zoom, headers=BAD).status_code == 429


def test_addresses_of_one_ipv6_64_share_a_count(desk: HelpDesk, zoom: str) -> None:
    app = create_app(
        Services(desk=desk, blobs=MemoryBlobs(), auth_throttle=AuthThrottle(2))
    )
    hosts = ("2001:db8::1", "2001:db8::beef", "2001:db8::cafe", "2001:db8:1::1")
    answers = []
    for n, host in enumerate(hosts):
        with TestClient(app, client=(host, 40000 + n)) as client:
            answers.append(client.get(zoom, headers=BAD).status_code)
    # The third address of the /64 is held back; another /64 is not.
    assert answers == [401, 401, 429, 401]
