"""Reading the mail view: the messages in one state, newest first, in keyset
pages; one message by its record's id; and the row a record makes, for an
answer that cannot wait for the view (a write's, or a read by id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.mail import InboundMail, MailState
from projections.engine.cursors import pack_key, unpack_key
from projections.engine.store import Row, ViewStore
from projections.engine.tracking import position
from projections.engine.values import from_micros
from projections.mail.view import NAME

MESSAGES = "view_mail_messages"
COLUMNS = (
    "id, key, message_id, sender, subject, state, reason, detail, number, "
    "article_id, threaded_by, raw_sha256, raw_size, received_us, changed_us"
)
#: Newest first; the record's id breaks a tie.
_ORDER = "received_us DESC, id"
_AFTER = "(received_us < ? OR (received_us = ? AND id > ?))"


@dataclass(frozen=True)
class MailRow:
    """A received message as its record stands: taken, quarantined or discarded."""

    id: UUID
    key: str
    message_id: str | None
    sender: str | None
    subject: str
    state: MailState
    #: Why it was quarantined (kept when it is discarded).
    reason: str | None
    #: The quarantine's detail, or why it was discarded.
    detail: str
    number: str | None
    article_id: str | None
    threaded_by: str | None
    raw_sha256: str
    raw_size: int
    received_at: datetime
    changed_at: datetime


@dataclass(frozen=True)
class MessagePage:
    """A page of messages, how many match in all, and where the view stands."""

    messages: list[MailRow]
    total: int
    next_cursor: str | None
    position: int


def find_messages(
    store: ViewStore,
    state: MailState | None,
    limit: int = 50,
    cursor: str | None = None,
) -> MessagePage:
    """A page of the messages in this state (None: any), newest first."""
    where, params = (["state = ?"], [state.value]) if state is not None else ([], [])
    page_where, page_params = list(where), list(params)
    if cursor is not None:
        received_us, record_id = decode_cursor(cursor)
        page_where.append(_AFTER)
        page_params.extend([received_us, received_us, record_id])
    with store.transaction() as rows:
        total = rows.count(f"SELECT COUNT(*) FROM {MESSAGES}{_where(where)}", params)
        rows.execute(
            f"SELECT {COLUMNS} FROM {MESSAGES}{_where(page_where)} "
            f"ORDER BY {_ORDER} LIMIT ?",
            [*page_params, limit + 1],
        )
        found = rows.fetchall()
        at = position(rows, NAME)
    last = found[limit - 1] if len(found) > limit else None
    next_cursor = encode_cursor(last) if last else None
    return MessagePage([_message(row) for row in found[:limit]], total, next_cursor, at)


def message(store: ViewStore, record_id: UUID) -> MailRow | None:
    """The message with this record id, or None if the view has none."""
    with store.transaction() as rows:
        rows.execute(
            f"SELECT {COLUMNS} FROM {MESSAGES} WHERE id = ?", (str(record_id),)
        )
        found = rows.fetchone()
    return None if found is None else _message(found)


def as_row(record: InboundMail) -> MailRow:
    """The row the view holds for this record once it has read its events."""
    raw = record.raw_ref()
    return MailRow(
        id=record.id,
        key=record.key,
        message_id=record.message_id,
        sender=record.sender,
        subject=record.subject,
        state=record.state,
        reason=record.reason,
        detail=record.detail,
        number=record.number,
        article_id=record.article_id,
        threaded_by=record.threaded_by,
        raw_sha256=raw.sha256,
        raw_size=raw.size,
        received_at=record.created_on,
        changed_at=record.modified_on,
    )


def encode_cursor(row: Row) -> str:
    """An opaque, URL-safe token for the page after this message's row."""
    return pack_key("mail", [row.received_us, row.id])


def decode_cursor(cursor: str) -> list[Any]:
    """The key inside a cursor of this view; InvalidValue otherwise."""
    return unpack_key(cursor, "mail", [int, str])


def _where(conditions: list[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def _message(row: Row) -> MailRow:
    return MailRow(
        id=UUID(row.id),
        key=row.key,
        message_id=row.message_id,
        sender=row.sender,
        subject=row.subject,
        state=MailState(row.state),
        reason=row.reason,
        detail=row.detail,
        number=row.number,
        article_id=row.article_id,
        threaded_by=row.threaded_by,
        raw_sha256=row.raw_sha256,
        raw_size=int(row.raw_size),
        received_at=from_micros(row.received_us),
        changed_at=from_micros(row.changed_us),
    )
