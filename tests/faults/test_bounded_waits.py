"""Every wait on a store is bounded: for a connection, a statement, or a file lock."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from eventsourcing.postgres import PostgresApplicationRecorder
from fastapi.testclient import TestClient
from psycopg.errors import QueryCanceled
from psycopg_pool import PoolTimeout

from tickettape.blobs import PostgresBlobStore
from tickettape.bootstrap import Runtime, build_app, initialize, open_runtime
from tickettape.settings import Settings

#: Seconds of slack over a configured wait, for a busy machine.
SLACK = 3.0


@pytest.fixture
def bounded(postgres_schema_url: str, tmp_path: Path) -> Iterator[Runtime]:
    """A runtime on PostgreSQL with short, distinctive waits and one view connection."""
    settings = Settings(
        database_url=postgres_schema_url,
        data_dir=tmp_path / "var",
        postgres_pool_size=1,
        postgres_connect_timeout=1,
        postgres_statement_timeout=7.5,
    )
    opened = open_runtime(settings)
    try:
        yield opened
    finally:
        opened.close()


@pytest.mark.postgres
def test_every_pool_has_the_statement_timeout(bounded: Runtime) -> None:
    recorder = bounded.desk.recorder
    assert isinstance(recorder, PostgresApplicationRecorder)
    with recorder.datastore.get_connection() as conn:
        events = conn.execute("SHOW statement_timeout").fetchone()
    with bounded.views.store.transaction() as cursor:
        cursor.execute("SHOW statement_timeout")
        views = cursor.fetchone()
    assert isinstance(bounded.blobs, PostgresBlobStore)
    with bounded.blobs._alone() as cursor:
        blobs = cursor.execute("SHOW statement_timeout").fetchone()

    assert events == {"statement_timeout": "7500ms"}
    assert views == blobs == ("7500ms",)


@pytest.mark.postgres
def test_a_statement_running_too_long_is_cancelled(postgres_schema_url: str) -> None:
    settings = Settings(
        database_url=postgres_schema_url, postgres_statement_timeout=0.5
    )
    opened = open_runtime(settings)
    try:
        began = time.monotonic()
        with (
            pytest.raises(QueryCanceled, match="statement timeout"),
            opened.views.store.transaction() as cursor,
        ):
            cursor.execute("SELECT pg_sleep(30)")
        assert time.monotonic() - began < SLACK
    finally:
        opened.close()


@pytest.mark.postgres
def test_the_view_and_blob_pools_wait_only_the_connect_timeout(
    bounded: Runtime,
) -> None:
    assert isinstance(bounded.blobs, PostgresBlobStore)
    with ExitStack() as held:
        # Every connection each pool may open is taken.
        held.enter_context(bounded.views.store.transaction())
        for _ in range(4):
            held.enter_context(bounded.blobs._alone())
        for wait in (bounded.views.store.transaction, bounded.blobs._alone):
            began = time.monotonic()
            with pytest.raises(PoolTimeout), wait():
                pass
            assert time.monotonic() - began < 1 + SLACK


@contextmanager
def write_locked(path: Path) -> Iterator[None]:
    """Another connection holds the SQLite file's write lock during the block."""
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
    finally:
        holder.close()


def test_a_locked_sqlite_store_answers_within_the_lock_timeout(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "var", postgres_lock_timeout=1)
    opened = open_runtime(settings)
    with ExitStack() as stack:
        stack.callback(opened.close)
        secret = initialize(opened)
        opened.start_views()
        client = stack.enter_context(TestClient(build_app(opened)))
        auth = {"Authorization": f"Bearer {secret}"}
        ticket = {
            "title": "Printer",
            "customer": "bob@acme.test",
            "article": {"body": "It smokes."},
        }
        opened_ticket = client.post("/api/v1/tickets", json=ticket, headers=auth)
        number = opened_ticket.json()["number"]

        with write_locked(settings.event_store_path):
            began = time.monotonic()
            refused = client.post(
                f"/api/v1/tickets/{number}/articles", json={"body": "?"}, headers=auth
            )
            took = time.monotonic() - began
            read = client.get(f"/api/v1/tickets/{number}", headers=auth)
        assert refused.status_code == 503, refused.text
        assert refused.headers["retry-after"]
        assert refused.headers["content-type"] == "application/problem+json"
        assert took < 1 + SLACK
        assert read.status_code == 200

        with write_locked(settings.views_path):
            # Locked before the write, so the views thread cannot take it in
            # first; a read waits only as it asked.
            added = client.post(
                f"/api/v1/tickets/{number}/articles", json={"body": "!"}, headers=auth
            )
            position = added.json()["position"]
            page = f"/api/v1/tickets?after={position}&wait=2"
            began = time.monotonic()
            waited = client.get(page, headers=auth)
            took = time.monotonic() - began
        assert waited.status_code == 200
        assert waited.json()["caught_up"] is False
        assert took < 2 + SLACK
        later = client.get(page.replace("wait=2", "wait=5"), headers=auth)
        assert later.json()["caught_up"] is True
