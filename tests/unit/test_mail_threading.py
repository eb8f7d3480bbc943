"""Inbound mail decisions: where a message goes, once, or why it is quarantined."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from uuid import UUID

import pytest

from domain.articles import Sender, Visibility
from domain.attachments import AttachmentRef
from domain.audit import Origin
from domain.commands import DiscardMail, QuarantineMail, RetryMail, TakeMail
from domain.configuration_commands import ReconfigureQueue
from domain.desk import HelpDesk
from domain.desk.mail_rules import DuplicateWatch
from domain.errors import RuleViolation
from domain.mail import (
    ORIGINAL_NAME,
    InboundMessage,
    MailReceipt,
    MailState,
    MailTerms,
    Quarantine,
    Threading,
)
from domain.queues import FollowUp
from tests.e2e.memory_desk import ADMIN, AGENT, staffed_desk

MAIL = Origin("system:mail")
TERMS = MailTerms(
    queues=(("support@desk.test", "General"),),
    own_addresses=("support@desk.test", "desk.test loop"),
    message_id_domain="desk.test",
    refused_senders=("@spam.test",),
)


def message(n: int, **fields: object) -> InboundMessage:
    """A plain customer message to the support address."""
    raw = f"raw message {n}".encode()
    base = InboundMessage(
        raw=AttachmentRef(
            "message.eml", "message/rfc822", len(raw), hashlib.sha256(raw).hexdigest()
        ),
        message_id=f"<m{n}@acme.test>",
        from_address="bob@acme.test",
        to=("support@desk.test",),
        subject="The printer is on fire",
        text="Please help.",
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def on(receipt: MailReceipt) -> str:
    """The number of the ticket a message was taken onto."""
    assert receipt.number is not None, receipt
    return receipt.number


@pytest.fixture
def desk() -> HelpDesk:
    return staffed_desk()


def take(desk: HelpDesk, mail: InboundMessage, terms: MailTerms = TERMS) -> MailReceipt:
    return desk.handle(TakeMail(mail, terms), MAIL)


def test_a_new_message_opens_a_ticket_in_the_queue_of_its_recipient(
    desk: HelpDesk,
) -> None:
    receipt = take(desk, message(1))
    assert receipt.state is MailState.TAKEN
    assert receipt.threaded_by == Threading.NEW_TICKET
    ticket = desk.ticket(on(receipt))
    assert (ticket.queue, ticket.customer, ticket.title) == (
        "General",
        "bob@acme.test",
        "The printer is on fire",
    )
    [article] = ticket.articles
    assert (article.sender, article.visibility, article.channel) == (
        "customer",
        "public",
        "email",
    )
    assert article.message_id == "<m1@acme.test>"
    assert [a.name for a in article.attachments] == [ORIGINAL_NAME]


def test_the_same_message_twice_makes_one_article(desk: HelpDesk) -> None:
    first = take(desk, message(1))
    again = take(desk, message(1, subject="changed in transit"))
    assert again.duplicate
    assert (again.number, again.article_id) == (first.number, first.article_id)
    assert len(desk.ticket(on(first)).articles) == 1


def test_a_new_message_is_asked_about_only_while_redeliveries_come(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [datetime(2026, 12, 7, 9, 0, tzinfo=UTC)]
    desk = staffed_desk(clock=lambda: now[0])
    asked: list[object] = []
    exists = desk.exists

    def asking(record_id: UUID) -> bool:
        asked.append(record_id)
        return exists(record_id)

    monkeypatch.setattr(desk, "exists", asking)

    first = take(desk, message(1))
    assert asked == []  # taken to be new: the store refuses a second record
    # Delivered again: its save is refused, and the attempt after that asks,
    # and answers with the first.
    again = take(desk, message(1))
    assert again.duplicate
    assert (again.number, again.article_id) == (first.number, first.article_id)
    assert len(desk.ticket(on(first)).articles) == 1
    # For a while after, every message is asked about first: a sender replaying
    # old mail costs a question each, not a refused save each.
    asked.clear()
    take(desk, message(2))
    assert asked
    now[0] += DuplicateWatch.WATCH
    asked.clear()
    take(desk, message(3))
    assert asked == []


def test_another_senders_message_under_a_taken_id_is_kept_aside(
    desk: HelpDesk,
) -> None:
    first = take(desk, message(1))
    forged = message(1, from_address="mallory@evil.test", subject="pay me")
    receipt = take(desk, forged)
    assert (receipt.state, receipt.reason) == (
        MailState.QUARANTINED,
        Quarantine.DUPLICATE_ID,
    )
    assert receipt.key != first.key
    assert take(desk, forged).duplicate
    assert len(desk.ticket(on(first)).articles) == 1


@pytest.mark.parametrize("how", ["tag", "in_reply_to", "ours", "references"])
def test_replies_thread_onto_their_ticket(desk: HelpDesk, how: str) -> None:
    first = take(desk, message(1))
    number = on(first)
    reply = {
        "tag": message(2, subject=f"Re: [Ticket#{number}] printer"),
        "in_reply_to": message(
            2, subject="Re: printer", in_reply_to=("<m1@acme.test>",)
        ),
        "ours": message(
            2, subject="Re", in_reply_to=(f"<ticket.{number}.abc.1@desk.test>",)
        ),
        "references": message(
            2, subject="Re", references=("<unknown@x>", "<m1@acme.test>")
        ),
    }[how]
    receipt = take(desk, reply)
    assert receipt.number == number
    assert (
        receipt.threaded_by
        == {
            "tag": Threading.TAG,
            "in_reply_to": Threading.IN_REPLY_TO,
            "ours": Threading.IN_REPLY_TO,
            "references": Threading.REFERENCES,
        }[how]
    )
    assert len(desk.ticket(number).articles) == 2


def test_a_tag_of_no_ticket_opens_a_new_one(desk: HelpDesk) -> None:
    receipt = take(desk, message(1, subject="[Ticket#99999999] hello"))
    assert receipt.threaded_by == Threading.NEW_TICKET


def test_mail_from_a_stranger_on_a_ticket_is_an_internal_article(
    desk: HelpDesk,
) -> None:
    first = take(desk, message(1))
    stranger = message(
        2, from_address="mallory@evil.test", subject=f"[Ticket#{first.number}] pay"
    )
    take(desk, stranger)
    article = desk.ticket(on(first)).articles[-1]
    assert (article.sender, article.visibility) == (
        Sender.SYSTEM.value,
        Visibility.INTERNAL.value,
    )
    colleague = message(
        3, from_address="dave@acme.test", in_reply_to=("<m1@acme.test>",)
    )
    take(desk, colleague)
    # dave is of bob's organization: his mail is the customer's own.
    assert desk.ticket(on(first)).articles[-1].visibility == "public"


@pytest.mark.parametrize(
    ("mail", "reason"),
    [
        (message(1, from_address=None), Quarantine.NO_SENDER),
        (message(1, from_address="eve@spam.test"), Quarantine.REFUSED_SENDER),
        (message(1, from_address="support@desk.test"), Quarantine.LOOP),
        (message(1, x_loop=("desk.test loop",)), Quarantine.LOOP),
        (message(1, to=("sales@desk.test",)), Quarantine.NO_QUEUE),
        (message(1, auto="bounce", bounce_of=("<nothing@x>",)), Quarantine.BOUNCE),
    ],
)
def test_what_cannot_be_an_article_is_quarantined_with_its_reason(
    desk: HelpDesk, mail: InboundMessage, reason: Quarantine
) -> None:
    receipt = take(desk, mail)
    assert (receipt.state, receipt.reason) == (MailState.QUARANTINED, reason)
    assert receipt.detail
    assert take(desk, mail).duplicate


def test_an_unknown_sender_is_quarantined_when_customers_are_not_registered(
    desk: HelpDesk,
) -> None:
    terms = replace(TERMS, register_customers=False)
    stranger = take(desk, message(1, from_address="new@else.test"), terms)
    assert stranger.reason == Quarantine.UNKNOWN_SENDER
    assert take(desk, message(2), terms).state is MailState.TAKEN


def test_a_bounce_is_a_system_note_on_the_ticket_of_the_mail_that_bounced(
    desk: HelpDesk,
) -> None:
    first = take(desk, message(1))
    ours = f"<ticket.{first.number}.a1.1@desk.test>"
    bounce = message(
        2,
        from_address="mailer-daemon@mx.acme.test",
        auto="bounce",
        bounce_of=(ours,),
        subject="Undelivered Mail Returned to Sender",
    )
    receipt = take(desk, bounce)
    assert (receipt.threaded_by, receipt.number) == (Threading.BOUNCE, first.number)
    note = desk.ticket(on(first)).articles[-1]
    assert (note.sender, note.visibility) == ("system", "internal")
    assert note.subject.startswith("Delivery failed")


def test_a_follow_up_the_queue_rejects_is_quarantined_and_retried_later(
    desk: HelpDesk,
) -> None:
    desk.handle(ReconfigureQueue("General", follow_up=FollowUp.REJECT), ADMIN)
    first = take(desk, message(1))
    desk.change_status(on(first), "closed", None, "done", AGENT)
    late = message(2, in_reply_to=("<m1@acme.test>",))
    kept = take(desk, late)
    assert kept.reason == Quarantine.FOLLOW_UP_REJECTED
    assert len(desk.ticket(on(first)).articles) == 1
    desk.handle(ReconfigureQueue("General", follow_up=FollowUp.REOPEN), ADMIN)
    taken = desk.handle(RetryMail(kept.key, late, TERMS), ADMIN)
    assert (taken.state, taken.number) == (MailState.TAKEN, first.number)
    assert len(desk.ticket(on(first)).articles) == 2
    with pytest.raises(RuleViolation):
        desk.handle(RetryMail(kept.key, late, TERMS), ADMIN)


def test_a_retry_that_fails_again_keeps_it_and_a_discard_ends_it(
    desk: HelpDesk,
) -> None:
    lost = message(1, to=("nobody@desk.test",))
    kept = take(desk, lost)
    again = desk.handle(RetryMail(kept.key, lost, TERMS), ADMIN)
    assert (again.state, again.duplicate) == (MailState.QUARANTINED, False)
    gone = desk.handle(DiscardMail(kept.key, "spam"), ADMIN)
    assert gone.state is MailState.DISCARDED
    with pytest.raises(RuleViolation):
        desk.handle(DiscardMail(kept.key, "spam"), ADMIN)


def test_an_unreadable_message_is_kept_by_the_digest_of_its_bytes(
    desk: HelpDesk,
) -> None:
    raw = message(1).raw
    command = QuarantineMail(
        f"sha256:{raw.sha256}", raw, Quarantine.UNPARSABLE, "no headers at all"
    )
    kept = desk.handle(command, MAIL)
    assert (kept.state, kept.reason) == (MailState.QUARANTINED, Quarantine.UNPARSABLE)
    assert desk.handle(command, MAIL).duplicate


def test_a_new_sender_joins_the_organization_of_their_mail_domain(
    desk: HelpDesk,
) -> None:
    first = take(desk, message(1, from_address="new.person@acme.test"))
    assert desk.customer("new.person@acme.test").organization == "ACME"
    assert desk.ticket(on(first)).organization == "ACME"
    take(desk, message(2, from_address="elsewhere@else.test"))
    assert desk.customer("elsewhere@else.test").organization is None
