"""Rebuild a view from position 0 into a fresh copy, swapped in once caught up."""

from __future__ import annotations

from collections.abc import Callable

from domain.desk import HelpDesk
from projections.engine.layouts import record_layout
from projections.engine.store import ViewCursor, ViewStore
from projections.engine.tracking import (
    create_tracking_table,
    forget_position,
    locked_position,
    record_position,
)
from projections.engine.view import (
    Tables,
    View,
    advance,
    create_tables,
    live_tables,
)

REBUILD_SUFFIX = "__rebuild"

Progress = Callable[[int, int], None]


def rebuild(
    desk: HelpDesk,
    store: ViewStore,
    view: View,
    batch_size: int = 500,
    progress: Progress | None = None,
) -> int:
    """Replay the whole log into a copy of the view, then swap it in; its position.

    Readers keep using the live tables until the swap, which happens in one
    transaction holding the live view's tracking lock, so the runner waits for it.
    """
    live = live_tables(view)
    fresh = {logical: name + REBUILD_SUFFIX for logical, name in live.items()}
    working = view.name + REBUILD_SUFFIX
    replay_into(desk, store, view, fresh, working, batch_size, progress)
    with store.transaction(write=True) as cursor:
        locked_position(store, cursor, view.name)
        # Whatever was written since the last batch goes in before the swap.
        at = catch_up_within(desk, store, cursor, view, fresh, working, batch_size)
        for logical, name in live.items():
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
            store.rename_table(cursor, fresh[logical], name)
        create_tables(cursor, view, live, with_indexes=True)
        record_layout(cursor, view)
        record_position(cursor, view.name, at)
        forget_position(cursor, working)
    return at


def replay_into(
    desk: HelpDesk,
    store: ViewStore,
    view: View,
    tables: Tables,
    working: str,
    batch_size: int,
    progress: Progress | None = None,
) -> None:
    """Make the tables afresh and replay the whole log into them, a batch per
    transaction, their position kept under the name `working`."""
    with store.transaction(write=True) as cursor:
        create_tracking_table(cursor)
        for name in tables.values():
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        # Indexes come later (at a rebuild's swap): they carry the live names,
        # and a bulk load into an unindexed table is quicker.
        create_tables(cursor, view, tables, with_indexes=False)
        locked_position(store, cursor, working)
        record_position(cursor, working, 0)
    caught_up = False
    while not caught_up:
        with store.transaction(write=True) as cursor:
            at, caught_up = advance(
                desk, store, cursor, view, tables, working, batch_size
            )
        if progress is not None:
            progress(at, desk.recorder.max_notification_id() or 0)


def catch_up_within(
    desk: HelpDesk,
    store: ViewStore,
    cursor: ViewCursor,
    view: View,
    tables: Tables,
    tracking: str,
    batch_size: int,
) -> int:
    """Apply batches in the caller's transaction until the tables have taken in
    the log up to its end; that position."""
    done = False
    while not done:
        at, done = advance(desk, store, cursor, view, tables, tracking, batch_size)
    return at
