"""The audit tables beside the events: seals, the hash chain and signed checkpoints.

They live in the event store itself (the SQLite file, or the PostgreSQL schema), so
a backup or copy of the store carries them along. Seals are written by the event
recorder in the transaction that stores each event; the chain keeper reads the
events with their seals and writes their links in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from replay.records import (
    END,
    ChainLink,
    EventSeal,
    Page,
    StoredRecord,
    link_of,
    record_of,
    seal_of,
)
from replay.verdicts import Finding
from storage.cursor import Cursor
from storage.database import Database

LinkMaker = Callable[
    [
        ChainLink | None,
        dict[str, tuple[int, bytes]],
        list[StoredRecord],
        dict[int, EventSeal],
    ],
    tuple[list[ChainLink], Finding | None],
]

_LINK_COLUMNS = (
    "notification_id, originator_id, originator_version, event_hash, "
    "aggregate_hash, global_hash, previous_id, previous_originator_id, "
    "previous_version, key_id, seal"
)


class Ledger:
    """SQL shared by both stores; subclasses say where the tables are and open them."""

    database: Database
    events = "stored_events"
    seals = "audit_seals"
    chain = "audit_chain"
    checkpoints = "audit_checkpoints"
    event_id = "rowid"
    # How the events and seals tables' originator ids are read as text.
    originator_text = "originator_id"
    last_links_sql = ""

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Cursor]:
        with self.database.transaction(write=write) as cur:
            lock = self.database.dialect.lock_table(self.chain) if write else None
            if lock:
                # One appender at a time; readers of the chain are not blocked.
                cur.execute(lock)
            yield cur

    def _key(self, originator_id: str) -> object:
        """The originator id as the events and seals tables store it."""
        return originator_id

    def close(self) -> None:
        """Release the ledger's connection."""
        self.database.close()

    def _sql(self, text: str) -> str:
        return text.format(
            events=self.events,
            seals=self.seals,
            chain=self.chain,
            checkpoints=self.checkpoints,
            links=_LINK_COLUMNS,
        )

    def _stored(
        self, cur: Any, after: int, stop: int, limit: int
    ) -> list[StoredRecord]:
        cur.execute(
            self._sql(
                f"SELECT {self.event_id}, {self.originator_text}, originator_version, "
                f"topic, state FROM {{events}} WHERE {self.event_id} > ? "
                f"AND {self.event_id} <= ? ORDER BY {self.event_id} LIMIT ?"
            ),
            (after, stop, limit),
        )
        return [record_of(row) for row in cur.fetchall()]

    def _seals_in(self, cur: Any, after: int, stop: int) -> dict[int, EventSeal]:
        cur.execute(
            self._sql(
                f"SELECT notification_id, {self.originator_text}, originator_version, "
                "key_id, seal FROM {seals} WHERE notification_id > ? "
                "AND notification_id <= ?"
            ),
            (after, stop),
        )
        return {int(row[0]): seal_of(row) for row in cur.fetchall()}

    def _head(self, cur: Any) -> ChainLink | None:
        cur.execute(
            self._sql(
                "SELECT {links} FROM {chain} ORDER BY notification_id DESC LIMIT 1"
            )
        )
        row = cur.fetchone()
        return None if row is None else link_of(row)

    def head(self) -> ChainLink | None:
        """The last link of the chain, if any event is chained yet."""
        with self._transaction(write=False) as cur:
            return self._head(cur)

    def end(self) -> int:
        """The highest log position any of the events, seals or links names."""
        with self._transaction(write=False) as cur:
            return max(
                self._highest(cur, column, table)
                for table, column in (
                    ("{events}", self.event_id),
                    ("{seals}", "notification_id"),
                    ("{chain}", "notification_id"),
                )
            )

    def last_event(self) -> int:
        """The log position of the last stored event (0 when there is none)."""
        with self._transaction(write=False) as cur:
            return self._highest(cur, self.event_id, "{events}")

    def _highest(self, cur: Cursor, column: str, table: str) -> int:
        row = cur.execute(self._sql(f"SELECT MAX({column}) FROM {table}")).fetchone()
        return int(row[0] or 0) if row else 0

    def records(self, after: int, stop: int, limit: int) -> list[StoredRecord]:
        """Stored events with ids in (after, stop], in log order."""
        with self._transaction(write=False) as cur:
            return self._stored(cur, after, stop, limit)

    def links(self, after: int, stop: int, limit: int) -> list[ChainLink]:
        """Chain links with notification ids in (after, stop], in log order."""
        with self._transaction(write=False) as cur:
            cur.execute(
                self._sql(
                    "SELECT {links} FROM {chain} WHERE notification_id > ? "
                    "AND notification_id <= ? ORDER BY notification_id LIMIT ?"
                ),
                (after, stop, limit),
            )
            return [link_of(row) for row in cur.fetchall()]

    def page(self, after: int, stop: int, limit: int) -> Page:
        """Positions in (after, stop]: up to `limit` events, their seals and links.

        Read in one transaction as three index range scans over the range the
        events cover, which every planner keeps bounded.
        """
        with self._transaction(write=False) as cur:
            cur.execute(
                self._sql(
                    f"SELECT {self.event_id}, {self.originator_text}, "
                    "originator_version, topic, state FROM {events} "
                    f"WHERE {self.event_id} > ? AND {self.event_id} <= ? "
                    f"ORDER BY {self.event_id} LIMIT ?"
                ),
                (after, stop, limit),
            )
            events: dict[int, tuple[Any, ...]] = {row[0]: row for row in cur.fetchall()}
            reach = max(events) if len(events) == limit else stop
            cur.execute(
                self._sql(
                    f"SELECT notification_id, {self.originator_text}, "
                    "originator_version, key_id, seal FROM {seals} "
                    "WHERE notification_id > ? AND notification_id <= ?"
                ),
                (after, reach),
            )
            seals: dict[int, tuple[Any, ...]] = {row[0]: row for row in cur.fetchall()}
            cur.execute(
                self._sql(
                    "SELECT {links} FROM {chain} WHERE notification_id > ? "
                    "AND notification_id <= ?"
                ),
                (after, reach),
            )
            links: dict[int, tuple[Any, ...]] = {row[0]: row for row in cur.fetchall()}
            return Page(events, seals, links, reach)

    def records_of(self, originator_id: str) -> list[StoredRecord]:
        """Every stored event of one aggregate, by version."""
        with self._transaction(write=False) as cur:
            cur.execute(
                self._sql(
                    f"SELECT {self.event_id}, {self.originator_text}, "
                    "originator_version, topic, state FROM {events} "
                    "WHERE originator_id = ? ORDER BY originator_version"
                ),
                (self._key(originator_id),),
            )
            return [record_of(row) for row in cur.fetchall()]

    def seals_of(self, originator_id: str) -> list[EventSeal]:
        """Every seal of one aggregate's events, by version."""
        with self._transaction(write=False) as cur:
            cur.execute(
                self._sql(
                    f"SELECT notification_id, {self.originator_text}, "
                    "originator_version, key_id, seal FROM {seals} "
                    "WHERE originator_id = ? ORDER BY originator_version"
                ),
                (self._key(originator_id),),
            )
            return [seal_of(row) for row in cur.fetchall()]

    def seal_of(self, originator_id: str, version: int) -> EventSeal | None:
        """The seal of one version of an aggregate, wherever it was written."""
        with self._transaction(write=False) as cur:
            cur.execute(
                self._sql(
                    f"SELECT notification_id, {self.originator_text}, "
                    "originator_version, key_id, seal FROM {seals} "
                    "WHERE originator_id = ? AND originator_version = ?"
                ),
                (self._key(originator_id), version),
            )
            row = cur.fetchone()
            return None if row is None else seal_of(row)

    def links_of(self, originator_id: str) -> list[ChainLink]:
        """Every chain link of one aggregate, by version."""
        return self._links_where(
            "originator_id = ? ORDER BY originator_version", originator_id
        )

    def link_of(self, originator_id: str, version: int) -> ChainLink | None:
        """The chain link of one version of an aggregate, wherever the chain has it."""
        found = self._links_where(
            "originator_id = ? AND originator_version = ?", originator_id, version
        )
        return found[0] if found else None

    def link_after(self, originator_id: str) -> ChainLink | None:
        """The link that follows the aggregate's highest version in the log."""
        found = self._links_where(
            "previous_originator_id = ? ORDER BY previous_version DESC LIMIT 1",
            originator_id,
        )
        return found[0] if found else None

    def link_following(self, originator_id: str, version: int) -> ChainLink | None:
        """The link that says it follows one version of an aggregate in the log."""
        found = self._links_where(
            "previous_originator_id = ? AND previous_version = ?",
            originator_id,
            version,
        )
        return found[0] if found else None

    def last_links(self, originator_ids: list[str], up_to: int) -> list[ChainLink]:
        """Each aggregate's last chain link at or before a log position."""
        found: list[ChainLink] = []
        for start in range(0, len(originator_ids), 500):
            chunk = originator_ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            found += self._links_where(
                f"originator_id IN ({marks}) AND notification_id <= ? "
                "AND originator_version = (SELECT MAX(b.originator_version) "
                "FROM {chain} b WHERE b.originator_id = {chain}.originator_id "
                "AND b.notification_id <= ?)",
                *chunk,
                up_to,
                up_to,
            )
        return found

    def _links_where(self, where: str, *params: object) -> list[ChainLink]:
        with self._transaction(write=False) as cur:
            cur.execute(
                self._sql(f"SELECT {{links}} FROM {{chain}} WHERE {where}"), params
            )
            return [link_of(row) for row in cur.fetchall()]

    def positions_of_seal(self, seal: bytes) -> list[int]:
        """Where else a seal's exact bytes are stored (a copied seal row)."""
        with self._transaction(write=False) as cur:
            cur.execute(
                self._sql("SELECT notification_id FROM {seals} WHERE seal = ?"),
                (seal,),
            )
            return sorted(int(row[0]) for row in cur.fetchall())

    def append(self, limit: int, make: LinkMaker) -> tuple[int, Finding | None]:
        """Chain up to `limit` events after the head in one transaction.

        How many were chained, and what stopped the chain, if anything did.
        """
        with self._transaction(write=True) as cur:
            head = self._head(cur)
            after = 0 if head is None else head.notification_id
            records = self._stored(cur, after, END, limit)
            if not records:
                return 0, None
            seals = self._seals_in(cur, after, records[-1].notification_id)
            originators = sorted({r.originator_id for r in records})
            marks = ", ".join("?" * len(originators))
            cur.execute(self._sql(self.last_links_sql.format(marks=marks)), originators)
            last = {str(row[0]): (int(row[1]), bytes(row[2])) for row in cur.fetchall()}
            links, stopped = make(head, last, records, seals)
            self._insert_links(cur, links)
            return len(links), stopped

    def _insert_links(self, cur: Any, links: list[ChainLink]) -> None:
        if links:
            cur.executemany(
                self._sql(
                    "INSERT INTO {chain} ({links}) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                [_link_row(k) for k in links],
            )

    def add_seals(self, seals: list[EventSeal], links: list[ChainLink]) -> None:
        """Seal events and chain links that carry no seal yet (an older store)."""
        with self._transaction(write=True) as cur:
            cur.executemany(
                self._sql(
                    "INSERT INTO {seals} (notification_id, originator_id, "
                    "originator_version, key_id, seal) VALUES (?, ?, ?, ?, ?)"
                ),
                [
                    (
                        s.notification_id,
                        self._key(s.originator_id),
                        s.version,
                        s.key_id,
                        s.seal,
                    )
                    for s in seals
                ],
            )
            cur.executemany(
                self._sql(
                    "UPDATE {chain} SET previous_id = ?, previous_originator_id = ?, "
                    "previous_version = ?, key_id = ?, seal = ? "
                    "WHERE notification_id = ? AND seal IS NULL"
                ),
                [
                    (
                        k.previous_id,
                        k.previous_originator_id,
                        k.previous_version,
                        k.key_id,
                        k.seal,
                        k.notification_id,
                    )
                    for k in links
                ],
            )

    def save_checkpoint(self, position: int, document: str) -> None:
        """Keep a signed checkpoint document beside the chain."""
        with self._transaction(write=True) as cur:
            cur.execute(
                self._sql(
                    "INSERT INTO {checkpoints} (position, document) VALUES (?, ?)"
                ),
                (position, document),
            )

    def latest_checkpoint(self) -> str | None:
        """The document of the checkpoint saved last, if any."""
        with self._transaction(write=False) as cur:
            cur.execute(
                self._sql("SELECT document FROM {checkpoints} ORDER BY id DESC LIMIT 1")
            )
            row = cur.fetchone()
            return None if row is None else str(row[0])


def _link_row(link: ChainLink) -> tuple[object, ...]:
    return (
        link.notification_id,
        link.originator_id,
        link.version,
        link.event_hash,
        link.aggregate_hash,
        link.global_hash,
        link.previous_id,
        link.previous_originator_id,
        link.previous_version,
        link.key_id,
        link.seal,
    )
