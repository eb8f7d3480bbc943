"""Backup and restore of the PostgreSQL store: one snapshot, one COPY per table.

The backup reads every table of the event store (events, snapshots, blobs and
each `audit_*` table, whatever its columns) in one REPEATABLE READ, READ ONLY
transaction, so all files show the same moment while the API goes on writing.
The restore makes the tables with the code that makes them in normal operation,
then copies every row in, in one transaction: a failed one leaves them empty.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import psycopg
from psycopg import IsolationLevel, sql

from domain.desk import HelpDesk
from replay.ledger_stores import open_ledger
from tickettape.backup_manifest import (
    CHUNK,
    SEALED_TABLES,
    BackupError,
    BlobSummary,
    Column,
    FileEntry,
    Manifest,
    TableEntry,
    check_files,
    inside,
    now,
    tickettape_version,
)
from tickettape.backup_postgres_tables import (
    CHAIN_TABLE,
    COLUMNS,
    EVENTS_TABLE,
    highest,
    holds_rows,
    is_store_table,
    qualified,
    schema_of,
    table_names,
)
from tickettape.blobs import BLOB_TABLE, PostgresBlobStore
from tickettape.sealing import KEYRING_KEY
from tickettape.settings import Settings
from tickettape.stores import bulk_conninfo, event_store_env, libpq_conninfo


def backup_postgres(settings: Settings, dest: Path) -> Manifest:
    """COPY every table of the event store to a file in dest, all from one snapshot."""
    schema = schema_of(settings)
    with psycopg.connect(bulk_conninfo(settings)) as conn:
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction(), conn.cursor() as cur:
            names = [n for n in table_names(cur, schema) if is_store_table(n)]
            if EVENTS_TABLE not in names:
                raise BackupError(f"no event store in the schema {schema}")
            dumped = [_dump(cur, schema, name, dest) for name in names]
            log_position = highest(cur, schema, EVENTS_TABLE, "notification_id")
            chain_position = (
                highest(cur, schema, CHAIN_TABLE, "notification_id")
                if CHAIN_TABLE in names
                else 0
            )
            blobs = _blob_summary(cur, schema) if BLOB_TABLE in names else (0, 0)
            sealed_by = _seal_key_ids(cur, schema, names)
    return Manifest(
        store="postgresql",
        created_at=now(),
        tickettape_version=tickettape_version(),
        log_position=log_position,
        chain_position=chain_position,
        seal_key_ids=sealed_by,
        events_table=EVENTS_TABLE,
        tables=[table for table, _ in dumped],
        files=[file for _, file in dumped],
        blobs=BlobSummary(count=blobs[0], bytes=blobs[1]),
    )


def postgres_target_problem(settings: Settings) -> str | None:
    """Why the database or schema cannot take a restore (its store must be empty)."""
    schema = schema_of(settings)
    with psycopg.connect(libpq_conninfo(settings)) as conn, conn.cursor() as cur:
        for name in table_names(cur, schema):
            if is_store_table(name) and holds_rows(cur, schema, name):
                return (
                    f"the target is not empty: {schema}.{name} holds rows; "
                    "restore only into an empty database or schema"
                )
    return None


def check_postgres_backup(src: Path, manifest: Manifest) -> None:
    """Check every file's sha256 and that it holds the manifest's rows."""
    lines = check_files(src, manifest)
    for table in manifest.tables:
        if not is_store_table(table.name):
            raise BackupError(f"{table.name} is not a table of the event store")
        # The manifest lists each table's file (its reader checks), so it was read.
        found = lines[table.file]
        if found != table.rows:
            raise BackupError(
                f"{table.file} holds {found} rows, the manifest says {table.rows}"
            )
    if manifest.events_table != EVENTS_TABLE:
        raise BackupError(f"the backup's events are in {manifest.events_table}")


def restore_postgres(settings: Settings, src: Path, manifest: Manifest) -> None:
    """Make the store's tables, then copy every row in, in one transaction."""
    _create_tables(settings)
    schema = schema_of(settings)
    try:
        with (
            psycopg.connect(bulk_conninfo(settings)) as conn,
            conn.transaction(),
            conn.cursor() as cur,
        ):
            sequences = [_ready(cur, schema, table) for table in manifest.tables]
            for table in manifest.tables:
                _load(cur, schema, table, src)
            for table, serials in zip(manifest.tables, sequences, strict=True):
                for column, sequence in serials:
                    # The next id follows the highest restored one.
                    cur.execute(
                        sql.SQL(
                            "SELECT setval(%s, coalesce(max({}), 0) + 1, false) FROM {}"
                        ).format(sql.Identifier(column), qualified(schema, table.name)),
                        (sequence,),
                    )
            at = highest(cur, schema, manifest.events_table, "notification_id")
            if at != manifest.log_position:
                raise BackupError(
                    f"restored up to log position {at}, "
                    f"the backup was at {manifest.log_position}"
                )
    except psycopg.Error as error:
        raise BackupError(f"the restore failed and wrote no rows: {error}") from None


