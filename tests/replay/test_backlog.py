"""The backlog as of a moment, replayed from the log, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given

from domain.desk import HelpDesk
from domain.errors import InvalidValue, NotFound
from domain.ticket import Ticket
from projections.engine.counters import UNFINISHED
from replay.backlog import Backlog, backlog_as_of
from replay.history import ticket_as_of
from replay.summaries_csv import ticket_ids
from tests.examples import examples_with_fixtures
from tests.projections.counting import ALICE, STEPS, open_ticket, play, staff
from tests.stores import DeskFactory, StoreEnvs
from tests.unit.builders import Clock

HOUR = timedelta(hours=1)
START = Clock.START


@pytest.fixture
def desk(
    durable_store_env: dict[str, str], clock: Clock, desk_factory: DeskFactory
) -> HelpDesk:
    """A desk with queues General and Hardware, stamping events with the clock."""
    return staff(desk_factory(durable_store_env, clock=clock))


def figures(backlog: Backlog) -> tuple[int, dict[str, int], dict[str, int]]:
    """The backlog's total, its queues and its priorities, zeros left out."""
    return (
        backlog.open_tickets,
        {k: v for k, v in backlog.by_queue.items() if v},
        {k: v for k, v in backlog.by_priority.items() if v},
    )


def categories(backlog: Backlog) -> dict[str, int]:
    """Every ticket by status category, zeros left out."""
    return {k: v for k, v in backlog.by_status_category.items() if v}


def test_before_any_event_everything_is_zero(desk: HelpDesk) -> None:
    open_ticket(desk)
    backlog = backlog_as_of(desk, START - HOUR)
    assert (backlog.open_tickets, backlog.tickets, backlog.by_status) == (0, 0, {})
    assert backlog.by_status_category == dict.fromkeys(
        ["new", "open", "pending", "resolved", "closed", "merged"], 0
    )
    assert backlog.by_priority == dict.fromkeys(desk.priorities().values, 0)
    assert backlog.by_queue == {}
    # The whole log is read, whatever the moment.
    assert backlog.position == desk.recorder.max_notification_id()
    assert backlog.events_read == 2


def test_counts_follow_each_change_at_its_time(desk: HelpDesk, clock: Clock) -> None:
    first, second = open_ticket(desk), open_ticket(desk)  # t0
    clock.advance(HOUR)
    desk.change_priority(first, "high", ALICE)
    desk.move(second, "Hardware", ALICE)  # t1
    clock.advance(HOUR)
    desk.change_status(first, "resolved", None, "", ALICE)  # t2
    clock.advance(HOUR)
    desk.change_status(second, "closed", None, "", ALICE)  # t3
    clock.advance(HOUR)
    desk.reopen(first, ALICE)
    third = open_ticket(desk, "Hardware", "critical")  # t4
    clock.advance(HOUR)
    desk.merge(third, first, ALICE)  # t5

    def at(hours: float) -> Backlog:
        return backlog_as_of(desk, START + hours * HOUR)

    assert figures(at(-0.5)) == (0, {}, {})
    for hours in (0, 0.5):
        assert figures(at(hours)) == (2, {"General": 2}, {"normal": 2})
    assert figures(at(1)) == (
        2,
        {"General": 1, "Hardware": 1},
        {"normal": 1, "high": 1},
    )
    assert figures(at(2.5)) == (1, {"Hardware": 1}, {"normal": 1})
    assert categories(at(2.5)) == {"new": 1, "resolved": 1}
    assert figures(at(3)) == (0, {}, {})
    assert categories(at(3)) == {"resolved": 1, "closed": 1}
    assert at(3).by_status == {"closed": 1, "resolved": 1}
    assert figures(at(4)) == (
        2,
        {"General": 1, "Hardware": 1},
        {"high": 1, "critical": 1},
    )
    assert categories(at(4)) == {"new": 1, "open": 1, "closed": 1}
    for hours in (5, 500):
        assert figures(at(hours)) == (1, {"General": 1}, {"high": 1})
        assert categories(at(hours)) == {"open": 1, "closed": 1, "merged": 1}
    hardware = backlog_as_of(desk, START + 4 * HOUR, {"Hardware"})
    assert figures(hardware) == (1, {"Hardware": 1}, {"critical": 1})
    assert categories(hardware) == {"new": 1, "closed": 1}
    nowhere = backlog_as_of(desk, START + 4 * HOUR, {"Billing"})
    assert (nowhere.tickets, nowhere.by_queue) == (0, {"Billing": 0})


def test_a_later_version_stamped_earlier_carries_the_versions_before_it(
    desk: HelpDesk, clock: Clock
) -> None:
    number = open_ticket(desk)
    clock.advance(2 * HOUR)
    desk.move(number, "Hardware", ALICE)
    # Another process, its clock an hour behind, resolves the moved ticket.
    desk.change_status(number, "resolved", None, "", replace(ALICE, at=clock() - HOUR))
    moment = START + 1.5 * HOUR
    then = ticket_as_of(desk, number, moment)
    assert (then.queue, then.status) == ("Hardware", "resolved")
    backlog = backlog_as_of(desk, moment)
    assert (backlog.by_status, backlog.open_tickets) == ({"resolved": 1}, 0)
    assert backlog_as_of(desk, moment, {"Hardware"}).tickets == 1


def test_a_moment_without_a_zone_is_refused(desk: HelpDesk) -> None:
    with pytest.raises(InvalidValue):
        backlog_as_of(desk, datetime(2024, 1, 1, 12))


Counts = tuple[Counter[str], Counter[str], Counter[str], Counter[str]]


def as_loaded(desk: HelpDesk, moment: datetime, queues: set[str] | None) -> Counts:
    """Categories, statuses, queues and priorities of each ticket as of the moment."""
    found: list[Ticket] = []
    for uid in ticket_ids(desk):
        ticket: object = desk.repository.get(uid)
        assert isinstance(ticket, Ticket)
        try:
            found.append(ticket_as_of(desk, ticket.number, moment))
        except NotFound:
            continue
    found = [t for t in found if queues is None or t.queue in queues]
    waiting = [t for t in found if t.status_category in UNFINISHED]
    return (
        Counter(t.status_category for t in found),
        Counter(t.status for t in found),
        Counter(t.queue for t in waiting),
        Counter(t.priority for t in waiting),
    )


def as_replayed(backlog: Backlog) -> Counts:
    """The same four counts from the backlog (a Counter leaves out the zeros)."""
    return (
        +Counter(backlog.by_status_category),
        +Counter(backlog.by_status),
        +Counter(backlog.by_queue),
        +Counter(backlog.by_priority),
    )


@examples_with_fixtures(15)
@given(steps=STEPS)
def test_the_backlog_equals_each_ticket_loaded_as_of_the_moment(
    durable_stores: StoreEnvs, steps: list[tuple[str, int]]
) -> None:
    clock = Clock()
    desk = HelpDesk(env=durable_stores.new(), clock=clock)
    try:
        desk.initialize()
        staff(desk)
        play(desk, clock, steps, lambda: None)
        stamps = {START - HOUR, clock() + HOUR}
        for uid in ticket_ids(desk):
            stamps |= {
                e.timestamp for e in desk.events.get(uid) if isinstance(e, Ticket.Event)
            }
        for moment in sorted(stamps):
            for queues in (None, {"Hardware"}):
                backlog = backlog_as_of(desk, moment, queues)
                assert as_replayed(backlog) == as_loaded(desk, moment, queues)
                assert backlog.open_tickets == sum(backlog.by_queue.values())
    finally:
        desk.close()
