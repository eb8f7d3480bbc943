"""A backup's manifest: what it holds, and the checks a restore makes first.

A backup directory holds its files and `manifest.json`, written last: the store
kind, the log position at the snapshot, the seal keys that sealed what it holds,
every table with its row count, and every file with its size and sha256. A
restore reads and checks all of it, and the keyring it will verify with, before
it writes anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from replay.seals import KeyringError, load_keyring

MANIFEST = "manifest.json"
CHUNK = 1 << 20
# The audit tables whose rows name the seal key that sealed them.
SEALED_TABLES = ("audit_seals", "audit_chain")

StoreKind = Literal["sqlite", "postgresql"]
SealKeyId = Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]


class BackupError(Exception):
    """A backup that cannot be taken or restored; says what and where."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Column(_Strict):
    """One column of a backed-up table, as the source store declared it."""

    name: str
    type: str


class TableEntry(_Strict):
    """A table in the backup, its rows at the snapshot, and the file holding them."""

    name: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    rows: int = Field(ge=0)
    file: str
    columns: list[Column]


class FileEntry(_Strict):
    """A file of the backup: its path inside it, its size and its sha256."""

    path: str
    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class BlobSummary(_Strict):
    """How many attachment blobs the backup holds, and their bytes."""

    count: int = Field(ge=0)
    bytes: int = Field(ge=0)


class Manifest(_Strict):
    """Everything a restore needs to know and check about a backup."""

    format: Literal["tickettape-backup"] = "tickettape-backup"
    format_version: Literal[1] = 1
    store: StoreKind
    created_at: datetime
    tickettape_version: str
    log_position: int = Field(ge=0)
    chain_position: int = Field(ge=0)
    # The keys whose seals are in the backup; the keyring is never in it.
    seal_key_ids: list[SealKeyId]
    events_table: str
    tables: list[TableEntry]
    files: list[FileEntry]
    blobs: BlobSummary

    @model_validator(mode="after")
    def _whole(self) -> Manifest:
        """Every table's file is listed, and the events table is among them."""
        files = {entry.path for entry in self.files}
        for table in self.tables:
            if table.file not in files:
                raise ValueError(
                    f"table {table.name}: its file {table.file} is unlisted"
                )
        if self.events_table not in {table.name for table in self.tables}:
            raise ValueError(f"the events table {self.events_table} is not listed")
        return self

    def table(self, name: str) -> TableEntry:
        """The entry of one table; BackupError if the backup lacks it."""
        for entry in self.tables:
            if entry.name == name:
                return entry
        raise BackupError(f"the manifest lists no table {name}")


def seal_keyring_problem(path: Path, manifest: Manifest) -> str | None:
    """Why the keyring at path cannot check the backup's seals; None if it can."""
    sealed = ", ".join(manifest.seal_key_ids)
    holding = f" (it holds key(s) {sealed})" if sealed else ""
    advice = (
        f"copy the seal keyring kept apart from the backup{holding} to {path}, "
        "or set TICKETTAPE_SEAL_KEY to it"
    )
    try:
        keyring = load_keyring(path)
    except KeyringError as error:
        return f"{error}: {advice}"
    missing = [key for key in manifest.seal_key_ids if key not in keyring.by_id]
    if missing:
        return (
            f"the seal keyring {path} lacks key(s) {', '.join(missing)}, which "
            f"sealed this backup: {advice}"
        )
    return None


def tickettape_version() -> str:
    """The installed tickettape's version."""
    try:
        return version("tickettape")
    except PackageNotFoundError:
        return "unknown"


def now() -> datetime:
    """The time a backup is stamped with."""
    return datetime.now(UTC)


def file_digest(path: Path) -> tuple[str, int, int]:
    """A file's sha256, its size and how many newlines it holds, read in chunks."""
    hasher, size, lines = hashlib.sha256(), 0, 0
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            hasher.update(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
    return hasher.hexdigest(), size, lines


def file_entry(root: Path, path: Path) -> FileEntry:
    """The manifest entry of a file written into the backup at root."""
    sha256, size, _ = file_digest(path)
    return FileEntry(path=path.relative_to(root).as_posix(), bytes=size, sha256=sha256)


def write_manifest(root: Path, manifest: Manifest) -> None:
    """Write the manifest last and whole (beside, then renamed), so it is never half."""
    temporary = root / f".{MANIFEST}.tmp"
    temporary.write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, root / MANIFEST)


def read_manifest(root: Path) -> Manifest:
    """The backup's manifest; BackupError if it is missing, truncated or malformed."""
    path = root / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BackupError(
            f"{root} holds no {MANIFEST}: not a backup, or one that did not finish"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise BackupError(f"cannot read {path}: {error}") from None
    try:
        return Manifest.model_validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the document"
        raise BackupError(
            f"{path} is not a valid manifest (truncated or edited?): "
            f"{where}: {first['msg']}"
        ) from None


def check_files(root: Path, manifest: Manifest) -> dict[str, int]:
    """Check every listed file's size and sha256; the newlines counted in each."""
    lines: dict[str, int] = {}
    for entry in manifest.files:
        path = inside(root, entry.path)
        if not path.is_file():
            raise BackupError(f"the backup lacks its file {entry.path}")
        sha256, size, count = file_digest(path)
        if (sha256, size) != (entry.sha256, entry.bytes):
            raise BackupError(
                f"{entry.path} was altered or damaged: sha256 {sha256} ({size} "
                f"bytes), the manifest says {entry.sha256} ({entry.bytes} bytes)"
            )
        lines[entry.path] = count
    return lines


def inside(root: Path, relative: str) -> Path:
    """A path the manifest names, refused if it would lead out of the backup."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()):
        raise BackupError(f"the manifest names a file outside the backup: {relative}")
    return path


@contextlib.contextmanager
def new_backup_directory(dest: Path) -> Iterator[Path]:
    """A new or empty directory to fill; what was written is removed on failure."""
    if dest.exists() and not dest.is_dir():
        raise BackupError(f"{dest} is a file; give a new or empty directory")
    created = not dest.exists()
    if not created and any(dest.iterdir()):
        raise BackupError(
            f"{dest} is not empty; give a new or empty directory "
            "(a backup never overwrites or mixes with other files)"
        )
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"cannot create {dest}: {error}") from None
    try:
        yield dest
    except BaseException:
        # Everything in it is ours: it was new or empty when we started.
        if created:
            shutil.rmtree(dest, ignore_errors=True)
        else:
            for child in dest.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        raise
