"""The backlog as of a date on the command line, replayed from the event log."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated

import typer
from rich.table import Table

from api.schemas.reports import BacklogOut
from replay.backlog import Backlog, backlog_as_of
from tickettape.cli_history import ZONED
from tickettape.console import out, runtime

# A bare date is the end of that day in UTC; a time needs its zone.
DAY = "%Y-%m-%d"


def end_of_day(moment: datetime) -> datetime:
    """The moment itself; a bare date (no zone) as the end of that day in UTC."""
    if moment.tzinfo is not None:
        return moment
    return datetime.combine(moment.date(), time.max, tzinfo=UTC)


def show_backlog(backlog: Backlog) -> None:
    """Print the backlog's totals and its counts in one table."""
    out.print(
        f"Backlog as of {backlog.as_of.isoformat()}: "
        f"[bold]{backlog.open_tickets}[/] open of {backlog.tickets} tickets "
        f"({backlog.events_read} events replayed up to position {backlog.position})"
    )
    table = Table("counted by", "", "tickets")
    table.columns[-1].justify = "right"
    for label, counts in (
        ("status category", backlog.by_status_category),
        ("status", backlog.by_status),
        ("queue (open only)", backlog.by_queue),
        ("priority (open only)", backlog.by_priority),
    ):
        for i, (name, count) in enumerate(counts.items() or [("-", 0)]):
            table.add_row(label if i == 0 else "", name, str(count))
        table.add_section()
    out.print(table)


def replay_backlog(
    as_of: Annotated[
        datetime,
        typer.Option(
            help="An ISO time with a zone (2026-11-20T18:00:00Z), or a date "
            "YYYY-MM-DD meaning the end of that day in UTC",
            formats=[*ZONED, DAY],
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Tickets by status category, queue and priority as they stood then.

    Replays the event log up to the moment; the backlog is the tickets in a new,
    open or pending status.
    """
    with runtime(views=()) as opened:
        backlog = backlog_as_of(opened.desk, end_of_day(as_of))
    if as_json:
        typer.echo(BacklogOut.of(backlog, None).model_dump_json())
        return
    show_backlog(backlog)


def add_backlog_command(replay: typer.Typer) -> None:
    """Register `backlog` on the replay commands."""
    replay.command("backlog")(replay_backlog)
