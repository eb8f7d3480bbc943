"""The task view on SQLite and PostgreSQL: which tasks, in what order, overdue or
not, in whose scope; rebuilt equal to the incremental view."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given

from domain.commands import CompleteTask, ScheduleTask
from domain.desk import HelpDesk
from domain.errors import InvalidValue
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewStore
from projections.tasks.query import (
    TaskFilter,
    TaskRow,
    TaskState,
    decode_cursor,
    find_tasks,
)
from projections.tasks.view import TaskView
from tests.examples import examples_with_fixtures
from tests.projections.view_stores import assert_rebuilt_alike, wipe
from tests.projections.work_desk import ALICE, STEPS, open_ticket, play, staffed_desk
from tests.unit.builders import Clock

MINUTE = timedelta(minutes=1)
ALL = TaskFilter(state=TaskState.ALL)


@pytest.fixture
def desk_and_clock() -> tuple[HelpDesk, Clock]:
    """A staffed in-memory desk and its clock."""
    return staffed_desk()


@pytest.fixture
def runner(desk_and_clock: tuple[HelpDesk, Clock], view_store: ViewStore) -> ViewRunner:
    """The task view's runner, in small batches."""
    return ViewRunner(desk_and_clock[0], view_store, [TaskView()], batch_size=3)


def schedule(
    desk: HelpDesk, number: str, task_id: str, minutes: int, assignee: str = "alice"
) -> None:
    """A task due some minutes after the desk's now."""
    due_at = desk.clock() + minutes * MINUTE
    desk.handle(ScheduleTask(number, task_id, assignee, due_at, task_id), ALICE)


def listed(
    runner: ViewRunner, wanted: TaskFilter, now: datetime
) -> list[tuple[str, bool]]:
    """The tasks the filter shows (by title, which is the id here) and overdue."""
    page = find_tasks(runner.store, wanted, now, limit=1000)
    assert page.total == len(page.tasks)
    return [(t.title, t.overdue) for t in page.tasks]


def test_open_tasks_come_overdue_first_then_by_nearest_due(
    desk_and_clock: tuple[HelpDesk, Clock], runner: ViewRunner
) -> None:
    desk, clock = desk_and_clock
    first, second = open_ticket(desk), open_ticket(desk)
    schedule(desk, first, "later", 90)
    schedule(desk, second, "soon", 30, assignee="carol")
    schedule(desk, first, "sooner", 20)
    schedule(desk, second, "finished", 10)
    desk.handle(CompleteTask(second, "finished"), ALICE)
    runner.catch_up()
    now = clock() + 25 * MINUTE
    assert listed(runner, TaskFilter(), now) == [
        ("sooner", True),
        ("soon", False),
        ("later", False),
    ]
    assert listed(runner, TaskFilter(state=TaskState.DONE), now) == [
        ("finished", False)
    ], "a done task is never overdue"
    assert [title for title, _ in listed(runner, ALL, now)] == [
        "sooner",
        "soon",
        "later",
        "finished",
    ]
    assert listed(runner, TaskFilter(assignee="carol"), now) == [("soon", False)]


def test_a_task_row_holds_its_ticket_and_when_it_was_done(
    desk_and_clock: tuple[HelpDesk, Clock], runner: ViewRunner
) -> None:
    desk, clock = desk_and_clock
    number = open_ticket(desk)
    schedule(desk, number, "t1", 60)
    clock.advance(5 * MINUTE)
    desk.handle(CompleteTask(number, "t1"), ALICE)
    runner.catch_up()
    [row] = find_tasks(runner.store, ALL, clock()).tasks
    assert row == TaskRow(
        number=number,
        queue="General",
        task_id="t1",
        title="t1",
        assignee="alice",
        due_at=Clock.START + 60 * MINUTE,
        done=True,
        done_at=Clock.START + 5 * MINUTE,
        overdue=False,
    )


