"""Every event says who did it and why; any past version can be read back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.errors import NotFound
from domain.ids import agent_id
from domain.people import Agent

from .builders import (
    ADMIN,
    BOB_EMAIL,
    Clock,
    OpenTicket,
    agent_reply,
    article,
    audited_events,
    event_names,
    internal_note,
    stored_events,
)


def test_every_ticket_event_records_actor_and_correlation_id(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    other = open_ticket()
    bob = Origin("customer:bob@acme.test", "<m1@acme.test>")
    alice = Origin("agent:alice", "req-7")
    number = desk.open_ticket(TicketDraft("Help", BOB_EMAIL), article(), bob).number
    desk.assign(number, "alice", None, alice)
    desk.add_article(number, agent_reply(), alice)
    desk.add_article(number, internal_note(), alice)
    desk.link(number, other, "parent", alice)
    desk.account_time(number, 15, "phone", None, alice)
    desk.change_status(number, "resolved", None, "fixed", alice)
    desk.rate(number, 5, "great", bob)

    stamps = [(e.actor, e.correlation_id) for e in stored_events(desk, number)]

    assert len(stamps) == 10
    assert stamps[:2] == stamps[-1:] * 2 == [(bob.actor, bob.correlation_id)] * 2
    assert set(stamps[2:-1]) == {(alice.actor, alice.correlation_id)}
    assert stored_events(desk, other)[-1].actor == alice.actor


def test_configuration_events_record_actor_and_correlation_id(desk: HelpDesk) -> None:
    hired = Agent.hire(
        "dora", "Dora", "dora@example.com", [], [], Origin("admin:x", "r1")
    )
    hired.update("Dora", "dora@example.com", ["support"], [], True, Origin("admin:y"))
    desk.save_config(hired)

    events = audited_events(desk, agent_id("dora"))

    assert [(e.actor, e.correlation_id) for e in events] == [
        ("admin:x", "r1"),
        ("admin:y", None),
    ]


def test_articles_carry_their_author_and_time(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    desk.add_article(number, agent_reply(), Origin("agent:alice"))

    ticket = desk.ticket(number)
    events = stored_events(desk, number)

    assert [a.author for a in ticket.articles] == [
        "customer:bob@acme.test",
        "agent:alice",
    ]
    assert ticket.articles[-1].created_at == events[-2].timestamp


def test_a_ticket_can_be_read_as_it_was_at_any_version(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    desk.change_priority(number, "high", ADMIN)
    desk.tag(number, "vip", ADMIN)
    desk.change_priority(number, "low", ADMIN)

    history = [desk.ticket(number, version=v) for v in range(1, 6)]

    assert event_names(desk, number) == [
        "Created",
        "ArticleAdded",
        "PriorityChanged",
        "Tagged",
        "PriorityChanged",
    ]
    assert [t.version for t in history] == [1, 2, 3, 4, 5]
    assert [len(t.articles) for t in history] == [0, 1, 1, 1, 1]
    assert [t.priority for t in history] == ["normal", "normal", "high", "high", "low"]
    assert [t.tags for t in history] == [[], [], [], ["vip"], ["vip"]]
    assert vars(history[-1]) == vars(desk.ticket(number))


def test_a_version_the_ticket_never_had_is_not_found(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()

    with pytest.raises(NotFound):
        desk.ticket(number, version=3)
    with pytest.raises(NotFound):
        desk.ticket("19990101000000")


def test_events_carry_the_time_of_the_desk_clock(
    desk: HelpDesk, clock: Clock, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    clock.advance(timedelta(hours=5))
    desk.tag(number, "later", Origin("agent:alice"))
    stamps = [e.timestamp for e in stored_events(desk, number)]
    assert stamps[0] == Clock.START
    assert stamps[-1] == Clock.START + timedelta(hours=5)
    assert desk.ticket(number).modified_on == Clock.START + timedelta(hours=5)
