"""The archive on the command line: export to JSONL and import into an empty store."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from rich.progress import Progress

from replay.archive import ArchiveError, check_archive, export_archive, import_archive
from replay.checkpoint import Checkpoint
from replay.summaries_csv import write_summaries
from tickettape.cli_replay import (
    TAMPERED,
    chain_now,
    keyring_of,
    ledger_of,
    read_checkpoint,
    verifying_key,
)
from tickettape.console import err, fail, out, runtime, settings
from tickettape.settings import Settings

CheckpointFile = Annotated[
    Path | None,
    typer.Option(
        "--checkpoint",
        help="A checkpoint file from replay checkpoint the archive must match",
    ),
]
PublicKeyFile = Annotated[
    Path | None, typer.Option(help="Ed25519 public key that signed the checkpoint")
]


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr; yields the callback that moves it."""
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def show(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield show


@contextmanager
def target(path: Path | None) -> Iterator[TextIO]:
    """The new file to write, or stdout."""
    if path is None:
        yield sys.stdout
        return
    try:
        file = path.open("x", encoding="utf-8", newline="")
    except OSError as error:
        raise fail(f"cannot write {path}: {error}") from None
    with file:
        yield file


def rate(count: int, started: float) -> str:
    """How many events, how long, and how many per second."""
    seconds = max(time.perf_counter() - started, 1e-9)
    return f"{count} events in {seconds:.2f}s ({count / seconds:,.0f} events/s)"


def export(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="New JSONL file; default stdout")
    ] = None,
) -> None:
    """Stream every stored event, with its chain hashes, as JSON lines."""
    started = time.perf_counter()
    with (
        runtime([]) as opened,
        ledger_of(opened.desk) as ledger,
        target(out_file) as file,
        progress_bar("exporting events") as show,
    ):
        stopped = chain_now(opened.chain)
        if stopped is not None:
            err.print(f"exporting only the events before it ({stopped.detail})")
        try:
            count = export_archive(ledger, file.write, show)
        except ArchiveError as error:
            raise fail(str(error)) from None
    err.print(f"exported {rate(count, started)}")


def sealed_by(
    settings: Settings, checkpoint_file: Path | None, public_key: Path | None
) -> tuple[Checkpoint | None, Ed25519PublicKey | None]:
    """The checkpoint an archive must match and its key; none without a file."""
    if checkpoint_file is None:
        return None, None
    return read_checkpoint(checkpoint_file), verifying_key(settings, public_key)


def restore(
    archive: Annotated[Path, typer.Argument(help="A JSONL archive from replay export")],
    checkpoint_file: CheckpointFile = None,
    public_key: PublicKeyFile = None,
) -> None:
    """Check an archive line by line, load it into an empty store and chain it."""
    if not archive.is_file():
        raise fail(f"no archive file {archive}")
    started = time.perf_counter()
    with (
        runtime([]) as opened,
        ledger_of(opened.desk) as ledger,
        progress_bar("importing events") as show,
    ):
        checkpoint, key = sealed_by(opened.settings, checkpoint_file, public_key)
        try:
            restored = import_archive(
                ledger,
                opened.desk.recorder,
                archive,
                keyring_of(opened),
                show,
                checkpoint,
                key,
            )
        except ArchiveError as error:
            raise fail(f"{archive}: {error}") from None
    err.print(f"imported {rate(restored.count, started)}")
    positions = (
        "log positions and global chain identical too"
        if restored.same_positions
        else "log positions renumbered, so the global chain hashes differ"
    )
    err.print(f"every event and aggregate chain hash matches the archive; {positions}")
    if checkpoint is not None:
        err.print(f"the archive matches the checkpoint of {checkpoint.at}")
    err.print("rebuild the views with `tickettape projections rebuild --all`")


def verify_archive(
    archive: Annotated[Path, typer.Argument(help="A JSONL archive from replay export")],
    checkpoint_file: CheckpointFile = None,
    public_key: PublicKeyFile = None,
) -> None:
    """Check an archive line by line (and against a checkpoint) without importing."""
    if not archive.is_file():
        raise fail(f"no archive file {archive}")
    checkpoint, key = sealed_by(settings(), checkpoint_file, public_key)
    try:
        count = check_archive(archive, checkpoint, key)
    except ArchiveError as error:
        err.print(f"[bold red]TAMPERED:[/] {archive}: {error}", soft_wrap=True)
        raise typer.Exit(TAMPERED) from None
    held = "" if checkpoint is None else f"; the checkpoint of {checkpoint.at} holds"
    out.print(f"[bold green]intact:[/] {count} events match their chain{held}")


def summaries(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="New CSV file; default stdout")
    ] = None,
) -> None:
    """One CSV row per ticket, folded from the event store, for spreadsheets."""
    with runtime([]) as opened, target(out_file) as file:
        count = write_summaries(opened.desk, file)
    err.print(f"{count} tickets summarized")


def add_archive_commands(replay: typer.Typer) -> None:
    """Register export and import on the replay sub-app."""
    replay.command("export")(export)
    replay.command("import")(restore)
    replay.command("verify-archive")(verify_archive)
    replay.command("summaries")(summaries)
