"""View stores beside the event stores: a SQLite file, or the PostgreSQL schema."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from psycopg.conninfo import make_conninfo

from domain.desk import HelpDesk
from projections.store import PostgresViewStore, SQLiteViewStore, ViewStore
from tests.conftest import DeskFactory

OpenViews = Callable[[], ViewStore]


@pytest.fixture
def open_views(
    durable_store_env: dict[str, str], tmp_path: Path
) -> Iterator[OpenViews]:
    """Call to open (again) the view store beside the event store; all closed after."""
    env = durable_store_env
    opened: list[ViewStore] = []

    def open_store() -> ViewStore:
        store: ViewStore
        if "SQLITE_DBNAME" in env:
            store = SQLiteViewStore(tmp_path / "views.sqlite3")
        else:
            store = PostgresViewStore(
                make_conninfo(
                    dbname=env["POSTGRES_DBNAME"],
                    host=env["POSTGRES_HOST"],
                    port=env["POSTGRES_PORT"],
                    user=env["POSTGRES_USER"],
                    password=env["POSTGRES_PASSWORD"],
                    options=f"-c search_path={env['POSTGRES_SCHEMA']}",
                )
            )
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        store.close()


@pytest.fixture
def view_store(open_views: OpenViews) -> ViewStore:
    """An empty view store of each durable kind."""
    return open_views()


@pytest.fixture
def desk(durable_store_env: dict[str, str], desk_factory: DeskFactory) -> HelpDesk:
    """An initialized desk on the same kind of store as the views."""
    return desk_factory(durable_store_env)
