"""Reading the waiting tickets from the ticket summary: oldest wait first, by
queue, in keyset pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projections.engine.cursors import pack_key, unpack_key, within_queues
from projections.engine.store import Row, ViewStore
from projections.engine.tracking import position
from projections.engine.values import from_micros, micros
from projections.tickets.summary import NAME

TICKETS = "view_tickets"
COLUMNS = (
    "number, title, customer, queue, priority, owner, status, status_category, "
    "created_us, waiting_since_us, first_response_us"
)


@dataclass(frozen=True)
class WaitingFilter:
    """Which waiting tickets to show; every given condition must hold.

    `allowed_queues` is who may see what (None: every queue); `queues` is what
    the reader asked for.
    """

    allowed_queues: tuple[str, ...] | None = None
    queues: tuple[str, ...] = ()
    first_response_pending: bool | None = None


@dataclass(frozen=True)
class WaitingTicket:
    """A ticket waiting for an answer, and for how long at the moment of reading."""

    number: str
    title: str
    customer: str
    queue: str
    priority: str
    owner: str | None
    status: str
    status_category: str
    created_at: datetime
    waiting_since: datetime
    waited_seconds: int
    first_response_pending: bool


@dataclass(frozen=True)
class WaitingPage:
    """A page of waiting tickets, how many wait in all, and where the view stands."""

    tickets: list[WaitingTicket]
    total: int
    next_cursor: str | None
    position: int
    now: datetime


def find_waiting(
    store: ViewStore,
    wanted: WaitingFilter,
    now: datetime,
    limit: int = 50,
    cursor: str | None = None,
) -> WaitingPage:
    """A page of the waiting tickets the filter allows, the longest wait first."""
    where, params = _conditions(wanted)
    page_where, page_params = list(where), list(params)
    if cursor is not None:
        page_where.append("(waiting_since_us, number) > (?, ?)")
        page_params.extend(decode_cursor(cursor))
    with store.transaction() as rows:
        total = rows.count(
            f"SELECT COUNT(*) FROM {TICKETS} WHERE {' AND '.join(where)}", params
        )
        rows.execute(
            f"SELECT {COLUMNS} FROM {TICKETS} WHERE {' AND '.join(page_where)} "
            "ORDER BY waiting_since_us, number LIMIT ?",
            [*page_params, limit + 1],
        )
        found = rows.fetchall()
        at = position(rows, NAME)
    page = [_waiting(row, now) for row in found[:limit]]
    last = found[limit - 1] if len(found) > limit else None
    next_cursor = (
        encode_cursor(int(last.waiting_since_us), str(last.number)) if last else None
    )
    return WaitingPage(page, total, next_cursor, at, now)


def encode_cursor(since_us: int, number: str) -> str:
    """An opaque, URL-safe token for the page after this waiting ticket."""
    return pack_key("waiting", [since_us, number])


def decode_cursor(cursor: str) -> list[Any]:
    """The key inside a cursor of this view; InvalidValue otherwise."""
    return unpack_key(cursor, "waiting", [int, str])


def _conditions(wanted: WaitingFilter) -> tuple[list[str], list[Any]]:
    where, params = within_queues(wanted.allowed_queues, wanted.queues)
    where.insert(0, "waiting_since_us IS NOT NULL")
    if wanted.first_response_pending is not None:
        pending = wanted.first_response_pending
        where.append(f"first_response_us IS {'' if pending else 'NOT '}NULL")
    return where, params


def _waiting(row: Row, now: datetime) -> WaitingTicket:
    return WaitingTicket(
        number=row.number,
        title=row.title,
        customer=row.customer,
        queue=row.queue,
        priority=row.priority,
        owner=row.owner,
        status=row.status,
        status_category=row.status_category,
        created_at=from_micros(row.created_us),
        waiting_since=from_micros(row.waiting_since_us),
        # The reader's clock may run a little behind the one that stamped the wait.
        waited_seconds=max(0, (micros(now) - row.waiting_since_us) // 1_000_000),
        first_response_pending=row.first_response_us is None,
    )
