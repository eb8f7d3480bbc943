"""The audit tables beside the events: the hash chain and the signed checkpoints.

They live in the event store itself (the SQLite file, or the PostgreSQL schema), so
a backup or copy of the store carries its chain along, and the appender reads the
events and writes their links in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any
from uuid import UUID

# Above any notification id either store hands out.
END = 2**62


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """One row of the events table, exactly as stored."""

    notification_id: int
    originator_id: str
    version: int
    topic: str
    state: bytes


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One row of the chain: an event's hash and the two chain hashes ending at it."""

    notification_id: int
    originator_id: str
    version: int
    event_hash: bytes
    aggregate_hash: bytes
    global_hash: bytes


# One log position as verify reads it: the event's columns as stored (position,
# originator id, version, topic, state) and its chain link's (originator id,
# version, event, aggregate and global hash). The event's are None (but its
# position) where the log lost the event, the link's where the chain lacks it.
Position = tuple[Any, ...]

# Given the chain's head, the last aggregate hash of each originator in the batch
# and the batch's records, the links that extend the chain.
LinkMaker = Callable[
    [ChainLink | None, dict[str, bytes], list[StoredRecord]], list[ChainLink]
]


class Ledger:
    """SQL shared by both stores; subclasses say how to connect and quote."""

    placeholder = "?"
    events = "stored_events"
    chain = "audit_chain"
    checkpoints = "audit_checkpoints"
    event_id = "rowid"
    # How the events table's originator id is read as text.
    originator_text = "originator_id"
    last_hashes_sql = ""

    def _transaction(self, *, write: bool) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _key(self, originator_id: str) -> object:
        """The originator id as the events table stores it."""
        return originator_id

    def close(self) -> None:
        """Release the ledger's connection."""

    def _sql(self, text: str) -> str:
        return text.format(
            events=self.events, chain=self.chain, checkpoints=self.checkpoints
        ).replace("?", self.placeholder)

    def _stored(self, cur: Any, after: int, stop: int, limit: int) -> list[Any]:
        cur.execute(
            self._sql(
                f"SELECT {self.event_id}, {self.originator_text}, originator_version, "
                f"topic, state FROM {{events}} WHERE {self.event_id} > ? "
                f"AND {self.event_id} <= ? ORDER BY {self.event_id} LIMIT ?"
            ),
            (after, stop, limit),
        )
        return list(cur.fetchall())

    def _records(
        self, cur: Any, after: int, stop: int, limit: int
    ) -> list[StoredRecord]:
        return [_record(row) for row in self._stored(cur, after, stop, limit)]

    def _head(self, cur: Any) -> ChainLink | None:
        cur.execute(
            self._sql("SELECT * FROM {chain} ORDER BY notification_id DESC LIMIT 1")
        )
        row = cur.fetchone()
        return None if row is None else _link(row)

    def head(self) -> ChainLink | None:
        """The last link of the chain, if any event is chained yet."""
        with self._transaction(write=False) as cur:
            return self._head(cur)

    def records(self, after: int, stop: int, limit: int) -> list[StoredRecord]:
        """Stored events with ids in (after, stop], in log order."""
        with self._transaction(write=False) as cur:
            return self._records(cur, after, stop, limit)

    def links(self, after: int, stop: int, limit: int) -> list[ChainLink]:
        """Chain links with notification ids in (after, stop], in log order."""
        with self._transaction(write=False) as cur:
            cur.execute(
                self._sql(
                    "SELECT * FROM {chain} WHERE notification_id > ? "
                    "AND notification_id <= ? ORDER BY notification_id LIMIT ?"
                ),
                (after, stop, limit),
            )
            return [_link(row) for row in cur.fetchall()]

    def positions(
        self, after: int, stop: int, limit: int
    ) -> tuple[list[Position], int]:
        """Log positions in (after, stop], each event with its link; and where they end.

        A page of up to `limit` events and the links in the range it covers, read
        in one transaction: two index range scans, which every planner keeps
        bounded (a join of the two tables it may hash whole, page after page).
        """
        with self._transaction(write=False) as cur:
            events = self._stored(cur, after, stop, limit)
            reach = events[-1][0] if events and len(events) == limit else stop
            cur.execute(
                self._sql(
                    "SELECT * FROM {chain} WHERE notification_id > ? "
                    "AND notification_id <= ? ORDER BY notification_id"
                ),
                (after, reach),
            )
            links = cur.fetchall()
        if [e[0] for e in events] == [k[0] for k in links]:
            return [e + k[1:] for e, k in zip(events, links, strict=True)], reach
        return _side_by_side(events, links), reach

    def records_of(self, originator_id: str) -> list[StoredRecord]:
        """Every stored event of one aggregate, by version."""
        with self._transaction(write=False) as cur:
            cur.execute(
                self._sql(
                    f"SELECT {self.event_id}, originator_id, originator_version, "
                    "topic, state FROM {events} WHERE originator_id = ? "
                    "ORDER BY originator_version"
                ),
                (self._key(originator_id),),
            )
            return [_record(row) for row in cur.fetchall()]

    def links_of(self, originator_id: str) -> list[ChainLink]:
        """Every chain link of one aggregate, by version."""
        with self._transaction(write=False) as cur:
            cur.execute(
                self._sql(
                    "SELECT * FROM {chain} WHERE originator_id = ? "
                    "ORDER BY originator_version"
                ),
                (originator_id,),
            )
            return [_link(row) for row in cur.fetchall()]

    def link_of(self, originator_id: str, version: int) -> ChainLink | None:
        """The chain link of one version of an aggregate, wherever the chain has it."""
        with self._transaction(write=False) as cur:
            cur.execute(
                self._sql(
                    "SELECT * FROM {chain} WHERE originator_id = ? "
                    "AND originator_version = ?"
                ),
                (originator_id, version),
            )
            row = cur.fetchone()
            return None if row is None else _link(row)

    def append(self, limit: int, make: LinkMaker) -> int:
        """Chain up to `limit` events after the head in one transaction; how many."""
        with self._transaction(write=True) as cur:
            head = self._head(cur)
            after = 0 if head is None else head.notification_id
            records = self._records(cur, after, END, limit)
            if not records:
                return 0
            originators = sorted({r.originator_id for r in records})
            marks = ", ".join("?" * len(originators))
            cur.execute(
                self._sql(self.last_hashes_sql.format(marks=marks)), originators
            )
            last = {str(row[0]): bytes(row[1]) for row in cur.fetchall()}
            links = make(head, last, records)
            cur.executemany(
                self._sql("INSERT INTO {chain} VALUES (?, ?, ?, ?, ?, ?)"),
                [
                    (
                        k.notification_id,
                        k.originator_id,
                        k.version,
                        k.event_hash,
                        k.aggregate_hash,
                        k.global_hash,
                    )
                    for k in links
                ],
            )
            return len(links)

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


