"""The outbox view: one row per delivery of a mail to one recipient.

Which mail is due follows from the log alone, so a rebuild finds the same:
- an outgoing article (domain/mail_out.py), or a forward: a row per recipient;
- an acknowledgement, when a customer opens a ticket (by mail or the portal, not
  an agent on their behalf) in a queue that acknowledges; withdrawn while
  unsent when the mail that opened it turns out automatic (nothing answers
  that);
- a notice to the agent a ticket is assigned to by somebody else, and to the
  owner when the customer writes on their ticket.
Rows are due at once; the ticket's MailSent finishes one, MailFailed finishes
it or makes it due again at the retry time. The view keeps what it needs to
decide: each ticket's number, queue, customer and owner, the agents' addresses
and which queues acknowledge. The mail worker reads what is due from here and
asks the ticket before it sends, so a view that lags only makes it ask again.
"""

from __future__ import annotations

from typing import Any

from domain.articles import Sender, Visibility
from domain.mail import InboundMail
from domain.mail_out import (
    Notice,
    delivery_key,
    is_outgoing,
    mail_name,
    recipients,
)
from domain.people import Agent
from domain.queues import Queue
from domain.ticket import Ticket
from projections.engine.store import ViewCursor
from projections.engine.values import micros
from projections.engine.view import Handler, RoutedView, Tables

NAME = "outbox"
PENDING, SENT, FAILED = "pending", "sent", "failed"
#: Actors who write on a customer's behalf: their tickets are not acknowledged.
STAFF_ACTORS = ("agent:", "admin:")

TABLES = {
    "outbox": (
        "CREATE TABLE IF NOT EXISTS {outbox} ("
        "id TEXT PRIMARY KEY, number TEXT NOT NULL, article_id TEXT NOT NULL, "
        "notice TEXT NOT NULL, cause INTEGER NOT NULL, "
        "recipient TEXT NOT NULL, message_id TEXT, state TEXT NOT NULL, "
        "attempts INTEGER NOT NULL, reason TEXT NOT NULL, due_us BIGINT, "
        "created_us BIGINT NOT NULL, changed_us BIGINT NOT NULL)"
    ),
    # Each ticket's number, queue, customer and owner, which most events lack.
    "outbox_tickets": (
        "CREATE TABLE IF NOT EXISTS {outbox_tickets} ("
        "id TEXT PRIMARY KEY, number TEXT NOT NULL, queue TEXT NOT NULL, "
        "customer TEXT NOT NULL, owner TEXT)"
    ),
    "outbox_agents": (
        "CREATE TABLE IF NOT EXISTS {outbox_agents} ("
        "id TEXT PRIMARY KEY, login TEXT NOT NULL, email TEXT NOT NULL)"
    ),
    # The tickets automatic mail opened or wrote on: never acknowledged.
    "outbox_automatic": (
        "CREATE TABLE IF NOT EXISTS {outbox_automatic} (number TEXT PRIMARY KEY)"
    ),
    "outbox_queues": (
        "CREATE TABLE IF NOT EXISTS {outbox_queues} ("
        "id TEXT PRIMARY KEY, name TEXT NOT NULL, acknowledge INTEGER NOT NULL)"
    ),
}
INDEXES = [
    # What is due: pending rows by due time.
    "CREATE INDEX IF NOT EXISTS {outbox}_due ON {outbox} (state, notice, due_us, id)",
    # Every delivery, newest first.
    "CREATE INDEX IF NOT EXISTS {outbox}_created ON {outbox} (created_us DESC, id)",
    "CREATE INDEX IF NOT EXISTS {outbox}_number ON {outbox} (number)",
    "CREATE INDEX IF NOT EXISTS {outbox_agents}_login ON {outbox_agents} (login)",
    "CREATE INDEX IF NOT EXISTS {outbox_queues}_name ON {outbox_queues} (name)",
]


