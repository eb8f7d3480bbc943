"""The ticket list: the summary view, filtered to what the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Caller, Desk
from api.policy import disclosure, ticket_scope
from api.reading import Views, settle
from api.schemas.views import TicketListOut, TicketListQuery
from domain.queues import Queue
from projections.tickets.listing import find_tickets
from projections.tickets.summary import NAME

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"])


@router.get("", response_model=TicketListOut)
def list_tickets(
    desk: Desk,
    views: Views,
    caller: Caller,
    query: Annotated[TicketListQuery, Query()],
) -> TicketListOut:
    """The tickets the caller may see: filtered, sorted, paged by an opaque cursor."""
    target = settle(desk, views, query.after, query.wait, NAME)
    page = find_tickets(
        views.store,
        ticket_scope(desk, caller),
        query.wanted(desk.all_of(Queue) if query.group else ()),
        query.sort,
        query.order == "desc",
        query.limit,
        query.cursor,
    )
    return TicketListOut.of(page, page.position >= target, disclosure(desk, caller))
