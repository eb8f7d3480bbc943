"""A restore uses the seal keyring that sealed the backup, and refuses any other."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from replay.seals import create_keyring, load_keyring
from tests.backup.commands import fill, invoke, take_backup
from tests.backup.contents import store_state
from tests.backup.stores import BackupStores, keyed_target, with_keyring
from tests.stores import cli_settings
from tickettape.backup_manifest import read_manifest


@pytest.mark.parametrize("keyring", ["missing", "another-stores"])
def test_a_restore_without_the_sealing_keyring_writes_nothing(
    backup_stores: BackupStores, tmp_path: Path, keyring: str
) -> None:
    backup = take_backup(backup_stores, tmp_path / "backup")
    target = backup_stores.target
    # Where the target's keyring goes by default: in its data directory.
    path = cli_settings(target).seal_key_path
    if keyring == "another-stores":
        create_keyring(path)
    before = store_state(target)

    code, said = invoke(target, "restore", str(backup))
    assert code == 1
    expected = "no seal keyring at" if keyring == "missing" else "lacks key(s)"
    assert expected in said
    assert "copy the seal keyring kept apart from the backup" in said
    assert "nothing was written" in said
    assert store_state(target) == before
    assert path.exists() == (keyring == "another-stores")


def test_a_restore_needs_every_key_that_sealed_the_backup(
    backup_stores: BackupStores, tmp_path: Path
) -> None:
    source = backup_stores.source
    fill(source)
    keyring = cli_settings(source).seal_key_path
    before_rotation = tmp_path / "kept" / "seal.key"
    before_rotation.parent.mkdir()
    shutil.copyfile(keyring, before_rotation)
    assert invoke(source, "replay", "chain")[0] == 0
    assert invoke(source, "seal", "rotate")[0] == 0
    # Sealed with the new key, and not chained when the backup is taken.
    assert invoke(source, "token", "create", "--role", "auditor")[0] == 0
    dest = tmp_path / "backup"
    assert invoke(source, "backup", str(dest))[0] == 0
    manifest = read_manifest(dest)
    old, new = (key.key_id for key in load_keyring(keyring).keys)
    assert manifest.seal_key_ids == sorted([old, new])
    assert manifest.chain_position < manifest.log_position

    stale = with_keyring(backup_stores.target, before_rotation)
    kept = before_rotation.read_bytes()
    code, said = invoke(stale, "restore", str(dest))
    assert code == 1
    assert f"lacks key(s) {new}, which sealed this backup" in said
    assert "nothing was written" in said
    assert store_state(stale) == {}
    assert before_rotation.read_bytes() == kept

    current = with_keyring(backup_stores.target, keyring)
    code, said = invoke(current, "restore", str(dest))
    assert code == 0, said
    code, said = invoke(current, "replay", "verify")
    assert code == 0, said
    assert "1 newer ones their seals (not chained yet)" in said


@pytest.mark.parametrize("key", ["missing", "not-a-key"])
def test_a_restore_with_an_unusable_checkpoint_key_writes_nothing(
    backup_stores: BackupStores, tmp_path: Path, key: str
) -> None:
    backup = take_backup(backup_stores, tmp_path / "backup")
    path = tmp_path / "keys" / "audit.pem"
    if key == "not-a-key":
        path.parent.mkdir()
        path.write_text("-----BEGIN PRIVATE KEY-----\nnonsense\n")
    target = {
        **keyed_target(backup_stores),
        "TICKETTAPE_CHECKPOINT_KEY": str(path),
    }
    before = store_state(backup_stores.target)

    code, said = invoke(target, "restore", str(backup))
    assert code == 1
    assert "the checkpoint key cannot be used" in said
    assert "nothing was written" in said
    assert store_state(backup_stores.target) == before
    data_dir = Path(backup_stores.target["TICKETTAPE_DATA_DIR"])
    assert not data_dir.exists() or not any(data_dir.iterdir())

    del target["TICKETTAPE_CHECKPOINT_KEY"]
    code, said = invoke(target, "restore", str(backup))
    assert code == 0, said
