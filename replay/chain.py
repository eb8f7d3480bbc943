"""The hash chain over the stored events, and the appender that extends it.

Each event's hash covers its stored record: originator id, version, topic and the
state bytes (payload and timestamp). The aggregate chain links it to the previous
event of the same aggregate; the global chain links it, with its notification id,
to the previous event of the whole log. The aggregate chain leaves log positions
out, so an archive restored into an empty store keeps every aggregate hash.

Each link also names the link it follows and carries a seal (replay/seals.py), so
only a holder of the seal key can write a link that verify accepts; and a link is
made only for an event whose own seal holds.
"""

from __future__ import annotations

from hashlib import sha256

from replay.ledger import Ledger
from replay.records import ChainLink, EventSeal, StoredRecord
from replay.seals import Keyring, event_message, link_message
from replay.verdicts import Bad, Finding, Problem, bad

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


def seal_finding(
    keyring: Keyring, record: StoredRecord, seal: EventSeal | None, own: bytes
) -> Finding | None:
    """What is wrong with a stored event's seal, if anything (verify names more)."""
    if seal is None:
        return bad(
            Problem.UNSEALED,
            "it carries no seal: it was written by someone without the seal key",
            record,
        ).finding
    if (seal.originator_id, seal.version) != (record.originator_id, record.version):
        return bad(
            Problem.MODIFIED,
            f"the seal at its position is for {seal.originator_id} version "
            f"{seal.version}",
            record,
        ).finding
    position = record.notification_id
    problem = keyring.key_problem(seal.key_id, position)
    if problem is not None:
        return bad(Problem.BAD_SEAL, problem, record).finding
    if not keyring.holds(seal.key_id, event_message(position, own), seal.seal):
        return bad(
            Problem.MODIFIED,
            "its stored record (payload, timestamp or type) no longer matches the "
            "seal it was written with",
            record,
        ).finding
    return None


def skipped(record: StoredRecord) -> Bad:
    """A sealed event the chain passed over: its link was removed."""
    return bad(
        Problem.CHAIN_ALTERED,
        "the chain skips this sealed event: its chain link was removed",
        record,
    )


def version_gap(record: StoredRecord, previous: int) -> Bad:
    """An event that does not follow its aggregate's version before it."""
    return bad(
        Problem.VERSION_GAP,
        f"it follows version {previous} of its aggregate: "
        + (
            f"version {previous + 1} is missing, removed with its seal and chain link"
            if record.version > previous + 1
            else "it repeats a version"
        ),
        record,
    )


def link_problem(keyring: Keyring, link: ChainLink) -> tuple[Problem, str] | None:
    """Why a chain link's own seal does not hold; None if it does."""
    if link.key_id is None or link.seal is None or link.previous_id is None:
        return (
            Problem.UNSEALED,
            "its chain link carries no seal (a store chained before links were "
            "sealed: run `tickettape seal existing` once)",
        )
    problem = keyring.key_problem(link.key_id, link.notification_id)
    if problem is not None:
        return Problem.BAD_SEAL, f"its chain link: {problem}"
    if not keyring.holds(link.key_id, link_message_of(link), link.seal):
        return (
            Problem.CHAIN_ALTERED,
            "its chain link was altered or forged: the link's seal does not match",
        )
    return None


def link_message_of(link: ChainLink) -> bytes:
    """What a link's seal covers."""
    return link_message(
        link.notification_id,
        (link.previous_id or 0, link.previous_originator_id, link.previous_version),
        (link.event_hash, link.aggregate_hash, link.global_hash),
    )


def sealed_link(
    keyring: Keyring,
    record: StoredRecord,
    previous: tuple[int, str | None, int | None],
    hashes: tuple[bytes, bytes, bytes],
) -> ChainLink:
    """The chain link of a record, following `previous`, sealed with the keyring."""
    key_id, seal = keyring.sign(link_message(record.notification_id, previous, hashes))
    return ChainLink(
        record.notification_id,
        record.originator_id,
        record.version,
        *hashes,
        previous[0],
        previous[1],
        previous[2],
        key_id,
        seal,
    )


class Linker:
    """Makes the links that extend the chain; it never chains an event whose seal
    does not hold, or that does not follow its aggregate's last chained version."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def __call__(
        self,
        head: ChainLink | None,
        last: dict[str, tuple[int, bytes]],
        records: list[StoredRecord],
        seals: dict[int, EventSeal],
    ) -> tuple[list[ChainLink], Finding | None]:
        """The links for records following the head, and what stopped them."""
        previous: tuple[int, str | None, int | None] = (0, None, None)
        top = GENESIS
        if head is not None:
            problem = link_problem(self.keyring, head)
            if problem is not None:
                return [], bad(*problem, head).finding
            previous = (head.notification_id, head.originator_id, head.version)
            top = head.global_hash
        links: list[ChainLink] = []
        for record in records:
            own = event_hash(record)
            stopped = seal_finding(
                self.keyring, record, seals.get(record.notification_id), own
            )
            version, chained = last.get(record.originator_id, (0, GENESIS))
            if stopped is None and record.version != version + 1:
                stopped = bad(
                    Problem.VERSION_GAP,
                    f"it follows version {version} of its aggregate in the chain",
                    record,
                ).finding
            if stopped is not None:
                return links, stopped
            by_aggregate = aggregate_hash(chained, own)
            top = global_hash(top, record.notification_id, own)
            links.append(
                sealed_link(self.keyring, record, previous, (own, by_aggregate, top))
            )
            last[record.originator_id] = (record.version, by_aggregate)
            previous = (record.notification_id, record.originator_id, record.version)
        return links, None


def extend_chain(
    ledger: Ledger, keyring: Keyring, batch: int = BATCH
) -> tuple[int, Finding | None]:
    """Chain every sealed event stored after the chain's head.

    How many were chained, and the event the chain stopped at, if it stopped.
    """
    total = 0
    linker = Linker(keyring)
    while True:
        added, stopped = ledger.append(batch, linker)
        total += added
        if stopped is not None or not added:
            return total, stopped
