"""The desk's record cache never serves a record the store has moved past."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from copy import deepcopy
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.desk.cache import RecordCache
from domain.errors import RuleViolation
from domain.ids import ticket_id
from domain.queues import Queue
from domain.ticket import Ticket
from domain.tokens import Role
from tests.cache_looks import counted_looks

DeskFactory = Callable[..., HelpDesk]

ADMIN = Origin("admin:root")
BOB = Origin("customer:bob@acme.test")
ALICE = Origin("agent:alice")


def opened(desk: HelpDesk) -> str:
    """A new ticket from bob; its number."""
    draft = TicketDraft(title="Printer on fire", customer="bob@acme.test")
    article = Article(desk.new_article_id(), "customer", "public", "web", "Smoke!")
    return desk.open_ticket(draft, article, BOB).number


def reconfigure(queue: Queue, group: str) -> None:
    """Move the queue to another group, in memory."""
    queue.reconfigure(
        group, queue.follow_up, queue.reopen_within_days, queue.active, ADMIN
    )


def counting_loads(desk: HelpDesk) -> list[UUID]:
    """The ids the desk rebuilds from the store from now on."""
    loads: list[UUID] = []
    get = desk.repository.get

    def load(aggregate_id: UUID, **kwargs: Any) -> Any:
        loads.append(aggregate_id)
        return get(aggregate_id, **kwargs)

    desk.repository.get = load  # type: ignore[method-assign]
    return loads


def test_a_change_made_by_another_process_is_read_at_once(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    reader, writer = desk_factory(durable_store_env), desk_factory(durable_store_env)
    number = opened(reader)
    secret, token = reader.issue_token("desk", Role.ADMIN, "root", ADMIN)
    before = (reader.ticket(number), reader.queue("General"), reader.statuses())
    assert reader.authenticate(secret) is not None

    writer.change_priority(number, "high", ALICE)
    queue = deepcopy(writer.queue("General"))
    reconfigure(queue, "Support")
    writer.save_config(queue)
    revoked = deepcopy(writer.token(token.id))
    revoked.revoke(ADMIN)
    writer.save_config(revoked)

    assert reader.ticket(number).priority == "high"
    assert reader.ticket(number).version == before[0].version + 1
    assert reader.queue("General").group == "Support"
    assert reader.authenticate(secret) is None
    assert reader.statuses() is before[2]


def test_an_unchanged_record_is_not_rebuilt(
    store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(store_env)
    number = opened(desk)
    desk.queue("General")
    loads = counting_loads(desk)

    first, again = desk.ticket(number), desk.ticket(number)
    desk.queue("General")

    assert first is again
    assert loads == []


def test_a_command_leaves_the_ticket_it_saved_in_the_cache(
    store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(store_env)
    number = opened(desk)
    desk.change_priority(number, "high", ALICE)
    loads = counting_loads(desk)

    assert desk.ticket(number).priority == "high"
    assert loads == []


def test_a_record_changed_in_place_but_not_saved_is_not_served(
    store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(store_env)
    careless = desk.queue("General")
    reconfigure(careless, "Phantom")

    queue = desk.queue("General")

    assert queue.group != "Phantom"
    assert queue.version == careless.version - 1


def test_a_failed_save_does_not_leave_its_change_behind(
    store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(store_env)
    stale = desk.queue("General")
    winner = deepcopy(stale)
    reconfigure(winner, "Winners")
    desk.save_config(winner)
    reconfigure(stale, "Losers")

    with pytest.raises(Exception, match="version"):
        desk.save_config(stale)

    assert desk.queue("General").group == "Winners"


class Record(Aggregate):
    """A record with nothing in it but its id and version."""


def test_the_cache_keeps_the_most_recently_read_records() -> None:
    cache = RecordCache(size=2)
    one, two, three = Record(), Record(), Record()
    records = {record.id: record for record in (one, two, three)}
    loads: list[UUID] = []

    def load(record_id: UUID) -> Aggregate:
        loads.append(record_id)
        return records[record_id]

    for record in (one, two, one, three, one, two):
        cache.read(record.id, lambda i: records[i].version, load)

    assert loads == [one.id, two.id, three.id, two.id]


def test_a_cache_of_size_zero_always_loads() -> None:
    cache = RecordCache(size=0)
    record = Record()
    loads: list[UUID] = []

    def load(record_id: UUID) -> Aggregate:
        loads.append(record_id)
        return record

    for _ in range(3):
        assert cache.read(record.id, lambda _: record.version, load) is record

    assert len(loads) == 3


STEPS = st.lists(
    st.sampled_from(["reply", "priority", "tag", "close", "reopen", "read"]),
    max_size=25,
)


@settings(max_examples=25, deadline=None)
@given(steps=STEPS)
def test_cached_tickets_equal_tickets_rebuilt_from_the_store(steps: list[str]) -> None:
    desk = HelpDesk(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    desk.initialize()
    try:
        number = opened(desk)
        for step in steps:
            apply_step(desk, number, step)
            rebuilt: Ticket = desk.repository.get(ticket_id(number))
            assert vars(desk.ticket(number)) == vars(rebuilt)
    finally:
        desk.close()


def apply_step(desk: HelpDesk, number: str, step: str) -> None:
    """One command (or a plain read) on the ticket; refusals change nothing."""
    ticket = desk.ticket(number)
    article = Article(desk.new_article_id(), "agent", "public", "note", "Hi")
    commands: dict[str, Callable[[], object]] = {
        "reply": lambda: desk.add_article(number, article, ALICE),
        "priority": lambda: desk.change_priority(
            number, "low" if ticket.priority != "low" else "high", ALICE
        ),
        "tag": lambda: desk.tag(number, f"t{ticket.version}", ALICE),
        "close": lambda: desk.change_status(number, "closed", None, "", ALICE),
        "reopen": lambda: desk.reopen(number, ALICE),
        "read": lambda: None,
    }
    with contextlib.suppress(RuleViolation):
        commands[step]()


@pytest.mark.parametrize("size", [0, 1])
def test_settings_size_the_cache(
    size: int, store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory({**store_env, "RECORD_CACHE_SIZE": str(size)})

    assert desk.records.size == size
    assert desk.queue("General").name == "General"


def test_a_command_on_cached_records_looks_at_the_log_once_and_rebuilds_nothing(
    store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(store_env)
    number = opened(desk)
    reply = Article(desk.new_article_id(), "agent", "public", "note", "On it")
    desk.add_article(number, reply, ALICE)
    loads = counting_loads(desk)
    looks = counted_looks(desk)
    checks: list[UUID] = []

    def stored_version(record_id: UUID) -> int | None:
        checks.append(record_id)
        return None

    desk._stored_version = stored_version  # type: ignore[method-assign,assignment]

    again = Article(desk.new_article_id(), "customer", "public", "web", "Thanks")
    result = desk.add_article(number, again, BOB)

    assert (loads, checks, len(looks)) == ([], [], 1)
    assert desk.ticket(number).version == result.version
