"""Long tickets load from snapshots exactly as they do from their whole history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.ids import ticket_id
from domain.ticket import Ticket
from tests.integration.unsnapped import UnsnappedDesk, replayed

DeskFactory = Callable[..., HelpDesk]

BOB = Origin("customer:bob@acme.test", "mail-1")
ALICE = Origin("agent:alice", "req-1")
EVENTS = 120


def long_ticket(desk: HelpDesk, events: int = EVENTS) -> str:
    """A ticket of exactly `events` events: an opening, then tags and untags."""
    draft = TicketDraft(title="Printer on fire", customer="bob@acme.test")
    first = Article("a1", "customer", "public", "web", "It smokes.")
    number = desk.open_ticket(draft, first, BOB).number
    version = desk.ticket(number).version
    hot = False
    while version < events:
        change = desk.untag if hot else desk.tag
        version = change(number, "hot", ALICE).version
        hot = not hot
    return number


def essence(ticket: Ticket) -> dict[str, Any]:
    """The ticket's state without what differs between two stores (ids, times)."""
    state = {
        name: value
        for name, value in vars(ticket).items()
        if name not in ("_id", "number") and not isinstance(value, datetime)
    }
    state["articles"] = [replace(a, created_at=None) for a in ticket.articles]
    return state


def test_a_long_ticket_loads_from_snapshots_as_from_its_events(
    store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(store_env)
    number = long_ticket(desk)
    assert desk.snapshots is not None
    snapshots = list(desk.snapshots.get(ticket_id(number)))

    loaded = desk.ticket(number)

    assert [s.originator_version for s in snapshots] == [50, 100]
    assert loaded.version == EVENTS
    assert vars(loaded) == vars(replayed(desk, number))
    assert vars(desk.ticket(number, version=75)) == vars(replayed(desk, number, 75))


def test_a_desk_without_snapshots_builds_the_same_ticket(
    store_env: dict[str, str],
    fresh_store_env: Callable[[], dict[str, str]],
    desk_factory: DeskFactory,
) -> None:
    snapped = desk_factory(store_env)
    unsnapped = desk_factory(fresh_store_env(), UnsnappedDesk)
    with_snapshots = snapped.ticket(long_ticket(snapped))

    without = unsnapped.ticket(long_ticket(unsnapped))

    assert unsnapped.snapshots is None
    assert without.version == with_snapshots.version == EVENTS
    assert essence(without) == essence(with_snapshots)
    assert without.tags == with_snapshots.tags


def test_a_desk_without_snapshots_reads_a_snapshotted_store(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    snapped = desk_factory(durable_store_env)
    number = long_ticket(snapped)

    unsnapped = desk_factory(durable_store_env, UnsnappedDesk)

    assert vars(unsnapped.ticket(number)) == vars(snapped.ticket(number))
