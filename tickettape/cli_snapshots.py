"""`tickettape replay snapshots`: every stored snapshot against its events."""

from __future__ import annotations

from typing import Annotated

import typer

from replay.snapshots import BadSnapshot, bad_snapshots, shelf_of
from tickettape.cli_replay import TAMPERED
from tickettape.console import err, fail, out, runtime


def check_snapshots(
    drop: Annotated[
        bool,
        typer.Option(
            "--drop",
            help="Delete each bad snapshot (loads then replay the events)",
        ),
    ] = False,
) -> None:
    """Compare every snapshot with the record its events make at its version.

    Nothing seals a snapshot: one damaged or altered in the database changes
    what a load of its ticket shows while every event verifies. Exits 3
    naming each one that differs or does not decode; with --drop deletes them
    and exits 0.
    """
    with runtime(views=()) as opened:
        try:
            _, shelf = shelf_of(opened.desk)
        except ValueError as error:
            raise fail(str(error)) from None
        found = list(bad_snapshots(opened.desk))
        for bad in found:
            err.print(f"[bold red]{_named(bad)}:[/] {bad.problem}", soft_wrap=True)
            if drop:
                shelf.drop_snapshot(bad.record_id, bad.version)
    if found and not drop:
        raise typer.Exit(TAMPERED)
    if found:
        out.print(f"dropped {len(found)} snapshot(s); loads replay their events")
        return
    out.print("[bold green]intact:[/] every snapshot is the record its events make")


def _named(bad: BadSnapshot) -> str:
    record = f"ticket {bad.number}" if bad.number else f"record {bad.record_id}"
    return f"the snapshot of {record} at version {bad.version}"


def add_snapshots_command(replay: typer.Typer) -> None:
    """Register `snapshots` on the replay commands."""
    replay.command("snapshots")(check_snapshots)
