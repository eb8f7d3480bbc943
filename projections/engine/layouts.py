"""Each view's table layout, so that a view whose tables changed is re-projected.

`CREATE TABLE IF NOT EXISTS` keeps an old table as it is: after an upgrade that
adds a column or a table to a view, the view would fail on its first insert or
answer from rows it no longer knows how to read. So the store keeps, beside the
positions, a digest of each view's table and index templates; when a runner
starts and finds another digest (or none, for a view that already has rows),
it drops the view's tables and projects it again from the start of the log.
"""

from __future__ import annotations

import hashlib
import logging

from projections.engine.store import ViewCursor, ViewStore
from projections.engine.tracking import locked_position, record_position
from projections.engine.view import PerStore, View, create_tables, live_tables

TABLE = "view_layouts"

log = logging.getLogger(__name__)


def layout(view: View) -> str:
    """A digest of the view's table and index templates, on both stores."""
    parts: list[str] = []
    for name, template in sorted(view.tables.items()):
        parts += [name, *_texts(template)]
    for template in view.indexes:
        parts += _texts(template)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def ready_tables(store: ViewStore, cursor: ViewCursor, view: View) -> None:
    """Create the view's tables; start it afresh if its layout changed.

    Runs in the caller's write transaction, holding the view's tracking lock,
    so two runners starting at once take turns.
    """
    _create_table(cursor)
    at = locked_position(store, cursor, view.name)
    cursor.execute(f"SELECT layout FROM {TABLE} WHERE view_name = ?", (view.name,))
    found = cursor.fetchone()
    wanted = layout(view)
    # Without a layout the tables are from before layouts were kept (or do
    # not exist yet): either way they are made anew.
    reset = found is None or found.layout != wanted
    tables = live_tables(view)
    if reset:
        if found is not None or at > 0:
            log.warning(
                "the tables of view %s changed: projecting it again from the start",
                view.name,
            )
        for name in tables.values():
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        record_position(cursor, view.name, 0)
    create_tables(cursor, view, tables, with_indexes=True)
    if reset:
        record_layout(cursor, view)


def record_layout(cursor: ViewCursor, view: View) -> None:
    """Note the layout the view's live tables now have."""
    _create_table(cursor)
    cursor.execute(
        f"INSERT INTO {TABLE} (view_name, layout) VALUES (?, ?) "
        "ON CONFLICT (view_name) DO UPDATE SET layout = excluded.layout",
        (view.name, layout(view)),
    )


def _create_table(cursor: ViewCursor) -> None:
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} "
        "(view_name TEXT PRIMARY KEY, layout TEXT NOT NULL)"
    )


def _texts(template: str | PerStore) -> list[str]:
    if isinstance(template, PerStore):
        return [template.sqlite or "", template.postgresql or ""]
    return [template]
