"""The follow loop: catch up with the log whenever it grows, until told to stop."""

from __future__ import annotations

import logging
import threading

from projections.notifications import LogWatcher

log = logging.getLogger(__name__)


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
        try:
            while not self._stopping.is_set():
                try:
                    self.catch_up()
                except Exception:
                    # A store hiccup must not end the loop; the next round
                    # resumes from the stored position, so nothing is lost
                    # or doubled. The pause keeps wake-ups from spinning on it.
                    log.exception("%s: catching up failed; retrying", self.thread_name)
                    self._stopping.wait(self.poll_seconds)
                self._woken.wait(self.poll_seconds)
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
