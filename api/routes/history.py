"""A ticket's full history, event by event, as far as the caller may see it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from api.deps import Caller, Desk
from api.policy import disclosure, visible_ticket
from api.schemas.history import HistoryEntryOut, HistoryPage, HistoryQuery
from api.workers import Router
from replay.history import HistoryFilter, history

router = Router(prefix="/api/v1/tickets/{number}", tags=["history"])


@router.get("/history", response_model=HistoryPage)
def ticket_history(
    number: Annotated[str, Path(min_length=1, max_length=64)],
    desk: Desk,
    caller: Caller,
    query: Annotated[HistoryQuery, Query()],
) -> HistoryPage:
    """Every event with version, time, actor, correlation id and what it changed.

    Customers see only the public part: no internal articles, no time accounting,
    no custom fields, no status reasons, no staff-only fields, and no links to
    tickets they may not see.
    """
    visible_ticket(desk, caller, number)
    wanted = HistoryFilter(
        query.since, query.until, frozenset(query.event), query.actor
    )
    told = disclosure(desk, caller)
    entries = [e for e in history(desk, number, told) if wanted.matches(e)]
    rest = [e for e in entries if e.version > query.after_version]
    page = rest[: query.limit]
    return HistoryPage(
        number=number,
        entries=[HistoryEntryOut.of(e) for e in page],
        total=len(entries),
        next_after_version=page[-1].version if len(rest) > len(page) else None,
    )
