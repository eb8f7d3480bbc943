"""Request and response models of scheduled tasks: on a ticket, and in the view."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.moments import Moment
from api.schemas.text import Strict
from api.schemas.views import MAX_LIMIT, Terms
from api.schemas.views_work import AFTER_HELP, WAIT_HELP, After, Wait
from domain.tasks import MAX_TASK_TITLE, Task
from projections.tasks.query import TaskPage

Login = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class TaskIn(Strict):
    """A task for an agent of any group, due at a moment not in the past."""

    title: Annotated[
        str, StringConstraints(min_length=1, max_length=MAX_TASK_TITLE)
    ] = Field(description="One line.")
    assignee: Login = Field(description="An active agent's login.")
    due_at: Moment


class TaskOut(BaseModel):
    """A task as its ticket records it."""

    task_id: str
    title: str
    assignee: str
    due_at: datetime
    done: bool
    done_at: datetime | None

    @classmethod
    def of(cls, task: Task) -> TaskOut:
        """The response form of a task."""
        return cls(**asdict(task))


class TaskNowOut(TaskOut):
    """A task, and whether it is overdue at the moment of reading."""

    overdue: bool = Field(description="Open and due before `now`.")

    @classmethod
    def at(cls, task: Task, now: datetime) -> TaskNowOut:
        """The response form of a task, read at a moment."""
        return cls(**asdict(task), overdue=task.overdue(now))


class TicketTasksOut(BaseModel):
    """A ticket's tasks in the order they were scheduled."""

    number: str
    version: int
    now: datetime = Field(description="The moment `overdue` was judged at.")
    tasks: list[TaskNowOut]


class TaskQuery(BaseModel):
    """Filters and paging of the task list."""

    model_config = ConfigDict(extra="forbid")

    assignee: Login | None = Field(None, description="Tasks of this agent.")
    state: Literal["open", "done", "all"] = "open"
    queue: Terms = Field([], description="Tasks of tickets in any of these queues.")
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 50
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = (
        Field(None, description="next_cursor of the previous page.")
    )
    after: After = Field(None, description=AFTER_HELP)
    wait: Wait = Field(2.0, description=WAIT_HELP)


class TaskRowOut(TaskNowOut):
    """A task in the list, with its ticket's number and queue."""

    number: str
    queue: str


class TaskListOut(BaseModel):
    """A page of tasks: open before done, the nearest due (so the overdue) first."""

    tasks: list[TaskRowOut]
    total: int
    next_cursor: str | None
    now: datetime = Field(description="The moment `overdue` was judged at.")
    position: int
    caught_up: bool

    @classmethod
    def of(cls, page: TaskPage, caught_up: bool) -> TaskListOut:
        """The response form of a page."""
        return cls(
            tasks=[TaskRowOut(**asdict(t)) for t in page.tasks],
            total=page.total,
            next_cursor=page.next_cursor,
            now=page.now,
            position=page.position,
            caught_up=caught_up,
        )
