"""The escalation worker: records SLA warnings and breaches, and expired pending.

Each tick asks the escalation view which alarms rang and which pending times
passed, by their indexes (the work is that of the clocks due, never a scan of
the tickets), and runs one command per ticket through the desk. The commands
decide from the ticket's own events, not from the view: a view that lags can
only make the worker ask again, and the ticket records each warning or breach
once per clock and due time (Ticket.mark_sla) and a pending expiry once. So two
workers, a retry, or a worker killed between a command and the view catching
up record nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.audit import Origin
from domain.commands import ExpirePending, RecordSlaMarks, TicketCommand
from domain.desk import HelpDesk
from domain.errors import DomainError
from projections.engine.following import LogFollower
from projections.engine.store import ViewStore
from projections.escalations.query import expired_pending, rung_alarms

log = logging.getLogger(__name__)

SLA_ACTOR = "system:sla"
PENDING_ACTOR = "system"
#: How many alarms and pending tickets one tick takes on at most.
TICK_LIMIT = 200


@dataclass(frozen=True)
class Tick:
    """What one tick did: commands run, and how many of them recorded events."""

    asked: int
    recorded: int


class EscalationWorker(LogFollower):
    """Ticks every `poll_seconds` until stopped: the escalation view must be kept
    caught up meanwhile (by the views' runner, or by `before_tick`)."""

    thread_name = "tickettape-sla"

    def __init__(
        self,
        desk: HelpDesk,
        store: ViewStore,
        poll_seconds: float = 1.0,
        clock: Callable[[], datetime] | None = None,
        before_tick: Callable[[], object] | None = None,
        limit: int = TICK_LIMIT,
    ) -> None:
        super().__init__(poll_seconds, None)
        self.desk, self.store, self.limit = desk, store, limit
        self.clock = clock or (lambda: datetime.now(UTC))
        self.before_tick = before_tick

    def catch_up(self) -> Tick:
        """One tick: what is due by now."""
        if self.before_tick is not None:
            self.before_tick()
        return self.tick(self.clock())

    def tick(self, now: datetime) -> Tick:
        """Record what the alarms and pending times due by `now` call for."""
        asked = recorded = 0
        marks = {a.number for a in rung_alarms(self.store, now, self.limit)}
        for number in sorted(marks):
            asked += 1
            recorded += self._run(RecordSlaMarks(number), SLA_ACTOR)
        expiring = {r.number for r in expired_pending(self.store, now, self.limit)}
        for number in sorted(expiring):
            asked += 1
            recorded += self._run(ExpirePending(number), PENDING_ACTOR)
        return Tick(asked, recorded)

    def _run(self, command: TicketCommand, actor: str) -> int:
        try:
            result = self.desk.handle(command, Origin(actor, "escalation-worker"))
        except DomainError as error:
            # A ticket merged or gone meanwhile: the view will drop it.
            log.info("escalation worker: %s: %s", command.number, error.message)
            return 0
        # A command that records nothing saves nothing, and has no log position.
        return int(result.position is not None)
