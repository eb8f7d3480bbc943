"""Scenario 2, load: zoom into a ticket of many events vs one of few.

Both tickets are opened by the customer and then get internal notes (one event
each, saved in batches) until they reach their length. Snapshots on is the
HelpDesk as shipped (every 50 events, and a record cache that answers a zoom of
an unchanged ticket after one version check); "cache off" is the first zoom after
a change made by another process (snapshot plus the events after it); snapshots
off is a desk without them on a fresh store that holds byte-for-byte copies of
the same two streams and no snapshot.
"""

from __future__ import annotations

import time
from copy import deepcopy

from bench.counts import Counts
from bench.figures import Comparison, Figure, Target
from bench.helpdesk import (
    AGENT_ORIGIN,
    CUSTOMER_ORIGIN,
    UnsnapshottedDesk,
    article,
    draft,
    internal_note,
    open_desk,
)
from bench.stores import BenchStores
from domain.articles import Sender
from domain.desk import HelpDesk
from domain.ids import ticket_id

ZOOM = Target(
    "zoom", "Zoom of a 1,000-event ticket <= 2x the 10-event one", max_ratio=2
)
WARM_UP = 3
SEED_BATCH = 49


def run(stores: BenchStores, counts: Counts) -> list[Comparison]:
    """Zoom latencies as shipped, without the record cache, without snapshots."""
    settings = stores.new("load")
    cold = settings.model_copy(update={"record_cache_size": 0})
    desk = open_desk(settings)
    try:
        short = _ticket_of(desk, counts.short_events)
        long = _ticket_of(desk, counts.long_events)
        cached = _compare(desk, short, long, counts)
        uncached_desk = open_desk(cold)
        try:
            uncached = _compare(uncached_desk, short, long, counts)
        finally:
            uncached_desk.close()
        copy = open_desk(
            stores.new("load_nosnap").model_copy(update={"record_cache_size": 0}),
            UnsnapshottedDesk,
        )
        try:
            for number in (short, long):
                events = desk.recorder.select_events(ticket_id(number))
                # In chunks: one 1,000-row insert once hung in psycopg's pipeline.
                for start in range(0, len(events), SEED_BATCH):
                    copy.recorder.insert_events(events[start : start + SEED_BATCH])
            without = _compare(copy, short, long, counts)
        finally:
            copy.close()
    finally:
        desk.close()
    name = f"zoom, {counts.long_events:,} vs {counts.short_events} events"
    return [
        _comparison(stores.kind, f"{name}, as shipped (record cache)", cached, ZOOM),
        _comparison(
            stores.kind, f"{name}, snapshots every 50, cache off", uncached, ZOOM
        ),
        _comparison(stores.kind, f"{name}, no snapshots, cache off", without, None),
    ]


def _ticket_of(desk: HelpDesk, events: int) -> str:
    """A ticket with exactly this many events, the notes saved in batches.

    One command per note would load an ever larger snapshot each time; the
    batches record the same events through the ticket's own method, and the
    desk's save takes the snapshots every 50 versions just the same.
    """
    opened = desk.open_ticket(draft(), article(Sender.CUSTOMER), CUSTOMER_ORIGIN)
    # A private copy to change: the desk's own is shared with its readers.
    ticket = deepcopy(desk.ticket(opened.number))
    statuses, queue = desk.statuses(), desk.queue(ticket.queue)
    while ticket.version < events:
        for _ in range(min(SEED_BATCH, events - ticket.version)):
            ticket.add_article(
                internal_note(), statuses, queue, desk.clock(), AGENT_ORIGIN
            )
        desk.save(ticket)
    if desk.ticket(opened.number).version != events:
        raise RuntimeError(f"ticket {opened.number} does not have {events} events")
    return opened.number


Latencies = tuple[list[float], list[float]]


def _compare(desk: HelpDesk, short: str, long: str, counts: Counts) -> Latencies:
    """Alternate the two zooms so that noise falls on both alike."""
    timings: Latencies = ([], [])
    for i in range(WARM_UP + counts.zooms):
        for number, sink in ((short, timings[0]), (long, timings[1])):
            began = time.perf_counter()
            desk.ticket(number)
            if i >= WARM_UP:
                sink.append(time.perf_counter() - began)
    return timings


def _comparison(
    store: str, name: str, timings: Latencies, target: Target | None
) -> Comparison:
    short, long = timings
    return Comparison(
        scenario="load",
        store=store,
        name=name,
        ours=Figure.of("zooms/s", long, [len(long) / sum(long)]),
        baseline=Figure.of("zooms/s", short, [len(short) / sum(short)]),
        baseline_name="zoom of the short ticket, same desk",
        measure="p50",
        target=target,
        notes={
            "zooms": len(long),
            "ratio_is": "p50 long / p50 short (lower is better)",
        },
    )
