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

from psycopg import errors
from psycopg_pool import PoolTimeout

from storage.cursor import Cursor
from storage.dialect import quoted
from storage.postgres import PooledPostgresDatabase
from tickettape.stores import conninfo_schema

BLOB_TABLE = "helpdesk_blobs"
_DIGEST = re.compile(r"[0-9a-f]{64}")
_DUPLICATE = (errors.UniqueViolation, errors.DuplicateSchema, errors.DuplicateTable)


#: The row is committed without waiting for its WAL to reach the disk (the
#: setting is the statement's own: set_config(..., true) ends with its
#: transaction, so no session, pooled or behind a pooler, keeps it). This is
#: safe because nothing is ever told of a blob but through an event that names
#: it, and that event's commit comes after, on the same server, and waits for
#: the WAL to be flushed up to its own commit record: every earlier record,
#: this row's included, is on disk with it. A crash before that commit loses
#: at most a blob nothing refers to, which its sender gives again. It spares
#: each blob a flush of its own (one of the two a mail or an upload paid).
_PUT = (
    "INSERT INTO {table} (sha256, size, content) "
    "SELECT ?, ?, ? FROM (SELECT set_config('synchronous_commit', 'off', true)) "
    "AS asynchronous ON CONFLICT (sha256) DO NOTHING"
)


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
        self._table = (
            quoted(self.schema, BLOB_TABLE) if self.schema else quoted(BLOB_TABLE)
        )
        # Opened on first use, so building the runtime needs no round trip.
        # `timeout` bounds the wait for a connection, the first one included.
        self._database = PooledPostgresDatabase(
            conninfo,
            name="blobs",
            pool_size=max_size,
            timeout=timeout,
            open=False,
            autocommit=True,
            binary_results=True,
        )
        self._timeout = timeout
        self._ready = False
        self._lock = threading.Lock()

    def put(self, content: bytes) -> str:
        """Store content (idempotently) and return its sha256 hex digest."""
        digest = hashlib.sha256(content).hexdigest()
        # One statement is the whole change: it commits alone, one round trip.
        with self._alone() as cursor:
            cursor.execute(
                _PUT.format(table=self._table), (digest, len(content), content)
            )
        return digest

    def get(self, sha256: str) -> bytes | None:
        """The content with this digest, or None (also for anything not a digest)."""
        if not is_digest(sha256):
            return None
        with self._alone() as cursor:
            cursor.execute(
                f"SELECT content FROM {self._table} WHERE sha256 = ?", (sha256,)
            )
            row = cursor.fetchone()
        return None if row is None else bytes(row.content)

    def create_table(self) -> None:
        """Connect, creating the table if it is missing (else done on first use)."""
        self._open()

    def close(self) -> None:
        """Close the pool's connections."""
        self._database.close()

    @contextlib.contextmanager
    def _alone(self) -> Iterator[Cursor]:
        self._open()
        with self._database.alone() as cursor:
            yield cursor

    def _open(self) -> None:
        # Whoever comes while another opens the store waits for it no longer
        # than for a connection, so an outage is answered in bounded time.
        if not self._lock.acquire(timeout=self._timeout):
            raise PoolTimeout(f"the blob store did not open in {self._timeout} s")
        try:
            if not self._ready:
                self._database.open(self._timeout)
                self._make_table()
                self._ready = True
        finally:
            self._lock.release()

    def _make_table(self) -> None:
        statements = [
            f"CREATE TABLE IF NOT EXISTS {self._table} ("
            "sha256 text PRIMARY KEY, "
            "size bigint NOT NULL, "
            "content bytea NOT NULL)"
        ]
        if self.schema:
            statements.insert(0, f"CREATE SCHEMA IF NOT EXISTS {quoted(self.schema)}")
        for statement in statements:
            # IF NOT EXISTS still races between processes starting at once:
            # the loser gets a duplicate error for what now exists.
            with (
                contextlib.suppress(*_DUPLICATE),
                self._database.transaction(write=True) as cursor,
            ):
                cursor.execute(statement)


def _sync_directory(directory: Path) -> None:
    # Make the rename itself durable; not every platform can open a directory.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
