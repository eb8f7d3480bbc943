"""eventsourcing's PostgreSQL recorders, sealing each event as it is stored.

The recorder also answers truly when the connection breaks while it commits: it
looks whether its seals were stored (they name the exact positions and bytes it
wrote) instead of retrying blindly into its own rows, and it never waits minutes
for a store that does not answer (tickettape/connections.py).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    ApplicationRecorder,
    InterfaceError,
    OperationalError,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresFactory,
)
from psycopg.sql import SQL, Composable, Composed, Identifier

from domain.errors import CommitUncertain
from replay.ledger_stores import seals_table_postgres
from replay.seals import Keyring
from storage.racing import despite_racing_creators
from tickettape.connections import (
    STATEMENT_TIMEOUT_KEY,
    BinaryResults,
    on_a_live_connection,
    retryable,
    statement_timeout_option,
)
from tickettape.group_commit import GroupCommit
from tickettape.sealing import Sealing, keyring_path, seal_rows, snapshots_stored

log = logging.getLogger(__name__)


class _NotStored(Exception):
    """The connection broke, and the command's events are known not to be stored."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


#: A write begins and commits its transaction inside its pipeline (`_stored`).
_BEGIN = SQL("BEGIN")
_COMMIT = SQL("COMMIT")
#: Up to this many events, a write sends each value as a parameter of its own
#: (`VALUES (...), (...)`); more go as arrays, one statement whatever their
#: number. psycopg writes arrays and the library's composite rows out as text,
#: escaping every byte of an event's state in Python: a command's write took a
#: fifth longer so.
ROWS_AS_VALUES = 32
_EVENT_ROW = SQL("(%s::uuid, %s::bigint, %s::text, %s::bytea)")
_SEAL_ROW = SQL("(%s::bigint, %s::uuid, %s::bigint, %s::text, %s::bytea)")


def _written(statement: Composable) -> bytes:
    """A statement as the server reads it (psycopg would compose it anew on
    every execute)."""
    return statement.as_bytes(None)


