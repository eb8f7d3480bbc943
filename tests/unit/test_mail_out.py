"""Outgoing mail on the ticket: who a reply is addressed to, and what the
outbox records of each delivery (once finished, never again)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from eventsourcing.domain import Snapshot

from domain.articles import Article
from domain.audit import Origin
from domain.commands import RecordDelivery
from domain.desk import HelpDesk
from domain.disclosure import Disclosure, Reader
from domain.errors import InvalidValue, NotFound
from domain.mail import MailTerms
from domain.mail_out import (
    MAIL_ACTOR,
    MAX_REASON,
    Delivery,
    delivery_key,
    is_outgoing,
    recipients,
    sent_message_id,
)
from domain.queues import MAIL_TEMPLATE_KINDS
from domain.ticket import Ticket
from mail.templates import DEFAULTS, check_template

from .builders import ALICE, BOB_EMAIL, Clock, OpenTicket, event_names, stored_events

OUTBOX = Origin(MAIL_ACTOR)


def mail(desk: HelpDesk, **parts: object) -> Article:
    """A public agent reply on the email channel (to the customer unless told)."""
    fields: dict[str, object] = {
        "article_id": desk.new_article_id(),
        "sender": "agent",
        "visibility": "public",
        "channel": "email",
        "body": "We replaced the toner.",
        **parts,
    }
    return Article(**fields)  # type: ignore[arg-type]


def report(
    desk: HelpDesk, number: str, article_id: str, recipient: str, **outcome: object
) -> None:
    message_id = sent_message_id(number, article_id, recipient, "desk.test")
    delivery = Delivery(article_id, recipient, message_id, **outcome)  # type: ignore[arg-type]
    desk.handle(RecordDelivery(number, delivery), OUTBOX)


def deliveries(desk: HelpDesk, number: str) -> list[Ticket.Event]:
    return [
        e
        for e in stored_events(desk, number)
        if isinstance(e, Ticket.MailSent | Ticket.MailFailed)
    ]


def test_a_reply_by_mail_goes_to_the_customer_unless_addressed(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    plain = mail(desk)
    desk.add_article(number, plain, ALICE)
    addressed = mail(desk, to=["boss@acme.test"], cc=["bob@acme.test"])
    desk.add_article(number, addressed, ALICE)
    first, second = desk.ticket(number).articles[-2:]
    assert (first.to, first.cc) == ([BOB_EMAIL], [])
    assert (second.to, second.cc) == (["boss@acme.test"], ["bob@acme.test"])
    assert recipients(second.to, [*second.cc, "BOSS@acme.test"]) == [
        "boss@acme.test",
        "bob@acme.test",
    ]


@pytest.mark.parametrize(
    "parts",
    [
        {"to": ["not an address"]},
        {"cc": ["bob@acme.test\r\nBcc: all@x.test"]},
        {"to": ["Bob <bob@acme.test>"]},
    ],
)
def test_a_mail_to_a_malformed_address_is_refused_and_nothing_recorded(
    desk: HelpDesk, open_ticket: OpenTicket, parts: dict[str, list[str]]
) -> None:
    number = open_ticket()
    before = event_names(desk, number)
    with pytest.raises(InvalidValue):
        desk.add_article(number, mail(desk, **parts), ALICE)
    assert event_names(desk, number) == before


def test_only_public_agent_mail_goes_out(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    note = mail(desk, visibility="internal", to=["x@y.test"])
    web = mail(desk, channel="web")
    for article in (note, web):
        desk.add_article(number, article, ALICE)
    ticket = desk.ticket(number)
    assert [is_outgoing(a) for a in ticket.articles] == [False, False, False]
    # The customer's own article, the internal note and the web reply: none mailed.
    for article in ticket.articles:
        with pytest.raises(InvalidValue, match="is not mailed"):
            report(desk, number, article.article_id, "x@y.test")
    with pytest.raises(NotFound):
        report(desk, number, "nope", BOB_EMAIL)
    assert deliveries(desk, number) == []


def test_tries_are_counted_and_a_finished_delivery_records_nothing_more(
    desk: HelpDesk, open_ticket: OpenTicket, clock: Clock
) -> None:
    number = open_ticket()
    reply = mail(desk, cc=["boss@acme.test"])
    desk.add_article(number, reply, ALICE)
    later = clock() + timedelta(minutes=1)
    report(desk, number, reply.article_id, BOB_EMAIL, error="451 busy", retry_at=later)
    report(desk, number, reply.article_id, BOB_EMAIL)
    # A second worker, or a retry after a crash, reports it again: nothing new.
    report(desk, number, reply.article_id, BOB_EMAIL)
    report(desk, number, reply.article_id, BOB_EMAIL, error="451", retry_at=later)
    report(desk, number, reply.article_id, "boss@acme.test", error="550 " + "x" * 5000)
    report(desk, number, reply.article_id, "boss@acme.test")
    failed, sent, refused = deliveries(desk, number)
    assert isinstance(failed, Ticket.MailFailed)
    assert (failed.attempt, failed.final, failed.retry_at) == (1, False, later)
    assert isinstance(sent, Ticket.MailSent)
    assert (sent.attempt, sent.recipient, sent.actor) == (2, BOB_EMAIL, MAIL_ACTOR)
    assert sent.message_id == sent_message_id(
        number, reply.article_id, BOB_EMAIL, "desk.test"
    )
    assert isinstance(refused, Ticket.MailFailed)
    assert (refused.attempt, refused.final) == (1, True)
    assert len(refused.reason) == MAX_REASON
    assert sorted(desk.ticket(number).mail_finished) == sorted(
        [
            delivery_key(reply.article_id, BOB_EMAIL),
            delivery_key(reply.article_id, "boss@acme.test"),
        ]
    )


def test_our_message_ids_thread_back_to_the_ticket() -> None:
    terms = MailTerms(message_id_domain="desk.test")
    sent = sent_message_id("2024000042", "a/b c>", "Bob@acme.test", "desk.test")
    assert terms.sent_number(sent) == "2024000042"
    assert sent == sent_message_id("2024000042", "a/b c>", "bob@ACME.test", "desk.test")
    assert sent != sent_message_id("2024000042", "a/b c>", "eve@acme.test", "desk.test")


def test_customers_are_not_told_of_deliveries(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    reply = mail(desk)
    desk.add_article(number, reply, ALICE)
    report(desk, number, reply.article_id, BOB_EMAIL)
    [sent] = deliveries(desk, number)
    assert not Disclosure(Reader.CUSTOMER).sees_event(sent)
    shown = Disclosure(Reader.AUDITOR).event_fields(sent)
    assert shown is not None
    assert shown["recipient"] == BOB_EMAIL


def test_deliveries_survive_a_snapshot_and_one_taken_before_the_outbox(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    reply = mail(desk)
    desk.add_article(number, reply, ALICE)
    report(desk, number, reply.article_id, BOB_EMAIL)
    snapshot = Snapshot.take(desk.ticket(number))
    loaded = snapshot.mutate(None)
    assert isinstance(loaded, Ticket)
    assert loaded.mail_finished == desk.ticket(number).mail_finished
    state = {
        k: v for k, v in snapshot.state.items() if k not in ("mail_tries", "mail_done")
    }
    old = replace(snapshot, state=state).mutate(None)
    assert isinstance(old, Ticket)
    assert (old.mail_attempts, old.mail_finished) == ({}, [])


def test_every_kind_of_queue_template_has_a_default_that_renders() -> None:
    assert set(DEFAULTS) == set(MAIL_TEMPLATE_KINDS)
    for template in DEFAULTS.values():
        check_template(template)
