"""Timing view reads: the views' store of a bench store, and reads in rounds."""

from __future__ import annotations

import time
from collections.abc import Callable

from projections.engine.store import PostgresViewStore, SQLiteViewStore, ViewStore
from tickettape.settings import Settings
from tickettape.stores import ensure_schema, libpq_conninfo

WARM_UP = 2

#: One read of a view, timed as a whole.
Read = Callable[[ViewStore], object]


def view_store(settings: Settings, pool_size: int = 2) -> ViewStore:
    """The views' store of these settings (a PostgreSQL schema made if missing)."""
    if settings.uses_postgres:
        ensure_schema(settings)
        return PostgresViewStore(libpq_conninfo(settings), pool_size)
    return SQLiteViewStore(settings.views_path)


def time_reads(
    store: ViewStore, paths: dict[str, Read], samples: int
) -> dict[str, list[float]]:
    """Every path in turn, round after round, so noise falls on all alike."""
    timings: dict[str, list[float]] = {name: [] for name in paths}
    for i in range(WARM_UP + samples):
        for name, read in paths.items():
            began = time.perf_counter()
            read(store)
            if i >= WARM_UP:
                timings[name].append(time.perf_counter() - began)
    return timings
