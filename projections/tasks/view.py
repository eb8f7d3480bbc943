"""The task view: one row per scheduled task, with its ticket's number and queue.

Tasks are recorded on their ticket (domain/tasks.py); the view keeps each
ticket's number and current queue beside them, so a task scheduled later takes
the queue its ticket is in, and a moved ticket moves its tasks. A merged ticket
keeps its tasks: they are still somebody's work.
"""

from __future__ import annotations

from typing import Any

from domain.ticket import Ticket
from domain.ticket_facts import changes, settle
from projections.engine.store import ViewCursor
from projections.engine.values import micros
from projections.engine.view import Handler, RoutedView, Tables

NAME = "task_view"
#: The order every list of tasks is read in: open before done, then by due
#: time (so the overdue come first), then by ticket and task.
ORDER = ("done", "due_us", "number", "task_id")
_ORDER = ", ".join(ORDER)

TABLES = {
    "tasks": (
        "CREATE TABLE IF NOT EXISTS {tasks} ("
        "ticket_id TEXT NOT NULL, task_id TEXT NOT NULL, number TEXT NOT NULL, "
        "queue TEXT NOT NULL, title TEXT NOT NULL, assignee TEXT NOT NULL, "
        "due_us BIGINT NOT NULL, done INTEGER NOT NULL, done_us BIGINT, "
        "PRIMARY KEY (ticket_id, task_id))"
    ),
    # Each ticket's number and current queue, which the task events lack.
    "task_tickets": (
        "CREATE TABLE IF NOT EXISTS {task_tickets} ("
        "id TEXT PRIMARY KEY, number TEXT NOT NULL, queue TEXT NOT NULL)"
    ),
}
INDEXES = [
    f"CREATE INDEX IF NOT EXISTS {{tasks}}_due ON {{tasks}} ({_ORDER})",
    f"CREATE INDEX IF NOT EXISTS {{tasks}}_assignee ON {{tasks}} (assignee, {_ORDER})",
    f"CREATE INDEX IF NOT EXISTS {{tasks}}_queue ON {{tasks}} (queue, {_ORDER})",
]


class TaskView(RoutedView):
    """Keeps one row per task up to date from the ticket events."""

    name = NAME
    tables = TABLES
    indexes = INDEXES

    def __init__(self) -> None:
        handlers: dict[type[Any], Handler] = {
            Ticket.Created: _created,
            Ticket.Moved: _moved,
            Ticket.TaskScheduled: _scheduled,
            Ticket.TaskDone: lambda e, c, t: _done(e, c, t, micros(e.timestamp)),
            Ticket.TaskReopened: lambda e, c, t: _done(e, c, t, None),
        }
        super().__init__(handlers)


def _queue(event: Any) -> object:
    """The ticket's queue after the event, as the ticket facts say."""
    return settle(changes(event), {"queue": None})["queue"]


def _created(event: Ticket.Created, cursor: ViewCursor, tables: Tables) -> None:
    cursor.execute(
        f"INSERT INTO {tables['task_tickets']} (id, number, queue) VALUES (?, ?, ?)",
        (str(event.originator_id), event.number, _queue(event)),
    )


def _moved(event: Ticket.Moved, cursor: ViewCursor, tables: Tables) -> None:
    ticket, queue = str(event.originator_id), _queue(event)
    for table, column in (("task_tickets", "id"), ("tasks", "ticket_id")):
        cursor.execute(
            f"UPDATE {tables[table]} SET queue = ? WHERE {column} = ?", (queue, ticket)
        )


def _scheduled(event: Ticket.TaskScheduled, cursor: ViewCursor, tables: Tables) -> None:
    cursor.execute(
        f"INSERT INTO {tables['tasks']} (ticket_id, task_id, number, queue, title, "
        "assignee, due_us, done, done_us) "
        "SELECT id, ?, number, queue, ?, ?, ?, 0, NULL "
        f"FROM {tables['task_tickets']} WHERE id = ?",
        (
            event.task_id,
            event.title,
            event.assignee,
            micros(event.due_at),
            str(event.originator_id),
        ),
    )


def _done(
    event: Ticket.TaskDone | Ticket.TaskReopened,
    cursor: ViewCursor,
    tables: Tables,
    done_us: int | None,
) -> None:
    cursor.execute(
        f"UPDATE {tables['tasks']} SET done = ?, done_us = ? "
        "WHERE ticket_id = ? AND task_id = ?",
        (int(done_us is not None), done_us, str(event.originator_id), event.task_id),
    )
