"""Reading a raw RFC 822 message into plain data, whatever the bytes hold.

The standard library's `email` package (policy.default) does the parsing; this
module never raises on any input: a message it cannot read at all is
`Unparsable` with the reason, and anything odd inside one that it can (a broken
charset, a malformed header, a bad encoded-word) is read with replacement
characters and noted among its defects. No text field holds a NUL (the stores
refuse them), so each is replaced with U+FFFD.
"""

from __future__ import annotations

import contextlib
import mimetypes
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from enum import StrEnum
from typing import Any

from mail.html_text import html_to_text

#: Header names whose presence marks a message that nothing should answer.
_AUTOREPLY = ("x-autoreply", "x-autorespond", "x-auto-response-suppress")
_BULK = frozenset({"bulk", "junk", "list"})
_DAEMONS = frozenset({"mailer-daemon", "postmaster"})
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,900}>")
_MAX_FILENAME = 255
#: Raw 8-bit bytes the parser kept (surrogate escapes).
_ESCAPED = re.compile("[\udc80-\udcff]")
_MAIL_HEADERS = frozenset(
    {"from", "sender", "to", "cc", "subject", "message-id", "date"}
)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


class AutoKind(StrEnum):
    """Why a message is automatic: no answer goes back to it."""

    AUTO_SUBMITTED = "auto_submitted"
    LOOP = "loop"
    BULK = "bulk"
    BOUNCE = "bounce"


@dataclass(frozen=True)
class MailPart:
    """An attachment or inline part, with its content."""

    filename: str
    content_type: str
    content: bytes
    inline: bool = False
    content_id: str | None = None


@dataclass(frozen=True)
class ParsedMail:
    """A message as read: addresses lower-cased, text decoded, parts apart."""

    message_id: str | None
    in_reply_to: list[str]
    references: list[str]
    from_address: str | None
    from_name: str
    reply_to: str | None
    to: list[str]
    cc: list[str]
    delivered_to: list[str]
    subject: str
    date: datetime | None
    text: str
    html: str | None
    attachments: list[MailPart]
    auto: AutoKind | None
    x_loop: list[str]
    bounce_of: list[str]
    defects: list[str]
    size: int


@dataclass(frozen=True)
class Unparsable:
    """A message that cannot be read at all, and why."""

    reason: str


_MISSING = object()


class _ReadOnce(EmailMessage):
    """A parsed message part that builds each header's object once.

    policy.default parses a header afresh on every look, and parsing and
    reading a message (the parser asks each part's type three or four times;
    we read its addresses, types, charsets and file names) looks at some
    headers a dozen times: that was a third of the intake's time. The parser
    sets a part's headers before it reads any, and whatever sets a header
    forgets what was read.
    """

    _looks: dict[tuple[str, str], Any] | None = None

    def get(self, name: str, failobj: Any = None) -> Any:
        return self._looked("get", name, failobj)

    def get_all(self, name: str, failobj: Any = None) -> Any:
        return self._looked("get_all", name, failobj)

    def set_raw(self, name: str, value: Any) -> None:
        self._looks = None
        super().set_raw(name, value)

    def __setitem__(self, name: str, value: Any) -> None:
        self._looks = None
        super().__setitem__(name, value)

    def __delitem__(self, name: str) -> None:
        self._looks = None
        super().__delitem__(name)

    def replace_header(self, name: str, value: Any) -> None:
        self._looks = None
        super().replace_header(name, value)

    def add_header(self, _name: str, _value: str, **_params: Any) -> None:
        self._looks = None
        super().add_header(_name, _value, **_params)

    def set_boundary(self, boundary: str) -> None:
        self._looks = None
        super().set_boundary(boundary)

    def _looked(self, how: str, name: str, failobj: Any) -> Any:
        looks = self._looks
        if looks is None:
            looks = self._looks = {}
        read = getattr(super(), how)
        key = (how, name.lower())
        if key not in looks:
            looks[key] = read(name, _MISSING)
        value = looks[key]
        return failobj if value is _MISSING else value


