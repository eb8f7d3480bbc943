"""Concurrent writes to one ticket through HTTP, on a SQLite store.

Writes without If-Match or expected_version never answer 409 for a race the
server can settle itself; writes that name a version still conflict.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from domain.articles import Article
from domain.audit import SYSTEM, Origin
from domain.desk import HelpDesk, TicketDraft
from domain.people import Agent
from tests.e2e.memory_desk import ADMIN, MemoryBlobs
from tickettape.settings import Settings
from tickettape.stores import event_store_env

WRITERS = 20


@pytest.fixture
def sqlite_desk(tmp_path: Path) -> Iterator[HelpDesk]:
    """A desk on a SQLite file, with alice working queue General."""
    desk = HelpDesk(env=event_store_env(Settings(database_url="", data_dir=tmp_path)))
    desk.initialize()
    desk.save_config(
        Agent.hire("alice", "Alice", "alice@example.com", ["support"], [], ADMIN)
    )
    yield desk
    desk.close()


@pytest.fixture
def api(sqlite_desk: HelpDesk) -> Iterator[tuple[TestClient, dict[str, str], str]]:
    """A client, alice's authorization header and a ticket of bob's."""
    secret, _ = sqlite_desk.issue_token("desk", "agent", "alice", Origin(SYSTEM))
    first = Article("a1", "customer", "public", "web", "It smokes.")
    draft = TicketDraft(title="Printer on fire", customer="bob@acme.test")
    origin = Origin("customer:bob@acme.test")
    number = sqlite_desk.open_ticket(draft, first, origin).number
    app = create_app(Services(desk=sqlite_desk, blobs=MemoryBlobs()))
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {secret}"}, number


def all_at_once(send: Callable[[int], Any]) -> list[int]:
    """Send one request per writer, all released together; the status codes."""
    start = threading.Barrier(WRITERS, timeout=60)

    def write(index: int) -> int:
        start.wait()
        return int(send(index).status_code)

    with ThreadPoolExecutor(WRITERS) as pool:
        return list(pool.map(write, range(WRITERS)))


def test_concurrent_articles_without_a_version_all_land(
    api: tuple[TestClient, dict[str, str], str], sqlite_desk: HelpDesk
) -> None:
    client, headers, number = api
    before = len(sqlite_desk.ticket(number).articles)

    statuses = all_at_once(
        lambda i: client.post(
            f"/api/v1/tickets/{number}/articles",
            json={"body": f"note {i}", "visibility": "internal"},
            headers=headers,
        )
    )

    assert statuses == [201] * WRITERS
    assert len(sqlite_desk.ticket(number).articles) == before + WRITERS


def test_concurrent_articles_at_one_version_have_one_winner(
    api: tuple[TestClient, dict[str, str], str], sqlite_desk: HelpDesk
) -> None:
    client, headers, number = api
    version = sqlite_desk.ticket(number).version

    statuses = all_at_once(
        lambda i: client.post(
            f"/api/v1/tickets/{number}/articles",
            params={"expected_version": version},
            json={"body": f"note {i}", "visibility": "internal"},
            headers=headers,
        )
    )

    assert sorted(statuses) == [201] + [409] * (WRITERS - 1)
    assert len(sqlite_desk.ticket(number).articles) == 2
