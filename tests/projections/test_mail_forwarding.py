"""A forward goes out by mail to the outside address, with the original's
attachments and outside the customer's thread; the answer threads back onto
the ticket as an internal article."""

from __future__ import annotations

from domain.articles import Article
from domain.attachments import AttachmentRef
from domain.commands import ForwardArticle
from domain.desk import TicketDraft
from domain.ticket import Ticket
from mail.delivery import Envelope
from mail.intake import IntakeLimits, MailIntake
from tests.capture_relay import CaptureRelay
from tests.projections.outbox_steps import TERMS, Outbox, mail_events
from tests.projections.work_desk import ALICE, BOB

VENDOR = "repairs@vendor.test"


def test_a_forward_is_mailed_and_its_answer_comes_back_internal(
    outbox: Outbox, relay: CaptureRelay
) -> None:
    desk = outbox.desk
    photo = b"\x89PNG smoke"
    ref = AttachmentRef("smoke.png", "image/png", len(photo), outbox.blobs.put(photo))
    first = Article(
        desk.new_article_id(),
        "customer",
        "public",
        "email",
        "It smokes.",
        subject="Printer",
        message_id="<bob1@acme.test>",
        attachments=[ref],
    )
    draft = TicketDraft(title="Printer", customer="bob@acme.test", queue="General")
    number = desk.open_ticket(draft, first, BOB).number
    forward = ForwardArticle(number, first.article_id, (VENDOR,), (), "Can you fix it?")
    forward_id = desk.handle(forward, ALICE).article_id
    assert outbox.worker.catch_up().sent == 1
    [mail] = relay.to(VENDOR)
    message = mail.message
    assert message["Subject"] == f"[Ticket#{number}] Fwd: Printer"
    assert message["In-Reply-To"] is None
    assert message["References"] is None
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    assert text.get_content().startswith("Can you fix it?")
    [part] = list(message.iter_attachments())
    assert (part.get_filename(), part.get_content()) == ("smoke.png", photo)
    assert relay.to("bob@acme.test") == []
    [sent] = mail_events(desk, number)
    assert isinstance(sent, Ticket.MailSent)
    assert (sent.article_id, sent.recipient) == (forward_id, VENDOR)
    # The vendor answers; the answer lands on the ticket for the agents only.
    answer = (
        f"From: {VENDOR}\r\nTo: support@desk.test\r\nSubject: Re: Fwd: Printer\r\n"
        f"Message-ID: <v1@vendor.test>\r\nIn-Reply-To: {message['Message-ID']}\r\n"
        "\r\nNew fuser needed.\r\n"
    ).encode()
    intake = MailIntake(desk, outbox.blobs, TERMS, IntakeLimits(10**6))
    intake.deliver(answer, Envelope(VENDOR, ("support@desk.test",), None))
    last = desk.ticket(number).articles[-1]
    assert (last.visibility, last.body.strip()) == ("internal", "New fuser needed.")