class OutboxView(RoutedView):
    """Keeps one row per delivery up to date from the tickets' events."""

    name = NAME
    tables = TABLES
    indexes = INDEXES

    def __init__(self) -> None:
        handlers: dict[type[Any], Handler] = {
            Ticket.Created: _created,
            Ticket.Moved: _moved,
            Ticket.Assigned: _assigned,
            Ticket.Unassigned: _unassigned,
            Ticket.ArticleAdded: _article_added,
            Ticket.ArticleForwarded: _forwarded,
            Ticket.MailSent: _sent,
            Ticket.MailFailed: _failed,
            InboundMail.Taken: _mail_taken,
            Agent.Created: _agent,
            Agent.Updated: _agent,
            Queue.Created: _queue,
            Queue.MailSettingsChanged: _acknowledging,
        }
        super().__init__(handlers)


def _created(event: Ticket.Created, cursor: ViewCursor, tables: Tables) -> None:
    cursor.execute(
        f"INSERT INTO {tables['outbox_tickets']} (id, number, queue, customer, owner) "
        "VALUES (?, ?, ?, ?, NULL)",
        (str(event.originator_id), event.number, event.queue, event.customer),
    )


def _moved(event: Ticket.Moved, cursor: ViewCursor, tables: Tables) -> None:
    _ticket_set(cursor, tables, event, "queue", event.to_queue)


def _assigned(event: Ticket.Assigned, cursor: ViewCursor, tables: Tables) -> None:
    _ticket_set(cursor, tables, event, "owner", event.owner)
    if event.actor != f"agent:{event.owner}":
        _notice_agent(cursor, tables, event, Notice.ASSIGNED, "")


def _unassigned(event: Ticket.Unassigned, cursor: ViewCursor, tables: Tables) -> None:
    _ticket_set(cursor, tables, event, "owner", None)


def _article_added(
    event: Ticket.ArticleAdded, cursor: ViewCursor, tables: Tables
) -> None:
    if is_outgoing(event):
        for recipient in recipients(list(event.to), list(event.cc)):
            _due(cursor, tables, event, recipient, event.article_id)
        return
    if event.sender != Sender.CUSTOMER or event.visibility != Visibility.PUBLIC:
        return
    if event.originator_version == 2:
        # The article a ticket was opened with (Created is version 1).
        if not event.actor.startswith(STAFF_ACTORS):
            _acknowledge(cursor, tables, event)
        return
    _notice_agent(cursor, tables, event, Notice.CUSTOMER_REPLIED, event.article_id)


def _forwarded(
    event: Ticket.ArticleForwarded, cursor: ViewCursor, tables: Tables
) -> None:
    for recipient in recipients(list(event.to), list(event.cc)):
        _due(cursor, tables, event, recipient, event.article_id)


def _acknowledge(
    cursor: ViewCursor, tables: Tables, event: Ticket.ArticleAdded
) -> None:
    """An acknowledgement to the customer, where the ticket's queue sends one."""
    cursor.execute(
        f"SELECT t.customer FROM {tables['outbox_tickets']} t "
        f"JOIN {tables['outbox_queues']} q ON q.name = t.queue "
        "WHERE t.id = ? AND q.acknowledge = 1 AND NOT EXISTS "
        f"(SELECT 1 FROM {tables['outbox_automatic']} m WHERE m.number = t.number)",
        (str(event.originator_id),),
    )
    row = cursor.fetchone()
    if row is not None:
        _due(cursor, tables, event, row.customer, "", Notice.ACKNOWLEDGEMENT, 1)


def _notice_agent(
    cursor: ViewCursor,
    tables: Tables,
    event: Ticket.Event,
    notice: Notice,
    article_id: str,
) -> None:
    """A notice to the ticket's owner (as it stands after the event)."""
    cursor.execute(
        f"SELECT a.email FROM {tables['outbox_tickets']} t "
        f"JOIN {tables['outbox_agents']} a ON a.login = t.owner WHERE t.id = ?",
        (str(event.originator_id),),
    )
    row = cursor.fetchone()
    if row is not None:
        cause = event.originator_version
        _due(cursor, tables, event, row.email, article_id, notice, cause)


