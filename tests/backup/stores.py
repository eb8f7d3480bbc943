"""The source, target and spare stores of a backup test, and their settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.stores import cli_settings


@dataclass(frozen=True)
class BackupStores:
    """The TICKETTAPE_* environments of a source store and a restore target."""

    kind: str
    source: dict[str, str]
    target: dict[str, str]
    # Where a test may put a view store of its own (PostgreSQL: a third schema).
    spare: dict[str, str]


def with_keyring(env: dict[str, str], keyring: Path) -> dict[str, str]:
    """The environment with TICKETTAPE_SEAL_KEY set to this keyring file."""
    return {**env, "TICKETTAPE_SEAL_KEY": str(keyring)}


def keyed_target(stores: BackupStores) -> dict[str, str]:
    """The target's environment with the seal keyring that sealed the source."""
    return with_keyring(stores.target, cli_settings(stores.source).seal_key_path)
