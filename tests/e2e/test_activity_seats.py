"""A caller keeps a few activity streams open at once: one more is a 429 until
one of them closes, and every stream gives its seat back however it ends."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes import activity as activity_routes
from api.services import Services
from api.stream_seats import StreamSeats
from domain.desk import HelpDesk
from projections.activity.projection import ActivityFeed
from projections.engine.runner import ViewRunner
from projections.engine.store import SQLiteViewStore
from tests.e2e.activity_feed import STREAM
from tests.e2e.memory_desk import Auth, MemoryBlobs

SEATS = 2


@pytest.fixture
def seats() -> StreamSeats:
    return StreamSeats(SEATS)


@pytest.fixture
def api(desk: HelpDesk, tmp_path: Path, seats: StreamSeats) -> Iterator[TestClient]:
    store = SQLiteViewStore(tmp_path / "views.sqlite3")
    views = ViewRunner(desk, store, [ActivityFeed()])
    services = Services(desk=desk, blobs=MemoryBlobs(), views=views, stream_seats=seats)
    with TestClient(create_app(services)) as client:
        yield client
    store.close()


def eventually(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "never came true"
        time.sleep(0.05)


def test_one_stream_more_than_allowed_is_429_until_one_closes(
    api: TestClient, auth: Auth, seats: StreamSeats
) -> None:
    params = {"max_seconds": 30}
    with ExitStack() as open_streams:
        held = [
            open_streams.enter_context(
                api.stream("GET", STREAM, params=params, headers=auth["alice"])
            )
            for _ in range(SEATS)
        ]
        assert [r.status_code for r in held] == [200] * SEATS
        refused = api.get(STREAM, params=params, headers=auth["alice"])
        assert refused.status_code == 429
        assert refused.json()["code"] == "too-many-streams"
        assert refused.headers["retry-after"]
        # Another caller has seats of their own.
        other = api.get(STREAM, params={"max_seconds": 0}, headers=auth["carol"])
        assert other.status_code == 200
    # The client left: the streams end and give their seats back.
    eventually(lambda: seats.open_streams() == 0)
    again = api.get(STREAM, params={"max_seconds": 0}, headers=auth["alice"])
    assert again.status_code == 200


def test_streams_that_end_or_fail_to_start_give_their_seats_back(
    api: TestClient, auth: Auth, seats: StreamSeats, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(SEATS * 3):
        answer = api.get(STREAM, params={"max_seconds": 0}, headers=auth["bob"])
        assert answer.status_code == 200

    def locked(*_: object) -> int:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(activity_routes, "feed_position", locked)
    for _ in range(SEATS * 3):
        answer = api.get(STREAM, params={"max_seconds": 0}, headers=auth["bob"])
        assert answer.status_code == 503
    eventually(lambda: seats.open_streams() == 0)
