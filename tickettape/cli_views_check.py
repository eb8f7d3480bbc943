"""`tickettape projections verify`: each live view against a replay of the log."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from projections.engine.check import LogKeptGrowing, ViewCheck, check_view
from projections.engine.view import View
from tickettape.bootstrap import Runtime
from tickettape.cli_replay import TAMPERED
from tickettape.console import each_view, fail, known_views, out, runtime


def projections_verify(
    names: Annotated[
        list[str] | None, typer.Argument(help="The views, e.g. ticket_summary")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Check every view")] = False,
) -> None:
    """Replay the log into a scratch copy of each view and compare it, row for
    row, with the live view; exit 3 when one differs (rebuild it to mend it)."""
    if every == bool(names):
        raise fail("name the views, or give --all")
    views = known_views(names or [])
    with runtime(views) as opened:
        try:
            checks = _checked(opened, views)
        except LogKeptGrowing as error:
            raise fail(str(error)) from None
    table = Table("view", "position", "verdict")
    for check in checks:
        table.add_row(check.view, str(check.position), _verdict(check))
    out.print(table)
    if not all(check.equal for check in checks):
        out.print(
            "a view that differs from the replay was changed outside tickettape, "
            "or by a bug: `tickettape projections rebuild NAME` replaces it"
        )
        raise typer.Exit(TAMPERED)


def _checked(opened: Runtime, views: list[View]) -> list[ViewCheck]:
    return [check for _, check in each_view(opened, views, "replaying", check_view)]


def _verdict(check: ViewCheck) -> str:
    if check.equal:
        return "equal to the replay"
    return "; ".join(
        f"{d.table}: {d.live_only} rows only in the view, "
        f"{d.replay_only} only in the replay"
        for d in check.differences
    )


def add_views_check_command(views: typer.Typer) -> None:
    """Register `verify` on the projections commands."""
    views.command("verify")(projections_verify)
