"""Reading the status view: counts summed over the reader's queues, and the backlog."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.statuses import Category
from projections.engine.counters import UNFINISHED
from projections.engine.store import ViewStore
from projections.engine.tracking import position
from projections.engine.values import NOBODY
from projections.statuses.view import NAME

COUNTS, BACKLOG = "view_status_view_counts", "view_status_view_backlog"
CATEGORIES = [str(c.value) for c in Category]

#: A counter summed over the queues: status, category, owner, tickets.
Counted = tuple[str, str, str, int]


@dataclass(frozen=True)
class StatusCount:
    """How many tickets have one status."""

    status: str
    status_category: str
    tickets: int


@dataclass(frozen=True)
class OwnerCount:
    """One owner's tickets (owner None: nobody's) by status category."""

    owner: str | None
    by_status_category: dict[str, int]


@dataclass(frozen=True)
class BacklogDay:
    """How many tickets were unfinished at the end of a UTC day."""

    day: date
    tickets: int


@dataclass(frozen=True)
class StatusFigures:
    """The status view over some queues, and where the view stands."""

    by_status: list[StatusCount]
    by_owner: list[OwnerCount]
    backlog: list[BacklogDay]
    position: int

    @property
    def by_status_category(self) -> dict[str, int]:
        """Tickets per category, every category present."""
        totals = dict.fromkeys(CATEGORIES, 0)
        for count in self.by_status:
            totals[count.status_category] += count.tickets
        return totals


def status_figures(
    store: ViewStore, queues: Sequence[str] | None, first: date, last: date
) -> StatusFigures:
    """The counts over these queues (None: all) and the backlog from first to last."""
    if queues is not None and not queues:
        # Nobody's queues: nothing to count, but the days still exist.
        queues = ("",)
    where, params = "1 = 1", list(queues or ())
    if queues is not None:
        where = f"queue IN ({', '.join('?' for _ in queues)})"
    with store.transaction() as rows:
        rows.execute(
            f"SELECT status, status_category, owner, SUM(tickets) FROM {COUNTS} "
            f"WHERE {where} GROUP BY status, status_category, owner "
            "HAVING SUM(tickets) <> 0",
            params,
        )
        counted = [(s, c, o, int(n)) for s, c, o, n in rows.fetchall()]
        rows.execute(
            f"SELECT day, SUM(change) FROM {BACKLOG} WHERE {where} AND day >= ? "
            "GROUP BY day",
            [*params, first.isoformat()],
        )
        changes = {day: int(change) for day, change in rows.fetchall()}
        at = position(rows, NAME)
    # All the changes ever made add up to the tickets unfinished now, so the
    # backlog before `first` needs only the changes since then, not all history.
    unfinished = sum(n for _, category, _, n in counted if category in UNFINISHED)
    start = unfinished - sum(changes.values())
    return StatusFigures(
        _by_status(counted), _by_owner(counted), _days(start, changes, first, last), at
    )


def _by_status(counted: list[Counted]) -> list[StatusCount]:
    totals: dict[tuple[str, str], int] = {}
    for status, category, _, n in counted:
        totals[status, category] = totals.get((status, category), 0) + n
    rank = {category: i for i, category in enumerate(CATEGORIES)}
    return sorted(
        (StatusCount(status, category, n) for (status, category), n in totals.items()),
        key=lambda c: (rank.get(c.status_category, len(rank)), c.status),
    )


def _by_owner(counted: list[Counted]) -> list[OwnerCount]:
    owners: dict[str, OwnerCount] = {}
    for _, category, owner, n in sorted(counted, key=lambda row: row[2]):
        count = owners.setdefault(
            owner,
            OwnerCount(
                None if owner == NOBODY else owner, dict.fromkeys(CATEGORIES, 0)
            ),
        )
        count.by_status_category[category] += n
    return list(owners.values())


def _days(
    start: int, changes: dict[str, int], first: date, last: date
) -> list[BacklogDay]:
    """Every day from first to last with the running backlog at its end."""
    days, backlog = [], start
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        backlog += changes.get(day.isoformat(), 0)
        days.append(BacklogDay(day, backlog))
    return days
