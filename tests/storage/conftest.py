"""A database of each kind: a SQLite file, and PostgreSQL as the views and as the
ledger and the blobs use it (pipelined or not)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest

from storage.database import Database
from storage.postgres import PooledPostgresDatabase
from storage.sqlite import SQLiteDatabase
from tickettape.settings import Settings
from tickettape.stores import ensure_schema, libpq_conninfo

DATABASE_KINDS = [
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("postgres-plain", marks=pytest.mark.postgres),
]


@pytest.fixture(params=DATABASE_KINDS)
def database_kind(request: pytest.FixtureRequest) -> str:
    """sqlite, postgres (as the views use it) or postgres-plain (as the ledger and
    the blobs use it: autocommit connections, transactions begun explicitly)."""
    return cast(str, request.param)


@pytest.fixture
def database(
    database_kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Database]:
    """An empty database of the kind (on PostgreSQL a schema, dropped after)."""
    opened: Database
    if database_kind == "sqlite":
        opened = SQLiteDatabase(tmp_path / "storage.sqlite3")
    else:
        url = cast(str, request.getfixturevalue("postgres_schema_url"))
        settings = Settings(database_url=url)
        ensure_schema(settings)
        pipelined = database_kind == "postgres"
        opened = PooledPostgresDatabase(
            libpq_conninfo(settings),
            name="storage-test",
            pool_size=2,
            pipelined_writes=pipelined,
            snapshot_reads=pipelined,
            replace_nul=pipelined,
            autocommit=not pipelined,
        )
    yield opened
    opened.close()
