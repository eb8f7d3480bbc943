"""`tickettape sla`: the business calendars and SLA policies, without HTTP."""

from __future__ import annotations

import json
import logging
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.schemas.sla import CalendarOut, SlaPolicyOut
from domain.calendars import ALL_WEEK, WEEKDAYS, BusinessCalendar
from domain.sla_policies import CLOCKS, SlaPolicy
from projections.engine.worker import work
from projections.escalations.view import EscalationView
from tickettape.console import out, runtime

sla_app = typer.Typer(help="Business calendars and SLA policies.")
#: Wide enough for every column of the lists, whatever the terminal.
LIST_WIDTH = 132
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON")]


@sla_app.command("calendars")
def list_calendars(as_json: AsJson = False) -> None:
    """Every business calendar, oldest first."""
    with runtime() as opened:
        calendars = opened.desk.all_of(BusinessCalendar)
    if as_json:
        typer.echo(
            json.dumps([CalendarOut.of(c).model_dump(mode="json") for c in calendars])
        )
        return
    table = Table("name", "time zone", "hours", "holidays", "active", "version")
    for calendar in calendars:
        holidays = str(len(calendar.holidays))
        if calendar.holiday_preset:
            holidays += f" ({escape(calendar.holiday_preset)})"
        table.add_row(
            escape(calendar.name),
            calendar.time_zone,
            _hours(calendar),
            holidays,
            "yes" if calendar.active else "no",
            str(calendar.version),
        )
    _print(table)


@sla_app.command("policies")
def list_policies(as_json: AsJson = False) -> None:
    """Every SLA policy in the order they are tried: by rank, then name."""
    with runtime() as opened:
        policies = opened.desk.sla_policies()
    if as_json:
        typer.echo(
            json.dumps([SlaPolicyOut.of(p).model_dump(mode="json") for p in policies])
        )
        return
    table = Table(
        "rank",
        "name",
        "calendar",
        "targets, minutes: first response / update / solution",
        "warns",
        "pauses in",
        "applies to",
        "active",
    )
    for policy in policies:
        table.add_row(
            str(policy.rank),
            escape(policy.name),
            escape(policy.calendar or "24/7 UTC"),
            _targets(policy),
            _warning(policy),
            ", ".join(policy.pause_categories) or "-",
            _scope(policy),
            "yes" if policy.active else "no",
        )
    _print(table)


def _hours(calendar: BusinessCalendar) -> str:
    if calendar.week == [list(day) for day in ALL_WEEK]:
        return "24/7"
    return "\n".join(
        f"{day[:3].title()} {', '.join(ranges)}"
        for day, ranges in zip(WEEKDAYS, calendar.week, strict=True)
        if ranges
    )


def _targets(policy: SlaPolicy) -> str:
    return "\n".join(
        f"{escape(priority)}: "
        + " / ".join("-" if clocks[c] is None else str(clocks[c]) for c in CLOCKS)
        for priority, clocks in policy.targets.items()
    )


def _warning(policy: SlaPolicy) -> str:
    if policy.warn_percent is not None:
        return f"at {policy.warn_percent}%"
    return f"{policy.warn_before_minutes} min before"


def _scope(policy: SlaPolicy) -> str:
    named = [
        f"{kind}: {escape(', '.join(names))}"
        for kind, names in policy.applies_to.items()
        if names
    ]
    return "\n".join(named) or "any ticket"


def _print(table: Table) -> None:
    # A narrow terminal (or none: a pipe) must not cut names and numbers to "…".
    Console(file=out.file, width=max(out.width, LIST_WIDTH)).print(table)


@sla_app.command("run")
def run_escalations() -> None:
    """Record SLA warnings, breaches and expired pending times as they come due,
    until SIGTERM or Ctrl-C: for when serve does not (SLA_IN_PROCESS false)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    with runtime([EscalationView()]) as opened:
        out.print("recording SLA warnings, breaches and expired pending times")
        work(opened.escalations)
        out.print("escalation worker stopped")
