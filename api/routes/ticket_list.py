"""The ticket list: the summary view, filtered to what the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import Caller, Desk, ServicesDep
from api.policy import EVERYONE, require, ticket_scope
from api.problems import ApiProblem
from api.schemas.views import TicketListOut, TicketListQuery
from domain.queues import Queue
from projections.runner import ViewRunner
from projections.ticket_list import find_tickets
from projections.ticket_summary import NAME

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"])


def get_views(services: ServicesDep) -> ViewRunner:
    """The views, or 503 when this process was started without them."""
    if services.views is None:
        raise ApiProblem(503, "Service Unavailable", "the ticket views are not running")
    return services.views


Views = Annotated[ViewRunner, Depends(get_views)]


@router.get("", response_model=TicketListOut)
def list_tickets(
    desk: Desk,
    views: Views,
    caller: Caller,
    query: Annotated[TicketListQuery, Query()],
) -> TicketListOut:
    """The tickets the caller may see: filtered, sorted, paged by an opaque cursor."""
    require(caller, *EVERYONE)
    if query.after is None:
        target = desk.recorder.max_notification_id() or 0
    else:
        target = query.after
        views.wait_until(target, query.wait, NAME)
    page = find_tickets(
        views.store,
        ticket_scope(desk, caller),
        query.wanted(desk.all_of(Queue) if query.group else ()),
        query.sort,
        query.order == "desc",
        query.limit,
        query.cursor,
    )
    return TicketListOut.of(page, caught_up=page.position >= target)
