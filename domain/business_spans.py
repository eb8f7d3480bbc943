"""Open spans: the UTC intervals in which a calendar's wall clock shows opening hours.

Local wall time is the UTC instant plus the zone's offset, and the offset stays
the same between two changes of the zone's rules. So each UTC day is cut where
its offset changes (real zones change at most once a day), and within a piece
of constant offset the local opening ranges map back to UTC by subtracting it:
a wall time a DST change skips maps to no instant, one it repeats to two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)
MICROSECOND = timedelta(microseconds=1)
#: A half-open interval [start, end) of aware UTC datetimes.
Span = tuple[datetime, datetime]
#: The opening ranges of a local date, minutes from its midnight (none if closed).
RangesOn = Callable[[date], tuple[tuple[int, int], ...]]


def offset(zone: ZoneInfo, at: datetime) -> timedelta:
    """The zone's offset from UTC at this instant."""
    return at.astimezone(zone).utcoffset() or timedelta(0)


@lru_cache(maxsize=4096)
def offset_pieces(zone: ZoneInfo, day: date) -> tuple[tuple[Span, timedelta], ...]:
    """A UTC day cut where the zone's offset changes: each piece with its offset."""
    start = datetime.combine(day, time(), UTC)
    end = start + DAY
    before, after = offset(zone, start), offset(zone, end)
    if before == after:
        return (((start, end), before),)
    # The first instant of the new offset lies in (start, end]: bisect to it.
    low, change = start, end
    while change - low > MICROSECOND:
        middle = low + (change - low) // 2
        if offset(zone, middle) == before:
            low = middle
        else:
            change = middle
    if change == end:
        return (((start, end), before),)
    return (((start, change), before), ((change, end), offset(zone, change)))


def day_spans(zone: ZoneInfo, ranges_on: RangesOn, day: date) -> tuple[Span, ...]:
    """The open intervals of one UTC day, in order, not merged."""
    spans = []
    for (start, end), shift in offset_pieces(zone, day):
        # Wall-clock times, written as UTC datetimes so that they compare and add.
        wall_start, wall_end = start + shift, end + shift
        local_day = wall_start.date()
        midnight = datetime.combine(local_day, time(), UTC)
        while midnight < wall_end:
            for first, last in ranges_on(local_day):
                low = max(wall_start, midnight + timedelta(minutes=first))
                high = min(wall_end, midnight + timedelta(minutes=last))
                if low < high:
                    spans.append((low - shift, high - shift))
            local_day += DAY
            midnight += DAY
    return tuple(spans)


def utc_days(start: datetime, end: datetime) -> Iterator[date]:
    """The UTC dates that [start, end) touches, in order."""
    day = start.date()
    while datetime.combine(day, time(), UTC) < end:
        yield day
        day += DAY


def clipped(spans: Iterable[Span], start: datetime, end: datetime) -> Iterator[Span]:
    """The parts of the spans that lie in [start, end), empty ones left out."""
    for low, high in spans:
        low, high = max(low, start), min(high, end)
        if low < high:
            yield low, high


def merged(spans: Iterable[Span]) -> Iterator[Span]:
    """Ordered spans with each run of contiguous ones joined into one."""
    pending: Span | None = None
    for low, high in spans:
        if pending is not None and pending[1] == low:
            pending = (pending[0], high)
            continue
        if pending is not None:
            yield pending
        pending = (low, high)
    if pending is not None:
        yield pending
