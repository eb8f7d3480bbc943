"""How the views store values: moments as microseconds, nobody as an empty key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

#: Nobody, in an owner or agent column that is part of a key: it cannot be NULL.
NOBODY = ""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(at: datetime) -> int:
    """A moment as microseconds since the epoch: compact, exact and sortable."""
    delta = at.astimezone(UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    """The moment a micros() value stands for, in UTC."""
    return EPOCH + timedelta(microseconds=value)


def stored(value: object) -> object:
    """A fact's value as its column holds it: moments as micros()."""
    return micros(value) if isinstance(value, datetime) else value
