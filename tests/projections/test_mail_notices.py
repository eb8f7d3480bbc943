"""The mail the outbox sends of its own accord, against a real relay on loopback:
an acknowledgement where the queue asks for one (never to automatic mail, nor
for a ticket an agent opened), notices to agents, and the queues' templates."""

from __future__ import annotations

from domain.articles import Article
from domain.audit import Origin
from domain.configuration_commands import ReconfigureQueue
from domain.desk import TicketDraft
from domain.mail import MailTerms
from domain.ticket import Ticket
from mail.delivery import Envelope
from mail.intake import IntakeLimits, MailIntake
from projections.engine.store import ViewStore
from projections.outbox.view import OutboxView
from tests.capture_relay import CaptureRelay, capture_relay
from tests.projections.outbox_steps import (
    BOB_EMAIL,
    Outbox,
    mail_events,
    outbox_on,
    reply,
)
from tests.projections.view_stores import assert_rebuilt_alike, wipe
from tests.projections.work_desk import ADMIN, ALICE, BOB, open_ticket

ALICE_EMAIL = "alice@x.test"


def acknowledging(outbox: Outbox, **templates: str) -> None:
    outbox.desk.handle(
        ReconfigureQueue(
            "General", acknowledge=True, mail_templates=tuple(templates.items())
        ),
        ADMIN,
    )


def test_no_acknowledgement_unless_the_queue_asks(
    outbox: Outbox, relay: CaptureRelay
) -> None:
    open_ticket(outbox.desk)
    outbox.worker.catch_up()
    assert relay.taken == []


def test_a_customer_who_opens_a_ticket_is_acknowledged_once(
    outbox: Outbox, relay: CaptureRelay, view_store: ViewStore
) -> None:
    acknowledging(
        outbox,
        acknowledgement="Dear {{ customer_name }}: {{ number }} / {{ title | upper }}",
    )
    desk = outbox.desk
    number = open_ticket(desk)
    # An agent opening a ticket on the customer's behalf sends none.
    open_ticket(desk, sender="agent")
    phone = Article(desk.new_article_id(), "customer", "public", "phone", "Rang")
    draft = TicketDraft(title="Phone", customer=BOB_EMAIL, queue="General")
    desk.open_ticket(draft, phone, ALICE)
    assert outbox.worker.catch_up().sent == 1
    assert outbox.worker.catch_up().sent == 0
    [ack] = relay.to(BOB_EMAIL)
    mail = ack.message
    assert mail["Subject"] == f"[Ticket#{number}] Printer"
    assert mail["Auto-Submitted"] == "auto-replied"
    name = desk.customer(BOB_EMAIL).name
    assert mail.get_content().strip() == f"Dear {name}: {number} / PRINTER"
    [sent] = mail_events(desk, number)
    assert isinstance(sent, Ticket.MailSent)
    assert (sent.notice, sent.cause, sent.article_id) == ("acknowledgement", 1, "")
    assert (
        MailTerms(message_id_domain="desk.test").sent_number(sent.message_id) == number
    )
    assert_rebuilt_alike(desk, view_store, OutboxView())


def test_automatic_mail_is_never_acknowledged(
    outbox: Outbox, relay: CaptureRelay
) -> None:
    acknowledging(outbox)
    desk = outbox.desk
    intake = MailIntake(
        desk, outbox.blobs, MailTerms(default_queue="General"), IntakeLimits(10**6)
    )
    for auto, subject in (("Auto-Submitted: auto-replied\r\n", "Away"), ("", "Help")):
        raw = (
            f"From: {BOB_EMAIL}\r\nTo: support@desk.test\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject}@acme.test>\r\n{auto}\r\nText\r\n"
        ).encode()
        intake.deliver(raw, Envelope(None, ("support@desk.test",), None))
    outbox.worker.catch_up()
    [ack] = relay.to(BOB_EMAIL)
    assert ack.message["Subject"].endswith("Help")


def test_agents_hear_of_assignments_and_of_their_customers(
    outbox: Outbox, relay: CaptureRelay
) -> None:
    desk = outbox.desk
    number = open_ticket(desk)
    # Being given a ticket by carol is news; taking one oneself is not.
    desk.assign(number, "alice", None, Origin("agent:carol"))
    desk.assign(number, "carol", None, Origin("agent:carol"))
    desk.assign(number, "alice", None, ALICE)
    words = Article(desk.new_article_id(), "customer", "public", "web", "Any news?")
    desk.add_article(number, words, BOB)
    reply(desk, number, visibility="internal", body="note to self")
    outbox.worker.catch_up()
    assigned, replied = relay.to(ALICE_EMAIL)
    assert assigned.message["Subject"] == f"[Ticket#{number}] Assigned to you: Printer"
    assert assigned.message["Auto-Submitted"] == "auto-generated"
    assert replied.message["Subject"].startswith(f"[Ticket#{number}] {BOB_EMAIL} wrote")
    assert "Any news?" in replied.message.get_content()
    assert relay.to("carol@x.test") == []
    notices = [e.notice for e in mail_events(desk, number)]  # type: ignore[attr-defined]
    assert notices == ["assigned", "customer_replied"]


def test_agent_notices_can_be_turned_off(view_store: ViewStore) -> None:
    wipe(view_store, OutboxView())
    with capture_relay() as relay:
        outbox = outbox_on(view_store, relay.url)
        outbox.worker.agent_notices = False
        number = open_ticket(outbox.desk)
        outbox.desk.assign(number, "alice", None, Origin("agent:carol"))
        outbox.worker.catch_up()
        assert relay.taken == []


def test_the_reply_template_wraps_every_reply(
    outbox: Outbox, relay: CaptureRelay
) -> None:
    acknowledging(outbox, reply="Hi {{ customer }},\n{{ body }}\n-- {{ agent }}")
    desk = outbox.desk
    number = open_ticket(desk, sender="agent")
    reply(desk, number, body="Fixed.")
    outbox.worker.catch_up()
    [mail] = relay.to(BOB_EMAIL)
    assert (
        mail.message.get_content().strip() == f"Hi {BOB_EMAIL},\nFixed.\n-- agent:alice"
    )


def test_a_template_that_fails_fails_the_mail_for_good(
    outbox: Outbox, relay: CaptureRelay
) -> None:
    acknowledging(outbox, reply="{{ body * 100000 }}")
    desk = outbox.desk
    number = open_ticket(desk, sender="agent")
    reply(desk, number)
    outbox.worker.catch_up()
    assert relay.taken == []
    [failed] = mail_events(desk, number)
    assert isinstance(failed, Ticket.MailFailed)
    assert failed.final
    assert "repeats above" in failed.reason
