"""The follow loop: catch up with the log whenever it grows, until told to stop."""

from __future__ import annotations

import logging
import threading
import time

from projections.engine.notifications import LogWatcher

log = logging.getLogger(__name__)

#: Seconds between attempts while catching up fails: the first, and the longest
#: they double to. Short enough that a follower resumes within seconds of the
#: store coming back, even without a wake-up.
FIRST_PAUSE, LONGEST_PAUSE = 0.25, 4.0
#: Seconds between the reminders that catching up still fails.
REMIND_EVERY = 60.0


class LogFollower:
    """Runs `catch_up` in a loop (on a thread of its own, or the caller's) until stop().

    The loop catches up when the watcher says the log grew, and every
    `poll_seconds` in case a wake-up was missed. Subclasses say what catching up is.
    """

    #: The background thread's name, and what the log calls the follower.
    thread_name = "tickettape-follower"

    def __init__(self, poll_seconds: float, watcher: LogWatcher | None) -> None:
        self.poll_seconds = poll_seconds
        self.watcher = watcher
        self._woken = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def catch_up(self) -> object:
        """Take in everything the log holds now."""
        raise NotImplementedError

    def run(self) -> None:
        """Keep catching up on this thread until stop()."""
        if self.watcher is not None:
            self.watcher.start(self.wake)
        failing = _Failures(self.thread_name)
        try:
            while not self._stopping.is_set():
                pause = self.poll_seconds
                try:
                    self.catch_up()
                except Exception:
                    # A store hiccup or outage must not end the loop; the next
                    # round resumes from the stored position, so nothing is lost
                    # or doubled. A wake-up (the watcher reconnected, a write
                    # landed) cuts the growing pause short.
                    pause = failing.record()
                else:
                    failing.over()
                self._woken.wait(pause)
                self._woken.clear()
        finally:
            if self.watcher is not None:
                self.watcher.stop()

    def start(self) -> None:
        """Run the loop on a background thread until stop()."""
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(
                target=self.run, name=self.thread_name, daemon=True
            )
            self._thread.start()

    @property
    def running(self) -> bool:
        """True while the loop runs on a background thread of this process."""
        return self._thread is not None

    def wake(self) -> None:
        """Catch up now rather than at the next poll."""
        self._woken.set()

    def stop(self) -> None:
        """Finish the current batch and end the loop (joining its thread, if any)."""
        self._stopping.set()
        self._woken.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None


class _Failures:
    """A follower's run of failed catch-ups: logged once, reminded, backed off."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0
        self.since = self.reminded = 0.0

    def record(self) -> float:
        """Log this failure as the run stands (call in an except); the next pause."""
        now = time.monotonic()
        if not self.count:
            log.exception("%s: catching up failed; retrying", self.name)
            self.since = self.reminded = now
        elif now - self.reminded >= REMIND_EVERY:
            log.warning(
                "%s: catching up still fails after %.0f s (%d attempts)",
                self.name,
                now - self.since,
                self.count + 1,
                exc_info=True,
            )
            self.reminded = now
        self.count += 1
        return min(FIRST_PAUSE * 2.0 ** min(self.count - 1, 8), LONGEST_PAUSE)

    def over(self) -> None:
        """Catching up succeeded: say so if it had been failing, and reset."""
        if self.count:
            log.warning(
                "%s: caught up again after %.1f s and %d failed attempts",
                self.name,
                time.monotonic() - self.since,
                self.count,
            )
        self.count = 0
