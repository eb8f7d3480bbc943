"""Reading the escalation view: clocks by urgency, counts, alarms and reminders.

Whether a counting clock is breached or warned is decided here, against the
reader's moment: breached once its due time passed, warned once its warning
time passed and it is not breached. Paused clocks have no due time and come last.

A clock's rank is its due time, or NEVER while it is paused (view.py), so the
lists read the urgencies off the rank. The counts read the view's tally of
clocks per queue, owner, clock and phase (the urgency the recorded marks give),
and correct it by the clocks whose phase is not their urgency now: those whose
alarm rang since (found by the alarm index, as the worker finds them) and those
whose phase holds only from a moment to come. So a count costs the groups and
the alarms not yet recorded, not the clocks counted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from domain.errors import InvalidValue
from projections.engine.cursors import pack_key, unpack_key, within_queues
from projections.engine.store import Row, ViewCursor, ViewStore
from projections.engine.tracking import position
from projections.engine.values import NOBODY, from_micros, micros
from projections.escalations.view import NAME, NEVER, PHASES

CLOCKS = "view_escalation_clocks"
TICKETS = "view_escalation_tickets"
TALLY = "view_escalation_tally"
_COLUMNS = (
    "id, clock, number, queue, owner, priority, policy, target_minutes, "
    "started_us, due_us, warn_us, used_seconds, rank_us"
)
#: The sort key: the due time, paused clocks (none) last.
_DUE = "rank_us"
#: Due by the moment (one parameter: the moment).
_BREACHED = f"{_DUE} <= ?"
#: Not due by the moment, but warned (the moment, NEVER, the moment).
_WARNED = f"{_DUE} > ? AND {_DUE} < ? AND warn_us <= ?"


class Urgency(StrEnum):
    """Where a counting clock stands at the moment of reading."""

    BREACHED = "breached"
    WARNED = "warned"
    RUNNING = "running"
    PAUSED = "paused"


@dataclass(frozen=True)
class EscalationFilter:
    """Which clocks to show; `allowed_queues` is who may see what (None: all)."""

    allowed_queues: tuple[str, ...] | None = None
    queues: tuple[str, ...] = ()
    owner: str | None = None
    clock: str | None = None
    urgency: Urgency | None = None


@dataclass(frozen=True)
class ClockRow:
    """One counting clock of an unfinished ticket, as it stands when read."""

    number: str
    clock: str
    urgency: Urgency
    queue: str
    owner: str | None
    priority: str
    policy: str
    target_minutes: int
    started_at: datetime
    due_at: datetime | None
    warn_at: datetime | None
    #: Seconds to the due time; negative once overdue; None while paused.
    due_in_seconds: int | None


@dataclass(frozen=True)
class EscalationPage:
    """A page of clocks, the most urgent first, and where the view stands."""

    clocks: list[ClockRow]
    total: int
    next_cursor: str | None
    position: int
    now: datetime


@dataclass(frozen=True)
class Tally:
    """How many counting clocks of one queue or owner are breached and warned."""

    key: str
    breached: int
    warned: int
    counting: int


@dataclass(frozen=True)
class Alarm:
    """A clock whose alarm rang: the worker has a warning or breach to record."""

    number: str
    clock: str
    at: datetime


def find_clocks(
    store: ViewStore,
    wanted: EscalationFilter,
    now: datetime,
    limit: int = 50,
    cursor: str | None = None,
) -> EscalationPage:
    """A page of the clocks the filter allows: breached first, then nearest due."""
    where, params = _conditions(wanted, micros(now))
    if cursor is not None:
        where.append(f"({_DUE}, number, clock) > (?, ?, ?)")
        params.extend(unpack_key(cursor, "escalations", [int, str, str]))
    with store.transaction() as rows:
        counted = _count(rows, wanted, micros(now)).get("", Counter())
        total = sum(counted[u] for u in _COUNTED_AS[wanted.urgency])
        rows.execute(
            f"SELECT {_COLUMNS} FROM {CLOCKS} WHERE {_all(where)} "
            f"ORDER BY {_DUE}, number, clock LIMIT ?",
            [*params, limit + 1],
        )
        found = rows.fetchall()
        at = position(rows, NAME)
    page = [_clock(row, now) for row in found[:limit]]
    last = found[limit - 1] if len(found) > limit else None
    next_cursor = (
        pack_key("escalations", [int(last.rank_us), last.number, last.clock])
        if last is not None
        else None
    )
    return EscalationPage(page, total, next_cursor, at, now)


def tallies(
    store: ViewStore,
    by: str,
    now: datetime,
    allowed_queues: tuple[str, ...] | None = None,
) -> list[Tally]:
    """Breached and warned counting clocks per queue or per owner ("" nobody)."""
    if by not in ("queue", "owner"):
        raise InvalidValue("tallies are by queue or by owner")
    with store.transaction() as rows:
        counted = _count(rows, EscalationFilter(allowed_queues), micros(now), by)
    return [
        Tally(
            key,
            found[Urgency.BREACHED],
            found[Urgency.WARNED],
            sum(found.values()),
        )
        for key, found in sorted(counted.items())
        if sum(found.values()) > 0
    ]


@dataclass(frozen=True)
class Gauges:
    """The escalation gauges /metrics shows."""

    breached: int
    warned: int
    oldest_overdue_seconds: int


def gauges(store: ViewStore, now: datetime) -> Gauges:
    """How many clocks are breached and warned now, and the oldest overdue."""
    moment = micros(now)
    with store.transaction() as rows:
        counted = _count(rows, EscalationFilter(), moment).get("", Counter())
        rows.execute(f"SELECT MIN({_DUE}) AS due FROM {CLOCKS}")
        found = rows.fetchone()
    earliest = None if found is None or found.due is None else int(found.due)
    overdue = 0 if earliest is None else max(0, moment - earliest) // 1_000_000
    return Gauges(counted[Urgency.BREACHED], counted[Urgency.WARNED], overdue)


def rung_alarms(store: ViewStore, now: datetime, limit: int = 100) -> list[Alarm]:
    """The clocks whose alarm rang by `now`, the earliest first (by the index)."""
    with store.transaction() as rows:
        rows.execute(
            f"SELECT number, clock, alarm_us FROM {CLOCKS} "
            "WHERE alarm_us IS NOT NULL AND alarm_us <= ? ORDER BY alarm_us LIMIT ?",
            [micros(now), limit],
        )
        return [
            Alarm(r.number, r.clock, from_micros(r.alarm_us)) for r in rows.fetchall()
        ]


@dataclass(frozen=True)
class Reminder:
    """A pending ticket and the moment its pending time passes."""

    number: str
    queue: str
    owner: str | None
    pending_until: datetime


def expired_pending(
    store: ViewStore, now: datetime, limit: int = 100
) -> list[Reminder]:
    """Pending tickets whose pending time passed by `now`, the earliest first."""
    return _reminders(store, "pending_until_us <= ?", [micros(now)], limit)


@dataclass(frozen=True)
class ReminderPage:
    """A page of reminders, the earliest first; next_cursor for the rest."""

    reminders: list[Reminder]
    next_cursor: str | None


def reminders(
    store: ViewStore,
    start: datetime,
    end: datetime,
    owner: str | None = None,
    allowed_queues: tuple[str, ...] | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> ReminderPage:
    """Pending tickets whose pending time passes in [start, end), by that time."""
    where = ["pending_until_us >= ?", "pending_until_us < ?"]
    params: list[Any] = [micros(start), micros(end)]
    if owner is not None:
        where.append("owner = ?")
        params.append(owner or NOBODY)
    queues, in_queues = within_queues(allowed_queues, ())
    where += queues
    params += in_queues
    if cursor is not None:
        where.append("(pending_until_us, number) > (?, ?)")
        params.extend(unpack_key(cursor, "reminders", [int, str]))
    found = _reminders(store, _all(where), params, limit + 1)
    last = found[limit - 1] if len(found) > limit else None
    return ReminderPage(
        found[:limit],
        None
        if last is None
        else pack_key("reminders", [micros(last.pending_until), last.number]),
    )


def _reminders(
    store: ViewStore, where: str, params: Sequence[object], limit: int
) -> list[Reminder]:
    with store.transaction() as rows:
        rows.execute(
            f"SELECT number, queue, owner, pending_until_us FROM {TICKETS} "
            f"WHERE category = 'pending' AND {where} "
            "ORDER BY pending_until_us, number LIMIT ?",
            [*params, limit],
        )
        return [
            Reminder(
                r.number, r.queue, r.owner or None, from_micros(r.pending_until_us)
            )
            for r in rows.fetchall()
        ]


def _all(where: list[str]) -> str:
    return " AND ".join(where) if where else "1 = 1"


Conditions = tuple[list[str], list[Any]]
#: Which clocks' urgencies a count with an urgency filter adds up ("running" is
#: every clock not due yet, warned ones included, as the list filters them).
_COUNTED_AS: dict[Urgency | None, tuple[Urgency, ...]] = {
    None: tuple(Urgency),
    Urgency.RUNNING: (Urgency.RUNNING, Urgency.WARNED),
    **{u: (u,) for u in (Urgency.BREACHED, Urgency.WARNED, Urgency.PAUSED)},
}
#: The clocks whose phase may not be their urgency at the moment: an alarm rang,
#: or a phase holds only from a moment to come (each by its partial index).
_UNSETTLED = (
    "alarm_us IS NOT NULL AND alarm_us <= ?",
    "settled_us IS NOT NULL AND settled_us > ?",
)


def _count(
    rows: ViewCursor, wanted: EscalationFilter, now: int, by: str | None = None
) -> dict[str, Counter[Urgency]]:
    """The clocks the filter allows by urgency at `now` (its own urgency aside),
    per `by` (None: all under "")."""
    where, params = _scope(wanted)
    key, grouped = (by, f" GROUP BY {by}") if by else ("''", "")
    rows.execute(
        f"SELECT {key} AS key, "
        f"{', '.join(f'SUM({p}) AS {p}' for p in PHASES)} FROM {TALLY} "
        f"WHERE {_all(where)}{grouped}",
        params,
    )
    counted: dict[str, Counter[Urgency]] = defaultdict(Counter)
    for row in rows.fetchall():
        for phase in PHASES:
            counted[row.key][Urgency(phase)] += int(getattr(row, phase) or 0)
    # Few rows (each by its partial index), so the filter is applied here: its
    # conditions in SQL could draw the planner to the queue or owner index.
    for unsettled in _UNSETTLED:
        rows.execute(
            "SELECT queue, owner, clock, phase, due_us, warn_us "
            f"FROM {CLOCKS} WHERE {unsettled}",
            [now],
        )
        for row in rows.fetchall():
            if _allows(wanted, row.queue, row.owner, row.clock):
                found = counted[getattr(row, by) if by else ""]
                found[Urgency(row.phase)] -= 1
                found[urgency_at(row.due_us, row.warn_us, now)] += 1
    return counted


def _allows(wanted: EscalationFilter, queue: str, owner: str, clock: str) -> bool:
    """Whether the filter's queues, owner and clock allow a clock (as _scope)."""
    return (
        (wanted.allowed_queues is None or queue in wanted.allowed_queues)
        and (not wanted.queues or queue in wanted.queues)
        and (wanted.owner is None or owner == wanted.owner)
        and (wanted.clock is None or clock == wanted.clock)
    )


