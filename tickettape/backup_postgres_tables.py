"""The PostgreSQL event store's tables, as backup and restore find and read them.

Which tables of the schema belong to the event store (the views do not: a
restore rebuilds them), their columns, and the few questions both ask of a table.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from domain.desk import HelpDesk
from tickettape.blobs import BLOB_TABLE
from tickettape.settings import Settings
from tickettape.stores import parse_database_url

# eventsourcing names an application's tables <name>_<purpose>.
EVENTS_TABLE = f"{HelpDesk.name}_events"
SNAPSHOTS_TABLE = f"{HelpDesk.name}_snapshots"
AUDIT_PREFIX = "audit_"
CHAIN_TABLE = "audit_chain"

_TABLES = (
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname"
)
# Each column's name, its type as declared, and the sequence that fills it.
COLUMNS = (
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod), "
    "pg_get_serial_sequence(format('%%I.%%I', n.nspname, c.relname), a.attname) "
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 "
    "AND NOT a.attisdropped ORDER BY a.attnum"
)


def is_store_table(name: str) -> bool:
    """Whether a table belongs to the event store (views are rebuilt, not copied)."""
    return name in (EVENTS_TABLE, SNAPSHOTS_TABLE, BLOB_TABLE) or name.startswith(
        AUDIT_PREFIX
    )


def schema_of(settings: Settings) -> str:
    """The schema the event store's tables are in."""
    # Where eventsourcing puts the events when the URL names no schema.
    return parse_database_url(settings.database_url).schema or "public"


def qualified(schema: str, table: str) -> sql.Composed:
    """A table's name, qualified with its schema, for a statement."""
    return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))


def table_names(cur: Any, schema: str) -> list[str]:
    """Every table of the schema, by name."""
    cur.execute(_TABLES, (schema,))
    return [str(row[0]) for row in cur.fetchall()]


def holds_rows(cur: Any, schema: str, table: str) -> bool:
    """Whether the table holds any row."""
    cur.execute(
        sql.SQL("SELECT EXISTS (SELECT FROM {})").format(qualified(schema, table))
    )
    return bool(cur.fetchone()[0])


def highest(cur: Any, schema: str, table: str, column: str) -> int:
    """The highest value of a column (0 in an empty table)."""
    cur.execute(
        sql.SQL("SELECT max({}) FROM {}").format(
            sql.Identifier(column), qualified(schema, table)
        )
    )
    return int(cur.fetchone()[0] or 0)
