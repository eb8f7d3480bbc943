"""The seal keyring: its file, rotation and retirement, without a store."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from replay.seals import (
    Keyring,
    KeyringError,
    KeyringFile,
    create_keyring,
    event_message,
    load_keyring,
    save_keyring,
)

MESSAGE = event_message(7, b"h" * 32)


def test_a_new_keyring_is_a_file_only_its_owner_reads(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "seal.key"
    made = create_keyring(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_keyring(path) == made
    with pytest.raises(FileExistsError):
        create_keyring(path)


def test_the_current_key_seals_and_every_key_checks(tmp_path: Path) -> None:
    first = create_keyring(tmp_path / "seal.key")
    key_id, seal = first.sign(MESSAGE)
    rotated = first.rotated()
    assert rotated.current != first.current
    assert rotated.sign(MESSAGE)[0] != key_id
    assert rotated.holds(key_id, MESSAGE, seal)
    assert not rotated.holds(key_id, MESSAGE + b"!", seal)
    assert not Keyring((rotated.current,)).holds(key_id, MESSAGE, seal)
    assert Keyring((rotated.current,)).key_problem(key_id, 7) == (
        f"it is sealed with key {key_id}, which the keyring does not hold"
    )


def test_a_retired_key_checks_only_seals_up_to_its_position(tmp_path: Path) -> None:
    path = tmp_path / "seal.key"
    old = create_keyring(path)
    retired = old.rotated().retired(after=100)
    save_keyring(path, retired)
    kept = load_keyring(path)
    assert kept == retired
    old_id = old.current.key_id
    assert kept.key_problem(old_id, 100) is None
    assert "retired after position 100" in str(kept.key_problem(old_id, 101))
    assert kept.key_problem(kept.current.key_id, 10**9) is None
    # Retiring again keeps the first position a key was retired at.
    assert kept.rotated().retired(after=500).keys[0].retired_after == 100


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("", "holds no seal key"),
        ("# only a comment\n", "holds no seal key"),
        ("tickettape-seal-key/1 zz\n", "not hexadecimal"),
        ("tickettape-seal-key/1 00ff\n", "has 32 bytes"),
        ("some-other-format 00\n", "not a seal key line"),
        ("tickettape-seal-key/1 " + "00" * 32 + " retired=3\n", "retired-after"),
    ],
)
def test_a_broken_keyring_file_is_refused_with_a_reason(
    tmp_path: Path, text: str, complaint: str
) -> None:
    path = tmp_path / "seal.key"
    path.write_text(text)
    with pytest.raises(KeyringError, match=complaint):
        load_keyring(path)


def test_a_missing_keyring_says_where_it_was_looked_for(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match=str(tmp_path / "nowhere.key")):
        load_keyring(tmp_path / "nowhere.key")


def test_a_keyring_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "seal.key"
    first = create_keyring(path)
    source = KeyringFile(path)
    assert source.keyring() == first
    rotated = first.rotated()
    save_keyring(path, rotated)
    # A rewrite within the same clock tick still differs in inode.
    assert source.keyring() == rotated
    os.unlink(path)
    assert source.keyring() == rotated
    with pytest.raises(KeyringError, match="no seal keyring"):
        KeyringFile(path).keyring()
