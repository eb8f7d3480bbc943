"""A `tickettape projections run` worker as a real process, and waiting on it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from tickettape.bootstrap import Runtime
from tickettape.settings import Settings

#: Seconds any wait on another process may take before the test fails.
PATIENCE = 120.0


class Worker:
    """A worker process whose output goes to a file, for failure messages."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process, self.log = process, log

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    def output(self) -> str:
        """What the worker printed so far."""
        return self.log.read_text(errors="replace")

    def terminate(self) -> int:
        """SIGTERM, then its exit code (bounded)."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(PATIENCE)


def worker(
    settings: Settings, log: Path, *names: str, **env: str
) -> AbstractContextManager[Worker]:
    """A `projections run` worker keeping these views (all when none are named)."""
    return cli_process(settings, log, ["projections", "run", *names], **env)


@contextmanager
def cli_process(
    settings: Settings, log: Path, arguments: list[str], **env: str
) -> Iterator[Worker]:
    """Start `tickettape ARGUMENTS` on the settings' store (TICKETTAPE_* extras in
    env); kill it after.

    Every process started here is killed by its pid and reaped, whatever happens.
    """
    variables = {
        **os.environ,
        "TICKETTAPE_DATABASE_URL": settings.database_url,
        "TICKETTAPE_DATA_DIR": str(settings.data_dir),
        **env,
    }
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "tickettape", *arguments],
            env=variables,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Worker(process, log)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(PATIENCE)


def eventually(check: Callable[[], bool], what: str, worker: Worker | None) -> None:
    """Wait (at most PATIENCE seconds) until check() holds; fail saying what not."""
    deadline = time.monotonic() + PATIENCE
    while not check():
        if worker is not None and worker.process.poll() is not None:
            raise AssertionError(f"the worker exited: {worker.output()}")
        if time.monotonic() > deadline:
            output = worker.output() if worker else ""
            raise AssertionError(f"{what} did not happen in {PATIENCE} s\n{output}")
        time.sleep(0.02)


def caught_up(runtime: Runtime) -> bool:
    """Every view has taken in the whole log."""
    return all(view.lag == 0 for view in runtime.views.positions())
