"""Scenario 3, HTTP: create-ticket and add-article through uvicorn vs /healthz.

Each worker count gets a fresh store and its own uvicorn (the app from
bench.http_app) on a free loopback port. The load generator (bench.loadgen) runs
in a separate process: a warm-up, then /healthz (the HTTP floor of the same
server), then create-ticket as the customer, then add-article as the agent to
the tickets just created. The server is stopped by its pid when done.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.counts import Counts
from bench.figures import Comparison, Figure, Target
from bench.helpdesk import AGENT, BODY, CUSTOMER, SETUP, open_desk
from bench.stores import BenchStores
from domain.tokens import Role
from tickettape.settings import Settings

REPOSITORY = Path(__file__).resolve().parent.parent
START_SECONDS = 60.0
STOP_SECONDS = 15.0
CREATE = Target(
    "http_create",
    "HTTP create-ticket >= 2,000 req/s with p99 <= 50 ms on PostgreSQL",
    min_rate=2000,
    max_p99_ms=50,
)
HEALTHZ = "healthz"


def run(stores: BenchStores, counts: Counts) -> list[Comparison]:
    """For each worker count: the floor, create-ticket and add-article."""
    comparisons = []
    for workers in counts.http_workers:
        settings = stores.new(f"http{workers}")
        customer, agent = _tokens(settings)
        with serve(settings, workers, stores.root) as server:
            phases = _load(server.port, customer, agent, counts)
        for key, label in (("create", "create-ticket"), ("article", "add-article")):
            target = CREATE if key == "create" and stores.kind == "postgres" else None
            name = f"HTTP {label}, {workers} worker(s)"
            comparisons.append(
                against_floor("http", stores.kind, name, phases, key, counts, target)
            )
    return comparisons


def against_floor(
    scenario: str,
    store: str,
    name: str,
    phases: dict[str, Any],
    key: str,
    counts: Counts,
    target: Target | None,
    notes: Mapping[str, object] | None = None,
) -> Comparison:
    """A load phase's figure against GET /healthz of the same run (the floor)."""
    return Comparison(
        scenario=scenario,
        store=store,
        name=name,
        ours=figure(phases[key]),
        baseline=figure(phases[HEALTHZ]),
        baseline_name="GET /healthz on the same server",
        measure="rate",
        target=target,
        notes={
            "connections": counts.concurrency,
            "requests": counts.requests,
            "failures": phases[key]["failures"],
            **(notes or {}),
        },
    )


def _tokens(settings: Settings) -> tuple[str, str]:
    """Initialize the store with bob and alice; their bearer tokens."""
    desk = open_desk(settings)
    try:
        customer, _ = desk.issue_token("bench", Role.CUSTOMER, CUSTOMER, SETUP)
        agent, _ = desk.issue_token("bench", Role.AGENT, AGENT, SETUP)
    finally:
        desk.close()
    return customer, agent


def _load(port: int, customer: str, agent: str, counts: Counts) -> dict[str, Any]:
    width = counts.concurrency
    new_ticket = {"title": "Printer jams at the fuser", "article": {"body": BODY}}
    limits = {"concurrency": width, "deadline_s": counts.phase_seconds}
    phases: list[dict[str, Any]] = []
    for prefix, count in (("warm-", width * 2), ("", counts.requests)):
        each = {"count": count, **limits}
        phases += [
            {"name": prefix + HEALTHZ, "method": "GET", "path": "/healthz", **each},
            {
                "name": prefix + "create",
                "method": "POST",
                "path": "/api/v1/tickets",
                "body": new_ticket,
                "token": customer,
                "collect": True,
                **each,
            },
            {
                "name": prefix + "article",
                "method": "POST",
                "path": "/api/v1/tickets/{number}/articles",
                "body": {"body": BODY},
                "token": agent,
                **each,
            },
        ]
    return generate(port, phases, counts.phase_seconds)


def generate(
    port: int,
    phases: list[dict[str, Any]],
    phase_seconds: float,
    numbers: list[str] | None = None,
) -> dict[str, Any]:
    """Run the phases from the load generator's own process; results by name.
    `numbers` fill `{number}` in paths until a phase collects its own."""
    job = json.dumps({"port": port, "phases": phases, "numbers": numbers or []})
    done = subprocess.run(
        [sys.executable, "-m", "bench.loadgen", job],
        cwd=REPOSITORY,
        env=_python_env({}),
        capture_output=True,
        text=True,
        timeout=len(phases) * phase_seconds + START_SECONDS,
        check=True,
    )
    return {result["name"]: result for result in json.loads(done.stdout)}


def figure(phase: dict[str, Any]) -> Figure:
    rate = phase["requests"] / phase["seconds"] if phase["seconds"] else 0.0
    errors = sum(phase["failures"].values())
    return Figure.of("req/s", phase["latencies"], [rate], errors)


def _python_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPOSITORY), env.get("PYTHONPATH", "")) if p
    )
    return env | extra


@dataclass(frozen=True)
class Served:
    """A uvicorn the bench started: where it listens, and its process."""

    port: int
    pid: int

    def memory_mb(self) -> dict[str, float]:
        """The process's resident memory now, in MB (Linux): all of it, its own
        (heap and stacks), and pages of mapped files (the page cache's, which
        the kernel takes back when it needs them)."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines())
        return {
            name: round(int(fields[field].split()[0]) / 1024, 1)
            for name, field in (
                ("rss", "VmRSS"),
                ("rss_own", "RssAnon"),
                ("rss_mapped_files", "RssFile"),
            )
        }


@contextlib.contextmanager
def serve(settings: Settings, workers: int, logs: Path) -> Iterator[Served]:
    """uvicorn with the bench app on a free loopback port, stopped by its pid."""
    port = _free_port()
    env = _python_env(
        {
            "TICKETTAPE_DATABASE_URL": settings.database_url,
            "TICKETTAPE_DATA_DIR": str(settings.data_dir),
            "TICKETTAPE_POSTGRES_POOL_SIZE": str(settings.postgres_pool_size),
        }
    )
    command = [
        *(sys.executable, "-m", "uvicorn", "bench.http_app:create", "--factory"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        *("--log-level", "warning", "--no-access-log"),
        *("--http", "bench.nodelay:NoDelayH11Protocol"),
    ]
    log_path = logs / f"uvicorn-{port}.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            command,
            cwd=REPOSITORY,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_ready(server, port, log_path)
        yield Served(port, server.pid)
    finally:
        _stop(server)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_ready(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"uvicorn exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            finally:
                connection.close()
        time.sleep(0.1)
    raise RuntimeError(f"uvicorn did not answer in {START_SECONDS:.0f} s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server we started; its own process group is killed if stuck."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        server.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(STOP_SECONDS)
