"""Exactly once: rows and position in one transaction; resume; rebuild and swap."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from domain.audit import Origin
from domain.desk import HelpDesk
from projections.engine.rebuild import rebuild
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewCursor, ViewStore
from projections.engine.view import Tables
from projections.tickets.summary import TicketSummary
from tests.projections.summary import expected_rows, summary_rows
from tests.projections.view_stores import OpenViews
from tests.writing import open_tickets

ALICE = Origin("agent:alice")


class Crash(Exception):
    """The power went out half-way through a batch."""


class CrashingSummary:
    """The summary, failing at its n-th event."""

    def __init__(self, at: int) -> None:
        self.real, self.left = TicketSummary(), at

    @property
    def name(self) -> str:
        return self.real.name

    @property
    def topics(self) -> Sequence[str]:
        return self.real.topics

    @property
    def tables(self) -> Mapping[str, str]:
        return self.real.tables

    @property
    def indexes(self) -> Sequence[str]:
        return self.real.indexes

    def apply(self, event: Any, cursor: ViewCursor, tables: Tables) -> None:
        self.left -= 1
        if self.left == 0:
            raise Crash
        self.real.apply(event, cursor, tables)


def position(runner: ViewRunner) -> int:
    """The summary's tracked position."""
    return runner.position("ticket_summary")


def test_a_crash_mid_batch_leaves_nothing_of_the_batch(
    desk: HelpDesk, view_store: ViewStore
) -> None:
    first = open_tickets(desk, 2)
    runner = ViewRunner(desk, view_store, [TicketSummary()])
    runner.catch_up()
    before = (summary_rows(view_store), position(runner))
    later = open_tickets(desk, 3)

    crashing = ViewRunner(desk, view_store, [CrashingSummary(at=4)])
    with pytest.raises(Crash):
        crashing.catch_up()
    assert (summary_rows(view_store), position(runner)) == before

    runner.catch_up()
    runner.catch_up()
    assert summary_rows(view_store) == expected_rows(desk, first + later)
    assert position(runner) == desk.recorder.max_notification_id()


def test_a_restarted_runner_resumes_where_it_stopped(
    desk: HelpDesk, open_views: OpenViews
) -> None:
    first_store = open_views()
    first = open_tickets(desk, 3)
    ViewRunner(desk, first_store, [TicketSummary()], batch_size=2).catch_up()
    first_store.close()

    later = open_tickets(desk, 2)
    again = ViewRunner(desk, open_views(), [TicketSummary()], batch_size=2)
    assert position(again) < (desk.recorder.max_notification_id() or 0)
    again.catch_up()
    assert summary_rows(again.store) == expected_rows(desk, first + later)


def test_a_rebuild_equals_the_incremental_view_and_reads_go_on(
    desk: HelpDesk, view_store: ViewStore
) -> None:
    made = open_tickets(desk, 6)
    runner = ViewRunner(desk, view_store, [TicketSummary()], batch_size=4)
    runner.catch_up()
    incremental = summary_rows(view_store)
    during: list[int] = []

    def progress(at: int, top: int) -> None:
        # The live view still answers in full while the copy fills.
        during.append(len(summary_rows(view_store)))

    for _ in range(2):  # a second rebuild must not trip over the first's names
        at = rebuild(desk, view_store, TicketSummary(), 4, progress)
        assert summary_rows(view_store) == incremental == expected_rows(desk, made)
        assert at == position(runner) == desk.recorder.max_notification_id()
    assert during
    assert set(during) == {len(made)}


def test_a_rebuild_takes_in_what_was_written_meanwhile(
    desk: HelpDesk, view_store: ViewStore
) -> None:
    made = open_tickets(desk, 3)
    runner = ViewRunner(desk, view_store, [TicketSummary()])
    runner.catch_up()
    extra: list[str] = []

    def write_during(at: int, top: int) -> None:
        if not extra:
            extra.extend(open_tickets(desk, 1))

    rebuild(desk, view_store, TicketSummary(), 2, write_during)
    assert summary_rows(view_store) == expected_rows(desk, made + extra)
    runner.catch_up()
    assert summary_rows(view_store) == expected_rows(desk, made + extra)