class _KnownKinds(HeaderRegistry):
    """policy.default's header registry, building each kind of header once.

    The standard one makes a new class (type(...)) for every header it
    parses, the costliest single step of reading a header: the class of a
    kind (address, date, unstructured...) is the same every time, so it is
    made at its first use and kept. Kept per kind, not per header name: a
    message's names are the sender's to choose, the kinds are ours.
    """

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[type[Any], type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        kind = self.registry.get(name.lower(), self.default_class)
        made = self._made.get(kind)
        if made is None:
            made = self._made[kind] = type(
                "_" + kind.__name__, (kind, self.base_class), {}
            )
        return made


#: policy.default, with parts that build each header's object once.
READ_ONCE = policy.default.clone(
    message_factory=_ReadOnce, header_factory=_KnownKinds()
)


def parse_message(raw: bytes, max_bytes: int) -> ParsedMail | Unparsable:
    """The message in these bytes, or why there is none."""
    if len(raw) > max_bytes:
        return Unparsable(f"message larger than {max_bytes} bytes")
    if not raw.strip():
        return Unparsable("empty message")
    try:
        message = BytesParser(policy=READ_ONCE).parsebytes(raw)
        return _read(message, len(raw))
    # Anything: the email package has had parser bugs on hostile input.
    except Exception as error:
        return Unparsable(
            f"the mail parser failed: {type(error).__name__}: {error}"[:500]
        )


def _read(message: EmailMessage, size: int) -> ParsedMail | Unparsable:
    headers = {key.lower() for key in message}
    if not headers:
        return Unparsable("no header: not a mail message")
    if not headers & _MAIL_HEADERS:
        return Unparsable(
            "none of the headers From, Sender, To, Cc, Subject, Message-ID, Date: "
            "not a mail message"
        )
    senders = _addresses(message, "from") or _addresses(message, "sender")
    body = _Body()
    body.walk(message)
    auto, bounce_of = _automatic(message, senders)
    return ParsedMail(
        message_id=_first_id(_header(message, "message-id")),
        in_reply_to=_ids(_header(message, "in-reply-to")),
        references=_ids(_header(message, "references")),
        from_address=senders[0][1] if senders else None,
        from_name=senders[0][0] if senders else "",
        reply_to=next((a for _, a in _addresses(message, "reply-to")), None),
        to=_unique(a for _, a in _addresses(message, "to")),
        cc=_unique(a for _, a in _addresses(message, "cc")),
        delivered_to=_unique(
            a
            for name in ("delivered-to", "x-original-to", "envelope-to")
            for _, a in _addresses(message, name)
        ),
        subject=" ".join(_header(message, "subject").split()),
        date=_date(message),
        text=body.text(),
        html=body.html,
        attachments=body.attachments,
        auto=auto,
        x_loop=[_clean(v).strip() for v in _all(message, "x-loop")],
        bounce_of=bounce_of,
        defects=_defects(message),
        size=size,
    )


class _Body:
    """The text, the HTML and the attachments of a message's leaf parts."""

    def __init__(self) -> None:
        self.plain: list[str] = []
        self.html: str | None = None
        self.attachments: list[MailPart] = []

    def text(self) -> str:
        if self.plain:
            return "\n".join(self.plain)
        return html_to_text(self.html) if self.html else ""

    def walk(self, message: Message) -> None:
        for part, kind, parent in _leaves(message, ""):
            if kind.startswith("multipart/"):
                # A multipart whose boundary is missing: its content is text.
                kind = "text/plain"
            if not _is_body(part, kind):
                self._attach(part, kind)
            elif kind == "text/plain" and (not self.plain or parent != ALTERNATIVE):
                self.plain.append(_text(part))
            elif kind == "text/html" and self.html is None:
                self.html = _text(part)
            else:
                self._attach(part, kind)

    def _attach(self, part: Message, kind: str) -> None:
        content = _payload(part)
        kind = _clean(kind)[:200]
        name = _filename(part, len(self.attachments) + 1, kind)
        disposition = (part.get_content_disposition() or "").lower()
        content_id = _first_id(_clean(str(part.get("content-id", "") or "")))
        self.attachments.append(
            MailPart(name, kind, content, disposition == "inline", content_id)
        )


ALTERNATIVE = "multipart/alternative"


def _leaves(part: Message, parent: str) -> Iterator[tuple[Message, str, str]]:
    """The leaf parts, each with its media type and that of the multipart it
    sits in; an attached message (message/rfc822, a delivery status) is one
    leaf, not walked into. Each part's type is read once: policy.default parses
    the header afresh on every look."""
    kind = part.get_content_type()
    payload = part.get_payload()
    if kind.startswith("multipart/") and isinstance(payload, list):
        for child in payload:
            if isinstance(child, Message):
                yield from _leaves(child, kind)
    else:
        yield part, kind, parent


def _is_body(part: Message, kind: str) -> bool:
    """Whether a leaf is text of the message (not a file attached to it)."""
    if kind not in ("text/plain", "text/html"):
        return False
    with contextlib.suppress(Exception):
        if part.get_filename():
            return False
    return (part.get_content_disposition() or "").lower() != "attachment"


def _text(part: Message) -> str:
    """A text part's content as text: in its declared charset if the bytes are
    that, else UTF-8, else Latin-1 (which reads any bytes)."""
    data = _payload(part)
    charset = "utf-8"
    with contextlib.suppress(Exception):
        charset = part.get_content_charset() or "utf-8"
    return _clean(_decoded(data, charset).replace("\r\n", "\n"))


def _decoded(data: bytes, charset: str) -> str:
    for candidate in (charset, "utf-8"):
        with contextlib.suppress(LookupError, UnicodeDecodeError, ValueError):
            return data.decode(candidate)
    return data.decode("latin-1")


def _payload(part: Message) -> bytes:
    """A part's content as bytes, its transfer encoding undone."""
    with contextlib.suppress(Exception):
        data = part.get_payload(decode=True)
        if isinstance(data, bytes):
            return data
    with contextlib.suppress(Exception):
        data = part.get_payload()
        if isinstance(data, str):
            return data.encode("utf-8", errors="replace")
        if isinstance(data, list):
            return b"".join(p.as_bytes() for p in data if isinstance(p, Message))
    return b""


def _filename(part: Message, index: int, kind: str) -> str:
    name = ""
    with contextlib.suppress(Exception):
        name = part.get_filename() or ""
    # The last segment of any path it names ("../../etc/passwd": "passwd").
    name = re.split(r"[/\\]", _clean(name))[-1]
    name = _UNSAFE_NAME.sub("", name).strip(" .")
    if not name:
        extension = mimetypes.guess_extension(kind) or ".bin"
        name = f"attachment-{index}{extension}"
    return name[-_MAX_FILENAME:]


def _automatic(
    message: EmailMessage, senders: list[tuple[str, str]]
) -> tuple[AutoKind | None, list[str]]:
    """Why the message is automatic, and for a bounce the ids of what bounced."""
    sender = senders[0][1] if senders else ""
    if _is_bounce(message, sender):
        return AutoKind.BOUNCE, _bounced_ids(message)
    auto_submitted = _header(message, "auto-submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return AutoKind.AUTO_SUBMITTED, []
    if _all(message, "x-loop"):
        return AutoKind.LOOP, []
    if _header(message, "precedence").strip().lower() in _BULK or any(
        _all(message, name) for name in _AUTOREPLY
    ):
        return AutoKind.BULK, []
    return None, []


def _is_bounce(message: EmailMessage, sender: str) -> bool:
    if message.get_content_type() == "multipart/report":
        report = str(message.get_param("report-type", "") or "").lower()
        if report in ("delivery-status", ""):
            return True
    if sender.partition("@")[0] in _DAEMONS:
        return True
    return _header(message, "return-path").strip() == "<>"


def _bounced_ids(message: EmailMessage) -> list[str]:
    """The Message-IDs of the message a bounce returns (its attached copy or
    headers), then its own In-Reply-To and References."""
    found: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                found += _ids(_clean(str(inner.get("message-id", "") or "")))
        elif kind in ("text/rfc822-headers", "message/rfc822-headers"):
            headers = BytesParser(policy=policy.default).parsebytes(
                _payload(part), headersonly=True
            )
            found += _ids(_clean(str(headers.get("message-id", "") or "")))
    found += _ids(_header(message, "in-reply-to"))
    found += _ids(_header(message, "references"))
    return _unique(found)


def _header(message: Message, name: str) -> str:
    """A header's value, decoded; "" when absent or beyond reading. Raw 8-bit
    bytes (no encoded-word) are read as UTF-8, else Latin-1, not replaced."""
    with contextlib.suppress(Exception):
        value = message.get(name)
        if value is not None:
            text = str(value)
            if "\ufffd" in text:
                text = _raw_header(message, name) or text
            return _clean(text)
    with contextlib.suppress(Exception):
        raw = message.get_all(name, failobj=[]) or []
        if raw:
            return _clean(str(raw[0]))
    return ""


def _raw_header(message: Message, name: str) -> str | None:
    """The header as it came, where the parser kept raw 8-bit bytes in it."""
    for key, value in message.raw_items():
        if key.lower() == name and isinstance(value, str) and _ESCAPED.search(value):
            return " ".join(value.split())
    return None


def _all(message: Message, name: str) -> list[str]:
    values: list[str] = []
    with contextlib.suppress(Exception):
        values = [str(v) for v in message.get_all(name, failobj=[]) or []]
    return values


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    """(display name, lower-cased address) of each mailbox in the headers."""
    values = _all(message, name)
    found: list[tuple[str, str]] = []
    with contextlib.suppress(Exception):
        for display, address in getaddresses([_clean(v) for v in values]):
            address = address.strip().lower()
            if "@" in address and " " not in address and len(address) <= 320:
                found.append((" ".join(display.split())[:200], address))
    return found


def _ids(value: str) -> list[str]:
    return _unique(_MESSAGE_ID.findall(value))


def _first_id(value: str) -> str | None:
    found = _ids(value)
    return found[0] if found else None


def _date(message: Message) -> datetime | None:
    with contextlib.suppress(Exception):
        when = parsedate_to_datetime(_header(message, "date"))
        # "-0000" (no zone known) is taken as UTC.
        return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return None


def _defects(message: Message) -> list[str]:
    found: list[str] = []
    for part in message.walk():
        found += [type(d).__name__ for d in getattr(part, "defects", [])]
    return _unique(found)[:50]


def _unique(values: Iterable[object]) -> list[str]:
    """The values as text, each once, in their first order."""
    return list(dict.fromkeys(str(value) for value in values))


def _clean(text: str) -> str:
    """The text without NULs (U+FFFD instead) or lone surrogates: raw 8-bit
    bytes the parser kept as surrogates are read as UTF-8, else Latin-1."""
    if _ESCAPED.search(text):
        with contextlib.suppress(UnicodeError):
            text = _decoded(text.encode("utf-8", errors="surrogateescape"), "utf-8")
    text = text.replace("\0", "\ufffd")
    return text.encode("utf-8", errors="replace").decode("utf-8")
