"""The escalation view: the clocks it keeps are the ones the ticket's events give,
live or rebuilt, on SQLite and PostgreSQL; its reads sort, filter and count them."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given

from domain.commands import RecordSlaMarks
from domain.configuration_commands import DefineCalendar, ReconfigureSlaPolicy
from domain.desk import HelpDesk
from domain.desk.sla import sla_report
from domain.errors import InvalidValue
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewStore
from projections.engine.values import from_micros, micros
from projections.escalations.query import (
    EscalationFilter,
    Urgency,
    expired_pending,
    find_clocks,
    gauges,
    reminders,
    rung_alarms,
    tallies,
)
from projections.escalations.view import EscalationView
from tests.examples import examples_with_fixtures
from tests.projections.view_stores import assert_rebuilt_alike, view_rows, wipe
from tests.projections.work_desk import (
    ADMIN,
    ALICE,
    SLA,
    STEPS,
    open_ticket,
    play,
    staffed_desk,
    write,
)
from tests.unit.builders import Clock

MINUTE = timedelta(minutes=1)


@pytest.fixture
def runner(view_store: ViewStore) -> ViewRunner:
    wipe(view_store, EscalationView())
    desk, _ = staffed_desk()
    return ViewRunner(desk, view_store, [EscalationView()], batch_size=3)


def clock_rows(store: ViewStore) -> dict[tuple[str, str], tuple[object, ...]]:
    rows = view_rows(store, EscalationView())["escalation_clocks"]
    return {(r[2], r[1]): r for r in rows}


def assert_the_truth(desk: HelpDesk, store: ViewStore, numbers: list[str]) -> None:
    """Each ticket's counting clocks, read from its events, are the view's rows."""
    stored = clock_rows(store)
    for number in numbers:
        report = sla_report(desk, number, desk.clock())
        counting = {
            r.clock.value: r
            for r in report.clocks
            if r.counting and report.timeline.category in ("new", "open", "pending")
        }
        mine = {clock: row for (n, clock), row in stored.items() if n == number}
        assert set(mine) == set(counting), number
        for name, reading in counting.items():
            due_us, warn_us = mine[name][9], mine[name][10]
            assert _moment(due_us) == reading.due_at
            assert _moment(warn_us) == reading.warn_at


def _moment(stored: object) -> datetime | None:
    return None if stored is None else from_micros(int(str(stored)))


@examples_with_fixtures(30)
@given(steps=STEPS)
def test_incremental_equals_a_rebuild_and_the_tickets_own_clocks(
    view_store: ViewStore, steps: list[tuple[str, int, int]]
) -> None:
    wipe(view_store, EscalationView())
    desk, clock = staffed_desk()
    runner = ViewRunner(desk, view_store, [EscalationView()], batch_size=3)
    made = play(desk, clock, runner, steps)
    assert_the_truth(desk, view_store, made)
    for moment in (clock() - 40 * MINUTE, clock(), clock() + 20 * MINUTE):
        assert_counted_as_the_rows_read(view_store, moment)
    assert_rebuilt_alike(desk, view_store, EscalationView())


def assert_counted_as_the_rows_read(store: ViewStore, now: datetime) -> None:
    """The tallies, the gauges and each filter's total (the view's tally,
    corrected) are the urgencies each clock row has at the moment."""
    rows = view_rows(store, EscalationView())["escalation_clocks"]
    moment = micros(now)
    urgencies = Counter[tuple[str, Urgency]]()
    for row in rows:
        due, warn = row[9], row[10]
        if due is None:
            urgency = Urgency.PAUSED
        elif due <= moment:
            urgency = Urgency.BREACHED
        elif warn is not None and warn <= moment:
            urgency = Urgency.WARNED
        else:
            urgency = Urgency.RUNNING
        urgencies[(row[4], urgency)] += 1
    found = gauges(store, now)
    assert (found.breached, found.warned) == (
        sum(n for (_, u), n in urgencies.items() if u is Urgency.BREACHED),
        sum(n for (_, u), n in urgencies.items() if u is Urgency.WARNED),
    )
    for tally in tallies(store, "owner", now):
        mine = {u: n for (owner, u), n in urgencies.items() if owner == tally.key}
        assert tally.breached == mine.get(Urgency.BREACHED, 0), tally
        assert tally.warned == mine.get(Urgency.WARNED, 0), tally
        assert tally.counting == sum(mine.values()), tally
    assert sum(t.counting for t in tallies(store, "queue", now)) == len(rows)
    for urgency in Urgency:
        page = find_clocks(store, EscalationFilter(urgency=urgency), now, limit=500)
        assert page.total == len(page.clocks), urgency


def test_breached_first_then_the_nearest_due_and_paused_last(
    runner: ViewRunner,
) -> None:
    desk = runner.desk
    clock: Clock = desk.clock  # type: ignore[assignment]
    first = open_ticket(desk)
    clock.advance(40 * MINUTE)
    second = open_ticket(desk)
    third = open_ticket(desk)
    desk.change_status(third, "postponed", clock() + 600 * MINUTE, "later", ALICE)
    runner.catch_up()
    page = find_clocks(runner.store, EscalationFilter(), clock())
    order = [(c.number, c.clock, c.urgency) for c in page.clocks]
    assert order[0] == (first, "first_response", Urgency.BREACHED)
    assert order[1] == (second, "first_response", Urgency.RUNNING)
    assert [o[2] for o in order[-2:]] == [Urgency.PAUSED, Urgency.PAUSED]
    assert {o[0] for o in order[-2:]} == {third}
    breached = find_clocks(
        runner.store, EscalationFilter(urgency=Urgency.BREACHED), clock()
    )
    assert [(c.number, c.clock) for c in breached.clocks] == [(first, "first_response")]
    assert breached.clocks[0].due_in_seconds == -10 * 60


def test_pages_follow_the_order_without_gaps(runner: ViewRunner) -> None:
    desk = runner.desk
    clock: Clock = desk.clock  # type: ignore[assignment]
    for _ in range(5):
        open_ticket(desk)
        clock.advance(MINUTE)
    runner.catch_up()
    whole = find_clocks(runner.store, EscalationFilter(), clock(), limit=100)
    seen, cursor = [], None
    while True:
        page = find_clocks(runner.store, EscalationFilter(), clock(), 3, cursor)
        seen += page.clocks
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == whole.clocks
    assert whole.total == len(whole.clocks) == 10


def test_filters_by_queue_owner_and_clock(runner: ViewRunner) -> None:
    desk = runner.desk
    mine, other = open_ticket(desk), open_ticket(desk)
    desk.assign(mine, "alice", None, ALICE)
    runner.catch_up()
    now = desk.clock()
    owned = find_clocks(runner.store, EscalationFilter(owner="alice"), now)
    assert {c.number for c in owned.clocks} == {mine}
    solution = find_clocks(runner.store, EscalationFilter(clock="solution"), now)
    assert {c.number for c in solution.clocks} == {mine, other}
    assert {c.clock for c in solution.clocks} == {"solution"}
    nowhere = EscalationFilter(allowed_queues=("Billing",))
    assert find_clocks(runner.store, nowhere, now).clocks == []
    assert (
        find_clocks(runner.store, EscalationFilter(allowed_queues=()), now).total == 0
    )


def test_a_ticket_without_a_policy_has_no_clocks(runner: ViewRunner) -> None:
    desk = runner.desk
    open_ticket(desk, queue="Billing")
    runner.catch_up()
    assert clock_rows(runner.store) == {}


def test_answered_and_finished_clocks_leave_the_view(runner: ViewRunner) -> None:
    desk = runner.desk
    number = open_ticket(desk)
    write(desk, number, ALICE)
    runner.catch_up()
    assert {c for (_, c) in clock_rows(runner.store)} == {"solution"}
    desk.change_status(number, "resolved", None, "", ALICE)
    runner.catch_up()
    assert clock_rows(runner.store) == {}
    desk.reopen(number, ALICE)
    runner.catch_up()
    assert {c for (_, c) in clock_rows(runner.store)} == {"solution"}


def test_tallies_and_gauges_count_breached_and_warned_now(runner: ViewRunner) -> None:
    desk = runner.desk
    clock: Clock = desk.clock  # type: ignore[assignment]
    late = open_ticket(desk)
    desk.assign(late, "alice", None, ALICE)
    clock.advance(25 * MINUTE)
    open_ticket(desk)
    runner.catch_up()
    clock.advance(10 * MINUTE)
    by_queue = tallies(runner.store, "queue", clock())
    assert [(t.key, t.breached, t.warned, t.counting) for t in by_queue] == [
        ("General", 1, 0, 4)
    ]
    by_owner = {t.key: t for t in tallies(runner.store, "owner", clock())}
    assert by_owner["alice"].breached == 1
    assert by_owner[""].breached == 0
    clock.advance(15 * MINUTE)
    # The second ticket's first response (30 min, warned at 80 %) is warned now.
    found = gauges(runner.store, clock())
    assert (found.breached, found.warned) == (1, 1)
    assert found.oldest_overdue_seconds == 20 * 60


def test_alarms_ring_for_warnings_then_breaches_until_recorded(
    runner: ViewRunner,
) -> None:
    desk = runner.desk
    clock: Clock = desk.clock  # type: ignore[assignment]
    number = open_ticket(desk)
    runner.catch_up()
    created = clock()
    assert rung_alarms(runner.store, created + 23 * MINUTE) == []
    clock.advance(25 * MINUTE)
    [alarm] = rung_alarms(runner.store, clock())
    assert (alarm.number, alarm.clock, alarm.at) == (
        number,
        "first_response",
        created + 24 * MINUTE,
    )
    desk.handle(RecordSlaMarks(number), SLA)
    runner.catch_up()
    assert rung_alarms(runner.store, clock()) == []
    clock.advance(10 * MINUTE)
    assert [a.at for a in rung_alarms(runner.store, clock())] == [created + 30 * MINUTE]
    desk.handle(RecordSlaMarks(number), SLA)
    runner.catch_up()
    assert rung_alarms(runner.store, clock() + 1000 * MINUTE) == [
        a
        for a in rung_alarms(runner.store, clock() + 1000 * MINUTE)
        if a.clock == "solution"
    ]


def test_reminders_and_expired_pending_by_the_pending_time(runner: ViewRunner) -> None:
    desk = runner.desk
    clock: Clock = desk.clock  # type: ignore[assignment]
    number = open_ticket(desk)
    desk.assign(number, "alice", None, ALICE)
    until = clock() + 90 * MINUTE
    desk.change_status(number, "postponed", until, "call back", ALICE)
    runner.catch_up()
    day = datetime(2024, 1, 1, tzinfo=UTC)
    [reminder] = reminders(runner.store, day, day + timedelta(days=1)).reminders
    assert (reminder.number, reminder.owner, reminder.pending_until) == (
        number,
        "alice",
        until,
    )
    page = reminders(runner.store, day, day + timedelta(days=1), "carol")
    assert (page.reminders, page.next_cursor) == ([], None)
    assert expired_pending(runner.store, until - MINUTE) == []
    assert [r.number for r in expired_pending(runner.store, until)] == [number]


def test_a_calendar_never_open_leaves_no_clocks_and_stops_nothing(
    runner: ViewRunner,
) -> None:
    desk = runner.desk
    mondays = [date(2024, 1, 1) + timedelta(weeks=w) for w in range(21 * 53)]
    only_mondays = (("09:00-17:00",), (), (), (), (), (), ())
    desk.handle(DefineCalendar("never", "UTC", only_mondays, tuple(mondays)), ADMIN)
    desk.handle(ReconfigureSlaPolicy("standard", calendar="never"), ADMIN)
    number = open_ticket(desk)
    runner.catch_up()
    assert clock_rows(runner.store) == {}
    assert runner.position(EscalationView.name) == desk.recorder.max_notification_id()
    with pytest.raises(InvalidValue):
        sla_report(desk, number, desk.clock())


def test_each_urgency_filter_and_count_agrees_with_the_rows_read(
    runner: ViewRunner,
) -> None:
    """Breached, warned, running and paused as the filters, the tallies and the
    gauges count them are what each row reads as (a clock warned, then paused,
    is paused; "running" is every clock not due yet, warned ones included)."""
    desk = runner.desk
    clock: Clock = desk.clock  # type: ignore[assignment]
    breached = open_ticket(desk)
    clock.advance(10 * MINUTE)
    warned_then_paused = open_ticket(desk)
    clock.advance(15 * MINUTE)
    desk.change_status(
        warned_then_paused, "postponed", clock() + 600 * MINUTE, "later", ALICE
    )
    warned = open_ticket(desk)
    clock.advance(24 * MINUTE)
    open_ticket(desk)
    runner.catch_up()
    now = clock()
    whole = find_clocks(runner.store, EscalationFilter(), now, limit=100).clocks
    not_due = {Urgency.RUNNING, Urgency.WARNED}
    for urgency in Urgency:
        wanted = EscalationFilter(urgency=urgency)
        page = find_clocks(runner.store, wanted, now, limit=100)
        kinds = not_due if urgency is Urgency.RUNNING else {urgency}
        assert page.clocks == [c for c in whole if c.urgency in kinds], urgency
        assert page.total == len(page.clocks)
    seen = {(c.number, c.urgency) for c in whole}
    assert {(breached, Urgency.BREACHED), (warned, Urgency.WARNED)} <= seen
    assert (warned_then_paused, Urgency.PAUSED) in seen
    [tally] = tallies(runner.store, "queue", now)
    found = gauges(runner.store, now)
    for breaches, warnings in (
        (tally.breached, tally.warned),
        (found.breached, found.warned),
    ):
        assert breaches == sum(c.urgency is Urgency.BREACHED for c in whole)
        assert warnings == sum(c.urgency is Urgency.WARNED for c in whole)
    assert tally.counting == len(whole)


def test_counts_hold_a_recorded_phase_only_from_its_moment(
    runner: ViewRunner,
) -> None:
    """A warning recorded before the policy moved the warning later is not a
    warning until then; a breach recorded is not one before its due time."""
    desk = runner.desk
    clock: Clock = desk.clock  # type: ignore[assignment]
    created = clock()
    number = open_ticket(desk)
    clock.advance(25 * MINUTE)
    desk.handle(RecordSlaMarks(number), SLA)
    desk.handle(ReconfigureSlaPolicy("standard", warn_percent=95), ADMIN)
    runner.catch_up()
    now = clock()
    assert rung_alarms(runner.store, now) == []
    assert (gauges(runner.store, now).warned, gauges(runner.store, now).breached) == (
        0,
        0,
    )
    warned_at = created + 30 * MINUTE * 95 // 100
    assert gauges(runner.store, warned_at).warned == 1
    clock.advance(6 * MINUTE)
    desk.handle(RecordSlaMarks(number), SLA)
    runner.catch_up()
    assert gauges(runner.store, clock()).breached == 1
    before = created + 29 * MINUTE
    assert gauges(runner.store, before).breached == 0
    assert (
        find_clocks(
            runner.store, EscalationFilter(urgency=Urgency.BREACHED), before
        ).total
        == 0
    )
    [tally] = tallies(runner.store, "queue", before)
    assert (tally.breached, tally.warned) == (0, 1)
    assert_counted_as_the_rows_read(runner.store, before)


def test_reminders_page_by_pending_time_and_number(runner: ViewRunner) -> None:
    desk = runner.desk
    clock: Clock = desk.clock  # type: ignore[assignment]
    until = clock() + 90 * MINUTE
    numbers = []
    for _ in range(5):
        number = open_ticket(desk)
        desk.change_status(number, "postponed", until, "call back", ALICE)
        numbers.append(number)
    runner.catch_up()
    day = datetime(2024, 1, 1, tzinfo=UTC)
    seen, cursor = [], None
    while True:
        page = reminders(runner.store, day, day + timedelta(1), limit=2, cursor=cursor)
        seen += [r.number for r in page.reminders]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == sorted(numbers)
    with pytest.raises(InvalidValue):
        reminders(runner.store, day, day + timedelta(1), cursor="bm90IGEgY3Vyc29y")
