"""The task view: scheduled tasks across tickets, overdue first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Query
from starlette.concurrency import run_in_threadpool

from api.deps import Desk, Reader
from api.policy import ticket_scope
from api.principal import Principal
from api.reading import Views, answer_position, caught_up
from api.schemas.tasks import TaskListOut, TaskQuery
from api.workers import Router
from domain.desk import HelpDesk
from projections.engine.runner import ViewRunner
from projections.tasks import view as task_view
from projections.tasks.query import TaskFilter, TaskState, find_tasks

router = Router(prefix="/api/v1/views", tags=["views"])


@router.get("/tasks", response_model=TaskListOut)
async def tasks(
    desk: Desk, views: Views, caller: Reader, query: Annotated[TaskQuery, Query()]
) -> TaskListOut:
    """Tasks by assignee, state and queue: open before done, the nearest due first,
    so the overdue lead.

    Agents see the tasks of tickets in their groups' queues; admins and auditors
    see all.
    """
    await caught_up(views, query.after, query.wait, task_view.NAME)
    return await run_in_threadpool(_tasks, desk, views, caller, query)


def _tasks(
    desk: HelpDesk, views: ViewRunner, caller: Principal, query: TaskQuery
) -> TaskListOut:
    target = answer_position(desk, query.after)
    wanted = TaskFilter(
        allowed_queues=ticket_scope(desk, caller).queues,
        queues=tuple(query.queue),
        assignee=query.assignee,
        state=TaskState(query.state),
    )
    page = find_tasks(views.store, wanted, datetime.now(UTC), query.limit, query.cursor)
    return TaskListOut.of(page, caught_up=page.position >= target)
