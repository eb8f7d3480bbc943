"""The auditor's CLI on SQLite and PostgreSQL: keygen, checkpoint, verify, exits."""

from __future__ import annotations

import stat
from pathlib import Path

from domain.ids import ticket_id
from tests.replay.cli import replay, store_env
from tests.replay.tamper import Tamper
from tickettape.cli_replay import TAMPERED


def test_checkpoint_needs_a_key_and_verify_checks_it(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    assert replay(cli_env, "verify")[0] == 0
    code, said = replay(cli_env, "checkpoint")
    assert code == 1
    assert "TICKETTAPE_CHECKPOINT_KEY" in said
    key = tmp_path / "audit.pem"
    assert replay(cli_env, "keygen", str(key))[0] == 0
    assert replay(cli_env, "keygen", str(key))[0] == 1
    signing = {**cli_env, "TICKETTAPE_CHECKPOINT_KEY": str(key)}
    kept = tmp_path / "checkpoint.json"
    code, said = replay(signing, "checkpoint", "--out", str(kept))
    assert code == 0, said
    assert kept.exists()
    code, said = replay(signing, "verify")
    assert code == 0, said
    assert "holds" in said
    public = f"--public-key={key}.pub"
    code, said = replay(cli_env, "verify", "--checkpoint", str(kept), public)
    assert (code, "intact" in said) == (0, True)
    code, said = replay(cli_env, "verify")
    assert code == 1
    assert "--public-key" in said


def test_keygen_makes_the_missing_folders_for_the_owner_alone(tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    kept.mkdir()
    kept.chmod(0o755)
    key = kept / "secure" / "audit" / "audit.pem"
    code, said = replay({}, "keygen", str(key))
    assert code == 0, said
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert key.with_name("audit.pem.pub").exists()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    for made in (kept / "secure", key.parent):
        assert stat.S_IMODE(made.stat().st_mode) == 0o700
    # A folder that was there already keeps its mode.
    assert stat.S_IMODE(kept.stat().st_mode) == 0o755


def test_verify_exits_nonzero_naming_the_altered_event(
    cli_env: dict[str, str],
) -> None:
    number = cli_env["NUMBER"]
    assert replay(cli_env, "chain")[0] == 0
    tamper = Tamper(store_env(cli_env))
    nid, _, version, _, state = next(
        r for r in tamper.rows() if r[1] == str(ticket_id(number)) and r[2] == 2
    )
    tamper.set_state(nid, state.replace(b"smokes", b"sparks"))
    code, said = replay(cli_env, "verify")
    assert code == TAMPERED
    assert f"TAMPERED (modified): position {nid}, ticket {number}" in said
    assert f"version {version}" in said
    code, said = replay(cli_env, "verify", "--ticket", number)
    assert code == TAMPERED
    assert "modified" in said
    assert replay(cli_env, "verify", "--ticket", "19990101000000")[0] == 1


def test_a_forged_checkpoint_file_is_reported(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    key = tmp_path / "audit.pem"
    replay(cli_env, "keygen", str(key))
    signing = {**cli_env, "TICKETTAPE_CHECKPOINT_KEY": str(key)}
    kept = tmp_path / "checkpoint.json"
    assert replay(signing, "checkpoint", "--out", str(kept))[0] == 0
    kept.write_text(kept.read_text().replace('"count": ', '"count": 1'))
    code, said = replay(signing, "verify", "--checkpoint", str(kept))
    assert code == TAMPERED
    assert "bad checkpoint" in said


def test_verify_since_the_checkpoint_checks_what_came_after_it(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    assert replay(cli_env, "verify", "--since-checkpoint")[0] == 1
    key = tmp_path / "audit.pem"
    replay(cli_env, "keygen", str(key))
    signing = {**cli_env, "TICKETTAPE_CHECKPOINT_KEY": str(key)}
    assert replay(signing, "checkpoint")[0] == 0
    code, said = replay(signing, "verify", "--since-checkpoint")
    assert code == 0, said
    assert "intact: 0 events after the checkpoint" in said
    number = cli_env["NUMBER"]
    code, said = replay(signing, "verify", "--since-checkpoint", "--ticket", number)
    assert code == 1
    assert "not with --ticket" in said

    # An event stored after the checkpoint, altered: found, and named.
    tamper = Tamper(store_env(cli_env))
    nid, oid, version, topic, state = tamper.rows()[-1]
    tamper.insert(nid + 1, oid, version + 1, topic, state)
    code, said = replay(signing, "verify", "--since-checkpoint")
    assert code == TAMPERED
    assert f"position {nid + 1}" in said
