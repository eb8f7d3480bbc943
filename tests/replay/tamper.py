"""The attacker's hands: raw SQL on the events and audit tables of a store."""

from __future__ import annotations

import sqlite3
from typing import Any
from uuid import UUID

import psycopg

from tests.stores import postgres_conninfo


class Tamper:
    """Edits a SQLite file or PostgreSQL schema behind the library's back."""

    def __init__(self, env: dict[str, str]) -> None:
        self.postgres = "POSTGRES_DBNAME" in env
        if self.postgres:
            self.conninfo = postgres_conninfo(env)
            self.events, self.id = "helpdesk_events", "notification_id"
        else:
            self.path = env["SQLITE_DBNAME"]
            self.events, self.id = "stored_events", "rowid"

    def sql(self, text: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run one statement ({events}, {id} filled in, ? as the placeholder)."""
        statement = text.format(events=self.events, id=self.id)
        if self.postgres:
            with psycopg.connect(self.conninfo, autocommit=True) as conn:
                cur = conn.execute(statement.replace("?", "%s"), params)
                return cur.fetchall() if cur.description else []
        with sqlite3.connect(self.path) as lite:
            rows = lite.execute(statement, params).fetchall()
        lite.close()
        return rows

    def rows(self) -> list[tuple[int, str, int, str, bytes]]:
        """Every event: id, originator id, version, topic, state; in log order."""
        found = self.sql(
            "SELECT {id}, originator_id, originator_version, topic, state "
            "FROM {events} ORDER BY {id}"
        )
        return [(r[0], str(UUID(str(r[1]))), r[2], r[3], bytes(r[4])) for r in found]

    def key(self, originator_id: str) -> object:
        """The originator id as the events table holds it."""
        return UUID(originator_id) if self.postgres else UUID(originator_id).hex

    def set_state(self, notification_id: int, state: bytes) -> None:
        """Overwrite an event's stored state."""
        self.sql("UPDATE {events} SET state = ? WHERE {id} = ?", state, notification_id)

    def delete(self, *notification_ids: int) -> None:
        """Remove events from the log."""
        for notification_id in notification_ids:
            self.sql("DELETE FROM {events} WHERE {id} = ?", notification_id)

    def move(self, notification_id: int, to: int) -> None:
        """Give an event another log position."""
        self.sql("UPDATE {events} SET {id} = ? WHERE {id} = ?", to, notification_id)

    def insert(
        self,
        notification_id: int,
        originator_id: str,
        version: int,
        topic: str,
        state: bytes,
    ) -> None:
        """Put a fabricated event at a log position."""
        self.sql(
            "INSERT INTO {events} (originator_id, originator_version, topic, state, "
            "{id}) VALUES (?, ?, ?, ?, ?)",
            self.key(originator_id),
            version,
            topic,
            state,
            notification_id,
        )
        if self.postgres:
            # As a careful attacker would: later writes must not collide with it.
            self.sql(
                "SELECT setval(pg_get_serial_sequence('{events}', '{id}'), "
                "GREATEST((SELECT MAX({id}) FROM {events}), "
                "(SELECT last_value FROM helpdesk_events_notification_id_seq)))"
            )

    def seal_rows(self) -> list[tuple[int, str, int, str, bytes]]:
        """Every seal: position, originator id, version, key id, seal; by position."""
        found = self.sql(
            "SELECT notification_id, originator_id, originator_version, key_id, seal "
            "FROM audit_seals ORDER BY notification_id"
        )
        return [(r[0], str(UUID(str(r[1]))), r[2], r[3], bytes(r[4])) for r in found]

    def insert_seal(
        self,
        notification_id: int,
        originator_id: str,
        version: int,
        key_id: str,
        seal: bytes,
    ) -> None:
        """Put a seal row at a log position."""
        self.sql(
            "INSERT INTO audit_seals (notification_id, originator_id, "
            "originator_version, key_id, seal) VALUES (?, ?, ?, ?, ?)",
            notification_id,
            self.key(originator_id),
            version,
            key_id,
            seal,
        )

    def unseal(self, *notification_ids: int) -> None:
        """Remove seals."""
        for notification_id in notification_ids:
            self.sql(
                "DELETE FROM audit_seals WHERE notification_id = ?", notification_id
            )

    def unchain(self, *notification_ids: int) -> None:
        """Remove chain links."""
        for notification_id in notification_ids:
            self.sql(
                "DELETE FROM audit_chain WHERE notification_id = ?", notification_id
            )

    def erase(self, *notification_ids: int) -> None:
        """Remove events with their seals and chain links: every trace in the store."""
        self.delete(*notification_ids)
        self.unseal(*notification_ids)
        self.unchain(*notification_ids)
