"""Verify the archive: every event's seal, and the chain recomputed from the events.

Walks the events, seals and chain links side by side in log order, up to the last
position any of them names, and stops at the first position that is not as it was
written: an event without a valid seal (inserted, copied or altered), a seal or a
link whose event is gone, a version gap, a link that does not follow the one
before it. Verify only reads: it never seals or chains anything, so an event the
keeper has not chained yet passes on its seal alone. A signed checkpoint then
catches what removing whole rows at the log's end hides: a truncated tail.
"""

from __future__ import annotations

from collections.abc import Iterable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from replay.chain import (
    BATCH,
    GENESIS,
    Rehashing,
    aggregate_hash,
    event_hash,
    global_hash,
    link_problem,
    seal_finding,
    skipped,
    version_gap,
)
from replay.checkpoint import Checkpoint, signature_problem
from replay.ledger import Ledger
from replay.mending import Mending
from replay.records import (
    ChainLink,
    EventRow,
    EventSeal,
    LinkRow,
    Page,
    SealRow,
    StoredRecord,
    canonical,
    link_of,
    record_of,
    seal_of,
)
from replay.seals import Keyring, event_message, link_message, mac
from replay.verdicts import Bad, Finding, Problem, Verdict, bad


class _Walk:
    """The recomputation of both chains along the log, with the checkpoint's test."""

    def __init__(
        self,
        ledger: Ledger,
        keyring: Keyring,
        checkpoint: Checkpoint | None,
        mending: Mending | None = None,
    ) -> None:
        self.ledger = ledger
        self.keyring = keyring
        self.checkpoint = checkpoint
        self.mending = mending
        self.versions: dict[str, int] = {}
        self.aggregates: dict[str, bytes] = {}
        self.count = 0
        self.unchained = 0
        self.position = 0
        self.head = GENESIS
        # The last chained event: the link after it must say it follows it.
        self.previous: tuple[int, str | None, int | None] = (0, None, None)
        self.rehashing = Rehashing()
        # Each originator id as stored, in the one spelling records carry.
        self.names: dict[object, str] = {}
        head = ledger.head()
        self.chain_end = 0 if head is None else head.notification_id
        self.log_end = ledger.last_event()
        # Resumed at a checkpoint: the position, and the aggregates whose last
        # link before it has been read (or found missing) already.
        self.resumed_at: int | None = None
        self.asked: set[str] = set()

    def resume(self, checkpoint: Checkpoint) -> None:
        """Start at a trusted checkpoint: its count, and its chain head, which the
        link signed at its position must still end in."""
        at = checkpoint.position
        if at == 0 and (checkpoint.head, checkpoint.count) == (GENESIS.hex(), 0):
            # Signed over an empty log: everything came after it.
            self.resumed_at = 0
            return
        found = self.ledger.links(at - 1, at, 1) if at > 0 else []
        link = found[0] if found else None
        if (
            link is None
            or link.global_hash.hex() != checkpoint.head
            or link_problem(self.keyring, link) is not None
        ):
            raise Bad(
                Finding(
                    Problem.REWRITTEN,
                    f"the checkpoint of {checkpoint.at} was signed at position {at}, "
                    "whose chain link is gone or no longer the one it signed",
                    at,
                )
            )
        self.resumed_at, self.count = at, checkpoint.count
        self.head, self.position = link.global_hash, at
        self.previous = (at, link.originator_id, link.version)
        self.versions[link.originator_id] = link.version
        self.aggregates[link.originator_id] = link.aggregate_hash
        self.asked.add(link.originator_id)

    def along(self, page: Page) -> None:
        """Check every position of a page, events and orphaned seals or links."""
        events, seals, links = page.events, page.seals, page.links
        if self.resumed_at is not None:
            self._known_before(events.values())
        if events.keys() == seals.keys() == links.keys():
            positions = list(events)
        else:
            positions = sorted(events.keys() | seals.keys() | links.keys())
        for at in positions:
            row, sealed, linked = events.get(at), seals.get(at), links.get(at)
            if row and sealed and linked and self._plain(row, sealed, linked):
                continue
            seal = None if sealed is None else seal_of(sealed)
            link = None if linked is None else link_of(linked)
            if row is None:
                self._gone(seal or link, at)
            else:
                self._strictly(record_of(row), seal, link)

    def _known_before(self, rows: Iterable[EventRow]) -> None:
        """Where the aggregates of these events stood at the checkpoint resumed
        from: the version and chain hash of each one's last link before it,
        whose own seal must hold (an aggregate without one starts there)."""
        assert self.resumed_at is not None
        names = {canonical(row[1]) for row in rows} - self.asked
        if not names:
            return
        self.asked |= names
        for link in self.ledger.last_links(sorted(names), self.resumed_at):
            problem = link_problem(self.keyring, link)
            if problem is not None:
                raise bad(*problem, link)
            self.versions[link.originator_id] = link.version
            self.aggregates[link.originator_id] = link.aggregate_hash

    def _plain(self, row: EventRow, sealed: SealRow, linked: LinkRow) -> bool:
        """Check an event whose seal and link are there and hold; False if not.

        Reads the rows as stored, for speed; anything unusual goes the strict way.
        """
        at, stored, version, topic, state = row
        _, seal_owner, seal_version, seal_key, seal = sealed
        _, owner, link_version, own, joined, head, after = linked[:7]
        link_key, link_seal = linked[9], linked[10]
        name = self.names.get(stored) or self.names.setdefault(
            stored, canonical(stored)
        )
        cp = self.checkpoint
        if (
            (cp is not None and self.position < cp.position <= at)
            or type(state) is not bytes
            or type(version) is not int
            or type(topic) is not str
            or seal_owner != stored
            or seal_version != version
            or owner != name
            or link_version != version
            or version != self.versions.get(name, 0) + 1
            or after != self.previous[0]
        ):
            return False
        secret = self.keyring.secret_at(seal_key, at)
        link_secret = self.keyring.secret_at(link_key, at) if link_key else None
        if secret is None or link_secret is None or link_seal is None:
            return False
        hashed = self.rehashing.hashes(
            self.aggregates.get(name, GENESIS),
            self.head,
            at,
            name,
            version,
            topic,
            state,
        )
        followed = (after, linked[7], linked[8])
        if (
            hashed != (own, joined, head)
            or mac(secret, event_message(at, hashed[0])) != seal
            or mac(link_secret, link_message(at, followed, hashed)) != link_seal
        ):
            return False
        self.versions[name] = version
        self.aggregates[name] = hashed[1]
        self.head, self.position = hashed[2], at
        self.previous = (at, name, version)
        self.count += 1
        return True

    def _strictly(
        self, record: StoredRecord, seal: EventSeal | None, link: ChainLink | None
    ) -> None:
        """Check one event step by step, naming exactly what is wrong with it."""
        self._past_checkpoint(record.notification_id)
        own = event_hash(record)
        self._sealed(record, seal, link, own)
        previous = self.versions.get(record.originator_id, 0)
        if record.version != previous + 1:
            raise version_gap(record, previous)
        self.versions[record.originator_id] = record.version
        if link is None:
            cp = self.checkpoint
            if record.notification_id < self.chain_end or (
                cp is not None and record.notification_id <= cp.position
            ):
                raise skipped(record)
            self.unchained += 1
            return
        self._linked(record, link, own)

    def _sealed(
        self,
        record: StoredRecord,
        seal: EventSeal | None,
        link: ChainLink | None,
        own: bytes,
    ) -> None:
        if seal is not None and (seal.originator_id, seal.version) != (
            record.originator_id,
            record.version,
        ):
            raise misplaced(self.ledger, record, seal)
        mending = self.mending
        if (
            seal is None
            and mending
            and mending.adopt(record, link, own, self.chain_end)
        ):
            return
        finding = seal_finding(self.keyring, record, seal, own)
        if finding is None:
            return
        if seal is not None and finding.problem is Problem.MODIFIED:
            copied = [
                at
                for at in self.ledger.positions_of_seal(seal.seal)
                if at != record.notification_id
            ]
            if copied:
                raise bad(
                    Problem.INSERTED,
                    f"its seal was copied from the event at position {copied[0]}: "
                    "it was written by someone without the seal key",
                    record,
                )
            if (
                link is not None
                and link.event_hash == own
                and link_problem(self.keyring, link) is None
            ):
                raise bad(
                    Problem.BAD_SEAL,
                    "the event still matches its chain link but not its seal: the "
                    "seal was altered",
                    record,
                )
        raise Bad(finding)

    def _linked(self, record: StoredRecord, link: ChainLink, own: bytes) -> None:
        """Check the chain link of an event whose seal holds."""
        if (link.originator_id, link.version) != (record.originator_id, record.version):
            raise bad(
                Problem.CHAIN_ALTERED,
                f"the chain's link at this position is for {link.originator_id} "
                f"version {link.version}",
                record,
            )
        if link.event_hash != own:
            raise bad(
                Problem.CHAIN_ALTERED,
                "the chain's record of this event was altered",
                record,
            )
        problem = link_problem(self.keyring, link)
        if problem is None:
            self._follows(record, link)
        elif problem[0] is Problem.UNSEALED and self.mending is not None:
            link = self.mending.seal_link(link, self.previous)
        else:
            raise bad(*problem, record)
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
        self._chained(link)

    def _follows(self, record: StoredRecord, link: ChainLink) -> None:
        """The link must follow the last chained event, or one was removed."""
        after = link.previous_id or 0
        if after == self.previous[0]:
            return
        if after > self.previous[0]:
            raise Bad(
                Finding(
                    Problem.MISSING,
                    f"the event at position {after} was removed with its seal and "
                    f"chain link: the chain's link at position "
                    f"{record.notification_id} follows it",
                    after,
                    link.previous_originator_id,
                    link.previous_version,
                )
            )
        raise bad(
            Problem.CHAIN_ALTERED,
            f"its chain link follows position {after}, but the chain before it "
            f"ends at position {self.previous[0]}",
            record,
        )

    def _chained(self, link: ChainLink) -> None:
        self.aggregates[link.originator_id] = link.aggregate_hash
        self.head, self.position = link.global_hash, link.notification_id
        self.previous = (link.notification_id, link.originator_id, link.version)
        self.count += 1
        cp = self.checkpoint
        if cp is not None and self.position == cp.position:
            self._at_checkpoint(cp)

    def _gone(self, left: EventSeal | ChainLink | None, at: int) -> None:
        """A position whose seal or link remains but whose event does not."""
        if left is None:
            return
        self._past_checkpoint(at)
        kind = "seal" if isinstance(left, EventSeal) else "chain link"
        if at > self.log_end:
            raise bad(
                Problem.TRUNCATED,
                f"the log ends at position {self.log_end}; its {kind} records an "
                "event here: the tail was removed",
                left,
            )
        raise bad(
            Problem.MISSING,
            f"the log no longer has this event; its {kind} remains",
            left,
        )

    def finish(self) -> None:
        """After the last position: the checkpoint must not lie beyond it."""
        cp = self.checkpoint
        if cp is not None and cp.position > self.position:
            raise Bad(
                Finding(
                    Problem.TRUNCATED,
                    f"the checkpoint of {cp.at} covers {cp.count} events up to "
                    f"position {cp.position}, but the chain ends at position "
                    f"{self.position} with {self.count}: its tail was removed",
                    cp.position,
                )
            )

    def _past_checkpoint(self, position: int) -> None:
        cp = self.checkpoint
        if cp is not None and self.position < cp.position < position:
            raise Bad(
                Finding(
                    Problem.REWRITTEN,
                    f"the checkpoint of {cp.at} was signed at position {cp.position}, "
                    "which holds no chained event any more: events were removed and "
                    "the chain recomputed",
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


def misplaced(ledger: Ledger, record: StoredRecord, seal: EventSeal) -> Bad:
    """An event lying where another event's seal was written: moved, or forged."""
    told = f"the seal here is for {seal.originator_id} version {seal.version}"
    own = ledger.seal_of(record.originator_id, record.version)
    if own is None:
        return bad(
            Problem.UNSEALED,
            f"it carries no seal ({told}): it was written by someone without the "
            "seal key",
            record,
        )
    return bad(
        Problem.REORDERED,
        f"it was sealed at position {own.notification_id}, and {told}",
        record,
    )


def verify_log(
    ledger: Ledger,
    keyring: Keyring,
    checkpoint: Checkpoint | None = None,
    key: Ed25519PublicKey | None = None,
    batch: int = BATCH,
) -> Verdict:
    """Check every seal and link, recompute the chain, compare with the checkpoint."""
    if checkpoint is not None:
        if key is None:
            raise ValueError("checking a checkpoint needs the public key")
        forged = _forged(checkpoint, key)
        if forged is not None:
            return forged
    return walk_log(ledger, _Walk(ledger, keyring, checkpoint), batch)


def verify_since(
    ledger: Ledger,
    keyring: Keyring,
    checkpoint: Checkpoint,
    key: Ed25519PublicKey,
    batch: int = BATCH,
) -> Verdict:
    """Check what was written after a signed checkpoint: every seal and link
    after it, both chains recomputed on from where it left them. What lies
    before it is taken as the checkpoint vouches for it (verify_log checks it)."""
    forged = _forged(checkpoint, key)
    if forged is not None:
        return forged
    walk = _Walk(ledger, keyring, checkpoint)
    try:
        walk.resume(checkpoint)
    except Bad as failed:
        return Verdict(0, 0, GENESIS, failed.finding)
    return walk_log(ledger, walk, batch)


def _forged(checkpoint: Checkpoint, key: Ed25519PublicKey) -> Verdict | None:
    """The verdict on a checkpoint whose signature does not hold; None if it does."""
    problem = signature_problem(checkpoint, key)
    if problem is None:
        return None
    finding = Finding(
        Problem.BAD_CHECKPOINT,
        f"the checkpoint of {checkpoint.at} at position "
        f"{checkpoint.position}: {problem}",
    )
    return Verdict(0, 0, GENESIS, finding)


def mend_log(ledger: Ledger, keyring: Keyring, mending: Mending, batch: int) -> Verdict:
    """Walk the log as verify does, sealing what `mending` adopts, page by page."""
    return walk_log(ledger, _Walk(ledger, keyring, None, mending), batch)


def walk_log(ledger: Ledger, walk: _Walk, batch: int) -> Verdict:
    """Walk every page of the log; the verdict at its end or at the first finding."""
    stop = ledger.end()
    after = walk.resumed_at or 0
    finding = None
    try:
        while after < stop:
            page = ledger.page(after, stop, batch)
            walk.along(page)
            after = page.reach
            if walk.mending is not None:
                walk.mending.flush(ledger)
        walk.finish()
    except Bad as failed:
        finding = failed.finding
    if walk.mending is not None:
        walk.mending.flush(ledger)
    return Verdict(walk.count, walk.position, walk.head, finding, walk.unchained)
