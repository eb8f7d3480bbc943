"""The SLA clock rules, one test per rule, on the desk's own ticket events.

The hours are open around the clock (business time is wall time), so each
test reads in plain minutes; the calendar's arithmetic has its own tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from domain.business_time import BusinessHours
from domain.desk import HelpDesk
from domain.ids import ticket_id
from domain.sla_clocks import Clock, ClockReading, ClockState, read_clocks
from domain.sla_timeline import Timeline, timeline_of

from .builders import ALICE, BOB, OpenTicket, agent_reply, article, internal_note
from .builders import Clock as DeskClock

MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Terms:
    """A policy's targets for one priority, in minutes."""

    first_response: int | None = 60
    update: int | None = 120
    solution: int | None = 480
    warn_percent: int | None = 50
    warn_before_minutes: int | None = None
    pause_categories: frozenset[str] = frozenset({"pending"})


class AroundTheClock:
    """Hours open every minute: business time is wall time."""

    def between(self, start: datetime, end: datetime) -> timedelta:
        return max(end - start, timedelta(0))

    def add(self, start: datetime, amount: timedelta) -> datetime:
        return start + amount


def timeline(desk: HelpDesk, number: str) -> Timeline:
    return timeline_of(desk.events.get(ticket_id(number)))


def clocks(
    desk: HelpDesk, number: str, terms: Terms | None = None, now: datetime | None = None
) -> dict[Clock, ClockReading]:
    readings = read_clocks(
        timeline(desk, number), terms or Terms(), AroundTheClock(), now or desk.clock()
    )
    return {reading.clock: reading for reading in readings}


@pytest.fixture
def number(open_ticket: OpenTicket) -> str:
    return open_ticket()


