"""The ticket summary: one row per ticket, the source of the ticket list.

Beside the rows it keeps counters of the tickets per bucket (queue, status,
category, priority, owner, hidden), changed in the same transaction as the rows,
so a list can give its exact total without counting the tickets it matches.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.articles import Sender, Visibility
from domain.choices import ChoiceList
from domain.ids import PRIORITIES_ID
from domain.statuses import FINISHED, Category
from domain.ticket import Ticket
from projections.store import ViewCursor
from projections.view import Handler, RoutedView, Tables

NAME = "ticket_summary"
#: Tickets nobody needs to answer: finished ones, and merged ones (they are closed).
RESTING = tuple(sorted(str(c.value) for c in {*FINISHED, Category.MERGED}))
#: Nobody, in the counters' owner column: a key column cannot be NULL.
NOBODY = ""
#: The columns a counter is kept by; a ticket changes bucket when one changes.
COUNTED = ("queue", "status", "status_category", "priority", "owner", "hidden")
_KEY = ", ".join(COUNTED)
#: A ticket's bucket, read from its row.
_BUCKET = (
    f"queue, status, status_category, priority, COALESCE(owner, '{NOBODY}'), hidden"
)

TABLES = {
    "tickets": (
        "CREATE TABLE IF NOT EXISTS {tickets} ("
        "id TEXT PRIMARY KEY, number TEXT NOT NULL, title TEXT NOT NULL, "
        "customer TEXT NOT NULL, organization TEXT, queue TEXT NOT NULL, "
        "status TEXT NOT NULL, status_category TEXT NOT NULL, "
        "priority TEXT NOT NULL, priority_rank INTEGER NOT NULL, "
        "type TEXT NOT NULL, owner TEXT, hidden INTEGER NOT NULL, "
        "created_us BIGINT NOT NULL, updated_us BIGINT NOT NULL, "
        "version INTEGER NOT NULL, last_public_sender TEXT, last_public_us BIGINT, "
        "waiting_for_agent INTEGER NOT NULL, first_response_us BIGINT, "
        "merged_into TEXT)"
    ),
    "ticket_tags": (
        "CREATE TABLE IF NOT EXISTS {ticket_tags} ("
        "ticket TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (ticket, tag))"
    ),
    # The configured order of priorities, so the list can sort by it.
    "priorities": (
        "CREATE TABLE IF NOT EXISTS {priorities} ("
        "name TEXT PRIMARY KEY, rank INTEGER NOT NULL)"
    ),
    "ticket_counts": (
        "CREATE TABLE IF NOT EXISTS {ticket_counts} ("
        "queue TEXT NOT NULL, status TEXT NOT NULL, status_category TEXT NOT NULL, "
        "priority TEXT NOT NULL, owner TEXT NOT NULL, hidden INTEGER NOT NULL, "
        f"tickets BIGINT NOT NULL, PRIMARY KEY ({_KEY}))"
    ),
}
INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS {tickets}_number ON {tickets} (number)",
    "CREATE INDEX IF NOT EXISTS {tickets}_created ON {tickets} (created_us, number)",
    "CREATE INDEX IF NOT EXISTS {tickets}_updated ON {tickets} (updated_us, number)",
    "CREATE INDEX IF NOT EXISTS {tickets}_queue ON {tickets} (queue, status_category)",
    "CREATE INDEX IF NOT EXISTS {tickets}_customer ON {tickets} (customer)",
    # A queue's unfinished tickets in work order (priority, then oldest): the
    # expression and the literal categories match ticket_list's query exactly.
    "CREATE INDEX IF NOT EXISTS {tickets}_work ON {tickets} "
    "(queue, priority_rank, (-created_us), number) "
    "WHERE status_category IN ('new', 'open', 'pending')",
    # The pages of the lists in their default orders, read in index order and
    # stopped at the limit instead of sorting every match: the unfinished tickets
    # (the new-and-open preset, also in a few queues) by age and by priority, and
    # a queue's tickets by age. The literal categories match the preset's.
    "CREATE INDEX IF NOT EXISTS {tickets}_unfinished ON {tickets} "
    "(created_us, number) WHERE status_category IN ('new', 'open', 'pending')",
    "CREATE INDEX IF NOT EXISTS {tickets}_unfinished_priority ON {tickets} "
    "(priority_rank, (-created_us), number) "
    "WHERE status_category IN ('new', 'open', 'pending')",
    "CREATE INDEX IF NOT EXISTS {tickets}_queue_created ON {tickets} "
    "(queue, created_us, number)",
    "CREATE INDEX IF NOT EXISTS {ticket_tags}_tag ON {ticket_tags} (tag, ticket)",
]


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(at: datetime) -> int:
    """A moment as microseconds since the epoch: compact, exact and sortable."""
    delta = at.astimezone(UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    """The moment a micros() value stands for, in UTC."""
    return EPOCH + timedelta(microseconds=value)


class TicketSummary(RoutedView):
    """Keeps one row per ticket (and its tags) up to date from the ticket events."""

    name = NAME
    tables = TABLES
    indexes = INDEXES

    def __init__(self) -> None:
        handlers: dict[type[Any], Handler] = {
            Ticket.Created: _created,
            Ticket.ArticleAdded: _article_added,
            Ticket.Assigned: lambda e, c, t: _change(c, t, e, owner=e.owner),
            Ticket.Unassigned: lambda e, c, t: _change(c, t, e, owner=None),
            Ticket.StatusChanged: lambda e, c, t: _change(
                c, t, e, status=e.to_status, status_category=e.category
            ),
            Ticket.Reopened: lambda e, c, t: _change(
                c, t, e, status=e.to_status, status_category=e.category, owner=e.owner
            ),
            Ticket.Merged: lambda e, c, t: _change(
                c,
                t,
                e,
                status=e.to_status,
                status_category=Category.MERGED.value,
                merged_into=e.target,
            ),
            Ticket.PriorityChanged: _priority_changed,
            Ticket.Moved: lambda e, c, t: _change(c, t, e, queue=e.to_queue),
            Ticket.TypeChanged: lambda e, c, t: _change(c, t, e, type=e.to_type),
            Ticket.Retitled: lambda e, c, t: _change(c, t, e, title=e.to_title),
            Ticket.Tagged: _tagged,
            Ticket.Untagged: _untagged,
            ChoiceList.Created: _priorities,
            ChoiceList.Replaced: _priorities,
        }
        # Fields, links, absorbed sources, time and ratings are not in the row,
        # but they still move the ticket's version and last change.
        for kind in (
            Ticket.FieldChanged,
            Ticket.Linked,
            Ticket.Unlinked,
            Ticket.Absorbed,
            Ticket.TimeAccounted,
            Ticket.SatisfactionRated,
        ):
            handlers[kind] = lambda e, c, t: _change(c, t, e)
        super().__init__(handlers)


def _created(event: Ticket.Created, cursor: ViewCursor, tables: Tables) -> None:
    at = micros(event.timestamp)
    cursor.execute(
        f"INSERT INTO {tables['tickets']} (id, number, title, customer, "
        "organization, queue, status, status_category, priority, priority_rank, "
        "type, owner, hidden, created_us, updated_us, version, last_public_sender, "
        "last_public_us, waiting_for_agent, first_response_us, merged_into) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
        f"COALESCE((SELECT rank FROM {tables['priorities']} WHERE name = ?), -1), "
        "?, NULL, ?, ?, ?, ?, NULL, NULL, 0, NULL, NULL)",
        (
            str(event.originator_id),
            event.number,
            event.title,
            event.customer,
            event.organization,
            event.queue,
            event.status,
            event.status_category,
            event.priority,
            event.priority,
            event.type,
            int(event.hidden),
            at,
            at,
            event.originator_version,
        ),
    )
    _count(cursor, tables, str(event.originator_id), 1)


def _article_added(
    event: Ticket.ArticleAdded, cursor: ViewCursor, tables: Tables
) -> None:
    if event.visibility != Visibility.PUBLIC:
        _change(cursor, tables, event)
        return
    at = micros(event.timestamp)
    _change(cursor, tables, event, last_public_sender=event.sender, last_public_us=at)
    if event.sender == Sender.AGENT:
        # Internal notes never count: only a public agent reply is a response.
        cursor.execute(
            f"UPDATE {tables['tickets']} SET first_response_us = ? "
            "WHERE id = ? AND first_response_us IS NULL",
            (at, str(event.originator_id)),
        )


def _priority_changed(
    event: Ticket.PriorityChanged, cursor: ViewCursor, tables: Tables
) -> None:
    _change(cursor, tables, event, priority=event.to_priority)
    cursor.execute(
        f"UPDATE {tables['tickets']} SET priority_rank = COALESCE("
        f"(SELECT rank FROM {tables['priorities']} WHERE name = ?), -1) WHERE id = ?",
        (event.to_priority, str(event.originator_id)),
    )


def _tagged(event: Ticket.Tagged, cursor: ViewCursor, tables: Tables) -> None:
    _change(cursor, tables, event)
    cursor.execute(
        f"INSERT INTO {tables['ticket_tags']} (ticket, tag) VALUES (?, ?) "
        "ON CONFLICT (ticket, tag) DO NOTHING",
        (str(event.originator_id), event.tag),
    )


def _untagged(event: Ticket.Untagged, cursor: ViewCursor, tables: Tables) -> None:
    _change(cursor, tables, event)
    cursor.execute(
        f"DELETE FROM {tables['ticket_tags']} WHERE ticket = ? AND tag = ?",
        (str(event.originator_id), event.tag),
    )


def _priorities(event: Any, cursor: ViewCursor, tables: Tables) -> None:
    if event.originator_id != PRIORITIES_ID:
        return
    cursor.execute(f"DELETE FROM {tables['priorities']}")
    cursor.executemany(
        f"INSERT INTO {tables['priorities']} (name, rank) VALUES (?, ?)",
        [(name, rank) for rank, name in enumerate(event.values)],
    )
    # An admin's new order re-ranks every ticket; unlisted priorities rank lowest.
    cursor.execute(
        f"UPDATE {tables['tickets']} SET priority_rank = COALESCE((SELECT p.rank "
        f"FROM {tables['priorities']} p WHERE p.name = {tables['tickets']}.priority),"
        " -1)"
    )


def _change(cursor: ViewCursor, tables: Tables, event: Any, **columns: object) -> None:
    """Set some columns of the event's ticket, with its version and last change."""
    ticket = str(event.originator_id)
    recount = not columns.keys().isdisjoint(COUNTED)
    if recount:
        _count(cursor, tables, ticket, -1)
    assignments = "".join(f", {column} = ?" for column in columns)
    cursor.execute(
        f"UPDATE {tables['tickets']} SET version = ?, updated_us = ?{assignments} "
        "WHERE id = ?",
        (
            event.originator_version,
            micros(event.timestamp),
            *columns.values(),
            ticket,
        ),
    )
    if recount:
        _count(cursor, tables, ticket, 1)
    if {"last_public_sender", "status_category"} & columns.keys():
        # Computed after the change: SET sees the row as it was before.
        placeholders = ", ".join("?" for _ in RESTING)
        cursor.execute(
            f"UPDATE {tables['tickets']} SET waiting_for_agent = CASE WHEN "
            f"last_public_sender = ? AND status_category NOT IN ({placeholders}) "
            "THEN 1 ELSE 0 END WHERE id = ?",
            (Sender.CUSTOMER.value, *RESTING, ticket),
        )


def _count(cursor: ViewCursor, tables: Tables, ticket: str, amount: int) -> None:
    """Add an amount to the counter of the ticket's bucket as its row stands."""
    counts = tables["ticket_counts"]
    cursor.execute(
        f"INSERT INTO {counts} ({_KEY}, tickets) SELECT {_BUCKET}, ? "
        f"FROM {tables['tickets']} WHERE id = ? ON CONFLICT ({_KEY}) "
        f"DO UPDATE SET tickets = {counts}.tickets + excluded.tickets",
        (amount, ticket),
    )
