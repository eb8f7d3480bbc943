"""Full-text search over the tickets and articles the caller may read."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from starlette.concurrency import run_in_threadpool

from api.deps import Caller, Desk
from api.policy import disclosure, ticket_scope
from api.principal import Principal
from api.reading import Views, answer_position, caught_up
from api.schemas.search import SearchOut, SearchQuery
from api.workers import Router
from domain.desk import HelpDesk
from domain.queues import Queue
from projections.engine.runner import ViewRunner
from projections.search.index import NAME
from projections.search.query import search_tickets
from projections.tickets.summary import NAME as SUMMARY

router = Router(prefix="/api/v1/search", tags=["search"])


@router.get("", response_model=SearchOut)
async def search(
    desk: Desk,
    views: Views,
    caller: Caller,
    query: Annotated[SearchQuery, Query()],
) -> SearchOut:
    """Tickets whose title or readable articles hold every word of q, best first.

    Takes the ticket list's filters. Customers never match internal articles or
    hidden tickets; agents search their queues only. Only the newest matching
    documents the caller may read and the filters want are ranked (see
    `more_matches`). Pages are by offset: a ranking shifts as tickets come in,
    so a later page may repeat or skip one.
    """
    # Hits come from the index, their ticket fields from the summary.
    await caught_up(views, query.after, query.wait, NAME, SUMMARY)
    return await run_in_threadpool(_search, desk, views, caller, query)


def _search(
    desk: HelpDesk, views: ViewRunner, caller: Principal, query: SearchQuery
) -> SearchOut:
    target = answer_position(desk, query.after)
    page = search_tickets(
        views.store,
        ticket_scope(desk, caller),
        query.wanted(desk.all_of(Queue) if query.group else ()),
        query.q,
        query.limit,
        query.cursor,
    )
    return SearchOut.of(page, page.position >= target, disclosure(desk, caller))
