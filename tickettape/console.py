"""What every CLI command shares: the consoles, errors, and the runtime to use."""

from __future__ import annotations

import shlex
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress, TaskID

from domain.desk import HelpDesk
from domain.errors import DomainError
from projections.catalogue import all_views
from projections.engine.rebuild import rebuild
from projections.engine.store import ViewStore
from projections.engine.view import View
from projections.engine.worker import chosen_views
from tickettape.bootstrap import Runtime, open_runtime
from tickettape.settings import Settings

CLI_ACTOR = "system:cli"

out = Console()
err = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print an error the operator can act on and give the exit to raise."""
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


def own_command(argv0: str | None = None, cwd: Path | None = None) -> str:
    """How the operator runs this program again from where they are.

    `make run` starts .venv/bin/tickettape, which is seldom on the PATH: a hint
    naming a bare `tickettape` would not work there.
    """
    script = Path(sys.argv[0] if argv0 is None else argv0)
    here = Path.cwd() if cwd is None else cwd
    if script.name == "__main__.py":
        return f"{_shown(Path(sys.executable), here)} -m tickettape"
    found = shutil.which(script.name)
    if found is not None and Path(found).resolve() == (here / script).resolve():
        return script.name
    return _shown(script, here)


def _shown(path: Path, cwd: Path) -> str:
    """The path relative to cwd when it lies inside it, else absolute; quoted."""
    absolute = path if path.is_absolute() else cwd / path
    try:
        shown = str(absolute.relative_to(cwd))
    except ValueError:
        shown = str(absolute)
    if "/" not in shown:
        shown = f"./{shown}"
    return shlex.quote(shown)


def settings() -> Settings:
    """The TICKETTAPE_* settings; a bad one is an error the operator can act on."""
    try:
        return Settings()
    except ValidationError as error:
        raise fail(f"bad TICKETTAPE_* setting: {error}") from None


@contextmanager
def runtime(views: Sequence[View] | None = None) -> Iterator[Runtime]:
    """The runtime for the configured store (keeping these views), closed afterwards."""
    try:
        opened = open_runtime(settings(), views)
    except (ValueError, OSError) as error:
        raise fail(f"cannot open the store: {error}") from None
    try:
        yield opened
    except DomainError as error:
        raise fail(error.message) from None
    finally:
        opened.close()


def rebuild_views(opened: Runtime, views: Sequence[View]) -> list[tuple[str, int]]:
    """Rebuild each view with a progress bar; each one's name and position."""
    return each_view(opened, views, "rebuilding", rebuild)


T = TypeVar("T")
ViewWork = Callable[[HelpDesk, ViewStore, View, int, Callable[[int, int], None]], T]


def each_view(
    opened: Runtime, views: Sequence[View], doing: str, work: ViewWork[T]
) -> list[tuple[str, T]]:
    """Replay the log into each view with a progress bar; each one's name and
    what the work said."""
    done: list[tuple[str, T]] = []
    with Progress(console=out) as bar:
        for view in views:
            task = bar.add_task(f"{doing} {view.name}", total=None)

            def show(at: int, top: int, task: TaskID = task) -> None:
                bar.update(task, completed=at, total=top)

            store, size = opened.views.store, opened.settings.views_batch_size
            done.append((view.name, work(opened.desk, store, view, size, show)))
    return done


def known_views(names: Sequence[str]) -> list[View]:
    """The catalogue's views by name (all when none are named); exits on a typo."""
    catalogue = all_views()
    try:
        return chosen_views(catalogue, names)
    except KeyError as error:
        known = ", ".join(view.name for view in catalogue)
        raise fail(f"unknown view {error.args[0]!r}; one of {known}") from None
