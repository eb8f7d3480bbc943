"""The escalation view: every unfinished ticket's counting SLA clocks, by due time.

It keeps, per ticket that is not merged, the ticket's timeline (domain
.sla_timeline) and the SLA marks recorded on it, and per counting clock of an
unfinished ticket one row: when it is due, when it warns, and its *alarm*, the
next moment the escalation worker has something to record (a warning or a
breach not recorded yet). The clocks are read under the SLA book folded from the
configuration events in the log (projections/escalations/book.py), so a rebuild
gives the rows the live view has, and a policy or calendar change recomputes the
clocks of every unfinished ticket from their start.

Rows hold only what does not depend on when they are read: whether a clock is
breached or warned *now* is decided by the reader against its clock. What each
row says of it is its *phase*, the urgency its recorded marks give it (breached
once its breach is recorded, warned once its warning is), and the view keeps a
count of clocks per queue, owner and clock in each phase (`escalation_tally`). A
running worker records each warning and breach as it falls due, so the phase is
the urgency now for all but the few clocks whose alarm rang since: the counts
are read from the tally and corrected by those (query.py), the same effort at
any number of tickets.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, NamedTuple

from eventsourcing.utils import get_topic

from domain.errors import InvalidValue
from domain.sla_book import SlaBook
from domain.sla_clocks import ClockReading, read_clocks
from domain.sla_timeline import Timeline
from domain.statuses import Category
from domain.ticket import Ticket, mark_key
from projections.engine.store import ViewCursor
from projections.engine.values import NOBODY, micros
from projections.engine.view import Tables
from projections.escalations import book

NAME = "escalation_view"
#: The ticket events that change a timeline, an owner or the marks.
TICKET_EVENTS = (
    Ticket.Created,
    Ticket.ArticleAdded,
    Ticket.StatusChanged,
    Ticket.Reopened,
    Ticket.PendingExpired,
    Ticket.Merged,
    Ticket.Assigned,
    Ticket.Unassigned,
    Ticket.Moved,
    Ticket.PriorityChanged,
    Ticket.TypeChanged,
    Ticket.SlaWarned,
    Ticket.SlaBreached,
)
_MARKS = (Ticket.SlaWarned, Ticket.SlaBreached)
#: The rank of a paused clock: after every due time.
NEVER = 2**62
#: The phases a clock row counts in (query.Urgency's values).
BREACHED, WARNED, RUNNING, PAUSED = "breached", "warned", "running", "paused"
PHASES = (BREACHED, WARNED, RUNNING, PAUSED)
#: Where a clock row (_clock_row) holds its queue, owner, clock and phase.
_GROUPED = (3, 4, 1, 14)
_WORKING = frozenset({Category.NEW, Category.OPEN, Category.PENDING})

TABLES = {
    "escalation_tickets": (
        "CREATE TABLE IF NOT EXISTS {escalation_tickets} ("
        "id TEXT PRIMARY KEY, number TEXT NOT NULL, queue TEXT NOT NULL, "
        "owner TEXT NOT NULL, category TEXT NOT NULL, pending_until_us BIGINT, "
        "timeline TEXT NOT NULL, marks TEXT NOT NULL)"
    ),
    "escalation_clocks": (
        "CREATE TABLE IF NOT EXISTS {escalation_clocks} ("
        "id TEXT NOT NULL, clock TEXT NOT NULL, number TEXT NOT NULL, "
        "queue TEXT NOT NULL, owner TEXT NOT NULL, priority TEXT NOT NULL, "
        "policy TEXT NOT NULL, target_minutes BIGINT NOT NULL, "
        "started_us BIGINT NOT NULL, due_us BIGINT, warn_us BIGINT, "
        "alarm_us BIGINT, used_seconds BIGINT NOT NULL, rank_us BIGINT NOT NULL, "
        "phase TEXT NOT NULL, settled_us BIGINT, PRIMARY KEY (id, clock))"
    ),
    "escalation_tally": (
        "CREATE TABLE IF NOT EXISTS {escalation_tally} ("
        "queue TEXT NOT NULL, owner TEXT NOT NULL, clock TEXT NOT NULL, "
        "breached BIGINT NOT NULL, warned BIGINT NOT NULL, "
        "running BIGINT NOT NULL, paused BIGINT NOT NULL, "
        "PRIMARY KEY (queue, owner, clock))"
    ),
    **book.TABLES,
}
INDEXES = [
    # The worker's question: which alarms have rung? Only rows with one.
    "CREATE INDEX IF NOT EXISTS {escalation_clocks}_alarm "
    "ON {escalation_clocks} (alarm_us) WHERE alarm_us IS NOT NULL",
    # The counts' other correction: a phase that holds only from a moment to
    # come (a warning recorded before its policy moved the warning later).
    "CREATE INDEX IF NOT EXISTS {escalation_clocks}_settled "
    "ON {escalation_clocks} (settled_us) WHERE settled_us IS NOT NULL",
    # The list: the most urgent first (paused clocks, without a due time, last).
    "CREATE INDEX IF NOT EXISTS {escalation_clocks}_rank "
    "ON {escalation_clocks} (rank_us, number, clock)",
    "CREATE INDEX IF NOT EXISTS {escalation_clocks}_queue "
    "ON {escalation_clocks} (queue, rank_us, number, clock)",
    "CREATE INDEX IF NOT EXISTS {escalation_clocks}_owner "
    "ON {escalation_clocks} (owner, rank_us, number, clock)",
    # Pending tickets by the moment their pending time passes.
    "CREATE INDEX IF NOT EXISTS {escalation_tickets}_pending "
    "ON {escalation_tickets} (pending_until_us) WHERE pending_until_us IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS {escalation_tickets}_owner_pending "
    "ON {escalation_tickets} (owner, pending_until_us) "
    "WHERE pending_until_us IS NOT NULL",
]


class EscalationView:
    """Keeps each ticket's timeline and its counting clocks' due times."""

    name = NAME
    tables = TABLES
    indexes = INDEXES

    def __init__(self) -> None:
        self.topics = [get_topic(kind) for kind in (*TICKET_EVENTS, *book.EVENTS)]
        self._books: dict[str, SlaBook] = {}

    def apply(self, event: Any, cursor: ViewCursor, tables: Tables) -> None:
        """Follow one ticket or configuration event."""
        if isinstance(event, book.EVENTS):
            book.remember(cursor, tables, event)
            self._books.pop(tables["escalation_config"], None)
            self._recompute_all(cursor, tables)
            return
        ticket = str(event.originator_id)
        cursor.execute(
            f"SELECT timeline, marks FROM {tables['escalation_tickets']} WHERE id = ?",
            [ticket],
        )
        row = cursor.fetchone()
        if row is None and not isinstance(event, Ticket.Created):
            return
        timeline = (
            Timeline() if row is None else Timeline.from_data(json.loads(row.timeline))
        )
        marks: list[str] = [] if row is None else json.loads(row.marks)
        if isinstance(event, _MARKS):
            kind = "warned" if isinstance(event, Ticket.SlaWarned) else "breached"
            marks.append(mark_key(kind, event.clock, event.due_at))
        else:
            after = timeline.after(event)
            if after == timeline:
                return
            timeline = after
        self._store(cursor, tables, ticket, timeline, marks)

    def _book(self, cursor: ViewCursor, tables: Tables) -> SlaBook:
        config = tables["escalation_config"]
        if config not in self._books:
            self._books[config] = book.read(cursor, tables)
        return self._books[config]

    def _recompute_all(self, cursor: ViewCursor, tables: Tables) -> None:
        cursor.execute(
            f"SELECT id, timeline, marks FROM {tables['escalation_tickets']} "
            "WHERE category IN ('new', 'open', 'pending') ORDER BY id"
        )
        for row in cursor.fetchall():
            timeline = Timeline.from_data(json.loads(row.timeline))
            self._store(cursor, tables, row.id, timeline, json.loads(row.marks))

    def _store(
        self,
        cursor: ViewCursor,
        tables: Tables,
        ticket: str,
        timeline: Timeline,
        marks: list[str],
    ) -> None:
        tickets, clocks = tables["escalation_tickets"], tables["escalation_clocks"]
        cursor.execute(
            f"SELECT queue, owner, clock, phase FROM {clocks} WHERE id = ?", [ticket]
        )
        tally = Counter[Group](Group(*row) for row in cursor.fetchall())
        cursor.execute(f"DELETE FROM {clocks} WHERE id = ?", [ticket])
        rows = self._clock_rows(cursor, tables, ticket, timeline, marks)
        tally.subtract(Group(*(str(row[i]) for i in _GROUPED)) for row in rows)
        _count(cursor, tables["escalation_tally"], tally)
        if timeline.category == Category.MERGED:
            cursor.execute(f"DELETE FROM {tickets} WHERE id = ?", [ticket])
            return
        pending = timeline.pending_until
        values = [
            str(timeline.number),
            str(timeline.queue),
            timeline.owner or NOBODY,
            str(timeline.category),
            None if pending is None else micros(pending),
            json.dumps(timeline.to_data(), separators=(",", ":")),
            json.dumps(marks),
        ]
        cursor.execute(
            f"INSERT INTO {tickets} (id, number, queue, owner, category, "
            "pending_until_us, timeline, marks) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET number = excluded.number, "
            "queue = excluded.queue, owner = excluded.owner, "
            "category = excluded.category, "
            "pending_until_us = excluded.pending_until_us, "
            "timeline = excluded.timeline, marks = excluded.marks",
            [ticket, *values],
        )
        if rows:
            cursor.executemany(
                f"INSERT INTO {clocks} (id, clock, number, queue, owner, priority, "
                "policy, target_minutes, started_us, due_us, warn_us, alarm_us, "
                f"used_seconds, rank_us, phase, settled_us) "
                f"VALUES ({', '.join('?' * 16)})",
                rows,
            )

    def _clock_rows(
        self,
        cursor: ViewCursor,
        tables: Tables,
        ticket: str,
        timeline: Timeline,
        marks: list[str],
    ) -> list[list[object]]:
        if timeline.category not in _WORKING:
            return []
        applied = self._book(cursor, tables).applying(timeline)
        if applied is None:
            return []
        try:
            readings = read_clocks(timeline, applied.terms, applied.hours)
        except InvalidValue:
            # A calendar with no open time within the horizon (its holidays
            # close every open day for twenty years): no due time to keep. The
            # view must go on with the rest of the log.
            return []
        return [
            _clock_row(ticket, timeline, applied.policy, reading, marks)
            for reading in readings
            if reading.counting
        ]


class Group(NamedTuple):
    """What the tally counts clocks by."""

    queue: str
    owner: str
    clock: str
    phase: str


def _count(cursor: ViewCursor, tally: str, removed: Counter[Group]) -> None:
    """Take the removed clocks off the tally (a negative count adds them)."""
    changes: dict[tuple[str, str, str], dict[str, int]] = {}
    for group, n in sorted(removed.items()):
        if n:
            phases = changes.setdefault(group[:3], dict.fromkeys(PHASES, 0))
            phases[group.phase] -= n
    if not changes:
        return
    cursor.executemany(
        f"INSERT INTO {tally} (queue, owner, clock, {', '.join(PHASES)}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (queue, owner, clock) DO UPDATE "
        f"SET {', '.join(f'{p} = {tally}.{p} + excluded.{p}' for p in PHASES)}",
        [[*key, *phases.values()] for key, phases in changes.items()],
    )
    cursor.executemany(
        f"DELETE FROM {tally} WHERE queue = ? AND owner = ? AND clock = ? AND "
        f"{' AND '.join(f'{p} = 0' for p in PHASES)}",
        list(changes),
    )


def _clock_row(
    ticket: str,
    timeline: Timeline,
    policy: str,
    reading: ClockReading,
    marks: list[str],
) -> list[object]:
    due, warn = reading.due_at, reading.warn_at
    return [
        ticket,
        reading.clock.value,
        timeline.number,
        timeline.queue,
        timeline.owner or NOBODY,
        timeline.priority,
        policy,
        reading.target_minutes,
        micros(reading.started_at),
        None if due is None else micros(due),
        None if warn is None else micros(warn),
        alarm(reading, marks),
        int(reading.used.total_seconds()),
        NEVER if due is None else micros(due),
        *phase(reading, marks),
    ]


def phase(reading: ClockReading, marks: list[str]) -> tuple[str, int | None]:
    """The urgency a clock's recorded marks give it, and the moment from which
    that holds (None: always). Paused without a due time; breached once its
    breach is recorded; warned once its warning is (and it has one); else
    running. It is the urgency now until the clock's alarm rings."""
    due = reading.due_at
    if due is None:
        return PAUSED, None
    if mark_key("breached", reading.clock, due) in marks:
        return BREACHED, micros(due)
    warn = reading.warn_at
    if warn is not None and mark_key("warned", reading.clock, due) in marks:
        return WARNED, micros(warn)
    return RUNNING, None


def alarm(reading: ClockReading, marks: list[str]) -> int | None:
    """The next moment (micros) the worker has to record something for a clock:
    its warning, then its breach; None once the breach is recorded or while the
    clock is paused (its due time is unknown)."""
    due = reading.due_at
    if due is None:
        return None
    if mark_key("breached", reading.clock, due) in marks:
        return None
    warn = reading.warn_at
    if warn is not None and mark_key("warned", reading.clock, due) not in marks:
        return micros(warn)
    return micros(due)
