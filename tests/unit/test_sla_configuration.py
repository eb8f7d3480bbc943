"""Business calendars and SLA policies: commands, KEEP, validation, choosing one."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from domain.audit import Origin
from domain.business_time import BusinessHours
from domain.calendars import ALL_WEEK, BusinessCalendar
from domain.configuration_commands import (
    DefineCalendar,
    DefineSlaPolicy,
    OpenQueue,
    ReconfigureCalendar,
    ReconfigureQueue,
    ReconfigureSlaPolicy,
    ReplacePriorities,
)
from domain.desk import HelpDesk
from domain.errors import AlreadyExists, InvalidValue, NotFound, VersionConflict
from domain.ids import calendar_id, queue_id, sla_policy_id
from domain.queues import Queue
from domain.sla_book import ClockTerms, SlaBook
from domain.sla_policies import PolicyScope, SlaPolicy, Targets

from .builders import ADMIN, audited_events, log_position

OFFICE = (
    ("13:00-17:00", "09:00-12:00"),
    ("09:00-17:00",),
    ("09:00-17:00",),
    ("09:00-17:00",),
    ("09:00-24:00",),
    (),
    (),
)
CHRISTMAS = (date(2026, 12, 26), date(2026, 12, 25), date(2026, 12, 25))
HIGH = {"high": Targets(first_response=60, update=240, solution=1440)}


def monday(opening: str) -> tuple[tuple[str, ...], ...]:
    """A week open all day but on Monday, open only in this range."""
    return ((opening,), *ALL_WEEK[1:])


def berlin(desk: HelpDesk, **changes: Any) -> None:
    """Define the calendar "Berlin office"."""
    command = DefineCalendar(
        "Berlin office", "Europe/Berlin", OFFICE, CHRISTMAS, "DE-BY"
    )
    desk.handle(replace(command, **changes), ADMIN)


def policy(desk: HelpDesk, name: str = "Standard", **changes: Any) -> SlaPolicy:
    """Define a policy (targets for high unless told) and return it."""
    desk.handle(replace(DefineSlaPolicy(name, HIGH), **changes), ADMIN)
    return desk.sla_policy(name)


def test_a_calendar_keeps_its_ranges_in_order_and_gives_business_hours(
    desk: HelpDesk,
) -> None:
    berlin(desk)

    calendar = desk.calendar("berlin OFFICE")
    assert calendar.week[0] == ["09:00-12:00", "13:00-17:00"]
    assert calendar.week[5] == []
    assert calendar.holidays == ["2026-12-25", "2026-12-26"]
    assert (calendar.holiday_preset, calendar.active) == ("DE-BY", True)
    hours = calendar.hours()
    assert hours == BusinessHours(
        "Europe/Berlin",
        (
            ((540, 720), (780, 1020)),
            ((540, 1020),),
            ((540, 1020),),
            ((540, 1020),),
            ((540, 1440),),
            (),
            (),
        ),
        frozenset({date(2026, 12, 25), date(2026, 12, 26)}),
    )
    assert [type(e).__name__ for e in audited_events(desk, calendar.id)] == ["Created"]


def test_a_calendar_name_is_unique_whatever_its_case(desk: HelpDesk) -> None:
    berlin(desk)
    with pytest.raises(AlreadyExists):
        berlin(desk, name="BERLIN OFFICE")


def test_reconfiguring_a_calendar_keeps_what_the_command_leaves_out(
    desk: HelpDesk,
) -> None:
    berlin(desk)

    desk.handle(ReconfigureCalendar("Berlin office", time_zone="Europe/Vienna"), ADMIN)
    position = log_position(desk)
    desk.handle(ReconfigureCalendar("Berlin office", time_zone="Europe/Vienna"), ADMIN)

    calendar = desk.calendar("Berlin office")
    assert calendar.time_zone == "Europe/Vienna"
    assert calendar.week[0] == ["09:00-12:00", "13:00-17:00"]
    assert calendar.holidays == ["2026-12-25", "2026-12-26"]
    assert calendar.holiday_preset == "DE-BY"
    assert calendar.version == 2
    assert log_position(desk) == position
    desk.handle(
        ReconfigureCalendar("Berlin office", week=ALL_WEEK, holiday_preset=None), ADMIN
    )
    assert desk.calendar("Berlin office").week == [["00:00-24:00"]] * 7
    assert desk.calendar("Berlin office").holiday_preset is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "unknown time zone"),
        ({"time_zone": ""}, "unknown time zone"),
        ({"time_zone": "Europe"}, "unknown time zone"),
        ({"time_zone": "x" * 300}, "unknown time zone"),
        ({"week": monday("25:00-26:00")}, "bad time 25:00"),
        ({"week": monday("09:60-10:00")}, "bad time 09:60"),
        ({"week": monday("24:00-24:30")}, "bad time 24:30"),
        ({"week": monday("9:00-10:00")}, "is not HH:MM-HH:MM"),
        ({"week": monday("12:00-09:00")}, "must end after it starts"),
        ({"week": monday("10:00-10:00")}, "must end after it starts"),
        (
            {"week": ((), ("09:00-12:00", "11:00-13:00"), (), (), (), (), ())},
            "overlaps",
        ),
        ({"week": ((),) * 7}, "open on at least one weekday"),
        ({"week": ALL_WEEK[:6]}, "seven days"),
        ({"name": " Berlin"}, "calendar name"),
        ({"holiday_preset": ""}, "preset"),
    ],
)
def test_a_calendar_is_refused_with_a_clear_message(
    desk: HelpDesk, changes: dict[str, Any], message: str
) -> None:
    position = log_position(desk)
    with pytest.raises(InvalidValue, match=message):
        berlin(desk, **changes)
    assert log_position(desk) == position


def test_a_change_to_a_missing_calendar_is_not_found(desk: HelpDesk) -> None:
    with pytest.raises(NotFound):
        desk.handle(ReconfigureCalendar("Nowhere", active=False), ADMIN)


def test_a_policy_names_its_calendar_queues_and_organizations_as_stored(
    desk: HelpDesk,
) -> None:
    berlin(desk)
    scope = PolicyScope(
        queues=("general",), types=("incident",), organizations=("acme",)
    )

    defined = policy(desk, calendar="BERLIN office", applies_to=scope, rank=5)

    assert defined.calendar == "Berlin office"
    assert defined.applies_to == {
        "queues": ["General"],
        "types": ["incident"],
        "priorities": [],
        "organizations": ["ACME"],
    }
    assert defined.targets == {
        "high": {"first_response": 60, "update": 240, "solution": 1440}
    }
    assert (defined.warn_percent, defined.warn_before_minutes) == (80, None)
    assert defined.pause_categories == ["pending"]
    assert (defined.rank, defined.active) == (5, True)
    assert desk.sla_policy("STANDARD").id == sla_policy_id("Standard")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"calendar": "Nowhere"}, "unknown calendar"),
        ({"targets": {"urgent": Targets(60)}}, "unknown priority 'urgent'"),
        ({"applies_to": PolicyScope(priorities=("p1",))}, "unknown priority 'p1'"),
        ({"applies_to": PolicyScope(queues=("Nowhere",))}, "unknown queue"),
        ({"applies_to": PolicyScope(types=("chat",))}, "unknown ticket type"),
        ({"applies_to": PolicyScope(organizations=("Initech",))}, "organization"),
        ({"warn_before_minutes": 30}, "warn_percent or warn_before_minutes"),
        ({"warn_percent": None}, "warn_percent or warn_before_minutes"),
        ({"warn_percent": 100}, "between 1 and 99"),
        ({"warn_percent": None, "warn_before_minutes": 0}, "between 1 and 525600"),
        ({"targets": {"high": Targets(525_601)}}, "between 1 and 525600"),
        ({"targets": {"high": Targets(-5)}}, "between 1 and 525600"),
        ({"targets": {"high": Targets()}}, "at least one clock"),
        ({"targets": {}}, "at least one priority"),
        ({"rank": -1}, "rank"),
        ({"rank": 10**12}, "rank"),
        ({"pause_categories": ("resolved",)}, "can pause the clocks"),
        ({"name": ""}, "policy name"),
    ],
)
def test_a_policy_is_refused_with_a_clear_message(
    desk: HelpDesk, changes: dict[str, Any], message: str
) -> None:
    position = log_position(desk)
    with pytest.raises(InvalidValue, match=message):
        policy(desk, **changes)
    assert log_position(desk) == position


def test_reconfiguring_a_policy_keeps_what_the_command_leaves_out(
    desk: HelpDesk,
) -> None:
    berlin(desk)
    policy(desk, calendar="Berlin office", pause_categories=("pending", "new"))

    desk.handle(ReconfigureSlaPolicy("Standard", rank=1), ADMIN)
    desk.handle(
        ReconfigureSlaPolicy("Standard", warn_percent=None, warn_before_minutes=30),
        ADMIN,
    )

    changed = desk.sla_policy("Standard")
    assert changed.rank == 1
    assert (changed.warn_percent, changed.warn_before_minutes) == (None, 30)
    assert changed.calendar == "Berlin office"
    assert changed.targets["high"]["solution"] == 1440
    assert changed.pause_categories == ["new", "pending"]
    assert changed.version == 3
    with pytest.raises(InvalidValue, match="warn_percent or warn_before_minutes"):
        desk.handle(ReconfigureSlaPolicy("Standard", warn_percent=50), ADMIN)


def test_a_change_checks_only_the_references_it_names(desk: HelpDesk) -> None:
    policy(desk, targets={"low": Targets(solution=600)})
    desk.handle(ReplacePriorities(("normal", "high"), "normal"), ADMIN)

    desk.handle(ReconfigureSlaPolicy("Standard", rank=7), ADMIN)

    assert desk.sla_policy("Standard").rank == 7
    with pytest.raises(InvalidValue, match="unknown priority 'low'"):
        desk.handle(
            ReconfigureSlaPolicy("Standard", targets={"low": Targets(1)}), ADMIN
        )


def test_a_change_to_a_missing_policy_is_not_found(desk: HelpDesk) -> None:
    with pytest.raises(NotFound):
        desk.handle(ReconfigureSlaPolicy("Nowhere", rank=1), ADMIN)


def test_a_policy_change_checks_the_expected_version(desk: HelpDesk) -> None:
    policy(desk)
    with pytest.raises(VersionConflict):
        desk.handle(
            ReconfigureSlaPolicy("Standard", rank=1), Origin("admin:x", None, 5)
        )
    desk.handle(ReconfigureSlaPolicy("Standard", rank=1), Origin("admin:x", None, 1))
    assert desk.sla_policy("Standard").version == 2


def test_a_retry_under_the_same_key_defines_the_policy_once(desk: HelpDesk) -> None:
    keyed = Origin("admin:test", idempotency_key="sla-1")
    first = desk.handle(DefineSlaPolicy("Standard", HIGH), keyed)
    again = desk.handle(DefineSlaPolicy("Standard", HIGH), keyed)

    assert (again.record_id, again.version, again.replayed) == (
        first.record_id,
        1,
        True,
    )
    assert len(audited_events(desk, sla_policy_id("Standard"))) == 1


def test_policies_are_tried_by_rank_then_name(desk: HelpDesk) -> None:
    policy(desk, "beta", rank=10)
    policy(desk, "Alpha", rank=10)
    policy(desk, "zulu", rank=1)
    policy(desk, "off", rank=0, active=False)

    assert [p.name for p in desk.sla_policies()] == ["off", "zulu", "Alpha", "beta"]
    book = SlaBook(tuple(p.rules() for p in desk.all_of(SlaPolicy)))
    chosen = book.policy_for("General", "question", "high", None)
    assert chosen is not None
    assert chosen.name == "zulu"


def test_the_first_matching_active_policy_wins(desk: HelpDesk) -> None:
    desk.handle(OpenQueue("Billing", "billing"), ADMIN)
    policy(desk, "billing", rank=1, applies_to=PolicyScope(queues=("Billing",)))
    policy(
        desk,
        "acme incidents",
        rank=2,
        applies_to=PolicyScope(types=("incident",), organizations=("ACME",)),
    )
    policy(desk, "critical", rank=3, applies_to=PolicyScope(priorities=("critical",)))
    policy(desk, "catch-all", rank=9)
    book = SlaBook(tuple(p.rules() for p in desk.sla_policies()))

    def chosen(queue: str, type_: str, priority: str, org: str | None) -> str | None:
        found = book.policy_for(queue, type_, priority, org)
        return found.name if found else None

    assert chosen("billing", "question", "low", None) == "billing"
    assert chosen("General", "incident", "low", "acme") == "acme incidents"
    assert chosen("General", "incident", "low", None) == "catch-all"
    assert chosen("General", "question", "critical", "ACME") == "critical"
    assert chosen("General", "question", "low", "ACME") == "catch-all"
    desk.handle(ReconfigureSlaPolicy("catch-all", active=False), ADMIN)
    book = SlaBook(tuple(p.rules() for p in desk.sla_policies()))
    assert book.policy_for("General", "question", "low", None) is None


def test_terms_for_a_priority(desk: HelpDesk) -> None:
    berlin(desk)
    defined = policy(
        desk,
        calendar="Berlin office",
        targets={"high": Targets(60, None, 1440)},
        warn_percent=None,
        warn_before_minutes=15,
        pause_categories=("pending", "new"),
    )

    rules = defined.rules()
    assert (rules.name, rules.calendar) == ("Standard", "Berlin office")
    assert rules.terms("high") == ClockTerms(
        first_response=60,
        update=None,
        solution=1440,
        warn_percent=None,
        warn_before_minutes=15,
        pause_categories=frozenset({"new", "pending"}),
    )
    assert rules.terms("low") is None
    assert policy(desk, "plain").rules().terms("high") == ClockTerms(
        60, 240, 1440, 80, None, frozenset({"pending"})
    )


def test_a_queue_opts_in_to_showing_the_solution_due_time(desk: HelpDesk) -> None:
    assert desk.queue("General").show_solution_due is False

    desk.handle(ReconfigureQueue("General", show_solution_due=True), ADMIN)
    desk.handle(ReconfigureQueue("General", group="billing"), ADMIN)
    position = log_position(desk)
    desk.handle(ReconfigureQueue("General", show_solution_due=True), ADMIN)

    assert log_position(desk) == position
    general = desk.queue("General")
    assert (general.show_solution_due, general.group) == (True, "billing")
    names = [type(e).__name__ for e in audited_events(desk, queue_id("General"))]
    assert names == ["Created", "SolutionDueShown", "Reconfigured"]
    replayed: object = desk.repository.get(queue_id("General"))
    assert isinstance(replayed, Queue)
    assert replayed.show_solution_due is True


def test_configuration_records_replay_to_the_same_state(desk: HelpDesk) -> None:
    berlin(desk)
    policy(desk)
    desk.handle(ReconfigureCalendar("Berlin office", active=False), ADMIN)
    desk.handle(ReconfigureSlaPolicy("Standard", rank=3), ADMIN)

    calendar: object = desk.repository.get(calendar_id("Berlin office"))
    replayed: object = desk.repository.get(sla_policy_id("Standard"))

    assert isinstance(calendar, BusinessCalendar)
    assert calendar.hours() == desk.calendar("Berlin office").hours()
    assert calendar.active is False
    assert isinstance(replayed, SlaPolicy)
    assert replayed.settings() == desk.sla_policy("Standard").settings()
    assert replayed.rank == 3
