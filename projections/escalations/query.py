"""Reading the escalation view: clocks by urgency, counts, alarms and reminders.

Whether a counting clock is breached or warned is decided here, against the
reader's moment: breached once its due time passed, warned once its warning
time passed and it is not breached. Paused clocks have no due time and come last.

A clock's rank is its due time, or NEVER while it is paused (view.py), so the
urgencies are read off the rank: the indexes that sort the lists by it then also
count breached and warned clocks without reading the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from domain.errors import InvalidValue
from projections.engine.cursors import pack, unpack
from projections.engine.store import Row, ViewStore
from projections.engine.tracking import position
from projections.engine.values import NOBODY, from_micros, micros
from projections.escalations.view import NAME, NEVER

CLOCKS = "view_escalation_clocks"
TICKETS = "view_escalation_tickets"
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
    page_where, page_params = list(where), list(params)
    if cursor is not None:
        page_where.append(f"({_DUE}, number, clock) > (?, ?, ?)")
        page_params.extend(_decode(cursor))
    with store.transaction() as rows:
        total = rows.count(f"SELECT COUNT(*) FROM {CLOCKS} WHERE {_all(where)}", params)
        rows.execute(
            f"SELECT {_COLUMNS} FROM {CLOCKS} WHERE {_all(page_where)} "
            f"ORDER BY {_DUE}, number, clock LIMIT ?",
            [*page_params, limit + 1],
        )
        found = rows.fetchall()
        at = position(rows, NAME)
    page = [_clock(row, now) for row in found[:limit]]
    last = found[limit - 1] if len(found) > limit else None
    next_cursor = (
        pack(["escalations", _due_key(last), last.number, last.clock])
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
    where, params = _conditions(EscalationFilter(allowed_queues), micros(now))
    moment = micros(now)
    with store.transaction() as rows:
        rows.execute(
            f"SELECT {by} AS key, "
            f"SUM(CASE WHEN {_BREACHED} THEN 1 ELSE 0 END) AS breached, "
            f"SUM(CASE WHEN {_WARNED} THEN 1 ELSE 0 END) AS warned, "
            f"COUNT(*) AS counting FROM {CLOCKS} WHERE {_all(where)} "
            f"GROUP BY {by} ORDER BY {by}",
            [moment, moment, NEVER, moment, *params],
        )
        return [
            Tally(r.key, int(r.breached or 0), int(r.warned or 0), int(r.counting))
            for r in rows.fetchall()
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
        rows.execute(
            f"SELECT COUNT(*) AS breached, MIN({_DUE}) AS due FROM {CLOCKS} "
            f"WHERE {_BREACHED}",
            [moment],
        )
        found = rows.fetchone()
        warned = rows.count(
            f"SELECT COUNT(*) FROM {CLOCKS} WHERE {_WARNED}", [moment, NEVER, moment]
        )
    breached = 0 if found is None else int(found.breached)
    oldest = None if found is None else found.due
    overdue = 0 if oldest is None else (moment - int(oldest)) // 1_000_000
    return Gauges(breached, warned, overdue)


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


def reminders(
    store: ViewStore,
    start: datetime,
    end: datetime,
    owner: str | None = None,
    allowed_queues: tuple[str, ...] | None = None,
    limit: int = 500,
) -> list[Reminder]:
    """Pending tickets whose pending time passes in [start, end), by owner."""
    where = ["pending_until_us >= ?", "pending_until_us < ?"]
    params: list[Any] = [micros(start), micros(end)]
    if owner is not None:
        where.append("owner = ?")
        params.append(owner or NOBODY)
    if allowed_queues is not None:
        where.append(_in("queue", allowed_queues))
        params.extend(allowed_queues or ("",))
    return _reminders(store, _all(where), params, limit)


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


def _in(column: str, values: Sequence[str]) -> str:
    # No value at all matches nothing: "IN ()" is no SQL.
    return f"{column} IN ({', '.join('?' for _ in values or ('',))})"


def _conditions(wanted: EscalationFilter, now: int) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    for queues in (wanted.allowed_queues, wanted.queues or None):
        if queues is not None:
            where.append(_in("queue", queues))
            params.extend(queues or ("",))
    if wanted.owner is not None:
        where.append("owner = ?")
        params.append(wanted.owner)
    if wanted.clock is not None:
        where.append("clock = ?")
        params.append(wanted.clock)
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
    if due is None:
        urgency = Urgency.PAUSED
    elif due <= now:
        urgency = Urgency.BREACHED
    elif warn is not None and warn <= now:
        urgency = Urgency.WARNED
    else:
        urgency = Urgency.RUNNING
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


def _due_key(row: Row) -> int:
    return int(row.rank_us)


def _decode(cursor: str) -> list[Any]:
    found = unpack(cursor)
    if (
        not isinstance(found, list)
        or [type(value) for value in found] != [str, int, str, str]
        or found[0] != "escalations"
    ):
        raise InvalidValue("the cursor is malformed or belongs to another list")
    return list(found[1:])