def _side_by_side(events: list[Any], links: list[Any]) -> list[Position]:
    """Events and links merged by position, each padded where the other lacks it."""
    chained = {k[0]: k[1:] for k in links}
    merged = [e + chained.pop(e[0], (None,) * 5) for e in events]
    merged += [(at, None, None, None, None, *k) for at, k in chained.items()]
    return sorted(merged, key=itemgetter(0))


def split(position: Position) -> tuple[StoredRecord | None, ChainLink | None]:
    """The stored event and the chain link at a log position, either may be None."""
    record = None if position[1] is None else _record(position[:5])
    link = None if position[5] is None else _link((position[0], *position[5:]))
    return record, link


def _record(row: Any) -> StoredRecord:
    return StoredRecord(
        notification_id=int(row[0]),
        originator_id=canonical(row[1]),
        version=int(row[2]),
        topic=str(row[3]),
        # A SQLite edit with replace() stores TEXT where the library stored a BLOB.
        state=row[4].encode() if isinstance(row[4], str) else bytes(row[4]),
    )


def canonical(originator_id: object) -> str:
    """The UUID in one spelling (SQLite stores hex, PostgreSQL a uuid)."""
    if isinstance(originator_id, UUID):
        return str(originator_id)
    text = str(originator_id)
    # Slicing, not parsing: five times faster, and an edited id stays as stored.
    if len(text) == 32:
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return text


def _link(row: Any) -> ChainLink:
    return ChainLink(
        int(row[0]),
        str(row[1]),
        int(row[2]),
        bytes(row[3]),
        bytes(row[4]),
        bytes(row[5]),
    )
