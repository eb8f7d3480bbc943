"""Business time: when a desk works, and how much working time lies between instants.

A `BusinessHours` is a time zone, opening ranges per weekday (minutes from local
midnight, Monday first) and holidays (local dates, closed all day). SLA clocks
count only the time it is open. Instants are timezone-aware; the opening ranges
are local wall-clock times, so a range that a DST change skips is open for no
time, and one it repeats is open twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import InvalidValue

MINUTES_PER_DAY = 24 * 60
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


def zone(name: str) -> ZoneInfo:
    """The IANA time zone of this name, or an invalid value."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValue(f"unknown time zone {name!r}") from None


#: Open every minute of every day, in UTC.
ALWAYS = BusinessHours("UTC", (ALL_DAY,) * 7)
