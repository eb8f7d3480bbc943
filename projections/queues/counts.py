"""Reading the queue view: each queue's counters, and its tickets in working order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.statuses import Category
from projections.engine.counters import UNFINISHED
from projections.engine.scope import Scope
from projections.engine.store import Row, ViewStore
from projections.engine.tracking import position
from projections.queues.view import NAME
from projections.tickets.listing import TicketFilter, TicketPage, find_tickets

COUNTS = "view_queue_view_counts"


@dataclass(frozen=True)
class QueueCounts:
    """One queue's tickets by status category, and its unfinished ones by priority."""

    queue: str
    by_status_category: dict[str, int]
    by_priority: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Every ticket in the queue, finished or not."""
        return sum(self.by_status_category.values())


@dataclass(frozen=True)
class QueueFigures:
    """The counts of some queues, and where the view stands."""

    queues: dict[str, QueueCounts]
    position: int


def count_queues(
    store: ViewStore, queues: Sequence[str], priorities: Sequence[str] = ()
) -> QueueFigures:
    """The counters of these queues, zeros included.

    Every category appears, and every priority named in `priorities` (in that
    order, then any others an unfinished ticket still has).
    """
    figures = {name: _empty(name, priorities) for name in queues}
    with store.transaction() as rows:
        found: list[Row] = []
        if queues:
            rows.execute(
                f"SELECT queue, status_category, priority, tickets FROM {COUNTS} "
                f"WHERE tickets <> 0 AND queue IN ({', '.join('?' for _ in queues)})",
                list(queues),
            )
            found = rows.fetchall()
        at = position(rows, NAME)
    for queue, category, priority, tickets in found:
        counts = figures[queue]
        counts.by_status_category[category] += int(tickets)
        if category in UNFINISHED:
            counts.by_priority[priority] = counts.by_priority.get(priority, 0) + int(
                tickets
            )
    return QueueFigures(figures, at)


def work_list(
    store: ViewStore,
    scope: Scope,
    queue: str,
    limit: int = 50,
    cursor: str | None = None,
) -> TicketPage:
    """The queue's unfinished tickets: highest priority first, then oldest first."""
    wanted = TicketFilter(queues=(queue,), preset="new_and_open")
    return find_tickets(store, scope, wanted, "priority", True, limit, cursor)


def _empty(queue: str, priorities: Sequence[str]) -> QueueCounts:
    return QueueCounts(
        queue, {str(c.value): 0 for c in Category}, dict.fromkeys(priorities, 0)
    )
