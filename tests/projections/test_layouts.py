"""A view whose tables changed is projected again from the start, once."""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.utils import get_topic

from domain.desk import HelpDesk
from domain.ticket import Ticket
from projections.layouts import TABLE, layout
from projections.rebuild import rebuild
from projections.runner import ViewRunner
from projections.store import Row, ViewCursor, ViewStore
from projections.ticket_summary import TicketSummary
from projections.view import Tables, Template
from tests.projections.view_stores import OpenViews
from tests.writing import open_tickets


class Titles:
    """A small view: each ticket's title (and, from layout 2 on, its number)."""

    name = "titles"

    def __init__(self, with_number: bool = False) -> None:
        self.with_number = with_number
        self.topics = [get_topic(Ticket.Created)]
        extra = ", number TEXT NOT NULL" if with_number else ""
        self.tables: dict[str, Template] = {
            "titles": "CREATE TABLE IF NOT EXISTS {titles} "
            f"(id TEXT PRIMARY KEY, title TEXT NOT NULL{extra})"
        }
        self.indexes: list[Template] = []

    def apply(self, event: Any, cursor: ViewCursor, tables: Tables) -> None:
        if self.with_number:
            cursor.execute(
                f"INSERT INTO {tables['titles']} (id, title, number) VALUES (?, ?, ?)",
                (str(event.originator_id), event.title, event.number),
            )
        else:
            cursor.execute(
                f"INSERT INTO {tables['titles']} (id, title) VALUES (?, ?)",
                (str(event.originator_id), event.title),
            )


def rows(store: ViewStore, columns: str) -> list[Row]:
    with store.transaction() as cursor:
        cursor.execute(f"SELECT {columns} FROM view_titles ORDER BY title")
        return cursor.fetchall()


def test_the_layout_digest_follows_the_templates() -> None:
    assert layout(Titles()) == layout(Titles())
    assert layout(Titles()) != layout(Titles(with_number=True))


def test_a_changed_view_starts_afresh_and_an_unchanged_one_keeps_its_rows(
    desk: HelpDesk, open_views: OpenViews, caplog: pytest.LogCaptureFixture
) -> None:
    made = open_tickets(desk, 3)
    first = ViewRunner(desk, open_views(), [Titles()])
    first.catch_up()
    assert rows(first.store, "title") == [(f"Ticket {i}",) for i in range(3)]

    # A restart with the same layout keeps position and rows.
    again = ViewRunner(desk, open_views(), [Titles()])
    assert again.position("titles") == first.position("titles") > 0
    assert "projecting it again" not in caplog.text

    # The upgrade adds a column: the old rows could not take the next insert.
    upgraded = ViewRunner(desk, open_views(), [Titles(with_number=True)])
    assert upgraded.position("titles") == 0
    assert rows(upgraded.store, "title") == []
    assert "the tables of view titles changed" in caplog.text
    upgraded.catch_up()
    numbers = sorted(desk.ticket(n).number for n in made)
    assert sorted(n for (n,) in rows(upgraded.store, "number")) == numbers
    assert upgraded.position("titles") == desk.recorder.max_notification_id()


def test_views_from_before_layouts_were_kept_start_afresh(
    desk: HelpDesk, view_store: ViewStore
) -> None:
    open_tickets(desk, 2)
    ViewRunner(desk, view_store, [Titles()]).catch_up()
    with view_store.transaction(write=True) as cursor:
        cursor.execute(f"DROP TABLE {TABLE}")

    runner = ViewRunner(desk, view_store, [Titles()])
    assert runner.position("titles") == 0
    runner.catch_up()
    assert len(rows(view_store, "title")) == 2


def test_a_rebuilt_view_is_not_started_afresh_at_the_next_start(
    desk: HelpDesk, view_store: ViewStore
) -> None:
    open_tickets(desk, 2)
    runner = ViewRunner(desk, view_store, [TicketSummary()])
    runner.catch_up()
    with view_store.transaction(write=True) as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
    # The rebuild's tables have the view's layout now, and say so.
    at = rebuild(desk, view_store, TicketSummary())
    assert (
        ViewRunner(desk, view_store, [TicketSummary()]).position("ticket_summary") == at
    )
