"""Write batches on PostgreSQL queue their statements; the batch still acts as one.

Each test runs on both stores: SQLite runs every statement at once, so the same
assertions there say the pipelined store behaves as the plain one does.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
import pytest

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.ticket import Ticket
from projections.engine.runner import ViewRunner
from projections.engine.store import (
    PIPELINE_DEPTH,
    PipelinedCursor,
    Row,
    ViewCursor,
    ViewStore,
)
from projections.engine.view import RoutedView, Tables

ALICE = Origin("agent:alice")
#: Many times the pipeline's depth, with rows big enough to fill socket buffers.
STATEMENTS = 20 * PIPELINE_DEPTH
BODY = "x" * 2_000
#: Seconds after which a write that has not finished counts as hung. A guard
#: against stalling the suite, not a speed requirement: it takes a few seconds.
HANG_SECONDS = 300
#: Rounds of write, large read, small read: a stale result turned up in ~1 of 10.
ROUNDS = 300
BULK = "CREATE TABLE view_bulk (id BIGINT PRIMARY KEY, body TEXT NOT NULL)"
INSERT_BULK = "INSERT INTO view_bulk (id, body) VALUES (?, ?)"
TAG_LOG = {
    "tag_log": "CREATE TABLE IF NOT EXISTS {tag_log} "
    "(tag TEXT PRIMARY KEY, earlier BIGINT NOT NULL)"
}


class TagLog(RoutedView):
    """A row per tag event, with how many rows it found before its own insert."""

    name = "tag_log"
    tables = TAG_LOG
    indexes: Sequence[str] = ()

    def __init__(self, key: Callable[[Ticket.Tagged], str]) -> None:
        super().__init__({Ticket.Tagged: self._tagged})
        self._key = key

    def _tagged(self, event: Any, cursor: ViewCursor, tables: Tables) -> None:
        # A read between writes: it must see the batch's earlier inserts.
        cursor.execute(f"SELECT COUNT(*) FROM {tables['tag_log']}")
        found = cursor.fetchone()
        cursor.execute(
            f"INSERT INTO {tables['tag_log']} (tag, earlier) VALUES (?, ?)",
            (self._key(event), found[0] if found else -1),
        )


def each_tag(event: Ticket.Tagged) -> str:
    """A key per ticket and tag: never repeats."""
    return f"{event.originator_id}:{event.tag}"


def one_key(event: Ticket.Tagged) -> str:
    """The same key for every event: the second insert breaks the primary key."""
    return "same"


def tag_tickets(desk: HelpDesk, count: int) -> None:
    """Open `count` tickets and tag each once."""
    for i in range(count):
        text = Article(desk.new_article_id(), "customer", "public", "web", "Help")
        draft = TicketDraft(title=f"Ticket {i}", customer="bob@acme.test")
        number = desk.open_ticket(draft, text, Origin("customer:bob")).number
        desk.tag(number, "seen", ALICE)


def tag_log(store: ViewStore) -> list[Row]:
    """The log's rows in the order they were written."""
    with store.transaction() as cursor:
        cursor.execute("SELECT tag, earlier FROM view_tag_log ORDER BY earlier")
        return cursor.fetchall()


