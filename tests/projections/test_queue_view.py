"""The queue view's counters and work list, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import given

from domain.desk import HelpDesk
from projections.engine.runner import ViewRunner
from projections.engine.scope import Scope
from projections.engine.store import ViewStore
from projections.queues.counts import count_queues, work_list
from projections.queues.view import QueueView
from projections.tickets.summary import TicketSummary
from tests.examples import examples_with_fixtures
from tests.projections.counting import (
    ALICE,
    QUEUES,
    STEPS,
    expected_queue_counts,
    open_ticket,
    played,
    staff,
)
from tests.projections.view_stores import assert_rebuilt_alike
from tests.stores import DeskFactory
from tests.unit.builders import Clock

PRIORITIES = ["low", "normal", "high", "critical"]


@pytest.fixture
def desk(
    durable_store_env: dict[str, str], clock: Clock, desk_factory: DeskFactory
) -> HelpDesk:
    """A staffed desk on the views' kind of store, stamping events with the clock."""
    return staff(desk_factory(durable_store_env, clock=clock))


@pytest.fixture
def runner(desk: HelpDesk, view_store: ViewStore) -> ViewRunner:
    """The queue view and the summary its work list reads."""
    return ViewRunner(desk, view_store, [TicketSummary(), QueueView()], batch_size=3)


def counted(store: ViewStore) -> dict[str, tuple[Counter[str], Counter[str]]]:
    """What the view says per queue, zeros left out, in the oracle's shape."""
    figures = count_queues(store, QUEUES, PRIORITIES)
    return {
        name: (+Counter(c.by_status_category), +Counter(c.by_priority))
        for name, c in figures.queues.items()
        if c.total
    }


def test_counts_follow_every_kind_of_change(desk: HelpDesk, runner: ViewRunner) -> None:
    first, second = open_ticket(desk), open_ticket(desk, "Hardware", "high")
    steps: list[Callable[[], object]] = [
        lambda: desk.change_priority(first, "critical", ALICE),
        lambda: desk.change_status(first, "waiting_for_customer", None, "", ALICE),
        lambda: desk.move(first, "Hardware", ALICE),
        lambda: desk.change_status(first, "resolved", None, "done", ALICE),
        lambda: desk.reopen(first, ALICE),
        lambda: desk.merge(first, second, ALICE),
        lambda: desk.change_status(second, "closed", None, "", ALICE),
    ]
    for step in steps:
        step()
        runner.catch_up()
        assert counted(runner.store) == expected_queue_counts(desk, [first, second])
    hardware = count_queues(runner.store, ["Hardware"], PRIORITIES).queues["Hardware"]
    assert hardware.by_status_category["merged"] == 1
    assert hardware.by_status_category["closed"] == 1
    assert hardware.by_priority == dict.fromkeys(PRIORITIES, 0)


def test_every_queue_asked_for_is_answered_with_zeros(runner: ViewRunner) -> None:
    runner.catch_up()
    figures = count_queues(runner.store, ["Nowhere"], PRIORITIES)
    nowhere = figures.queues["Nowhere"]
    assert nowhere.total == 0
    assert set(nowhere.by_status_category) == {
        "new",
        "open",
        "pending",
        "resolved",
        "closed",
        "merged",
    }
    assert list(nowhere.by_priority) == PRIORITIES
    assert count_queues(runner.store, []).queues == {}


def test_the_work_list_is_highest_priority_then_oldest(
    desk: HelpDesk, clock: Clock, runner: ViewRunner
) -> None:
    made = {}
    for name, priority in [
        ("old low", "low"),
        ("old high", "high"),
        ("done", "critical"),
        ("new high", "high"),
        ("critical", "critical"),
        ("elsewhere", "critical"),
    ]:
        queue = "Hardware" if name == "elsewhere" else "General"
        made[name] = open_ticket(desk, queue, priority)
        clock.advance(timedelta(minutes=5))
    desk.change_status(made["done"], "resolved", None, "", ALICE)
    runner.catch_up()
    order, cursor = [], None
    while True:
        page = work_list(runner.store, Scope(), "General", limit=2, cursor=cursor)
        assert page.total == 4
        order += [ticket.number for ticket in page.tickets]
        cursor = page.next_cursor
        if cursor is None:
            break
    names = {number: name for name, number in made.items()}
    assert [names[n] for n in order] == ["critical", "old high", "new high", "old low"]


@examples_with_fixtures(20)
@given(steps=STEPS)
def test_incremental_equals_rebuilt(
    view_store: ViewStore, steps: list[tuple[str, int]]
) -> None:
    desk, _, made = played(view_store, QueueView(), steps)
    assert counted(view_store) == expected_queue_counts(desk, made)
    assert_rebuilt_alike(desk, view_store, QueueView())
