"""The queue view: per queue, how many tickets are in each status category and priority.

Counter rows change by one per event, so reading a queue's figures costs a few
rows whatever the number of tickets. The queue's work-ordered ticket list comes
from the ticket summary (see projections/queues/counts.py).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import get_topic

from domain.ticket import Ticket
from domain.ticket_facts import changes, settle
from projections.engine.counters import enter, move
from projections.engine.store import ViewCursor
from projections.engine.view import Tables

NAME = "queue_view"
COLUMNS = ("queue", "status_category", "priority")
#: The ticket facts among the columns; their events set them outright.
FACTS = ("queue", "status_category")

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


class QueueView:
    """Counts the tickets of each queue by status category and priority."""

    name = NAME
    tables = TABLES
    indexes = INDEXES

    def __init__(self) -> None:
        self.topics = [
            get_topic(kind)
            for kind in (
                Ticket.Created,
                Ticket.StatusChanged,
                Ticket.Reopened,
                Ticket.PendingExpired,
                Ticket.Merged,
                Ticket.PriorityChanged,
                Ticket.Moved,
            )
        ]

    def apply(self, event: Any, cursor: ViewCursor, tables: Tables) -> None:
        """Count a new ticket, or move a changed one to its new counter."""
        state, counts = tables["queue_view_tickets"], tables["queue_view_counts"]
        ticket = str(event.originator_id)
        change = settle(changes(event), dict.fromkeys(FACTS))
        if isinstance(event, Ticket.Created):
            enter(cursor, state, counts, ticket, {**change, "priority": event.priority})
            return
        if isinstance(event, Ticket.PriorityChanged):
            change["priority"] = event.to_priority
        if change:
            move(cursor, state, counts, ticket, COLUMNS, change)
