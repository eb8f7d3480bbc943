"""Backup and restore on the command line: a consistent copy of the store, and back."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated

import psycopg
import typer

from projections.catalogue import all_views
from tickettape.backup_manifest import (
    MANIFEST,
    BackupError,
    Manifest,
    new_backup_directory,
    read_manifest,
    seal_keyring_problem,
    write_manifest,
)
from tickettape.backup_postgres import (
    backup_postgres,
    check_postgres_backup,
    postgres_target_problem,
    restore_postgres,
)
from tickettape.backup_sqlite import (
    backup_sqlite,
    check_sqlite_backup,
    restore_sqlite,
    sqlite_target_problem,
)
from tickettape.bootstrap import checkpoint_plan
from tickettape.console import fail, out, rebuild_views, runtime, settings
from tickettape.settings import Settings

KEYS_NOTE = (
    "Not in the backup: the views (a restore rebuilds them) and the keys. Keep the "
    "seal keyring (TICKETTAPE_SEAL_KEY) and the checkpoint private key "
    "(TICKETTAPE_CHECKPOINT_KEY) separately: a restore needs the keyring, and a "
    "restored store is verified with both."
)
# What a command may meet beyond its own checks: the disk, or the database.
STORE_ERRORS = (OSError, ValueError, sqlite3.Error, psycopg.Error)


def backup(
    dest: Annotated[Path, typer.Argument(help="A new or empty directory")],
) -> None:
    """Copy the event store, its audit tables and the attachments, while serving."""
    config = settings()
    try:
        with new_backup_directory(dest) as root:
            manifest = (
                backup_postgres(config, root)
                if config.uses_postgres
                else backup_sqlite(config, root)
            )
            write_manifest(root, manifest)
    except BackupError as error:
        raise fail(str(error)) from None
    except STORE_ERRORS as error:
        raise fail(f"the backup failed and was removed: {error}") from None
    out.print(
        f"backed up {_contents(manifest)} into {dest} (see {dest / MANIFEST})",
        soft_wrap=True,
    )
    out.print(KEYS_NOTE, soft_wrap=True)


def restore(
    src: Annotated[Path, typer.Argument(help="A directory made by tickettape backup")],
) -> None:
    """Check a backup, write it into an empty store, then rebuild the views."""
    config = settings()
    try:
        manifest = read_manifest(src)
        _restore(config, src, manifest)
    except BackupError as error:
        raise fail(str(error)) from None
    except STORE_ERRORS as error:
        raise fail(f"the restore failed: {error}") from None
    views = all_views()
    with runtime(views) as opened:
        rebuilt = rebuild_views(opened, views)
    out.print(
        f"restored {_contents(manifest)}, backed up at {manifest.created_at:%F %T} UTC",
        soft_wrap=True,
    )
    lowest = min((at for _, at in rebuilt), default=0)
    out.print(f"views rebuilt ({len(rebuilt)}) up to log position {lowest}")
    out.print(
        "Next: `tickettape replay verify` checks the restored archive "
        "(with the source's checkpoint public key, if it signed checkpoints).",
        soft_wrap=True,
    )


def _restore(config: Settings, src: Path, manifest: Manifest) -> None:
    """Refuse the wrong store, a non-empty one or the wrong keyring; check, write."""
    kind = "postgresql" if config.uses_postgres else "sqlite"
    if manifest.store != kind:
        raise BackupError(
            f"this is a {manifest.store} backup and the configured store is "
            f"{kind}: restore into the same kind of store"
        )
    if config.uses_postgres:
        problem = postgres_target_problem(config)
    else:
        problem = sqlite_target_problem(config)
    # Before anything opens the target: an empty store opened without its
    # keyring would make a new one, which the restored seals do not verify with.
    problem = (
        problem
        or seal_keyring_problem(config.seal_key_path, manifest)
        or _runtime_problem(config)
    )
    if problem is not None:
        raise BackupError(f"{problem}; nothing was written")
    if config.uses_postgres:
        check_postgres_backup(src, manifest)
        restore_postgres(config, src, manifest)
    else:
        blobs = check_sqlite_backup(src, manifest)
        restore_sqlite(config, src, blobs)


def _runtime_problem(config: Settings) -> str | None:
    """Why the restored store could not be opened to rebuild its views."""
    # Checked before the write: found after it, the store would be restored
    # and its views not, and a refusal would not be the nothing it says.
    try:
        checkpoint_plan(config)
    except (ValueError, OSError) as error:
        return f"the checkpoint key cannot be used: {error}"
    return None


def _contents(manifest: Manifest) -> str:
    events = manifest.table(manifest.events_table).rows
    return (
        f"{events} events up to log position {manifest.log_position} (audit chain "
        f"up to {manifest.chain_position}; sealed with key(s) "
        f"{', '.join(manifest.seal_key_ids) or 'none'}), {len(manifest.tables)} "
        f"tables, {manifest.blobs.count} blobs ({manifest.blobs.bytes:,} bytes)"
    )


def add_backup_commands(app: typer.Typer) -> None:
    """Register backup and restore on the main app."""
    app.command("backup")(backup)
    app.command("restore")(restore)
