"""Fresh stores for the scenarios: SQLite files in a temp dir, PostgreSQL schemas."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import psycopg

from tickettape.settings import Settings
from tickettape.stores import libpq_conninfo
from tools.throwaway_postgres import drop_schemas, with_schema


class BenchStores:
    """Makes empty stores of one kind (sqlite or postgres); drops them on close."""

    def __init__(self, kind: str, root: Path, postgres_url: str | None) -> None:
        self.kind = kind
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.postgres_url = postgres_url
        self.schemas: list[str] = []

    def new(self, label: str, pool_size: int = 5) -> Settings:
        """The settings of a new, empty store (its own data dir or schema)."""
        name = f"bench_{label}_{uuid.uuid4().hex[:10]}"
        if self.kind == "sqlite":
            return Settings(database_url="", data_dir=self.root / name)
        if self.postgres_url is None:
            raise RuntimeError("a PostgreSQL store needs a server URL")
        self.schemas.append(name)
        return Settings(
            database_url=with_schema(self.postgres_url, name),
            postgres_pool_size=pool_size,
            # Where the store's seal keyring goes.
            data_dir=self.root / name,
        )

    def close(self) -> None:
        """Drop every schema made here (SQLite files go with the temp dir)."""
        if self.postgres_url is not None:
            drop_schemas(self.postgres_url, *self.schemas)


def sqlite_version() -> str:
    """The SQLite library Python links."""
    return sqlite3.sqlite_version


def postgres_version(url: str) -> str:
    """The server's version string."""
    conninfo = libpq_conninfo(Settings(database_url=url))
    with psycopg.connect(conninfo) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"
