"""How far each view has read the notification log, kept beside the view's rows."""

from __future__ import annotations

from projections.engine.store import ViewCursor, ViewStore

TABLE = "view_tracking"


def create_tracking_table(cursor: ViewCursor) -> None:
    """The one table of positions, a row per view (and per view being rebuilt)."""
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} "
        "(view_name TEXT PRIMARY KEY, notification_id BIGINT NOT NULL)"
    )


def locked_position(store: ViewStore, cursor: ViewCursor, view: str) -> int:
    """The view's position, locked for the rest of this write transaction.

    The lock is what makes two runners (or a runner and a rebuild's swap) of the
    same view take turns, so no notification is applied twice.
    """
    cursor.execute(
        f"INSERT INTO {TABLE} (view_name, notification_id) VALUES (?, 0) "
        "ON CONFLICT (view_name) DO NOTHING",
        (view,),
    )
    cursor.execute(
        f"SELECT notification_id FROM {TABLE} WHERE view_name = ?{store.lock_clause}",
        (view,),
    )
    row = cursor.fetchone()
    return int(row.notification_id) if row else 0


def record_position(cursor: ViewCursor, view: str, position: int) -> None:
    """Move the view's position, in the transaction that wrote its rows."""
    cursor.execute(
        f"UPDATE {TABLE} SET notification_id = ? WHERE view_name = ?",
        (position, view),
    )


def forget_position(cursor: ViewCursor, view: str) -> None:
    """Remove a view's row (a finished rebuild's working copy)."""
    cursor.execute(f"DELETE FROM {TABLE} WHERE view_name = ?", (view,))


def position(cursor: ViewCursor, view: str) -> int:
    """The view's position without locking it; 0 before its first batch."""
    cursor.execute(f"SELECT notification_id FROM {TABLE} WHERE view_name = ?", (view,))
    row = cursor.fetchone()
    return int(row.notification_id) if row else 0
