"""Isolated event stores of each kind, and the desks made on them (closed after).

The fixtures in tests/conftest.py hand these out; tests annotate with the types.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from psycopg.conninfo import make_conninfo

from domain.desk import HelpDesk
from tickettape.bootstrap import Runtime, open_runtime
from tickettape.settings import Settings
from tickettape.stores import event_store_env
from tools.throwaway_postgres import drop_schemas, with_schema


def new_schema_name() -> str:
    """A schema name no other test uses."""
    return f"test_{uuid.uuid4().hex}"


def cli_settings(env: dict[str, str]) -> Settings:
    """The settings the CLI reads from this TICKETTAPE_* environment: its store,
    and the seal and cipher key files when it names them."""
    seal_key = env.get("TICKETTAPE_SEAL_KEY")
    cipher_key = env.get("TICKETTAPE_CIPHER_KEY")
    return Settings(
        data_dir=Path(env["TICKETTAPE_DATA_DIR"]),
        database_url=env["TICKETTAPE_DATABASE_URL"],
        seal_key=Path(seal_key) if seal_key else None,
        cipher_key=Path(cipher_key) if cipher_key else None,
    )


@contextmanager
def cli_runtime(env: dict[str, str], **overrides: Any) -> Iterator[Runtime]:
    """The runtime the CLI opens on this environment (some settings
    overridden), closed afterwards."""
    runtime = open_runtime(cli_settings(env).model_copy(update=overrides))
    try:
        yield runtime
    finally:
        runtime.close()


def postgres_conninfo(env: dict[str, str]) -> str:
    """The libpq conninfo of the PostgreSQL event store an eventsourcing env names."""
    return make_conninfo(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        options=f"-c search_path={env.get('POSTGRES_SCHEMA', 'public')}",
    )


class DeskFactory:
    """Makes initialized desks on an env, and closes them all at teardown."""

    def __init__(self) -> None:
        self.desks: list[HelpDesk] = []

    def __call__(
        self,
        env: dict[str, str],
        cls: type[HelpDesk] = HelpDesk,
        clock: Callable[[], datetime] | None = None,
    ) -> HelpDesk:
        """A new, initialized desk of the class on the env (and on the clock)."""
        desk = cls(env=dict(env), clock=clock)
        self.desks.append(desk)
        desk.initialize()
        return desk

    def close_all(self) -> None:
        """Close every desk made so far, releasing its connections."""
        while self.desks:
            self.desks.pop().close()


class StoreEnvs:
    """Makes isolated event stores of one kind; drops them when closed."""

    def __init__(
        self,
        kind: str,
        root: Path,
        desks: DeskFactory,
        postgres_url: str | None = None,
    ) -> None:
        self.kind = kind
        self.root = root
        self.desks = desks
        self.postgres_url = postgres_url
        self.schemas: list[str] = []
        self.count = 0

    def new(self) -> dict[str, str]:
        """The env of a new, empty event store."""
        self.count += 1
        if self.kind == "memory":
            return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
        if self.kind == "sqlite":
            data_dir = self.root / f"store{self.count}"
            return event_store_env(Settings(database_url="", data_dir=data_dir))
        if self.postgres_url is None:
            raise RuntimeError("a PostgreSQL store needs the postgres_url fixture")
        schema = new_schema_name()
        self.schemas.append(schema)
        url = with_schema(self.postgres_url, schema)
        # The seal keyring goes in a directory of the test's own.
        data_dir = self.root / f"store{self.count}"
        return event_store_env(Settings(database_url=url, data_dir=data_dir))

    def close(self) -> None:
        """Close the desks on these stores, then drop the stores' schemas."""
        self.desks.close_all()
        if self.postgres_url is not None:
            for schema in self.schemas:
                drop_schemas(self.postgres_url, schema)
