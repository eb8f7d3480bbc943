"""What verify reports, the checks every event passes, and one aggregate's verify."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from domain.desk import HelpDesk
from domain.ids import ticket_id
from domain.ticket import Ticket
from replay.chain import GENESIS, aggregate_hash, event_hash
from replay.ledger import ChainLink, Ledger, StoredRecord


class Problem(StrEnum):
    """What is wrong with the first bad event."""

    MODIFIED = "modified"
    MISSING = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    VERSION_GAP = "version gap"
    CHAIN_ALTERED = "chain altered"
    TRUNCATED = "truncated"
    REWRITTEN = "rewritten"
    BAD_CHECKPOINT = "bad checkpoint"


@dataclass(frozen=True)
class Finding:
    """The first bad event (where one can be named) and what is wrong with it."""

    problem: Problem
    detail: str
    notification_id: int | None = None
    originator_id: str | None = None
    version: int | None = None


@dataclass(frozen=True)
class Verdict:
    """How many events matched their chain, up to where, and the first finding."""

    checked: int
    position: int
    head: bytes
    finding: Finding | None = None

    @property
    def clean(self) -> bool:
        """True when nothing was found wrong."""
        return self.finding is None


class Bad(Exception):
    """Raised at the first bad event; carries the finding."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.detail)
        self.finding = finding


def bad(problem: Problem, detail: str, at: StoredRecord | ChainLink) -> Bad:
    """The exception naming the event a problem was found at."""
    return Bad(
        Finding(problem, detail, at.notification_id, at.originator_id, at.version)
    )


def matched(record: StoredRecord, link: ChainLink, versions: dict[str, int]) -> bytes:
    """The record's event hash, once it and its version agree with the link."""
    own = event_hash(record)
    if own != link.event_hash:
        raise bad(
            Problem.MODIFIED,
            "its stored record (payload, timestamp or type) no longer hashes to "
            "the chained value",
            record,
        )
    previous = versions.get(record.originator_id, 0)
    if record.version != previous + 1:
        raise bad(
            Problem.VERSION_GAP,
            f"it follows version {previous} of its aggregate: an event in between "
            "is missing, or this one was added out of order",
            record,
        )
    versions[record.originator_id] = record.version
    return own


def verify_aggregate(ledger: Ledger, originator_id: str) -> Verdict:
    """Recompute one aggregate's chain (not the global one) and compare it."""
    records = {r.version: r for r in ledger.records_of(originator_id)}
    links = {k.version: k for k in ledger.links_of(originator_id)}
    versions: dict[str, int] = {}
    previous = GENESIS
    checked = 0
    try:
        for version in sorted(records.keys() | links.keys()):
            record, link = records.get(version), links.get(version)
            if link is None:
                raise bad(
                    Problem.INSERTED,
                    "the chain never had this version",
                    records[version],
                )
            if record is None:
                raise bad(Problem.MISSING, "the log no longer has this version", link)
            if record.notification_id != link.notification_id:
                raise bad(
                    Problem.REORDERED,
                    f"the chain has it at position {link.notification_id}",
                    record,
                )
            previous = aggregate_hash(previous, matched(record, link, versions))
            if previous != link.aggregate_hash:
                raise bad(Problem.CHAIN_ALTERED, "its chain record was altered", link)
            checked += 1
    except Bad as stop:
        return Verdict(checked, 0, previous, stop.finding)
    return Verdict(checked, 0, previous)


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
