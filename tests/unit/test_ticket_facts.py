"""What each ticket event means for the ticket facts, and the aggregate agrees."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import reduce

import pytest

from domain.articles import Sender, Visibility
from domain.desk import HelpDesk, TicketDraft
from domain.ticket_facts import (
    Becomes,
    Changes,
    Starts,
    TicketFacts,
    article_added,
    changes,
    created,
    entered,
    settle,
)

from .builders import (
    ALICE,
    BOB,
    BOB_EMAIL,
    Clock,
    OpenTicket,
    agent_reply,
    article,
    internal_note,
    stored_events,
)

T0 = Clock.START
LATER = T0 + timedelta(minutes=5)


def facts_of(desk: HelpDesk, number: str) -> TicketFacts:
    """The ticket's facts folded from its stored events."""
    events = stored_events(desk, number)
    return reduce(lambda facts, event: facts.after(event), events, TicketFacts())


def opened(category: str = "new", sender: str | None = None) -> TicketFacts:
    """A ticket created at T0 in a category, maybe with an article by sender."""
    facts = TicketFacts().changed(created(T0, "General", category))
    if sender is not None:
        facts = facts.changed(article_added(T0, sender, Visibility.PUBLIC))
    return facts


def test_created_sets_queue_category_and_the_working_clock() -> None:
    assert opened() == TicketFacts(
        created_at=T0, queue="General", status_category="new", working_since=T0
    )


def test_a_customer_article_starts_a_wait_that_a_second_one_keeps() -> None:
    facts = opened(sender=Sender.CUSTOMER)
    assert (facts.last_public_sender, facts.waiting_since) == ("customer", T0)
    again = facts.changed(article_added(LATER, Sender.CUSTOMER, Visibility.PUBLIC))
    assert again.waiting_since == T0
    assert again.first_response_at is None


@pytest.mark.parametrize("sender", [Sender.AGENT, Sender.SYSTEM])
def test_an_agent_or_system_article_ends_the_wait(sender: str) -> None:
    facts = opened(sender=Sender.CUSTOMER).changed(
        article_added(LATER, sender, Visibility.PUBLIC)
    )
    assert (facts.last_public_sender, facts.waiting_since) == (sender, None)
    assert facts.first_response_at == (LATER if sender == Sender.AGENT else None)


def test_the_first_agent_article_is_the_first_response_and_stays_so() -> None:
    facts = opened(sender=Sender.AGENT)
    assert facts.first_response_at == T0, "an agent's opening message counts"
    later = facts.changed(article_added(LATER, Sender.AGENT, Visibility.PUBLIC))
    assert later.first_response_at == T0


@pytest.mark.parametrize("sender", [Sender.AGENT, Sender.CUSTOMER])
def test_an_internal_article_changes_no_fact(sender: str) -> None:
    assert article_added(LATER, sender, Visibility.INTERNAL) == {}


def test_a_customer_article_on_a_finished_ticket_starts_no_wait() -> None:
    facts = opened().changed(entered(T0, "resolved"))
    facts = facts.changed(article_added(LATER, Sender.CUSTOMER, Visibility.PUBLIC))
    assert (facts.last_public_sender, facts.waiting_since) == ("customer", None)


def test_resolving_finishes_and_closing_keeps_the_moment() -> None:
    facts = opened(sender=Sender.CUSTOMER).changed(entered(LATER, "resolved"))
    assert (facts.finished_at, facts.working_since, facts.waiting_since) == (
        LATER,
        None,
        None,
    )
    closed = facts.changed(entered(LATER + timedelta(hours=1), "closed"))
    assert closed.finished_at == LATER


def test_a_reopen_restarts_the_working_clock_and_a_customers_wait() -> None:
    again = LATER + timedelta(hours=1)
    facts = opened(sender=Sender.CUSTOMER).changed(entered(LATER, "resolved"))
    facts = facts.changed(entered(again, "open"))
    assert (facts.finished_at, facts.working_since, facts.waiting_since) == (
        None,
        again,
        again,
    )
    answered = opened(sender=Sender.AGENT).changed(entered(LATER, "resolved"))
    assert answered.changed(entered(again, "open")).waiting_since is None


def test_pending_and_open_keep_the_wait_and_the_working_clock() -> None:
    facts = opened(sender=Sender.CUSTOMER).changed(entered(LATER, "pending"))
    facts = facts.changed(entered(LATER + timedelta(hours=1), "open"))
    assert (facts.waiting_since, facts.working_since) == (T0, T0)


def test_a_merge_ends_the_wait_and_is_no_finish() -> None:
    facts = opened(sender=Sender.CUSTOMER).changed(entered(LATER, "merged"))
    assert (facts.status_category, facts.waiting_since, facts.finished_at) == (
        "merged",
        None,
        None,
    )


def test_settle_touches_only_the_facts_a_reader_keeps() -> None:
    found: Changes = {"owner": Becomes("alice"), "first_response_at": Starts(LATER)}
    assert settle(found, {"owner": None}) == {"owner": "alice"}


def test_a_conditional_start_reads_the_facts_before_the_event() -> None:
    start = Starts(LATER, "status_category", frozenset({"open"}))
    facts = {"status_category": "open", "waiting_since": T0}
    assert start.applied(facts, "waiting_since") == T0
    assert (
        start.applied({**facts, "status_category": "closed"}, "waiting_since") is None
    )


def test_events_without_facts_change_none(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    desk.tag(number, "printer", ALICE)
    desk.retitle(number, "Printer still on fire", ALICE)
    *_, tagged, retitled = stored_events(desk, number)
    assert changes(tagged) == changes(retitled) == {}


def test_the_aggregate_keeps_the_facts_its_events_fold_into(
    desk: HelpDesk, open_ticket: OpenTicket, clock: Clock
) -> None:
    number = open_ticket()
    clock.advance(timedelta(minutes=3))
    desk.add_article(number, internal_note(), ALICE)
    desk.assign(number, "alice", None, ALICE)
    clock.advance(timedelta(minutes=4))
    desk.add_article(number, agent_reply(), ALICE)
    desk.change_status(number, "resolved", None, "", ALICE)
    clock.advance(timedelta(minutes=5))
    desk.add_article(number, article(), BOB)
    ticket, facts = desk.ticket(number), facts_of(desk, number)
    assert facts.first_response_at == T0 + timedelta(minutes=7)
    assert (facts.finished_at, facts.working_since) == (None, clock())
    assert (facts.waiting_since, facts.owner) == (clock(), "alice")
    assert (
        ticket.queue,
        ticket.owner,
        ticket.status_category,
        ticket.last_public_sender,
        ticket.first_response_at,
        ticket.finished_at,
    ) == (
        facts.queue,
        facts.owner,
        facts.status_category,
        facts.last_public_sender,
        facts.first_response_at,
        facts.finished_at,
    )


@pytest.mark.parametrize(
    ("sender", "responded"), [(Sender.AGENT, True), (Sender.CUSTOMER, False)]
)
def test_an_agent_opening_a_ticket_responds_only_with_an_agent_article(
    desk: HelpDesk, sender: str, responded: bool
) -> None:
    """An outbound message is a response; a phone note of the customer's call
    (the customer's article, written by the agent) is not."""
    draft = TicketDraft(title="Call back", customer=BOB_EMAIL)
    number = desk.open_ticket(draft, article(sender), ALICE).number
    expected: datetime | None = T0 if responded else None
    assert facts_of(desk, number).first_response_at == expected
    assert desk.ticket(number).first_response_at == expected
