"""The in-process runner: keeps the views caught up with the notification log."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from domain.desk import HelpDesk
from projections.engine.following import LogFollower
from projections.engine.layouts import ready_tables
from projections.engine.notifications import LogWatcher
from projections.engine.store import ViewStore
from projections.engine.tracking import create_tracking_table, position
from projections.engine.view import View, apply_batch
from storage.racing import despite_racing_creators

#: Seconds between looks at a view's position while a read waits for another process.
RECHECK_SECONDS = 0.05


@dataclass(frozen=True)
class ViewPosition:
    """How far a view has read the log, and how far behind the log's end it is."""

    name: str
    position: int
    lag: int


class ViewRunner(LogFollower):
    """Catches the views up in batches: in a loop (a thread, a worker) or when asked."""

    thread_name = "tickettape-views"

    def __init__(
        self,
        desk: HelpDesk,
        store: ViewStore,
        views: Sequence[View],
        batch_size: int = 500,
        poll_seconds: float = 0.2,
        watcher: LogWatcher | None = None,
    ) -> None:
        super().__init__(poll_seconds, watcher)
        self.desk, self.store, self.views = desk, store, list(views)
        self.batch_size = batch_size
        self._progress = threading.Condition()
        despite_racing_creators(self._ready)

    def _ready(self) -> None:
        """Create the views' tables (anew where their layout changed)."""
        with self.store.transaction(write=True) as cursor:
            create_tracking_table(cursor)
            for view in self.views:
                ready_tables(self.store, cursor, view)

    def view(self, name: str) -> View:
        """The view with this name."""
        for view in self.views:
            if view.name == name:
                return view
        raise KeyError(name)

    def catch_up(self, name: str | None = None) -> None:
        """Apply everything the log holds now (to one view, if named), one
        transaction per batch."""
        for view in self.views if name is None else [self.view(name)]:
            caught_up = False
            # Stopping between batches keeps shutdown quick during a long catch-up.
            while not caught_up and not self._stopping.is_set():
                _, caught_up = apply_batch(self.desk, self.store, view, self.batch_size)
                with self._progress:
                    self._progress.notify_all()

    def positions(self) -> list[ViewPosition]:
        """Each view's position and lag."""
        top = self.desk.recorder.max_notification_id() or 0
        with self.store.transaction() as cursor:
            found = [(v.name, position(cursor, v.name)) for v in self.views]
        return [ViewPosition(name, at, max(top - at, 0)) for name, at in found]

    def position(self, name: str) -> int:
        """The view's position."""
        with self.store.transaction() as cursor:
            return position(cursor, self.view(name).name)

    def wait_until(self, target: int, timeout: float, name: str) -> bool:
        """Wait (at most `timeout` seconds) until the view reached a log position."""
        deadline = time.monotonic() + timeout
        # Without a loop here, progress is made by another process: look often.
        step = self.poll_seconds if self.running else RECHECK_SECONDS
        while self.position(name) < target:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.wake()
            with self._progress:
                self._progress.wait(min(remaining, step))
        return True
