"""The hash chain over the stored events, and the appender that extends it.

Each event's hash covers its stored record: originator id, version, topic and the
state bytes (payload and timestamp). The aggregate chain links it to the previous
event of the same aggregate; the global chain links it, with its notification id,
to the previous event of the whole log. The aggregate chain leaves log positions
out, so an archive restored into an empty store keeps every aggregate hash.
"""

from __future__ import annotations

from hashlib import sha256

from replay.ledger import ChainLink, Ledger, StoredRecord

# The hash a chain starts from.
GENESIS = bytes(32)
BATCH = 1000


def _digest(label: bytes, *parts: bytes) -> bytes:
    # Length prefixes make the encoding unambiguous: no two different field
    # splits of the same bytes hash alike.
    h = sha256(label)
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.digest()


def event_hash(record: StoredRecord) -> bytes:
    """The hash of one stored event's record."""
    return _digest(
        b"tickettape/event/1",
        record.originator_id.encode(),
        str(record.version).encode(),
        record.topic.encode(),
        record.state,
    )


def aggregate_hash(previous: bytes, event: bytes) -> bytes:
    """The aggregate chain's hash after an event, from the one before it."""
    return _digest(b"tickettape/aggregate/1", previous, event)


def global_hash(previous: bytes, notification_id: int, event: bytes) -> bytes:
    """The global chain's hash after an event at a log position."""
    return _digest(b"tickettape/log/1", previous, str(notification_id).encode(), event)


def link_records(
    head: ChainLink | None, last: dict[str, bytes], records: list[StoredRecord]
) -> list[ChainLink]:
    """The links for records following the head (`last` is updated in place)."""
    previous = GENESIS if head is None else head.global_hash
    links = []
    for record in records:
        own = event_hash(record)
        by_aggregate = aggregate_hash(last.get(record.originator_id, GENESIS), own)
        previous = global_hash(previous, record.notification_id, own)
        last[record.originator_id] = by_aggregate
        links.append(
            ChainLink(
                record.notification_id,
                record.originator_id,
                record.version,
                own,
                by_aggregate,
                previous,
            )
        )
    return links


def extend_chain(ledger: Ledger, batch: int = BATCH) -> int:
    """Chain every event stored after the chain's head; how many were chained."""
    total = 0
    while added := ledger.append(batch, link_records):
        total += added
    return total
