"""Scenario 4, rebuild: a view replayed from position 0 vs a raw scan and upsert.

Ours is `projections.engine.rebuild.rebuild`, what `tickettape projections rebuild NAME`
runs: it reads the view's topics in batches, decodes each event, applies it and
records the position in one transaction per batch, then swaps the copy in. The
baseline in the same run reads the same topics with a raw keyset scan and
upserts one ticket row per event (bench/raw_scan.py), one transaction per batch
of the same size. A third run reads and decodes the same events through the
library and applies none: against the same raw runs, its ratio is the most any
rebuild that decodes every event could reach. The rates count the log positions
covered per second; the runs alternate which goes first, so that noise falls on
all of them.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Callable
from functools import partial

from bench.counts import Counts
from bench.figures import Comparison, Figure, Target
from bench.helpdesk import open_desk
from bench.raw_scan import EventScan, TicketRows
from bench.seeding import SEED_EVENTS, seed
from bench.stores import BenchStores
from bench.view_reads import view_store as open_views
from domain.desk import HelpDesk
from projections.catalogue import all_views
from projections.engine.rebuild import rebuild
from projections.engine.store import ViewStore
from projections.engine.view import View

REBUILD = Target("rebuild", "Rebuild >= 0.7 of the raw scan + upsert", min_ratio=0.7)
# Rebuilds of each view (and raw twins) by mode; rates are their median.
REPEATS = {"full": 5, "quick": 3, "tiny": 1}
# The views rebuilt by mode; None is every view in the catalogue. Quick keeps to
# the widest view and the full-text one: all seven take ~40 s on PostgreSQL.
VIEWS: dict[str, tuple[str, ...] | None] = {
    "full": None,
    "quick": ("ticket_summary", "search_index"),
    "tiny": ("ticket_summary", "search_index"),
}

Timings = tuple[list[float], list[float]]
"""Seconds of each batch, and of each whole run."""


def run(stores: BenchStores, counts: Counts) -> list[Comparison]:
    """Each chosen view rebuilt, alternately with its raw twin, on a seeded store."""
    settings = stores.new("rebuild")
    with contextlib.ExitStack() as stack:
        desk = open_desk(settings)
        stack.callback(desk.close)
        view_store = open_views(settings, settings.postgres_pool_size)
        stack.callback(view_store.close)
        scan = EventScan(settings, desk.recorder)
        stack.callback(scan.close)
        rows = TicketRows(settings)
        stack.callback(rows.close)
        events = seed(desk, SEED_EVENTS[counts.mode])
        chosen = VIEWS[counts.mode]
        views = [v for v in all_views() if chosen is None or v.name in chosen]
        batch = settings.views_batch_size
        comparisons = []
        for view in views:
            ours: Timings = ([], [])
            raw: Timings = ([], [])
            decoded: Timings = ([], [])
            for repeat in range(REPEATS[counts.mode]):
                runs = [
                    (partial(_ours, desk, view_store, view, batch), ours),
                    (partial(_raw, scan, rows, view, events, batch), raw),
                    (partial(_decoded, desk, view, events, batch), decoded),
                ]
                for measure, sink in runs if repeat % 2 == 0 else runs[::-1]:
                    _timed(measure, sink)
            comparisons.append(_comparison(stores.kind, view, events, ours, raw))
            comparisons.append(_decoding(stores.kind, view, events, decoded, raw))
        return comparisons


def _decoded(desk: HelpDesk, view: View, events: int, batch: int) -> list[float]:
    """The view's events in batches, each decoded; the seconds of each batch."""
    seconds = []
    after = 0
    while True:
        began = time.perf_counter()
        page = desk.recorder.select_notifications(
            after, batch, stop=events, topics=view.topics, inclusive_of_start=False
        )
        for notification in page:
            desk.mapper.to_domain_event(notification)
        seconds.append(time.perf_counter() - began)
        if len(page) < batch:
            return seconds
        after = page[-1].id


def _timed(measure: Callable[[], list[float]], sink: Timings) -> None:
    began = time.perf_counter()
    batches = measure()
    sink[1].append(time.perf_counter() - began)
    sink[0].extend(batches)


def _ours(desk: HelpDesk, store: ViewStore, view: View, batch: int) -> list[float]:
    """Rebuild the view; the seconds between its progress reports (one per batch)."""
    marks = [time.perf_counter()]
    rebuild(desk, store, view, batch, lambda at, top: marks.append(time.perf_counter()))
    return [later - earlier for earlier, later in itertools.pairwise(marks)]


def _raw(
    scan: EventScan, rows: TicketRows, view: View, events: int, batch: int
) -> list[float]:
    """Scan the view's topics and upsert a row per event, batch by batch."""
    rows.empty()
    seconds = []
    after = 0
    while True:
        began = time.perf_counter()
        page = scan.page(after, events, batch, view.topics)
        rows.upsert(page)
        seconds.append(time.perf_counter() - began)
        if len(page) < batch:
            return seconds
        after = page[-1][0]


def _comparison(
    store: str, view: View, events: int, ours: Timings, raw: Timings
) -> Comparison:
    return _against_raw(
        store,
        f"rebuild {view.name}, {events:,} events",
        events,
        ours,
        raw,
        REBUILD,
        {
            "topics": len(view.topics),
            "latency_is": "per batch of views_batch_size events read",
            "rate_is": "log positions covered per second of the whole run "
            "(ours includes creating the indexes and the swap)",
        },
    )


def _decoding(
    store: str, view: View, events: int, decoded: Timings, raw: Timings
) -> Comparison:
    """The reading and decoding alone, against the raw rebuild of the same run."""
    return _against_raw(
        store,
        f"rebuild {view.name}: reading and decoding alone, nothing applied",
        events,
        decoded,
        raw,
        None,
        {
            "ours_is": "the library reading the view's events and decoding each, "
            "as a rebuild does, with nothing applied or written; the ratio is the "
            "most a rebuild that decodes every event could reach of the raw rate",
        },
    )


def _against_raw(
    store: str,
    name: str,
    events: int,
    ours: Timings,
    raw: Timings,
    target: Target | None,
    notes: dict[str, object],
) -> Comparison:
    return Comparison(
        scenario="rebuild",
        store=store,
        name=name,
        ours=_figure(events, ours),
        baseline=_figure(events, raw),
        baseline_name="raw keyset scan of the same topics + batched upsert",
        measure="rate",
        target=target,
        notes={"runs": len(ours[1]), **notes},
    )


def _figure(events: int, timings: Timings) -> Figure:
    batches, runs = timings
    return Figure.of("events/s", batches, [events / seconds for seconds in runs])
