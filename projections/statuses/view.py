"""The status view: tickets by status and owner per queue, and the daily open backlog.

The backlog is kept as changes per queue and UTC day: +1 on the day a ticket
was created (or reopened, or moved in), -1 on the day it was resolved, closed or
merged (or moved out). The backlog at the end of a day is the sum of the changes
up to that day, so no event ever rewrites the days before it.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import get_topic

from domain.ticket import Ticket
from domain.ticket_facts import changes, settle
from projections.engine.counters import UNFINISHED, Bucket, bump, day_of, enter, move
from projections.engine.store import ViewCursor
from projections.engine.values import NOBODY
from projections.engine.view import Tables

NAME = "status_view"
COLUMNS = ("queue", "status", "status_category", "owner")
#: The ticket facts a bucket is made of; their events set them outright.
FACTS = ("queue", "status_category", "owner")
#: The events that name the ticket's new status.
STATUS_NAMED = (
    Ticket.StatusChanged,
    Ticket.Reopened,
    Ticket.PendingExpired,
    Ticket.Merged,
)

TABLES = {
    # Each ticket's current bucket, so that a change knows which counter to lower.
    "status_view_tickets": (
        "CREATE TABLE IF NOT EXISTS {status_view_tickets} ("
        "id TEXT PRIMARY KEY, queue TEXT NOT NULL, status TEXT NOT NULL, "
        "status_category TEXT NOT NULL, owner TEXT NOT NULL)"
    ),
    "status_view_counts": (
        "CREATE TABLE IF NOT EXISTS {status_view_counts} ("
        "queue TEXT NOT NULL, status TEXT NOT NULL, status_category TEXT NOT NULL, "
        "owner TEXT NOT NULL, tickets BIGINT NOT NULL, "
        "PRIMARY KEY (queue, status, status_category, owner))"
    ),
    "status_view_backlog": (
        "CREATE TABLE IF NOT EXISTS {status_view_backlog} ("
        "queue TEXT NOT NULL, day TEXT NOT NULL, change BIGINT NOT NULL, "
        "PRIMARY KEY (queue, day))"
    ),
}
# Summing recent days over all queues (admins) reads by day, from the index alone.
INDEXES = [
    "CREATE INDEX IF NOT EXISTS {status_view_backlog}_day "
    "ON {status_view_backlog} (day, queue, change)"
]


class StatusView:
    """Counts tickets by queue, status and owner; keeps the backlog's daily changes."""

    name = NAME
    tables = TABLES
    indexes = INDEXES

    def __init__(self) -> None:
        kinds = (Ticket.Created, Ticket.Assigned, Ticket.Unassigned, Ticket.Moved)
        self.topics = [get_topic(kind) for kind in (*kinds, *STATUS_NAMED)]

    def apply(self, event: Any, cursor: ViewCursor, tables: Tables) -> None:
        """Count a new ticket, or move a changed one; keep the backlog's changes."""
        state, counts = tables["status_view_tickets"], tables["status_view_counts"]
        backlog, day = tables["status_view_backlog"], day_of(event.timestamp)
        ticket = str(event.originator_id)
        change = _bucket_change(event)
        if isinstance(event, Ticket.Created):
            bucket: Bucket = {**change, "status": event.status}
            enter(cursor, state, counts, ticket, bucket)
            _backlog(cursor, backlog, day, None, bucket)
            return
        if isinstance(event, STATUS_NAMED):
            change["status"] = event.to_status
        moved = move(cursor, state, counts, ticket, COLUMNS, change) if change else None
        if moved is not None:
            _backlog(cursor, backlog, day, *moved)


def _bucket_change(event: Any) -> dict[str, object]:
    """The bucket's facts the event sets (domain.ticket_facts); nobody as NOBODY."""
    found = settle(changes(event), dict.fromkeys(FACTS))
    if "owner" in found:
        found["owner"] = found["owner"] or NOBODY
    return found


def _backlog(
    cursor: ViewCursor, table: str, day: str, before: Bucket | None, after: Bucket
) -> None:
    """Take the ticket off one queue's backlog and onto another's, if it moved."""
    was, now = _backlog_queue(before), _backlog_queue(after)
    if was == now:
        return
    if was is not None:
        bump(cursor, table, {"queue": was, "day": day}, -1, column="change")
    if now is not None:
        bump(cursor, table, {"queue": now, "day": day}, 1, column="change")


def _backlog_queue(bucket: Bucket | None) -> object:
    """The queue whose backlog the ticket is in, or None when it is finished."""
    if bucket is None or bucket["status_category"] not in UNFINISHED:
        return None
    return bucket["queue"]
