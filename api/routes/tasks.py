"""A ticket's scheduled tasks (Splynx): schedule, mark done or open again, list.

Tasks are the staff's internal work: customers are refused every route here,
as they are the other staff-only commands.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path, Response

from api.deps import Desk, Reader
from api.policy import visible_ticket
from api.routes.commands import Number, StaffRun
from api.schemas.tasks import TaskIn, TaskNowOut, TicketTasksOut
from api.schemas.tickets import CommandOut
from api.workers import Router
from domain import commands as c

router = Router(prefix="/api/v1/tickets/{number}/tasks", tags=["ticket tasks"])

TaskId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("", response_model=CommandOut, status_code=201)
def schedule_task(number: Number, body: TaskIn, run: StaffRun) -> CommandOut:
    """Schedule a task for an active agent (of any group); answers its `task_id`.

    `Location` is the ticket's task list, where the task can be read.
    """
    result = run(c.ScheduleTask(number, body.title, body.assignee, body.due_at))
    run.response.headers["Location"] = f"/api/v1/tickets/{result.number}/tasks"
    return result


@router.post("/{task_id}/done", response_model=CommandOut)
def complete_task(number: Number, task_id: TaskId, run: StaffRun) -> CommandOut:
    """Mark the task done; a done task stays as it is (nothing is recorded)."""
    return run(c.CompleteTask(number, task_id))


@router.post("/{task_id}/reopen", response_model=CommandOut)
def reopen_task(number: Number, task_id: TaskId, run: StaffRun) -> CommandOut:
    """Mark a done task open again; an open task stays as it is."""
    return run(c.ReopenTask(number, task_id))


@router.get("", response_model=TicketTasksOut)
def ticket_tasks(
    number: Number, desk: Desk, caller: Reader, response: Response
) -> TicketTasksOut:
    """The ticket's tasks, oldest first, each with whether it is overdue now.

    Staff and auditors; an agent sees the tasks of tickets in their groups' queues.
    """
    ticket = visible_ticket(desk, caller, number)
    now = datetime.now(UTC)
    response.headers["ETag"] = f'"{ticket.version}"'
    return TicketTasksOut(
        number=ticket.number,
        version=ticket.version,
        now=now,
        tasks=[TaskNowOut.at(task, now) for task in ticket.tasks],
    )
