"""PostgreSQL: transactions on pooled connections, writes sent as a pipeline."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Self

from psycopg import Connection, IsolationLevel, Pipeline
from psycopg.rows import tuple_row
from psycopg_pool import ConnectionPool

from storage.cursor import Cursor, Row
from storage.database import Database
from storage.dialect import POSTGRES

#: Statements a write transaction queues on PostgreSQL before it waits for their
#: results: one round trip per this many keeps a long batch's buffers and pending
#: results small. Large unsynced pipelines have hung (psycopg issue #685, fixed
#: in 3.1.18; our seeding's ~1,000-row inserts); the bound keeps us clear of that.
PIPELINE_DEPTH = 256

#: Reads of a snapshot store: the count and the page of a list see the same rows.
SNAPSHOT = IsolationLevel.REPEATABLE_READ

#: Lends a connection for the length of a `with` block (a pool's `connection`).
Connections = Callable[[], AbstractContextManager[Connection[Any]]]


class PipelinedCursor(Cursor):
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
        self,
        cursor: Any,
        pipeline: Pipeline,
        depth: int = PIPELINE_DEPTH,
        *,
        replace_nul: bool = False,
    ) -> None:
        super().__init__(cursor, POSTGRES, replace_nul=replace_nul)
        self._pipeline = pipeline
        self._depth = depth
        self._queued = 0

    def execute(
        self,
        statement: str,
        params: Sequence[object] = (),
        *,
        planned_for_values: bool = False,
    ) -> Self:
        """Queue one statement."""
        super().execute(statement, params, planned_for_values=planned_for_values)
        self._count(1)
        return self

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


class PostgresDatabase(Database):
    """Transactions on connections lent by someone else (the event store's pool)."""

    dialect = POSTGRES

    def __init__(
        self,
        connections: Connections,
        *,
        snapshot_reads: bool = False,
        pipelined_writes: bool = False,
        replace_nul: bool = False,
        binary_results: bool = False,
    ) -> None:
        self._connections = connections
        self._snapshot_reads = snapshot_reads
        self._pipelined_writes = pipelined_writes
        self._replace_nul = replace_nul
        # Results in binary: a bytea value in text travels hex-encoded, twice
        # its size, encoded and parsed on each side (a 5 MB one 33 -> 4 ms).
        # Only where every type read has a binary loader.
        self._binary = binary_results

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Cursor]:
        """A read-committed write (pipelined if asked), or a read."""
        with self._connections() as conn:
            if self._snapshot_reads:
                # The level goes with BEGIN, no round trip of its own (a SET
                # TRANSACTION after BEGIN cost 80 us a read). On a lost
                # connection this raises the OperationalError BEGIN would.
                conn.isolation_level = None if write else SNAPSHOT
            with (
                conn.transaction(),
                conn.cursor(row_factory=tuple_row, binary=self._binary) as cur,
            ):
                if not (write and self._pipelined_writes):
                    yield Cursor(cur, POSTGRES, replace_nul=self._replace_nul)
                    return
                # The pipeline ends (syncing) inside the transaction, so an
                # error of any queued statement raises there and the transaction
                # rolls back; COMMIT is sent only after every statement succeeded.
                with conn.pipeline() as pipeline:
                    yield PipelinedCursor(cur, pipeline, replace_nul=self._replace_nul)

    def close(self) -> None:
        """Nothing to close: the connections' owner closes them."""


class PooledPostgresDatabase(PostgresDatabase):
    """Transactions on a connection pool of its own."""

    def __init__(
        self,
        conninfo: str,
        *,
        name: str,
        pool_size: int,
        timeout: float = 30.0,
        open: bool = True,
        snapshot_reads: bool = False,
        pipelined_writes: bool = False,
        replace_nul: bool = False,
        autocommit: bool = False,
        binary_results: bool = False,
    ) -> None:
        # A transaction that gets no connection within `timeout` seconds fails,
        # so an outage is answered in bounded time rather than queued behind it.
        self._pool: ConnectionPool[Connection[tuple[Any, ...]]] = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=pool_size,
            open=open,
            name=name,
            timeout=timeout,
            kwargs={"autocommit": autocommit},
        )
        self._autocommit = autocommit
        super().__init__(
            self._pool.connection,
            snapshot_reads=snapshot_reads,
            pipelined_writes=pipelined_writes,
            replace_nul=replace_nul,
            binary_results=binary_results,
        )

    @contextmanager
    def alone(self) -> Iterator[Cursor]:
        """A cursor whose every statement commits on its own, in one round trip
        (a transaction block costs two more: BEGIN and COMMIT). Only for a pool
        of autocommit connections, and only where one statement is the whole
        change."""
        if not self._autocommit:
            raise TypeError("statements commit alone only on autocommit connections")
        with (
            self._pool.connection() as conn,
            conn.cursor(row_factory=tuple_row, binary=self._binary) as cur,
        ):
            yield Cursor(cur, POSTGRES, replace_nul=self._replace_nul)

    def open(self, timeout: float) -> None:
        """Open the pool (if not yet), waiting at most `timeout` s for a connection."""
        self._pool.open(wait=True, timeout=timeout)

    def close(self) -> None:
        """Close the pool."""
        self._pool.close()
