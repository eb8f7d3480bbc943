"""Check a live view against the log: rebuild a scratch copy, compare row for row.

A view is only ever derived from the log, so a fresh replay must give exactly
the rows the live view holds at the same position. A row that differs was
edited in the views' database by hand, or written by a projection bug; either
way the live view lies about the archive, and a rebuild mends it. The check
replays the whole log into scratch tables beside the live ones (readers go on
meanwhile), then, holding the live view's lock, brings both to the same log
position and compares each table both ways; the scratch tables are dropped
whatever happens. The live view is only caught up, never changed otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.desk import HelpDesk
from projections.engine.rebuild import Progress, catch_up_within, replay_into
from projections.engine.store import ViewCursor, ViewStore
from projections.engine.tracking import forget_position, locked_position
from projections.engine.view import Tables, View, live_tables

CHECK_SUFFIX = "__check"
#: Times both copies are brought to the log's end before giving up on a log
#: that grows between the two.
SETTLE_ATTEMPTS = 5


@dataclass(frozen=True)
class TableDifference:
    """Rows of one table only in the live view, and only in the replay."""

    table: str
    live_only: int
    replay_only: int


@dataclass(frozen=True)
class ViewCheck:
    """The check of one view at one log position: its differing tables."""

    view: str
    position: int
    differences: tuple[TableDifference, ...]

    @property
    def equal(self) -> bool:
        """Whether the live view holds exactly what a replay gives."""
        return not self.differences


class LogKeptGrowing(Exception):
    """The live view and the replay never met at one position."""


def check_view(
    desk: HelpDesk,
    store: ViewStore,
    view: View,
    batch_size: int = 500,
    progress: Progress | None = None,
) -> ViewCheck:
    """Replay the log into scratch tables and compare them with the live view."""
    live = live_tables(view)
    scratch = {logical: name + CHECK_SUFFIX for logical, name in live.items()}
    working = view.name + CHECK_SUFFIX
    try:
        replay_into(desk, store, view, scratch, working, batch_size, progress)
        with store.transaction(write=True) as cursor:
            locked_position(store, cursor, view.name)
            position = _settle(desk, store, cursor, view, scratch, batch_size)
            differences = tuple(
                difference
                for logical, name in live.items()
                if (difference := _compare(cursor, name, scratch[logical]))
            )
        return ViewCheck(view.name, position, differences)
    finally:
        with store.transaction(write=True) as cursor:
            _drop(cursor, scratch)
            forget_position(cursor, working)


def _settle(
    desk: HelpDesk,
    store: ViewStore,
    cursor: ViewCursor,
    view: View,
    scratch: Tables,
    batch_size: int,
) -> int:
    """Bring the live view and the replay to one log position (the live view's
    lock is held); that position."""
    live = live_tables(view)
    working = view.name + CHECK_SUFFIX
    for _ in range(SETTLE_ATTEMPTS):
        live_at = catch_up_within(
            desk, store, cursor, view, live, view.name, batch_size
        )
        replay_at = catch_up_within(
            desk, store, cursor, view, scratch, working, batch_size
        )
        if live_at == replay_at:
            return live_at
    raise LogKeptGrowing(
        f"the log grew between every look at {view.name}; check again when "
        "it is quieter"
    )


def _compare(cursor: ViewCursor, live: str, replay: str) -> TableDifference | None:
    """The rows each table holds that the other does not, or None if alike."""
    live_only = _count(cursor, f"SELECT * FROM {live} EXCEPT SELECT * FROM {replay}")
    replay_only = _count(cursor, f"SELECT * FROM {replay} EXCEPT SELECT * FROM {live}")
    if not live_only and not replay_only:
        # EXCEPT compares sets: a duplicated row shows only in the counts.
        live_only = _count(cursor, f"SELECT * FROM {live}")
        replay_only = _count(cursor, f"SELECT * FROM {replay}")
        if live_only == replay_only:
            return None
        live_only, replay_only = (
            max(live_only - replay_only, 0),
            max(replay_only - live_only, 0),
        )
    return TableDifference(live, live_only, replay_only)


def _count(cursor: ViewCursor, query: str) -> int:
    cursor.execute(f"SELECT COUNT(*) AS n FROM ({query}) AS rows")
    row = cursor.fetchone()
    return int(row.n) if row is not None else 0


def _drop(cursor: ViewCursor, tables: Tables) -> None:
    for name in tables.values():
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
