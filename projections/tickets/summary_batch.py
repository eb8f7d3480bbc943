"""The ticket summary's rows of one batch: read once, changed in memory, written once.

Applying an event with SQL cost two to four statements (the row's counter out,
the row, the counter in, a tag); a batch of a few hundred events touches far
fewer tickets than that. Here the rows the batch touches are read in one query,
each event changes its row as a dict (the facts settled as domain.ticket_facts
declares, on the row as it was before the event, as an UPDATE's SET reads it),
and at the end every changed row is written with one upsert, each counter whose
tickets moved with one change, and each tag that came or went.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from operator import itemgetter
from typing import Any
from uuid import UUID

from domain.ticket_facts import Changes, settle
from projections.engine.store import ViewCursor
from projections.engine.values import NOBODY, stored
from projections.engine.view import Tables

#: The ticket facts the rows keep, by column; moments are micros().
FACTS = {
    "queue": "queue",
    "owner": "owner",
    "status_category": "status_category",
    "last_public_sender": "last_public_sender",
    "first_response_at": "first_response_us",
    "waiting_since": "waiting_since_us",
}
#: The columns a counter is kept by; a ticket changes bucket when one changes.
COUNTED = ("queue", "status", "status_category", "priority", "owner", "hidden")
KEY = ", ".join(COUNTED)
_COUNTED_OF = itemgetter(*COUNTED)
_OWNER = COUNTED.index("owner")
#: The columns of a summary row, in the order they are read and written.
COLUMNS = (
    "id",
    "number",
    "title",
    "customer",
    "organization",
    "queue",
    "status",
    "status_category",
    "priority",
    "priority_rank",
    "type",
    "owner",
    "hidden",
    "created_us",
    "updated_us",
    "version",
    "last_public_sender",
    "last_public_us",
    "waiting_since_us",
    "first_response_us",
    "merged_into",
)
#: Ids asked for in one query (SQLite allows 32,766 parameters; PostgreSQL 65,535).
READ_CHUNK = 500

Row = dict[str, Any]
Bucket = tuple[object, ...]


class SummaryBatch:
    """The rows, counters and tags one batch of events changes."""

    def __init__(self, cursor: ViewCursor, tables: Tables) -> None:
        self.cursor, self.tables = cursor, tables
        #: The touched rows as they stand now, by ticket id; None: no such row.
        self._rows: dict[str, Row | None] = {}
        #: Each touched row's bucket when it was read (None: it did not exist).
        self._buckets: dict[str, Bucket | None] = {}
        #: Whether each (ticket, tag) is there at the end of the batch.
        self._tags: dict[tuple[str, str], bool] = {}
        #: Every bucket a row was in after an event: each has its counter row,
        #: at zero too, as applying the events one by one leaves them.
        self._visited: set[Bucket] = set()
        self._ranks: dict[str, int] | None = None
        self._names: dict[UUID, str] = {}

    def ticket_of(self, event: Any) -> str:
        """The id of the event's ticket as its row keeps it (formatting a UUID
        costs more than looking it up: a batch has few tickets, many events)."""
        record: UUID = event.originator_id
        name = self._names.get(record)
        if name is None:
            name = self._names[record] = str(record)
        return name

    def load(self, ids: Iterable[str]) -> None:
        """Read the rows of these tickets (those not read yet), in few queries."""
        missing = sorted(i for i in ids if i not in self._rows)
        select = ", ".join(COLUMNS)
        for start in range(0, len(missing), READ_CHUNK):
            chunk = missing[start : start + READ_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            self.cursor.execute(
                f"SELECT {select} FROM {self.tables['tickets']} WHERE id IN ({marks})",
                chunk,
            )
            found = {
                row[0]: dict(zip(COLUMNS, row, strict=True))
                for row in self.cursor.fetchall()
            }
            for ticket in chunk:
                row = found.get(ticket)
                self._rows[ticket] = row
                self._buckets[ticket] = None if row is None else _bucket(row)

    def create(self, row: Row) -> None:
        """A new ticket's row."""
        ticket = str(row["id"])
        self._buckets.setdefault(ticket, None)
        self._rows[ticket] = row
        self._visited.add(_bucket(row))

    def change(self, ticket: str, found: Changes, columns: Row) -> None:
        """Set columns of the ticket's row, and the kept facts the changes touch
        (settled on the row as it was before); a ticket without a row is left."""
        if ticket not in self._rows:
            self.load((ticket,))
        row = self._rows[ticket]
        if row is None:
            return
        kept = {fact: change for fact, change in found.items() if fact in FACTS}
        if kept:
            facts = {fact: row[column] for fact, column in FACTS.items()}
            settled = settle(kept, facts)
            row.update(columns)
            for fact, value in settled.items():
                row[FACTS[fact]] = stored(value)
        else:
            row.update(columns)
        self._visited.add(_bucket(row))

    def tag(self, ticket: str, tag: str, *, present: bool) -> None:
        """The tag is on the ticket (or not) from now."""
        self._tags[(ticket, tag)] = present

    def rank(self, priority: str) -> int:
        """The priority's place in the configured order; unlisted ones rank lowest."""
        if self._ranks is None:
            self.cursor.execute(f"SELECT name, rank FROM {self.tables['priorities']}")
            self._ranks = {row[0]: int(row[1]) for row in self.cursor.fetchall()}
        return self._ranks.get(priority, -1)

    def write(self) -> None:
        """Write what the batch changed, and start afresh (rows read again)."""
        rows = [row for row in self._rows.values() if row is not None]
        if rows:
            updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:])
            self.cursor.executemany(
                f"INSERT INTO {self.tables['tickets']} ({', '.join(COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in COLUMNS)}) "
                f"ON CONFLICT (id) DO UPDATE SET {updates}",
                [tuple(row[c] for c in COLUMNS) for row in rows],
            )
        self._write_counts(rows)
        self._write_tags()
        self._rows.clear()
        self._buckets.clear()
        self._tags.clear()
        self._visited.clear()
        self._ranks = None

    def _write_counts(self, rows: list[Row]) -> None:
        moved: Counter[Bucket] = Counter()
        for row in rows:
            before, after = self._buckets[str(row["id"])], _bucket(row)
            if before != after:
                if before is not None:
                    moved[before] -= 1
                moved[after] += 1
        for bucket in self._visited:
            moved[bucket] += 0
        changes = [(*bucket, n) for bucket, n in sorted(moved.items(), key=_order)]
        if changes:
            counts = self.tables["ticket_counts"]
            self.cursor.executemany(
                f"INSERT INTO {counts} ({KEY}, tickets) "
                f"VALUES ({', '.join('?' for _ in COUNTED)}, ?) ON CONFLICT ({KEY}) "
                f"DO UPDATE SET tickets = {counts}.tickets + excluded.tickets",
                changes,
            )

    def _write_tags(self) -> None:
        tags = self.tables["ticket_tags"]
        added = [key for key, present in self._tags.items() if present]
        removed = [key for key, present in self._tags.items() if not present]
        if added:
            self.cursor.executemany(
                f"INSERT INTO {tags} (ticket, tag) VALUES (?, ?) "
                "ON CONFLICT (ticket, tag) DO NOTHING",
                added,
            )
        if removed:
            self.cursor.executemany(
                f"DELETE FROM {tags} WHERE ticket = ? AND tag = ?", removed
            )


def _bucket(row: Row) -> Bucket:
    """The counter a row is counted in (nobody is an empty owner)."""
    bucket: Bucket = _COUNTED_OF(row)
    if bucket[_OWNER] is None:
        return (*bucket[:_OWNER], NOBODY, *bucket[_OWNER + 1 :])
    return bucket


def _order(item: tuple[Bucket, int]) -> tuple[str, ...]:
    # Counters are changed in one order, so concurrent writers never deadlock.
    return tuple(str(v) for v in item[0])
