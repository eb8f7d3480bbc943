"""The chain keeper: extends the audit chain as events land, and signs checkpoints.

Without it the chain grows only when someone runs `replay chain`, and events
written since are protected by their seals alone. The keeper follows the log like
the view runner does (woken by the same watchers) and chains each batch in one
transaction, checking every event's seal first: an event without a valid seal, or
out of its aggregate's order, stops the chain there and is reported, never chained.
Other appenders may run at the same time (a `replay chain` in another process, a
second keeper): the ledger's append locks the chain and starts from the head it
finds, so the loser waits, then chains only what is still unchained.

With a signing key, the keeper also verifies the archive and signs a checkpoint of
the chain head at an interval, keeping it in the store and, if given a directory
off the database host, in a file there.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.desk import HelpDesk
from projections.engine.following import LogFollower
from projections.engine.notifications import LogWatcher
from replay.chain import BATCH, Linker
from replay.checkpointing import sign_verified
from replay.ledger import Ledger
from replay.ledger_stores import open_ledger
from replay.seals import Keyring, KeyringError
from replay.verdicts import Finding

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChainPosition:
    """How far the chain covers the log, how far behind it is, and what stops it."""

    position: int
    lag: int
    finding: Finding | None = None


@dataclass(frozen=True)
class CheckpointPlan:
    """What the keeper signs checkpoints with, how often, and where it copies them."""

    key: Ed25519PrivateKey
    interval: float
    directory: Path | None = None


class ChainKeeper(LogFollower):
    """Chains new events in batches: in a loop (a thread, a follower) or when asked."""

    thread_name = "tickettape-chain"

    def __init__(
        self,
        desk: HelpDesk,
        keyring: Callable[[], Keyring],
        batch_size: int = BATCH,
        poll_seconds: float = 0.2,
        watcher: LogWatcher | None = None,
        checkpoints: CheckpointPlan | None = None,
    ) -> None:
        super().__init__(poll_seconds, watcher)
        self.desk = desk
        self.keyring = keyring
        self.batch_size = batch_size
        self.checkpoints = checkpoints
        # What stops the chain; what the last verify before a checkpoint found.
        self.blocked: Finding | None = None
        self.tampered: Finding | None = None
        self._signed_at: float | None = None
        # Opened on first use, so that commands which never touch the chain
        # never create its tables; used by one thread at a time.
        self._ledger: Ledger | None = None
        self._using = threading.Lock()

    def catch_up(self) -> int:
        """Chain every event stored now, one transaction per batch; how many."""
        chained = self.chain()
        if self.checkpoints is not None and self._checkpoint_due():
            self.checkpoint()
        return chained

    def chain(self) -> int:
        """Chain every sealed event stored now; stops at the first one that is not."""
        chained = 0
        linker = Linker(self._keyring())
        # Stopping between batches keeps shutdown quick during a long catch-up.
        while not self._stopping.is_set() and self.position().lag:
            with self._using:
                added, stopped = self._opened().append(self.batch_size, linker)
            chained += added
            if stopped is not None and stopped != self.blocked:
                _log_finding("the audit chain stops", stopped)
            self.blocked = stopped
            if not added:
                break
        return chained

    def checkpoint(self) -> None:
        """Verify the archive, sign its head, keep the checkpoint; if it is sound."""
        plan = self.checkpoints
        if plan is None:
            return
        self._signed_at = time.monotonic()
        # A connection of its own: verifying a large archive takes a while, and
        # the chain's position must stay readable (by /metrics) meanwhile.
        with closing(open_ledger(self.desk)) as ledger:
            outcome = sign_verified(ledger, self._keyring(), plan.key)
        if isinstance(outcome, Finding):
            if outcome != self.tampered:
                _log_finding("no checkpoint signed over a damaged archive", outcome)
            self.tampered = outcome
            return
        self.tampered = None
        if outcome is None or plan.directory is None:
            return
        target = plan.directory / f"checkpoint-{outcome.position:012d}.json"
        try:
            with target.open("x", encoding="utf-8") as file:
                file.write(outcome.to_json())
        except FileExistsError:
            pass  # another keeper signed the same head first
        except OSError as error:
            log.error("cannot write the checkpoint to %s: %s", target, error)

    def position(self) -> ChainPosition:
        """The chain's last log position, how many log ids it is behind, and why."""
        with self._using:
            head = self._opened().head()
        # Read after the head, so the log's end is never behind it.
        top = self.desk.recorder.max_notification_id() or 0
        at = 0 if head is None else head.notification_id
        return ChainPosition(at, max(top - at, 0), self.blocked or self.tampered)

    def close(self) -> None:
        """Stop the loop and release the chain's connection."""
        self.stop()
        with self._using:
            if self._ledger is not None:
                self._ledger.close()
                self._ledger = None

    def _checkpoint_due(self) -> bool:
        plan = self.checkpoints
        if plan is None or plan.interval <= 0:
            return False
        return (
            self._signed_at is None
            or time.monotonic() - self._signed_at >= plan.interval
        )

    def _keyring(self) -> Keyring:
        try:
            return self.keyring()
        except KeyringError as error:
            raise RuntimeError(f"the chain cannot be kept: {error}") from None

    def _opened(self) -> Ledger:
        if self._ledger is None:
            self._ledger = open_ledger(self.desk)
        return self._ledger


def _log_finding(what: str, finding: Finding) -> None:
    log.error(
        "%s at position %s (%s, %s version %s): %s",
        what,
        finding.notification_id,
        finding.problem,
        finding.originator_id,
        finding.version,
        finding.detail,
    )