def finishes(work: Callable[[], None]) -> bool:
    """Whether `work` returns (or raises, re-raised here) before HANG_SECONDS."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # re-raised on the test's thread
            failed.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG_SECONDS)
    if failed:
        raise failed[0]
    return not thread.is_alive()


def test_a_batch_of_many_thousands_of_statements_completes(
    view_store: ViewStore,
) -> None:
    rows = [(i, BODY) for i in range(STATEMENTS)]
    half = STATEMENTS // 2

    def write() -> None:
        with view_store.transaction(write=True) as cursor:
            cursor.execute(BULK)
            for row in rows[:half]:
                cursor.execute(INSERT_BULK, row)
            cursor.executemany(INSERT_BULK, rows[half:])

    assert finishes(write)
    with view_store.transaction() as cursor:
        cursor.execute("SELECT COUNT(*), SUM(LENGTH(body)) FROM view_bulk")
        assert cursor.fetchone() == (STATEMENTS, STATEMENTS * len(BODY))


def test_a_read_sees_every_write_queued_before_it(view_store: ViewStore) -> None:
    with view_store.transaction(write=True) as cursor:
        cursor.execute(BULK)
        seen = []
        # Across the depth, so some reads follow a sync of their own.
        for i in range(PIPELINE_DEPTH + 3):
            cursor.execute(INSERT_BULK, (i, BODY))
            cursor.execute("SELECT COUNT(*) FROM view_bulk")
            seen.append(cursor.fetchone())
        cursor.execute("UPDATE view_bulk SET body = 'changed' WHERE id = 0")
        cursor.execute("SELECT body FROM view_bulk WHERE id < 2 ORDER BY id")
        assert cursor.fetchall() == [("changed",), (BODY,)]
    assert seen == [(n,) for n in range(1, PIPELINE_DEPTH + 4)]


def test_a_read_gets_its_own_result_while_earlier_ones_stream_in(
    view_store: ViewStore,
) -> None:
    # A query with more output than the server buffers sends the results before
    # it on their way; without the sync, one of them often ended as the read's.
    with view_store.transaction(write=True) as cursor:
        cursor.execute(BULK)
        counted = []
        for i in range(ROUNDS):
            cursor.execute(INSERT_BULK, (i, BODY))
            cursor.execute("SELECT body FROM view_bulk ORDER BY id DESC LIMIT 10")
            cursor.execute("SELECT COUNT(*) FROM view_bulk")
            counted.append(cursor.fetchone())
    assert counted == [(n,) for n in range(1, ROUNDS + 1)]


def test_a_handler_reads_the_rows_its_batch_wrote(
    desk: HelpDesk, view_store: ViewStore
) -> None:
    tag_tickets(desk, 5)
    ViewRunner(desk, view_store, [TagLog(each_tag)]).catch_up()
    assert [earlier for _, earlier in tag_log(view_store)] == [0, 1, 2, 3, 4]


def test_a_failing_statement_rolls_back_its_whole_batch(
    desk: HelpDesk, view_store: ViewStore
) -> None:
    tag_tickets(desk, 2)
    runner = ViewRunner(desk, view_store, [TagLog(each_tag)])
    runner.catch_up()
    before = (tag_log(view_store), runner.position("tag_log"))
    tag_tickets(desk, 3)

    failing = ViewRunner(desk, view_store, [TagLog(one_key)])
    # The store's own error, as an unpipelined store raises it, not a
    # PipelineAborted of the statements queued after it.
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.UniqueViolation)):
        failing.catch_up()
    assert (tag_log(view_store), runner.position("tag_log")) == before

    runner.catch_up()
    assert [earlier for _, earlier in tag_log(view_store)] == [0, 1, 2, 3, 4]
    assert runner.position("tag_log") == desk.recorder.max_notification_id()


def test_an_error_in_the_last_statements_surfaces_at_the_end(
    view_store: ViewStore,
) -> None:
    with view_store.transaction(write=True) as cursor:
        cursor.execute(BULK)

    def insert_twice() -> None:
        with view_store.transaction(write=True) as cursor:
            cursor.execute(INSERT_BULK, (1, BODY))
            cursor.execute(INSERT_BULK, (1, BODY))

    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.UniqueViolation)):
        insert_twice()
    with view_store.transaction() as cursor:
        cursor.execute("SELECT COUNT(*) FROM view_bulk")
        assert cursor.fetchone() == (0,)


def test_only_postgresql_writes_are_pipelined(view_store: ViewStore) -> None:
    with view_store.transaction(write=True) as cursor:
        assert isinstance(cursor, PipelinedCursor) == cursor.postgres
    with view_store.transaction() as cursor:
        assert not isinstance(cursor, PipelinedCursor)
