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


def _length(size: int) -> bytes:
    return size.to_bytes(8, "big")


def _digest(label: bytes, *parts: bytes) -> bytes:
    # Length prefixes make the encoding unambiguous: no two different field
    # splits of the same bytes hash alike. Hashing the joined bytes in one call
    # gives the digest that feeding them to update() one by one gave, faster.
    joined = [label]
    for part in parts:
        joined += (_length(len(part)), part)
    return sha256(b"".join(joined)).digest()


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


# Both chains' hashes cover 32-byte digests (the log's also a position), so
# their labels and those digests' length prefixes are constant.
_AGGREGATE = b"tickettape/aggregate/1" + _length(32)
_LOG = b"tickettape/log/1" + _length(32)
_DIGEST = _length(32)


class Rehashing:
    """The three hashes of event after event, each one sha256 call.

    What repeats from event to event (an originator's id, a version, a topic) is
    encoded once; the digests are those of event_hash, aggregate_hash and
    global_hash, which stay the definition.
    """

    def __init__(self) -> None:
        self._originators: dict[str, bytes] = {}
        self._numbers: dict[int, bytes] = {}
        self._topics: dict[str, bytes] = {}

    def hashes(
        self,
        by_aggregate: bytes,
        head: bytes,
        position: int,
        originator_id: str,
        version: int,
        topic: str,
        state: bytes,
    ) -> tuple[bytes, bytes, bytes]:
        """An event's own hash, and both chains' after it (from 32-byte hashes)."""
        start = self._originators.get(originator_id)
        if start is None:
            start = self._originators[originator_id] = b"tickettape/event/1" + (
                _part(originator_id.encode())
            )
        number = self._numbers.get(version)
        if number is None:
            number = self._numbers[version] = _part(str(version).encode())
        kind = self._topics.get(topic)
        if kind is None:
            kind = self._topics[topic] = _part(topic.encode())
        own = sha256(
            b"".join((start, number, kind, len(state).to_bytes(8, "big"), state))
        ).digest()
        at = str(position).encode()
        at_length = len(at).to_bytes(8, "big")
        return (
            own,
            sha256(b"".join((_AGGREGATE, by_aggregate, _DIGEST, own))).digest(),
            sha256(b"".join((_LOG, head, at_length, at, _DIGEST, own))).digest(),
        )


def _part(data: bytes) -> bytes:
    return _length(len(data)) + data


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
