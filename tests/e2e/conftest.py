"""An API over an in-memory desk, with a token for each role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from domain.desk import HelpDesk
from projections.engine.runner import ViewRunner
from projections.engine.store import PostgresViewStore, SQLiteViewStore, ViewStore
from tests.e2e.memory_desk import Auth, MemoryBlobs, staffed_desk, tokens
from tickettape.settings import Settings
from tickettape.stores import ensure_schema, libpq_conninfo


@pytest.fixture
def desk() -> HelpDesk:
    """An initialized in-memory desk: alice and carol, bob, dave and erin, ACME."""
    return staffed_desk()


@pytest.fixture
def blobs() -> MemoryBlobs:
    """An in-memory blob store."""
    return MemoryBlobs()


@pytest.fixture
def client(desk: HelpDesk, blobs: MemoryBlobs) -> Iterator[TestClient]:
    """A test client of the API (1 MiB attachment limit)."""
    app = create_app(Services(desk=desk, blobs=blobs, max_attachment_bytes=1024 * 1024))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def auth(desk: HelpDesk) -> Auth:
    """Authorization headers by caller name (admin, alice, bob, auditor...)."""
    return tokens(desk)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def view_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ViewStore]:
    """An empty view store: a SQLite file, then a PostgreSQL schema of its own."""
    store: ViewStore
    if request.param == "sqlite":
        store = SQLiteViewStore(tmp_path / "views.sqlite3")
    else:
        settings = Settings(database_url=request.getfixturevalue("postgres_schema_url"))
        ensure_schema(settings)
        store = PostgresViewStore(libpq_conninfo(settings))
    yield store
    store.close()


@pytest.fixture
def api(desk: HelpDesk, blobs: MemoryBlobs, views: ViewRunner) -> Iterator[TestClient]:
    """A test client of the API with the views of the module's `views` fixture."""
    with TestClient(create_app(Services(desk=desk, blobs=blobs, views=views))) as c:
        yield c
