"""Business time agrees with counting open minutes one by one on the wall clock.

Random calendars in zones with hour, half-hour and 45-minute offsets and DST
changes (at 02:00, at midnight, by half an hour), windows of up to eight days
around the changes: the open time between two instants is the number of UTC
minutes in between whose local wall time is open, and adding n minutes ends
right after the n-th open minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.business_time import MINUTES_PER_DAY, BusinessHours, DayHours

MINUTE = timedelta(minutes=1)
#: Zones and the dates their clocks change (none for UTC and Asia/Kolkata).
DST_CHANGES: dict[str, tuple[date, ...]] = {
    "UTC": (),
    "Europe/Berlin": (date(2026, 3, 29), date(2026, 10, 25)),
    "America/New_York": (date(2026, 3, 8), date(2026, 11, 1)),
    # Sao Paulo skipped its midnight in 2018 and lived 23:00-24:00 twice in 2019.
    "America/Sao_Paulo": (date(2018, 11, 4), date(2019, 2, 17)),
    # Lord Howe moves its clock by half an hour.
    "Australia/Lord_Howe": (date(2026, 4, 5), date(2026, 10, 4)),
    "Asia/Kolkata": (),
    "Pacific/Chatham": (date(2026, 4, 5), date(2026, 9, 27)),
}
# Range boundaries near DST changes and midnight come up more often than others.
BOUNDARY = st.one_of(
    st.sampled_from((0, 60, 90, 120, 150, 165, 180, 225, 1380, 1410, 1440)),
    st.integers(0, MINUTES_PER_DAY),
)


@st.composite
def day_hours(draw: st.DrawFn, fewest: int = 0) -> DayHours:
    """Up to three sorted, non-overlapping opening ranges of one day."""
    count = draw(st.integers(fewest, 3))
    edges = sorted(draw(st.sets(BOUNDARY, min_size=2 * count, max_size=2 * count)))
    return tuple(zip(edges[::2], edges[1::2], strict=True))


@dataclass(frozen=True)
class Case:
    """A calendar and a window [start, end) of whole UTC minutes."""

    hours: BusinessHours
    start: datetime
    end: datetime


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A random calendar and a window of up to eight days around a DST change."""
    time_zone = draw(st.sampled_from(sorted(DST_CHANGES)))
    random_day = st.dates(date(2018, 1, 1), date(2028, 12, 31))
    changes = DST_CHANGES[time_zone]
    anchor = draw(st.sampled_from(changes) | random_day if changes else random_day)
    week = draw(st.lists(day_hours(), min_size=7, max_size=7))
    if not any(week):
        week[draw(st.integers(0, 6))] = draw(day_hours(fewest=1))
    holidays = draw(st.sets(st.integers(-5, 10), max_size=4))
    hours = BusinessHours(
        time_zone,
        tuple(week),
        frozenset(anchor + timedelta(days=day) for day in holidays),
    )
    midnight = datetime.combine(anchor, time(), UTC)
    start = midnight + draw(st.integers(-4 * MINUTES_PER_DAY, MINUTES_PER_DAY)) * MINUTE
    end = start + draw(st.integers(0, 8 * MINUTES_PER_DAY)) * MINUTE
    return Case(hours, start, end)


def open_by_wall_clock(hours: BusinessHours, minute: datetime) -> bool:
    """Whether the local wall time of this UTC minute lies in an opening range."""
    wall = minute.astimezone(ZoneInfo(hours.time_zone))
    if wall.date() in hours.holidays:
        return False
    of_day = wall.hour * 60 + wall.minute
    return any(first <= of_day < last for first, last in hours.week[wall.weekday()])


def open_minutes(case: Case) -> list[datetime]:
    """The UTC minutes of the window whose wall time is open, one by one."""
    count = (case.end - case.start) // MINUTE
    minutes = (case.start + step * MINUTE for step in range(count))
    return [minute for minute in minutes if open_by_wall_clock(case.hours, minute)]


@settings(max_examples=300, deadline=None)
@given(case=cases(), data=st.data())
def test_business_time_counts_the_open_minutes_of_the_wall_clock(
    case: Case, data: st.DataObject
) -> None:
    hours, start = case.hours, case.start
    minutes = open_minutes(case)
    assert hours.between(start, case.end) == len(minutes) * MINUTE
    spans = list(hours.open_spans(start, case.end))
    assert [
        low + step * MINUTE
        for low, high in spans
        for step in range((high - low) // MINUTE)
    ] == minutes
    assert all(high < low for (_, high), (low, _) in pairwise(spans))

    count = data.draw(st.integers(0, len(minutes)), label="open minutes to add")
    expected = minutes[count - 1] + MINUTE if count else start
    assert hours.add(start, count * MINUTE) == expected
    step = data.draw(st.integers(0, (case.end - start) // MINUTE), label="minute")
    second = data.draw(st.timedeltas(timedelta(0), MINUTE - timedelta(microseconds=1)))
    probe = start + step * MINUTE
    assert hours.is_open(probe + second) == open_by_wall_clock(hours, probe)


@settings(max_examples=200, deadline=None)
@given(case=cases(), data=st.data())
def test_the_time_added_is_the_time_between(case: Case, data: st.DataObject) -> None:
    hours = case.hours
    # At most a few hundred weeks' worth, so that twenty years always hold it.
    weekly = sum(last - first for day in hours.week for first, last in day) * MINUTE
    amount = data.draw(st.timedeltas(timedelta(0), min(300 * weekly, timedelta(3))))
    start = case.start + data.draw(st.timedeltas(timedelta(0), MINUTE))
    due = hours.add(start, amount)
    assert due >= start
    assert hours.between(start, due) == amount
    if amount:
        assert hours.between(start, due - timedelta(microseconds=1)) < amount
