"""Business time: when a desk works, and how much working time lies between instants.

A `BusinessHours` is a time zone, opening ranges per weekday (minutes from local
midnight, Monday first) and holidays (local dates, closed all day). SLA clocks
count only the time it is open. Instants are timezone-aware; the opening ranges
are local wall-clock times, so a range that a DST change skips is open for no
time, and one it repeats is open twice. Results are UTC, exact to the microsecond.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import chain
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.business_spans import Span, clipped, day_spans, merged, utc_days
from domain.errors import InvalidValue

MINUTES_PER_DAY = 24 * 60
#: How far `add` looks for enough open time: 20 years, leap days included.
HORIZON = timedelta(days=20 * 365 + 5)
#: Instants the arithmetic takes; a horizon later still lies within datetime's range.
EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
#: Opening ranges of one day: (start, end) minutes from local midnight, end excluded.
DayHours = tuple[tuple[int, int], ...]
ALL_DAY: DayHours = ((0, MINUTES_PER_DAY),)


@dataclass(frozen=True)
class BusinessHours:
    """When a desk works: a time zone, opening ranges per weekday, and holidays."""

    time_zone: str
    #: Seven days, Monday first; each day's ranges sorted and not overlapping.
    week: tuple[DayHours, ...]
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        zone(self.time_zone)
        if len(self.week) != 7:
            raise InvalidValue("opening hours name seven days, Monday first")
        for day in self.week:
            end_before = 0
            for start, end in day:
                if not 0 <= start < end <= MINUTES_PER_DAY or start < end_before:
                    raise InvalidValue(
                        "opening ranges lie within a day, sorted, without overlap"
                    )
                end_before = end
        if not any(self.week):
            raise InvalidValue("a calendar is open on at least one weekday")

    @property
    def zone(self) -> ZoneInfo:
        """The time zone the opening hours and holidays are read in."""
        return zone(self.time_zone)

    def ranges_on(self, day: date) -> DayHours:
        """The opening ranges of a local date: none on a holiday."""
        return () if day in self.holidays else self.week[day.weekday()]

    def is_open(self, at: datetime) -> bool:
        """Whether the desk works at this instant, by its local wall clock."""
        wall = utc(at).astimezone(self.zone).replace(tzinfo=None)
        since_midnight = wall - datetime.combine(wall.date(), time())
        return any(
            timedelta(minutes=start) <= since_midnight < timedelta(minutes=end)
            for start, end in self.ranges_on(wall.date())
        )

    def open_spans(self, start: datetime, end: datetime) -> Iterator[Span]:
        """The open intervals within [start, end), in order, contiguous ones merged."""
        return merged(self._pieces(utc(start), utc(end)))

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The open time in [start, end); none if end is not after start."""
        pieces = self._pieces(utc(start), utc(end))
        return sum((high - low for low, high in pieces), timedelta(0))

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest instant by which `amount` of open time has passed."""
        if amount < timedelta(0):
            raise InvalidValue("an amount of business time is not negative")
        start = utc(start)
        if amount == timedelta(0):
            return start
        left = amount
        for low, high in self._pieces(start, start + HORIZON):
            if high - low >= left:
                return low + left
            left -= high - low
        raise InvalidValue(f"the calendar is not open for {amount} within 20 years")

    def _pieces(self, start: datetime, end: datetime) -> Iterator[Span]:
        """The open intervals within [start, end), in order, cut at UTC midnights."""
        days = (spans_of_day(self, day) for day in utc_days(start, end))
        return clipped(chain.from_iterable(days), start, end)


def zone(name: str) -> ZoneInfo:
    """The IANA time zone of this name, or an invalid value."""
    try:
        return ZoneInfo(name)
    # OSError: a name that is a directory of the zone database ("Europe"), or
    # one too long for a file name.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidValue(f"unknown time zone {name!r}") from None


def utc(at: datetime) -> datetime:
    """The instant in UTC; a naive datetime names no instant and is refused."""
    if at.utcoffset() is None:
        raise InvalidValue("an instant needs a time zone; this datetime has none")
    if not EARLIEST <= at < LATEST:
        raise InvalidValue("business time is counted between the years 1000 and 9000")
    return at.astimezone(UTC)


# SLA clocks ask about the same few days again and again.
@lru_cache(maxsize=4096)
def spans_of_day(hours: BusinessHours, day: date) -> tuple[Span, ...]:
    """The open intervals of a calendar within one UTC day, in order."""
    return day_spans(hours.zone, hours.ranges_on, day)


#: Open every minute of every day, in UTC.
ALWAYS = BusinessHours("UTC", (ALL_DAY,) * 7)
