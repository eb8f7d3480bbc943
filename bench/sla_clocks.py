"""The SLA clocks on real tickets: evaluation against a plain scan, and a real tick.

Clock evaluation reads each ticket's events from the store and folds them into
its clocks (timeline_of, the book's policy, read_clocks in Berlin office hours),
the work of `GET /tickets/{n}/sla`, the worker's command and a what-if replay;
the plain scan only decodes the same events (desk.events.get), alternating
round by round. The worker's tick runs on the same desk: the escalation view is
projected from the tickets, and each tick (its reads and one command per ticket)
is timed against its reads alone at the same moment; then more tickets, all
finished (no clock to ring), are added to the log, and the ticks go on: the
time per ticket asked should not change with the length of the log.
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


#: A limit no desk of the bench reaches.
EVERY = 1_000_000_000


class RealTicks:
    """The worker's ticks on the real desk, and their reads alone, at one moment.

    Each tick takes on the same share of what is due when the first one runs, so
    that every tick, in both phases, has tickets to ask: with the worker's own
    limit the first tick may take on all of them (how many are due depends on
    the hour of the week, in Berlin office hours)."""

    def __init__(self, tickets: SlaTickets, store: ViewStore, ticks: int) -> None:
        self.runner = ViewRunner(
            tickets.desk, store, [EscalationView()], batch_size=5000
        )
        self.runner.catch_up()
        due = len(rung_alarms(store, tickets.now, EVERY)) + len(
            expired_pending(store, tickets.now, EVERY)
        )
        self.limit = min(TICK_LIMIT, max(1, due // (ticks + 1)))
        self.worker = EscalationWorker(tickets.desk, store, limit=self.limit)
        self.store, self.now = store, tickets.now
        self.ticks: list[float] = []
        #: Per tick: the timings of its reads alone, taken before it ran.
        self.reads: list[list[float]] = []
        self.asked: list[int] = []

    def run(self, ticks: int, reads: int) -> None:
        """Each tick after the view caught up with the last one, and its reads timed
        `reads` times first."""
        for _ in range(ticks):
            self.runner.catch_up()
            timings = []
            for _ in range(reads):
                began = time.perf_counter()
                rung_alarms(self.store, self.now, self.limit)
                expired_pending(self.store, self.now, self.limit)
                timings.append(time.perf_counter() - began)
            self.reads.append(timings)
            began = time.perf_counter()
            done = self.worker.tick(self.now)
            self.ticks.append(time.perf_counter() - began)
            self.asked.append(done.asked)

    def per_ticket(self, ticks: slice) -> Figure:
        """These ticks' seconds per ticket asked (its command and its share of the
        reads), and tickets handled per second."""
        seconds, asked = self.ticks[ticks], self.asked[ticks]
        each = [s / a for s, a in zip(seconds, asked, strict=True) if a]
        return Figure.of("tickets/s", each, [sum(asked) / sum(seconds)])

    def figures(self, ticks: slice) -> tuple[Figure, Figure]:
        """These ticks: tickets handled per second of ticking, and their reads alone."""
        seconds, asked = self.ticks[ticks], self.asked[ticks]
        reads = [timing for tick in self.reads[ticks] for timing in tick]
        return (
            Figure.of("tickets/s", seconds, [sum(asked) / sum(seconds)]),
            Figure.of("reads/s", reads, [len(reads) / sum(reads)]),
        )
