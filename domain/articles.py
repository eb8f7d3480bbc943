"""Articles: the replies, internal notes and phone notes that make up a ticket."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.attachments import AttachmentRef
from domain.errors import InvalidValue

MAX_BODY = 1_000_000
MAX_SUBJECT = 998
#: Field metadata: the edge makes this value up afresh on every retry (an id,
#: a timestamp), so it is not part of what the caller asked for (see
#: domain/commands.py's fingerprint).
NOT_ASKED = {"fingerprint": False}


class Sender(StrEnum):
    """Who wrote an article."""

    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class Visibility(StrEnum):
    """Public articles reach the customer; internal ones never do."""

    PUBLIC = "public"
    INTERNAL = "internal"


class Channel(StrEnum):
    """How an article (or a ticket) came in."""

    EMAIL = "email"
    WEB = "web"
    PHONE = "phone"
    CHAT = "chat"
    API = "api"
    NOTE = "note"


@dataclass(frozen=True)
class Article:
    """One article as it stands in the ticket; articles are never edited."""

    article_id: str = field(metadata=NOT_ASKED)
    sender: str
    visibility: str
    channel: str
    body: str
    subject: str = ""
    body_html: str | None = None
    from_address: str | None = None
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    attachments: list[AttachmentRef] = field(default_factory=list)
    message_id: str | None = None
    in_reply_to: str | None = None
    time_spent_minutes: int = 0
    author: str = field(default="", metadata=NOT_ASKED)
    created_at: datetime | None = field(default=None, metadata=NOT_ASKED)

    @property
    def is_public(self) -> bool:
        """Whether the article is written for the customer (not an internal note)."""
        return self.visibility == Visibility.PUBLIC


def check_article(article: Article) -> Article:
    """The article itself if its parts are well-formed."""
    _choice(article.sender, Sender, "sender")
    _choice(article.visibility, Visibility, "visibility")
    _choice(article.channel, Channel, "channel")
    if article.sender == Sender.CUSTOMER and not article.is_public:
        raise InvalidValue("customers write public articles only")
    if not article.body.strip() and not article.attachments:
        raise InvalidValue("an article needs a body or an attachment")
    if len(article.body) > MAX_BODY or len(article.body_html or "") > MAX_BODY:
        raise InvalidValue(f"an article body has at most {MAX_BODY} characters")
    if len(article.subject) > MAX_SUBJECT:
        raise InvalidValue(f"a subject has at most {MAX_SUBJECT} characters")
    if not 0 <= article.time_spent_minutes <= 10_000:
        raise InvalidValue("time spent is 0 to 10000 minutes")
    if len(article.to) + len(article.cc) > 100:
        raise InvalidValue("at most 100 recipients")
    return article


def _choice(value: str, choices: type[StrEnum], what: str) -> None:
    if value not in {c.value for c in choices}:
        allowed = ", ".join(c.value for c in choices)
        raise InvalidValue(f"unknown {what} {value!r}; one of {allowed}")
