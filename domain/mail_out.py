"""Mail that goes out: which articles are mailed, to whom, under which Message-ID.

A public agent article on the email channel is a mail: to its `to` addresses
(the ticket's customer when it names none) and its `cc`. Each recipient is one
delivery, with a Message-ID made from the ticket, the article and the
recipient, so a delivery tried again (after a failure, or a crash between the
relay's answer and the record of it) goes out under the same Message-ID and
the receiving side can tell it for the same mail. Internal notes, customer and
system articles are never mailed from here: they are not addressed to anyone.

What became of a delivery is recorded on the ticket (MailSent, MailFailed;
actor `system:mail`): the audit trail shows what was sent, to whom, and when.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from domain.articles import Article, Channel, Sender, Visibility
from domain.errors import InvalidValue
from domain.people import check_email

MAIL_ACTOR = "system:mail"
#: The longest reason a failure records (a relay's answer can be long).
MAX_REASON = 1000
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


class ArticleParts(Protocol):
    """What decides whether an article is mailed: an Article, or its event."""

    @property
    def sender(self) -> str: ...
    @property
    def visibility(self) -> str: ...
    @property
    def channel(self) -> str: ...


def is_outgoing(article: ArticleParts) -> bool:
    """Whether the article is a mail the desk sends."""
    return (
        article.sender == Sender.AGENT
        and article.visibility == Visibility.PUBLIC
        and article.channel == Channel.EMAIL
    )


def addressed(article: Article, customer: str) -> Article:
    """An outgoing article with its recipients checked, to the customer if to none.

    Any other article is returned as it is.
    """
    if not is_outgoing(article):
        return article
    to = list(article.to) or [customer]
    for address in (*to, *article.cc):
        check_email(address)
    if not to:
        raise InvalidValue("a mail needs a recipient")
    return replace(article, to=to)


def recipients(to: list[str], cc: list[str]) -> list[str]:
    """Each address an outgoing article goes to, once, in order (to, then cc)."""
    seen: dict[str, str] = {}
    for address in (*to, *cc):
        seen.setdefault(address.casefold(), address)
    return list(seen.values())


class Notice(StrEnum):
    """The mail the outbox sends of its own accord, beside the articles."""

    #: To a customer who opened a ticket, where the queue acknowledges.
    ACKNOWLEDGEMENT = "acknowledgement"
    #: To an agent a ticket was assigned to (by somebody else).
    ASSIGNED = "assigned"
    #: To the owner of a ticket its customer wrote on.
    CUSTOMER_REPLIED = "customer_replied"


#: The notices that go to agents.
AGENT_NOTICES = frozenset({Notice.ASSIGNED, Notice.CUSTOMER_REPLIED})


def check_notice(notice: str) -> Notice:
    """The notice of this name; InvalidValue if there is none."""
    try:
        return Notice(notice)
    except ValueError:
        allowed = ", ".join(n.value for n in Notice)
        raise InvalidValue(f"unknown notice {notice!r}; one of {allowed}") from None


def mail_name(article_id: str, notice: str = "", cause: int = 0) -> str:
    """What is mailed: an article (by its id), or a notice and the version of
    the ticket that called for it (an acknowledgement is of version 1)."""
    return f"{notice}-{cause}" if notice else article_id


def delivery_key(name: str, recipient: str) -> str:
    """The key of one delivery: a mail (mail_name) to one recipient."""
    return f"{name} {recipient.casefold()}"


def sent_message_id(number: str, name: str, recipient: str, domain: str) -> str:
    """The Message-ID of a mail (mail_name) to one recipient: the same on every try.

    Of the form <ticket.NUMBER.NAME.R@domain> that threading recognizes
    (MailTerms.sent_number), R a digest of the recipient.
    """
    digest = hashlib.sha256(recipient.casefold().encode()).hexdigest()[:12]
    safe = _UNSAFE.sub("_", name)[:64]
    return f"<ticket.{number}.{safe}.{digest}@{domain}>"


@dataclass(frozen=True)
class Delivery:
    """One try at a delivery, as the mail worker tells it: sent, or why not.

    An article's mail names the article; a notice names its kind and the
    ticket version that called for it (and the article it is about, if any).
    `retry_at` is when to try again; None with an error is a final failure.
    """

    article_id: str
    recipient: str
    message_id: str
    error: str | None = None
    retry_at: datetime | None = None
    notice: str = ""
    cause: int = 0

    @property
    def name(self) -> str:
        """What is mailed (mail_name)."""
        return mail_name(self.article_id, self.notice, self.cause)

    @property
    def key(self) -> str:
        """The delivery's key (delivery_key)."""
        return delivery_key(self.name, self.recipient)

    @property
    def reason(self) -> str:
        """The error, cut to what a failure records."""
        return (self.error or "")[:MAX_REASON]


FORWARD_LINE = "---------- Forwarded message ----------"


def forwarded_text(source: Article, comment: str) -> str:
    """A forward's body: the comment, then the article quoted with its header."""
    written = source.created_at.isoformat() if source.created_at else ""
    header = [
        FORWARD_LINE,
        f"From: {source.from_address or source.author or source.sender}",
        f"Date: {written}",
        f"Subject: {source.subject}",
    ]
    if source.to:
        header.append(f"To: {', '.join(source.to)}")
    quoted = "\n".join(header) + "\n\n" + source.body
    return f"{comment.strip()}\n\n{quoted}" if comment.strip() else quoted


def forward_subject(subject: str) -> str:
    """The subject of a forward: "Fwd: " before the original's, once."""
    return subject if subject.casefold().startswith("fwd:") else f"Fwd: {subject}"
