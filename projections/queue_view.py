"""The queue view: per queue, how many tickets are in each status category and priority.

Counter rows change by one per event, so reading a queue's figures costs a few
rows whatever the number of tickets. The queue's work-ordered ticket list comes
from the ticket summary (see projections/queue_counts.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.utils import get_topic

from domain.statuses import Category
from domain.ticket import Ticket
from projections.counters import enter, move
from projections.store import ViewCursor
from projections.view import Tables

NAME = "queue_view"
COLUMNS = ("queue", "status_category", "priority")

TABLES = {
    # Each ticket's current bucket, so that a change knows which counter to lower.
    "queue_view_tickets": (
        "CREATE TABLE IF NOT EXISTS {queue_view_tickets} ("
        "id TEXT PRIMARY KEY, queue TEXT NOT NULL, status_category TEXT NOT NULL, "
        "priority TEXT NOT NULL)"
    ),
    "queue_view_counts": (
        "CREATE TABLE IF NOT EXISTS {queue_view_counts} ("
        "queue TEXT NOT NULL, status_category TEXT NOT NULL, priority TEXT NOT NULL, "
        "tickets BIGINT NOT NULL, PRIMARY KEY (queue, status_category, priority))"
    ),
}
# The counters' primary key is all the queue view reads by.
INDEXES: list[str] = []

Change = Callable[[Any], dict[str, object]]


class QueueView:
    """Counts the tickets of each queue by status category and priority."""

    name = NAME
    tables = TABLES
    indexes = INDEXES

    def __init__(self) -> None:
        self._changes: dict[type[Any], Change] = {
            Ticket.StatusChanged: lambda e: {"status_category": e.category},
            Ticket.Reopened: lambda e: {"status_category": e.category},
            Ticket.Merged: lambda e: {"status_category": Category.MERGED.value},
            Ticket.PriorityChanged: lambda e: {"priority": e.to_priority},
            Ticket.Moved: lambda e: {"queue": e.to_queue},
        }
        self.topics = [get_topic(Ticket.Created), *map(get_topic, self._changes)]

    def apply(self, event: Any, cursor: ViewCursor, tables: Tables) -> None:
        """Count a new ticket, or move a changed one to its new counter."""
        state, counts = tables["queue_view_tickets"], tables["queue_view_counts"]
        ticket = str(event.originator_id)
        if isinstance(event, Ticket.Created):
            bucket: dict[str, object] = {
                "queue": event.queue,
                "status_category": event.status_category,
                "priority": event.priority,
            }
            enter(cursor, state, counts, ticket, bucket)
            return
        change = self._changes.get(type(event))
        if change is not None:
            move(cursor, state, counts, ticket, COLUMNS, change(event))
