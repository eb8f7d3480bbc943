"""The chain keeper: extends the audit chain as events land, so it is always current.

Without it the chain grows only when someone runs `replay chain`, `checkpoint`,
`verify` or `export`, and events written since are protected by nothing. The
keeper follows the log like the view runner does (woken by the same watchers) and
chains each batch in one transaction. Other appenders may run at the same time (a
`replay chain` in another process, a second keeper): the ledger's append locks the
chain and starts from the head it finds, so the loser waits, then chains only what
is still unchained.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from domain.desk import HelpDesk
from projections.following import LogFollower
from projections.notifications import LogWatcher
from replay.chain import BATCH, link_records
from replay.ledger import Ledger
from replay.ledger_stores import open_ledger


@dataclass(frozen=True)
class ChainPosition:
    """How far the chain covers the log, and how far behind the log's end it is."""

    position: int
    lag: int


class ChainKeeper(LogFollower):
    """Chains new events in batches: in a loop (a thread, a follower) or when asked."""

    thread_name = "tickettape-chain"

    def __init__(
        self,
        desk: HelpDesk,
        batch_size: int = BATCH,
        poll_seconds: float = 0.2,
        watcher: LogWatcher | None = None,
    ) -> None:
        super().__init__(poll_seconds, watcher)
        self.desk = desk
        self.batch_size = batch_size
        # Opened on first use, so that commands which never touch the chain
        # never create its tables; used by one thread at a time.
        self._ledger: Ledger | None = None
        self._using = threading.Lock()

    def catch_up(self) -> int:
        """Chain every event stored now, one transaction per batch; how many."""
        chained = 0
        # Stopping between batches keeps shutdown quick during a long catch-up.
        while not self._stopping.is_set() and self.position().lag:
            with self._using:
                added = self._opened().append(self.batch_size, link_records)
            if not added:
                break
            chained += added
        return chained

    def position(self) -> ChainPosition:
        """The chain's last log position, and how many log ids it is behind."""
        with self._using:
            head = self._opened().head()
        # Read after the head, so the log's end is never behind it.
        top = self.desk.recorder.max_notification_id() or 0
        at = 0 if head is None else head.notification_id
        return ChainPosition(at, max(top - at, 0))

    def close(self) -> None:
        """Stop the loop and release the chain's connection."""
        self.stop()
        with self._using:
            if self._ledger is not None:
                self._ledger.close()
                self._ledger = None

    def _opened(self) -> Ledger:
        if self._ledger is None:
            self._ledger = open_ledger(self.desk)
        return self._ledger
