"""The status view's counters and daily backlog, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import given

from domain.desk import HelpDesk
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewStore
from projections.statuses.counts import StatusFigures, status_figures
from projections.statuses.view import StatusView
from tests.examples import examples_with_fixtures
from tests.projections.counting import (
    ALICE,
    STEPS,
    expected_backlog,
    open_ticket,
    played,
    staff,
    tickets,
)
from tests.projections.view_stores import assert_rebuilt_alike
from tests.stores import DeskFactory
from tests.unit.builders import Clock

DAY = timedelta(days=1)
START = Clock.START.date()


@pytest.fixture
def desk(
    durable_store_env: dict[str, str], clock: Clock, desk_factory: DeskFactory
) -> HelpDesk:
    """A staffed desk on the views' kind of store, stamping events with the clock."""
    return staff(desk_factory(durable_store_env, clock=clock))


@pytest.fixture
def runner(desk: HelpDesk, view_store: ViewStore) -> ViewRunner:
    """The status view alone."""
    return ViewRunner(desk, view_store, [StatusView()], batch_size=3)


Shape = tuple[Counter[tuple[str, str]], Counter[tuple[str | None, str]]]


def shape(figures: StatusFigures) -> Shape:
    """Tickets by (status, category) and by (owner, category), zeros left out."""
    by_owner: Counter[tuple[str | None, str]] = Counter()
    for owner in figures.by_owner:
        for category, n in owner.by_status_category.items():
            by_owner[owner.owner, category] += n
    by_status = Counter(
        {(c.status, c.status_category): c.tickets for c in figures.by_status}
    )
    return by_status, +by_owner


def expected_shape(desk: HelpDesk, numbers: list[str], queues: set[str]) -> Shape:
    """The same, from the tickets themselves."""
    mine = [t for t in tickets(desk, numbers) if t.queue in queues]
    return (
        Counter((t.status, t.status_category) for t in mine),
        Counter((t.owner, t.status_category) for t in mine),
    )


def series(
    store: ViewStore, queues: list[str] | None, first: date, last: date
) -> list[int]:
    """The backlog from first to last."""
    figures = status_figures(store, queues, first, last)
    assert [d.day for d in figures.backlog] == [
        first + DAY * i for i in range((last - first).days + 1)
    ]
    return [d.tickets for d in figures.backlog]


def test_counts_follow_owner_status_and_queue(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    first, second = open_ticket(desk), open_ticket(desk)
    steps: list[Callable[[], object]] = [
        lambda: desk.assign(first, "alice", None, ALICE),
        lambda: desk.change_status(first, "waiting_for_customer", None, "", ALICE),
        lambda: desk.move(second, "Hardware", ALICE),
        lambda: desk.change_status(first, "resolved", None, "done", ALICE),
        lambda: desk.unassign(first, ALICE),
        lambda: desk.assign(first, "alice", None, ALICE),
        lambda: desk.reopen(first, ALICE),
        lambda: desk.merge(second, first, ALICE),
    ]
    for step in steps:
        step()
        runner.catch_up()
        for queues in (["General"], ["Hardware"], None, []):
            figures = status_figures(runner.store, queues, START, START)
            wanted = {"General", "Hardware"} if queues is None else set(queues)
            assert shape(figures) == expected_shape(desk, [first, second], wanted)
    figures = status_figures(runner.store, None, START, START)
    assert figures.by_status_category == {
        "new": 0,
        "open": 1,
        "pending": 0,
        "resolved": 0,
        "closed": 0,
        "merged": 1,
    }
    assert [o.owner for o in figures.by_owner] == [None, "alice"]


def test_the_backlog_counts_unfinished_tickets_at_each_days_end(
    desk: HelpDesk, clock: Clock, runner: ViewRunner
) -> None:
    first, second = open_ticket(desk), open_ticket(desk)  # day 0: 2
    clock.advance(DAY)
    desk.change_status(first, "resolved", None, "", ALICE)  # day 1: 1
    clock.advance(DAY)
    desk.reopen(first, ALICE)
    desk.move(second, "Hardware", ALICE)  # day 2: 2 (1 + 1)
    clock.advance(DAY)
    open_ticket(desk)
    desk.change_status(second, "closed", None, "", ALICE)  # day 3: 2 (2 + 0)
    clock.advance(2 * DAY)
    desk.merge(first, open_ticket(desk, "Hardware"), ALICE)  # day 5: 2 (1 + 1)
    runner.catch_up()
    before, after = START - 2 * DAY, START + 6 * DAY
    assert series(runner.store, None, before, after) == [0, 0, 2, 1, 2, 2, 2, 2, 2]
    assert series(runner.store, ["General"], START, after) == [2, 1, 1, 2, 2, 1, 1]
    assert series(runner.store, ["Hardware"], START, after) == [0, 0, 1, 0, 0, 1, 1]
    assert series(runner.store, [], START, START) == [0]
    assert series(runner.store, None, START + 4 * DAY, START + 4 * DAY) == [2]


@examples_with_fixtures(20)
@given(steps=STEPS)
def test_incremental_equals_rebuilt(
    view_store: ViewStore, steps: list[tuple[str, int]]
) -> None:
    desk, clock, made = played(view_store, StatusView(), steps)
    last = clock().date() + DAY
    days = [START + DAY * i for i in range((last - START).days + 1)]
    for queues in (["General"], ["Hardware"], None):
        wanted = {"General", "Hardware"} if queues is None else set(queues)
        figures = status_figures(view_store, queues, START, last)
        assert shape(figures) == expected_shape(desk, made, wanted)
        backlog = [d.tickets for d in figures.backlog]
        assert backlog == expected_backlog(desk, made, wanted, days)
    assert_rebuilt_alike(desk, view_store, StatusView())
