"""What every CLI command shares: the consoles, errors, and the runtime to use."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress, TaskID

from domain.errors import DomainError
from projections.engine.rebuild import rebuild
from projections.engine.view import View
from tickettape.bootstrap import Runtime, open_runtime
from tickettape.settings import Settings

CLI_ACTOR = "system:cli"

out = Console()
err = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print an error the operator can act on and give the exit to raise."""
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


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
    rebuilt: list[tuple[str, int]] = []
    with Progress(console=out) as bar:
        for view in views:
            task = bar.add_task(f"rebuilding {view.name}", total=None)

            def show(at: int, top: int, task: TaskID = task) -> None:
                bar.update(task, completed=at, total=top)

            store, size = opened.views.store, opened.settings.views_batch_size
            rebuilt.append((view.name, rebuild(opened.desk, store, view, size, show)))
    return rebuilt
