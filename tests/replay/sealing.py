"""The operator's side of a test store: its seal keyring."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from domain.desk import HelpDesk
from replay.seals import Keyring, load_keyring
from tickettape.sealing import KEYRING_KEY, keyring_file_of


def keyring_of(env: dict[str, str]) -> Keyring:
    """The seal keyring a store's env names (made when the store was first opened)."""
    return load_keyring(Path(env[KEYRING_KEY]))


def keyring_path(env: dict[str, str]) -> Path:
    """Where a store's seal keyring is."""
    return Path(env[KEYRING_KEY])


def keys_of(desk: HelpDesk) -> Callable[[], Keyring]:
    """The keyring source a desk's sealing recorder uses."""
    source = keyring_file_of(desk.recorder)
    if source is None:
        raise ValueError("the desk's store does not seal")
    return source.keyring
