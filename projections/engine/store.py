"""Where the views live: a SQLite file of their own, or `view_` tables in PostgreSQL."""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from psycopg import Pipeline
from psycopg_pool import ConnectionPool

#: Seconds between refreshes of SQLite's planner statistics while views are
#: written, at least, and at least this many times the last refresh took.
ANALYZE_SECONDS = 60.0
ANALYZE_SPACING = 100
#: How much of the SQLite view file is read through a memory map.
MMAP_BYTES = 2**31

#: Statements a write transaction queues on PostgreSQL before it waits for their
#: results: one round trip per this many keeps a long batch's buffers and pending
#: results small. Large unsynced pipelines have hung (psycopg issue #685, fixed
#: in 3.1.18; our seeding's ~1,000-row inserts); the bound keeps us clear of that.
PIPELINE_DEPTH = 256


class Row(tuple[Any, ...]):
    """A row of a query's answer: its values by column name (`row.title`), or
    by position. Each query's rows share one class made from its columns."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def __getattr__(self, name: str) -> Any:
        # Reached only for a name that is no column of the query.
        raise AttributeError(
            f"the query has no column {name!r} (it has {self._fields})"
        )


@lru_cache(maxsize=512)
def row_class(columns: tuple[str, ...]) -> type[Row]:
    """The class of the rows of a query with these columns."""
    getters = {name: property(itemgetter(i)) for i, name in enumerate(columns)}
    return type("Row", (Row,), {"__slots__": (), "_fields": columns, **getters})


class ViewCursor:
    """A cursor that takes `?` placeholders on both stores."""

    def __init__(self, cursor: Any, *, postgres: bool) -> None:
        self._cursor = cursor
        self._postgres = postgres

    @property
    def postgres(self) -> bool:
        """Whether the statements run on PostgreSQL (else on SQLite)."""
        return self._postgres

    def execute(self, statement: str, params: Sequence[object] = ()) -> None:
        """Run one statement."""
        self._cursor.execute(self._native(statement), self._bound(params))

    def executemany(self, statement: str, rows: Sequence[Sequence[object]]) -> None:
        """Run one statement for each row of parameters."""
        if rows:
            self._cursor.executemany(
                self._native(statement), [self._bound(r) for r in rows]
            )

    def fetchone(self) -> Row | None:
        """The next row of the last query, or None."""
        row = self._cursor.fetchone()
        return None if row is None else self._row_class()(row)

    def fetchall(self) -> list[Row]:
        """The remaining rows of the last query."""
        named = self._row_class()
        return [named(row) for row in self._cursor.fetchall()]

    def count(self, statement: str, params: Sequence[object] = ()) -> int:
        """Run a query whose answer is one number (COUNT, SUM) and give it."""
        self.execute(statement, params)
        row = self.fetchone()
        return 0 if row is None or row[0] is None else int(row[0])

    def _row_class(self) -> type[Row]:
        return row_class(tuple(column[0] for column in self._cursor.description))

    def _bound(self, params: Sequence[object]) -> tuple[object, ...]:
        if not self._postgres:
            return tuple(params)
        # PostgreSQL text cannot hold NUL, and one such title would stop the view
        # for good; views are derived, so they keep a replacement character.
        return tuple(
            p.replace("\x00", "\ufffd") if isinstance(p, str) and "\x00" in p else p
            for p in params
        )

    def _native(self, statement: str) -> str:
        if not self._postgres:
            return statement
        return statement.replace("%", "%%").replace("?", "%s")


class PipelinedCursor(ViewCursor):
    """A PostgreSQL write cursor that sends statements without waiting for each.

    A view handler runs one to three statements per event, and waiting for each
    one's round trip was most of a batch's time. Here they queue in psycopg's
    pipeline and the server runs them in order. A fetch syncs first: the batch
    shares one psycopg cursor, whose current result could otherwise still be
    an earlier statement's; after the sync it is the query's, and it sees the
    batch's own writes. A failed statement raises at the next sync (a fetch,
    every `depth` statements, or the transaction's end), and the transaction
    then rolls back whole, tracking position included.
    """

    def __init__(
        self, cursor: Any, pipeline: Pipeline, depth: int = PIPELINE_DEPTH
    ) -> None:
        super().__init__(cursor, postgres=True)
        self._pipeline = pipeline
        self._depth = depth
        self._queued = 0

    def execute(self, statement: str, params: Sequence[object] = ()) -> None:
        """Queue one statement."""
        super().execute(statement, params)
        self._count(1)

    def executemany(self, statement: str, rows: Sequence[Sequence[object]]) -> None:
        """Queue one statement for each row of parameters, syncing between chunks."""
        for start in range(0, len(rows), self._depth):
            chunk = rows[start : start + self._depth]
            super().executemany(statement, chunk)
            self._count(len(chunk))

    def fetchone(self) -> Row | None:
        """The next row of the last query, once every queued statement ran."""
        self._sync()
        return super().fetchone()

    def fetchall(self) -> list[Row]:
        """The remaining rows of the last query, once every queued statement ran."""
        self._sync()
        return super().fetchall()

    def _count(self, statements: int) -> None:
        self._queued += statements
        if self._queued >= self._depth:
            self._sync()

    def _sync(self) -> None:
        if self._queued:
            self._pipeline.sync()
            self._queued = 0


class ViewStore(ABC):
    """Transactions over the view tables; writers are serialized per tracking row."""

    #: Appended to the tracking row's SELECT in a write transaction.
    lock_clause = ""

    @abstractmethod
    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[ViewCursor]:
        """One transaction: committed when the block ends, rolled back on error."""

    @abstractmethod
    def rename_table(self, cursor: ViewCursor, old: str, new: str) -> None:
        """Give a table (and its primary key) a new name."""

    @abstractmethod
    def close(self) -> None:
        """Close every connection."""

    def refresh_statistics(self) -> None:
        """Gather the planner's statistics now (PostgreSQL: autovacuum does it too)."""
        with self.transaction(write=True) as cursor:
            cursor.execute("ANALYZE")


