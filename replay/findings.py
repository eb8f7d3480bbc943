"""One aggregate's verify, and a finding's aggregate in helpdesk words."""

from __future__ import annotations

from uuid import UUID

from domain.desk import HelpDesk
from domain.ids import ticket_id
from domain.ticket import Ticket
from replay.chain import (
    GENESIS,
    aggregate_hash,
    event_hash,
    link_problem,
    seal_finding,
    skipped,
    version_gap,
)
from replay.ledger import Ledger
from replay.records import ChainLink, EventSeal, StoredRecord
from replay.seals import Keyring
from replay.verdicts import Bad, Finding, Problem, Verdict, bad


class _Stream:
    """One aggregate's events, seals and links by version, checked in order."""

    def __init__(self, ledger: Ledger, keyring: Keyring, originator_id: str) -> None:
        self.ledger = ledger
        self.keyring = keyring
        self.originator_id = originator_id
        self.records = {r.version: r for r in ledger.records_of(originator_id)}
        self.seals = {s.version: s for s in ledger.seals_of(originator_id)}
        self.links = {k.version: k for k in ledger.links_of(originator_id)}
        head = ledger.head()
        self.chain_end = 0 if head is None else head.notification_id
        self.version = 0
        self.chained = GENESIS
        self.checked = 0
        self.unchained = 0

    def check(self) -> None:
        """Every version in order, then what the chain says came after the last."""
        for version in sorted(
            self.records.keys() | self.seals.keys() | self.links.keys()
        ):
            record = self.records.get(version)
            seal, link = self.seals.get(version), self.links.get(version)
            if record is None:
                gone = "the log no longer has this version; its"
                if seal is not None:
                    raise bad(Problem.MISSING, f"{gone} seal remains", seal)
                if link is not None:
                    raise bad(Problem.MISSING, f"{gone} chain link remains", link)
                continue
            self._version(record, seal, link)
        self._nothing_after()

    def _version(
        self, record: StoredRecord, seal: EventSeal | None, link: ChainLink | None
    ) -> None:
        own = event_hash(record)
        if seal is not None and seal.notification_id != record.notification_id:
            raise bad(
                Problem.REORDERED,
                f"it was sealed at position {seal.notification_id}",
                record,
            )
        finding = seal_finding(self.keyring, record, seal, own)
        if finding is not None:
            raise Bad(finding)
        if record.version != self.version + 1:
            self._gap(record)
        self.version = record.version
        if link is None:
            if record.notification_id < self.chain_end:
                raise skipped(record)
            self.unchained += 1
            return
        if link.notification_id != record.notification_id:
            raise bad(
                Problem.REORDERED,
                f"the chain has it at position {link.notification_id}",
                record,
            )
        if link.event_hash != own:
            raise bad(Problem.CHAIN_ALTERED, "its chain record was altered", record)
        problem = link_problem(self.keyring, link)
        if problem is not None:
            raise bad(*problem, record)
        self.chained = aggregate_hash(self.chained, own)
        if self.chained != link.aggregate_hash:
            raise bad(Problem.CHAIN_ALTERED, "its chain record was altered", record)
        self.checked += 1

    def _gap(self, record: StoredRecord) -> None:
        """A version is missing: named by the link that followed it, if one did."""
        missing = self.version + 1
        after = self.ledger.link_following(self.originator_id, missing)
        if (
            record.version > missing
            and after is not None
            and link_problem(self.keyring, after) is None
        ):
            raise Bad(
                Finding(
                    Problem.MISSING,
                    f"version {missing} was removed with its seal and chain link: "
                    f"the chain's link at position {after.notification_id} follows it",
                    after.previous_id,
                    self.originator_id,
                    missing,
                )
            )
        raise version_gap(record, self.version)

    def _nothing_after(self) -> None:
        """A sealed link that follows a later version than the log has: removed."""
        after = self.ledger.link_after(self.originator_id)
        if (
            after is None
            or (after.previous_version or 0) <= self.version
            or link_problem(self.keyring, after) is not None
        ):
            return
        raise Bad(
            Finding(
                Problem.MISSING,
                f"version {after.previous_version} was removed with its seal and "
                f"chain link: the chain's link at position {after.notification_id} "
                "follows it",
                after.previous_id,
                self.originator_id,
                after.previous_version,
            )
        )


def verify_aggregate(ledger: Ledger, keyring: Keyring, originator_id: str) -> Verdict:
    """Check one aggregate's seals and chain (not the global one's recomputation)."""
    stream = _Stream(ledger, keyring, originator_id)
    try:
        stream.check()
    except Bad as stop:
        return Verdict(
            stream.checked, 0, stream.chained, stop.finding, stream.unchained
        )
    return Verdict(stream.checked, 0, stream.chained, None, stream.unchained)


def describe(desk: HelpDesk, originator_id: str) -> str:
    """The aggregate in helpdesk words: `ticket NUMBER`, or its kind and id."""
    try:
        uid = UUID(originator_id)
    except ValueError:
        return f"aggregate {originator_id!r}"
    try:
        first = desk.recorder.select_events(uid, lte=1)
        event = desk.mapper.to_domain_event(first[0]) if first else None
    # A tampered record can fail to decode in any way; the id still names it.
    except Exception:
        event = None
    if isinstance(event, Ticket.Created) and ticket_id(event.number) == uid:
        return f"ticket {event.number} (aggregate {uid})"
    if event is not None:
        return f"{type(event).__qualname__.split('.')[0]} {uid}"
    return f"aggregate {uid}"
