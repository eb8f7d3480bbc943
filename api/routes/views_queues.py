"""The queue and status views: counts per queue, a queue's work list, the backlog."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated

from fastapi import Path, Query
from starlette.concurrency import run_in_threadpool

from api.deps import Desk, Reader
from api.policy import disclosure, require_queue, ticket_scope
from api.principal import Principal
from api.reading import Views, answer_position, caught_up
from api.schemas.views import TicketSummaryOut
from api.schemas.views_queues import (
    BacklogDayOut,
    FreshnessQuery,
    OwnerCountOut,
    QueueCountsOut,
    QueueListOut,
    QueueOut,
    QueueQuery,
    StatusCountOut,
    StatusOut,
    StatusQuery,
)
from api.workers import Router
from domain.desk import HelpDesk
from domain.queues import Queue
from projections.engine.runner import ViewRunner
from projections.queues import view as queue_view
from projections.queues.counts import QueueCounts, count_queues, work_list
from projections.statuses import view as status_view
from projections.statuses.counts import status_figures
from projections.tickets import summary as ticket_summary

router = Router(prefix="/api/v1/views", tags=["views"])

QueueName = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("/queues", response_model=QueueListOut)
async def list_queues(
    desk: Desk, views: Views, caller: Reader, query: Annotated[FreshnessQuery, Query()]
) -> QueueListOut:
    """Every queue the caller may see, its tickets counted by category and priority.

    Agents see the queues of their groups; admins and auditors see all.
    """
    await caught_up(views, query.after, query.wait, queue_view.NAME)
    return await run_in_threadpool(_queues, desk, views, caller, query)


def _queues(
    desk: HelpDesk, views: ViewRunner, caller: Principal, query: FreshnessQuery
) -> QueueListOut:
    target = answer_position(desk, query.after)
    groups = {q.name: q.group for q in desk.all_of(Queue)}
    mine = ticket_scope(desk, caller).queues
    names = sorted(groups if mine is None else mine, key=str.casefold)
    figures = count_queues(views.store, names, desk.priorities().values)
    return QueueListOut(
        queues=[_counts(figures.queues[name], groups[name]) for name in names],
        position=figures.position,
        caught_up=figures.position >= target,
    )


@router.get("/queues/{queue:name}", response_model=QueueOut)
async def show_queue(
    queue: QueueName,
    desk: Desk,
    views: Views,
    caller: Reader,
    query: Annotated[QueueQuery, Query()],
) -> QueueOut:
    """A queue's figures and its unfinished tickets: highest priority, then oldest.

    An agent outside the queue's group gets 403; an unknown queue is 404.
    """
    names = (queue_view.NAME, ticket_summary.NAME)
    await caught_up(views, query.after, query.wait, *names)
    return await run_in_threadpool(_queue, queue, desk, views, caller, query)


def _queue(
    queue: str, desk: HelpDesk, views: ViewRunner, caller: Principal, query: QueueQuery
) -> QueueOut:
    found = desk.queue(queue)
    require_queue(caller, found)
    target = answer_position(desk, query.after)
    figures = count_queues(views.store, [found.name], desk.priorities().values)
    page = work_list(
        views.store, ticket_scope(desk, caller), found.name, query.limit, query.cursor
    )
    at = min(figures.position, page.position)
    told = disclosure(desk, caller)
    return QueueOut(
        queue=_counts(figures.queues[found.name], found.group),
        tickets=[TicketSummaryOut.of(t, told) for t in page.tickets],
        total=page.total,
        next_cursor=page.next_cursor,
        position=at,
        caught_up=at >= target,
    )


@router.get("/status", response_model=StatusOut)
async def show_status(
    desk: Desk, views: Views, caller: Reader, query: Annotated[StatusQuery, Query()]
) -> StatusOut:
    """Tickets by status category, status and owner; the open backlog per UTC day.

    The backlog of a day counts the tickets created and not yet resolved, closed
    or merged at its end. Agents' figures cover the queues of their groups.
    """
    await caught_up(views, query.after, query.wait, status_view.NAME)
    return await run_in_threadpool(_status, desk, views, caller, query)


def _status(
    desk: HelpDesk, views: ViewRunner, caller: Principal, query: StatusQuery
) -> StatusOut:
    first, last = query.days(desk.clock().astimezone(UTC).date())
    target = answer_position(desk, query.after)
    figures = status_figures(
        views.store, ticket_scope(desk, caller).queues, first, last
    )
    return StatusOut(
        by_status_category=figures.by_status_category,
        by_status=[
            StatusCountOut.model_validate(c, from_attributes=True)
            for c in figures.by_status
        ],
        by_owner=[
            OwnerCountOut.model_validate(c, from_attributes=True)
            for c in figures.by_owner
        ],
        backlog=[
            BacklogDayOut.model_validate(d, from_attributes=True)
            for d in figures.backlog
        ],
        position=figures.position,
        caught_up=figures.position >= target,
    )


def _counts(counts: QueueCounts, group: str) -> QueueCountsOut:
    return QueueCountsOut(
        name=counts.queue,
        group=group,
        tickets=counts.total,
        by_status_category=counts.by_status_category,
        by_priority=counts.by_priority,
    )
