"""Where the views live: a SQLite file of their own, or `view_` tables in PostgreSQL.

The storage layer does the work; these are the names the views know it by.
"""

from __future__ import annotations

from pathlib import Path

from storage.cursor import Cursor, Row
from storage.database import Database
from storage.postgres import PIPELINE_DEPTH, PipelinedCursor, PooledPostgresDatabase
from storage.sqlite import READ_MOSTLY, SQLiteDatabase

__all__ = [
    "PIPELINE_DEPTH",
    "PipelinedCursor",
    "PostgresViewStore",
    "Row",
    "SQLiteViewStore",
    "ViewCursor",
    "ViewStore",
]

#: A cursor over the view tables: `?` placeholders, rows by name or position.
ViewCursor = Cursor
#: Transactions over the view tables; writers are serialized per tracking row.
ViewStore = Database


class SQLiteViewStore(SQLiteDatabase):
    """The embedded views: one WAL database file, a small pool of connections."""

    def __init__(self, path: Path, pool_size: int = 8, lock_timeout: float = 5.0):
        path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
            path,
            pool_size=pool_size,
            lock_timeout=lock_timeout,
            pragmas=READ_MOSTLY,
            gather_statistics=True,
        )


class PostgresViewStore(PooledPostgresDatabase):
    """The production views: `view_` tables beside the events, through a pool."""

    def __init__(
        self, conninfo: str, pool_size: int = 5, *, timeout: float = 30.0
    ) -> None:
        # Lists read a snapshot (their count and page agree); a batch of view
        # writes is one pipeline; a NUL in derived text becomes U+FFFD.
        super().__init__(
            conninfo,
            name="views",
            pool_size=pool_size,
            timeout=timeout,
            snapshot_reads=True,
            pipelined_writes=True,
            replace_nul=True,
        )