class SQLiteViewStore(ViewStore):
    """The embedded views: one WAL database file, a small pool of connections."""

    def __init__(self, path: Path, pool_size: int = 8, lock_timeout: float = 5.0):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock_timeout = lock_timeout
        self._idle: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._opened: list[sqlite3.Connection] = []
        self._slots = threading.BoundedSemaphore(pool_size)
        self._guard = threading.Lock()
        self._next_analysis = 0.0

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[ViewCursor]:
        """A deferred (read) or immediate (write) transaction."""
        with self._slots:
            conn = self._connection()
            try:
                # IMMEDIATE takes the write lock up front, so two writers queue
                # instead of failing on a lock upgrade half-way through a batch.
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                cursor = conn.cursor()
                try:
                    yield ViewCursor(cursor, postgres=False)
                    if write:
                        self._statistics(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                finally:
                    cursor.close()
            finally:
                self._idle.put(conn)

    def refresh_statistics(self) -> None:
        """Gather the planner's statistics now, and space the next refresh from now."""
        self._next_analysis = 0.0
        with self.transaction(write=True):
            pass

    def _statistics(self, conn: sqlite3.Connection) -> None:
        # SQLite never gathers statistics by itself, and without them (or with
        # sampled ones: analysis_limit reads the first rows of each index, all
        # of one queue) the planner sorts an agent's every unfinished ticket
        # instead of walking an index in order. A full ANALYZE takes ~2 s at
        # 1M tickets, so it waits at least a minute and 100 times its last run.
        now = time.monotonic()
        if now >= self._next_analysis:
            conn.execute("ANALYZE")
            took = time.monotonic() - now
            self._next_analysis = now + max(ANALYZE_SECONDS, took * ANALYZE_SPACING)

    def rename_table(self, cursor: ViewCursor, old: str, new: str) -> None:
        """SQLite renames a table's automatic indexes with it."""
        cursor.execute(f"ALTER TABLE {old} RENAME TO {new}")

    def close(self) -> None:
        """Close every connection the pool opened."""
        with self._guard:
            while self._opened:
                self._opened.pop().close()

    def _connection(self) -> sqlite3.Connection:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        conn = sqlite3.connect(
            self.path,
            timeout=self._lock_timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        # Readers then never wait for the runner's writes, nor it for them.
        conn.execute("PRAGMA journal_mode=WAL")
        # Pages are read through the OS's cache rather than copied into each
        # connection's own small one: a search at 100k tickets took ~25% less.
        conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        with self._guard:
            self._opened.append(conn)
        return conn


class PostgresViewStore(ViewStore):
    """The production views: `view_` tables beside the events, through a pool."""

    lock_clause = " FOR UPDATE"

    def __init__(
        self, conninfo: str, pool_size: int = 5, *, timeout: float = 30.0
    ) -> None:
        # A read that gets no connection within `timeout` seconds fails, so an
        # outage is answered in bounded time rather than queued behind it.
        self._pool = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=pool_size,
            open=True,
            name="views",
            timeout=timeout,
        )

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[ViewCursor]:
        """A read-committed pipelined write, or a repeatable-read snapshot."""
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            if not write:
                # The count and the page of a list must see the same rows.
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                yield ViewCursor(cur, postgres=True)
                return
            # The pipeline ends (syncing) inside the transaction, so an error
            # of any queued statement raises there and the transaction rolls
            # back; COMMIT is sent only after every statement succeeded.
            with conn.pipeline() as pipeline:
                yield PipelinedCursor(cur, pipeline)

    def rename_table(self, cursor: ViewCursor, old: str, new: str) -> None:
        """PostgreSQL keeps the old primary key's name, so rename that too."""
        cursor.execute(f"ALTER TABLE {old} RENAME TO {new}")
        cursor.execute(f"ALTER INDEX IF EXISTS {old}_pkey RENAME TO {new}_pkey")

    def close(self) -> None:
        """Close the pool."""
        self._pool.close()
