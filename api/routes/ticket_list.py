"""The ticket list: the summary view, filtered to what the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from starlette.concurrency import run_in_threadpool

from api.deps import Caller, Desk
from api.policy import disclosure, ticket_scope
from api.principal import Principal
from api.reading import Views, answer_position, caught_up
from api.schemas.views import TicketListOut, TicketListQuery
from api.workers import Router
from domain.desk import HelpDesk
from domain.queues import Queue
from projections.engine.runner import ViewRunner
from projections.tickets.listing import find_tickets
from projections.tickets.summary import NAME

router = Router(prefix="/api/v1/tickets", tags=["tickets"])


@router.get("", response_model=TicketListOut)
async def list_tickets(
    desk: Desk,
    views: Views,
    caller: Caller,
    query: Annotated[TicketListQuery, Query()],
) -> TicketListOut:
    """The tickets the caller may see: filtered, sorted, paged by an opaque cursor."""
    await caught_up(views, query.after, query.wait, NAME)
    return await run_in_threadpool(_tickets, desk, views, caller, query)


def _tickets(
    desk: HelpDesk, views: ViewRunner, caller: Principal, query: TicketListQuery
) -> TicketListOut:
    target = answer_position(desk, query.after)
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