def urgency_at(due_us: int | None, warn_us: int | None, now: int) -> Urgency:
    """A counting clock's urgency at the moment (micros)."""
    if due_us is None:
        return Urgency.PAUSED
    if due_us <= now:
        return Urgency.BREACHED
    if warn_us is not None and warn_us <= now:
        return Urgency.WARNED
    return Urgency.RUNNING


def _scope(wanted: EscalationFilter) -> Conditions:
    """The filter's conditions on the clocks' queue, owner and clock."""
    where, params = within_queues(wanted.allowed_queues, wanted.queues)
    if wanted.owner is not None:
        where.append("owner = ?")
        params.append(wanted.owner)
    if wanted.clock is not None:
        where.append("clock = ?")
        params.append(wanted.clock)
    return where, params


def _conditions(wanted: EscalationFilter, now: int) -> Conditions:
    """The filter's conditions, its urgency at `now` included."""
    where, params = _scope(wanted)
    urgency = wanted.urgency
    if urgency is Urgency.BREACHED:
        where.append(_BREACHED)
        params.append(now)
    elif urgency is Urgency.WARNED:
        where.append(_WARNED)
        params.extend([now, NEVER, now])
    elif urgency is Urgency.RUNNING:
        where.append(f"{_DUE} > ? AND {_DUE} < ?")
        params.extend([now, NEVER])
    elif urgency is Urgency.PAUSED:
        where.append(f"{_DUE} = ?")
        params.append(NEVER)
    return where, params


def _clock(row: Row, now: datetime) -> ClockRow:
    due = None if row.due_us is None else from_micros(row.due_us)
    warn = None if row.warn_us is None else from_micros(row.warn_us)
    urgency = urgency_at(row.due_us, row.warn_us, micros(now))
    return ClockRow(
        number=row.number,
        clock=row.clock,
        urgency=urgency,
        queue=row.queue,
        owner=row.owner or None,
        priority=row.priority,
        policy=row.policy,
        target_minutes=int(row.target_minutes),
        started_at=from_micros(row.started_us),
        due_at=due,
        warn_at=warn,
        due_in_seconds=None if due is None else (due - now) // timedelta(seconds=1),
    )
