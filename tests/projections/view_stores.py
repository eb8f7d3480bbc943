"""The view store beside a test's event store: a SQLite file, or the same schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from projections.store import PostgresViewStore, SQLiteViewStore, ViewStore
from tests.stores import postgres_conninfo

# The open_views fixture: call to open (again) the view store beside the event store.
OpenViews = Callable[[], ViewStore]


def view_store_beside(env: dict[str, str], directory: Path) -> ViewStore:
    """A view store next to the event store of this env (a file in the directory)."""
    if "SQLITE_DBNAME" in env:
        return SQLiteViewStore(directory / "views.sqlite3")
    return PostgresViewStore(postgres_conninfo(env))
