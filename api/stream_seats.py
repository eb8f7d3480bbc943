"""How many activity streams each caller keeps open at once.

A stream asks the views for news every half second for up to five minutes, on
the thread pool every request shares; a caller opening hundreds of streams
would keep the views and that pool busy for everybody. Each caller (role and
subject) holds at most `per_caller` streams in this process; one more is
refused with 429 until one of them closes.
"""

from __future__ import annotations

import threading
from collections import Counter

from api.principal import Principal


class Seat:
    """One open stream's seat; released once, however often asked."""

    def __init__(self, seats: StreamSeats, caller: tuple[str, str]) -> None:
        self._seats, self._caller = seats, caller
        self._held = True

    def release(self) -> None:
        """Give the seat back (the stream ended, or never started)."""
        if self._held:
            self._held = False
            self._seats.give_back(self._caller)


class StreamSeats:
    """The streams open per caller, and how many each may hold."""

    def __init__(self, per_caller: int) -> None:
        self.per_caller = per_caller
        self._open: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def take(self, caller: Principal) -> Seat | None:
        """A seat for a new stream of this caller, or None when all are taken."""
        key = (caller.role.value, caller.subject)
        with self._lock:
            if self._open[key] >= self.per_caller:
                return None
            self._open[key] += 1
        return Seat(self, key)

    def give_back(self, caller: tuple[str, str]) -> None:
        """A stream of this caller ended."""
        with self._lock:
            self._open[caller] -= 1
            if self._open[caller] <= 0:
                del self._open[caller]

    def open_streams(self) -> int:
        """How many streams are open, everybody's."""
        with self._lock:
            return sum(self._open.values())
