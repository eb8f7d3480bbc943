"""Reading the outbox view: the deliveries due now, and the latest deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.mail_out import AGENT_NOTICES, Notice
from projections.engine.store import Row, ViewStore
from projections.engine.values import from_micros, micros
from projections.outbox.view import FAILED, PENDING, SENT

OUTBOX = "view_outbox"
COLUMNS = (
    "id, number, article_id, notice, cause, recipient, message_id, state, "
    "attempts, reason, due_us, created_us, changed_us"
)
STATES = (PENDING, SENT, FAILED)


@dataclass(frozen=True)
class OutboxRow:
    """One delivery: a mail to one recipient, and how it stands."""

    number: str
    #: The article mailed, or the one a notice is about ("" when none).
    article_id: str
    #: The notice (domain.mail_out.Notice), "" for an article's mail.
    notice: str
    #: The ticket version that called for the notice (0 for an article's mail).
    cause: int
    recipient: str
    #: The Message-ID it went (or was tried) under; None before the first try.
    message_id: str | None
    state: str
    attempts: int
    #: The last failure's reason ("" when none).
    reason: str
    #: When a pending delivery is due (None once it is finished).
    due_at: datetime | None
    created_at: datetime
    changed_at: datetime


def due_deliveries(
    store: ViewStore,
    now: datetime,
    limit: int,
    notices_since: datetime | None = None,
    agent_notices: bool = True,
) -> list[OutboxRow]:
    """The pending deliveries due by `now`, the longest due first.

    Notices due before `notices_since` are left out (they are stale, not worth
    a mail or a record), and so are the agents' when not wanted. Each kind is
    read by its own range of the index, so stale rows are never scanned.
    """
    kinds = ["", *(n.value for n in Notice)]
    if not agent_notices:
        kinds = [k for k in kinds if k not in AGENT_NOTICES]
    found: list[OutboxRow] = []
    with store.transaction() as rows:
        for kind in kinds:
            since = [micros(notices_since)] if kind and notices_since else []
            rows.execute(
                f"SELECT {COLUMNS} FROM {OUTBOX} WHERE state = ? AND notice = ? "
                f"AND due_us <= ?{' AND due_us >= ?' if since else ''} "
                "ORDER BY due_us, id LIMIT ?",
                [PENDING, kind, micros(now), *since, limit],
            )
            found.extend(_row(r) for r in rows.fetchall())
    return sorted(found, key=lambda r: (r.due_at or now, r.number))[:limit]


def latest_deliveries(
    store: ViewStore, state: str | None = None, limit: int = 50
) -> list[OutboxRow]:
    """The deliveries in this state (None: any), the newest articles first."""
    where, params = ("WHERE state = ? ", [state]) if state else ("", [])
    with store.transaction() as rows:
        rows.execute(
            f"SELECT {COLUMNS} FROM {OUTBOX} {where}"
            "ORDER BY created_us DESC, id LIMIT ?",
            [*params, limit],
        )
        return [_row(r) for r in rows.fetchall()]


def _row(row: Row) -> OutboxRow:
    return OutboxRow(
        number=row.number,
        article_id=row.article_id,
        notice=row.notice,
        cause=int(row.cause),
        recipient=row.recipient,
        message_id=row.message_id,
        state=row.state,
        attempts=int(row.attempts),
        reason=row.reason,
        due_at=None if row.due_us is None else from_micros(int(row.due_us)),
        created_at=from_micros(int(row.created_us)),
        changed_at=from_micros(int(row.changed_us)),
    )
