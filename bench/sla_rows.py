"""The escalation view's tables at scale, seeded with SQL rather than projected.

Projecting a million tickets' events takes the better part of an hour; the
reads only need the rows the view would hold. So the rows are made here the way
the view makes them (projections/escalations/view.py) for a desk of 20 queues
and 50 agents: every ticket has its row with its timeline and marks, 30% of them
are unfinished with 1 to 3 counting clocks each, due over the 60 days around
`now`, and the pending ones (their clocks paused) wait until a moment in the
next fortnight. As a running worker leaves them, breaches and warnings already
passed are recorded (no alarm is left to ring) except for `alarms` clocks whose
alarm rang in the last hour, and `expired` pending tickets whose time passed:
the same number at every size, so a tick has the same work at every size.
"""

from __future__ import annotations

import json
import random
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg

from bench.bulk_tickets import QUEUES
from projections.engine.store import ViewStore
from projections.engine.tracking import create_tracking_table
from projections.engine.values import NOBODY, micros
from projections.engine.view import create_tables, live_tables
from projections.escalations.view import (
    BREACHED,
    NEVER,
    PAUSED,
    PHASES,
    RUNNING,
    WARNED,
    EscalationView,
)
from tickettape.settings import Settings
from tickettape.stores import libpq_conninfo

OWNERS = tuple(f"agent{n:02d}" for n in range(1, 51))
UNFINISHED = 0.3
#: Among the unfinished: new, open, pending (paused), by these weights.
CATEGORIES = ("new", "open", "pending")
WEIGHTS = (0.2, 0.65, 0.15)
PRIORITIES = ("low", "normal", "normal", "normal", "high", "critical")
#: Business minutes per clock, and the wall-clock time one takes in office hours.
TARGETS = {"first_response": 60, "update": 240, "solution": 2880}
WALL_PER_BUSINESS = 3
WARN_PERCENT = 80
SPREAD = timedelta(days=30)
PENDING_FOR = timedelta(days=14)
ROWS_PER_BATCH = 5000
HOUR_US = 3_600 * 1_000_000
_TICKET_COLUMNS = (
    "id, number, queue, owner, category, pending_until_us, timeline, marks"
)
_CLOCK_COLUMNS = (
    "id, clock, number, queue, owner, priority, policy, target_minutes, "
    "started_us, due_us, warn_us, alarm_us, used_seconds, rank_us, phase, settled_us"
)
_TALLY_COLUMNS = f"queue, owner, clock, {', '.join(PHASES)}"

Row = tuple[Any, ...]


@dataclass
class Seeding:
    """What was seeded so far: tickets, clock rows, and the seconds it took."""

    tickets: int = 0
    clocks: int = 0
    seconds: float = 0.0


