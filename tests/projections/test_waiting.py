"""The waiting tickets on SQLite and PostgreSQL: who waits, since when, in what
order (read from the ticket summary)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given

from domain.desk import HelpDesk
from domain.errors import InvalidValue
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewStore
from projections.tickets.summary import TicketSummary
from projections.tickets.waiting import WaitingFilter, encode_cursor, find_waiting
from tests.examples import examples_with_fixtures
from tests.projections.facts import folded
from tests.projections.view_stores import assert_rebuilt_alike, wipe
from tests.projections.work_desk import (
    ALICE,
    BOB,
    STEPS,
    open_ticket,
    play,
    staffed_desk,
    write,
)
from tests.unit.builders import Clock

MINUTE = timedelta(minutes=1)


@pytest.fixture
def desk_and_clock() -> tuple[HelpDesk, Clock]:
    """A staffed in-memory desk and its clock."""
    return staffed_desk()


@pytest.fixture
def runner(desk_and_clock: tuple[HelpDesk, Clock], view_store: ViewStore) -> ViewRunner:
    """The summary's runner, in small batches."""
    return ViewRunner(desk_and_clock[0], view_store, [TicketSummary()], batch_size=3)


def waiting(
    runner: ViewRunner, wanted: WaitingFilter | None = None
) -> dict[str, tuple[int, bool]]:
    """Per waiting ticket: minutes from the clock's start, first response pending."""
    now = Clock.START + timedelta(days=1)
    page = find_waiting(runner.store, wanted or WaitingFilter(), now, limit=1000)
    return {
        t.number: ((t.waiting_since - Clock.START) // MINUTE, t.first_response_pending)
        for t in page.tickets
    }


def test_a_ticket_waits_from_its_customer_article_until_an_agent_answers(
    desk_and_clock: tuple[HelpDesk, Clock], runner: ViewRunner
) -> None:
    desk, clock = desk_and_clock
    number = open_ticket(desk)
    clock.advance(10 * MINUTE)
    write(desk, number, BOB)
    clock.advance(10 * MINUTE)
    write(desk, number, ALICE, "internal")
    runner.catch_up()
    assert waiting(runner) == {number: (0, True)}, "a note is no answer"
    clock.advance(10 * MINUTE)
    write(desk, number, ALICE)
    runner.catch_up()
    assert waiting(runner) == {}
    clock.advance(10 * MINUTE)
    write(desk, number, BOB)
    desk.change_status(number, "waiting_for_customer", None, "", ALICE)
    runner.catch_up()
    assert waiting(runner) == {number: (40, False)}, "pending tickets wait too"


def test_finished_and_merged_tickets_wait_no_more_until_reopened(
    desk_and_clock: tuple[HelpDesk, Clock], runner: ViewRunner
) -> None:
    desk, clock = desk_and_clock
    resolved, merged, target = open_ticket(desk), open_ticket(desk), open_ticket(desk)
    clock.advance(5 * MINUTE)
    desk.change_status(resolved, "resolved", None, "", ALICE)
    desk.merge(merged, target, ALICE)
    runner.catch_up()
    assert waiting(runner) == {target: (0, True)}
    clock.advance(5 * MINUTE)
    desk.reopen(resolved, ALICE)
    runner.catch_up()
    assert waiting(runner)[resolved] == (10, True), "a reopen starts a new wait"


def test_an_agent_opening_a_ticket_with_a_message_responds_first(
    desk_and_clock: tuple[HelpDesk, Clock], runner: ViewRunner
) -> None:
    desk, clock = desk_and_clock
    number = open_ticket(desk, "agent")
    runner.catch_up()
    assert waiting(runner) == {}, "the agent spoke last"
    clock.advance(MINUTE)
    write(desk, number, BOB)
    runner.catch_up()
    assert waiting(runner) == {number: (1, False)}


def test_oldest_first_in_keyset_pages_by_queue_and_first_response(
    desk_and_clock: tuple[HelpDesk, Clock], runner: ViewRunner
) -> None:
    desk, clock = desk_and_clock
    made = []
    for minute in range(5):
        made.append(open_ticket(desk, queue=("General", "Billing")[minute % 2]))
        clock.advance(MINUTE)
    write(desk, made[2], ALICE)
    write(desk, made[2], BOB)
    runner.catch_up()
    now = clock() + timedelta(seconds=30)
    pages, cursor = [], None
    while True:
        page = find_waiting(runner.store, WaitingFilter(), now, limit=2, cursor=cursor)
        assert page.total == 5
        pages.append([(t.number, t.waited_seconds) for t in page.tickets])
        if (cursor := page.next_cursor) is None:
            break
    expected = [(n, (5 - i) * 60 + 30) for i, n in enumerate(made)]
    expected[2] = (made[2], 30)
    expected.sort(key=lambda pair: -pair[1])
    assert pages == [expected[:2], expected[2:4], expected[4:]]
    billing = WaitingFilter(queues=("Billing",))
    assert set(waiting(runner, billing)) == {made[1], made[3]}
    elsewhere = WaitingFilter(allowed_queues=("Billing",), queues=("General",))
    assert waiting(runner, elsewhere) == {}
    assert waiting(runner, WaitingFilter(allowed_queues=())) == {}, "no queue: none"
    answered = WaitingFilter(first_response_pending=False)
    assert set(waiting(runner, answered)) == {made[2]}
    assert len(waiting(runner, WaitingFilter(first_response_pending=True))) == 4


@pytest.mark.parametrize(
    "cursor", ["%%%", "bm90IGpzb24", "WyJ3YWl0aW5nIiwxXQ", encode_cursor(1, "x")[:-4]]
)
def test_a_bad_cursor_is_refused(runner: ViewRunner, cursor: str) -> None:
    with pytest.raises(InvalidValue):
        find_waiting(runner.store, WaitingFilter(), Clock.START, cursor=cursor)


def expected_waiting(desk: HelpDesk, numbers: list[str]) -> dict[str, tuple[int, bool]]:
    """The waits the tickets' own events imply, folded into their ticket facts."""
    found = {}
    for number in numbers:
        facts = folded(desk, number)
        if facts.waiting_since is not None:
            since = (facts.waiting_since - Clock.START) // MINUTE
            found[number] = (since, facts.first_response_at is None)
    return found


@examples_with_fixtures(25)
@given(steps=STEPS)
def test_incremental_equals_the_definition_and_a_rebuild(
    view_store: ViewStore, steps: list[tuple[str, int, int]]
) -> None:
    wipe(view_store, TicketSummary())
    desk, clock = staffed_desk()
    runner = ViewRunner(desk, view_store, [TicketSummary()], batch_size=3)
    made = play(desk, clock, runner, steps)
    assert waiting(runner) == expected_waiting(desk, made)
    assert_rebuilt_alike(desk, view_store, TicketSummary())
