"""The SLA clocks on real tickets: evaluation against a plain scan, and a real tick.

Clock evaluation reads each ticket's events from the store and folds them into
its clocks (timeline_of, the book's policy, read_clocks in Berlin office hours),
the work of `GET /tickets/{n}/sla`, the worker's command and a what-if replay;
the plain scan only decodes the same events (desk.events.get), alternating
round by round. The worker's tick runs on the same desk: the escalation view is
projected from the tickets, and each tick (its reads and one command per ticket)
is timed against its reads alone at the same moment.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bench.figures import Figure
from bench.sla_desk import SlaTickets
from domain.desk.sla import sla_book
from domain.sla_book import SlaBook
from domain.sla_clocks import read_clocks
from domain.sla_timeline import timeline_of
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewStore
from projections.escalations.query import expired_pending, rung_alarms
from projections.escalations.view import EscalationView
from projections.escalations.worker import TICK_LIMIT, EscalationWorker


class Evaluation:
    """Rounds of the plain scan and of the clock evaluation over the same tickets."""

    def __init__(self, tickets: SlaTickets) -> None:
        self.tickets = tickets
        self.book: SlaBook = sla_book(tickets.desk)
        self.ids = tickets.ids()
        self.scan: list[float] = []
        self.evaluate: list[float] = []
        self.clocks = 0
        #: Seconds of timeline_of and read_clocks alone, and the clocks they read.
        self.folding = 0.0
        self.folded = 0

    def run(self, rounds: int) -> None:
        """Alternate a round of each, so noise falls on both alike."""
        for _ in range(rounds):
            self._scan_round()
            self._evaluation_round()

    def _scan_round(self) -> None:
        events = self.tickets.desk.events
        for ticket in self.ids:
            began = time.perf_counter()
            list(events.get(ticket))
            self.scan.append(time.perf_counter() - began)

    def _evaluation_round(self) -> None:
        events, now, clocks = self.tickets.desk.events, self.tickets.now, 0
        for ticket in self.ids:
            began = time.perf_counter()
            found = list(events.get(ticket))
            folding = time.perf_counter()
            clocks += len(self._clocks(found, now))
            ended = time.perf_counter()
            self.evaluate.append(ended - began)
            self.folding += ended - folding
        self.clocks, self.folded = clocks, self.folded + clocks

    def _clocks(self, events: Sequence[Any], now: datetime) -> tuple[object, ...]:
        timeline = timeline_of(events)
        applied = self.book.applying(timeline)
        if applied is None:
            return ()
        return read_clocks(timeline, applied.terms, applied.hours, now)

    def figures(self) -> tuple[Figure, Figure]:
        """Clocks per second of the evaluation, and of the scan (its tickets' clocks
        per second of decoding them): per-ticket latencies, per-round rates."""
        per_round = len(self.ids)
        return (
            Figure.of(
                "clocks/s", self.evaluate, _rates(self.evaluate, per_round, self.clocks)
            ),
            Figure.of("clocks/s", self.scan, _rates(self.scan, per_round, self.clocks)),
        )


def _rates(latencies: list[float], per_round: int, clocks: int) -> list[float]:
    rounds = [latencies[i : i + per_round] for i in range(0, len(latencies), per_round)]
    return [clocks / sum(one) for one in rounds if sum(one) > 0]


class RealTicks:
    """The worker's ticks on the real desk, and their reads alone, at one moment."""

    def __init__(self, tickets: SlaTickets, store: ViewStore) -> None:
        self.runner = ViewRunner(
            tickets.desk, store, [EscalationView()], batch_size=5000
        )
        self.worker = EscalationWorker(tickets.desk, store)
        self.store, self.now = store, tickets.now
        self.ticks: list[float] = []
        self.reads: list[float] = []
        self.asked: list[int] = []

    def run(self, ticks: int, reads: int) -> None:
        """Each tick after the view caught up with the last one, and its reads timed
        `reads` times first."""
        for _ in range(ticks):
            self.runner.catch_up()
            for _ in range(reads):
                began = time.perf_counter()
                rung_alarms(self.store, self.now, TICK_LIMIT)
                expired_pending(self.store, self.now, TICK_LIMIT)
                self.reads.append(time.perf_counter() - began)
            began = time.perf_counter()
            done = self.worker.tick(self.now)
            self.ticks.append(time.perf_counter() - began)
            self.asked.append(done.asked)

    def figures(self) -> tuple[Figure, Figure]:
        """Tickets handled per second of ticking, and the reads alone."""
        handled = sum(self.asked) / sum(self.ticks) if sum(self.ticks) else 0.0
        reads = len(self.reads) / sum(self.reads) if sum(self.reads) else 0.0
        return (
            Figure.of("tickets/s", self.ticks, [handled]),
            Figure.of("reads/s", self.reads, [reads]),
        )
