"""The desk's SLA reading: a ticket's clocks now or as they stood at a moment.

The clocks are folded from the ticket's events (domain/sla_timeline.py) and read
under the SLA book of the same moment: the policies and calendars as their
records stood then. Nothing here writes; the escalation worker's command
(`RecordSlaMarks`) uses the same reading to decide what to record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.calendars import BusinessCalendar
from domain.errors import NotFound
from domain.ids import ticket_id
from domain.sla_book import Applied, SlaBook
from domain.sla_clocks import ClockReading, read_clocks
from domain.sla_policies import SlaPolicy
from domain.sla_timeline import Timeline, timeline_of

if TYPE_CHECKING:
    from domain.desk.configuration import ConfiguredDesk

A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class SlaReport:
    """A ticket's clocks at a moment, and the policy they ran under (None: none)."""

    number: str
    at: datetime
    applied: Applied | None
    timeline: Timeline
    clocks: tuple[ClockReading, ...]


def sla_book(desk: ConfiguredDesk, as_of: datetime | None = None) -> SlaBook:
    """The policies and calendars as they stand, or as they stood at `as_of`."""
    policies = _records(desk, SlaPolicy, as_of)
    calendars = _records(desk, BusinessCalendar, as_of)
    return SlaBook(
        tuple(policy.rules() for policy in policies),
        {calendar.name: calendar.hours() for calendar in calendars},
    )


def ticket_timeline(
    desk: ConfiguredDesk, number: str, as_of: datetime | None = None
) -> Timeline:
    """The ticket's timeline from its events (up to `as_of`); NotFound if none."""
    events = _events_until(desk, ticket_id(number), as_of)
    if not events:
        raise NotFound(f"ticket {number} not found")
    return timeline_of(events)


def sla_report(
    desk: ConfiguredDesk,
    number: str,
    at: datetime,
    as_of: datetime | None = None,
    book: SlaBook | None = None,
) -> SlaReport:
    """The ticket's clocks at `at`; with `as_of`, from the events and the book as
    they stood then (a given book, a candidate policy say, replaces the book)."""
    timeline = ticket_timeline(desk, number, as_of)
    if timeline.number is None:
        raise NotFound(f"ticket {number} not found")
    applied, clocks = clocks_under(book or sla_book(desk, as_of), timeline, at)
    return SlaReport(number, at, applied, timeline, clocks)


def clocks_under(
    book: SlaBook, timeline: Timeline, at: datetime
) -> tuple[Applied | None, tuple[ClockReading, ...]]:
    """The policy a timeline falls under in the book, and its clocks at `at`."""
    applied = book.applying(timeline)
    if applied is None:
        return None, ()
    return applied, read_clocks(timeline, applied.terms, applied.hours, at)


def _records(
    desk: ConfiguredDesk, kind: type[A], as_of: datetime | None
) -> Iterable[A]:
    if as_of is None:
        return desk.all_of(kind)
    found = []
    created = getattr(kind, "Created")  # noqa: B009
    for record_id in desk.created_ids(created):
        events = _events_until(desk, record_id, as_of)
        if events:
            record: Aggregate = desk.repository.get(
                record_id, version=events[-1].originator_version
            )
            if isinstance(record, kind):
                found.append(record)
    return found


def _events_until(
    desk: ConfiguredDesk, record_id: UUID, as_of: datetime | None
) -> list[Any]:
    events = list(desk.events.get(record_id))
    if as_of is None:
        return events
    # Ticket and configuration events are audited: each carries its timestamp.
    return [event for event in events if getattr(event, "timestamp") <= as_of]  # noqa: B009
