"""tickettape commands as real processes on 127.0.0.1, stopped by their pid."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tickettape.bootstrap import initialize, open_runtime
from tickettape.settings import Settings

#: Seconds a process may take to start answering, or to exit when told.
PATIENCE = 60.0


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def first_admin_token(settings: Settings) -> str:
    """Initialize the store the settings name; the first admin token."""
    opened = open_runtime(settings)
    try:
        secret = initialize(opened)
    finally:
        opened.close()
    if secret is None:
        raise RuntimeError("the store was initialized already")
    return secret


def environment(settings: Settings, **extra: str) -> dict[str, str]:
    """The process environment for a command on the settings' store."""
    return {
        **os.environ,
        "TICKETTAPE_DATABASE_URL": settings.database_url,
        "TICKETTAPE_DATA_DIR": str(settings.data_dir),
        **extra,
    }


class Command:
    """A `tickettape ...` process whose output goes to a file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The running process's id."""
        if self.process is None:
            raise RuntimeError("not started")
        return self.process.pid

    def start(self) -> None:
        """Start the command (again), appending to its log."""
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tickettape", *self.args],
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )

    def alive(self) -> bool:
        """Whether the process runs."""
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        """What the process printed so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for(self, text: str) -> None:
        """Wait (bounded) until the process has printed the text."""
        deadline = time.monotonic() + PATIENCE
        while text not in self.output():
            assert self.alive(), f"{self.args} exited:\n{self.output()}"
            assert time.monotonic() < deadline, f"no {text!r}:\n{self.output()}"
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would, and reap it."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(PATIENCE)

    def terminate(self) -> int:
        """SIGTERM, then its exit code; killed if it does not exit in time."""
        if self.process is None:
            raise RuntimeError("not started")
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(PATIENCE)
        except subprocess.TimeoutExpired:
            self.kill()
            raise


class Server(Command):
    """`tickettape serve` on 127.0.0.1 at a fixed port, kept across restarts."""

    def __init__(self, env: dict[str, str], log: Path, port: int) -> None:
        super().__init__(
            ["serve", "--host", "127.0.0.1", "--port", str(port)], env, log
        )
        self.port = port

    def start(self) -> None:
        """Start serving and wait until /readyz answers 200."""
        super().start()
        deadline = time.monotonic() + PATIENCE
        while ready_status(self.port) != 200:
            if not self.alive():
                raise AssertionError(f"serve exited:\n{self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"serve not ready in {PATIENCE} s\n{self.output()}"
                )
            time.sleep(0.1)

    def terminate(self) -> int:
        """SIGTERM, then its exit code: 0 for a clean shutdown."""
        code = super().terminate()
        # uvicorn ends by raising the signal again once it has shut down.
        return 0 if code == -signal.SIGTERM else code


def seconds_until_ready(port: int, patience: float) -> float:
    """How long until /readyz answers 200 (at most `patience` seconds, else inf)."""
    began = time.monotonic()
    while ready_status(port) != 200:
        if time.monotonic() - began > patience:
            return float("inf")
        time.sleep(0.05)
    return time.monotonic() - began


def ready_status(port: int, timeout: float = 10.0) -> int | None:
    """The status /readyz answers, or None when nothing answers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/readyz")
        response = conn.getresponse()
        json.loads(response.read() or b"null")
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


@contextmanager
def running(command: Command) -> Iterator[Command]:
    """Start the command; whatever happens, kill it by its pid afterwards."""
    try:
        command.start()
        yield command
    finally:
        command.kill()


@contextmanager
def serving(settings: Settings, log: Path, **extra: str) -> Iterator[Server]:
    """`tickettape serve` on a free port of 127.0.0.1, killed afterwards."""
    server = Server(environment(settings, **extra), log, free_port())
    with running(server):
        yield server
