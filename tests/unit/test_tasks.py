"""Scheduled tasks on a ticket: the rules on scheduling, done and reopen."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain.audit import Origin
from domain.commands import CompleteTask, ReopenTask, ScheduleTask
from domain.desk import HelpDesk
from domain.errors import InvalidValue, NotFound, TicketClosed, TicketMerged
from domain.idempotency import IdempotencyRecord
from domain.ids import ticket_id
from domain.tasks import Task
from domain.ticket import Ticket

from .builders import ALICE, BOB, Clock, OpenTicket, event_names, stored_events

HOUR = timedelta(hours=1)


def due(clock: Clock, hours: float = 1) -> datetime:
    """A moment some hours after the clock's now."""
    return clock() + timedelta(hours=hours)


def schedule(
    desk: HelpDesk,
    number: str,
    due_at: datetime,
    title: str = "Call the customer back",
    assignee: str = "alice",
    task_id: str | None = None,
    origin: Origin = ALICE,
) -> str:
    """Schedule a task; its id."""
    result = desk.handle(ScheduleTask(number, title, assignee, due_at, task_id), origin)
    assert result.task_id is not None
    return result.task_id


def test_a_scheduled_task_is_kept_on_the_ticket_open_and_in_utc(
    desk: HelpDesk, open_ticket: OpenTicket, clock: Clock
) -> None:
    number = open_ticket()
    in_berlin = (clock() + 2 * HOUR).astimezone(timezone(timedelta(hours=1)))
    task_id = schedule(desk, number, in_berlin, title="  Replace the fuser  ")
    assert event_names(desk, number)[-1] == "TaskScheduled"
    [task] = desk.ticket(number).tasks
    assert task == Task(task_id, "Replace the fuser", "alice", clock() + 2 * HOUR)
    assert task.due_at.tzinfo is UTC
    assert not task.overdue(clock())
    assert task.overdue(clock() + 3 * HOUR)


def test_the_desk_makes_a_fresh_id_unless_one_is_asked_for(
    desk: HelpDesk, open_ticket: OpenTicket, clock: Clock
) -> None:
    number = open_ticket()
    made = {schedule(desk, number, due(clock)) for _ in range(3)}
    assert len(made) == 3
    assert schedule(desk, number, due(clock), task_id="call-back_1") == "call-back_1"
    with pytest.raises(InvalidValue, match="exists already"):
        schedule(desk, number, due(clock), task_id="call-back_1")
    for bad in ("", "a/b", "..", "x" * 65, "tâche"):
        with pytest.raises(InvalidValue, match="task id"):
            schedule(desk, number, due(clock), task_id=bad)
    assert len(desk.ticket(number).tasks) == 4


@pytest.mark.parametrize(
    "title", ["", "   ", "x" * 201, "two\nlines", "two\rlines", "a\u2028b", "n\0l"]
)
def test_a_task_title_has_1_to_200_characters_on_one_line(
    desk: HelpDesk, open_ticket: OpenTicket, clock: Clock, title: str
) -> None:
    number = open_ticket()
    with pytest.raises(InvalidValue, match="title"):
        schedule(desk, number, due(clock), title=title)
    assert "TaskScheduled" not in event_names(desk, number)
    schedule(desk, number, due(clock), title="x" * 200)


def test_the_assignee_is_an_active_agent_of_any_group(
    desk: HelpDesk, open_ticket: OpenTicket, clock: Clock
) -> None:
    number = open_ticket()
    # carol works billing only, not the ticket's queue: a task may still be hers.
    schedule(desk, number, due(clock), assignee="carol")
    with pytest.raises(InvalidValue, match="ivan is not an active agent"):
        schedule(desk, number, due(clock), assignee="ivan")
    with pytest.raises(InvalidValue, match="unknown agent"):
        schedule(desk, number, due(clock), assignee="nobody")
    assert [t.assignee for t in desk.ticket(number).tasks] == ["carol"]


def test_a_due_time_has_a_zone_and_does_not_lie_in_the_past(
    desk: HelpDesk, open_ticket: OpenTicket, clock: Clock
) -> None:
    number = open_ticket()
    with pytest.raises(InvalidValue, match="time zone"):
        schedule(desk, number, due(clock).replace(tzinfo=None))
    with pytest.raises(InvalidValue, match="past"):
        schedule(desk, number, clock() - timedelta(seconds=1))
    schedule(desk, number, clock())
    clock.advance(HOUR)
    with pytest.raises(InvalidValue, match="past"):
        schedule(desk, number, clock() - timedelta(minutes=30))


