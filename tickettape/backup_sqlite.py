"""Backup and restore of the embedded store: the events file and the blob directory.

The events file (events, snapshots and every audit table) is copied with SQLite's
online backup API in one step, which reads one snapshot while writers go on in the
WAL. The blobs are copied after it: a blob is stored before the event that refers
to it, so every blob an event in the snapshot needs is there by then.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from tickettape.backup_manifest import (
    CHUNK,
    SEALED_TABLES,
    BackupError,
    BlobSummary,
    Column,
    Manifest,
    TableEntry,
    check_files,
    file_entry,
    inside,
    now,
    tickettape_version,
)
from tickettape.blobs import is_digest
from tickettape.settings import Settings

EVENTS_FILE = "events.sqlite3"
# eventsourcing's SQLite tables are not prefixed with the application's name.
EVENTS_TABLE = "stored_events"
CHAIN_TABLE = "audit_chain"
BLOB_DIR = "blobs"
# One `sha256  path` line per blob, the format `sha256sum -c` checks.
BLOB_LISTING = "blobs.sha256"


@dataclass(frozen=True)
class BlobFile:
    """A blob in a backup: its sha256, size and path inside the backup."""

    digest: str
    size: int
    relative: str


def backup_sqlite(settings: Settings, dest: Path) -> Manifest:
    """Copy the events file (one snapshot) and then the blobs into dest."""
    source = settings.event_store_path
    if not source.is_file():
        raise BackupError(f"no event store at {source}")
    copy = dest / EVENTS_FILE
    with (
        contextlib.closing(sqlite3.connect(source, timeout=30)) as live,
        contextlib.closing(sqlite3.connect(copy)) as target,
    ):
        # All pages in one step: one read transaction, so one consistent snapshot.
        live.backup(target)
        # The copy is a file of its own: no WAL beside it.
        target.execute("PRAGMA journal_mode=DELETE")
    tables = _tables(copy)
    blobs = _copy_blobs(settings.blob_dir, dest)
    listing = dest / BLOB_LISTING
    listing.write_text("".join(f"{b.digest}  {b.relative}\n" for b in blobs))
    return Manifest(
        store="sqlite",
        created_at=now(),
        tickettape_version=tickettape_version(),
        log_position=_highest(copy, EVENTS_TABLE, "rowid"),
        chain_position=_highest(copy, CHAIN_TABLE, "notification_id"),
        seal_key_ids=_seal_key_ids(copy, tables),
        events_table=EVENTS_TABLE,
        tables=tables,
        files=[file_entry(dest, copy), file_entry(dest, listing)],
        blobs=BlobSummary(count=len(blobs), bytes=sum(b.size for b in blobs)),
    )


def check_sqlite_backup(src: Path, manifest: Manifest) -> list[BlobFile]:
    """Check the files, the tables' row counts and every blob; the blobs to restore."""
    check_files(src, manifest)
    found = {entry.name: entry.rows for entry in _tables(src / EVENTS_FILE)}
    listed = {entry.name: entry.rows for entry in manifest.tables}
    if found != listed:
        raise BackupError(
            f"{EVENTS_FILE} holds tables and rows {found}, the manifest says {listed}"
        )
    blobs = _listed_blobs(src)
    if (len(blobs), sum(b.size for b in blobs)) != (
        manifest.blobs.count,
        manifest.blobs.bytes,
    ):
        raise BackupError(f"{BLOB_LISTING} does not list the manifest's blobs")
    return blobs


def restore_sqlite(settings: Settings, src: Path, blobs: list[BlobFile]) -> None:
    """Write a checked backup into the empty data directory, all of it or nothing."""
    data_dir = settings.data_dir
    events, blob_dir = settings.event_store_path.name, settings.blob_dir.name
    # Filled beside the data directory, then renamed into it.
    stage = data_dir.parent / f".{data_dir.name}.restoring-{os.getpid()}"
    try:
        for blob in blobs:
            target = stage / blob_dir / blob.digest[:2] / blob.digest
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / blob.relative, target)
        (stage / blob_dir).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / EVENTS_FILE, stage / events)
        if not data_dir.exists():
            os.replace(stage, data_dir)
            return
        # The events file goes last: without it the directory holds no store.
        for name in (blob_dir, events):
            os.replace(stage / name, data_dir / name)
    except OSError as error:
        raise BackupError(f"cannot write into {data_dir}: {error}") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def sqlite_target_problem(settings: Settings) -> str | None:
    """Why the data directory cannot take a restore (it must be new or empty)."""
    data_dir = settings.data_dir
    if not data_dir.exists():
        return None
    if not data_dir.is_dir():
        return f"{data_dir} is a file, not a data directory"
    # The seal keyring's default place is the data directory: it may wait there.
    keyring = settings.seal_key_path.resolve()
    held = sorted(
        child.name for child in data_dir.iterdir() if child.resolve() != keyring
    )
    if held:
        return (
            f"the data directory {data_dir} is not empty ({', '.join(held[:5])}); "
            "restore only into a new or empty one"
        )
    return None


