"""The raw baselines of rebuild and verify: the event table read, and rows upserted.

A keyset scan reads the library's own event table on a connection of its own
(PostgreSQL's results in binary, SQLite's file through a memory map, as the
event store reads them), the way the
library pages through it (`id > ? AND id <= ? [AND topic IN (...)]
ORDER BY id LIMIT ?`), and selects every column. The upsert writes one row per
ticket, as wide as the ticket summary's (a key and 20 values), into a plain table
beside the views: the views' SQLite file, or the PostgreSQL schema.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder

from storage.sqlite import MMAP_BYTES
from tickettape.settings import Settings
from tickettape.stores import libpq_conninfo

Row = tuple[Any, ...]
TEXTS = 10
NUMBERS = 10
_COLUMNS = [f"t{i}" for i in range(TEXTS)] + [f"n{i}" for i in range(NUMBERS)]
_TABLE = "bench_raw_tickets"


class EventScan:
    """Pages of the event table, every column, in log order."""

    def __init__(self, settings: Settings, recorder: ApplicationRecorder) -> None:
        if not isinstance(
            recorder, SQLiteAggregateRecorder | PostgresAggregateRecorder
        ):
            raise ValueError("a raw scan needs a durable store (SQLite or PostgreSQL)")
        events_table = recorder.events_table_name
        self._postgres = settings.uses_postgres
        self._conn: Any
        if self._postgres:
            self._conn = psycopg.connect(libpq_conninfo(settings), autocommit=True)
            column, mark = "notification_id", "%s"
        else:
            self._conn = sqlite3.connect(
                settings.event_store_path, isolation_level=None
            )
            # Through a memory map, as the event store reads it.
            self._conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            column, mark = "rowid", "?"
        self._select = (
            f"SELECT {column}, originator_id, originator_version, topic, state "
            f"FROM {events_table} WHERE {column} > {mark} AND {column} <= {mark} "
        )
        self._mark = mark
        self._order = f"ORDER BY {column} LIMIT {mark}"

    def page(
        self, after: int, stop: int, limit: int, topics: Sequence[str] = ()
    ) -> list[Row]:
        """Up to `limit` rows with ids in (after, stop], of these topics if given."""
        statement = self._select
        if topics:
            statement += f"AND topic IN ({', '.join([self._mark] * len(topics))}) "
        params = (after, stop, *topics, limit)
        if self._postgres:
            # Binary results, as the event store's own connections read them
            # (tickettape/connections.py): a bytea column in text travels hex.
            cursor = self._conn.execute(statement + self._order, params, binary=True)
        else:
            cursor = self._conn.execute(statement + self._order, params)
        return list(cursor.fetchall())

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()


def touch(rows: list[Row]) -> int:
    """Look at every value of every row, as any reader must; the bytes seen."""
    seen = 0
    for row in rows:
        for value in row:
            seen += len(value) if isinstance(value, bytes | str) else 1
    return seen


class TicketRows:
    """A plain table of one row per ticket, upserted in one transaction per batch."""

    def __init__(self, settings: Settings) -> None:
        self._postgres = settings.uses_postgres
        self._conn: Any
        if self._postgres:
            self._conn = psycopg.connect(libpq_conninfo(settings), autocommit=True)
            mark = "%s"
        else:
            self._conn = sqlite3.connect(settings.views_path, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            mark = "?"
        marks = ", ".join([mark] * (1 + len(_COLUMNS)))
        changes = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS)
        self._upsert = (
            f"INSERT INTO {_TABLE} (id, {', '.join(_COLUMNS)}) VALUES ({marks}) "
            f"ON CONFLICT (id) DO UPDATE SET {changes}"
        )

    def empty(self) -> None:
        """Start again from no rows, with only the primary key (as a rebuild does)."""
        texts = ", ".join(f"t{i} TEXT" for i in range(TEXTS))
        numbers = ", ".join(f"n{i} BIGINT" for i in range(NUMBERS))
        self._conn.execute(f"DROP TABLE IF EXISTS {_TABLE}")
        self._conn.execute(
            f"CREATE TABLE {_TABLE} (id TEXT PRIMARY KEY, {texts}, {numbers})"
        )

    def upsert(self, events: list[Row]) -> None:
        """One upsert of its ticket's row per event, all in one transaction."""
        rows = [_ticket_row(event) for event in events]
        if self._postgres:
            with self._conn.transaction(), self._conn.cursor() as cursor:
                cursor.executemany(self._upsert, rows)
            return
        self._conn.execute("BEGIN IMMEDIATE")
        self._conn.executemany(self._upsert, rows)
        self._conn.execute("COMMIT")

    def close(self) -> None:
        """Drop the table and close the connection."""
        self._conn.execute(f"DROP TABLE IF EXISTS {_TABLE}")
        self._conn.close()


def _ticket_row(event: Row) -> Row:
    """The ticket's row after this event: texts and numbers taken from it."""
    position, originator, version, topic, state = event
    texts = (topic, *[topic[-12:]] * (TEXTS - 1))
    numbers = (position, version, len(state), *[version] * (NUMBERS - 3))
    return (str(originator), *texts, *numbers)
