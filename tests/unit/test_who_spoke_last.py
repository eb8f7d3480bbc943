"""Who spoke last drives the status; internal notes never do."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.desk import HelpDesk

from .builders import (
    ALICE,
    BOB,
    OpenTicket,
    agent_reply,
    article,
    event_names,
    internal_note,
)


def test_a_new_ticket_from_a_customer_is_new(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()

    assert desk.ticket(number).status == "new"


@pytest.mark.parametrize("start", ["new", "open", "waiting_on_agent"])
def test_a_public_agent_reply_on_a_new_or_open_ticket_waits_for_the_customer(
    desk: HelpDesk, open_ticket: OpenTicket, start: str
) -> None:
    number = open_ticket()
    desk.change_status(number, start, None, "", ALICE)

    desk.add_article(number, agent_reply(), ALICE)

    ticket = desk.ticket(number)
    assert (ticket.status, ticket.status_category) == (
        "waiting_for_customer",
        "pending",
    )
    assert event_names(desk, number)[-1] == "StatusChanged"


def test_a_public_agent_reply_on_a_resolved_ticket_changes_no_status(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    desk.change_status(number, "resolved", None, "", ALICE)

    desk.add_article(number, agent_reply(), ALICE)

    assert desk.ticket(number).status == "resolved"


def test_a_customer_reply_on_a_pending_ticket_opens_it(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    desk.add_article(number, agent_reply(), ALICE)

    desk.add_article(number, article(), BOB)

    assert desk.ticket(number).status == "open"


def test_a_customer_reply_on_a_postponed_ticket_opens_it_and_drops_the_deadline(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    until = desk.clock() + timedelta(days=3)
    desk.change_status(number, "postponed", until, "on holiday", ALICE)

    desk.add_article(number, article(), BOB)

    ticket = desk.ticket(number)
    assert (ticket.status, ticket.pending_until) == ("open", None)


def test_a_customer_reply_on_a_new_ticket_leaves_it_new(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()

    desk.add_article(number, article(), BOB)

    assert desk.ticket(number).status == "new"


@pytest.mark.parametrize("start", ["new", "open", "waiting_for_customer"])
def test_an_internal_note_changes_no_status(
    desk: HelpDesk, open_ticket: OpenTicket, start: str
) -> None:
    number = open_ticket()
    desk.change_status(number, start, None, "", ALICE)
    before = desk.ticket(number).status

    desk.add_article(number, internal_note(), ALICE)

    assert desk.ticket(number).status == before == start
    assert event_names(desk, number)[-1] == "ArticleAdded"


def test_an_internal_note_is_never_a_first_response(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()

    desk.add_article(number, internal_note(), ALICE)

    ticket = desk.ticket(number)
    assert ticket.first_response_at is None
    assert ticket.last_public_sender == "customer"


def test_the_first_public_agent_reply_is_the_first_response(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    desk.add_article(number, internal_note(), ALICE)

    desk.add_article(number, agent_reply(), ALICE)
    first = desk.ticket(number).first_response_at
    desk.add_article(number, article(), BOB)
    desk.add_article(number, agent_reply(), ALICE)

    ticket = desk.ticket(number)
    assert first is not None
    assert first == ticket.articles[2].created_at
    assert ticket.first_response_at == first