def test_a_new_ticket_runs_first_response_and_solution_from_its_creation(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    created = clock()
    clock.advance(20 * MINUTE)
    found = clocks(desk, number)
    assert set(found) == {Clock.FIRST_RESPONSE, Clock.SOLUTION}
    first = found[Clock.FIRST_RESPONSE]
    assert first.state is ClockState.RUNNING
    assert first.started_at == created
    assert first.due_at == created + 60 * MINUTE
    assert first.warn_at == created + 30 * MINUTE
    assert (first.used, first.left) == (20 * MINUTE, 40 * MINUTE)
    assert found[Clock.SOLUTION].due_at == created + 480 * MINUTE


def test_an_internal_note_never_counts_as_a_response(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    clock.advance(10 * MINUTE)
    desk.add_article(number, internal_note(), ALICE)
    clock.advance(60 * MINUTE)
    first = clocks(desk, number)[Clock.FIRST_RESPONSE]
    assert first.state is ClockState.BREACHED
    assert first.met_at is None
    assert first.counting


def test_a_public_agent_reply_meets_the_first_response(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    clock.advance(15 * MINUTE)
    replied = clock()
    desk.add_article(number, agent_reply(), ALICE)
    clock.advance(5 * 60 * MINUTE)
    first = clocks(desk, number)[Clock.FIRST_RESPONSE]
    assert first.state is ClockState.MET
    assert (first.met_at, first.used, first.counting) == (replied, 15 * MINUTE, False)
    assert first.breaches == 0


def test_a_late_reply_meets_the_clock_but_it_stays_breached(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    created = clock()
    clock.advance(90 * MINUTE)
    desk.add_article(number, agent_reply(), ALICE)
    first = clocks(desk, number)[Clock.FIRST_RESPONSE]
    assert first.state is ClockState.BREACHED
    assert first.breached_at == first.due_at == created + 60 * MINUTE
    assert first.met_at == clock()
    assert not first.counting


def test_a_customer_reply_starts_the_update_clock_and_an_agent_reply_meets_it(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    desk.add_article(number, agent_reply(), ALICE)
    clock.advance(30 * MINUTE)
    asked = clock()
    desk.add_article(number, article(), BOB)
    clock.advance(30 * MINUTE)
    desk.add_article(number, article(), BOB)
    clock.advance(30 * MINUTE)
    update = clocks(desk, number)[Clock.UPDATE]
    # The first unanswered message starts it; the second does not move it.
    assert (update.state, update.started_at) == (ClockState.RUNNING, asked)
    assert update.due_at == asked + 120 * MINUTE
    desk.add_article(number, agent_reply(), ALICE)
    update = clocks(desk, number)[Clock.UPDATE]
    assert (update.state, update.met_at) == (ClockState.MET, clock())


def test_the_update_clock_waits_for_the_first_response(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    clock.advance(10 * MINUTE)
    desk.add_article(number, article(), BOB)
    assert Clock.UPDATE not in clocks(desk, number)


def test_each_unanswered_message_runs_a_new_update_cycle_and_breaches_are_counted(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    desk.add_article(number, agent_reply(), ALICE)
    for _ in range(2):
        desk.add_article(number, article(), BOB)
        clock.advance(200 * MINUTE)
        desk.add_article(number, agent_reply(), ALICE)
    update = clocks(desk, number)[Clock.UPDATE]
    assert update.state is ClockState.BREACHED
    assert update.breaches == 2


def test_pending_pauses_the_clocks_and_leaving_it_resumes_them(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    created = clock()
    clock.advance(100 * MINUTE)
    desk.change_status(number, "postponed", clock() + 600 * MINUTE, "vendor", ALICE)
    clock.advance(500 * MINUTE)
    solution = clocks(desk, number)[Clock.SOLUTION]
    assert solution.state is ClockState.PAUSED
    assert (solution.used, solution.due_at) == (100 * MINUTE, None)
    desk.change_status(number, "open", None, "back", ALICE)
    solution = clocks(desk, number)[Clock.SOLUTION]
    assert solution.state is ClockState.RUNNING
    assert solution.due_at == created + (480 + 500) * MINUTE


def test_a_policy_may_pause_other_categories_or_none(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    desk.change_status(number, "postponed", clock() + 600 * MINUTE, "vendor", ALICE)
    clock.advance(500 * MINUTE)
    never = Terms(pause_categories=frozenset())
    assert clocks(desk, number, never)[Clock.SOLUTION].state is ClockState.BREACHED


def test_resolving_meets_the_solution_and_stops_the_others(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    clock.advance(30 * MINUTE)
    desk.change_status(number, "resolved", None, "done", ALICE)
    found = clocks(desk, number)
    assert found[Clock.SOLUTION].state is ClockState.MET
    assert found[Clock.FIRST_RESPONSE].state is ClockState.STOPPED
    assert not any(reading.counting for reading in found.values())


def test_reopening_resumes_the_solution_clock_and_never_resets_it(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    clock.advance(300 * MINUTE)
    desk.change_status(number, "resolved", None, "done", ALICE)
    clock.advance(24 * 60 * MINUTE)
    reopened = clock()
    desk.reopen(number, ALICE)
    clock.advance(100 * MINUTE)
    solution = clocks(desk, number)[Clock.SOLUTION]
    assert solution.state is ClockState.RUNNING
    assert solution.used == 400 * MINUTE
    assert solution.due_at == reopened + 180 * MINUTE


def test_a_customer_follow_up_that_reopens_starts_the_update_clock(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    desk.add_article(number, agent_reply(), ALICE)
    desk.change_status(number, "resolved", None, "done", ALICE)
    clock.advance(60 * MINUTE)
    desk.add_article(number, article(), BOB)
    update = clocks(desk, number)[Clock.UPDATE]
    assert (update.state, update.started_at) == (ClockState.RUNNING, clock())


def test_closing_stops_every_clock(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    clock.advance(30 * MINUTE)
    desk.change_status(number, "closed", None, "done", ALICE)
    clock.advance(1000 * MINUTE)
    found = clocks(desk, number)
    assert not any(reading.counting for reading in found.values())
    assert found[Clock.SOLUTION].used == 30 * MINUTE


def test_a_merge_stops_every_clock_unmet(
    desk: HelpDesk, open_ticket: OpenTicket, clock: DeskClock
) -> None:
    source, target = open_ticket(), open_ticket()
    clock.advance(30 * MINUTE)
    desk.merge(source, target, ALICE)
    found = clocks(desk, source)
    assert {r.state for r in found.values()} == {ClockState.STOPPED}
    assert found[Clock.SOLUTION].stopped_at == clock()


def test_a_priority_change_recomputes_from_the_start_of_the_ticket(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    created = clock()
    clock.advance(40 * MINUTE)
    desk.change_priority(number, "high", ALICE)
    line = timeline(desk, number)
    assert line.priority == "high"
    # The caller picks the terms by the priority now; they apply from creation.
    urgent = Terms(first_response=30)
    first = {r.clock: r for r in read_clocks(line, urgent, AroundTheClock(), clock())}[
        Clock.FIRST_RESPONSE
    ]
    assert first.state is ClockState.BREACHED
    assert first.breached_at == created + 30 * MINUTE


def test_a_clock_without_a_target_does_not_run(desk: HelpDesk, number: str) -> None:
    found = clocks(desk, number, Terms(first_response=None))
    assert set(found) == {Clock.SOLUTION}


def test_warning_minutes_before_due(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    created = clock()
    terms = Terms(warn_percent=None, warn_before_minutes=15)
    first = clocks(desk, number, terms)[Clock.FIRST_RESPONSE]
    assert first.warn_at == created + 45 * MINUTE
    clock.advance(50 * MINUTE)
    assert clocks(desk, number, terms)[Clock.FIRST_RESPONSE].warned_at == (
        created + 45 * MINUTE
    )


def test_the_clocks_as_they_stood_at_a_past_moment(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    created = clock()
    clock.advance(90 * MINUTE)
    desk.add_article(number, agent_reply(), ALICE)
    then = created + 45 * MINUTE
    first = clocks(desk, number, now=then)[Clock.FIRST_RESPONSE]
    assert (first.state, first.used) == (ClockState.RUNNING, 45 * MINUTE)
    assert first.warned_at == created + 30 * MINUTE


def test_the_timeline_survives_its_stored_form(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    clock.advance(5 * MINUTE)
    desk.add_article(number, agent_reply(), ALICE)
    desk.change_status(number, "postponed", clock() + 60 * MINUTE, "wait", ALICE)
    line = timeline(desk, number)
    assert Timeline.from_data(line.to_data()) == line


def test_clocks_count_only_business_hours(
    desk: HelpDesk, number: str, clock: DeskClock
) -> None:
    # Opened Monday 2024-01-01 10:00 in Berlin; open 09-17 on weekdays. The
    # solution target of 480 minutes is one working day: due Tuesday 10:00.
    office = BusinessHours("Europe/Berlin", (((9 * 60, 17 * 60),),) * 5 + ((), ()))
    line = timeline(desk, number)
    clock.advance(timedelta(days=1, hours=1))
    found = {r.clock: r for r in read_clocks(line, Terms(), office, clock())}
    solution = found[Clock.SOLUTION]
    assert (
        solution.breached_at == solution.due_at == datetime(2024, 1, 2, 9, tzinfo=UTC)
    )
    # Read on Tuesday at 11:00 Berlin: seven hours on Monday, two on Tuesday.
    assert solution.used == timedelta(hours=9)
    # The first response (60 minutes) was due at 11:00 Berlin, 10:00 UTC.
    assert found[Clock.FIRST_RESPONSE].due_at == datetime(2024, 1, 1, 10, tzinfo=UTC)
