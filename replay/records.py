"""What the audit tables hold, row by row: stored events, seals and chain links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

END = 2**62


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """One row of the events table, exactly as stored."""

    notification_id: int
    originator_id: str
    version: int
    topic: str
    state: bytes


@dataclass(frozen=True, slots=True)
class EventSeal:
    """One row of the seals table: the keyed MAC an event was written with."""

    notification_id: int
    originator_id: str
    version: int
    key_id: str
    seal: bytes


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One row of the chain: an event's hash, the two chain hashes ending at it,
    the link it follows in the log, and the link's own seal."""

    notification_id: int
    originator_id: str
    version: int
    event_hash: bytes
    aggregate_hash: bytes
    global_hash: bytes
    previous_id: int | None = None
    previous_originator_id: str | None = None
    previous_version: int | None = None
    key_id: str | None = None
    seal: bytes | None = None


# Rows as the tables hold them, by position: verify's fast path reads them as
# they come and makes records, seals and links only of the rows it names.
EventRow = tuple[Any, ...]
SealRow = tuple[Any, ...]
LinkRow = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Page:
    """The rows of a range of log positions: events, seals and chain links."""

    events: dict[int, EventRow]
    seals: dict[int, SealRow]
    links: dict[int, LinkRow]
    reach: int


# Given the chain's head, the last version and aggregate hash of each originator
# in the batch, and the batch's records with their seals: the links that extend
# the chain, and what stopped it short of the batch's end, if anything did.


def record_of(row: Any) -> StoredRecord:
    """The stored record of an events row."""
    return StoredRecord(
        notification_id=int(row[0]),
        originator_id=canonical(row[1]),
        version=int(row[2]),
        topic=str(row[3]),
        # A SQLite edit with replace() stores TEXT where the library stored a BLOB.
        state=row[4].encode() if isinstance(row[4], str) else bytes(row[4]),
    )


def seal_of(row: Any) -> EventSeal:
    """The seal of a seals row."""
    return EventSeal(
        int(row[0]), canonical(row[1]), int(row[2]), str(row[3]), _bytes(row[4])
    )


def canonical(originator_id: object) -> str:
    """The UUID in one spelling (SQLite stores hex, PostgreSQL a uuid)."""
    if isinstance(originator_id, UUID):
        return str(originator_id)
    text = str(originator_id)
    # Slicing, not parsing: five times faster, and an edited id stays as stored.
    if len(text) == 32:
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return text


def _bytes(value: Any) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


def link_of(row: Any) -> ChainLink:
    """The chain link of a chain row."""
    return ChainLink(
        int(row[0]),
        str(row[1]),
        int(row[2]),
        _bytes(row[3]),
        _bytes(row[4]),
        _bytes(row[5]),
        None if row[6] is None else int(row[6]),
        None if row[7] is None else str(row[7]),
        None if row[8] is None else int(row[8]),
        None if row[9] is None else str(row[9]),
        None if row[10] is None else _bytes(row[10]),
    )
