"""Reading the task view: tasks by assignee, state and queue, overdue first, in
keyset pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.tasks import overdue
from projections.engine.cursors import pack_key, unpack_key, within_queues
from projections.engine.store import Row, ViewStore
from projections.engine.tracking import position
from projections.engine.values import from_micros
from projections.tasks.view import NAME, ORDER

TASKS = "view_tasks"
COLUMNS = "number, queue, task_id, title, assignee, due_us, done, done_us"
_ORDER = ", ".join(ORDER)


class TaskState(StrEnum):
    """Which tasks a list shows: the open ones, the done ones, or all."""

    OPEN = "open"
    DONE = "done"
    ALL = "all"


@dataclass(frozen=True)
class TaskFilter:
    """Which tasks to show; every given condition must hold.

    `allowed_queues` is who may see what (None: every queue); `queues` and
    `assignee` are what the reader asked for.
    """

    allowed_queues: tuple[str, ...] | None = None
    queues: tuple[str, ...] = ()
    assignee: str | None = None
    state: TaskState = TaskState.OPEN


@dataclass(frozen=True)
class TaskRow:
    """A task and its ticket, and whether it is overdue at the moment of reading."""

    number: str
    queue: str
    task_id: str
    title: str
    assignee: str
    due_at: datetime
    done: bool
    done_at: datetime | None
    overdue: bool


@dataclass(frozen=True)
class TaskPage:
    """A page of tasks, how many match in all, and where the view stands."""

    tasks: list[TaskRow]
    total: int
    next_cursor: str | None
    position: int
    now: datetime


def find_tasks(
    store: ViewStore,
    wanted: TaskFilter,
    now: datetime,
    limit: int = 50,
    cursor: str | None = None,
) -> TaskPage:
    """A page of the tasks the filter allows: open before done, nearest due first."""
    where, params = _conditions(wanted)
    page_where, page_params = list(where), list(params)
    if cursor is not None:
        page_where.append(f"({_ORDER}) > (?, ?, ?, ?)")
        page_params.extend(decode_cursor(cursor))
    with store.transaction() as rows:
        total = rows.count(f"SELECT COUNT(*) FROM {TASKS}{_where(where)}", params)
        rows.execute(
            f"SELECT {COLUMNS} FROM {TASKS}{_where(page_where)} "
            f"ORDER BY {_ORDER} LIMIT ?",
            [*page_params, limit + 1],
        )
        found = rows.fetchall()
        at = position(rows, NAME)
    page = [_task(row, now) for row in found[:limit]]
    last = found[limit - 1] if len(found) > limit else None
    next_cursor = encode_cursor(last) if last else None
    return TaskPage(page, total, next_cursor, at, now)


def encode_cursor(row: Row) -> str:
    """An opaque, URL-safe token for the page after this task's row."""
    return pack_key("tasks", [getattr(row, column) for column in ORDER])


def decode_cursor(cursor: str) -> list[Any]:
    """The key inside a cursor of this view; InvalidValue otherwise."""
    return unpack_key(cursor, "tasks", [int, int, str, str])


def _conditions(wanted: TaskFilter) -> tuple[list[str], list[Any]]:
    where, params = within_queues(wanted.allowed_queues, wanted.queues)
    if wanted.assignee is not None:
        where.append("assignee = ?")
        params.append(wanted.assignee)
    if wanted.state is not TaskState.ALL:
        where.append("done = ?")
        params.append(int(wanted.state is TaskState.DONE))
    return where, params


def _where(conditions: list[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def _task(row: Row, now: datetime) -> TaskRow:
    done, due_at = bool(row.done), from_micros(row.due_us)
    return TaskRow(
        number=row.number,
        queue=row.queue,
        task_id=row.task_id,
        title=row.title,
        assignee=row.assignee,
        due_at=due_at,
        done=done,
        done_at=None if row.done_us is None else from_micros(row.done_us),
        overdue=overdue(done, due_at, now),
    )
