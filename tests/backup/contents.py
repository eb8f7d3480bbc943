"""What a store holds, read behind the CLI's back: files, tables, views, the log."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.utils import get_topic

from domain.desk import HelpDesk
from domain.ticket import Ticket
from projections.catalogue import all_views
from projections.engine.store import ViewStore
from projections.engine.view import live_tables
from tests.stores import cli_settings
from tickettape.stores import libpq_conninfo, parse_database_url

Log = list[tuple[int, str, int]]


def store_state(env: dict[str, str]) -> dict[str, Any]:
    """Every file under the data dir with its sha256, and every table's row count."""
    settings = cli_settings(env)
    state: dict[str, Any] = {}
    if settings.data_dir.exists():
        for path in sorted(settings.data_dir.rglob("*")):
            if path.is_file():
                state[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    if not settings.uses_postgres:
        return state
    schema = parse_database_url(settings.database_url).schema
    with psycopg.connect(libpq_conninfo(settings)) as conn:
        names = conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s ORDER BY 1",
            (schema,),
        ).fetchall()
        for (name,) in names:
            count = conn.execute(f'SELECT count(*) FROM "{schema}"."{name}"')
            state[f"table {name}"] = count.fetchone()
    return state


def run_sql(env: dict[str, str], statement: str, *params: object) -> list[Any]:
    """Run one statement on the event store (`?` placeholders); its rows."""
    settings = cli_settings(env)
    if settings.uses_postgres:
        with psycopg.connect(libpq_conninfo(settings), autocommit=True) as conn:
            cur = conn.execute(statement.replace("?", "%s"), params)
            return cur.fetchall() if cur.description else []
    with closing(sqlite3.connect(settings.event_store_path)) as lite, lite:
        return lite.execute(statement, params).fetchall()


def event_log(env: dict[str, str], up_to: int | None = None) -> Log:
    """Every stored event's log position, originator id and version, in log order."""
    settings = cli_settings(env)
    stop = 2**62 if up_to is None else up_to
    if settings.uses_postgres:
        with psycopg.connect(libpq_conninfo(settings)) as conn:
            rows = conn.execute(
                "SELECT notification_id, originator_id::text, originator_version "
                "FROM helpdesk_events WHERE notification_id <= %s ORDER BY 1",
                (stop,),
            ).fetchall()
        return [(int(a), str(b), int(c)) for a, b, c in rows]
    with closing(sqlite3.connect(settings.event_store_path)) as lite:
        found = lite.execute(
            "SELECT rowid, originator_id, originator_version FROM stored_events "
            "WHERE rowid <= ? ORDER BY rowid",
            (stop,),
        ).fetchall()
    return [(int(a), str(b), int(c)) for a, b, c in found]


def tickets(desk: HelpDesk) -> list[Ticket]:
    """Every ticket in the store, each loaded from its events."""
    created = desk.recorder.select_notifications(
        1, 1_000_000, topics=[get_topic(Ticket.Created)]
    )
    loaded: list[object] = [
        desk.repository.get(UUID(str(n.originator_id))) for n in created
    ]
    return [ticket for ticket in loaded if isinstance(ticket, Ticket)]


def view_rows(store: ViewStore) -> dict[str, list[str]]:
    """Every row of every view's tables, as sorted text, by table."""
    rows: dict[str, list[str]] = {}
    with store.transaction() as cursor:
        for view in all_views():
            for table in live_tables(view).values():
                cursor.execute(f"SELECT * FROM {table}")
                rows[table] = sorted(repr(row) for row in cursor.fetchall())
    return rows
