"""The backlog as it stood at any moment, replayed from the event log (not the views).

A helpdesk's backlog is the work still to do: the tickets whose status was in the
`new`, `open` or `pending` category at that moment, the same "unfinished" tickets
the live status and queue views count. Resolved, closed and merged tickets are
finished work; they appear only in the counts by category and by status, so the
whole picture at that moment is visible too.

A ticket stands at a moment as it was at its last version stamped at or before
that moment, exactly what `replay.history.ticket_as_of` loads. So the whole log is
scanned: several processes' clocks can interleave slightly, and a later event can
bear an earlier time. A status's category is the one the ticket's own event
recorded when it entered the status; the status catalogue can only add and retire
statuses, never move one to another category, so that is its category at the
moment too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.audit import AuditedAggregate
from domain.desk import HelpDesk
from domain.errors import InvalidValue
from domain.statuses import Category
from domain.ticket import Ticket
from projections.engine.counters import UNFINISHED
from projections.statuses.counts import CATEGORIES

BATCH = 500
# Every kind of ticket event: any of them can be a ticket's last version at a moment.
TICKET_TOPICS = sorted(
    get_topic(kind)
    for kind in vars(Ticket).values()
    if isinstance(kind, type) and issubclass(kind, AuditedAggregate.Event)
)


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a ticket stood: what the backlog counts it by."""

    status: str
    category: str
    queue: str
    priority: str


Change = Callable[[Any], dict[str, str]]
_CHANGES: dict[type[Any], Change] = {
    Ticket.StatusChanged: lambda e: {"status": e.to_status, "category": e.category},
    Ticket.Reopened: lambda e: {"status": e.to_status, "category": e.category},
    Ticket.PendingExpired: lambda e: {
        "status": e.to_status,
        "category": e.category,
    },
    Ticket.Merged: lambda e: {"status": e.to_status, "category": Category.MERGED.value},
    Ticket.Moved: lambda e: {"queue": e.to_queue},
    Ticket.PriorityChanged: lambda e: {"priority": e.to_priority},
}


def standing_after(standing: Standing | None, event: Ticket.Event) -> Standing | None:
    """Where the ticket stands once the event happened (None: not yet opened)."""
    if isinstance(event, Ticket.Created):
        return Standing(
            event.status, event.status_category, event.queue, event.priority
        )
    change = _CHANGES.get(type(event))
    if standing is None or change is None:
        return standing
    return replace(standing, **change(event))


@dataclass(frozen=True)
class Backlog:
    """The tickets as they stood at a moment, counted, and how far the scan read.

    `open_tickets`, `by_queue` and `by_priority` count the backlog (new, open and
    pending tickets); `by_status_category` (every category) and `by_status` count
    every ticket that existed.
    """

    as_of: datetime
    position: int
    events_read: int
    open_tickets: int
    by_status_category: dict[str, int]
    by_status: dict[str, int]
    by_queue: dict[str, int]
    by_priority: dict[str, int]

    @property
    def tickets(self) -> int:
        """Every ticket that existed at the moment, finished or not."""
        return sum(self.by_status_category.values())


def standings_as_of(
    desk: HelpDesk, moment: datetime
) -> tuple[dict[UUID, Standing], int, int]:
    """Each ticket that existed at the moment, where it stood; position; events read."""
    if moment.tzinfo is None:
        raise InvalidValue("a moment needs a time zone")
    top = desk.recorder.max_notification_id() or 0
    latest: dict[UUID, Standing] = {}
    then: dict[UUID, Standing] = {}
    start, read = 1, 0
    while start <= top:
        batch = desk.recorder.select_notifications(
            start, BATCH, stop=top, topics=TICKET_TOPICS
        )
        for notification in batch:
            event = desk.mapper.to_domain_event(notification)
            if not isinstance(event, Ticket.Event):
                continue
            ticket = event.originator_id
            standing = standing_after(latest.get(ticket), event)
            if standing is None:
                continue
            latest[ticket] = standing
            # A version at or before the moment carries every version before it.
            if event.timestamp <= moment:
                then[ticket] = standing
        read += len(batch)
        if len(batch) < BATCH:
            break
        start = batch[-1].id + 1
    return then, top, read


def backlog_as_of(
    desk: HelpDesk, moment: datetime, queues: Collection[str] | None = None
) -> Backlog:
    """The backlog at the moment, in these queues only (None: every queue)."""
    standings, position, read = standings_as_of(desk, moment)
    wanted = None if queues is None else frozenset(queues)
    counted = [s for s in standings.values() if wanted is None or s.queue in wanted]
    waiting = [s for s in counted if s.category in UNFINISHED]
    by_category = dict.fromkeys(CATEGORIES, 0)
    by_category.update(Counter(s.category for s in counted))
    return Backlog(
        as_of=moment,
        position=position,
        events_read=read,
        open_tickets=len(waiting),
        by_status_category=by_category,
        by_status=dict(sorted(Counter(s.status for s in counted).items())),
        by_queue=_by_queue(Counter(s.queue for s in waiting), wanted),
        by_priority=_in_order(
            Counter(s.priority for s in waiting), desk.priorities().values
        ),
    )


def _by_queue(counts: Counter[str], queues: Collection[str] | None) -> dict[str, int]:
    """Open tickets per queue; each of the queues asked for, even at zero."""
    return {name: counts[name] for name in sorted({*counts, *(queues or ())})}


def _in_order(counts: Counter[str], order: list[str]) -> dict[str, int]:
    """Counts in the configured order, then any priority no longer configured."""
    ordered = {name: counts[name] for name in order}
    ordered.update(sorted((k, v) for k, v in counts.items() if k not in ordered))
    return ordered
