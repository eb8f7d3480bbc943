"""The activity feed: one row per ticket event, with who may read what of it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from eventsourcing.utils import get_topic

from domain.disclosure import Disclosure, Reader
from domain.ticket import Ticket
from projections.activity.changes import DESCRIBE, describe
from projections.engine.store import ViewCursor
from projections.engine.values import micros
from projections.engine.view import Tables

NAME = "activity"

TABLES = {
    # customer_summary and customer_changes are what a customer may read of the
    # row; both are NULL when the activity is internal.
    "activity": (
        "CREATE TABLE IF NOT EXISTS {activity} ("
        "position BIGINT PRIMARY KEY, at_us BIGINT NOT NULL, actor TEXT NOT NULL, "
        "ticket_id TEXT NOT NULL, number TEXT NOT NULL, version INTEGER NOT NULL, "
        "queue TEXT NOT NULL, event_type TEXT NOT NULL, summary TEXT NOT NULL, "
        "changes TEXT NOT NULL, internal INTEGER NOT NULL, customer_summary TEXT, "
        "customer_changes TEXT, customer TEXT NOT NULL, organization TEXT, "
        "hidden INTEGER NOT NULL)"
    ),
    # Each ticket as it stands: the facts an event's row needs but the event
    # lacks, and the current queue that decides which agents may read the rows.
    "activity_tickets": (
        "CREATE TABLE IF NOT EXISTS {activity_tickets} ("
        "id TEXT PRIMARY KEY, number TEXT NOT NULL, queue TEXT NOT NULL, "
        "customer TEXT NOT NULL, organization TEXT, hidden INTEGER NOT NULL)"
    ),
}
INDEXES = [
    "CREATE INDEX IF NOT EXISTS {activity}_number ON {activity} (number, position)",
    "CREATE INDEX IF NOT EXISTS {activity}_actor ON {activity} (actor, position)",
    "CREATE INDEX IF NOT EXISTS {activity}_queue ON {activity} (queue, position)",
    "CREATE INDEX IF NOT EXISTS {activity}_ticket ON {activity} (ticket_id, position)",
    "CREATE INDEX IF NOT EXISTS {activity}_customer ON {activity} (customer, position)",
    "CREATE INDEX IF NOT EXISTS {activity}_organization "
    "ON {activity} (organization, position)",
    "CREATE INDEX IF NOT EXISTS {activity}_at ON {activity} (at_us)",
    "CREATE INDEX IF NOT EXISTS {activity_tickets}_queue ON {activity_tickets} (queue)",
    "CREATE UNIQUE INDEX IF NOT EXISTS {activity_tickets}_number "
    "ON {activity_tickets} (number)",
]
TOPICS = tuple(get_topic(kind) for kind in DESCRIBE)
#: Staff read every row as agents are told it; auditors are told no more.
AGENTS = Disclosure(Reader.AGENT)


class ActivityFeed:
    """Appends a row for every ticket event, at the event's log position."""

    name = NAME
    tables = TABLES
    indexes = INDEXES
    topics = TOPICS

    def apply(self, event: Any, cursor: ViewCursor, tables: Tables) -> None:
        """Refuse: a row without its log position would break the feed's order."""
        raise TypeError("the activity feed is applied with apply_at")

    def apply_at(
        self, position: int, event: Any, cursor: ViewCursor, tables: Tables
    ) -> None:
        """Record the activity of one ticket event at its log position."""
        if type(event) not in DESCRIBE:
            return
        ticket_id = str(event.originator_id)
        if isinstance(event, Ticket.Created):
            cursor.execute(
                f"INSERT INTO {tables['activity_tickets']} "
                "(id, number, queue, customer, organization, hidden) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    ticket_id,
                    event.number,
                    event.queue,
                    event.customer,
                    event.organization,
                    int(event.hidden),
                ),
            )
        elif isinstance(event, Ticket.Moved):
            cursor.execute(
                f"UPDATE {tables['activity_tickets']} SET queue = ? WHERE id = ?",
                (event.to_queue, ticket_id),
            )
        elif isinstance(event, Ticket.Hidden | Ticket.Unhidden):
            _hide(cursor, tables, ticket_id, isinstance(event, Ticket.Hidden))
        ticket = _ticket(cursor, tables, ticket_id)
        if ticket is None:
            return
        number, queue, customer, organization, hidden = ticket
        change = describe(event, AGENTS)
        if change is None:
            return
        # The ticket's customers are its customer and its organization.
        told = None
        if not hidden:
            knows = _knows(cursor, tables, customer, organization)
            told = describe(event, Disclosure(Reader.CUSTOMER, knows))
        internal = told is None
        cursor.execute(
            f"INSERT INTO {tables['activity']} (position, at_us, actor, ticket_id, "
            "number, version, queue, event_type, summary, changes, internal, "
            "customer_summary, customer_changes, customer, organization, hidden) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                position,
                micros(event.timestamp),
                event.actor,
                ticket_id,
                number,
                event.originator_version,
                queue,
                type(event).__name__,
                change.summary,
                _json(change.changes),
                int(internal),
                None if told is None else told.summary,
                None if told is None else _json(told.changes),
                customer,
                organization,
                hidden,
            ),
        )


def _hide(cursor: ViewCursor, tables: Tables, ticket_id: str, hidden: bool) -> None:
    """Hide the ticket's past rows from its customers, or show them again (rows
    written while it was hidden were never theirs: those stay internal)."""
    for table in ("activity_tickets", "activity"):
        column = "id" if table == "activity_tickets" else "ticket_id"
        cursor.execute(
            f"UPDATE {tables[table]} SET hidden = ? WHERE {column} = ?",
            (int(hidden), ticket_id),
        )


def _ticket(
    cursor: ViewCursor, tables: Tables, ticket_id: str
) -> tuple[str, str, str, str | None, int] | None:
    """The ticket's number, current queue, customer, organization, hidden flag."""
    cursor.execute(
        "SELECT number, queue, customer, organization, hidden "
        f"FROM {tables['activity_tickets']} WHERE id = ?",
        (ticket_id,),
    )
    row = cursor.fetchone()
    if row is None:
        return None
    return (
        str(row.number),
        str(row.queue),
        str(row.customer),
        row.organization,
        int(row.hidden),
    )


def _knows(
    cursor: ViewCursor, tables: Tables, customer: str, organization: str | None
) -> Callable[[str], bool]:
    """Whether a ticket's customers may see another ticket, by its number."""

    def knows(number: str) -> bool:
        cursor.execute(
            f"SELECT customer, organization, hidden FROM {tables['activity_tickets']} "
            "WHERE number = ?",
            (number,),
        )
        row = cursor.fetchone()
        # A ticket the view never saw is treated as hidden: never leak, when unsure.
        if row is None or bool(row.hidden):
            return False
        return row.customer == customer or (
            organization is not None and row.organization == organization
        )

    return knows


def _json(changes: dict[str, Any]) -> str:
    # Sorted keys: the rebuilt view must hold byte-identical rows.
    return json.dumps(changes, sort_keys=True, separators=(",", ":"))
