"""A connection lost while PostgreSQL commits: every answer is the true one.

The recorder knows the positions and seals it is committing; when the answer to
the COMMIT is lost it looks for them (after the lost transaction has ended) and
answers what happened: stored, not stored (then it writes once more), or, if the
store cannot be asked, CommitUncertain, after which a retry with the same
Idempotency-Key is safe. A 409 for a write that happened never comes back.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import InterfaceError, OperationalError

from domain.articles import Article
from domain.audit import Origin
from domain.desk import CommandResult, HelpDesk, TicketDraft
from domain.errors import CommitUncertain
from tests.integration.lossy_proxy import LossyProxy
from tests.stores import DeskFactory
from tickettape.settings import Settings
from tickettape.stores import event_store_env, libpq_conninfo, parse_database_url

pytestmark = pytest.mark.postgres

AGENT = Origin("agent:alice")
# Writes per writer while connections are being killed.
WRITES = 15
# A client retrying after a 503: how often, and the pause between tries.
RETRIES = 20
RETRY_PAUSE = 0.25


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[LossyProxy]:
    """A lossy proxy in front of the test server."""
    target = parse_database_url(postgres_url)
    if target.host.startswith("/"):
        made = LossyProxy.to_unix_socket(target.host, target.port)
    else:
        made = LossyProxy(lambda: socket.create_connection((target.host, target.port)))
    yield made
    made.close()


@pytest.fixture
def env_via_proxy(
    proxy: LossyProxy, postgres_schema_url: str, tmp_path: Path
) -> dict[str, str]:
    """The env of a fresh store reached through the proxy."""
    target = parse_database_url(postgres_schema_url)
    url = (
        f"postgresql://{target.user}:{target.password}@127.0.0.1:{proxy.port}/"
        f"{target.dbname}?schema={target.schema}&connect_timeout=3"
    )
    return event_store_env(Settings(database_url=url, data_dir=tmp_path))


def note(article_id: str) -> Article:
    """An agent's internal note."""
    return Article(article_id, "agent", "internal", "note", f"note {article_id}")


def opened(desk: HelpDesk) -> str:
    """A new ticket's number."""
    first = Article("first", "customer", "public", "web", "Printer smokes")
    draft = TicketDraft(title="Printer", customer="bob@acme.test")
    return desk.open_ticket(draft, first, Origin("customer:bob@acme.test")).number


def articles_of(desk: HelpDesk, number: str) -> list[str]:
    """The ticket's article ids, as stored."""
    return [a.article_id for a in desk.ticket(number).articles]


