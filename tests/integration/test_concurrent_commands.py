"""Concurrent commands on one ticket, on every store: a lost race is run again.

A command that asked for no version check must not fail because another command
saved first; one that named an expected version must.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from domain.articles import Article
from domain.audit import Origin
from domain.desk import CommandResult, HelpDesk, TicketDraft
from domain.desk.handling import COMMIT_ATTEMPTS
from domain.errors import VersionConflict
from domain.ids import ticket_id
from domain.ticket import Ticket

DeskFactory = Callable[..., HelpDesk]

WRITERS = 20
BOB = Origin("customer:bob@acme.test")
ALICE = Origin("agent:alice")


def article(article_id: str) -> Article:
    """A public web article from the customer."""
    return Article(article_id, "customer", "public", "web", "Still smoking.")


def open_ticket(desk: HelpDesk) -> str:
    """Open a ticket from bob and return its number."""
    draft = TicketDraft(title="Printer on fire", customer="bob@acme.test")
    return desk.open_ticket(draft, article("first"), BOB).number


def all_at_once(
    command: Callable[[int], CommandResult],
) -> list[CommandResult | Exception]:
    """Run the command once per writer, all released together; result or error."""
    start = threading.Barrier(WRITERS, timeout=60)

    def write(index: int) -> CommandResult | Exception:
        start.wait()
        try:
            return command(index)
        except VersionConflict as conflict:
            return conflict

    with ThreadPoolExecutor(WRITERS) as pool:
        return list(pool.map(write, range(WRITERS)))


def test_concurrent_writes_without_a_version_check_all_land(
    store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(store_env)
    number = open_ticket(desk)
    before = desk.ticket(number)

    outcomes = all_at_once(lambda i: desk.add_article(number, article(f"a{i}"), BOB))

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    after = desk.ticket(number)
    added = [a.article_id for a in after.articles[len(before.articles) :]]
    assert sorted(added) == sorted(f"a{i}" for i in range(WRITERS))
    assert after.version == before.version + WRITERS
    versions = [o.version for o in outcomes if isinstance(o, CommandResult)]
    assert sorted(versions) == list(range(before.version + 1, after.version + 1))


def test_concurrent_writes_expecting_one_version_have_one_winner(
    store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(store_env)
    number = open_ticket(desk)
    seen = desk.ticket(number).version
    origin = Origin(BOB.actor, expected_version=seen)

    outcomes = all_at_once(lambda i: desk.add_article(number, article(f"a{i}"), origin))

    conflicts = [o for o in outcomes if isinstance(o, VersionConflict)]
    assert len(conflicts) == WRITERS - 1
    assert {(c.current_version, c.expected_version) for c in conflicts} == {
        (seen + 1, seen)
    }
    assert len(desk.ticket(number).articles) == 2


def test_a_keyed_command_retried_during_a_race_is_recorded_once(
    store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(store_env)
    number = open_ticket(desk)
    mail = Origin(BOB.actor, idempotency_key="mail-42")

    outcomes = all_at_once(
        lambda i: (
            desk.add_article(number, article("once"), mail)
            if i % 2
            else desk.tag(number, f"t{i}", ALICE)
        )
    )

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    keyed = {
        (o.number, o.version)
        for i, o in enumerate(outcomes)
        if i % 2 and isinstance(o, CommandResult)
    }
    assert len(keyed) == 1
    ticket = desk.ticket(number)
    assert [a.article_id for a in ticket.articles].count("once") == 1
    assert len(ticket.tags) == WRITERS // 2


def test_a_race_lost_between_two_desks_runs_again_on_the_winners_ticket(
    durable_store_env: dict[str, str],
    desk_factory: DeskFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slow = desk_factory(durable_store_env)
    fast = desk_factory(durable_store_env)
    number = open_ticket(slow)
    opened = slow.ticket(number).version
    load = slow.ticket_to_change
    loads = []

    def load_then_lose_the_first_race(number: str) -> Ticket:
        ticket = load(number)
        loads.append(ticket.version)
        if len(loads) == 1:
            fast.tag(number, "fast", ALICE)
        return ticket

    monkeypatch.setattr(slow, "ticket_to_change", load_then_lose_the_first_race)

    result = slow.tag(number, "slow", ALICE)

    assert loads == [opened, opened + 1]
    assert result.version == opened + 2
    assert fast.ticket(number).tags == ["fast", "slow"]


def test_a_command_that_loses_every_race_gives_up_with_a_conflict(
    durable_store_env: dict[str, str],
    desk_factory: DeskFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slow = desk_factory(durable_store_env)
    fast = desk_factory(durable_store_env)
    number = open_ticket(slow)
    load = slow.ticket_to_change
    loads = []

    def load_then_lose_the_race(number: str) -> Ticket:
        ticket = load(number)
        loads.append(ticket.version)
        fast.tag(number, f"fast{len(loads)}", ALICE)
        return ticket

    monkeypatch.setattr(slow, "ticket_to_change", load_then_lose_the_race)

    with pytest.raises(VersionConflict) as caught:
        slow.tag(number, "slow", ALICE)

    winner = fast.ticket(number)
    assert len(loads) == COMMIT_ATTEMPTS
    assert caught.value.current_version == winner.version
    assert caught.value.expected_version is None
    assert "slow" not in winner.tags


def test_writers_on_their_own_tickets_all_land_each_at_its_own_position(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(durable_store_env)
    numbers = [open_ticket(desk) for _ in range(WRITERS)]
    before = desk.recorder.max_notification_id() or 0

    outcomes = all_at_once(
        lambda i: desk.add_article(numbers[i], article(f"a{i}"), BOB)
    )

    results = [o for o in outcomes if isinstance(o, CommandResult)]
    assert len(results) == WRITERS
    stored = desk.recorder.select_notifications(before + 1, 10 * WRITERS)
    at = {(n.originator_id, n.originator_version): n.id for n in stored}
    for number, result in zip(numbers, results, strict=True):
        assert result.number == number
        assert at[ticket_id(number), result.version] == result.position
        assert (
            desk.ticket(number).articles[-1].article_id == f"a{numbers.index(number)}"
        )
