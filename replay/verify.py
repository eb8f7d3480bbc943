"""Verify the archive: recompute the chain from the stored events and compare.

Walks the events table and the chain table side by side in log order, and stops at
the first event that is not as chained: altered, deleted, inserted, reordered, or
whose chain record was altered. A signed checkpoint then catches what a consistent
rewrite of both tables hides: a truncated tail, or a recomputed chain.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from replay.chain import BATCH, GENESIS, Rehashing, aggregate_hash, global_hash
from replay.checkpoint import Checkpoint, signature_problem
from replay.findings import Bad, Finding, Problem, Verdict, bad, matched
from replay.ledger import (
    END,
    ChainLink,
    Ledger,
    Position,
    StoredRecord,
    canonical,
    split,
)


class _Walk:
    """The recomputation of both chains along the log, with the checkpoint's test."""

    def __init__(self, ledger: Ledger, checkpoint: Checkpoint | None) -> None:
        self.ledger = ledger
        self.checkpoint = checkpoint
        self.versions: dict[str, int] = {}
        self.aggregates: dict[str, bytes] = {}
        self.count = 0
        self.position = 0
        self.head = GENESIS
        self.rehashing = Rehashing()
        # Each originator id as stored, in the one spelling records carry.
        self.names: dict[object, str] = {}

    def along(self, positions: list[Position]) -> None:
        """Check a page of log positions; the plain event's checks inline.

        An event is plain when it and its link are there, typed as stored, and
        match; anything else (or the checkpoint's position) goes through the
        step-by-step checks, which name what is wrong exactly as they always did.
        """
        names, versions, aggregates = self.names, self.versions, self.aggregates
        hashes = self.rehashing.hashes
        mark = -1 if self.checkpoint is None else self.checkpoint.position
        for position in positions:
            at, stored, version, topic, state, chained, number, own, joined, head = (
                position
            )
            plain = (
                stored is not None
                and chained is not None
                and type(version) is int
                and type(topic) is str
                and type(state) is bytes
                and not self.position < mark <= at
            )
            if plain:
                name = names.get(stored) or names.setdefault(stored, canonical(stored))
                plain = (
                    name == chained and version == number == versions.get(name, 0) + 1
                )
            if plain:
                hashed = hashes(
                    aggregates.get(name, GENESIS),
                    self.head,
                    at,
                    name,
                    version,
                    topic,
                    state,
                )
                plain = hashed == (own, joined, head)
            if not plain:
                self._strictly(position)
                continue
            versions[name] = version
            aggregates[name] = hashed[1]
            self.head, self.position, self.count = hashed[2], at, self.count + 1

    def _strictly(self, position: Position) -> None:
        record, link = split(position)
        if link is None and record is not None:
            self.inserted(record)
        elif record is None and link is not None:
            self.missing(link)
        elif record is not None and link is not None:
            self.step(record, link)

    def inserted(self, record: StoredRecord) -> None:
        """A log position the chain does not have."""
        self._past_checkpoint(record.notification_id)
        raise bad(
            Problem.INSERTED,
            "the log has an event at a position the chain never recorded",
            record,
        )

    def step(self, record: StoredRecord, link: ChainLink) -> None:
        """Check one log position that both the log and the chain have."""
        self._past_checkpoint(record.notification_id)
        if (record.originator_id, record.version) != (link.originator_id, link.version):
            self._misplaced(record, link)
        own = matched(record, link, self.versions)
        by_aggregate = aggregate_hash(
            self.aggregates.get(record.originator_id, GENESIS), own
        )
        head = global_hash(self.head, record.notification_id, own)
        if (by_aggregate, head) != (link.aggregate_hash, link.global_hash):
            raise bad(
                Problem.CHAIN_ALTERED,
                "the chain table's record of this event was altered",
                record,
            )
        self.aggregates[record.originator_id] = by_aggregate
        self.head, self.position, self.count = (
            head,
            record.notification_id,
            self.count + 1,
        )
        if self.checkpoint is not None and self.position == self.checkpoint.position:
            self._at_checkpoint(self.checkpoint)

    def finish(self) -> None:
        """After the last event: the checkpoint must not lie beyond it."""
        cp = self.checkpoint
        if cp is not None and cp.position > self.position:
            raise Bad(
                Finding(
                    Problem.TRUNCATED,
                    f"the checkpoint of {cp.at} covers {cp.count} events up to "
                    f"position {cp.position}, but the archive ends at position "
                    f"{self.position} with {self.count}: its tail was removed",
                    cp.position,
                )
            )

    def missing(self, link: ChainLink) -> None:
        """A chained event the log no longer has."""
        if self.ledger.records(link.notification_id, END, 1):
            raise bad(
                Problem.MISSING,
                "the chain records this event but the log no longer has it",
                link,
            )
        raise bad(
            Problem.TRUNCATED,
            f"the log ends at position {self.position}; the chain records events "
            "from here on: the tail was removed",
            link,
        )

    def _misplaced(self, record: StoredRecord, link: ChainLink) -> None:
        chained = self.ledger.link_of(record.originator_id, record.version)
        told = f"the chain has version {link.version} of {link.originator_id} here"
        if chained is None:
            raise bad(Problem.INSERTED, f"{told} and never had this event", record)
        raise bad(
            Problem.REORDERED,
            f"{told} and this event at position {chained.notification_id}",
            record,
        )

    def _past_checkpoint(self, position: int) -> None:
        cp = self.checkpoint
        if cp is not None and self.position < cp.position < position:
            raise Bad(
                Finding(
                    Problem.REWRITTEN,
                    f"the checkpoint of {cp.at} was signed at position {cp.position}, "
                    "which holds no event any more: events were removed and the "
                    "chain recomputed",
                    cp.position,
                )
            )

    def _at_checkpoint(self, cp: Checkpoint) -> None:
        if (self.head.hex(), self.count) != (cp.head, cp.count):
            raise Bad(
                Finding(
                    Problem.REWRITTEN,
                    f"the events up to position {cp.position} no longer match the "
                    f"checkpoint of {cp.at} ({self.count} events with chain head "
                    f"{self.head.hex()[:16]}, signed: {cp.count} with "
                    f"{cp.head[:16]}): they were rewritten and the chain recomputed",
                    cp.position,
                )
            )


def verify_log(
    ledger: Ledger,
    checkpoint: Checkpoint | None = None,
    key: Ed25519PublicKey | None = None,
    batch: int = BATCH,
) -> Verdict:
    """Recompute the whole chain, compare it with the stored one and the checkpoint."""
    if checkpoint is not None:
        if key is None:
            raise ValueError("checking a checkpoint needs the public key")
        problem = signature_problem(checkpoint, key)
        if problem is not None:
            finding = Finding(
                Problem.BAD_CHECKPOINT,
                f"the checkpoint of {checkpoint.at} at position "
                f"{checkpoint.position}: {problem}",
            )
            return Verdict(0, 0, GENESIS, finding)
    head = ledger.head()
    stop = 0 if head is None else head.notification_id
    walk = _Walk(ledger, checkpoint)
    after = 0
    try:
        while after < stop:
            positions, after = ledger.positions(after, stop, batch)
            walk.along(positions)
        walk.finish()
    except Bad as failed:
        return Verdict(walk.count, walk.position, walk.head, failed.finding)
    return Verdict(walk.count, walk.position, walk.head)