def _create_tables(settings: Settings) -> None:
    """The tables as the desk, the audit ledger and the blob store make them."""
    env = event_store_env(settings)
    # Tables only: a recorder told of no keyring neither reads nor makes one, so
    # no new keyring ever stands beside the restored seals.
    del env[KEYRING_KEY]
    desk = HelpDesk(env=env)
    try:
        open_ledger(desk).close()
    finally:
        desk.close()
    blobs = PostgresBlobStore(libpq_conninfo(settings))
    try:
        blobs.create_table()
    finally:
        blobs.close()


def _ready(cur: Any, schema: str, table: TableEntry) -> list[tuple[str, str]]:
    """Check a target table takes the backup's columns and is empty; its sequences."""
    cur.execute(COLUMNS, (schema, table.name))
    found = {str(row[0]): (str(row[1]), row[2]) for row in cur.fetchall()}
    if not found:
        raise BackupError(
            f"this tickettape ({tickettape_version()}) makes no table {table.name}"
        )
    # Writers wait until the rows are in; readers may go on.
    cur.execute(
        sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(qualified(schema, table.name))
    )
    for column in table.columns:
        if column.name not in found:
            raise BackupError(f"{table.name} here has no column {column.name}")
        if found[column.name][0] != column.type:
            raise BackupError(
                f"{table.name}.{column.name} is {found[column.name][0]} here, "
                f"{column.type} in the backup"
            )
    if holds_rows(cur, schema, table.name):
        raise BackupError(f"{schema}.{table.name} holds rows; nothing was restored")
    return [(name, str(seq)) for name, (_, seq) in found.items() if seq is not None]


def _load(cur: Any, schema: str, table: TableEntry, src: Path) -> None:
    columns = sql.SQL(", ").join(sql.Identifier(c.name) for c in table.columns)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        qualified(schema, table.name), columns
    )
    with inside(src, table.file).open("rb") as file, cur.copy(statement) as copy:
        while chunk := file.read(CHUNK):
            copy.write(chunk)
    if cur.rowcount != table.rows:
        raise BackupError(f"{table.name}: copied {cur.rowcount} of {table.rows} rows")


def _dump(cur: Any, schema: str, name: str, dest: Path) -> tuple[TableEntry, FileEntry]:
    cur.execute(COLUMNS, (schema, name))
    columns = [Column(name=str(row[0]), type=str(row[1])) for row in cur.fetchall()]
    statement = sql.SQL("COPY (SELECT {} FROM {}) TO STDOUT").format(
        sql.SQL(", ").join(sql.Identifier(c.name) for c in columns),
        qualified(schema, name),
    )
    # COPY's text format: one line per row, newlines inside values escaped.
    path = dest / f"{name}.copy"
    hasher, size, rows = hashlib.sha256(), 0, 0
    with path.open("xb") as file, cur.copy(statement) as copy:
        for chunk in copy:
            data = bytes(chunk)
            hasher.update(data)
            size += len(data)
            rows += data.count(b"\n")
            file.write(data)
    table = TableEntry(name=name, rows=rows, file=path.name, columns=columns)
    return table, FileEntry(path=path.name, bytes=size, sha256=hasher.hexdigest())


def _seal_key_ids(cur: Any, schema: str, names: list[str]) -> list[str]:
    """The seal keys named by the snapshot's seals and chain links."""
    selects = [
        sql.SQL("SELECT key_id FROM {} WHERE key_id IS NOT NULL").format(
            qualified(schema, name)
        )
        for name in SEALED_TABLES
        if name in names
    ]
    if not selects:
        return []
    cur.execute(sql.SQL(" UNION ").join(selects))
    return sorted(str(row[0]) for row in cur.fetchall())


def _blob_summary(cur: Any, schema: str) -> tuple[int, int]:
    cur.execute(
        sql.SQL(
            "SELECT count(*), coalesce(sum(octet_length(content)), 0) FROM {}"
        ).format(qualified(schema, BLOB_TABLE))
    )
    count, size = cur.fetchone()
    return int(count), int(size)
