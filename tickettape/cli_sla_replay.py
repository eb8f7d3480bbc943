"""SLA replay on the command line: a ticket's clocks as of a moment, and what-if.

`replay sla` reads one ticket's clocks as they stood, under the policies and
calendars of that moment. `replay sla-whatif` reads a window's tickets under a
candidate policy file and reports which clocks they would have breached; it
writes nothing to the store.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.schemas.escalations import SlaOut
from domain.audit import Origin
from domain.desk.sla import SlaReport, sla_report
from domain.errors import NotFound
from domain.ids import ticket_id
from domain.sla_clocks import Clock, ClockReading
from replay.sla_whatif import Replayed, Total, Totals, Window, replay_window
from tickettape.cli_backlog import DAY
from tickettape.cli_history import ZONED
from tickettape.cli_sla import LIST_WIDTH
from tickettape.console import CLI_ACTOR, err, fail, out, runtime
from tickettape.sla_candidate import CandidateError, candidate_book, read_candidate

#: The CSV columns of `sla-whatif`: one row per ticket and clock it breached.
CSV_COLUMNS = (
    "number",
    "queue",
    "priority",
    "policy",
    "clock",
    "due_at",
    "breached_at",
)
WINDOW_HELP = "An ISO time with a zone, or a date YYYY-MM-DD meaning its start in UTC"


class Format(StrEnum):
    """What `sla-whatif` writes."""

    CSV = "csv"
    JSON = "json"


def start_of_day(moment: datetime) -> datetime:
    """The moment itself; a bare date (no zone) as the start of that day in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


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
    _wide(out).print(table)


def replay_sla_whatif(
    policy: Annotated[
        Path, typer.Option(help="JSON: {policies: [...], calendars: [...]}")
    ],
    start: Annotated[
        datetime, typer.Option("--from", help=WINDOW_HELP, formats=[*ZONED, DAY])
    ],
    end: Annotated[
        datetime,
        typer.Option(
            "--to", help=f"{WINDOW_HELP}; not included", formats=[*ZONED, DAY]
        ),
    ],
    format_: Annotated[
        Format, typer.Option("--format", help="CSV rows or one JSON document")
    ] = Format.CSV,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write to this file, not stdout")
    ] = None,
) -> None:
    """Which tickets created in [--from, --to) would have breached which clock
    under a candidate policy file; writes nothing to the store.

    Each ticket is read as the log stood at --to (or now, if earlier). CSV: a
    row per ticket and clock it breached, the totals per queue and priority on
    stderr. JSON: the window, the breaching tickets and the totals.
    """
    try:
        candidate = read_candidate(policy)
    except CandidateError as error:
        raise fail(str(error)) from None
    with runtime(views=()) as opened:
        desk = opened.desk
        window = Window.of(start_of_day(start), start_of_day(end), desk.clock())
        try:
            book = candidate_book(desk, candidate, Origin(CLI_ACTOR, at=window.at))
        except CandidateError as error:
            raise fail(f"{policy}: {error}") from None
        totals = Totals()
        breaching: list[Replayed] = []
        with _output(out_file) as stream:
            rows = csv.writer(stream) if format_ is Format.CSV else None
            if rows is not None:
                rows.writerow(CSV_COLUMNS)
            for ticket in replay_window(desk, book, window):
                totals.add(ticket)
                if rows is not None:
                    rows.writerows(_csv_rows(ticket))
                elif ticket.breached:
                    breaching.append(ticket)
            ordered = totals.ordered(desk.priorities().values)
            if rows is None:
                document = _document(window, breaching, ordered)
                stream.write(json.dumps(document, indent=2) + "\n")
    if format_ is Format.CSV:
        show_totals(window, ordered)


def show_totals(window: Window, totals: list[Total]) -> None:
    """Print the totals per queue and priority on stderr."""
    tickets = sum(total.tickets for total in totals)
    err.print(
        f"{tickets} tickets created in [{window.start.isoformat()}, "
        f"{window.end.isoformat()}), read as the log stood at {window.at.isoformat()}",
        soft_wrap=True,
    )
    table = Table(
        "queue", "priority", "tickets", *(f"{c.value} breached" for c in Clock)
    )
    for total in totals:
        table.add_row(
            escape(total.queue),
            escape(total.priority),
            str(total.tickets),
            *(str(n) for n in total.by_clock().values()),
        )
    _wide(err).print(table)


def _wide(console: Console) -> Console:
    # A narrow terminal (or none: a pipe) must not cut times and numbers to "…".
    return Console(file=console.file, width=max(console.width, LIST_WIDTH))


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    try:
        stream = path.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise fail(f"cannot write {path}: {error}") from None
    with stream:
        yield stream


def _csv_rows(ticket: Replayed) -> list[list[str]]:
    return [
        [
            ticket.number,
            ticket.queue,
            ticket.priority,
            ticket.policy or "",
            reading.clock.value,
            _iso(reading.due_at),
            _iso(reading.breached_at),
        ]
        for reading in ticket.breached
    ]


def _document(
    window: Window, breaching: list[Replayed], totals: list[Total]
) -> dict[str, Any]:
    return {
        "window": {
            "from": _iso(window.start),
            "to": _iso(window.end),
            "read_at": _iso(window.at),
        },
        "tickets": [
            {
                "number": t.number,
                "queue": t.queue,
                "priority": t.priority,
                "policy": t.policy,
                "breached": [
                    {
                        "clock": r.clock.value,
                        "due_at": _iso(r.due_at),
                        "breached_at": _iso(r.breached_at),
                        "breaches": r.breaches,
                    }
                    for r in t.breached
                ],
            }
            for t in breaching
        ],
        "totals": [
            {
                "queue": total.queue,
                "priority": total.priority,
                "tickets": total.tickets,
                "breached": total.by_clock(),
            }
            for total in totals
        ],
    }


def _iso(moment: datetime | None) -> str:
    """ISO 8601 as the JSON of the API writes it: UTC as "Z"; None as ""."""
    if moment is None:
        return ""
    return moment.isoformat().replace("+00:00", "Z")


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


def add_sla_replay_commands(replay: typer.Typer) -> None:
    """Register `sla` and `sla-whatif` on the replay commands."""
    replay.command("sla")(replay_sla)
    replay.command("sla-whatif")(replay_sla_whatif)
