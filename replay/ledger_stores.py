"""The audit tables in each durable store: the SQLite file or the PostgreSQL schema."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder

from domain.desk import HelpDesk
from replay.ledger import Ledger
from storage.dialect import POSTGRES, SQLITE, quoted
from storage.postgres import PostgresDatabase
from storage.sqlite import SQLiteDatabase

# The columns a chain link gained when links were sealed, and what each holds.
_LINK_EXTRAS = (
    ("previous_id", "integer"),
    ("previous_originator_id", "text"),
    ("previous_version", "integer"),
    ("key_id", "text"),
    ("seal", "bytes"),
)
# Which link follows an aggregate's last version: what `verify --ticket` asks.
_FOLLOWS_INDEX = (
    "CREATE INDEX IF NOT EXISTS audit_chain_follows "
    "ON audit_chain (previous_originator_id, previous_version)"
)
# What the SQLite ledger creates: its tables and their indexes.
_SQLITE_OBJECTS = {
    "audit_seals",
    "audit_seals_aggregate",
    "audit_chain",
    "audit_chain_aggregate",
    "audit_chain_follows",
    "audit_checkpoints",
}
SEALS_TABLE_SQLITE = (
    "CREATE TABLE IF NOT EXISTS audit_seals ("
    "notification_id INTEGER PRIMARY KEY, originator_id TEXT NOT NULL, "
    "originator_version INTEGER NOT NULL, key_id TEXT NOT NULL, seal BLOB NOT NULL);"
    "CREATE UNIQUE INDEX IF NOT EXISTS audit_seals_aggregate "
    "ON audit_seals (originator_id, originator_version);"
)


def seals_table_postgres(table: str) -> tuple[str, ...]:
    """The statements that create the seals table (qualified name) if missing."""
    return (
        f"CREATE TABLE IF NOT EXISTS {table} ("
        "notification_id bigint PRIMARY KEY, originator_id uuid NOT NULL, "
        "originator_version bigint NOT NULL, key_id text NOT NULL, "
        "seal bytea NOT NULL, UNIQUE (originator_id, originator_version))",
    )


class SQLiteLedger(Ledger):
    """The audit tables inside the SQLite event store file."""

    # SQLite keeps the bare columns of the row holding the MAX().
    last_links_sql = (
        "SELECT originator_id, MAX(originator_version), aggregate_hash "
        "FROM {{chain}} WHERE originator_id IN ({marks}) GROUP BY originator_id"
    )

    def __init__(self, db_name: str, events: str, timeout: float) -> None:
        self.events = events
        # Our own connection, so that the appender can BEGIN IMMEDIATE and never
        # fail halfway when another process writes between its read and its write.
        # The chain keeper uses it from its thread and from readers of its
        # position, one at a time. The event store's file keeps its own settings.
        self.database = SQLiteDatabase(
            db_name, pool_size=1, lock_timeout=timeout, uri=True, pragmas=()
        )
        with self.database.transaction() as cur:
            cur.execute("PRAGMA table_info(audit_chain)")
            known = {row.name for row in cur.fetchall()}
            cur.execute(
                "SELECT name FROM sqlite_master WHERE name LIKE 'audit_%' "
                "AND type IN ('table', 'index')"
            )
            present = {row.name for row in cur.fetchall()}
        # Only where something is missing: a write transaction waits for every
        # other writer, and `verify` opens the ledger too.
        if present >= _SQLITE_OBJECTS and known >= {c for c, _ in _LINK_EXTRAS}:
            return
        with self.database.transaction(write=True) as cur:
            for statement in (
                *SEALS_TABLE_SQLITE.split(";"),
                "CREATE TABLE IF NOT EXISTS audit_chain ("
                "notification_id INTEGER PRIMARY KEY, originator_id TEXT NOT NULL, "
                "originator_version INTEGER NOT NULL, event_hash BLOB NOT NULL, "
                "aggregate_hash BLOB NOT NULL, global_hash BLOB NOT NULL)",
                "CREATE UNIQUE INDEX IF NOT EXISTS audit_chain_aggregate "
                "ON audit_chain (originator_id, originator_version)",
                "CREATE TABLE IF NOT EXISTS audit_checkpoints ("
                "id INTEGER PRIMARY KEY AUTOINCREMENT, position INTEGER NOT NULL, "
                "document TEXT NOT NULL)",
                *(
                    f"ALTER TABLE audit_chain ADD COLUMN {column} "
                    f"{SQLITE.column_type(holds)}"
                    for column, holds in _LINK_EXTRAS
                    if column not in known
                ),
                _FOLLOWS_INDEX,
            ):
                if statement.strip():
                    cur.execute(statement)

    def _key(self, originator_id: str) -> object:
        return UUID(originator_id).hex


class PostgresLedger(Ledger):
    """The audit tables in the event store's PostgreSQL schema."""

    event_id = "notification_id"
    # Spelled as str(UUID) spells it, without making a UUID per row.
    originator_text = "originator_id::text"
    last_links_sql = (
        "SELECT DISTINCT ON (originator_id) originator_id, originator_version, "
        "aggregate_hash FROM {{chain}} WHERE originator_id IN ({marks}) "
        "ORDER BY originator_id, originator_version DESC"
    )

    def __init__(self, datastore: PostgresDatastore, events: str) -> None:
        # The event store's own pool: the desk closes it.
        self.database = PostgresDatabase(datastore.get_connection)
        self.events = quoted(datastore.schema, events)
        self.seals = quoted(datastore.schema, "audit_seals")
        self.chain = quoted(datastore.schema, "audit_chain")
        self.checkpoints = quoted(datastore.schema, "audit_checkpoints")
        with self.database.transaction(write=True) as cur:
            # Concurrent first runs would race on CREATE ... IF NOT EXISTS.
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (self.chain,))
            cur.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = 'audit_chain'",
                (datastore.schema,),
            )
            known = {str(row.column_name) for row in cur.fetchall()}
            missing = [
                (c, POSTGRES.column_type(holds))
                for c, holds in _LINK_EXTRAS
                if c not in known
            ]
            for statement in (
                *seals_table_postgres(self.seals),
                "CREATE TABLE IF NOT EXISTS {chain} ("
                "notification_id bigint PRIMARY KEY, originator_id text NOT NULL, "
                "originator_version bigint NOT NULL, event_hash bytea NOT NULL, "
                "aggregate_hash bytea NOT NULL, global_hash bytea NOT NULL, "
                "UNIQUE (originator_id, originator_version))",
                # Only where the columns are missing: ALTER TABLE and CREATE INDEX
                # lock the chain even when there is nothing to do, and this runs
                # whenever a process or command opens the ledger.
                *(
                    f"ALTER TABLE {{chain}} ADD COLUMN {column} {kind}"
                    for column, kind in missing
                ),
                *(
                    [_FOLLOWS_INDEX.replace("audit_chain (", "{chain} (")]
                    if missing
                    else []
                ),
                "CREATE TABLE IF NOT EXISTS {checkpoints} ("
                "id bigserial PRIMARY KEY, position bigint NOT NULL, "
                "document text NOT NULL)",
            ):
                cur.execute(self._sql(statement))

    def _key(self, originator_id: str) -> object:
        return UUID(originator_id)


def open_ledger(desk: HelpDesk) -> Ledger:
    """The audit tables of the desk's event store, created if missing."""
    recorder = desk.recorder
    if isinstance(recorder, SQLiteApplicationRecorder):
        pool = recorder.datastore.pool
        return SQLiteLedger(
            pool.db_name, recorder.events_table_name, float(pool.lock_timeout or 5)
        )
    if isinstance(recorder, PostgresApplicationRecorder):
        return PostgresLedger(recorder.datastore, recorder.events_table_name)
    raise ValueError("tamper evidence needs a durable store (SQLite or PostgreSQL)")
