"""What a backup holds and leaves out, and a restored store that carries on."""

from __future__ import annotations

import shutil
from pathlib import Path

from replay.seals import load_keyring
from tests.backup.commands import fill, invoke
from tests.backup.contents import event_log, run_sql, store_state
from tests.backup.stores import BackupStores, keyed_target
from tests.stores import cli_settings
from tickettape.backup_manifest import read_manifest


def test_keys_stay_out_and_the_restored_store_carries_on(
    backup_stores: BackupStores, tmp_path: Path
) -> None:
    source = backup_stores.source
    fill(source)
    # Keys kept where a careless operator keeps them: in the data directory,
    # where the seal keyring is made by default.
    keys = Path(source["TICKETTAPE_DATA_DIR"])
    key, keyring = keys / "audit.pem", cli_settings(source).seal_key_path
    assert keyring.parent == keys
    assert invoke(source, "replay", "keygen", str(key))[0] == 0
    signing = {**source, "TICKETTAPE_CHECKPOINT_KEY": str(key)}
    assert invoke(signing, "replay", "checkpoint")[0] == 0
    dest = tmp_path / "backup"
    code, said = invoke(signing, "backup", str(dest))
    assert code == 0, said
    assert "TICKETTAPE_SEAL_KEY" in said
    sealing = load_keyring(keyring)
    assert read_manifest(dest).seal_key_ids == [sealing.current.key_id]
    secrets = [key.read_bytes(), keyring.read_bytes()]
    for sealing_key in sealing.keys:
        secrets += [sealing_key.secret, sealing_key.secret.hex().encode()]
    for path in dest.rglob("*"):
        if path.is_file():
            assert not any(secret in path.read_bytes() for secret in secrets), path

    # The keyring, copied apart from the backup, waits where the target's goes.
    target = {**backup_stores.target, "TICKETTAPE_CHECKPOINT_KEY": str(key)}
    kept = cli_settings(target).seal_key_path
    kept.parent.mkdir(parents=True)
    shutil.copyfile(keyring, kept)
    code, said = invoke(target, "restore", str(dest))
    assert code == 0, said
    code, said = invoke(target, "replay", "verify")
    assert (code, "holds" in said) == (0, True), said
    # New rows follow the restored ones: the next event, the next checkpoint.
    position = read_manifest(dest).log_position
    assert invoke(target, "token", "create", "--role", "auditor")[0] == 0
    assert event_log(target)[-1][0] == position + 1
    assert invoke(target, "replay", "checkpoint")[0] == 0
    assert kept.read_bytes() == keyring.read_bytes()


WITNESSES = (
    "CREATE TABLE audit_witnesses (notification_id BIGINT PRIMARY KEY, "
    "witness TEXT NOT NULL, statement {} NOT NULL)"
)


def test_an_audit_table_this_code_does_not_know_goes_along(
    backup_stores: BackupStores, tmp_path: Path
) -> None:
    stores = backup_stores
    blob = "BYTEA" if stores.kind == "postgres" else "BLOB"
    fill(stores.source)
    run_sql(stores.source, WITNESSES.format(blob))
    for at in (1, 2):
        run_sql(
            stores.source, "INSERT INTO audit_witnesses VALUES (?, 'w1', ?)", at, b"s"
        )
    dest = tmp_path / "backup"
    assert invoke(stores.source, "backup", str(dest))[0] == 0
    assert read_manifest(dest).table("audit_witnesses").rows == 2
    target = keyed_target(stores)
    if stores.kind == "postgres":
        # Its rows go only into a table the code made, with the same columns.
        code, said = invoke(target, "restore", str(dest))
        assert (code, "makes no table audit_witnesses" in said) == (1, True)
        assert set(store_state(target).values()) == {(0,)}
        run_sql(target, WITNESSES.format(blob))
    code, said = invoke(target, "restore", str(dest))
    assert code == 0, said
    rows = run_sql(target, "SELECT * FROM audit_witnesses ORDER BY 1")
    assert [(at, who) for at, who, _ in rows] == [(1, "w1"), (2, "w1")]
