"""The six scenarios of issue 6: those that exist, and the hooks for the rest.

A scenario is a function from fresh stores of one kind and the counts to its
comparisons. Rebuild, views at scale and verify/export wait for the read side
(issue 3) and the replay tools (issue 4): give them a `run` when those land.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench import append, http, load
from bench.counts import Counts
from bench.figures import Comparison, Target
from bench.stores import BenchStores

Runner = Callable[[BenchStores, Counts], list[Comparison]]


@dataclass(frozen=True)
class Scenario:
    """One scenario: what it compares with what, and its targets."""

    key: str
    number: int
    title: str
    baseline: str
    targets: tuple[Target, ...]
    run: Runner | None = None
    waiting_for: str = ""


SCENARIOS = (
    Scenario(
        "append",
        1,
        "Append",
        "the same rows (topic, state bytes, versions) in the same transactions, "
        "inserted into a table with the library's columns and keys by sqlite3 "
        "(BEGIN/INSERT/COMMIT, WAL) or psycopg (pipelined executemany RETURNING "
        "notification_id), without LOCK TABLE, NOTIFY or the reads before a write; "
        "N raw writers use N connections",
        (append.ONE_WRITER, append.EIGHT_WRITERS),
        append.run,
    ),
    Scenario(
        "load",
        2,
        "Load (ticket zoom)",
        "desk.ticket() of a 10-event ticket on the same desk, timed alternately "
        "with the long one; the no-snapshot rows use a desk without snapshots on "
        "a store holding copies of the same streams",
        (load.ZOOM,),
        load.run,
    ),
    Scenario(
        "http",
        3,
        "HTTP",
        "GET /healthz on the same uvicorn server at the same concurrency (the "
        "HTTP floor); load from a separate process over keep-alive connections",
        (http.CREATE,),
        http.run,
    ),
    Scenario(
        "rebuild",
        4,
        "Rebuild",
        "a raw keyset scan of the event table plus a batched upsert of the rows",
        (Target("rebuild", "Rebuild >= 0.7 of the raw scan + upsert", min_ratio=0.7),),
        waiting_for="issue 3 (read side): rebuild of the views beyond the summary",
    ),
    Scenario(
        "views",
        5,
        "Views at scale",
        "p50/p99 at 100k and 1M seeded tickets",
        (
            Target(
                "views",
                "List, queue, search and dashboard p99 < 50 ms at 1M tickets, "
                "flat from 100k to 1M",
                max_p99_ms=50,
            ),
        ),
        waiting_for="issue 3 (read side): queue, status, search, dashboard views",
    ),
    Scenario(
        "verify",
        6,
        "Verify and export",
        "a raw scan of the same event table",
        (Target("verify", "Verify >= 0.5 of a raw scan", min_ratio=0.5),),
        waiting_for="issue 4 (replay and audit): hash-chain verify and export",
    ),
)

KEYS = tuple(scenario.key for scenario in SCENARIOS)