def test_done_and_reopen_record_only_changes(
    desk: HelpDesk, open_ticket: OpenTicket, clock: Clock
) -> None:
    number = open_ticket()
    task_id = schedule(desk, number, due(clock))
    clock.advance(HOUR / 2)
    done = desk.handle(CompleteTask(number, task_id), ALICE)
    [task] = desk.ticket(number).tasks
    assert (task.done, task.done_at) == (True, clock())
    again = desk.handle(CompleteTask(number, task_id), ALICE)
    assert (again.version, again.position) == (done.version, None)
    desk.handle(ReopenTask(number, task_id), ALICE)
    [task] = desk.ticket(number).tasks
    assert (task.done, task.done_at) == (False, None)
    desk.handle(ReopenTask(number, task_id), ALICE)
    names = event_names(desk, number)
    assert names[-3:] == ["TaskScheduled", "TaskDone", "TaskReopened"]


def test_an_unknown_task_is_not_found(
    desk: HelpDesk, open_ticket: OpenTicket, clock: Clock
) -> None:
    number = open_ticket()
    schedule(desk, number, due(clock), task_id="known")
    for command in (CompleteTask(number, "other"), ReopenTask(number, "other")):
        with pytest.raises(NotFound, match="no task other"):
            desk.handle(command, ALICE)


def test_closed_and_merged_tickets_refuse_tasks(
    desk: HelpDesk, open_ticket: OpenTicket, clock: Clock
) -> None:
    closed, merged, target = open_ticket(), open_ticket(), open_ticket()
    for number in (closed, merged):
        schedule(desk, number, due(clock), task_id="t1")
    desk.change_status(closed, "closed", None, "", ALICE)
    desk.merge(merged, target, ALICE)
    for number, error in ((closed, TicketClosed), (merged, TicketMerged)):
        for command in (
            ScheduleTask(number, "More", "alice", due(clock)),
            CompleteTask(number, "t1"),
            ReopenTask(number, "t1"),
        ):
            with pytest.raises(error):
                desk.handle(command, ALICE)
    # A merged ticket keeps its tasks; a resolved one still takes new ones.
    assert [t.task_id for t in desk.ticket(merged).tasks] == ["t1"]
    desk.change_status(target, "resolved", None, "", ALICE)
    schedule(desk, target, due(clock))


def test_a_retried_schedule_answers_the_first_task_id(
    desk: HelpDesk, open_ticket: OpenTicket, clock: Clock
) -> None:
    number = open_ticket()
    keyed = Origin("agent:alice", idempotency_key="task-1")
    command = ScheduleTask(number, "Call back", "alice", due(clock))
    first = desk.handle(command, keyed)
    again = desk.handle(command, keyed)
    assert first.task_id is not None
    assert again == replace(first, replayed=True)
    assert len(desk.ticket(number).tasks) == 1


def test_tasks_replay_and_load_from_snapshots_taken_before_tasks(
    desk: HelpDesk, open_ticket: OpenTicket, clock: Clock
) -> None:
    number = open_ticket()
    task_id = schedule(desk, number, due(clock))
    desk.handle(CompleteTask(number, task_id), ALICE)
    replayed = None
    for event in stored_events(desk, number):
        replayed = event.mutate(replayed)
    assert isinstance(replayed, Ticket)
    assert replayed.tasks == desk.ticket(number).tasks
    # A snapshot of a ticket before tasks existed: no class version, no tasks.
    old = Snapshot.take(desk.ticket(number))
    state = {k: v for k, v in old.state.items() if k not in ("tasks", "class_version")}
    loaded = replace(old, state=state).mutate(None)
    assert isinstance(loaded, Ticket)
    assert loaded.tasks == []


def test_an_idempotency_record_from_before_tasks_still_reads(desk: HelpDesk) -> None:
    record = IdempotencyRecord.remember("old", "print", "2024", 3, "a1", None, BOB)
    stored = desk.mapper.to_stored_event(record.collect_events()[0])
    state = json.loads(stored.state)
    del state["task_id"]
    state["class_version"] = 2
    old = StoredEvent(
        stored.originator_id,
        stored.originator_version,
        get_topic(IdempotencyRecord.Created),
        json.dumps(state).encode(),
    )
    event = desk.mapper.to_domain_event(old)
    assert isinstance(event, IdempotencyRecord.Created)
    assert (event.article_id, event.task_id) == ("a1", None)


def test_a_snapshot_keeps_the_tasks(
    desk: HelpDesk, open_ticket: OpenTicket, clock: Clock
) -> None:
    number = open_ticket()
    task_id = schedule(desk, number, due(clock))
    desk.handle(CompleteTask(number, task_id), ALICE)
    for i in range(50):
        desk.tag(number, f"t{i}", ALICE)
    assert desk.snapshots is not None
    [snapshot] = desk.snapshots.get(ticket_id(number))
    assert isinstance(snapshot, Snapshot)
    loaded = snapshot.mutate(None)
    assert isinstance(loaded, Ticket)
    assert loaded.tasks == desk.ticket(number).tasks
    assert loaded.tasks[0].done_at == clock()
