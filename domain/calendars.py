"""Business calendars: when a desk works, kept as configuration for SLA policies.

A calendar is a time zone, opening ranges per weekday written as "09:00-12:00"
(an end of "24:00" is midnight), and holidays (local dates). The events carry
the ranges and dates as text, so the archive reads without the code; `hours()`
gives the `BusinessHours` the SLA clocks count in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING
from zoneinfo import available_timezones

from domain.audit import AuditedAggregate, Origin
from domain.business_time import MINUTES_PER_DAY, BusinessHours, DayHours
from domain.errors import InvalidValue
from domain.ids import calendar_id

WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
#: A week's opening ranges as a command gives them: seven days, Monday first.
WeekText = Sequence[Sequence[str]]
#: Open every minute of every day.
ALL_WEEK: tuple[tuple[str, ...], ...] = (("00:00-24:00",),) * 7
MAX_RANGES_PER_DAY = 24
MAX_HOLIDAYS = 2000
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class BusinessCalendar(AuditedAggregate):
    """A named time zone, weekly opening hours and holidays."""

    # Declared for mypy only: class annotations would make the library
    # generate an __init__ from them.
    if TYPE_CHECKING:
        name: str
        time_zone: str
        week: list[list[str]]
        holidays: list[str]
        holiday_preset: str | None
        active: bool

    class Created(AuditedAggregate.Created):
        name: str
        time_zone: str
        week: list[list[str]]
        holidays: list[str]
        holiday_preset: str | None
        active: bool

        def apply(self, aggregate: BusinessCalendar) -> None:
            aggregate.name = self.name
            _apply(aggregate, self)

    class Reconfigured(AuditedAggregate.Event):
        time_zone: str
        week: list[list[str]]
        holidays: list[str]
        holiday_preset: str | None
        active: bool

        def apply(self, aggregate: BusinessCalendar) -> None:
            _apply(aggregate, self)

    @classmethod
    def define(
        cls,
        name: str,
        time_zone: str,
        week: WeekText,
        holidays: Iterable[date],
        holiday_preset: str | None,
        active: bool,
        origin: Origin,
    ) -> BusinessCalendar:
        """A new calendar; the ranges and holidays are checked and put in order."""
        if not name or len(name) > 100 or name != name.strip():
            raise InvalidValue("a calendar name has 1 to 100 characters")
        return cls._start(
            cls.Created,
            calendar_id(name),
            origin,
            name=name,
            **_checked(time_zone, week, holidays, holiday_preset, active),
        )

    def reconfigure(
        self,
        time_zone: str,
        week: WeekText,
        holidays: Iterable[date],
        holiday_preset: str | None,
        active: bool,
        origin: Origin,
    ) -> None:
        """Change the zone, the opening hours, the holidays or the active flag."""
        new = _checked(time_zone, week, holidays, holiday_preset, active)
        if any(getattr(self, key) != value for key, value in new.items()):
            self._record(self.Reconfigured, origin, **new)

    def hours(self) -> BusinessHours:
        """The business hours the SLA clocks count in."""
        return hours_of(self.time_zone, self.week, self.holidays)

    def holiday_dates(self) -> list[date]:
        """The holidays, in order."""
        return [date.fromisoformat(d) for d in self.holidays]


def _apply(
    aggregate: BusinessCalendar,
    event: BusinessCalendar.Created | BusinessCalendar.Reconfigured,
) -> None:
    aggregate.time_zone = event.time_zone
    aggregate.week = [list(day) for day in event.week]
    aggregate.holidays = list(event.holidays)
    aggregate.holiday_preset = event.holiday_preset
    aggregate.active = event.active


def hours_of(
    time_zone: str, week: Sequence[Sequence[str]], holidays: Iterable[str]
) -> BusinessHours:
    """The business hours of a calendar's settings as its events carry them."""
    return BusinessHours(
        time_zone,
        tuple(tuple(parse_range(r) for r in day) for day in week),
        frozenset(date.fromisoformat(d) for d in holidays),
    )


def parse_range(text: str) -> tuple[int, int]:
    """An opening range "HH:MM-HH:MM" as minutes from local midnight, end excluded."""
    match = _RANGE.match(text)
    if not match:
        raise InvalidValue(f"opening range {text!r} is not HH:MM-HH:MM")
    start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
    for hour, minute in ((start_h, start_m), (end_h, end_m)):
        if minute > 59 or hour * 60 + minute > MINUTES_PER_DAY:
            raise InvalidValue(
                f"bad time {hour:02d}:{minute:02d} in {text!r}: "
                "times run from 00:00 to 24:00"
            )
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    if start >= end:
        raise InvalidValue(f"opening range {text!r} must end after it starts")
    return start, end


def format_range(start: int, end: int) -> str:
    """The text of an opening range in minutes from local midnight."""
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def day_ranges(weekday: str, texts: Sequence[str]) -> DayHours:
    """One day's ranges, parsed and sorted; overlapping ranges are refused."""
    if len(texts) > MAX_RANGES_PER_DAY:
        raise InvalidValue(f"{weekday} has more than {MAX_RANGES_PER_DAY} ranges")
    ranges = sorted(parse_range(text) for text in texts)
    for (start, end), (next_start, next_end) in pairwise(ranges):
        if next_start < end:
            raise InvalidValue(
                f"on {weekday}, {format_range(start, end)} overlaps "
                f"{format_range(next_start, next_end)}"
            )
    return tuple(ranges)


@cache
def _zones() -> frozenset[str]:
    # Only the zone database's own names: ZoneInfo would try any name as a
    # file, and fail on a directory ("Europe") with an OSError.
    return frozenset(available_timezones())


def _checked(
    time_zone: str,
    week: WeekText,
    holidays: Iterable[date],
    holiday_preset: str | None,
    active: bool,
) -> dict[str, object]:
    """A calendar's fields as its events carry them, checked."""
    if time_zone not in _zones():
        raise InvalidValue(f"unknown time zone {time_zone!r}; an IANA name")
    if len(week) != len(WEEKDAYS):
        raise InvalidValue("opening hours name seven days, Monday first")
    days = [day_ranges(name, texts) for name, texts in zip(WEEKDAYS, week, strict=True)]
    if not any(days):
        raise InvalidValue("a calendar is open on at least one weekday")
    dates = sorted(set(holidays))
    if len(dates) > MAX_HOLIDAYS:
        raise InvalidValue(f"a calendar has at most {MAX_HOLIDAYS} holidays")
    if holiday_preset is not None and not 0 < len(holiday_preset) <= 100:
        raise InvalidValue("a holiday preset's label has 1 to 100 characters")
    return {
        "time_zone": time_zone,
        "week": [[format_range(*r) for r in day] for day in days],
        "holidays": [d.isoformat() for d in dates],
        "holiday_preset": holiday_preset,
        "active": active,
    }