class EscalationRows:
    """Synthetic escalation view rows around `now`, added in batches."""

    def __init__(self, now: datetime, seed: int = 14) -> None:
        self.now = micros(now)
        self._random = random.Random(seed)
        self._made = 0
        self._alarms = self._expired = 0
        #: Clocks per queue, owner, clock and phase: the view's tally.
        self.tally: Counter[tuple[str, str, str, str]] = Counter()

    def batches(
        self, count: int, alarms: int, expired: int
    ) -> Iterator[tuple[list[Row], list[Row]]]:
        """`count` more tickets' rows and their clocks' rows, a batch at a time;
        the first `alarms` running clocks ring, the first `expired` pending
        tickets' time passed."""
        self._alarms, self._expired = alarms, expired
        for start in range(0, count, ROWS_PER_BATCH):
            tickets: list[Row] = []
            clocks: list[Row] = []
            for _ in range(min(ROWS_PER_BATCH, count - start)):
                self._ticket(tickets, clocks)
            self.tally.update((r[3], r[4], r[1], r[14]) for r in clocks)
            yield tickets, clocks

    def _ticket(self, tickets: list[Row], clocks: list[Row]) -> None:
        pick = self._random
        self._made += 1
        ticket = str(uuid.UUID(int=pick.getrandbits(128), version=4))
        created = self.now - int(pick.random() * 90 * 24 * HOUR_US)
        number = f"{self._made:014d}"
        queue, priority = pick.choice(QUEUES), pick.choice(PRIORITIES)
        owner = NOBODY if pick.random() < 0.1 else pick.choice(OWNERS)
        unfinished = pick.random() < UNFINISHED
        category = (
            pick.choices(CATEGORIES, WEIGHTS)[0]
            if unfinished
            else pick.choice(("resolved", "closed"))
        )
        pending = self._pending_until() if category == "pending" else None
        moments = self._moments(created, category)
        timeline = {
            "number": number,
            "queue": queue,
            "type": "problem",
            "priority": priority,
            "organization": None,
            "owner": owner or None,
            "category": category,
            "pending_until": pending,
            "moments": moments,
        }
        marks: list[str] = []
        if unfinished:
            for clock in pick.sample(sorted(TARGETS), pick.randint(1, 3)):
                if category == "pending":
                    clocks.append(
                        _paused(
                            self._clock(
                                ticket,
                                clock,
                                number,
                                queue,
                                owner,
                                priority,
                                ring=False,
                            )
                        )
                    )
                else:
                    clocks.append(
                        self._clock(
                            ticket, clock, number, queue, owner, priority, ring=True
                        )
                    )
        tickets.append(
            (
                ticket,
                number,
                queue,
                owner,
                category,
                pending,
                json.dumps(timeline, separators=(",", ":")),
                json.dumps(marks),
            )
        )

    def _pending_until(self) -> int:
        if self._expired > 0:
            self._expired -= 1
            return self.now - int(self._random.random() * HOUR_US)
        return self.now + int(self._random.random() * PENDING_FOR.total_seconds() * 1e6)

    def _moments(self, created: int, category: str) -> list[list[Any]]:
        pick = self._random
        moments: list[list[Any]] = [
            [created, "entered", "new"],
            [created, "customer_wrote", None],
        ]
        at = created
        for _ in range(pick.randint(0, 4)):
            at += int(pick.random() * 24 * HOUR_US)
            moments.append([at, pick.choice(("agent_replied", "customer_wrote")), None])
        if category != "new":
            moments.append([at + HOUR_US, "entered", category])
        return moments

    def _clock(
        self,
        ticket: str,
        clock: str,
        number: str,
        queue: str,
        owner: str,
        priority: str,
        *,
        ring: bool,
    ) -> Row:
        pick = self._random
        target = TARGETS[clock]
        wall_us = target * WALL_PER_BUSINESS * 60 * 1_000_000
        if ring and self._alarms > 0:
            # Rang in the last hour and not yet recorded: the worker's work.
            self._alarms -= 1
            due = self.now - int(pick.random() * HOUR_US)
            alarm: int | None = due
        else:
            due = self.now + int((2 * pick.random() - 1) * SPREAD.total_seconds() * 1e6)
            alarm = None
        warn = due - wall_us * (100 - WARN_PERCENT) // 100
        if alarm is None and due > self.now:
            # A warning that passed is recorded; the breach is still to come.
            alarm = due if warn <= self.now else warn
        # The phase the recorded marks give (view.phase) and its moment.
        phase: tuple[str, int | None] = (
            (BREACHED, due)
            if alarm is None
            else (WARNED, warn)
            if alarm == due
            else (RUNNING, None)
        )
        started = due - wall_us
        used = max(0, min(target * 60, (self.now - started) // 1_000_000 // 3))
        return (
            ticket,
            clock,
            number,
            queue,
            owner,
            priority,
            "standard",
            target,
            started,
            due,
            warn,
            alarm,
            used,
            due,
            *phase,
        )


def _paused(row: Row) -> Row:
    """The clock of a pending ticket: no due, warning or alarm, ranked last."""
    return (*row[:9], None, None, None, row[12], NEVER, PAUSED, None)


def make_tables(store: ViewStore) -> None:
    """The escalation view's tables and indexes, and the views' positions."""
    view = EscalationView()
    with store.transaction(write=True) as cursor:
        create_tracking_table(cursor)
        create_tables(cursor, view, live_tables(view), with_indexes=True)


class RowWriter:
    """Writes rows on a raw connection: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, settings: Settings) -> None:
        self._postgres = settings.uses_postgres
        self._conn: Any
        if self._postgres:
            self._conn = psycopg.connect(libpq_conninfo(settings))
        else:
            self._conn = sqlite3.connect(settings.views_path, isolation_level=None)

    def write(self, tickets: list[Row], clocks: list[Row]) -> None:
        """One batch of ticket and clock rows, in one transaction."""
        tables = live_tables(EscalationView())
        self._insert(
            (tables["escalation_tickets"], _TICKET_COLUMNS, tickets),
            (tables["escalation_clocks"], _CLOCK_COLUMNS, clocks),
        )

    def write_tally(self, tally: Counter[tuple[str, str, str, str]]) -> None:
        """The tally of every clock written so far, in place of the last."""
        table = live_tables(EscalationView())["escalation_tally"]
        groups: dict[tuple[str, str, str], dict[str, int]] = {}
        for (*group, phase), n in sorted(tally.items()):
            key = (group[0], group[1], group[2])
            groups.setdefault(key, dict.fromkeys(PHASES, 0))[phase] = n
        rows = [(*key, *phases.values()) for key, phases in groups.items()]
        self._insert((table, _TALLY_COLUMNS, rows), clear=table)

    def _insert(
        self, *batch: tuple[str, str, list[Row]], clear: str | None = None
    ) -> None:
        """The rows in one transaction, after emptying the `clear` table."""
        if self._postgres:
            with self._conn.transaction(), self._conn.cursor() as cursor:
                if clear is not None:
                    cursor.execute(f"DELETE FROM {clear}")
                for table, columns, rows in batch:
                    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
            return
        self._conn.execute("BEGIN IMMEDIATE")
        if clear is not None:
            self._conn.execute(f"DELETE FROM {clear}")
        for table, columns, rows in batch:
            marks = ", ".join("?" * len(columns.split(", ")))
            self._conn.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows
            )
        self._conn.execute("COMMIT")

    def settle(self) -> None:
        """On PostgreSQL, what autovacuum does after a load: VACUUM marks the
        pages all-visible, so index-only scans need not visit the table."""
        if not self._postgres:
            return
        self._conn.autocommit = True
        try:
            for table in live_tables(EscalationView()).values():
                self._conn.execute(f"VACUUM {table}")
        finally:
            self._conn.autocommit = False

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()
