"""Scenario 1, append: tickets with 5 articles through the HelpDesk vs raw inserts.

A ticket is opened by the customer with an article, then the agent and the
customer take turns adding 4 more (each reply also changes the status: 2 events).
The baseline replays exactly the transactions our run wrote: see raw_events.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from bench.counts import Counts
from bench.figures import Comparison, Figure, Target
from bench.helpdesk import (
    CUSTOMER_ORIGIN,
    article,
    conversation_turn,
    draft,
    memory_desk,
    open_desk,
)
from bench.raw_events import RawWriter, Row, Transaction, raw_writer
from bench.stores import BenchStores
from domain.articles import Sender
from domain.desk import HelpDesk
from domain.ids import ticket_id
from tickettape.settings import Settings

FOLLOW_UPS = 4
ONE_WRITER = Target("append", "Append >= 0.8 of raw", min_ratio=0.8)
EIGHT_WRITERS = Target(
    "append_concurrent", "8 concurrent writers >= 0.6 of raw", min_ratio=0.6
)

#: What the row of the desk on no database shows.
CEILING = (
    "the desk on the library's in-memory store: its own Python (decisions, event "
    "objects, record copies) with no database; the ratio is the most any database "
    "could let the desk reach of the raw rate"
)


@dataclass
class Batch:
    """What one writer did: latencies and its tickets' versions after each command."""

    latencies: list[float] = field(default_factory=list)
    tickets: list[tuple[str, list[int]]] = field(default_factory=list)


def run(stores: BenchStores, counts: Counts) -> list[Comparison]:
    """One writer, then N concurrent writers, each against its raw twin."""
    settings = stores.new("append", pool_size=counts.writers)
    desk = open_desk(settings)
    try:
        _ours(desk, 1)
        single = _compare(desk, settings, counts, 1, counts.tickets)
        many = _compare(
            desk, settings, counts, counts.writers, counts.tickets_per_writer
        )
    finally:
        desk.close()
    # The same desk with no database, against the same raw writer: the most its
    # own Python leaves of the raw rate, whatever a database cost.
    memory = memory_desk()
    try:
        _ours(memory, 1)
        bare = _compare(memory, settings, counts, 1, counts.tickets)
    finally:
        memory.close()
    return [
        _comparison(stores.kind, "1 writer", single, counts, ONE_WRITER),
        _comparison(
            stores.kind, f"{counts.writers} writers", many, counts, EIGHT_WRITERS
        ),
        _comparison(stores.kind, "1 writer, the desk on no database", bare, counts),
    ]


Rounds = tuple[list[Batch], list[float], list[Batch], list[float]]


def _compare(
    desk: HelpDesk, settings: Settings, counts: Counts, writers: int, each: int
) -> Rounds:
    ours: list[Batch] = []
    raw: list[Batch] = []
    our_rates: list[float] = []
    raw_rates: list[float] = []
    writers_raw = [raw_writer(settings) for _ in range(writers)]
    try:
        for _ in range(counts.rounds):
            batches, seconds = _timed([partial(_ours, desk, each)] * writers)
            ours += batches
            our_rates.append(writers * each / seconds)
            plans = [[_transactions(desk, *t) for t in b.tickets] for b in batches]
            batches, seconds = _timed(
                [partial(_raw, w, p) for w, p in zip(writers_raw, plans, strict=True)]
            )
            raw += batches
            raw_rates.append(writers * each / seconds)
    finally:
        for writer in writers_raw:
            writer.close()
    return ours, our_rates, raw, raw_rates


def _timed(work: list[Callable[[], Batch]]) -> tuple[list[Batch], float]:
    """Run each piece of work on a thread, all started together; batches, seconds."""
    writers = len(work)
    results: list[Batch] = [Batch() for _ in range(writers)]
    failures: list[BaseException] = []
    start = threading.Barrier(writers + 1)

    def writer(i: int) -> None:
        start.wait()
        try:
            results[i] = work[i]()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    if failures:
        raise failures[0]
    return results, seconds


def _ours(desk: HelpDesk, tickets: int) -> Batch:
    batch = Batch()
    for _ticket in range(tickets):
        began = time.perf_counter()
        result = desk.open_ticket(draft(), article(Sender.CUSTOMER), CUSTOMER_ORIGIN)
        batch.latencies.append(time.perf_counter() - began)
        versions = [result.version]
        for turn in range(FOLLOW_UPS):
            reply, origin = conversation_turn(turn)
            began = time.perf_counter()
            result = desk.add_article(result.number, reply, origin)
            batch.latencies.append(time.perf_counter() - began)
            versions.append(result.version)
        batch.tickets.append((result.number, versions))
    return batch


def _transactions(
    desk: HelpDesk, number: str, versions: list[int]
) -> list[Transaction]:
    """The ticket's stored events, grouped by the command that wrote them."""
    stored = desk.recorder.select_events(ticket_id(number))
    rows = [Row(s.originator_version, s.topic, bytes(s.state)) for s in stored]
    groups: list[Transaction] = []
    done = 0
    for version in versions:
        groups.append([row for row in rows if done < row.version <= version])
        done = version
    return groups


def _raw(writer: RawWriter, tickets: list[list[Transaction]]) -> Batch:
    batch = Batch()
    for transactions in tickets:
        originator = uuid.uuid4()
        for rows in transactions:
            began = time.perf_counter()
            writer.write(originator, rows)
            batch.latencies.append(time.perf_counter() - began)
    return batch


def _comparison(
    store: str,
    name: str,
    rounds: Rounds,
    counts: Counts,
    target: Target | None = None,
) -> Comparison:
    ours, our_rates, raw, raw_rates = rounds
    tickets = [versions for batch in ours for _, versions in batch.tickets]
    rows = sum(versions[-1] for versions in tickets) / len(tickets)
    return Comparison(
        scenario="append",
        store=store,
        name=f"append, {name}: tickets with 5 articles",
        ours=Figure.of("tickets/s", [x for b in ours for x in b.latencies], our_rates),
        baseline=Figure.of(
            "tickets/s", [x for b in raw for x in b.latencies], raw_rates
        ),
        baseline_name="raw inserts of the same rows, same transactions",
        measure="rate",
        target=target,
        notes={
            "rounds": counts.rounds,
            "rows_per_ticket": rows,
            "transactions_per_ticket": 1 + FOLLOW_UPS,
            "latency_is": "per command (ours) / per transaction (raw)",
            **({} if target else {"ours_is": CEILING}),
        },
    )
