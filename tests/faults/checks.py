"""What must hold after a fault: every answer bounded and honest, every acknowledged
write stored exactly once, views equal to a rebuild, and the archive verifies."""

from __future__ import annotations

import math
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.desk import HelpDesk
from domain.ticket import Ticket
from projections.engine.rebuild import rebuild
from projections.engine.store import Row
from projections.engine.view import live_tables
from replay.summaries_csv import ticket_ids
from tests.faults.load import CLIENT_TIMEOUT, Load, Reply, Write
from tests.faults.served import PATIENCE, Command, environment
from tickettape.bootstrap import Runtime, open_runtime
from tickettape.settings import Settings

Window = tuple[float, float]


@dataclass(frozen=True)
class Figures:
    """How a set of requests was answered."""

    requests: int
    slowest: float
    p99: float
    statuses: dict[str, int]

    def __str__(self) -> str:
        return (
            f"{self.requests} requests, answered in at most {self.slowest:.2f} s "
            f"(p99 {self.p99:.2f} s); {self.statuses}"
        )


def figures(replies: Iterable[Reply]) -> Figures:
    """Counts, the slowest answer and the 99th percentile of these requests."""
    chosen = list(replies)
    took = sorted(r.seconds for r in chosen)
    p99 = took[max(math.ceil(0.99 * len(took)) - 1, 0)] if took else 0.0
    statuses = Counter(
        f"{r.status} {r.title}".strip() if r.status else "no answer" for r in chosen
    )
    return Figures(len(chosen), took[-1] if took else 0.0, p99, dict(statuses))


def within(replies: Iterable[Reply], window: Window) -> list[Reply]:
    """The requests sent during the window (monotonic seconds)."""
    return [r for r in replies if window[0] <= r.began <= window[1]]


def unanswered(replies: Iterable[Reply], excused: Sequence[Window] = ()) -> list[Reply]:
    """Requests without an answer in time, but those cut off in an excused window."""
    return [
        r
        for r in replies
        if (r.status is None or r.seconds >= CLIENT_TIMEOUT)
        and not any(start <= r.began + r.seconds <= end for start, end in excused)
    ]


def dishonest(replies: Iterable[Reply]) -> list[Reply]:
    """Answers other than 2xx or a 503 that says when to try again."""
    return [r for r in replies if r.status is not None and not r.honest]


def assert_stored_once(desk: HelpDesk, writes: Iterable[Write]) -> None:
    """Every acknowledged write is in the store, exactly once."""
    tickets: list[Ticket] = [desk.repository.get(i) for i in ticket_ids(desk)]
    titles = Counter(t.title for t in tickets)
    bodies = Counter(a.body for t in tickets for a in t.articles)
    for write in writes:
        assert write.acknowledged, write
        assert write.number is not None, write
        found = titles if write.opens_ticket else bodies
        assert found[write.marker] == 1, (write, found[write.marker])
        ticket = desk.ticket(write.number)
        held = [ticket.title] + [a.body for a in ticket.articles]
        assert write.marker in held, write


def caught_up(runtime: Runtime) -> bool:
    """Every view and the audit chain have taken in the whole log."""
    views = all(view.lag == 0 for view in runtime.views.positions())
    return views and runtime.chain.position().lag == 0


def assert_followed(settings: Settings, *followers: Command) -> None:
    """The views and the chain catch up by themselves (bounded); then the
    processes that kept them stop cleanly when told."""
    runtime = open_runtime(settings)
    try:
        deadline = time.monotonic() + PATIENCE
        while not caught_up(runtime):
            for follower in followers:
                assert follower.alive(), follower.output()
            standing = runtime.views.positions(), runtime.chain.position()
            assert time.monotonic() < deadline, f"no catching up: {standing}"
            time.sleep(0.1)
    finally:
        runtime.close()
    for follower in followers:
        assert follower.terminate() == 0, follower.output()


def assert_sound(
    settings: Settings, load: Load, excused: Sequence[Window] = ()
) -> None:
    """Every answer in time and honest, every acknowledged write stored once,
    the views equal to a rebuild, and an archive that verifies."""
    assert not unanswered(load.replies, excused)
    assert not dishonest(load.replies)
    runtime = open_runtime(settings)
    try:
        assert_stored_once(runtime.desk, load.writes)
        assert_views_equal_a_rebuild(runtime)
    finally:
        runtime.close()
    checked = subprocess.run(
        [sys.executable, "-m", "tickettape", "replay", "verify"],
        env=environment(settings),
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def view_rows(runtime: Runtime) -> dict[str, list[Row]]:
    """Every row of every live view table, in a stable order."""
    found = {}
    with runtime.views.store.transaction() as cursor:
        for view in runtime.views.views:
            for table in live_tables(view).values():
                cursor.execute(f"SELECT * FROM {table}")
                found[table] = sorted(cursor.fetchall(), key=repr)
    return found


def assert_views_equal_a_rebuild(runtime: Runtime) -> None:
    """The views as they were kept equal the views replayed from the log."""
    kept = view_rows(runtime)
    for view in runtime.views.views:
        rebuild(runtime.desk, runtime.views.store, view)
    assert view_rows(runtime) == kept