def test_a_commit_whose_answer_was_lost_answers_stored(
    env_via_proxy: dict[str, str],
    desk_factory: DeskFactory,
    proxy: LossyProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    desk = desk_factory(env_via_proxy)
    number = opened(desk)
    proxy.arm("after")
    result = desk.add_article(number, note("n1"), AGENT)
    assert proxy.cuts == 1
    assert result.version == desk.ticket(number).version
    assert articles_of(desk, number).count("n1") == 1
    assert "a commit's answer was lost; its events are stored" in caplog.text


def test_a_commit_that_never_arrived_is_written_once_more(
    env_via_proxy: dict[str, str], desk_factory: DeskFactory, proxy: LossyProxy
) -> None:
    desk = desk_factory(env_via_proxy)
    number = opened(desk)
    proxy.arm("before")
    desk.add_article(number, note("n1"), AGENT)
    assert proxy.cuts == 1
    assert articles_of(desk, number).count("n1") == 1


def test_an_outcome_that_cannot_be_known_is_said_and_a_keyed_retry_is_safe(
    env_via_proxy: dict[str, str], desk_factory: DeskFactory, proxy: LossyProxy
) -> None:
    desk = desk_factory(env_via_proxy)
    number = opened(desk)
    keyed = replace(AGENT, idempotency_key="retry-me")
    # The commit happens, its answer is lost, and the store is gone before it
    # can be asked.
    proxy.arm("after", vanish=True)
    with pytest.raises(CommitUncertain, match="could not be asked"):
        desk.add_article(number, note("n1"), keyed)
    proxy.come_back()
    again = desk.add_article(number, note("n1"), keyed)
    assert again.replayed
    assert articles_of(desk, number).count("n1") == 1


def test_while_the_store_is_gone_a_write_says_so_and_writes_nothing(
    env_via_proxy: dict[str, str], desk_factory: DeskFactory, proxy: LossyProxy
) -> None:
    desk = desk_factory(env_via_proxy)
    number = opened(desk)
    proxy.vanish()
    with pytest.raises(OperationalError):
        desk.add_article(number, note("n1"), AGENT)
    proxy.come_back()
    assert "n1" not in articles_of(desk, number)
    desk.add_article(number, note("n2"), AGENT)
    assert articles_of(desk, number)[-1] == "n2"


def retried_until_stored(desk: HelpDesk, number: str, key: str) -> CommandResult:
    """The note sent with its key until the desk answers, pausing between."""
    for _ in range(RETRIES - 1):
        try:
            return desk.add_article(
                number, note(key), replace(AGENT, idempotency_key=key)
            )
        except (CommitUncertain, OperationalError, InterfaceError):
            time.sleep(RETRY_PAUSE)
    return desk.add_article(number, note(key), replace(AGENT, idempotency_key=key))


def test_connections_killed_under_load_never_get_a_false_answer(
    postgres_url: str,
    postgres_schema_url: str,
    tmp_path: Path,
    desk_factory: DeskFactory,
) -> None:
    env = event_store_env(Settings(database_url=postgres_schema_url, data_dir=tmp_path))
    desk = desk_factory(
        {**env, "POSTGRES_POOL_SIZE": "4", "POSTGRES_CONNECT_TIMEOUT": "2"}
    )
    numbers = [opened(desk) for _ in range(4)]
    admin = libpq_conninfo(Settings(database_url=postgres_url))
    outcomes: dict[str, str] = {}
    stop = threading.Event()
    rng = random.Random(12)

    killed: list[int] = []

    def kill() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            while not stop.wait(rng.uniform(0.005, 0.05)):
                # Only this test's connections: others may share the server.
                cut = conn.execute(
                    "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE pid <> pg_backend_pid() AND backend_type = 'client "
                    "backend' AND strpos(query, %s) > 0",
                    (env["POSTGRES_SCHEMA"],),
                ).fetchall()
                killed.extend(pid for pid, done in cut if done)

    def write(number: str) -> None:
        for n in range(WRITES):
            key = f"{number}-{n}"
            try:
                desk.add_article(number, note(key), replace(AGENT, idempotency_key=key))
                outcomes[key] = "stored"
            except CommitUncertain:
                outcomes[key] = "uncertain"
            except (OperationalError, InterfaceError):
                outcomes[key] = "unavailable"
            except Exception as error:  # anything else is a wrong answer
                outcomes[key] = f"wrong: {type(error).__name__}: {error}"

    killer = threading.Thread(target=kill)
    writers = [threading.Thread(target=write, args=(n,)) for n in numbers]
    killer.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    killer.join()
    assert killed, "no connection of the desk was killed"
    assert not [o for o in outcomes.values() if o.startswith("wrong")], outcomes
    # What was not known to be stored is retried with its key, as a client would:
    # again after a pause while the store answers unavailable (a 503), as it may
    # while the pool replaces the connections killed last.
    for key, outcome in outcomes.items():
        if outcome != "stored":
            number = key.rsplit("-", 1)[0]
            retried = retried_until_stored(desk, number, key)
            assert retried.number == number
    for number in numbers:
        stored = articles_of(desk, number)
        wanted = [f"{number}-{n}" for n in range(WRITES)]
        assert sorted(a for a in stored if a.startswith(number)) == sorted(wanted)
