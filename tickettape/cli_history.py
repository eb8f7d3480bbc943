"""Reading a ticket's past from the command line: its history and as-of states."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from api.schemas.history import HistoryEntryOut
from api.schemas.tickets import TicketOut
from domain.disclosure import EVERYTHING
from domain.ticket import Ticket
from replay.history import HistoryFilter, history, ticket_as_of
from tickettape.console import fail, out, runtime

# ISO times with a zone ("Z" or "+01:00"), with or without fractions of a second.
ZONED = ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"]


def show_ticket(ticket: Ticket, as_json: bool) -> None:
    """Print a ticket with all its articles, as JSON or as tables."""
    view = TicketOut.of(ticket, EVERYTHING)
    if as_json:
        out.print_json(view.model_dump_json())
        return
    summary = Table(title=f"Ticket {view.number}: {view.title}", show_header=False)
    for label, value in (
        ("version", view.version),
        ("status", f"{view.status} ({view.status_category})"),
        ("queue", view.queue),
        ("priority", view.priority),
        ("type", view.type),
        ("customer", view.customer),
        ("owner", view.owner or "-"),
        ("tags", ", ".join(view.tags) or "-"),
        ("created", view.created_at.isoformat()),
        ("updated", view.updated_at.isoformat()),
    ):
        summary.add_row(label, str(value))
    out.print(summary)
    for article in view.articles:
        when = article.created_at.isoformat() if article.created_at else ""
        out.rule(f"{article.sender} {article.visibility} {article.channel} {when}")
        if article.subject:
            out.print(f"[bold]{article.subject}[/]")
        out.print(article.body, markup=False)


def replay_history(
    number: str,
    since: Annotated[
        datetime | None,
        typer.Option(help="Events at or after this time", formats=ZONED),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(help="Events at or before this time", formats=ZONED),
    ] = None,
    event: Annotated[
        list[str] | None, typer.Option(help="Only these event types")
    ] = None,
    actor: Annotated[str | None, typer.Option(help="Only this actor")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines")] = False,
) -> None:
    """Every event of a ticket: version, time, actor, correlation id, changes."""
    wanted = HistoryFilter(since, until, frozenset(event or ()), actor)
    with runtime(views=()) as opened:
        entries = [e for e in history(opened.desk, number) if wanted.matches(e)]
    if as_json:
        for entry in entries:
            typer.echo(HistoryEntryOut.of(entry).model_dump_json())
        return
    table = Table("version", "time", "actor", "event", "changes", "correlation id")
    for entry in entries:
        changes = "; ".join(
            f"{name}: {json.dumps(before, default=str)} → "
            f"{json.dumps(after, default=str)}"
            for name, (before, after) in entry.changes.items()
        )
        table.add_row(
            str(entry.version),
            entry.at.isoformat(),
            entry.actor,
            entry.event,
            changes,
            entry.correlation_id or "",
        )
    out.print(table)


def replay_show(
    number: str,
    as_of: Annotated[
        datetime | None,
        typer.Option(help="The ticket as it stood at this time", formats=ZONED),
    ] = None,
    version: Annotated[
        int | None, typer.Option(min=1, help="The ticket at this version")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """The ticket exactly as it was at a version or a moment."""
    if (as_of is None) == (version is None):
        raise fail("give exactly one of --as-of and --version")
    with runtime(views=()) as opened:
        if as_of is not None:
            ticket = ticket_as_of(opened.desk, number, as_of)
        else:
            ticket = opened.desk.ticket(number, version)
    show_ticket(ticket, as_json)


def add_history_commands(replay: typer.Typer) -> None:
    """Register `history` and `show` on the replay commands."""
    replay.command("history")(replay_history)
    replay.command("show")(replay_show)
