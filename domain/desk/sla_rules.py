"""What the calendar and SLA policy commands decide.

A policy's references (its calendar, the priorities, queues, ticket types and
organizations it names) are checked against the configuration when a command
names them, and kept by the names the records have. A change checks only what
it names: a policy keeps a queue that was renamed away until it is changed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any

from domain import configuration_commands as c
from domain import ids
from domain.audit import Origin
from domain.calendars import BusinessCalendar
from domain.configuration_commands import Keep, kept
from domain.desk.configuration_rules import new_record
from domain.desk.records import Outcome
from domain.errors import InvalidValue, NotFound
from domain.sla_policies import PolicySettings, SlaPolicy

if TYPE_CHECKING:
    from domain.desk.application import HelpDesk

Decision = Callable[["HelpDesk", Any, Origin], Outcome]


def _define_calendar(desk: HelpDesk, cmd: c.DefineCalendar, origin: Origin) -> Outcome:
    calendar = BusinessCalendar.define(
        cmd.name,
        cmd.time_zone,
        cmd.week,
        cmd.holidays,
        cmd.holiday_preset,
        cmd.active,
        origin,
    )
    return new_record(desk, calendar)


def _reconfigure_calendar(
    desk: HelpDesk, cmd: c.ReconfigureCalendar, origin: Origin
) -> Outcome:
    calendar = desk.record_to_change(
        ids.calendar_id(cmd.name), BusinessCalendar, f"calendar {cmd.name!r}"
    )
    origin.expect(calendar.version)
    calendar.reconfigure(
        kept(cmd.time_zone, calendar.time_zone),
        kept(cmd.week, tuple(tuple(day) for day in calendar.week)),
        kept(cmd.holidays, tuple(calendar.holiday_dates())),
        kept(cmd.holiday_preset, calendar.holiday_preset),
        kept(cmd.active, calendar.active),
        origin,
    )
    return Outcome(calendar)


def _define_policy(desk: HelpDesk, cmd: c.DefineSlaPolicy, origin: Origin) -> Outcome:
    return new_record(desk, checked_policy(desk, cmd, origin))


def checked_policy(
    desk: HelpDesk,
    cmd: c.DefineSlaPolicy,
    origin: Origin,
    calendars: Collection[str] = (),
) -> SlaPolicy:
    """The policy a definition makes, its settings and references checked; not
    stored. A calendar named in `calendars` (an analyst's candidates) counts as
    known without a record."""
    settings = PolicySettings(
        **{f.name: getattr(cmd, f.name) for f in fields(PolicySettings)}
    )
    named = _named(cmd)
    candidates = {name.casefold() for name in calendars}
    if (settings.calendar or "").casefold() in candidates:
        named.discard("calendar")
    return SlaPolicy.define(cmd.name, _known(desk, settings, named), origin)


def _reconfigure_policy(
    desk: HelpDesk, cmd: c.ReconfigureSlaPolicy, origin: Origin
) -> Outcome:
    policy = desk.record_to_change(
        ids.sla_policy_id(cmd.name), SlaPolicy, f"SLA policy {cmd.name!r}"
    )
    origin.expect(policy.version)
    current = policy.settings()
    named = _named(cmd)
    settings = replace(current, **{name: getattr(cmd, name) for name in named})
    policy.reconfigure(_known(desk, settings, named), origin)
    return Outcome(policy)


def _named(cmd: c.DefineSlaPolicy | c.ReconfigureSlaPolicy) -> set[str]:
    """The policy settings a command sets (the rest it keeps)."""
    settings = {f.name for f in fields(PolicySettings)}
    return {
        f.name
        for f in fields(cmd)
        if f.name in settings and not isinstance(getattr(cmd, f.name), Keep)
    }


def _known(desk: HelpDesk, settings: PolicySettings, named: set[str]) -> PolicySettings:
    """The settings with every record they name checked, by the record's name."""
    changes: dict[str, Any] = {}
    if "calendar" in named and settings.calendar is not None:
        try:
            changes["calendar"] = desk.calendar(settings.calendar).name
        except NotFound as error:
            raise InvalidValue(f"unknown calendar: {error.message}") from None
    priorities = desk.priorities()
    if "targets" in named:
        for priority in settings.targets:
            priorities.require(priority)
    if "applies_to" in named:
        scope = settings.applies_to
        for priority in scope.priorities:
            priorities.require(priority)
        types = desk.ticket_types()
        for type_ in scope.types:
            types.require(type_)
        changes["applies_to"] = replace(
            scope,
            queues=tuple(desk.known_queue(q).name for q in scope.queues),
            organizations=tuple(
                desk.known_organization(o) or o for o in scope.organizations
            ),
        )
    return replace(settings, **changes)


RULES: dict[type[Any], Decision] = {
    c.DefineCalendar: _define_calendar,
    c.ReconfigureCalendar: _reconfigure_calendar,
    c.DefineSlaPolicy: _define_policy,
    c.ReconfigureSlaPolicy: _reconfigure_policy,
}