def test_a_moved_ticket_moves_its_tasks_and_a_merged_one_keeps_them(
    desk_and_clock: tuple[HelpDesk, Clock], runner: ViewRunner
) -> None:
    desk, clock = desk_and_clock
    moved, merged, target = open_ticket(desk), open_ticket(desk), open_ticket(desk)
    schedule(desk, moved, "before", 10)
    runner.catch_up()
    desk.move(moved, "Billing", ALICE)
    schedule(desk, moved, "after", 20)
    schedule(desk, merged, "kept", 30)
    desk.merge(merged, target, ALICE)
    runner.catch_up()
    billing = TaskFilter(queues=("Billing",))
    assert [title for title, _ in listed(runner, billing, clock())] == [
        "before",
        "after",
    ]
    general = TaskFilter(queues=("General",))
    assert listed(runner, general, clock()) == [("kept", False)]


def test_a_reader_sees_the_tasks_of_their_queues_only(
    desk_and_clock: tuple[HelpDesk, Clock], runner: ViewRunner
) -> None:
    desk, clock = desk_and_clock
    general, billing = open_ticket(desk), open_ticket(desk, queue="Billing")
    schedule(desk, general, "general", 10)
    schedule(desk, billing, "billing", 20)
    runner.catch_up()
    support = TaskFilter(allowed_queues=("General",))
    assert listed(runner, support, clock()) == [("general", False)]
    asked_elsewhere = TaskFilter(allowed_queues=("General",), queues=("Billing",))
    assert listed(runner, asked_elsewhere, clock()) == []
    assert listed(runner, TaskFilter(allowed_queues=()), clock()) == [], "no queue"
    assert len(listed(runner, TaskFilter(), clock())) == 2


def test_keyset_pages_walk_every_task_once(
    desk_and_clock: tuple[HelpDesk, Clock], runner: ViewRunner
) -> None:
    desk, clock = desk_and_clock
    tickets = [open_ticket(desk) for _ in range(3)]
    for i in range(7):
        # Equal due times on different tickets: the number breaks the tie.
        schedule(desk, tickets[i % 3], f"t{i}", 10 * (i // 2))
    desk.handle(CompleteTask(tickets[0], "t0"), ALICE)
    runner.catch_up()
    whole = find_tasks(runner.store, ALL, clock(), limit=1000).tasks
    pages, cursor = [], None
    while True:
        page = find_tasks(runner.store, ALL, clock(), limit=3, cursor=cursor)
        assert page.total == 7
        pages.append(page.tasks)
        if (cursor := page.next_cursor) is None:
            break
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [t for p in pages for t in p] == whole
    assert whole[-1].task_id == "t0", "done last"


@pytest.mark.parametrize(
    "cursor", ["%%%", "bm90IGpzb24", "WyJ3YWl0aW5nIiwxXQ", "WyJ0YXNrcyIsMCwxXQ"]
)
def test_a_bad_cursor_is_refused(runner: ViewRunner, cursor: str) -> None:
    with pytest.raises(InvalidValue):
        find_tasks(runner.store, TaskFilter(), Clock.START, cursor=cursor)
    with pytest.raises(InvalidValue):
        decode_cursor(cursor)


def expected_tasks(desk: HelpDesk, numbers: list[str]) -> list[TaskRow]:
    """Every task as the tickets themselves hold it, in the view's order."""
    now = Clock.START
    rows = [
        TaskRow(
            number=ticket.number,
            queue=ticket.queue,
            overdue=task.overdue(now),
            **vars(task),
        )
        for ticket in (desk.ticket(n) for n in numbers)
        for task in ticket.tasks
    ]
    return sorted(rows, key=lambda r: (r.done, r.due_at, r.number, r.task_id))


@examples_with_fixtures(25)
@given(steps=STEPS)
def test_incremental_equals_the_tickets_and_a_rebuild(
    view_store: ViewStore, steps: list[tuple[str, int, int]]
) -> None:
    wipe(view_store, TaskView())
    desk, clock = staffed_desk()
    runner = ViewRunner(desk, view_store, [TaskView()], batch_size=3)
    made = play(desk, clock, runner, steps)
    found = find_tasks(view_store, ALL, Clock.START, limit=1000).tasks
    assert found == expected_tasks(desk, made)
    assert_rebuilt_alike(desk, view_store, TaskView())
