"""The one-time sealing of a store written before events were sealed.

Such a store has a hash chain (kept by the chain keeper since it was made) but no
seals. Mending walks the log exactly as verify does and seals an event only where
it still matches the link the chain made for it when it was written, and seals
each such link with what it follows. An unchained event is sealed only when the
operator says so (`--include-unchained`): nothing vouches for it but their word.
Verify's first finding stops the mending there; what was sealed before it stays.
"""

from __future__ import annotations

from replay.chain import sealed_link
from replay.ledger import Ledger
from replay.records import ChainLink, EventSeal, StoredRecord
from replay.seals import Keyring, event_message
from replay.verdicts import Problem, bad


class Mending:
    """Collects the seals an older store's verified events and links need."""

    def __init__(self, keyring: Keyring, include_unchained: bool) -> None:
        self.keyring = keyring
        self.include_unchained = include_unchained
        self.seals: list[EventSeal] = []
        self.links: list[ChainLink] = []
        self.sealed_events = 0
        self.sealed_links = 0

    def adopt(
        self, record: StoredRecord, link: ChainLink | None, own: bytes, chain_end: int
    ) -> bool:
        """Seal an unsealed event if its chain link vouches for it; False if not."""
        if link is None:
            if not self.include_unchained or record.notification_id < chain_end:
                return False
        elif (link.originator_id, link.version, link.event_hash) != (
            record.originator_id,
            record.version,
            own,
        ):
            raise bad(
                Problem.MODIFIED,
                "it no longer matches the chain link made when it was written",
                record,
            )
        key_id, seal = self.keyring.sign(event_message(record.notification_id, own))
        self.seals.append(
            EventSeal(
                record.notification_id,
                record.originator_id,
                record.version,
                key_id,
                seal,
            )
        )
        return True

    def seal_link(
        self, link: ChainLink, previous: tuple[int, str | None, int | None]
    ) -> ChainLink:
        """The link sealed, following the last chained event."""
        record = StoredRecord(
            link.notification_id, link.originator_id, link.version, "", b""
        )
        sealed = sealed_link(
            self.keyring,
            record,
            previous,
            (link.event_hash, link.aggregate_hash, link.global_hash),
        )
        self.links.append(sealed)
        return sealed

    def flush(self, ledger: Ledger) -> None:
        """Write what was collected, in one transaction."""
        if self.seals or self.links:
            ledger.add_seals(self.seals, self.links)
            self.sealed_events += len(self.seals)
            self.sealed_links += len(self.links)
            self.seals, self.links = [], []
