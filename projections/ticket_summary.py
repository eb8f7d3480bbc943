"""The ticket summary: one row per ticket, the source of the ticket list."""

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
    assignments = "".join(f", {column} = ?" for column in columns)
    cursor.execute(
        f"UPDATE {tables['tickets']} SET version = ?, updated_us = ?{assignments} "
        "WHERE id = ?",
        (
            event.originator_version,
            micros(event.timestamp),
            *columns.values(),
            str(event.originator_id),
        ),
    )
    if {"last_public_sender", "status_category"} & columns.keys():
        # Computed after the change: SET sees the row as it was before.
        placeholders = ", ".join("?" for _ in RESTING)
        cursor.execute(
            f"UPDATE {tables['tickets']} SET waiting_for_agent = CASE WHEN "
            f"last_public_sender = ? AND status_category NOT IN ({placeholders}) "
            "THEN 1 ELSE 0 END WHERE id = ?",
            (Sender.CUSTOMER.value, *RESTING, str(event.originator_id)),
        )
