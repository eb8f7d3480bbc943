"""What-if SLA replay: the tickets of a window read under a candidate SLA book.

An analyst asks which tickets would have breached which clock had other
policies (or calendars) been in force. Each ticket created in the window
[start, end) is read from its own events as the log stood at one moment (the
window's end, or now if that is earlier) and its clocks under the candidate
book (domain/desk/sla.py, `sla_report`); a clock counts as breached when its
reading has breaches. Nothing is written: the candidate book is a plain value.
For comparison, the same tickets can be read under a second book too (the
store's current policies, say).

The tickets are found one batch of Ticket.Created notifications at a time, so
the log is never held in memory; a ticket's creation time is its Created
event's timestamp.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from eventsourcing.utils import get_topic

from domain.desk import HelpDesk
from domain.desk.sla import clocks_under, sla_report
from domain.errors import InvalidValue
from domain.sla_book import SlaBook
from domain.sla_clocks import Clock, ClockReading
from domain.ticket import Ticket

BATCH = 500
CREATED = get_topic(Ticket.Created)


@dataclass(frozen=True)
class Window:
    """Tickets created at or after `start` and before `end`, read at `at`."""

    start: datetime
    end: datetime
    at: datetime

    @classmethod
    def of(cls, start: datetime, end: datetime, now: datetime) -> Window:
        """The window, read as the log stood at its end or now, if earlier."""
        if start.tzinfo is None or end.tzinfo is None:
            raise InvalidValue("a window's ends need a time zone")
        if start >= end:
            raise InvalidValue("the window must start before it ends")
        return cls(start, end, min(end, now))

    def holds(self, created: datetime) -> bool:
        """Whether a ticket created then is one of the window's."""
        return self.start <= created < self.end and created <= self.at


@dataclass(frozen=True)
class Replayed:
    """One ticket of the window under the candidate book: the clocks it breached."""

    number: str
    queue: str
    priority: str
    policy: str | None
    breached: tuple[ClockReading, ...]
    #: The clocks breached under the compared book (None: no comparison asked).
    breached_compared: tuple[Clock, ...] | None = None


@dataclass
class Total:
    """The window's tickets of one queue and priority, and how many breached each
    clock."""

    queue: str
    priority: str
    tickets: int = 0
    breached: Counter[Clock] = field(default_factory=Counter)
    compared: Counter[Clock] = field(default_factory=Counter)

    def add(self, ticket: Replayed) -> None:
        """Count a ticket and the clocks it breached."""
        self.tickets += 1
        self.breached.update(reading.clock for reading in ticket.breached)
        self.compared.update(ticket.breached_compared or ())

    def by_clock(self, compared: bool = False) -> dict[str, int]:
        """Breached tickets per clock (under the compared book), every clock named."""
        counts = self.compared if compared else self.breached
        return {clock.value: counts[clock] for clock in Clock}


class Totals:
    """The totals per queue and priority, as the tickets stream past."""

    def __init__(self) -> None:
        self._totals: dict[tuple[str, str], Total] = {}

    def add(self, ticket: Replayed) -> None:
        """Count a ticket under its queue and priority."""
        key = (ticket.queue, ticket.priority)
        self._totals.setdefault(key, Total(*key)).add(ticket)

    def ordered(self, priorities: Sequence[str]) -> list[Total]:
        """By queue, then priority in the configured order (unknown ones last)."""
        rank = {name: i for i, name in enumerate(priorities)}
        return sorted(
            self._totals.values(),
            key=lambda t: (t.queue, rank.get(t.priority, len(rank)), t.priority),
        )


def created_in(desk: HelpDesk, window: Window) -> Iterator[Ticket.Created]:
    """The Created events of the window's tickets, in log order, batch by batch."""
    start = 1
    while True:
        batch = desk.recorder.select_notifications(start, BATCH, topics=[CREATED])
        for notification in batch:
            event = desk.mapper.to_domain_event(notification)
            if isinstance(event, Ticket.Created) and window.holds(event.timestamp):
                yield event
        if len(batch) < BATCH:
            return
        start = batch[-1].id + 1


def replay_window(
    desk: HelpDesk, book: SlaBook, window: Window, compared: SlaBook | None = None
) -> Iterator[Replayed]:
    """Each ticket of the window with the clocks it breached under the book (and
    those it breached under the compared book, if one is given)."""
    for created in created_in(desk, window):
        report = sla_report(desk, created.number, window.at, window.at, book)
        timeline = report.timeline
        other = None
        if compared is not None:
            _, readings = clocks_under(compared, timeline, window.at)
            other = tuple(r.clock for r in _breached(readings))
        yield Replayed(
            number=created.number,
            queue=timeline.queue or created.queue,
            priority=timeline.priority or created.priority,
            policy=report.applied.policy if report.applied else None,
            breached=_breached(report.clocks),
            breached_compared=other,
        )


def _breached(readings: tuple[ClockReading, ...]) -> tuple[ClockReading, ...]:
    return tuple(r for r in readings if r.breaches > 0)
