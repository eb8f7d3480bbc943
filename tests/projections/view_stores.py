"""The view store beside a test's event store (a SQLite file, or the same schema),
and what a view holds there."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from domain.desk import HelpDesk
from projections.engine.rebuild import rebuild
from projections.engine.store import PostgresViewStore, Row, SQLiteViewStore, ViewStore
from projections.engine.tracking import TABLE
from projections.engine.view import View, live_tables
from tests.stores import postgres_conninfo

# The open_views fixture: call to open (again) the view store beside the event store.
OpenViews = Callable[[], ViewStore]


def view_store_beside(env: dict[str, str], directory: Path) -> ViewStore:
    """A view store next to the event store of this env (a file in the directory)."""
    if "SQLITE_DBNAME" in env:
        return SQLiteViewStore(directory / "views.sqlite3")
    return PostgresViewStore(postgres_conninfo(env))


def view_rows(store: ViewStore, view: View) -> dict[str, list[Row]]:
    """Every row of the view's live tables, by logical table, in a fixed order."""
    found = {}
    with store.transaction() as cursor:
        for logical, table in live_tables(view).items():
            cursor.execute(f"SELECT * FROM {table}")
            found[logical] = sorted(cursor.fetchall(), key=repr)
    return found


def wipe(store: ViewStore, *views: View) -> None:
    """Drop the views' tables and every position: the next example starts empty."""
    with store.transaction(write=True) as cursor:
        for view in views:
            for table in live_tables(view).values():
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def assert_rebuilt_alike(desk: HelpDesk, store: ViewStore, view: View) -> None:
    """Rebuild the view from the log: its rows are the ones built incrementally."""
    incremental = view_rows(store, view)
    rebuild(desk, store, view, batch_size=4)
    assert view_rows(store, view) == incremental
