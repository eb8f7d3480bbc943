"""Content-addressed attachment stores: a directory tree or a PostgreSQL table."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from psycopg import Connection, errors, sql
from psycopg_pool import ConnectionPool, PoolTimeout

from tickettape.stores import conninfo_schema

BLOB_TABLE = "helpdesk_blobs"
_DIGEST = re.compile(r"[0-9a-f]{64}")
_DUPLICATE = (errors.UniqueViolation, errors.DuplicateSchema, errors.DuplicateTable)


def is_digest(text: str) -> bool:
    """True for a sha256 hex digest as the stores write it (64 lower-case hex)."""
    return isinstance(text, str) and _DIGEST.fullmatch(text) is not None


class DirectoryBlobStore:
    """Blobs as files named by their sha256, in two-character shard directories."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def put(self, content: bytes) -> str:
        """Store content (idempotently) and return its sha256 hex digest."""
        digest = hashlib.sha256(content).hexdigest()
        path = self._path(digest)
        if path.is_file():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename, so a reader never sees half a blob
        # and two writers of the same content both end with the whole file.
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
        _sync_directory(path.parent)
        return digest

    def get(self, sha256: str) -> bytes | None:
        """The content with this digest, or None (also for anything not a digest)."""
        # Only a well-formed digest becomes a path: nothing can name a file
        # outside the root ("../etc/passwd", absolute paths, upper case).
        if not is_digest(sha256):
            return None
        try:
            return self._path(sha256).read_bytes()
        except FileNotFoundError:
            return None

    def _path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest


class PostgresBlobStore:
    """Blobs as rows of helpdesk_blobs, keyed by sha256, over a connection pool."""

    def __init__(
        self,
        conninfo: str,
        *,
        schema: str | None = None,
        max_size: int = 4,
        timeout: float = 30.0,
    ) -> None:
        self.schema = schema or conninfo_schema(conninfo)
        table = sql.Identifier(BLOB_TABLE)
        self._table: sql.Composable = (
            sql.SQL("{}.{}").format(sql.Identifier(self.schema), table)
            if self.schema
            else table
        )
        # Opened on first use, so building the runtime needs no round trip.
        # `timeout` bounds the wait for a connection, the first one included.
        self._pool: ConnectionPool[Connection[tuple[Any, ...]]] = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=max_size,
            open=False,
            name="blobs",
            timeout=timeout,
        )
        self._timeout = timeout
        self._ready = False
        self._lock = threading.Lock()

    def put(self, content: bytes) -> str:
        """Store content (idempotently) and return its sha256 hex digest."""
        digest = hashlib.sha256(content).hexdigest()
        insert = sql.SQL(
            "INSERT INTO {} (sha256, size, content) VALUES (%s, %s, %s) "
            "ON CONFLICT (sha256) DO NOTHING"
        ).format(self._table)
        with self._connection() as conn:
            conn.execute(insert, (digest, len(content), content))
        return digest

    def get(self, sha256: str) -> bytes | None:
        """The content with this digest, or None (also for anything not a digest)."""
        if not is_digest(sha256):
            return None
        select = sql.SQL("SELECT content FROM {} WHERE sha256 = %s").format(self._table)
        with self._connection() as conn:
            row = conn.execute(select, (sha256,)).fetchone()
        return None if row is None else bytes(row[0])

    def create_table(self) -> None:
        """Connect, creating the table if it is missing (else done on first use)."""
        self._open()

    def close(self) -> None:
        """Close the pool's connections."""
        self._pool.close()

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Connection[tuple[Any, ...]]]:
        self._open()
        with self._pool.connection() as conn:
            yield conn

    def _open(self) -> None:
        # Whoever comes while another opens the store waits for it no longer
        # than for a connection, so an outage is answered in bounded time.
        if not self._lock.acquire(timeout=self._timeout):
            raise PoolTimeout(f"the blob store did not open in {self._timeout} s")
        try:
            if not self._ready:
                self._pool.open(wait=True, timeout=self._timeout)
                self._make_table()
                self._ready = True
        finally:
            self._lock.release()

    def _make_table(self) -> None:
        statements = [
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} ("
                "sha256 text PRIMARY KEY, "
                "size bigint NOT NULL, "
                "content bytea NOT NULL)"
            ).format(self._table)
        ]
        if self.schema:
            statements.insert(
                0,
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    sql.Identifier(self.schema)
                ),
            )
        with self._pool.connection() as conn:
            for statement in statements:
                # IF NOT EXISTS still races between processes starting at once:
                # the loser gets a duplicate error for what now exists.
                with contextlib.suppress(*_DUPLICATE), conn.transaction():
                    conn.execute(statement)


def _sync_directory(directory: Path) -> None:
    # Make the rename itself durable; not every platform can open a directory.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
