"""The mail view: one row per received message, as its record stands.

Every InboundMail event rewrites its record's row, so the quarantine an admin
reads (what is held, why, since when) follows retries and discards. The row
keeps the raw message's digest and size: the bytes stay in the blob store.
"""

from __future__ import annotations

from typing import Any

from domain.mail import InboundMail, MailState
from projections.engine.store import ViewCursor
from projections.engine.values import micros
from projections.engine.view import Handler, RoutedView, Tables

NAME = "mail_view"

TABLES = {
    "mail_messages": (
        "CREATE TABLE IF NOT EXISTS {mail_messages} ("
        "id TEXT PRIMARY KEY, key TEXT NOT NULL, message_id TEXT, sender TEXT, "
        "subject TEXT NOT NULL, state TEXT NOT NULL, reason TEXT, "
        "detail TEXT NOT NULL, number TEXT, article_id TEXT, threaded_by TEXT, "
        "raw_sha256 TEXT NOT NULL, raw_size BIGINT NOT NULL, "
        "received_us BIGINT NOT NULL, changed_us BIGINT NOT NULL)"
    ),
}
INDEXES = [
    # The quarantine (or the taken, or the discarded), newest first.
    "CREATE INDEX IF NOT EXISTS {mail_messages}_state "
    "ON {mail_messages} (state, received_us DESC, id)",
    # Every message, newest first.
    "CREATE INDEX IF NOT EXISTS {mail_messages}_received "
    "ON {mail_messages} (received_us DESC, id)",
]


class MailView(RoutedView):
    """Keeps one row per received message up to date from its record's events."""

    name = NAME
    tables = TABLES
    indexes = INDEXES

    def __init__(self) -> None:
        handlers: dict[type[Any], Handler] = {
            InboundMail.Taken: _taken,
            InboundMail.Quarantined: _quarantined,
            InboundMail.Released: _released,
            InboundMail.Requarantined: _requarantined,
            InboundMail.Discarded: _discarded,
        }
        super().__init__(handlers)


def _received(
    event: InboundMail.Taken | InboundMail.Quarantined,
    cursor: ViewCursor,
    tables: Tables,
    state: MailState,
    taken: tuple[str | None, str | None, str | None],
    held: tuple[str | None, str],
) -> None:
    at = micros(event.timestamp)
    cursor.execute(
        f"INSERT INTO {tables['mail_messages']} (id, key, message_id, sender, "
        "subject, state, reason, detail, number, article_id, threaded_by, "
        "raw_sha256, raw_size, received_us, changed_us) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            str(event.originator_id),
            event.key,
            event.message_id,
            event.sender,
            event.subject,
            state.value,
            *held,
            *taken,
            str(event.raw["sha256"]),
            int(str(event.raw["size"])),
            at,
            at,
        ),
    )


def _taken(event: InboundMail.Taken, cursor: ViewCursor, tables: Tables) -> None:
    taken = (event.number, event.article_id, event.threaded_by)
    _received(event, cursor, tables, MailState.TAKEN, taken, (None, ""))


def _quarantined(
    event: InboundMail.Quarantined, cursor: ViewCursor, tables: Tables
) -> None:
    held = (event.reason, event.detail)
    _received(event, cursor, tables, MailState.QUARANTINED, (None, None, None), held)


def _released(event: InboundMail.Released, cursor: ViewCursor, tables: Tables) -> None:
    _change(
        event,
        cursor,
        tables,
        state=MailState.TAKEN.value,
        reason=None,
        detail="",
        number=event.number,
        article_id=event.article_id,
        threaded_by=event.threaded_by,
    )


def _requarantined(
    event: InboundMail.Requarantined, cursor: ViewCursor, tables: Tables
) -> None:
    _change(
        event,
        cursor,
        tables,
        state=MailState.QUARANTINED.value,
        reason=event.reason,
        detail=event.detail,
    )


def _discarded(
    event: InboundMail.Discarded, cursor: ViewCursor, tables: Tables
) -> None:
    # As on the record: the quarantine's reason stays, the detail is why it went.
    _change(event, cursor, tables, state=MailState.DISCARDED.value, detail=event.reason)


def _change(event: Any, cursor: ViewCursor, tables: Tables, **columns: object) -> None:
    """Set these columns of the record's row, and when it changed."""
    assignments = ", ".join(f"{column} = ?" for column in columns)
    cursor.execute(
        f"UPDATE {tables['mail_messages']} SET {assignments}, changed_us = ? "
        "WHERE id = ?",
        (*columns.values(), micros(event.timestamp), str(event.originator_id)),
    )
