"""What backup and restore refuse, and that a refused restore writes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.backup.commands import fill, invoke, take_backup
from tests.backup.contents import store_state
from tests.backup.stores import BackupStores, keyed_target
from tickettape.backup_manifest import MANIFEST, file_digest, read_manifest


@pytest.fixture
def backup(backup_stores: BackupStores, tmp_path: Path) -> Path:
    """A backup of a filled source store."""
    return take_backup(backup_stores, tmp_path / "backup")


def test_backup_wants_a_new_or_empty_directory(
    backup_stores: BackupStores, tmp_path: Path
) -> None:
    fill(backup_stores.source)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    code, said = invoke(backup_stores.source, "backup", str(busy))
    assert (code, "is not empty" in said) == (1, True)
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]
    assert (busy / "notes.txt").read_text() == "mine"
    code, said = invoke(backup_stores.source, "backup", str(busy / "notes.txt"))
    assert (code, "is a file" in said) == (1, True)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert invoke(backup_stores.source, "backup", str(empty))[0] == 0
    assert (empty / MANIFEST).is_file()


def test_a_failed_backup_leaves_no_directory(
    backup_stores: BackupStores, tmp_path: Path
) -> None:
    code, said = invoke(backup_stores.source, "backup", str(tmp_path / "backup"))
    assert (code, "no event store" in said) == (1, True)
    assert not (tmp_path / "backup").exists()


def test_restore_refuses_a_store_that_is_not_empty(
    backup_stores: BackupStores, backup: Path
) -> None:
    assert invoke(backup_stores.target, "init")[0] == 0
    before = store_state(backup_stores.target)
    code, said = invoke(backup_stores.target, "restore", str(backup))
    assert code == 1
    assert "not empty" in said
    assert "nothing was written" in said
    assert store_state(backup_stores.target) == before


def alter_a_file(backup: Path) -> None:
    """Flip one byte in the middle of the file holding the events."""
    manifest = read_manifest(backup)
    path = backup / manifest.table(manifest.events_table).file
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def alter_a_blob(backup: Path) -> None:
    """Change an attachment's content: a blob file, or COPY's hex of the bytea."""
    mark, altered = b"scanned", b"scammed"
    for was, now in [(mark, altered), (mark.hex().encode(), altered.hex().encode())]:
        for path in backup.rglob("*"):
            if path.is_file() and was in (data := path.read_bytes()):
                path.write_bytes(data.replace(was, now, 1))
                return
    raise AssertionError("the backup holds no attachment")


def miscount_rows(backup: Path) -> None:
    """Claim one event more than the backup holds, files untouched."""
    path = backup / MANIFEST
    document = json.loads(path.read_text())
    for table in document["tables"]:
        if table["name"] == document["events_table"]:
            table["rows"] += 1
    path.write_text(json.dumps(document))


def truncate_manifest(backup: Path) -> None:
    """Cut the manifest in half, as a full disk would."""
    path = backup / MANIFEST
    text = path.read_text()
    path.write_text(text[: len(text) // 2])


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (alter_a_file, "was altered or damaged"),
        (alter_a_blob, "altered"),
        (miscount_rows, "the manifest says"),
        (truncate_manifest, "is not a valid manifest"),
    ],
    ids=["altered-file", "altered-blob", "row-count", "truncated-manifest"],
)
def test_a_damaged_backup_is_refused_before_anything_is_written(
    backup_stores: BackupStores, backup: Path, damage: object, said: str
) -> None:
    assert callable(damage)
    damage(backup)
    code, output = invoke(keyed_target(backup_stores), "restore", str(backup))
    assert code == 1
    assert said in output
    assert store_state(backup_stores.target) == {}


@pytest.mark.postgres
def test_a_backup_restores_only_into_its_own_kind_of_store(
    tmp_path: Path, postgres_schema_url: str
) -> None:
    sqlite = {
        "TICKETTAPE_DATA_DIR": str(tmp_path / "var"),
        "TICKETTAPE_DATABASE_URL": "",
    }
    fill(sqlite)
    assert invoke(sqlite, "backup", str(tmp_path / "backup"))[0] == 0
    postgres = {
        "TICKETTAPE_DATA_DIR": str(tmp_path / "other"),
        "TICKETTAPE_DATABASE_URL": postgres_schema_url,
    }
    code, said = invoke(postgres, "restore", str(tmp_path / "backup"))
    assert (code, "same kind of store" in said) == (1, True)
    assert store_state(postgres) == {}


@pytest.mark.postgres
def test_a_restore_failing_half_way_leaves_no_rows(
    postgres_backup_stores: BackupStores, tmp_path: Path
) -> None:
    stores = postgres_backup_stores
    backup = take_backup(stores, tmp_path / "backup")
    # A forged backup whose manifest matches its files, but whose events
    # repeat one: the copy fails at the events, after the audit tables went in.
    forged = tmp_path / "forged"
    shutil.copytree(backup, forged)
    document = json.loads((forged / MANIFEST).read_text())
    events = next(t for t in document["tables"] if t["name"] == "helpdesk_events")
    path = forged / events["file"]
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join([*lines, lines[-1]]))
    events["rows"] += 1
    sha256, size, _ = file_digest(path)
    for entry in document["files"]:
        if entry["path"] == events["file"]:
            entry.update(sha256=sha256, bytes=size)
    (forged / MANIFEST).write_text(json.dumps(document))

    target = keyed_target(stores)
    code, said = invoke(target, "restore", str(forged))
    assert (code, "wrote no rows" in said) == (1, True)
    held = store_state(target)
    assert held
    assert set(held.values()) == {(0,)}
    code, said = invoke(target, "restore", str(backup))
    assert code == 0, said