def _due(
    cursor: ViewCursor,
    tables: Tables,
    event: Ticket.Event,
    recipient: str,
    article_id: str,
    notice: str = "",
    cause: int = 0,
) -> None:
    """A pending row for a mail to one recipient, due at the event's moment."""
    at = micros(event.timestamp)
    cursor.execute(
        f"INSERT INTO {tables['outbox']} (id, number, article_id, notice, cause, "
        "recipient, message_id, state, attempts, reason, due_us, created_us, "
        "changed_us) "
        f"SELECT ?, number, ?, ?, ?, ?, NULL, '{PENDING}', 0, '', ?, ?, ? "
        f"FROM {tables['outbox_tickets']} WHERE id = ?",
        (
            _row_id(event, mail_name(article_id, notice, cause), recipient),
            article_id,
            str(notice),
            cause,
            recipient,
            at,
            at,
            at,
            str(event.originator_id),
        ),
    )


def _mail_taken(event: InboundMail.Taken, cursor: ViewCursor, tables: Tables) -> None:
    if event.auto is None:
        return
    # Automatic mail opened the ticket (or wrote on it): no acknowledgement
    # answers it, whether its record comes before the ticket's events or after.
    cursor.execute(
        f"INSERT INTO {tables['outbox_automatic']} (number) VALUES (?) "
        "ON CONFLICT (number) DO NOTHING",
        (event.number,),
    )
    cursor.execute(
        f"DELETE FROM {tables['outbox']} WHERE number = ? AND notice = ? "
        "AND state = ? AND attempts = 0",
        (event.number, Notice.ACKNOWLEDGEMENT.value, PENDING),
    )


def _agent(
    event: Agent.Created | Agent.Updated, cursor: ViewCursor, tables: Tables
) -> None:
    login = getattr(event, "login", None)
    if login is not None:
        cursor.execute(
            f"INSERT INTO {tables['outbox_agents']} (id, login, email) "
            "VALUES (?, ?, ?)",
            (str(event.originator_id), login, event.email),
        )
    else:
        cursor.execute(
            f"UPDATE {tables['outbox_agents']} SET email = ? WHERE id = ?",
            (event.email, str(event.originator_id)),
        )


def _queue(event: Queue.Created, cursor: ViewCursor, tables: Tables) -> None:
    cursor.execute(
        f"INSERT INTO {tables['outbox_queues']} (id, name, acknowledge) "
        "VALUES (?, ?, 0)",
        (str(event.originator_id), event.name),
    )


def _acknowledging(
    event: Queue.MailSettingsChanged, cursor: ViewCursor, tables: Tables
) -> None:
    cursor.execute(
        f"UPDATE {tables['outbox_queues']} SET acknowledge = ? WHERE id = ?",
        (int(event.acknowledge), str(event.originator_id)),
    )


def _sent(event: Ticket.MailSent, cursor: ViewCursor, tables: Tables) -> None:
    _change(event, cursor, tables, SENT, None, "")


def _failed(event: Ticket.MailFailed, cursor: ViewCursor, tables: Tables) -> None:
    if event.final or event.retry_at is None:
        _change(event, cursor, tables, FAILED, None, event.reason)
    else:
        _change(event, cursor, tables, PENDING, micros(event.retry_at), event.reason)


def _change(
    event: Ticket.MailSent | Ticket.MailFailed,
    cursor: ViewCursor,
    tables: Tables,
    state: str,
    due_us: int | None,
    reason: str,
) -> None:
    name = mail_name(event.article_id, event.notice, event.cause)
    cursor.execute(
        f"UPDATE {tables['outbox']} SET state = ?, due_us = ?, reason = ?, "
        "attempts = ?, message_id = ?, changed_us = ? WHERE id = ?",
        (
            state,
            due_us,
            reason,
            event.attempt,
            event.message_id,
            micros(event.timestamp),
            _row_id(event, name, event.recipient),
        ),
    )


def _ticket_set(
    cursor: ViewCursor, tables: Tables, event: Ticket.Event, column: str, value: object
) -> None:
    cursor.execute(
        f"UPDATE {tables['outbox_tickets']} SET {column} = ? WHERE id = ?",
        (value, str(event.originator_id)),
    )


def _row_id(event: Ticket.Event, name: str, recipient: str) -> str:
    """A delivery's row: its key is the ticket's, so the row's id names both."""
    return f"{event.originator_id} {delivery_key(name, recipient)}"
