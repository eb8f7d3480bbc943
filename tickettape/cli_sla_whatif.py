"""`replay sla-whatif`: a window's tickets replayed under a candidate policy file.

The analyst's question: which tickets would have breached which clock under
other policies (replay/sla_whatif.py)? The answer streams out as CSV rows, one
per ticket and clock breached, with the totals on stderr, or as one JSON
document. Nothing is written to the store.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.markup import escape
from rich.table import Table

from domain.audit import Origin
from domain.desk.sla import sla_book
from domain.sla_clocks import Clock
from replay.sla_whatif import Replayed, Total, Totals, Window, replay_window
from tickettape.cli_backlog import DAY
from tickettape.cli_history import ZONED
from tickettape.cli_sla_replay import wide
from tickettape.console import CLI_ACTOR, err, fail, runtime
from tickettape.sla_candidate import CandidateError, candidate_book, read_candidate

#: The CSV columns: one row per ticket and clock it breached.
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
WINDOW_FORMATS = [*ZONED, DAY]


class Format(StrEnum):
    """What `sla-whatif` writes."""

    CSV = "csv"
    JSON = "json"


def start_of_day(moment: datetime) -> datetime:
    """The moment itself; a bare date (no zone) as the start of that day in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def replay_sla_whatif(
    policy: Annotated[
        Path, typer.Option(help="JSON: {policies: [...], calendars: [...]}")
    ],
    start: Annotated[
        datetime, typer.Option("--from", help=WINDOW_HELP, formats=WINDOW_FORMATS)
    ],
    end: Annotated[
        datetime,
        typer.Option(
            "--to", help=f"{WINDOW_HELP}; not included", formats=WINDOW_FORMATS
        ),
    ],
    format_: Annotated[
        Format, typer.Option("--format", help="CSV rows or one JSON document")
    ] = Format.CSV,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write to this file, not stdout")
    ] = None,
    compare: Annotated[
        bool,
        typer.Option(
            "--compare", help="Also count the breaches under the current policies"
        ),
    ] = False,
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
        current = sla_book(desk) if compare else None
        totals = Totals()
        breaching: list[Replayed] = []
        with _output(out_file) as stream:
            rows = csv.writer(stream) if format_ is Format.CSV else None
            if rows is not None:
                rows.writerow(CSV_COLUMNS)
            for ticket in replay_window(desk, book, window, current):
                totals.add(ticket)
                if rows is not None:
                    rows.writerows(_csv_rows(ticket))
                elif ticket.breached or ticket.breached_compared:
                    breaching.append(ticket)
            ordered = totals.ordered(desk.priorities().values)
            if rows is None:
                document = _document(window, breaching, ordered, compare)
                stream.write(json.dumps(document, indent=2) + "\n")
    if format_ is Format.CSV:
        show_totals(window, ordered, compare)


def show_totals(window: Window, totals: list[Total], compare: bool) -> None:
    """Print the totals per queue and priority on stderr."""
    tickets = sum(total.tickets for total in totals)
    err.print(
        f"{tickets} tickets created in [{window.start.isoformat()}, "
        f"{window.end.isoformat()}), read as the log stood at {window.at.isoformat()}",
        soft_wrap=True,
    )
    err.print(
        "per clock, the tickets that breached it under the candidate"
        + (" (under the current policies)" if compare else ""),
        soft_wrap=True,
    )
    table = Table("queue", "priority", "tickets", *(clock.value for clock in Clock))
    for total in totals:
        counts = [str(n) for n in total.by_clock().values()]
        if compare:
            now = total.by_clock(compared=True).values()
            counts = [f"{n} ({c})" for n, c in zip(counts, now, strict=True)]
        table.add_row(
            escape(total.queue), escape(total.priority), str(total.tickets), *counts
        )
    wide(err).print(table)


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
    window: Window, breaching: list[Replayed], totals: list[Total], compare: bool
) -> dict[str, Any]:
    return {
        "window": {
            "from": _iso(window.start),
            "to": _iso(window.end),
            "read_at": _iso(window.at),
        },
        "tickets": [_ticket(ticket, compare) for ticket in breaching],
        "totals": [_total(total, compare) for total in totals],
    }


def _ticket(ticket: Replayed, compare: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "number": ticket.number,
        "queue": ticket.queue,
        "priority": ticket.priority,
        "policy": ticket.policy,
        "breached": [
            {
                "clock": r.clock.value,
                "due_at": _iso(r.due_at),
                "breached_at": _iso(r.breached_at),
                "breaches": r.breaches,
            }
            for r in ticket.breached
        ],
    }
    if compare:
        shown["breached_current"] = [c.value for c in ticket.breached_compared or ()]
    return shown


def _total(total: Total, compare: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "queue": total.queue,
        "priority": total.priority,
        "tickets": total.tickets,
        "breached": total.by_clock(),
    }
    if compare:
        shown["breached_current"] = total.by_clock(compared=True)
    return shown


def _iso(moment: datetime | None) -> str:
    """ISO 8601 as the JSON of the API writes it: UTC as "Z"; None as ""."""
    if moment is None:
        return ""
    return moment.isoformat().replace("+00:00", "Z")


def add_whatif_command(replay: typer.Typer) -> None:
    """Register `sla-whatif` on the replay commands."""
    replay.command("sla-whatif")(replay_sla_whatif)
