"""Reports replayed from the event log: the backlog as it stood at any moment."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.deps import Desk, Reader
from api.policy import ticket_scope
from api.schemas.moments import Moment
from api.schemas.reports import BacklogOut
from api.workers import Router
from replay.backlog import backlog_as_of

router = Router(prefix="/api/v1/reports", tags=["reports"])


@router.get("/backlog", response_model=BacklogOut)
def backlog(
    desk: Desk,
    caller: Reader,
    as_of: Annotated[
        Moment | None,
        Query(description="The moment to count at (with a zone); default now."),
    ] = None,
) -> BacklogOut:
    """Tickets by status category, status, queue and priority as they stood then.

    Replays the event log up to `as_of`, not today's views. The backlog is the
    tickets in a new, open or pending status. Agents get the figures of their
    groups' queues only; admins and auditors of every queue.
    """
    queues = ticket_scope(desk, caller).queues
    report = backlog_as_of(desk, as_of or desk.clock(), queues)
    return BacklogOut.of(report, None if queues is None else sorted(queues))
