"""The storage layer behaves alike on SQLite and PostgreSQL (pipelined or not)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from storage.cursor import Row
from storage.database import Database
from storage.postgres import PIPELINE_DEPTH, PooledPostgresDatabase
from tickettape.settings import Settings
from tickettape.stores import ensure_schema, libpq_conninfo

TICKETS = "CREATE TABLE tickets (id BIGINT PRIMARY KEY, title TEXT NOT NULL)"
INSERT = "INSERT INTO tickets (id, title) VALUES (?, ?)"
DUPLICATE = (sqlite3.IntegrityError, psycopg.errors.UniqueViolation)


def make_tickets(database: Database, *rows: tuple[int, str]) -> None:
    with database.transaction(write=True) as cursor:
        cursor.execute(TICKETS)
        cursor.executemany(INSERT, rows)


def titles(database: Database) -> list[Row]:
    with database.transaction() as cursor:
        return cursor.execute("SELECT id, title FROM tickets ORDER BY id").fetchall()


def test_question_marks_are_placeholders_and_a_percent_sign_is_text(
    database: Database,
) -> None:
    make_tickets(database, (1, "50% off"), (2, "half"))
    with database.transaction() as cursor:
        cursor.execute(
            "SELECT title, '100%' AS whole FROM tickets WHERE id = ? OR title = ?",
            (1, "half"),
        )
        assert cursor.fetchall() == [("50% off", "100%"), ("half", "100%")]


def test_rows_answer_by_position_and_by_column_name(database: Database) -> None:
    make_tickets(database, (7, "Printer on fire"))
    with database.transaction() as cursor:
        row = cursor.execute("SELECT id, title, id AS number FROM tickets").fetchone()
    assert row is not None
    assert row._fields == ("id", "title", "number")
    assert (row.id, row.title, row.number) == (7, "Printer on fire", 7)
    with pytest.raises(AttributeError, match="no column 'owner'"):
        _ = row.owner
    assert row == (7, "Printer on fire", 7)
    assert (row[0], row[1]) == (7, "Printer on fire")


def test_an_empty_result_is_an_empty_list_or_none(database: Database) -> None:
    make_tickets(database)
    with database.transaction() as cursor:
        assert cursor.execute("SELECT id FROM tickets").fetchall() == []
        assert cursor.execute("SELECT id FROM tickets").fetchone() is None


def test_a_write_that_fails_leaves_nothing_behind(database: Database) -> None:
    make_tickets(database, (1, "kept"))

    def fail_halfway() -> None:
        with database.transaction(write=True) as cursor:
            cursor.execute(INSERT, (2, "lost"))
            cursor.execute("UPDATE tickets SET title = ? WHERE id = ?", ("changed", 1))
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError, match="handler failed"):
        fail_halfway()
    assert titles(database) == [(1, "kept")]


def test_a_batch_with_one_failing_statement_rolls_back_whole(
    database: Database,
) -> None:
    make_tickets(database, (0, "kept"))
    many = [(i, f"ticket {i}") for i in range(1, 3 * PIPELINE_DEPTH)]

    def write_batch() -> None:
        with database.transaction(write=True) as cursor:
            # Past the pipeline's depth, so earlier statements have run already.
            for row in many:
                cursor.execute(INSERT, row)
            cursor.executemany(INSERT, [(-1, "new"), (0, "a duplicate")])
            cursor.execute(INSERT, (-2, "after the failure"))

    with pytest.raises(DUPLICATE):
        write_batch()
    assert titles(database) == [(0, "kept")]


def test_a_read_in_a_write_sees_the_writes_before_it(database: Database) -> None:
    make_tickets(database)
    with database.transaction(write=True) as cursor:
        for i in range(PIPELINE_DEPTH + 2):
            cursor.execute(INSERT, (i, "x"))
        row = cursor.execute("SELECT COUNT(*) FROM tickets").fetchone()
    assert row == (PIPELINE_DEPTH + 2,)


def test_nul_in_text_is_kept_on_sqlite_and_replaced_on_postgres_views(
    database: Database, database_kind: str
) -> None:
    text = "before\x00after"
    if database_kind == "postgres-plain":
        # PostgreSQL text refuses it; only the views (derived) replace it.
        with pytest.raises(psycopg.DataError):
            make_tickets(database, (1, text))
        return
    make_tickets(database, (1, text))
    expected = text if database_kind == "sqlite" else "before\ufffdafter"
    assert titles(database) == [(1, expected)]


def test_a_renamed_table_keeps_its_rows_and_primary_key(database: Database) -> None:
    make_tickets(database, (1, "one"))
    with database.transaction(write=True) as cursor:
        database.rename_table(cursor, "tickets", "tickets_old")
        cursor.execute(TICKETS)
        database.rename_table(cursor, "tickets", "tickets_new")
    with database.transaction() as cursor:
        assert cursor.execute("SELECT id FROM tickets_old").fetchall() == [(1,)]
    with database.transaction(write=True) as cursor:
        cursor.execute("INSERT INTO tickets_new (id, title) VALUES (1, 'a')")
    with pytest.raises(DUPLICATE), database.transaction(write=True) as cursor:
        cursor.execute("INSERT INTO tickets_new (id, title) VALUES (1, 'b')")


def test_a_lock_clause_reads_in_a_write_transaction(database: Database) -> None:
    make_tickets(database, (1, "one"))
    with database.transaction(write=True) as cursor:
        lock = database.dialect.lock_table("tickets")
        if lock:
            cursor.execute(lock)
        cursor.execute(
            f"SELECT title FROM tickets WHERE id = ?{database.lock_clause}", (1,)
        )
        assert cursor.fetchall() == [("one",)]


def test_statistics_can_be_refreshed(database: Database) -> None:
    make_tickets(database, (1, "one"))
    database.refresh_statistics()
    assert titles(database) == [(1, "one")]


def test_a_read_sees_one_snapshot_and_a_write_reads_what_is_committed(
    database: Database, database_kind: str
) -> None:
    """The count and the page of a list agree: a read sees the rows of its
    first statement throughout. A write on the same connections afterwards
    reads committed rows, as every writer expects (a write in a snapshot
    would fail on rows changed since it began)."""
    if database_kind == "postgres-plain":
        pytest.skip("the ledger's and the blobs' reads promise no snapshot")
    make_tickets(database, (1, "one"))
    for round_ in range(3):
        with database.transaction() as read:
            before = read.count("SELECT COUNT(*) FROM tickets")
            with database.transaction(write=True) as write:
                write.execute(INSERT, (10 + round_, "committed meanwhile"))
            assert read.count("SELECT COUNT(*) FROM tickets") == before
        if not database.dialect.postgres:
            continue  # SQLite's writer holds the file: no write commits meanwhile.
        with database.transaction(write=True) as write:
            seen = write.count("SELECT COUNT(*) FROM tickets")
            with database.transaction(write=True) as other:
                other.execute(INSERT, (20 + round_, "committed meanwhile"))
            assert write.count("SELECT COUNT(*) FROM tickets") == seen + 1


def test_a_connection_cut_after_a_read_fails_the_next_write_as_an_outage(
    database: Database, database_kind: str, request: pytest.FixtureRequest
) -> None:
    """A transaction on a connection the server dropped raises the
    OperationalError an outage is answered by (a read left its isolation level
    to change), and the pool then gives new connections."""
    if database_kind == "sqlite":
        pytest.skip("no server to drop the connection")
    make_tickets(database, (1, "one"))
    # Both of the pool's connections, each after a read.
    with database.transaction() as read, database.transaction() as other:
        backends = [c.count("SELECT pg_backend_pid()") for c in (read, other)]
    url = request.getfixturevalue("postgres_schema_url")
    with psycopg.connect(libpq_conninfo(Settings(database_url=url))) as admin:
        for backend in backends:
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", [backend])
    failures = 0
    while True:
        try:
            with database.transaction(write=True) as write:
                write.execute(INSERT, (2, "two"))
            break
        except psycopg.OperationalError:
            failures += 1
            assert failures <= len(backends)
    assert failures >= 1
    assert titles(database) == [(1, "one"), (2, "two")]


@pytest.mark.postgres
def test_a_statement_alone_commits_at_once(postgres_schema_url: str) -> None:
    database = plain_postgres(postgres_schema_url, autocommit=True)
    try:
        make_tickets(database)
        with database.alone() as cursor:
            cursor.execute(INSERT, (1, "Printer on fire"))
            # Seen from another connection before the block ends: it committed.
            with database.transaction() as other:
                assert other.execute("SELECT title FROM tickets").fetchall() == [
                    ("Printer on fire",)
                ]
            with pytest.raises(DUPLICATE):
                cursor.execute(INSERT, (1, "again"))
            # The failed statement ended alone: the connection goes on.
            cursor.execute(INSERT, (2, "Scanner jams"))
        assert titles(database) == [(1, "Printer on fire"), (2, "Scanner jams")]
    finally:
        database.close()


@pytest.mark.postgres
def test_statements_alone_need_autocommit_connections(
    postgres_schema_url: str,
) -> None:
    database = plain_postgres(postgres_schema_url, autocommit=False)
    try:
        with pytest.raises(TypeError, match="autocommit"), database.alone():
            pass
    finally:
        database.close()


def plain_postgres(url: str, *, autocommit: bool) -> PooledPostgresDatabase:
    """A pool of the test schema's connections, autocommit or not."""
    settings = Settings(database_url=url)
    ensure_schema(settings)
    conninfo = libpq_conninfo(settings)
    return PooledPostgresDatabase(
        conninfo, name="alone-test", pool_size=2, autocommit=autocommit
    )
