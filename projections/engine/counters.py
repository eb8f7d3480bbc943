"""Counter rows kept per event: what the queue and status views are made of.

A counting view keeps each ticket's current bucket (its queue, status, owner...)
in a row of its own, so a change can take the ticket out of the bucket it was
in and put it into the new one without reading anything but that row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from domain.statuses import Category
from projections.engine.store import ViewCursor

#: The categories of tickets someone still has to work on.
UNFINISHED = (Category.NEW.value, Category.OPEN.value, Category.PENDING.value)

Bucket = dict[str, object]


def day_of(moment: datetime) -> str:
    """The UTC day of a moment, as YYYY-MM-DD (which sorts by time)."""
    return moment.astimezone(UTC).date().isoformat()


def bump(
    cursor: ViewCursor,
    table: str,
    keys: Mapping[str, object],
    amount: int,
    column: str = "tickets",
) -> None:
    """Add an amount to the counter row with these keys, creating it at zero."""
    names = ", ".join(keys)
    marks = ", ".join("?" for _ in keys)
    cursor.execute(
        f"INSERT INTO {table} ({names}, {column}) VALUES ({marks}, ?) "
        f"ON CONFLICT ({names}) DO UPDATE SET "
        f"{column} = {table}.{column} + excluded.{column}",
        (*keys.values(), amount),
    )


def enter(
    cursor: ViewCursor, state: str, counts: str, ticket: str, bucket: Bucket
) -> None:
    """Remember a new ticket's bucket and count it there."""
    names = ", ".join(bucket)
    marks = ", ".join("?" for _ in bucket)
    cursor.execute(
        f"INSERT INTO {state} (id, {names}) VALUES (?, {marks})",
        (ticket, *bucket.values()),
    )
    bump(cursor, counts, bucket, 1)


def move(
    cursor: ViewCursor,
    state: str,
    counts: str,
    ticket: str,
    columns: Sequence[str],
    changes: Mapping[str, object],
) -> tuple[Bucket, Bucket] | None:
    """Move a ticket from its bucket to the changed one; (before, after) if known."""
    cursor.execute(f"SELECT {', '.join(columns)} FROM {state} WHERE id = ?", (ticket,))
    row = cursor.fetchone()
    if row is None:
        return None
    before: Bucket = dict(zip(columns, row, strict=True))
    after: Bucket = {**before, **changes}
    if after != before:
        assignments = ", ".join(f"{column} = ?" for column in changes)
        cursor.execute(
            f"UPDATE {state} SET {assignments} WHERE id = ?",
            (*changes.values(), ticket),
        )
        bump(cursor, counts, before, -1)
        bump(cursor, counts, after, 1)
    return before, after
