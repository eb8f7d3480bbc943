"""How much work each mode does: full (manual), quick (under 5 minutes), tiny."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Counts:
    """The sizes of every scenario in one mode."""

    mode: str
    # Append: tickets (each opened with an article, then 4 more) per round.
    tickets: int
    rounds: int
    writers: int
    tickets_per_writer: int
    # Load: the two tickets' lengths in events, and the loads of each.
    short_events: int
    long_events: int
    zooms: int
    # HTTP: requests per phase, connections at once, uvicorn worker counts.
    requests: int
    concurrency: int
    http_workers: tuple[int, ...]
    # Seconds one HTTP phase may take before the generator stops sending.
    phase_seconds: float


FULL = Counts(
    mode="full",
    tickets=200,
    rounds=5,
    writers=8,
    tickets_per_writer=25,
    short_events=10,
    long_events=1000,
    zooms=300,
    requests=3000,
    concurrency=16,
    http_workers=(1, 2),
    phase_seconds=120.0,
)

QUICK = Counts(
    mode="quick",
    tickets=30,
    rounds=3,
    writers=8,
    tickets_per_writer=5,
    short_events=10,
    long_events=1000,
    zooms=40,
    requests=300,
    concurrency=8,
    http_workers=(1, 2),
    phase_seconds=20.0,
)

# For the smoke test: every scenario and ratio, in seconds, no meaningful figure.
TINY = Counts(
    mode="tiny",
    tickets=3,
    rounds=1,
    writers=8,
    tickets_per_writer=1,
    short_events=10,
    long_events=60,
    zooms=5,
    requests=16,
    concurrency=4,
    # One worker: the two-worker server takes many seconds to start.
    http_workers=(1,),
    phase_seconds=15.0,
)

MODES = {counts.mode: counts for counts in (FULL, QUICK, TINY)}
