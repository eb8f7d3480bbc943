"""PostgreSQL's sealed write in two round trips: a failure in either leaves
nothing behind, and the connection goes back to the pool ready for the next.

The recorder begins and commits its transaction itself (psycopg's transaction
block would sync twice more in a pipeline); a failed one must still end before
its connection is lent again. These tests run on a pool of one connection,
where a transaction left open would be the next write's.
"""

from __future__ import annotations

import logging
from pathlib import Path
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from replay.ledger_stores import open_ledger
from replay.seals import load_keyring
from replay.verify import verify_log
from tests.stores import DeskFactory
from tickettape import sealing_postgres
from tickettape.sealing_postgres import ROWS_AS_VALUES, SealedPostgresRecorder
from tickettape.settings import Settings
from tickettape.stores import event_store_env

pytestmark = pytest.mark.postgres


@pytest.fixture
def desk(
    postgres_schema_url: str, tmp_path: Path, desk_factory: DeskFactory
) -> HelpDesk:
    """A desk on PostgreSQL whose event store has one connection."""
    settings = Settings(
        database_url=postgres_schema_url, data_dir=tmp_path, postgres_pool_size=1
    )
    env = event_store_env(settings) | {"POSTGRES_MAX_OVERFLOW": "0"}
    return desk_factory(env)


def opened(desk: HelpDesk, title: str = "Printer") -> str:
    """A new ticket's number."""
    first = Article("first", "customer", "public", "web", f"{title} smokes")
    draft = TicketDraft(title=title, customer="bob@acme.test")
    return desk.open_ticket(draft, first, Origin("customer:bob@acme.test")).number


def stored(desk: HelpDesk) -> tuple[int, int]:
    """How many events and seals the store holds."""
    recorder = desk.recorder
    assert isinstance(recorder, SealedPostgresRecorder)
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(
            f"SELECT count(*) AS n FROM {recorder.datastore.schema}.audit_seals"
        )
        seals = curs.fetchone()
    events = len(recorder.select_notifications(1, 10_000))
    assert seals is not None
    return events, int(seals["n"])


def test_a_conflicting_write_leaves_nothing_and_the_connection_ready(
    desk: HelpDesk, caplog: pytest.LogCaptureFixture
) -> None:
    number = opened(desk)
    first = desk.recorder.select_notifications(1, 1)[0]
    before = stored(desk)
    again = StoredEvent(first.originator_id, 1, first.topic, first.state)

    with caplog.at_level(logging.WARNING), pytest.raises(IntegrityError):
        desk.recorder.insert_events([again])

    assert stored(desk) == before
    # The pool did not have to roll back what the recorder left open.
    assert not [r for r in caplog.records if r.name.startswith("psycopg")]
    other = opened(desk, "Scanner")
    assert desk.ticket(other).title == "Scanner"
    assert desk.ticket(number).title == "Printer"
    assert stored(desk) == (before[0] + 2, before[1] + 2)


def test_a_failure_between_the_round_trips_rolls_the_events_back(
    desk: HelpDesk, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened(desk)
    before = stored(desk)

    def broken_keyring(*args: object) -> object:
        raise RuntimeError("the keyring is unreadable")

    # The events are inserted (their positions came back) when sealing fails.
    monkeypatch.setattr(sealing_postgres, "seal_rows", broken_keyring)
    with caplog.at_level(logging.WARNING), pytest.raises(RuntimeError):
        opened(desk, "Scanner")
    monkeypatch.undo()

    assert stored(desk) == before
    assert not [r for r in caplog.records if r.name.startswith("psycopg")]
    number = opened(desk, "Router")
    assert desk.ticket(number).title == "Router"
    assert stored(desk) == (before[0] + 2, before[1] + 2)


@pytest.mark.parametrize(
    "count", [1, 2, ROWS_AS_VALUES, ROWS_AS_VALUES + 1, 3 * ROWS_AS_VALUES]
)
def test_a_write_of_any_size_stores_each_event_at_its_position_under_its_seal(
    desk: HelpDesk, postgres_schema_url: str, tmp_path: Path, count: int
) -> None:
    """A few events go as a row of values each, more as arrays: either way each
    event comes back at the position it was given, byte for byte, sealed there."""
    first, second = uuid4(), uuid4()
    # Two records interleaved, as a group commit of two commands writes them.
    events = [
        StoredEvent(
            (first, second)[i % 2],
            i // 2 + 1,
            "domain.ticket:Ticket.ArticleAdded",
            bytes([i % 256]) * (i + 1) + b'\x00{"\\',
        )
        for i in range(count)
    ]

    positions = desk.recorder.insert_events(events)

    assert positions is not None
    assert len(positions) == count
    assert list(positions) == sorted(set(positions))
    found = {n.id: n for n in desk.recorder.select_notifications(1, 10_000)}
    for position, event in zip(positions, events, strict=True):
        kept = found[position]
        assert (kept.originator_id, kept.originator_version) == (
            event.originator_id,
            event.originator_version,
        )
        assert (kept.topic, bytes(kept.state)) == (event.topic, event.state)
    settings = Settings(database_url=postgres_schema_url, data_dir=tmp_path)
    ledger = open_ledger(desk)
    try:
        verdict = verify_log(ledger, load_keyring(settings.seal_key_path))
    finally:
        ledger.close()
    assert verdict.clean, verdict
    assert verdict.checked + verdict.unchained == len(found)
