"""Reading the activity feed: filters, who may read what, pages by log position."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projections.activity.projection import NAME
from projections.engine.scope import Scope
from projections.engine.store import Row, ViewCursor, ViewStore
from projections.engine.tracking import position
from projections.engine.values import from_micros, micros

ACTIVITY, TICKETS = "view_activity", "view_activity_tickets"


@dataclass(frozen=True)
class ActivityFilter:
    """What the reader asked for; every given condition must hold."""

    tickets: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Activity:
    """One thing that happened to a ticket, as the reader may see it."""

    position: int
    at: datetime
    actor: str
    ticket: str
    queue: str
    event_type: str
    summary: str
    changes: dict[str, Any]
    internal: bool


@dataclass(frozen=True)
class ActivityPage:
    """Newest activity first, the total that match, and where the view stands."""

    activities: list[Activity]
    total: int
    next_cursor: int | None
    position: int


def find_activity(
    store: ViewStore,
    scope: Scope,
    wanted: ActivityFilter,
    limit: int = 50,
    before: int | None = None,
) -> ActivityPage:
    """A page of the activity the scope allows, newest first, before a position."""
    where, params = _conditions(scope, wanted)
    page_where, page_params = list(where), list(params)
    if before is not None:
        page_where.append("a.position < ?")
        page_params.append(before)
    with store.transaction() as rows:
        total = rows.count(
            f"SELECT COUNT(*) FROM {ACTIVITY} a WHERE {' AND '.join(where)}", params
        )
        found = _select(rows, scope, page_where, page_params, "DESC", limit + 1)
        at = position(rows, NAME)
    more = len(found) > limit
    return ActivityPage(
        found[:limit], total, found[limit - 1].position if more else None, at
    )


def activity_after(
    store: ViewStore, scope: Scope, wanted: ActivityFilter, after: int, limit: int
) -> list[Activity]:
    """The oldest activity the scope allows after a log position (for the stream)."""
    where, params = _conditions(scope, wanted)
    with store.transaction() as rows:
        return _select(
            rows, scope, [*where, "a.position > ?"], [*params, after], "ASC", limit
        )


def feed_position(store: ViewStore) -> int:
    """How far the feed has read the log."""
    with store.transaction() as rows:
        return position(rows, NAME)


def _select(
    rows: ViewCursor,
    scope: Scope,
    where: list[str],
    params: list[Any],
    order: str,
    limit: int,
) -> list[Activity]:
    # Customers read the redacted columns, which internal rows leave empty.
    told = "customer_" if scope.customer is not None else ""
    rows.execute(
        "SELECT a.position, a.at_us, a.actor, a.number, a.queue, a.event_type, "
        f"a.{told}summary AS summary, a.{told}changes AS changes, a.internal "
        f"FROM {ACTIVITY} a "
        f"WHERE {' AND '.join(where)} ORDER BY a.position {order} LIMIT ?",
        [*params, limit],
    )
    return [_activity(row) for row in rows.fetchall()]


def _conditions(scope: Scope, wanted: ActivityFilter) -> tuple[list[str], list[Any]]:
    where: list[str] = ["1 = 1"]
    params: list[Any] = []

    def one_of(column: str, values: tuple[str, ...]) -> None:
        where.append(f"{column} IN ({', '.join('?' for _ in values)})")
        params.extend(values)

    if scope.queues is not None:
        # Agents follow the ticket's queue as it is now, as for the ticket itself.
        queues = scope.queues or ("",)
        where.append(
            f"a.ticket_id IN (SELECT k.id FROM {TICKETS} k WHERE k.queue IN "
            f"({', '.join('?' for _ in queues)}))"
        )
        params.extend(queues)
    if scope.customer is not None:
        where.append(
            "a.internal = 0 AND a.hidden = 0 AND (a.customer = ? OR a.organization = ?)"
        )
        params.extend([scope.customer, scope.organization])
    for column, values in (
        ("a.number", wanted.tickets),
        ("a.actor", wanted.actors),
        ("a.queue", wanted.queues),
    ):
        if values:
            one_of(column, values)
    for condition, moment in (
        ("a.at_us >= ?", wanted.since),
        ("a.at_us < ?", wanted.until),
    ):
        if moment is not None:
            where.append(condition)
            params.append(micros(moment))
    return where, params


def _activity(row: Row) -> Activity:
    return Activity(
        position=int(row.position),
        at=from_micros(row.at_us),
        actor=row.actor,
        ticket=row.number,
        queue=row.queue,
        event_type=row.event_type,
        summary=row.summary,
        changes=json.loads(row.changes),
        internal=bool(row.internal),
    )
