"""A source store and an empty target of the same kind, as the CLI sees them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backup.stores import BackupStores
from tests.stores import new_schema_name
from tools.throwaway_postgres import drop_schemas, with_schema


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
            schemas.append(new_schema_name())
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
