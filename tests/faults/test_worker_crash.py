"""A worker process killed (SIGKILL) in the middle of a batch loses and doubles nothing.

The test freezes the worker (SIGSTOP) at arbitrary moments until it is frozen
holding a batch's transaction open, which it detects by failing to take the
same lock without waiting, and only then kills it. No test hook in the worker.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import psycopg

from domain.audit import Origin
from projections.engine.tracking import TABLE
from tests.faults.checks import assert_views_equal_a_rebuild
from tests.projections.summary import expected_rows, summary_rows
from tests.projections.worker_process import Worker, caught_up, eventually, worker
from tests.writing import open_tickets
from tickettape.bootstrap import Runtime
from tickettape.settings import Settings
from tickettape.stores import libpq_conninfo

ALICE = Origin("agent:alice")
#: Small batches over a long backlog: the worker is nearly always inside one.
BATCH = {"TICKETTAPE_VIEWS_BATCH_SIZE": "7"}
TICKETS = 30
ATTEMPTS = 2000


def frozen(pid: int) -> bool:
    """Every thread of the process has stopped (SIGSTOP took effect)."""
    tasks = Path(f"/proc/{pid}/task")
    states = [
        (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
        for task in tasks.iterdir()
    ]
    return all(state in ("T", "t") for state in states)


def batch_in_flight(settings: Settings) -> bool:
    """Some view's transaction is open: its lock cannot be had without waiting."""
    if settings.uses_postgres:
        with psycopg.connect(libpq_conninfo(settings)) as conn:
            try:
                conn.execute(f"SELECT view_name FROM {TABLE} FOR UPDATE NOWAIT")
            except psycopg.errors.LockNotAvailable:
                return True
            finally:
                conn.rollback()
            return False
    probe = sqlite3.connect(settings.views_path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()
    return False


def kill_mid_batch(process: Worker, settings: Settings) -> bool:
    """Freeze the worker until it is frozen inside a batch, then SIGKILL it."""
    for _ in range(ATTEMPTS):
        os.kill(process.pid, signal.SIGSTOP)
        while not frozen(process.pid):
            assert process.process.poll() is None, process.output()
            time.sleep(0.001)
        if batch_in_flight(settings):
            os.kill(process.pid, signal.SIGKILL)
            process.process.wait()
            return True
        os.kill(process.pid, signal.SIGCONT)
        time.sleep(0.002)
    return False


def test_a_worker_killed_mid_batch_resumes_without_loss_or_double(
    runtime_settings: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    made = open_tickets(runtime.desk, TICKETS, busy=True)
    top = runtime.desk.recorder.max_notification_id() or 0

    with worker(runtime_settings, tmp_path / "first.log", **BATCH) as first:
        eventually(
            lambda: any(v.position > 0 for v in runtime.views.positions()),
            "a first batch",
            first,
        )
        killed = kill_mid_batch(first, runtime_settings)
        assert killed, f"never caught inside a batch\n{first.output()}"
    assert first.process.returncode == -signal.SIGKILL
    assert any(view.position < top for view in runtime.views.positions())

    with worker(runtime_settings, tmp_path / "second.log", **BATCH) as second:
        eventually(lambda: caught_up(runtime), "catching up after the crash", second)
        assert second.terminate() == 0, second.output()

    assert summary_rows(runtime.views.store) == expected_rows(runtime.desk, made)
    assert_views_equal_a_rebuild(runtime)
