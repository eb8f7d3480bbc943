"""SQLite: a file (or URI) shared by a small pool of connections."""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from storage.cursor import Cursor
from storage.database import Database
from storage.dialect import SQLITE

#: Seconds between refreshes of SQLite's planner statistics while a database is
#: written, at least, and at least this many times the last refresh took.
ANALYZE_SECONDS = 60.0
ANALYZE_SPACING = 100
#: How much of a database file is read through a memory map.
MMAP_BYTES = 2**31
#: The settings of a file read far more often than it is written (the views).
READ_MOSTLY = (
    # Readers then never wait for the writer, nor it for them.
    "journal_mode=WAL",
    # Pages are read through the OS's cache rather than copied into each
    # connection's own small one: a search at 100k tickets took ~25% less.
    f"mmap_size={MMAP_BYTES}",
)


class SQLiteDatabase(Database):
    """One database file, a small pool of connections; writers queue for the lock."""

    dialect = SQLITE

    def __init__(
        self,
        path: Path | str,
        *,
        pool_size: int = 8,
        lock_timeout: float = 5.0,
        uri: bool = False,
        pragmas: Sequence[str] = READ_MOSTLY,
        gather_statistics: bool = False,
    ) -> None:
        self.path = path
        self._lock_timeout = lock_timeout
        self._uri = uri
        self._pragmas = tuple(pragmas)
        self._gather_statistics = gather_statistics
        self._idle: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._opened: list[sqlite3.Connection] = []
        self._slots = threading.BoundedSemaphore(pool_size)
        self._guard = threading.Lock()
        self._next_analysis = 0.0

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Cursor]:
        """A deferred (read) or immediate (write) transaction."""
        with self._slots:
            conn = self._connection()
            try:
                # IMMEDIATE takes the write lock up front, so two writers queue
                # instead of failing on a lock upgrade half-way through a batch.
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                cursor = conn.cursor()
                try:
                    yield Cursor(cursor, SQLITE)
                    if write and self._gather_statistics:
                        self._statistics(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    # SQLite may have rolled back already (a full disk, say).
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                finally:
                    cursor.close()
            finally:
                self._idle.put(conn)

    def refresh_statistics(self) -> None:
        """Gather the planner's statistics now, and space the next refresh from now."""
        if not self._gather_statistics:
            super().refresh_statistics()
            return
        self._next_analysis = 0.0
        with self.transaction(write=True):
            pass

    def close(self) -> None:
        """Close every connection the pool opened."""
        with self._guard:
            while self._opened:
                self._opened.pop().close()

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
            uri=self._uri,
        )
        for pragma in self._pragmas:
            conn.execute(f"PRAGMA {pragma}")
        with self._guard:
            self._opened.append(conn)
        return conn
