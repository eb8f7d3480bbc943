"""The raw baseline: the same rows, inserted by the database without the library.

The table has the columns, primary key and (PostgreSQL) notification index of the
library's event table. Each transaction of our run becomes one raw transaction of
the same rows (same topics and state bytes, a fresh originator id per ticket):
SQLite `BEGIN; INSERT...; COMMIT` on an autocommit connection in WAL mode, as the
library does; PostgreSQL one pipelined `executemany(INSERT ... RETURNING
notification_id)` in a transaction, without the library's LOCK TABLE, NOTIFY and
the reads of the aggregate that precede each of its writes.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import psycopg

from tickettape.settings import Settings
from tickettape.stores import libpq_conninfo

SQLITE_TABLE = (
    "CREATE TABLE IF NOT EXISTS raw_events ("
    "originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, "
    "PRIMARY KEY (originator_id, originator_version))"
)
SQLITE_INSERT = "INSERT INTO raw_events VALUES (?,?,?,?)"
POSTGRES_TABLE = (
    "CREATE TABLE IF NOT EXISTS raw_events ("
    "originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
    "topic text, state bytea, notification_id bigserial, "
    "PRIMARY KEY (originator_id, originator_version))"
)
POSTGRES_INDEX = (
    "CREATE UNIQUE INDEX IF NOT EXISTS raw_events_notification_id "
    "ON raw_events (notification_id ASC)"
)
POSTGRES_INSERT = (
    "INSERT INTO raw_events (originator_id, originator_version, topic, state) "
    "VALUES (%s, %s, %s, %s) RETURNING notification_id"
)


@dataclass(frozen=True)
class Row:
    """One stored event as our run wrote it, minus its originator id."""

    version: int
    topic: str
    state: bytes


Transaction = Sequence[Row]


class RawWriter(Protocol):
    """One connection that writes transactions of rows."""

    def write(self, originator: uuid.UUID, rows: Transaction) -> None:
        """Insert the rows for the originator in one transaction."""

    def close(self) -> None:
        """Release the connection."""


class SQLiteRawWriter:
    """sqlite3 on its own database file, connected as the library connects."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=5
        )
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(SQLITE_TABLE)

    def write(self, originator: uuid.UUID, rows: Transaction) -> None:
        """BEGIN, one INSERT per row, COMMIT."""
        cursor = self.conn.cursor()
        cursor.execute("BEGIN")
        for row in rows:
            cursor.execute(
                SQLITE_INSERT, (originator.hex, row.version, row.topic, row.state)
            )
        cursor.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


class PostgresRawWriter:
    """psycopg on a table beside the library's, in the same schema."""

    def __init__(self, settings: Settings) -> None:
        self.conn = psycopg.connect(libpq_conninfo(settings), autocommit=True)
        self.conn.execute(POSTGRES_TABLE)
        self.conn.execute(POSTGRES_INDEX)

    def write(self, originator: uuid.UUID, rows: Transaction) -> None:
        """One pipelined multi-row insert that returns the notification ids."""
        params = [(originator, row.version, row.topic, row.state) for row in rows]
        with self.conn.pipeline(), self.conn.transaction(), self.conn.cursor() as cur:
            cur.executemany(POSTGRES_INSERT, params, returning=True)
            ids = []
            while True:
                ids.extend(cur.fetchall())
                if not cur.nextset():
                    break
        if len(ids) != len(rows):
            raise RuntimeError(f"inserted {len(rows)} rows, got {len(ids)} ids")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def raw_writer(settings: Settings) -> RawWriter:
    """A raw writer on the store the settings name."""
    if settings.uses_postgres:
        return PostgresRawWriter(settings)
    return SQLiteRawWriter(settings.data_dir / "raw.sqlite3")
