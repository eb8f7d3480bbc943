"""The activity feed: recent ticket activity as a list and as a live SSE stream."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated

import anyio
from fastapi import Header, Query
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from api.deps import Caller, Desk, ServicesDep
from api.policy import ticket_scope
from api.principal import Principal
from api.problems import ApiProblem
from api.reading import Views, answer_position, caught_up
from api.schemas.activity import (
    ActivityListOut,
    ActivityOut,
    ActivityQuery,
    ActivityStreamQuery,
)
from api.stream_seats import Seat
from api.workers import Router
from domain.desk import HelpDesk
from projections.activity.feed import (
    ActivityFilter,
    activity_after,
    feed_position,
    find_activity,
)
from projections.activity.projection import NAME
from projections.engine.runner import ViewRunner
from projections.engine.scope import Scope
from projections.engine.store import ViewStore

router = Router(prefix="/api/v1/activity", tags=["activity"])

#: How often an idle stream looks at the feed, and sends a comment to keep
#: proxies from closing a quiet connection.
POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15.0
STREAM_BATCH = 100
#: When a caller with every stream seat taken may look again.
SEAT_RETRY_SECONDS = 5

LastEventId = Annotated[
    str | None,
    Header(
        pattern=r"^\d{1,18}$",
        description="The id of the last event received: resume after it.",
    ),
]


@router.get("", response_model=ActivityListOut)
async def list_activity(
    desk: Desk,
    views: Views,
    caller: Caller,
    query: Annotated[ActivityQuery, Query()],
) -> ActivityListOut:
    """Recent ticket activity the caller may see, newest first, paged by position."""
    await caught_up(views, query.after, query.wait, NAME)
    return await run_in_threadpool(_activity, desk, views, caller, query)


def _activity(
    desk: HelpDesk, views: ViewRunner, caller: Principal, query: ActivityQuery
) -> ActivityListOut:
    target = answer_position(desk, query.after)
    page = find_activity(
        views.store,
        ticket_scope(desk, caller),
        query.wanted(),
        query.limit,
        query.cursor,
    )
    return ActivityListOut.of(page, caught_up=page.position >= target)


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream_activity(
    services: ServicesDep,
    views: Views,
    caller: Caller,
    query: Annotated[ActivityStreamQuery, Query()],
    last_event_id: LastEventId = None,
) -> StreamingResponse:
    """Server-Sent Events of new activity the caller may see; the id is its position.

    The stream closes after `max_seconds` (a comment every 15 s keeps it open
    meanwhile); an EventSource then reconnects with Last-Event-ID and misses nothing.
    A caller keeps a few streams open at once (429 past that, until one closes).
    """
    seats = services.stream_seats
    seat = seats.take(caller)
    if seat is None:
        raise ApiProblem(
            429,
            "Too Many Requests",
            f"{seats.per_caller} activity streams of yours are open here already; "
            "close one first",
            {"Retry-After": str(SEAT_RETRY_SECONDS)},
            code="too-many-streams",
        )
    try:
        scope = await run_in_threadpool(ticket_scope, services.desk, caller)
        if last_event_id is not None:
            after = int(last_event_id)
        elif query.after is not None:
            after = query.after
        else:
            after = await run_in_threadpool(feed_position, views.store)
    except BaseException:
        seat.release()
        raise
    events = activity_events(
        views.store, scope, query.wanted(), after, query.max_seconds
    )
    return StreamingResponse(
        _seated(events, seat),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        background=BackgroundTask(seat.release),
    )


async def _seated(frames: AsyncIterator[str], seat: Seat) -> AsyncIterator[str]:
    """The frames, the seat given back when they end or the client leaves."""
    try:
        async for frame in frames:
            yield frame
    finally:
        seat.release()


async def activity_events(
    store: ViewStore,
    scope: Scope,
    wanted: ActivityFilter,
    after: int,
    max_seconds: float,
    clock: Callable[[], float] = time.monotonic,
) -> AsyncIterator[str]:
    """SSE frames of the activity after a position, until `max_seconds` have passed."""
    deadline = clock() + max_seconds
    heartbeat = clock() + HEARTBEAT_SECONDS
    while True:
        found = await run_in_threadpool(
            activity_after, store, scope, wanted, after, STREAM_BATCH
        )
        for activity in found:
            after = activity.position
            data = ActivityOut.of(activity).model_dump_json()
            yield f"id: {after}\nevent: activity\ndata: {data}\n\n"
        now = clock()
        if now >= deadline:
            return
        if len(found) == STREAM_BATCH:
            continue
        if now >= heartbeat:
            yield ": heartbeat\n\n"
            heartbeat = now + HEARTBEAT_SECONDS
        await anyio.sleep(min(POLL_SECONDS, deadline - now, heartbeat - now))
