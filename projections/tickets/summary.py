"""The ticket summary: one row per ticket, the source of the ticket list and of
the waiting tickets.

Its ticket facts (owner, queue, category, who spoke last, first response,
waiting since) are set as domain.ticket_facts declares each event changes them.
Beside the rows it keeps counters of the tickets per bucket (queue, status,
category, priority, owner, hidden), changed in the same transaction as the rows,
so a list can give its exact total without counting the tickets it matches.
"""

from __future__ import annotations

from typing import Any

from domain.articles import Visibility
from domain.choices import ChoiceList
from domain.ids import PRIORITIES_ID
from domain.ticket import Ticket
from domain.ticket_facts import Becomes, Changes, TicketFacts, changes
from projections.engine.store import ViewCursor
from projections.engine.values import NOBODY, micros, stored
from projections.engine.view import Handler, RoutedView, Tables

NAME = "ticket_summary"
#: The ticket facts the rows keep, by column; moments are micros().
FACTS = {
    "queue": "queue",
    "owner": "owner",
    "status_category": "status_category",
    "last_public_sender": "last_public_sender",
    "first_response_at": "first_response_us",
    "waiting_since": "waiting_since_us",
}
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
        "waiting_since_us BIGINT, first_response_us BIGINT, "
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
    # The waiting tickets, oldest wait first (projections.tickets.waiting).
    "CREATE INDEX IF NOT EXISTS {tickets}_waiting ON {tickets} "
    "(waiting_since_us, number) WHERE waiting_since_us IS NOT NULL",
]


class TicketSummary(RoutedView):
    """Keeps one row per ticket (and its tags) up to date from the ticket events."""

    name = NAME
    tables = TABLES
    indexes = INDEXES

    def __init__(self) -> None:
        handlers: dict[type[Any], Handler] = {
            Ticket.Created: _created,
            Ticket.ArticleAdded: _article_added,
            Ticket.StatusChanged: lambda e, c, t: _change(c, t, e, status=e.to_status),
            Ticket.Reopened: lambda e, c, t: _change(c, t, e, status=e.to_status),
            Ticket.PendingExpired: lambda e, c, t: _change(c, t, e, status=e.to_status),
            Ticket.Merged: lambda e, c, t: _change(
                c, t, e, status=e.to_status, merged_into=e.target
            ),
            Ticket.PriorityChanged: _priority_changed,
            Ticket.TypeChanged: lambda e, c, t: _change(c, t, e, type=e.to_type),
            Ticket.Retitled: lambda e, c, t: _change(c, t, e, title=e.to_title),
            Ticket.Tagged: _tagged,
            Ticket.Untagged: _untagged,
            Ticket.Hidden: lambda e, c, t: _change(c, t, e, hidden=1),
            Ticket.Unhidden: lambda e, c, t: _change(c, t, e, hidden=0),
            ChoiceList.Created: _priorities,
            ChoiceList.Replaced: _priorities,
        }
        # Owners and queues are facts only; fields, links, absorbed sources,
        # time, ratings and tasks are not in the row, but move its version and
        # last change.
        for kind in (
            Ticket.Assigned,
            Ticket.Unassigned,
            Ticket.Moved,
            Ticket.FieldChanged,
            Ticket.Linked,
            Ticket.Unlinked,
            Ticket.Absorbed,
            Ticket.TimeAccounted,
            Ticket.SatisfactionRated,
            Ticket.SlaWarned,
            Ticket.SlaBreached,
            Ticket.TaskScheduled,
            Ticket.TaskDone,
            Ticket.TaskReopened,
        ):
            handlers[kind] = lambda e, c, t: _change(c, t, e)
        super().__init__(handlers)


def _created(event: Ticket.Created, cursor: ViewCursor, tables: Tables) -> None:
    at = micros(event.timestamp)
    facts = TicketFacts().after(event)
    kept = {column: stored(getattr(facts, fact)) for fact, column in FACTS.items()}
    columns = {
        "id": str(event.originator_id),
        "number": event.number,
        "title": event.title,
        "customer": event.customer,
        "organization": event.organization,
        "status": event.status,
        "priority": event.priority,
        "type": event.type,
        "hidden": int(event.hidden),
        "created_us": at,
        "updated_us": at,
        "version": event.originator_version,
        **kept,
    }
    rank = f"COALESCE((SELECT rank FROM {tables['priorities']} WHERE name = ?), -1)"
    cursor.execute(
        f"INSERT INTO {tables['tickets']} ({', '.join(columns)}, priority_rank) "
        f"VALUES ({', '.join('?' for _ in columns)}, {rank})",
        (*columns.values(), event.priority),
    )
    _count(cursor, tables, str(event.originator_id), 1)


def _article_added(
    event: Ticket.ArticleAdded, cursor: ViewCursor, tables: Tables
) -> None:
    if event.visibility != Visibility.PUBLIC:
        _change(cursor, tables, event)
    else:
        _change(cursor, tables, event, last_public_us=micros(event.timestamp))


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
    """Set some columns of the event's ticket and the facts the event changes,
    with its version and last change."""
    ticket, found = str(event.originator_id), changes(event)
    fact_clauses, params = _assignments(found)
    touched = {*columns, *(FACTS[fact] for fact in found if fact in FACTS)}
    recount = not touched.isdisjoint(COUNTED)
    if recount:
        _count(cursor, tables, ticket, -1)
    assignments = "".join(
        [*(f", {column} = ?" for column in columns), *(f", {c}" for c in fact_clauses)]
    )
    cursor.execute(
        f"UPDATE {tables['tickets']} SET version = ?, updated_us = ?{assignments} "
        "WHERE id = ?",
        (
            event.originator_version,
            micros(event.timestamp),
            *columns.values(),
            *params,
            ticket,
        ),
    )
    if recount:
        _count(cursor, tables, ticket, 1)


def _assignments(found: Changes) -> tuple[list[str], list[object]]:
    """The SET clauses (and parameters) of the kept facts the changes touch.

    SET reads the row as it was before the event, as the facts' conditions do.
    """
    clauses: list[str] = []
    params: list[object] = []
    for fact, change in found.items():
        column = FACTS.get(fact)
        if column is None:
            continue
        if isinstance(change, Becomes):
            clauses.append(f"{column} = ?")
            params.append(stored(change.value))
            continue
        start = f"COALESCE({column}, ?)"
        if change.while_fact is not None:
            marks = ", ".join("?" for _ in change.among)
            start = (
                f"CASE WHEN {FACTS[change.while_fact]} IN ({marks}) THEN {start} END"
            )
            params.extend(sorted(change.among))
        clauses.append(f"{column} = {start}")
        params.append(stored(change.at))
    return clauses, params


def _count(cursor: ViewCursor, tables: Tables, ticket: str, amount: int) -> None:
    """Add an amount to the counter of the ticket's bucket as its row stands."""
    counts = tables["ticket_counts"]
    cursor.execute(
        f"INSERT INTO {counts} ({_KEY}, tickets) SELECT {_BUCKET}, ? "
        f"FROM {tables['tickets']} WHERE id = ? ON CONFLICT ({_KEY}) "
        f"DO UPDATE SET tickets = {counts}.tickets + excluded.tickets",
        (amount, ticket),
    )
