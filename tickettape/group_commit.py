"""Group commit: the events of concurrent commands stored in one transaction.

Each command's save hands its events to the PostgreSQL recorder; when several
threads save at once, the first becomes the leader and stores what every
waiting thread handed in, in one transaction (one table lock, one round of
statements, one commit), then hands the lead to the next waiting thread. A
thread alone stores its own events at once, as before. (On SQLite the same
measured nothing: its writes are short and the GIL, not the lock, bounds them.)

A conflict (one command lost a race: IntegrityError) would fail the whole
transaction, so the group is then stored command by command, and only the loser
is refused. Any other failure (the store is away, say) is every member's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from eventsourcing.persistence import IntegrityError, StoredEvent

#: The most commands one transaction stores.
GROUP_LIMIT = 64

Positions = Sequence[int] | None
Insert = Callable[[Sequence[StoredEvent]], Positions]


@dataclass
class _Handed:
    """One command's events, and what became of them."""

    events: Sequence[StoredEvent]
    ready: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    positions: Positions = None
    error: BaseException | None = None

    def outcome(self) -> Positions:
        if self.error is not None:
            raise self.error
        return self.positions


class GroupCommit:
    """Stores concurrent commands' events together through `insert`, which
    stores a list of events atomically and returns their log positions."""

    def __init__(self, insert: Insert, limit: int = GROUP_LIMIT) -> None:
        self._insert = insert
        self._limit = limit
        self._lock = threading.Lock()
        self._waiting: list[_Handed] = []
        self._busy = False

    def store(self, events: Sequence[StoredEvent]) -> Positions:
        """Store one command's events (with whatever else waits); their positions."""
        handed = _Handed(events)
        with self._lock:
            self._waiting.append(handed)
            if not self._busy:
                self._busy = handed.lead = True
        if not handed.lead:
            handed.ready.wait()
            if not handed.lead:
                return handed.outcome()
        self._lead()
        return handed.outcome()

    def _lead(self) -> None:
        """Store the waiting group (this thread's command first), then pass on."""
        with self._lock:
            group = self._waiting[: self._limit]
            del self._waiting[: self._limit]
        try:
            self._settle(group)
        finally:
            with self._lock:
                after = self._waiting[0] if self._waiting else None
                if after is None:
                    self._busy = False
                else:
                    after.lead = True
            for handed in group[1:]:
                handed.ready.set()
            if after is not None:
                after.ready.set()

    def _settle(self, group: list[_Handed]) -> None:
        if len(group) > 1:
            try:
                positions = self._insert([e for h in group for e in h.events])
            except IntegrityError:
                pass  # one lost a race: each alone, below
            except BaseException as error:
                for handed in group:
                    handed.error = error
                return
            else:
                _share(group, positions)
                return
        for handed in group:
            try:
                handed.positions = self._insert(handed.events)
            except BaseException as error:
                handed.error = error


def _share(group: list[_Handed], positions: Positions) -> None:
    """Each member's positions, in the order their events were stored."""
    start = 0
    for handed in group:
        count = len(handed.events)
        handed.positions = (
            None if positions is None else positions[start : start + count]
        )
        start += count
