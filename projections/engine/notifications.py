"""Wake-ups when the notification log grows: LISTEN on PostgreSQL, a cheap poll else."""

from __future__ import annotations

import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Protocol

import psycopg
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import sql
from psycopg.conninfo import make_conninfo

log = logging.getLogger(__name__)

Wake = Callable[[], None]

#: How a listener's connection shows in pg_stat_activity (with the process id).
LISTENER_NAME = "tickettape-views-listener"
#: Seconds between looks at the log's end where there is no LISTEN.
POLL_INTERVAL = 0.05
#: Seconds before the first and the last of the reconnect attempts; doubling between.
FIRST_RETRY, LAST_RETRY = 0.1, 5.0


class LogWatcher(Protocol):
    """Calls `wake` soon after anything is appended to the log, until stopped."""

    def start(self, wake: Wake) -> None:
        """Watch on a background thread."""

    def stop(self) -> None:
        """End the thread and close its connection."""


class _WatcherThread(ABC):
    """A daemon thread that runs `_watch` until stop()."""

    def __init__(self) -> None:
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, wake: Wake) -> None:
        """Watch on a background thread."""
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(
                target=self._watch, args=(wake,), name=type(self).__name__, daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """End the thread and close its connection."""
        if self._thread is not None:
            self._stopping.set()
            self._thread.join()
            self._thread = None

    @abstractmethod
    def _watch(self, wake: Wake) -> None:
        """Call `wake` whenever the log may have grown, until stopping."""


class PollingWatcher(_WatcherThread):
    """Looks at the log's last id every few milliseconds (SQLite has no NOTIFY)."""

    def __init__(self, recorder: ApplicationRecorder, interval: float = POLL_INTERVAL):
        super().__init__()
        self._recorder, self._interval = recorder, interval

    def _watch(self, wake: Wake) -> None:
        seen, failing = -1, False
        while not self._stopping.wait(self._interval):
            try:
                top = self._recorder.max_notification_id() or 0
            except Exception as error:
                # Said once per outage, not 20 times a second; the runner's
                # own poll still covers the views meanwhile.
                if not failing:
                    log.warning("cannot read the log's end (%s); retrying", error)
                failing = True
                continue
            failing = False
            if top > seen:
                seen = top
                wake()


class ListeningWatcher(_WatcherThread):
    """LISTENs on its own connection; reconnects with backoff when it is dropped."""

    def __init__(self, conninfo: str, channel: str) -> None:
        super().__init__()
        # The pid tells an operator (and a test) whose listener a backend is.
        name = f"{LISTENER_NAME} {os.getpid()}"
        self._conninfo = make_conninfo(conninfo, application_name=name)
        self._channel = channel

    def _watch(self, wake: Wake) -> None:
        listen = sql.SQL("LISTEN {}").format(sql.Identifier(self._channel))
        retry, failures = FIRST_RETRY, 0
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(listen)
                    if failures:
                        log.warning("listening again after %d attempts", failures)
                    retry, failures = FIRST_RETRY, 0
                    # Whatever was written while no one listened is caught up now.
                    wake()
                    while not self._stopping.is_set():
                        # A short timeout, so that stop() is seen in a quiet time.
                        for _ in conn.notifies(timeout=0.2, stop_after=1):
                            wake()
            except psycopg.Error as error:
                # Said once per outage; the attempts go on every few seconds.
                if not failures:
                    log.warning("LISTEN failed (%s); trying again", error)
                failures += 1
                self._stopping.wait(retry)
                retry = min(retry * 2, LAST_RETRY)


def watcher_for(recorder: ApplicationRecorder, conninfo: str | None) -> LogWatcher:
    """LISTEN where the log is in PostgreSQL (given a conninfo), else polling.

    The channel is per database, not per schema: a desk in another schema of the
    same database only causes a catch-up that finds nothing.
    """
    if conninfo and isinstance(recorder, PostgresApplicationRecorder):
        return ListeningWatcher(conninfo, recorder.channel_name)
    return PollingWatcher(recorder)
