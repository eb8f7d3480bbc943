"""The waiting view: tickets whose customer spoke last, and since when they wait.

A ticket *waits* while its last public article is the customer's and it is not
resolved, closed or merged. It waits *since* the moment that last became true: a
further customer article does not move the moment, a public agent reply (or the
ticket's resolution or merge) ends the wait, and a reopen of a ticket whose
customer spoke last starts a new wait at the reopen. A system article is public
but no customer's, so it ends the wait as the ticket's `last_public_sender` does.

Its *first response* is the first public agent article after the ticket was
created: an article written together with the ticket (stamped at its creation)
opens it rather than answering it, and internal notes never count.
"""

from __future__ import annotations

from typing import Any

from domain.articles import Sender, Visibility
from domain.statuses import Category
from domain.ticket import Ticket
from projections.store import ViewCursor
from projections.ticket_summary import RESTING, micros
from projections.view import Handler, RoutedView, Tables

NAME = "waiting"

TABLES = {
    "waiting_tickets": (
        "CREATE TABLE IF NOT EXISTS {waiting_tickets} ("
        "id TEXT PRIMARY KEY, number TEXT NOT NULL, title TEXT NOT NULL, "
        "customer TEXT NOT NULL, queue TEXT NOT NULL, priority TEXT NOT NULL, "
        "owner TEXT, status TEXT NOT NULL, status_category TEXT NOT NULL, "
        "created_us BIGINT NOT NULL, last_public_sender TEXT, "
        "waiting_since_us BIGINT, first_response_us BIGINT)"
    ),
}
INDEXES = [
    # Oldest first: the order the view is read in.
    "CREATE INDEX IF NOT EXISTS {waiting_tickets}_since "
    "ON {waiting_tickets} (waiting_since_us, number)",
]


class WaitingView(RoutedView):
    """Keeps one row per ticket with who spoke last and since when it waits."""

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
                c, t, e, status=e.to_status, status_category=Category.MERGED.value
            ),
            Ticket.PriorityChanged: lambda e, c, t: _change(
                c, t, e, priority=e.to_priority
            ),
            Ticket.Moved: lambda e, c, t: _change(c, t, e, queue=e.to_queue),
            Ticket.Retitled: lambda e, c, t: _change(c, t, e, title=e.to_title),
        }
        super().__init__(handlers)


def _created(event: Ticket.Created, cursor: ViewCursor, tables: Tables) -> None:
    cursor.execute(
        f"INSERT INTO {tables['waiting_tickets']} (id, number, title, customer, "
        "queue, priority, owner, status, status_category, created_us, "
        "last_public_sender, waiting_since_us, first_response_us) "
        "VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, NULL, NULL, NULL)",
        (
            str(event.originator_id),
            event.number,
            event.title,
            event.customer,
            event.queue,
            event.priority,
            event.status,
            event.status_category,
            micros(event.timestamp),
        ),
    )


def _article_added(
    event: Ticket.ArticleAdded, cursor: ViewCursor, tables: Tables
) -> None:
    if event.visibility != Visibility.PUBLIC:
        return
    at = micros(event.timestamp)
    if event.sender == Sender.AGENT:
        cursor.execute(
            f"UPDATE {tables['waiting_tickets']} SET first_response_us = ? "
            "WHERE id = ? AND first_response_us IS NULL AND created_us < ?",
            (at, str(event.originator_id), at),
        )
    _change(cursor, tables, event, last_public_sender=event.sender)


def _change(cursor: ViewCursor, tables: Tables, event: Any, **columns: object) -> None:
    """Set some columns of the event's ticket, then start or end its wait."""
    table, ticket = tables["waiting_tickets"], str(event.originator_id)
    assignments = ", ".join(f"{column} = ?" for column in columns)
    cursor.execute(
        f"UPDATE {table} SET {assignments} WHERE id = ?", (*columns.values(), ticket)
    )
    if {"last_public_sender", "status_category"} & columns.keys():
        # A second statement, as SET sees the row as it was before the first.
        placeholders = ", ".join("?" for _ in RESTING)
        cursor.execute(
            f"UPDATE {table} SET waiting_since_us = CASE WHEN last_public_sender = ? "
            f"AND status_category NOT IN ({placeholders}) "
            "THEN COALESCE(waiting_since_us, ?) ELSE NULL END WHERE id = ?",
            (Sender.CUSTOMER.value, *RESTING, micros(event.timestamp), ticket),
        )
