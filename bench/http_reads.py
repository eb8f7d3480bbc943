"""Scenario 9, HTTP reads (issue 16): what an agent's desk asks, under load.

Tickets are seeded in bulk (bench/bulk_tickets.py) and projected into every view
by the runner's catch-up; then one uvicorn (the app of bench.http_app) serves
the agent of one group: a ticket zoom (tickets of the group's queues, each
connection its own), the ticket list (25), the queue work list (25) and a
search for one common word, each phase at the HTTP bench's concurrency, against
GET /healthz on the same server (the floor). The server's resident memory after
the load (its own, and mapped pages of the views' file) is in each row's notes.
"""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import quote

from bench.bulk_tickets import BulkTickets, utc_now
from bench.counts import Counts
from bench.figures import Comparison, Target
from bench.helpdesk import SETUP
from bench.http import HEALTHZ, against_floor, generate, serve
from bench.stores import BenchStores
from bench.view_reads import view_store
from bench.views_scale import AGENT, AGENT_SCOPE, QUEUE
from domain.tokens import Role
from projections.catalogue import all_views
from projections.engine.runner import ViewRunner
from projections.tickets.listing import TicketFilter, find_tickets

READS = Target(
    "http_reads",
    "HTTP reads (zoom, list of 25, queue work list, search) >= 0.5 of the HTTP "
    "floor with p99 <= 50 ms",
    min_ratio=0.5,
    max_p99_ms=50,
)
#: Tickets seeded per mode (the issue judges at 100k).
TICKETS = {"full": 100_000, "quick": 3_000, "tiny": 60}
#: Tickets the zoom phase spreads its requests over.
ZOOMED = 200

PATHS = {
    "ticket zoom": "/api/v1/tickets/{number}",
    "list of 25": "/api/v1/tickets?limit=25",
    "queue work list of 25": f"/api/v1/views/queues/{quote(QUEUE)}?limit=25",
    "search one common word": "/api/v1/search?q=printer",
}


def run(stores: BenchStores, counts: Counts) -> list[Comparison]:
    """Seed and project, then each read against the floor on one server."""
    tickets = TICKETS[counts.mode]
    settings = stores.new("reads", pool_size=4)
    with contextlib.ExitStack() as stack:
        seeded = BulkTickets(settings, utc_now())
        stack.callback(seeded.close)
        seeded.seed(tickets, 10 if settings.uses_postgres else 200)
        store = view_store(settings)
        stack.callback(store.close)
        ViewRunner(seeded.desk, store, all_views(), batch_size=5000).catch_up()
        store.refresh_statistics()
        numbers = [
            t.number
            for t in find_tickets(
                store, AGENT_SCOPE, TicketFilter(), limit=ZOOMED
            ).tickets
        ]
        token, _ = seeded.desk.issue_token("bench", Role.AGENT, AGENT, SETUP)
    with serve(settings, 1, stores.root) as server:
        phases = generate(
            server.port, _phases(token, counts), counts.phase_seconds, numbers
        )
        memory = server.memory_mb()
    memory_notes = {f"serve_{kind}_mb": mb for kind, mb in memory.items()}
    return [
        against_floor(
            "reads",
            stores.kind,
            f"HTTP {path}, agent, {tickets:,} tickets",
            phases,
            path,
            counts,
            READS,
            memory_notes,
        )
        for path in PATHS
    ]


def _phases(token: str, counts: Counts) -> list[dict[str, Any]]:
    width = counts.concurrency
    limits = {"concurrency": width, "deadline_s": counts.phase_seconds}
    phases: list[dict[str, Any]] = []
    for prefix, count in (("warm-", width * 4), ("", counts.requests)):
        each = {"count": count, "method": "GET", "token": token, **limits}
        phases.append({"name": prefix + HEALTHZ, "path": "/healthz", **each})
        phases += [
            {"name": prefix + name, "path": path, **each}
            for name, path in PATHS.items()
        ]
    return phases