def _tables(path: Path) -> list[TableEntry]:
    """Every table of a SQLite file (but SQLite's own) with its rows and columns."""
    try:
        with _read_only(path) as lite:
            names = [
                str(row[0])
                for row in lite.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
                )
            ]
            return [
                TableEntry(
                    name=name,
                    rows=lite.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0],
                    file=EVENTS_FILE,
                    columns=[
                        Column(name=str(c[1]), type=str(c[2]))
                        for c in lite.execute(f'PRAGMA table_info("{name}")')
                    ],
                )
                for name in names
            ]
    except sqlite3.Error as error:
        raise BackupError(f"{path} is not a readable SQLite file: {error}") from None


def _read_only(path: Path) -> contextlib.closing[sqlite3.Connection]:
    # immutable: a file no one writes needs no locks and leaves no -wal or -shm.
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    return contextlib.closing(sqlite3.connect(uri, uri=True))


def _highest(path: Path, table: str, column: str) -> int:
    with _read_only(path) as lite:
        try:
            row = lite.execute(f"SELECT max({column}) FROM {table}").fetchone()
        except sqlite3.OperationalError:  # no such table: nothing of it yet
            return 0
    return int(row[0] or 0)


def _seal_key_ids(path: Path, tables: list[TableEntry]) -> list[str]:
    """The seal keys named by the copy's seals and chain links."""
    names = [table.name for table in tables if table.name in SEALED_TABLES]
    if not names:
        return []
    query = " UNION ".join(
        f"SELECT key_id FROM {name} WHERE key_id IS NOT NULL" for name in names
    )
    with _read_only(path) as lite:
        return sorted(str(row[0]) for row in lite.execute(query))


def _copy_blobs(source: Path, dest: Path) -> list[BlobFile]:
    """Copy every whole blob, checking each against its name; the copies."""
    copied = []
    shards = sorted(source.iterdir()) if source.is_dir() else []
    for shard in shards:
        if not shard.is_dir():
            continue
        for path in sorted(shard.iterdir()):
            # Names that are not digests are writes in progress (.tmp-*).
            if not (is_digest(path.name) and path.name[:2] == shard.name):
                continue
            relative = f"{BLOB_DIR}/{shard.name}/{path.name}"
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            digest, size = _copy(path, target)
            if digest != path.name:
                raise BackupError(
                    f"the blob {path} does not match its sha256 name: "
                    "the blob store is damaged"
                )
            copied.append(BlobFile(digest, size, relative))
    return copied


def _copy(source: Path, target: Path) -> tuple[str, int]:
    hasher, size = hashlib.sha256(), 0
    with source.open("rb") as reading, target.open("xb") as writing:
        while chunk := reading.read(CHUNK):
            hasher.update(chunk)
            size += len(chunk)
            writing.write(chunk)
    return hasher.hexdigest(), size


def _listed_blobs(src: Path) -> list[BlobFile]:
    """The blobs the listing names, each file checked against its sha256."""
    blobs = []
    lines = (src / BLOB_LISTING).read_text().splitlines()
    for number, line in enumerate(lines, 1):
        digest, _, relative = line.partition("  ")
        expected = f"{BLOB_DIR}/{digest[:2]}/{digest}"
        if not is_digest(digest) or relative != expected:
            raise BackupError(f"{BLOB_LISTING} line {number} is malformed")
        path = inside(src, relative)
        try:
            content = path.read_bytes()
        except OSError:
            raise BackupError(f"the backup lacks the blob {relative}") from None
        if hashlib.sha256(content).hexdigest() != digest:
            raise BackupError(f"the blob {relative} was altered or damaged")
        blobs.append(BlobFile(digest, len(content), relative))
    return blobs
