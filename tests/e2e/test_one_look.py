"""Each request looks at the log once for every record it reads; a command looks
again, so a write never decides on a look older than its own attempt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from domain.audit import Origin
from domain.desk import HelpDesk
from domain.queues import FollowUp, Queue
from projections.engine.runner import ViewRunner
from projections.engine.store import SQLiteViewStore
from projections.tickets.summary import TicketSummary
from tests.cache_looks import counted_looks
from tests.e2e.memory_desk import Auth, open_ticket

ADMIN = Origin("admin:root")


@pytest.fixture
def views(desk: HelpDesk, tmp_path: Path) -> Iterator[ViewRunner]:
    """Ten more queues of alice's group, and the ticket summary."""
    for n in range(10):
        desk.save_config(
            Queue.open(f"Desk {n}", "support", FollowUp.REOPEN, None, ADMIN)
        )
    store = SQLiteViewStore(tmp_path / "views.sqlite3")
    yield ViewRunner(desk, store, [TicketSummary()])
    store.close()


def test_a_list_request_looks_at_the_log_once(
    api: TestClient, auth: Auth, desk: HelpDesk, views: ViewRunner
) -> None:
    open_ticket(desk, "bob@acme.test")
    views.catch_up()
    looks = counted_looks(desk)

    answer = api.get("/api/v1/tickets", params={"limit": 25}, headers=auth["alice"])

    assert answer.status_code == 200
    assert len(answer.json()["tickets"]) == 1
    assert len(looks) == 1


def test_a_write_request_looks_once_more_for_its_command(
    api: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    number = open_ticket(desk, "bob@acme.test")
    looks = counted_looks(desk)

    answer = api.post(
        f"/api/v1/tickets/{number}/articles",
        json={"body": "On it.", "visibility": "internal"},
        headers=auth["alice"],
    )

    assert answer.status_code == 201
    assert len(looks) == 2
