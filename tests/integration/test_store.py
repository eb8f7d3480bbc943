"""Tickets survive the store: reload, idempotent retries, concurrency, as-of reads."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

import pytest

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.errors import NotFound, VersionConflict
from domain.ids import ticket_id

DeskFactory = Callable[..., HelpDesk]

BOB = Origin("customer:bob@acme.test", "mail-1")
ALICE = Origin("agent:alice", "req-1")


def article(
    article_id: str,
    sender: str = "customer",
    visibility: str = "public",
    channel: str = "web",
    body: str = "It smokes.",
) -> Article:
    """A public web article from the customer unless told otherwise."""
    return Article(article_id, sender, visibility, channel, body)


def open_ticket(desk: HelpDesk) -> str:
    """Open a ticket from bob and return its number."""
    draft = TicketDraft(title="Printer on fire", customer="bob@acme.test")
    return desk.open_ticket(draft, article("a1"), BOB).number


def busy_ticket(desk: HelpDesk) -> str:
    """A ticket with replies, a note, tags, a priority and a status change."""
    number = open_ticket(desk)
    desk.add_article(number, article("a2", "agent", body="Unplug it"), ALICE)
    desk.add_article(number, article("a3", body="Still burning"), BOB)
    desk.add_article(
        number, article("a4", "agent", visibility="internal", channel="note"), ALICE
    )
    for tag in ("vip", "printer", "fire"):
        desk.tag(number, tag, ALICE)
    desk.untag(number, "vip", ALICE)
    desk.change_priority(number, "high", ALICE)
    desk.change_status(number, "waiting_for_customer", None, "asked", ALICE)
    return number


def test_ticket_reloads_identically_in_a_new_desk(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    first = desk_factory(durable_store_env)
    number = busy_ticket(first)
    before = first.ticket(number)

    after = desk_factory(durable_store_env).ticket(number)

    assert vars(after) == vars(before)
    assert after.tags == ["fire", "printer"]
    assert [a.article_id for a in after.articles] == ["a1", "a2", "a3", "a4"]
    assert [a.author for a in after.articles] == [
        BOB.actor,
        ALICE.actor,
        BOB.actor,
        ALICE.actor,
    ]
    assert (after.priority, after.status) == ("high", "waiting_for_customer")
    assert after.first_response_at == after.articles[1].created_at


def test_idempotent_retry_on_the_same_desk_writes_nothing(
    store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(store_env)
    number = open_ticket(desk)
    keyed = Origin(ALICE.actor, "req-2", idempotency_key="tag-once")
    first = desk.tag(number, "vip", keyed)
    position = desk.recorder.max_notification_id()

    again = desk.tag(number, "vip", keyed)

    assert again.replayed
    assert (again.number, again.version) == (first.number, first.version)
    assert desk.recorder.max_notification_id() == position


def test_idempotent_retry_survives_a_restart(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    keyed = Origin(BOB.actor, "mail-9", idempotency_key="open-once")
    draft = TicketDraft(title="Printer on fire", customer="bob@acme.test")
    first = desk_factory(durable_store_env).open_ticket(draft, article("a1"), keyed)
    restarted = desk_factory(durable_store_env)
    position = restarted.recorder.max_notification_id()

    again = restarted.open_ticket(draft, article("a1-retry"), keyed)

    assert not first.replayed
    assert again.replayed
    assert (again.number, again.version, again.article_id) == (
        first.number,
        first.version,
        first.article_id,
    )
    assert restarted.recorder.max_notification_id() == position


def test_stale_expected_version_is_a_conflict(
    store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(store_env)
    number = open_ticket(desk)
    seen = desk.ticket(number).version
    current = desk.tag(number, "vip", ALICE).version
    position = desk.recorder.max_notification_id()
    stale = Origin(ALICE.actor, "req-3", expected_version=seen)

    with pytest.raises(VersionConflict) as caught:
        desk.tag(number, "late", stale)

    assert (caught.value.current_version, caught.value.expected_version) == (
        current,
        seen,
    )
    assert desk.recorder.max_notification_id() == position
    assert desk.ticket(number).tags == ["vip"]


def test_a_ticket_as_it_was_at_a_version(
    store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(store_env)
    number = open_ticket(desk)
    tagged = desk.tag(number, "vip", ALICE).version
    desk.change_priority(number, "critical", ALICE)
    desk.untag(number, "vip", ALICE)

    then = desk.ticket(number, version=tagged)
    now = desk.ticket(number)

    assert (then.version, then.tags, then.priority) == (tagged, ["vip"], "normal")
    assert (now.tags, now.priority) == ([], "critical")
    with pytest.raises(NotFound):
        desk.ticket(number, version=now.version + 1)


def test_a_record_exists_once_its_first_event_is_stored(
    store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(store_env)
    number = open_ticket(desk)
    desk.add_article(number, article("a2", "agent", body="Unplug it"), ALICE)

    assert desk.exists(ticket_id(number))
    assert not desk.exists(ticket_id("999999"))
    assert not desk.exists(uuid4())
