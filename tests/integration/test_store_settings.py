"""From TICKETTAPE_DATABASE_URL to a working store, or a clear refusal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from psycopg import pq
from psycopg.conninfo import conninfo_to_dict

from domain.desk import HelpDesk
from tickettape.blobs import PostgresBlobStore
from tickettape.sealing import KEYRING_KEY
from tickettape.settings import Settings
from tickettape.stores import (
    POSTGRES_MODULE,
    SQLITE_MODULE,
    PostgresTarget,
    bulk_conninfo,
    conninfo_schema,
    event_store_env,
    libpq_conninfo,
    parse_database_url,
)

DeskFactory = Callable[..., HelpDesk]


@pytest.mark.parametrize(
    ("url", "target"),
    [
        (
            "postgresql://app:s%40cret@db.example:6543/tickets",
            PostgresTarget("tickets", "db.example", 6543, "app", "s@cret"),
        ),
        (
            "postgres://app:pw@db/tickets?schema=desk_1&connect_timeout=3",
            PostgresTarget("tickets", "db", 5432, "app", "pw", "desk_1", 3),
        ),
        (
            "postgresql://postgres:@/postgres?host=/tmp/pg%20data&port=5433",
            PostgresTarget("postgres", "/tmp/pg data", 5433, "postgres", ""),
        ),
    ],
    ids=["tcp", "schema", "socket"],
)
def test_a_url_names_the_database(url: str, target: PostgresTarget) -> None:
    assert parse_database_url(url) == target


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("mysql://app:pw@db/tickets", "must start with postgresql://"),
        ("postgresql://app:pw@/tickets", "names no host"),
        ("postgresql://app:pw@db", "names no database"),
        ("postgresql://app:pw@db/", "names no database"),
        ("postgresql://:pw@db/tickets", "names no user"),
        ("postgresql://app:pw@db/tickets/more", "path must be one /dbname"),
        ("postgresql://app:pw@db:99999/tickets", "malformed"),
        ("postgresql://app:pw@db:port/tickets", "malformed"),
        ("postgresql://app:pw@db/tickets?port=0", "port='0'"),
        ("postgresql://app:pw@db/tickets?sslmode=require", "sslmode"),
        ("postgresql://app:pw@db/tickets?schema=Desk", "schema 'Desk'"),
        ("postgresql://app:pw@db/tickets?schema=a;drop", "schema 'a;drop'"),
        ("postgresql://app:pw@db/tickets?schema=a&schema=b", "repeats"),
        ("postgresql://app:pw@a,b/tickets", "several hosts"),
    ],
)
def test_a_malformed_url_is_refused_with_a_reason(url: str, complaint: str) -> None:
    with pytest.raises(ValueError, match="database URL") as caught:
        parse_database_url(url)

    assert complaint in str(caught.value)


def test_the_embedded_store_is_a_sqlite_file_under_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "not" / "yet"

    env = event_store_env(Settings(database_url="", data_dir=data_dir))

    assert env["PERSISTENCE_MODULE"] == SQLITE_MODULE
    assert env["SQLITE_DBNAME"] == str(data_dir / "events.sqlite3")
    assert env[KEYRING_KEY] == str(data_dir / "seal.key")
    assert data_dir.is_dir()


def test_a_url_of_another_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="must be empty"):
        event_store_env(Settings(database_url="sqlite:///x.db", data_dir=tmp_path))


def test_the_postgres_env_carries_pool_and_timeouts(tmp_path: Path) -> None:
    settings = Settings(
        database_url="postgresql://app:pw@db:6543/tickets",
        postgres_pool_size=7,
        postgres_lock_timeout=3,
        seal_key=tmp_path / "keys" / "seal.key",
    )

    env = event_store_env(settings)

    assert env == {
        "PERSISTENCE_MODULE": POSTGRES_MODULE,
        KEYRING_KEY: str(tmp_path / "keys" / "seal.key"),
        "POSTGRES_DBNAME": "tickets",
        "POSTGRES_HOST": "db",
        "POSTGRES_PORT": "6543",
        "POSTGRES_USER": "app",
        "POSTGRES_PASSWORD": "pw",
        "POSTGRES_POOL_SIZE": "7",
        "POSTGRES_LOCK_TIMEOUT": "3",
        "POSTGRES_CONNECT_TIMEOUT": "3",
        "POSTGRES_STATEMENT_TIMEOUT": "30.0",
        "RECORD_CACHE_SIZE": "1000",
    }
    assert conninfo_schema(libpq_conninfo(settings)) is None


@pytest.mark.parametrize(
    ("url", "setting", "seconds"),
    [
        ("postgresql://app:pw@db/tickets", 7, 7),
        ("postgresql://app:pw@db/tickets?connect_timeout=12", 7, 12),
    ],
    ids=["setting", "url-wins"],
)
def test_the_connect_timeout_is_the_urls_or_the_settings(
    url: str, setting: int, seconds: int
) -> None:
    settings = Settings(database_url=url, postgres_connect_timeout=setting)

    assert event_store_env(settings)["POSTGRES_CONNECT_TIMEOUT"] == str(seconds)
    assert conninfo_to_dict(libpq_conninfo(settings))["connect_timeout"] == str(seconds)


@pytest.mark.parametrize(
    ("seconds", "option"),
    [(30, "-c statement_timeout=30000"), (0.25, "-c statement_timeout=250"), (0, "")],
)
def test_the_statement_timeout_is_a_server_option(seconds: float, option: str) -> None:
    settings = Settings(
        database_url="postgresql://app:pw@db/tickets",
        postgres_lock_timeout=0,
        postgres_statement_timeout=seconds,
    )

    assert conninfo_to_dict(libpq_conninfo(settings)).get("options", "") == option


def test_a_backups_copies_have_no_statement_timeout() -> None:
    settings = Settings(database_url="postgresql://app:pw@db/tickets?schema=desk")

    options = str(conninfo_to_dict(bulk_conninfo(settings))["options"])

    assert "statement_timeout" not in options
    assert "search_path=desk" in options


@pytest.mark.postgres
def test_a_schema_in_the_url_holds_events_and_blobs(
    postgres_schema_url: str, desk_factory: DeskFactory, tmp_path: Path
) -> None:
    settings = Settings(database_url=postgres_schema_url, data_dir=tmp_path)
    env = event_store_env(settings)
    schema = env["POSTGRES_SCHEMA"]
    desk_factory(env)
    blobs = PostgresBlobStore(libpq_conninfo(settings))
    try:
        blobs.put(b"attachment")
    finally:
        blobs.close()

    with psycopg.connect(libpq_conninfo(settings)) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s ORDER BY table_name",
            (schema,),
        ).fetchall()
        search_path = conn.execute("SHOW search_path").fetchone()

    assert [t for (t,) in tables] == [
        "audit_seals",
        "helpdesk_blobs",
        "helpdesk_events",
        "helpdesk_snapshots",
    ]
    assert search_path == (schema,)


@pytest.mark.postgres
def test_the_event_store_reads_results_in_binary(
    postgres_schema_url: str, desk_factory: DeskFactory, tmp_path: Path
) -> None:
    # A bytea value in the text format travels hex-encoded, twice its size.
    settings = Settings(database_url=postgres_schema_url, data_dir=tmp_path)
    desk = desk_factory(event_store_env(settings))
    datastore = desk.recorder.datastore  # type: ignore[attr-defined]

    with datastore.get_connection() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT %s::bytea AS state, now() AS at", (b"\x00\xff",))
        row = cursor.fetchone()
        result_format = cursor.pgresult.fformat(0)

    assert result_format == pq.Format.BINARY
    assert row["state"] == b"\x00\xff"
    assert desk.statuses().find("open").name == "open"


def test_the_sqlite_event_store_reads_through_a_memory_map(
    tmp_path: Path, desk_factory: DeskFactory
) -> None:
    settings = Settings(database_url="", data_dir=tmp_path)
    desk = desk_factory(event_store_env(settings))
    assert desk.snapshots is not None

    for recorder in (desk.recorder, desk.snapshots.recorder):
        datastore = recorder.datastore  # type: ignore[attr-defined]
        with datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA mmap_size")
            assert cursor.fetchone()[0] > 0