class SealedPostgresRecorder(Sealing, PostgresApplicationRecorder):
    """PostgreSQL's recorder, sealing each event in the transaction that stores it."""

    def create_table(self) -> None:
        """The library's tables and the seals, as other starting processes allow."""
        despite_racing_creators(super().create_table)

    select_events = on_a_live_connection(PostgresAggregateRecorder.select_events)
    select_notifications = on_a_live_connection(
        PostgresApplicationRecorder.select_notifications
    )
    max_notification_id = on_a_live_connection(
        PostgresApplicationRecorder.max_notification_id
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group_commit = GroupCommit(self._insert_alone)
        schema = Identifier(self.datastore.schema)
        table = SQL("{}.{}").format(schema, Identifier("audit_seals"))
        self.sql_create_statements.extend(
            SQL(statement).format(table=table)
            for statement in seals_table_postgres("{table}")
        )
        self.insert_seals_statement: Composed = SQL(
            "INSERT INTO {} (notification_id, originator_id, originator_version, "
            "key_id, seal) SELECT * FROM unnest(%s::bigint[], %s::uuid[], "
            "%s::bigint[], %s::text[], %s::bytea[])"
        ).format(table)
        self.seals_table = table
        self.select_seals_statement: Composed = SQL(
            "SELECT notification_id, seal FROM {} WHERE notification_id = ANY(%s)"
        ).format(table)
        events = SQL("{}.{}").format(schema, Identifier(self.events_table_name))
        self.share_lock_statement: Composed = SQL("LOCK TABLE {} IN SHARE MODE").format(
            events
        )
        self.position_statement: Composed = SQL(
            "SELECT notification_id FROM {} "
            "WHERE originator_id = %s AND originator_version = %s"
        ).format(events)
        self.changes_statement = _written(
            SQL(
                "SELECT notification_id, originator_id FROM {} "
                "WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
            ).format(events)
        )
        self.events_table = events
        # The statements of a write of n events (n <= ROWS_AS_VALUES), made once.
        self._values_statements: dict[int, tuple[bytes, bytes]] = {}
        # What a write says before its events: the lock's timeout, the table
        # lock, the wake-up of the views. Written out once, not on every write.
        self._before_insert = [
            *(
                _written(statement) if isinstance(statement, Composable) else statement
                for statement in self.lock_table_statements
            ),
            _written(SQL("NOTIFY {}").format(Identifier(self.channel_name))),
        ]

    @on_a_live_connection
    def position_of(self, originator_id: UUID, version: int) -> int | None:
        """The log position of one stored event, or None."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.position_statement, (originator_id, version))
            row = curs.fetchone()
        return int(row["notification_id"]) if row else None

    @on_a_live_connection
    def changed_since(self, position: int, limit: int) -> list[tuple[int, UUID]]:
        """(position, record id) of the next `limit` events after a position.

        The table lock every write takes makes positions commit in order, so
        no event can later appear before the last one read here."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.changes_statement, (position, limit))
            rows = curs.fetchall()
        return [(int(r["notification_id"]), r["originator_id"]) for r in rows]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert and seal atomically, with the events of commands saving at
        once (tickettape/group_commit.py)."""
        if not stored_events:
            return []
        return self.group_commit.store(stored_events)

    def _insert_alone(self, stored_events: Sequence[StoredEvent]) -> list[int]:
        """Insert and seal atomically; a lost commit is looked up, never redone."""
        keyring = self.sealing_keyring()
        began, attempt = time.monotonic(), 0
        while True:
            attempt += 1
            try:
                return self._stored(stored_events, keyring)
            except _NotStored as lost:
                if not retryable(lost.error, attempt, began):
                    raise lost.error from None

    def _stored(
        self, stored_events: Sequence[StoredEvent], keyring: Keyring
    ) -> list[int]:
        """Two round trips: BEGIN, the table lock and the events (their positions
        come back), then the seals and COMMIT. psycopg's own transaction block in
        a pipeline syncs on entering and on leaving, four round trips in all."""
        positions: list[int] = []
        seals: list[tuple[int, UUID | str, int, str, bytes]] = []
        committing = False
        try:
            with self.datastore.get_connection() as conn:
                failure: Exception | None = None
                with conn.pipeline() as pipeline:
                    try:
                        with conn.cursor() as curs:
                            curs.execute(_BEGIN)
                            for statement in self._before_insert:
                                curs.execute(statement, prepare=True)
                            self._insert_rows(curs, stored_events)
                            pipeline.sync()
                            positions = [
                                row["notification_id"] for row in curs.fetchall()
                            ]
                            seals = seal_rows(keyring, stored_events, positions)
                            self._insert_seals(curs, seals)
                            curs.execute(_COMMIT)
                            committing = True
                            pipeline.sync()
                    except Exception as error:
                        # Raised after the pipeline is closed, or psycopg warns.
                        failure = error
                if failure is not None:
                    # Leaving the pool's block with it rolls a begun
                    # transaction back before the connection is lent again.
                    raise failure
        except (OperationalError, InterfaceError) as lost:
            if not committing:
                raise _NotStored(lost) from lost
            return self._settled(positions, seals, lost)
        return positions

    def _insert_rows(
        self, curs: psycopg.Cursor[Any], stored_events: Sequence[StoredEvent]
    ) -> None:
        """Insert the events; their positions come back in their order (an
        INSERT's RETURNING follows its rows, as the library's unnest relies on)."""
        count = len(stored_events)
        if count > ROWS_AS_VALUES:
            PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events)
            return
        values = [
            value
            for event in stored_events
            for value in (
                event.originator_id,
                event.originator_version,
                event.topic,
                event.state,
            )
        ]
        curs.execute(self._statements(count)[0], values)

    def _insert_seals(
        self,
        curs: psycopg.Cursor[Any],
        seals: list[tuple[int, UUID | str, int, str, bytes]],
    ) -> None:
        """Insert the events' seals."""
        count = len(seals)
        if count > ROWS_AS_VALUES:
            columns = [list(column) for column in zip(*seals, strict=True)]
            curs.execute(self.insert_seals_statement, columns)
            return
        values = [value for seal in seals for value in seal]
        curs.execute(self._statements(count)[1], values)

    def _statements(self, count: int) -> tuple[bytes, bytes]:
        """The inserts of `count` events and of their seals, one row each."""
        made = self._values_statements.get(count)
        if made is None:
            made = self._values_statements[count] = (
                _written(
                    SQL(
                        "INSERT INTO {} (originator_id, originator_version, topic, "
                        "state) VALUES {} RETURNING notification_id"
                    ).format(self.events_table, SQL(", ").join([_EVENT_ROW] * count))
                ),
                _written(
                    SQL(
                        "INSERT INTO {} (notification_id, originator_id, "
                        "originator_version, key_id, seal) VALUES {}"
                    ).format(self.seals_table, SQL(", ").join([_SEAL_ROW] * count))
                ),
            )
        return made

    def _settled(
        self,
        positions: list[int],
        seals: list[tuple[int, UUID | str, int, str, bytes]],
        lost: Exception,
    ) -> list[int]:
        """Whether a commit whose answer was lost happened: our seals tell."""
        try:
            with (
                self.datastore.get_connection() as conn,
                conn.transaction(force_rollback=True),
                conn.cursor() as curs,
            ):
                # The library's first lock statement sets the lock timeout; the
                # share lock waits until the lost transaction has ended either way.
                curs.execute(self.lock_table_statements[0])
                curs.execute(self.share_lock_statement)
                curs.execute(self.select_seals_statement, (positions,))
                found = {
                    row["notification_id"]: bytes(row["seal"])
                    for row in curs.fetchall()
                }
        except (PersistenceError, psycopg.Error) as unknown:
            raise CommitUncertain(
                "the connection to the event store broke while the command was "
                "being committed, and the store could not be asked whether it was "
                f"stored ({unknown})"
            ) from lost
        ours = {row[0]: row[4] for row in seals}
        if found == ours:
            log.warning("a commit's answer was lost; its events are stored: %s", lost)
            return positions
        if not found:
            raise _NotStored(lost)
        raise CommitUncertain(
            "the connection to the event store broke while the command was being "
            "committed, and only part of what it wrote is there"
        )


class SnapshotPostgresRecorder(PostgresAggregateRecorder):
    """PostgreSQL's snapshot recorder, without the library's long retries; a
    snapshot it cannot store never fails a command."""

    select_events = on_a_live_connection(PostgresAggregateRecorder.select_events)

    def create_table(self) -> None:
        """The snapshots table, as other starting processes allow."""
        despite_racing_creators(super().create_table)

    def _table(self) -> Composed:
        schema = Identifier(self.datastore.schema)
        return SQL("{}.{}").format(schema, Identifier(self.events_table_name))

    @on_a_live_connection
    def snapshotted(self) -> list[UUID]:
        """The records that have snapshots, each once."""
        statement = SQL(
            "SELECT DISTINCT originator_id FROM {} ORDER BY originator_id"
        ).format(self._table())
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement)
            rows = curs.fetchall()
        return [r["originator_id"] for r in rows]

    def drop_snapshot(self, originator_id: UUID, version: int) -> None:
        """Delete one snapshot (loads then replay the events it saved)."""
        statement = SQL(
            "DELETE FROM {} WHERE originator_id = %s AND originator_version = %s"
        ).format(self._table())
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, (originator_id, version))

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Store snapshots; on failure log it: the events are stored already."""
        insert = getattr(PostgresAggregateRecorder.insert_events, "__wrapped__")  # noqa: B009
        return snapshots_stored(
            functools.partial(insert, self), stored_events, **kwargs
        )


class SealedPostgresFactory(PostgresFactory):
    """The PostgreSQL persistence module, with the sealing recorder."""

    application_recorder_class = SealedPostgresRecorder
    aggregate_recorder_class = SnapshotPostgresRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        # The library hands libpq only the address and the user: without these
        # a connection attempt waits as long as TCP does, a statement forever.
        pool = self.datastore.pool
        limits: dict[str, Any] = {
            "connect_timeout": max(round(pool.timeout), 1),
            "cursor_factory": BinaryResults,
        }
        seconds = float(self.env.get(STATEMENT_TIMEOUT_KEY) or 0)
        option = statement_timeout_option(seconds)
        if option:
            limits["options"] = option
        pool.kwargs = {**cast(dict[str, Any], pool.kwargs), **limits}

    def application_recorder(self) -> ApplicationRecorder:
        """The sealing recorder, with the keyring the env names."""
        recorder = super().application_recorder()
        if isinstance(recorder, SealedPostgresRecorder):
            recorder.use_keyring(keyring_path(self.env), recorder)
        return recorder
