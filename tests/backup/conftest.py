"""A source store and an empty target of the same kind, as the CLI sees them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tickettape.settings import Settings
from tools.throwaway_postgres import drop_schemas, with_schema


@dataclass(frozen=True)
class BackupStores:
    """The TICKETTAPE_* environments of a source store and a restore target."""

    kind: str
    source: dict[str, str]
    target: dict[str, str]
    # Where a test may put a view store of its own (PostgreSQL: a third schema).
    spare: dict[str, str]


def settings_of(env: dict[str, str]) -> Settings:
    """The settings the CLI reads from this environment."""
    keyring = env.get("TICKETTAPE_SEAL_KEY")
    return Settings(
        data_dir=Path(env["TICKETTAPE_DATA_DIR"]),
        database_url=env["TICKETTAPE_DATABASE_URL"],
        seal_key=Path(keyring) if keyring else None,
    )


def with_keyring(env: dict[str, str], keyring: Path) -> dict[str, str]:
    """The environment with TICKETTAPE_SEAL_KEY set to this keyring file."""
    return {**env, "TICKETTAPE_SEAL_KEY": str(keyring)}


def keyed_target(stores: BackupStores) -> dict[str, str]:
    """The target's environment with the seal keyring that sealed the source."""
    return with_keyring(stores.target, settings_of(stores.source).seal_key_path)


def _stores(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[BackupStores]:
    envs = [
        {"TICKETTAPE_DATA_DIR": str(tmp_path / name), "TICKETTAPE_DATABASE_URL": ""}
        for name in ("source", "target", "spare")
    ]
    schemas: list[str] = []
    url = ""
    if kind == "postgres":
        url = str(request.getfixturevalue("postgres_url"))
        for env in envs:
            schemas.append(f"test_{uuid.uuid4().hex}")
            env["TICKETTAPE_DATABASE_URL"] = with_schema(url, schemas[-1])
    yield BackupStores(kind, *envs)
    if schemas:
        drop_schemas(url, *schemas)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backup_stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[BackupStores]:
    """Three stores of one kind (none made yet); PostgreSQL schemas dropped after."""
    yield from _stores(str(request.param), request, tmp_path)


@pytest.fixture
def postgres_backup_stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[BackupStores]:
    """Three PostgreSQL schemas (none made yet), dropped after."""
    yield from _stores("postgres", request, tmp_path)
