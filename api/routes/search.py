"""Full-text search over the tickets and articles the caller may read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Caller, Desk
from api.policy import disclosure, ticket_scope
from api.reading import Views, settle
from api.schemas.search import SearchOut, SearchQuery
from domain.queues import Queue
from projections.search.index import NAME
from projections.search.query import search_tickets
from projections.tickets.summary import NAME as SUMMARY

router = APIRouter(prefix="/api/v1/search", tags=["search"])


@router.get("", response_model=SearchOut)
def search(
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
    target = settle(desk, views, query.after, query.wait, NAME, SUMMARY)
    page = search_tickets(
        views.store,
        ticket_scope(desk, caller),
        query.wanted(desk.all_of(Queue) if query.group else ()),
        query.q,
        query.limit,
        query.cursor,
    )
    return SearchOut.of(page, page.position >= target, disclosure(desk, caller))
