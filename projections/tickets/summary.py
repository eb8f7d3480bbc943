"""The ticket summary: one row per ticket, the source of the ticket list and of
the waiting tickets.

Its ticket facts (owner, queue, category, who spoke last, first response,
waiting since) are set as domain.ticket_facts declares each event changes them.
Beside the rows it keeps counters of the tickets per bucket (queue, status,
category, priority, owner, hidden), changed in the same transaction as the rows,
so a list can give its exact total without counting the tickets it matches.

A batch of events is applied in memory (projections/tickets/summary_batch.py):
the rows it touches are read once, changed event by event, and written once,
with one change per counter, instead of two to four statements per event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.utils import get_topic

from domain.articles import Visibility
from domain.choices import ChoiceList
from domain.ids import PRIORITIES_ID
from domain.ticket import Ticket
from domain.ticket_facts import TicketFacts, changes
from projections.engine.store import ViewCursor
from projections.engine.values import micros, stored
from projections.engine.view import Tables
from projections.tickets.summary_batch import FACTS, KEY, SummaryBatch

NAME = "ticket_summary"
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
        f"tickets BIGINT NOT NULL, PRIMARY KEY ({KEY}))"
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


Apply = Callable[[Any, SummaryBatch], None]
_PRIORITY_EVENTS = (ChoiceList.Created, ChoiceList.Replaced)


class TicketSummary:
    """Keeps one row per ticket (and its tags) up to date from the ticket events."""

    name = NAME
    tables = TABLES
    indexes = INDEXES

    def __init__(self) -> None:
        handlers: dict[type[Any], Apply] = {
            Ticket.Created: _created,
            Ticket.ArticleAdded: _article_added,
            Ticket.StatusChanged: lambda e, b: _change(b, e, status=e.to_status),
            Ticket.Reopened: lambda e, b: _change(b, e, status=e.to_status),
            Ticket.PendingExpired: lambda e, b: _change(b, e, status=e.to_status),
            Ticket.Merged: lambda e, b: _change(
                b, e, status=e.to_status, merged_into=e.target
            ),
            Ticket.PriorityChanged: _priority_changed,
            Ticket.TypeChanged: lambda e, b: _change(b, e, type=e.to_type),
            Ticket.Retitled: lambda e, b: _change(b, e, title=e.to_title),
            Ticket.Tagged: _tagged,
            Ticket.Untagged: _untagged,
            Ticket.Hidden: lambda e, b: _change(b, e, hidden=1),
            Ticket.Unhidden: lambda e, b: _change(b, e, hidden=0),
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
            handlers[kind] = lambda e, b: _change(b, e)
        self._handlers = handlers
        # The events with a ticket's row to read (the priorities' have none).
        self._ticket_events = tuple(k for k in handlers if k not in _PRIORITY_EVENTS)
        self.topics = [get_topic(kind) for kind in handlers]

    def apply(self, event: Any, cursor: ViewCursor, tables: Tables) -> None:
        """Change the view's rows for one event."""
        self.apply_batch([event], cursor, tables)

    def apply_batch(
        self, events: Sequence[Any], cursor: ViewCursor, tables: Tables
    ) -> None:
        """Change the view's rows for a batch of events, in their order."""
        batch = SummaryBatch(cursor, tables)
        # The rows the batch changes, read at once (Created makes its own).
        batch.load(
            {batch.ticket_of(e) for e in events if isinstance(e, self._ticket_events)}
        )
        for event in events:
            handler = self._handlers.get(type(event))
            if handler is not None:
                handler(event, batch)
        batch.write()


def _created(event: Ticket.Created, batch: SummaryBatch) -> None:
    at = micros(event.timestamp)
    facts = TicketFacts().after(event)
    kept = {column: stored(getattr(facts, fact)) for fact, column in FACTS.items()}
    batch.create(
        {
            "id": batch.ticket_of(event),
            "number": event.number,
            "title": event.title,
            "customer": event.customer,
            "organization": event.organization,
            "status": event.status,
            "priority": event.priority,
            "priority_rank": batch.rank(event.priority),
            "type": event.type,
            "hidden": int(event.hidden),
            "created_us": at,
            "updated_us": at,
            "version": event.originator_version,
            "last_public_us": None,
            "merged_into": None,
            **kept,
        }
    )


def _article_added(event: Ticket.ArticleAdded, batch: SummaryBatch) -> None:
    if event.visibility != Visibility.PUBLIC:
        _change(batch, event)
    else:
        _change(batch, event, last_public_us=micros(event.timestamp))


def _priority_changed(event: Ticket.PriorityChanged, batch: SummaryBatch) -> None:
    _change(
        batch,
        event,
        priority=event.to_priority,
        priority_rank=batch.rank(event.to_priority),
    )


def _tagged(event: Ticket.Tagged, batch: SummaryBatch) -> None:
    _change(batch, event)
    batch.tag(batch.ticket_of(event), event.tag, present=True)


def _untagged(event: Ticket.Untagged, batch: SummaryBatch) -> None:
    _change(batch, event)
    batch.tag(batch.ticket_of(event), event.tag, present=False)


def _priorities(event: Any, batch: SummaryBatch) -> None:
    if event.originator_id != PRIORITIES_ID:
        return
    # An admin's new order re-ranks every ticket: the rows changed so far are
    # written first, and read again when a later event of the batch needs them.
    batch.write()
    tables, cursor = batch.tables, batch.cursor
    cursor.execute(f"DELETE FROM {tables['priorities']}")
    cursor.executemany(
        f"INSERT INTO {tables['priorities']} (name, rank) VALUES (?, ?)",
        [(name, rank) for rank, name in enumerate(event.values)],
    )
    # Unlisted priorities rank lowest.
    cursor.execute(
        f"UPDATE {tables['tickets']} SET priority_rank = COALESCE((SELECT p.rank "
        f"FROM {tables['priorities']} p WHERE p.name = {tables['tickets']}.priority),"
        " -1)"
    )


def _change(batch: SummaryBatch, event: Any, **columns: object) -> None:
    """Set some columns of the event's ticket and the facts the event changes,
    with its version and last change."""
    batch.change(
        batch.ticket_of(event),
        changes(event),
        {
            "version": event.originator_version,
            "updated_us": micros(event.timestamp),
            **columns,
        },
    )
