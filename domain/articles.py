"""Articles: the replies, internal notes and phone notes that make up a ticket."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, overload

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


Unpack = Callable[[bytes], list[Article]]
"""Turns articles as a snapshot stored them back into articles."""


class Articles(Sequence[Article]):
    """A ticket's articles, oldest first.

    A snapshot brings them packed, as it stored them, with their ids; they are
    unpacked the first time something reads them. A long ticket's load for a
    status change, an assignment or a clock's mark never does: a thousand
    articles are some 670 KB to decode, the rest of the ticket one. Ids and
    the count are known without unpacking; adding an article does not unpack.
    """

    __slots__ = ("_ids", "_items", "_shelf")

    def __init__(self, items: Iterable[Article] = ()) -> None:
        self._items: list[Article] | None = list(items)
        self._ids = [a.article_id for a in self._items]
        # While packed: the stored form, the articles added since, the unpacker.
        # One attribute, read once, so a reader racing an unpacking one sees
        # either the whole shelf or the unpacked list.
        self._shelf: tuple[bytes, list[Article], Unpack] | None = None

    @classmethod
    def packed(cls, ids: Iterable[str], packed: bytes, unpack: Unpack) -> Articles:
        """Articles in their stored form, unpacked when first read."""
        return cls._restore(list(ids), packed, [], unpack)

    @classmethod
    def _restore(
        cls, ids: list[str], packed: bytes, added: list[Article], unpack: Unpack
    ) -> Articles:
        articles = cls()
        articles._items, articles._ids = None, ids
        articles._shelf = (packed, added, unpack)
        return articles

    def ids(self) -> list[str]:
        """The articles' ids, oldest first, without unpacking them."""
        return list(self._ids)

    def has(self, article_id: str) -> bool:
        """Whether an article with this id is among them."""
        return article_id in self._ids

    def append(self, article: Article) -> None:
        """Add an article at the end (a packed shelf stays packed)."""
        shelf = self._shelf
        if shelf is None:
            self._list().append(article)
        else:
            shelf[1].append(article)
        self._ids.append(article.article_id)

    def still_packed(self) -> tuple[bytes, list[Article]] | None:
        """The stored form and the articles added after it, if not unpacked yet."""
        shelf = self._shelf
        return None if shelf is None else (shelf[0], shelf[1])

    def _list(self) -> list[Article]:
        items = self._items
        if items is None:
            shelf = self._shelf
            if shelf is None:  # unpacked meanwhile by another reader
                return self._list()
            packed, added, unpack = shelf
            items = unpack(packed) + added
            self._items = items
            self._shelf = None
        return items

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> Article: ...

    @overload
    def __getitem__(self, index: slice) -> list[Article]: ...

    def __getitem__(self, index: int | slice) -> Article | list[Article]:
        return self._list()[index]

    def __iter__(self) -> Iterator[Article]:
        return iter(self._list())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Articles):
            return self._ids == other._ids and self._list() == other._list()
        if isinstance(other, list):
            return self._list() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Articles({len(self._ids)} articles)"

    def __reduce__(self) -> tuple[Any, ...]:
        # A copy (the desk changes copies of the records it shares) stays packed.
        shelf = self._shelf
        if shelf is None:
            return (Articles, (self._list(),))
        packed, added, unpack = shelf
        return (Articles._restore, (list(self._ids), packed, list(added), unpack))


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
