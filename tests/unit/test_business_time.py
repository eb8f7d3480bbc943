"""Business time: opening hours, holidays and DST decide what an SLA clock counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.business_time import ALL_DAY, ALWAYS, BusinessHours, DayHours
from domain.errors import InvalidValue

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
CLOSED: DayHours = ()
NINE_TO_FIVE: DayHours = ((9 * 60, 17 * 60),)
WITH_LUNCH: DayHours = ((9 * 60, 12 * 60), (13 * 60, 17 * 60))
HOUR = timedelta(hours=1)


def weekdays(
    zone: str, hours: DayHours, holidays: set[date] | None = None
) -> BusinessHours:
    """A calendar open Monday to Friday with these hours, closed at the weekend."""
    return BusinessHours(zone, (hours,) * 5 + (CLOSED,) * 2, frozenset(holidays or ()))


def every_day(zone: str, hours: DayHours) -> BusinessHours:
    """A calendar open every day of the week with these hours."""
    return BusinessHours(zone, (hours,) * 7)


def at(zone: ZoneInfo, year: int, month: int, day: int, *clock: int) -> datetime:
    """An aware datetime in this zone; clock: hour, minute, second, microsecond."""
    hour, minute, second, microsecond = (*clock, 0, 0, 0, 0)[:4]
    return datetime(year, month, day, hour, minute, second, microsecond, zone)


OFFICE = weekdays("Europe/Berlin", NINE_TO_FIVE)
FRIDAY_FOUR = at(BERLIN, 2026, 12, 4, 16)
MONDAY_TEN = at(BERLIN, 2026, 12, 7, 10)


def test_the_clock_stops_over_the_weekend() -> None:
    assert OFFICE.between(FRIDAY_FOUR, MONDAY_TEN) == 2 * HOUR
    assert OFFICE.add(FRIDAY_FOUR, 2 * HOUR) == MONDAY_TEN
    assert OFFICE.is_open(FRIDAY_FOUR)
    assert not OFFICE.is_open(at(BERLIN, 2026, 12, 5, 12))
    assert not OFFICE.is_open(at(BERLIN, 2026, 12, 4, 17))
    assert OFFICE.is_open(at(BERLIN, 2026, 12, 4, 16, 59, 59, 999_999))


def test_results_are_utc_and_exact_to_the_microsecond() -> None:
    start = at(BERLIN, 2026, 12, 4, 16, 59, 30, 250)
    due = OFFICE.add(start, timedelta(seconds=45, microseconds=7))
    assert due == at(BERLIN, 2026, 12, 7, 9, 0, 15, 257)
    assert due.tzinfo is UTC
    assert OFFICE.between(start, due) == timedelta(seconds=45, microseconds=7)


def test_a_lunch_break_is_not_counted() -> None:
    office = weekdays("Europe/Berlin", WITH_LUNCH)
    eleven = at(BERLIN, 2026, 12, 1, 11)
    assert office.add(eleven, 2 * HOUR) == at(BERLIN, 2026, 12, 1, 14)
    assert office.between(eleven, at(BERLIN, 2026, 12, 2, 11)) == 7 * HOUR
    assert list(office.open_spans(eleven, at(BERLIN, 2026, 12, 1, 18))) == [
        (at(BERLIN, 2026, 12, 1, 11), at(BERLIN, 2026, 12, 1, 12)),
        (at(BERLIN, 2026, 12, 1, 13), at(BERLIN, 2026, 12, 1, 17)),
    ]


def test_a_holiday_is_closed_all_day() -> None:
    office = weekdays("Europe/Berlin", NINE_TO_FIVE, {date(2026, 12, 7)})
    assert office.add(FRIDAY_FOUR, 2 * HOUR) == at(BERLIN, 2026, 12, 8, 10)
    assert office.between(FRIDAY_FOUR, at(BERLIN, 2026, 12, 8, 10)) == 2 * HOUR
    assert not office.is_open(MONDAY_TEN)


@pytest.mark.parametrize(
    ("day", "hours", "expected"),
    [
        (date(2026, 3, 29), ALL_DAY, 23 * HOUR),
        (date(2026, 10, 25), ALL_DAY, 25 * HOUR),
        (date(2026, 3, 29), ((120, 180),), timedelta(0)),
        (date(2026, 10, 25), ((120, 180),), 2 * HOUR),
        (date(2026, 3, 28), ((120, 180),), HOUR),
    ],
)
def test_opening_hours_follow_the_wall_clock_across_dst_in_berlin(
    day: date, hours: DayHours, expected: timedelta
) -> None:
    calendar = every_day("Europe/Berlin", hours)
    midnight = at(BERLIN, day.year, day.month, day.day)
    next_midnight = at(BERLIN, day.year, day.month, day.day + 1)
    assert calendar.between(midnight, next_midnight) == expected


@pytest.mark.parametrize(
    ("day", "length"), [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25)]
)
def test_a_day_of_the_24_7_clock_is_as_long_as_the_day_is(
    day: date, length: int
) -> None:
    always = every_day("Europe/Berlin", ALL_DAY)
    midnight = at(BERLIN, day.year, day.month, day.day)
    next_midnight = at(BERLIN, day.year, day.month, day.day + 1)
    assert always.add(midnight, length * HOUR) == next_midnight
    assert always.add(midnight, 24 * HOUR) != next_midnight


def test_the_repeated_hour_counts_twice_and_merges_into_one_span() -> None:
    night = every_day("Europe/Berlin", ((120, 180),))
    spans = list(night.open_spans(at(BERLIN, 2026, 10, 25), at(BERLIN, 2026, 10, 26)))
    assert spans == [
        (datetime(2026, 10, 25, 0, tzinfo=UTC), datetime(2026, 10, 25, 2, tzinfo=UTC))
    ]
    assert night.add(at(BERLIN, 2026, 10, 25), timedelta(minutes=90)) == (
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    )


def test_new_york_springs_forward_on_its_own_date() -> None:
    office = weekdays("America/New_York", NINE_TO_FIVE)
    friday = at(NEW_YORK, 2026, 3, 6, 16)
    assert office.add(friday, 2 * HOUR) == datetime(2026, 3, 9, 14, tzinfo=UTC)
    assert every_day("America/New_York", ALL_DAY).between(
        at(NEW_YORK, 2026, 3, 8), at(NEW_YORK, 2026, 3, 9)
    ) == (23 * HOUR)
    assert every_day("America/New_York", ALL_DAY).between(
        at(NEW_YORK, 2026, 11, 1), at(NEW_YORK, 2026, 11, 2)
    ) == (25 * HOUR)


def test_lord_howe_moves_its_clock_by_half_an_hour() -> None:
    always = every_day("Australia/Lord_Howe", ALL_DAY)
    half_hour = timedelta(minutes=30)
    spring = (at(LORD_HOWE, 2026, 10, 4), at(LORD_HOWE, 2026, 10, 5))
    autumn = (at(LORD_HOWE, 2026, 4, 5), at(LORD_HOWE, 2026, 4, 6))
    assert always.between(*spring) == 24 * HOUR - half_hour
    assert always.between(*autumn) == 24 * HOUR + half_hour
    night = every_day("Australia/Lord_Howe", ((120, 180),))
    assert night.between(*spring) == half_hour
    assert night.between(*autumn) == HOUR
    # 01:30-02:00 is lived twice on the autumn night.
    early = every_day("Australia/Lord_Howe", ((90, 120),))
    assert early.between(*autumn) == 2 * half_hour


def test_no_business_time_is_added_for_nothing() -> None:
    saturday = at(BERLIN, 2026, 12, 5, 12)
    assert OFFICE.add(saturday, timedelta(0)) == saturday
    assert OFFICE.add(FRIDAY_FOUR, timedelta(0)) == FRIDAY_FOUR
    assert OFFICE.add(saturday, timedelta(0)).tzinfo is UTC


def test_time_that_runs_out_at_closing_ends_at_closing() -> None:
    assert OFFICE.add(FRIDAY_FOUR, HOUR) == at(BERLIN, 2026, 12, 4, 17)
    assert OFFICE.add(at(BERLIN, 2026, 12, 5, 9), 8 * HOUR) == (
        at(BERLIN, 2026, 12, 7, 17)
    )


def test_an_end_before_the_start_holds_no_time() -> None:
    assert OFFICE.between(MONDAY_TEN, FRIDAY_FOUR) == timedelta(0)
    assert OFFICE.between(MONDAY_TEN, MONDAY_TEN) == timedelta(0)
    assert list(OFFICE.open_spans(MONDAY_TEN, FRIDAY_FOUR)) == []


def test_days_open_until_midnight_make_one_span() -> None:
    late = BusinessHours(
        "UTC", (((1200, 1440),), ALL_DAY, ((0, 60),), CLOSED, CLOSED, CLOSED, CLOSED)
    )
    monday = datetime(2026, 11, 30, tzinfo=UTC)
    assert list(late.open_spans(monday, monday + timedelta(days=7))) == [
        (monday + 20 * HOUR, monday + 49 * HOUR)
    ]
    assert list(ALWAYS.open_spans(monday, monday + timedelta(days=3))) == [
        (monday, monday + timedelta(days=3))
    ]


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 12, 4, 16)
    with pytest.raises(InvalidValue, match="time zone"):
        OFFICE.is_open(naive)
    with pytest.raises(InvalidValue, match="time zone"):
        OFFICE.between(naive, MONDAY_TEN)
    with pytest.raises(InvalidValue, match="time zone"):
        OFFICE.between(FRIDAY_FOUR, naive)
    with pytest.raises(InvalidValue, match="time zone"):
        OFFICE.add(naive, HOUR)
    with pytest.raises(InvalidValue, match="time zone"):
        OFFICE.open_spans(naive, MONDAY_TEN)


def test_instants_outside_the_counted_years_are_refused() -> None:
    with pytest.raises(InvalidValue, match="years"):
        OFFICE.add(datetime(9500, 1, 1, tzinfo=UTC), HOUR)
    with pytest.raises(InvalidValue, match="years"):
        OFFICE.between(datetime.min.replace(tzinfo=BERLIN), FRIDAY_FOUR)


def test_a_negative_amount_is_refused() -> None:
    with pytest.raises(InvalidValue, match="negative"):
        OFFICE.add(FRIDAY_FOUR, -timedelta(microseconds=1))


def test_a_calendar_its_holidays_close_for_twenty_years_never_reaches_the_time() -> (
    None
):
    first_monday = date(2026, 12, 7)
    mondays = {first_monday + timedelta(weeks=week) for week in range(20 * 53)}
    only_mondays = BusinessHours(
        "Europe/Berlin", (NINE_TO_FIVE,) + (CLOSED,) * 6, frozenset(mondays)
    )
    with pytest.raises(InvalidValue, match="20 years"):
        only_mondays.add(FRIDAY_FOUR, timedelta(minutes=1))
    # Open on the last of those Mondays, the time is found on it.
    last_monday = first_monday + timedelta(weeks=20 * 52)
    reachable = BusinessHours(
        "Europe/Berlin", only_mondays.week, frozenset(mondays - {last_monday})
    )
    due = reachable.add(FRIDAY_FOUR, timedelta(minutes=1))
    assert due == at(BERLIN, last_monday.year, last_monday.month, last_monday.day, 9, 1)
