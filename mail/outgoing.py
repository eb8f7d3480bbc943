"""An outgoing article as the mail one recipient gets.

The mail carries the ticket's tag in its subject ([Ticket#NUMBER]) and chains
the thread: In-Reply-To names the message the article answers (the one it
says, else the latest message of the ticket this recipient has seen), and
References the ticket's messages before it. Its Message-ID is the delivery's
own (domain/mail_out.py), so a mail sent twice is the same mail. X-Loop marks
it as ours: when it comes back, the intake knows it for a loop.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from domain.articles import Article
from domain.attachments import BlobStore
from domain.mail import MailTerms
from domain.mail_out import Notice, is_outgoing, recipients, sent_message_id
from domain.ticket import Ticket

#: How many earlier messages References names (the first and the latest).
MAX_REFERENCES = 20
_LINE_BREAKS = re.compile(r"[\r\n\t\x00-\x1f\x7f]+")


class MissingAttachment(Exception):
    """An attachment's content is not in the blob store: the mail cannot go."""


@dataclass(frozen=True)
class Letterhead:
    """Who the mail is from, and how the desk marks its mail."""

    sender: str
    terms: MailTerms


def compose(
    ticket: Ticket,
    article: Article,
    recipient: str,
    head: Letterhead,
    blobs: BlobStore,
    text: str | None = None,
    thread: bool = True,
) -> EmailMessage:
    """The mail of this outgoing article to this recipient (its body as the
    queue's reply template made it, if given); in the ticket's thread unless
    not (a forward to a third party names none of the customer's messages)."""
    terms = head.terms
    message = EmailMessage(policy=SMTP)
    message["From"] = head.sender
    message["To"] = ", ".join(article.to)
    if article.cc:
        message["Cc"] = ", ".join(article.cc)
    message["Subject"] = subject(ticket, article.subject, terms)
    message["Message-ID"] = sent_message_id(
        ticket.number, article.article_id, recipient, terms.message_id_domain
    )
    if article.created_at is not None:
        message["Date"] = format_datetime(article.created_at)
    earlier = _thread(ticket, article, recipient, terms) if thread else []
    ids = [_one_line(i) for i in earlier]
    answered = _one_line(article.in_reply_to or "") or (ids[-1] if ids else "")
    if answered and thread:
        message["In-Reply-To"] = answered
        references = [r for r in ids if r != answered] + [answered]
        message["References"] = " ".join(_kept(references))
    message["X-Loop"] = terms.loop_mark
    if article.sender != "agent":
        # Written by the desk, not a person: no auto-reply may answer it.
        message["Auto-Submitted"] = "auto-replied"
    message.set_content(article.body if text is None else text)
    if article.body_html and text is None:
        message.add_alternative(article.body_html, subtype="html")
    for ref in article.attachments:
        content = blobs.get(ref.sha256)
        if content is None:
            raise MissingAttachment(f"attachment {ref.name!r} ({ref.sha256}) is gone")
        kind, _, subtype = ref.content_type.partition("/")
        message.add_attachment(
            content,
            maintype=kind or "application",
            subtype=subtype or "octet-stream",
            filename=_one_line(ref.name) or "attachment",
        )
    return message


def notice_mail(
    ticket: Ticket,
    name: str,
    recipient: str,
    head: Letterhead,
    notice: Notice,
    title: str,
    text: str,
) -> EmailMessage:
    """A notice (domain.mail_out.Notice) of the ticket to one recipient: marked
    automatic, so no auto-responder answers it; an acknowledgement answers the
    message that opened the ticket."""
    terms = head.terms
    message = EmailMessage(policy=SMTP)
    message["From"] = head.sender
    message["To"] = recipient
    message["Subject"] = subject(ticket, title, terms)
    message["Message-ID"] = sent_message_id(
        ticket.number, name, recipient, terms.message_id_domain
    )
    message["Date"] = format_datetime(datetime.now(UTC))
    opening = ticket.articles[0].message_id if ticket.articles else None
    if notice is Notice.ACKNOWLEDGEMENT and opening:
        message["In-Reply-To"] = message["References"] = _one_line(opening)
    message["X-Loop"] = terms.loop_mark
    automatic = "auto-replied" if notice is Notice.ACKNOWLEDGEMENT else "auto-generated"
    message["Auto-Submitted"] = automatic
    message.set_content(text)
    return message


def subject(ticket: Ticket, wanted: str, terms: MailTerms) -> str:
    """The subject wanted (else the ticket's title), tagged with the number."""
    text = _one_line(wanted) or _one_line(ticket.title)
    if terms.tagged_number(text) == ticket.number:
        return text
    return f"[{terms.tag}{ticket.number}] {text}".strip()


def _thread(
    ticket: Ticket, article: Article, recipient: str, terms: MailTerms
) -> list[str]:
    """The Message-IDs before the article that the recipient may know of."""
    ids: list[str] = []
    for earlier in ticket.articles:
        if earlier.article_id == article.article_id:
            break
        if earlier.message_id and earlier.is_public:
            ids.append(earlier.message_id)
        elif is_outgoing(earlier) and recipient.casefold() in {
            r.casefold() for r in recipients(earlier.to, earlier.cc)
        }:
            ids.append(
                sent_message_id(
                    ticket.number,
                    earlier.article_id,
                    recipient,
                    terms.message_id_domain,
                )
            )
    return ids


def _kept(references: Sequence[str]) -> list[str]:
    """The first message and the latest ones, as RFC 5322 suggests."""
    if len(references) <= MAX_REFERENCES:
        return list(references)
    return [references[0], *references[-(MAX_REFERENCES - 1) :]]


def _one_line(text: str) -> str:
    """Text fit for a header: no line breaks or control characters."""
    return _LINE_BREAKS.sub(" ", text).strip()
