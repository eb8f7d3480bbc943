"""The chain keeper on SQLite and PostgreSQL: current without anyone running verify."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
import pytest

from domain.desk import HelpDesk
from projections.engine.notifications import LISTENER_NAME, watcher_for
from replay.chain import extend_chain
from replay.keeper import ChainKeeper, ChainPosition
from replay.ledger_stores import open_ledger
from replay.records import END
from replay.verify import verify_log
from tests.projections.worker_process import eventually
from tests.replay.sealing import keys_of
from tests.stores import DeskFactory, postgres_conninfo
from tests.writing import end_of_log, open_tickets
from tickettape.settings import Settings
from tickettape.stores import event_store_env

#: Longer than any test waits: only a wake-up can make the keeper catch up in time.
NEVER = 3600.0

MakeKeeper = Callable[..., ChainKeeper]


def conninfo_of(env: dict[str, str]) -> str | None:
    """The libpq conninfo of a PostgreSQL store (None for SQLite), for LISTEN."""
    return postgres_conninfo(env) if "POSTGRES_DBNAME" in env else None


@pytest.fixture
def make_keeper() -> Iterator[MakeKeeper]:
    """Call like ChainKeeper(...); every keeper made is closed after the test."""
    made: list[ChainKeeper] = []

    def make(desk: HelpDesk, **kwargs: Any) -> ChainKeeper:
        keeper = ChainKeeper(desk, keys_of(desk), **kwargs)
        made.append(keeper)
        return keeper

    yield make
    for keeper in made:
        keeper.close()


def test_written_events_are_chained_without_anyone_running_verify(
    durable_store_env: dict[str, str],
    desk_factory: DeskFactory,
    make_keeper: MakeKeeper,
) -> None:
    desk = desk_factory(durable_store_env)
    keeper = make_keeper(desk, batch_size=3)
    first = end_of_log(desk)
    assert keeper.position() == ChainPosition(0, first)
    assert keeper.catch_up() == len(desk.recorder.select_notifications(1, 10_000))
    assert keeper.position() == ChainPosition(first, 0)
    open_tickets(desk, 3)
    top = end_of_log(desk)
    assert keeper.position() == ChainPosition(first, top - first)
    assert keeper.catch_up() > 0
    assert keeper.position() == ChainPosition(top, 0)
    assert keeper.catch_up() == 0
    with closing(open_ledger(desk)) as ledger:
        verdict = verify_log(ledger, keys_of(desk)())
    assert verdict.clean, verdict.finding
    assert verdict.position == top


def test_two_appenders_at_once_leave_one_whole_chain(
    durable_store_env: dict[str, str],
    desk_factory: DeskFactory,
    make_keeper: MakeKeeper,
) -> None:
    desk = desk_factory(durable_store_env)
    open_tickets(desk, 15)
    keeper = make_keeper(desk, batch_size=1)
    other_desk = desk_factory(durable_store_env)
    start = threading.Barrier(2)
    chained: dict[str, int] = {}
    failures: list[BaseException] = []

    def append(name: str, chain: Callable[[], int]) -> None:
        try:
            start.wait()
            chained[name] = chain()
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    with closing(open_ledger(other_desk)) as other:
        appenders = [
            threading.Thread(target=append, args=("keeper", keeper.catch_up)),
            threading.Thread(
                target=append,
                args=(
                    "replay chain",
                    lambda: extend_chain(other, keys_of(desk)(), 1)[0],
                ),
            ),
        ]
        for thread in appenders:
            thread.start()
        for thread in appenders:
            thread.join()
        assert not failures, failures
        links = other.links(0, END, 100_000)
        verdict = verify_log(other, keys_of(desk)())
    events = desk.recorder.select_notifications(1, 100_000)
    assert verdict.clean, verdict.finding
    assert chained["keeper"] + chained["replay chain"] == len(events) == len(links)
    assert [link.notification_id for link in links] == [e.id for e in events]


def test_the_keeper_thread_follows_new_events_when_woken(
    durable_store_env: dict[str, str],
    desk_factory: DeskFactory,
    make_keeper: MakeKeeper,
) -> None:
    desk = desk_factory(durable_store_env)
    watcher = watcher_for(desk.recorder, conninfo_of(durable_store_env))
    keeper = make_keeper(desk, poll_seconds=NEVER, watcher=watcher)
    keeper.start()
    assert keeper.running
    eventually(lambda: keeper.position().lag == 0, "the first catch-up", None)
    open_tickets(desk, 2)
    top = end_of_log(desk)
    eventually(lambda: keeper.position().position == top, "a wake-up", None)
    keeper.stop()
    assert not keeper.running
    assert "tickettape-chain" not in {t.name for t in threading.enumerate()}


@pytest.mark.postgres
def test_the_keeper_reconnects_after_its_connections_are_cut(
    postgres_schema_url: str,
    desk_factory: DeskFactory,
    make_keeper: MakeKeeper,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    env = event_store_env(Settings(database_url=postgres_schema_url, data_dir=tmp_path))
    # One pooled connection, so that cutting it certainly hits the keeper.
    single = {**env, "POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "0"}
    desk = desk_factory(single)
    conninfo = conninfo_of(env)
    assert conninfo is not None
    keeper = make_keeper(
        desk, poll_seconds=0.05, watcher=watcher_for(desk.recorder, conninfo)
    )
    caplog.set_level(logging.WARNING)
    keeper.start()
    eventually(lambda: keeper.position().lag == 0, "the first catch-up", None)
    with psycopg.connect(conninfo, autocommit=True) as admin:
        cut = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND datname = current_database() "
            "AND (strpos(query, %s) > 0 OR application_name = %s)",
            (env["POSTGRES_SCHEMA"], f"{LISTENER_NAME} {os.getpid()}"),
        ).fetchall()
    assert len(cut) >= 2
    # The keeper's desk may still hold a cut connection: write and look with another.
    with (
        closing(HelpDesk(env=dict(env))) as other,
        closing(open_ledger(other)) as chain,
    ):
        open_tickets(other, 2)
        top = end_of_log(other)

        def chained_to_top() -> bool:
            head = chain.head()
            return head is not None and head.notification_id == top

        eventually(chained_to_top, "chaining after the cut", None)
    keeper.stop()
    said = caplog.text
    assert "tickettape-chain: catching up failed; retrying" in said
    assert "LISTEN failed" in said
