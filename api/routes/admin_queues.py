"""Admin: queues, the group that works each one and its follow-up policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Response

from api.deps import ADMIN_ONLY, WORK_READ, CommandOrigin, Desk
from api.routes.admin_common import PageWindow, configure, created, describe
from api.schemas.admin import Page, QueueIn, QueueOut, QueuePatch
from api.workers import Router
from domain.configuration_commands import OpenQueue, ReconfigureQueue
from domain.queues import Queue

router = Router()

QueueName = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("/queues", response_model=Page[QueueOut], dependencies=[WORK_READ])
def list_queues(desk: Desk, window: PageWindow) -> Page[QueueOut]:
    """Every queue, oldest first."""
    return window.page(desk.all_of(Queue), QueueOut.of)


@router.get("/queues/{name:name}", response_model=QueueOut, dependencies=[WORK_READ])
def read_queue(name: QueueName, desk: Desk, response: Response) -> QueueOut:
    """One queue; the ETag is its version."""
    queue = desk.queue(name)
    describe(response, queue)
    return QueueOut.of(queue)


@router.post(
    "/queues", status_code=201, response_model=QueueOut, dependencies=[ADMIN_ONLY]
)
def open_queue(
    body: QueueIn, desk: Desk, origin: CommandOrigin, response: Response
) -> QueueOut:
    """Open a queue worked by a group, with its follow-up policy."""
    command = OpenQueue(body.name, body.group, body.follow_up, body.reopen_within_days)
    queue = configure(desk, command, origin, Queue, response)
    created(response, "queues", queue.name)
    return QueueOut.of(queue)


@router.patch("/queues/{name:name}", response_model=QueueOut, dependencies=[ADMIN_ONLY])
def reconfigure_queue(
    name: QueueName,
    body: QueuePatch,
    desk: Desk,
    origin: CommandOrigin,
    response: Response,
) -> QueueOut:
    """Change a queue's group, follow-up policy, active flag or mail settings."""
    command = ReconfigureQueue(name, **body.changes())
    return QueueOut.of(configure(desk, command, origin, Queue, response))
