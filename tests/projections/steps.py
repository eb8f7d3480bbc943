"""Random command sequences played on a desk, the views caught up along the way."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence

from domain.desk import HelpDesk
from domain.errors import DomainError

# A command on the desk, given the tickets made so far and the step's number.
Command = Callable[[HelpDesk, list[str], int], object]


def run_steps(
    desk: HelpDesk,
    commands: Mapping[str, Command],
    steps: Sequence[tuple[str, int]],
    catch_up: Callable[[], None],
) -> list[str]:
    """Open a ticket, then run the steps (refused ones change nothing); the tickets.

    A step's number picks one of the tickets made; "catch up" catches the views
    up, as does the end. Commands whose names start with "open" add a ticket.
    """
    made: list[str] = []
    for kind, i in [("open", 0), *steps]:
        if kind == "catch up":
            catch_up()
        elif made or kind.startswith("open"):
            with contextlib.suppress(DomainError):
                commands[kind](desk, made, i % max(len(made), 1))
    catch_up()
    return made
