"""A ticket's SLA clocks on the command line, as they stood at any moment.

`replay sla` reads one ticket's clocks from its events under the policies and
calendars as their records stood at that moment (domain/desk/sla.py), the same
reading `GET /tickets/{n}/sla?as_of=` gives staff.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.schemas.escalations import SlaOut
from domain.desk.sla import SlaReport, sla_report
from domain.errors import NotFound
from domain.ids import ticket_id
from domain.sla_clocks import ClockReading
from tickettape.cli_history import ZONED
from tickettape.cli_sla import LIST_WIDTH
from tickettape.console import fail, out, runtime


def replay_sla(
    number: str,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            help="The clocks as they stood at this time (default now)", formats=ZONED
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """A ticket's SLA clocks as they stood: its events and the policies and
    calendars of that moment."""
    with runtime(views=()) as opened:
        desk = opened.desk
        now = desk.clock()
        at = now if as_of is None else min(as_of, now)
        try:
            report = sla_report(desk, number, at, as_of)
        except NotFound as error:
            if as_of is not None and desk.exists(ticket_id(number)):
                raise fail(
                    f"ticket {number} did not exist yet at {as_of.isoformat()}"
                ) from None
            raise fail(error.message) from None
    policy = report.applied.policy if report.applied else None
    if as_json:
        shown = SlaOut.of(number, at, policy, report.timeline, report.clocks)
        typer.echo(shown.model_dump_json())
        return
    show_report(report)


def show_report(report: SlaReport) -> None:
    """Print the policy the ticket ran under and a row per clock."""
    timeline = report.timeline
    traits = f"queue {timeline.queue}, priority {timeline.priority}"
    if report.applied is None:
        out.print(
            f"Ticket {report.number} at {report.at.isoformat()} ({escape(traits)}): "
            "no SLA policy applies, so it has no clocks",
            soft_wrap=True,
        )
        return
    out.print(
        f"Ticket {report.number} at {report.at.isoformat()} ({escape(traits)}): "
        f"policy [bold]{escape(report.applied.policy)}[/]",
        soft_wrap=True,
    )
    table = Table("clock", "state", "due", "ended", "used min", "left min", "breaches")
    for column in table.columns[-3:]:
        column.justify = "right"
    for reading in report.clocks:
        table.add_row(
            reading.clock.value,
            reading.state.value,
            _moment(reading.due_at),
            _ended(reading),
            _minutes(reading.used),
            _minutes(reading.left),
            str(reading.breaches),
        )
    wide(out).print(table)


def _moment(moment: datetime | None) -> str:
    return "-" if moment is None else moment.isoformat()


def _ended(reading: ClockReading) -> str:
    ends = (
        ("breached", reading.breached_at),
        ("met", reading.met_at),
        ("stopped", reading.stopped_at),
    )
    return "\n".join(f"{what} {at.isoformat()}" for what, at in ends if at) or "-"


def _minutes(amount: timedelta) -> str:
    return f"{amount.total_seconds() / 60:.1f}".removesuffix(".0")


def wide(console: Console) -> Console:
    """The console, never narrower than the tables need."""
    # A narrow terminal (or none: a pipe) must not cut times and numbers to "…".
    return Console(file=console.file, width=max(console.width, LIST_WIDTH))


def add_sla_replay_command(replay: typer.Typer) -> None:
    """Register `sla` on the replay commands."""
    replay.command("sla")(replay_sla)
