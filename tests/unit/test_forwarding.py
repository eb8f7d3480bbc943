"""Forwarding an article (Splynx "forward the answer"): an internal agent article
on the email channel, to outside addresses, with the comment, the original
quoted and its attachments; only its recipients can be recorded as mailed."""

from __future__ import annotations

import pytest

from domain.articles import Article
from domain.attachments import AttachmentRef
from domain.audit import Origin
from domain.commands import Close, ForwardArticle, RecordDelivery
from domain.desk import HelpDesk
from domain.errors import InvalidValue, NotFound, TicketClosed
from domain.mail_out import MAIL_ACTOR, Delivery
from domain.ticket import Ticket

from .builders import ALICE, OpenTicket, event_names, stored_events

VENDOR = "repairs@vendor.test"
PDF = AttachmentRef("photo.jpg", "image/jpeg", 3, "ab" * 32)


def first_article(desk: HelpDesk) -> Article:
    return Article(
        desk.new_article_id(),
        "customer",
        "public",
        "web",
        "The printer smokes.",
        subject="Printer",
        attachments=[PDF],
    )


def test_a_forward_is_an_internal_mail_with_the_original_quoted(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    source = first_article(desk)
    number = open_ticket(source)
    forward = ForwardArticle(
        number, source.article_id, (VENDOR,), ("boss@acme.test",), "Can you fix it?"
    )
    result = desk.handle(forward, ALICE)
    ticket = desk.ticket(number)
    article = ticket.article(result.article_id or "")
    assert (article.sender, article.visibility, article.channel) == (
        "agent",
        "internal",
        "email",
    )
    assert (article.to, article.cc) == ([VENDOR], ["boss@acme.test"])
    assert article.subject == "Fwd: Printer"
    assert article.body.startswith("Can you fix it?\n\n")
    assert "---------- Forwarded message ----------" in article.body
    assert "The printer smokes." in article.body
    assert article.attachments == [PDF]
    assert ticket.forwarded == [article.article_id]
    assert event_names(desk, number)[-2:] == ["ArticleAdded", "ArticleForwarded"]
    forwarded = stored_events(desk, number)[-1]
    assert isinstance(forwarded, Ticket.ArticleForwarded)
    assert forwarded.source_article_id == source.article_id
    # Its recipients may be recorded as mailed, and nobody else.
    outbox = Origin(MAIL_ACTOR)
    sent = Delivery(article.article_id, VENDOR, "<x@y>")
    desk.handle(RecordDelivery(number, sent), outbox)
    stranger = Delivery(article.article_id, "eve@evil.test", "<x@y>")
    with pytest.raises(InvalidValue):
        desk.handle(RecordDelivery(number, stranger), outbox)
    assert event_names(desk, number)[-1] == "MailSent"


@pytest.mark.parametrize(
    ("to", "source", "error"),
    [
        ((), None, InvalidValue),
        (("not an address",), None, InvalidValue),
        ((VENDOR + "\r\nBcc: all@x.test",), None, InvalidValue),
        ((VENDOR,), "nope", NotFound),
    ],
)
def test_a_bad_forward_is_refused_and_nothing_recorded(
    desk: HelpDesk,
    open_ticket: OpenTicket,
    to: tuple[str, ...],
    source: str | None,
    error: type[Exception],
) -> None:
    first = first_article(desk)
    number = open_ticket(first)
    before = event_names(desk, number)
    with pytest.raises(error):
        desk.handle(
            ForwardArticle(number, source or first.article_id, to, (), "x"), ALICE
        )
    assert event_names(desk, number) == before


def test_a_closed_ticket_forwards_nothing(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    first = first_article(desk)
    number = open_ticket(first)
    desk.handle(Close(number), ALICE)
    with pytest.raises(TicketClosed):
        desk.handle(ForwardArticle(number, first.article_id, (VENDOR,)), ALICE)
