"""The mail listener: SMTP (or LMTP) on aiosmtpd, handing each message in.

A message is answered 250 only once the intake has recorded it (an article, or
quarantined); 451 (try again later) when the intake failed for a passing cause
(the store is away), so the sending server keeps the message and delivers it
again; 550 when the intake refuses it for good; 552 when it is too large. With
LMTP, DATA is answered once per recipient, as RFC 2033 wants.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
from dataclasses import dataclass
from email._header_value_parser import get_addr_spec, get_angle_addr
from email.errors import HeaderParseError
from typing import Any, AnyStr

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Session
from aiosmtpd.smtp import Envelope as SmtpEnvelope

from mail.delivery import Deliver, Envelope
from mail.smtp_data import WholeData

log = logging.getLogger("tickettape.mail")


@dataclass(frozen=True)
class ListenerSettings:
    """Where and how the listener listens."""

    host: str = "127.0.0.1"
    port: int = 2525
    lmtp: bool = False
    max_bytes: int = 25 * 1024 * 1024
    #: The recipient domains taken; empty: any.
    accept_domains: tuple[str, ...] = ()
    #: Connections open at once; one more is told 421 (try later) and closed.
    max_connections: int = 100
    #: Recipients of one message; one more is told 452 (the sender sends the
    #: rest in another transaction, as RFC 5321 wants).
    max_recipients: int = 100


class MailHandler:
    """aiosmtpd's handler: recipients checked, messages handed to the intake."""

    def __init__(self, deliver: Deliver, settings: ListenerSettings) -> None:
        self.deliver, self.settings = deliver, settings

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,
        session: Session,
        envelope: SmtpEnvelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        """Take a recipient of an accepted domain (any when none are set)."""
        if len(envelope.rcpt_tos) >= self.settings.max_recipients:
            return "452 4.5.3 Too many recipients"
        domains = {d.casefold() for d in self.settings.accept_domains}
        domain = address.rpartition("@")[2].casefold()
        if domains and domain not in domains:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: SmtpEnvelope
    ) -> str:
        """Hand the message in, and answer once it is recorded (or why not)."""
        raw = envelope.original_content or b""
        if len(raw) > self.settings.max_bytes:
            return "552 5.3.4 Message too big"
        peer = session.peer[0] if isinstance(session.peer, tuple) else None
        handed = Envelope(
            _sender(envelope.mail_from), tuple(envelope.rcpt_tos), peer and str(peer)
        )
        try:
            receipt = await asyncio.to_thread(self.deliver, raw, handed)
        except Exception:
            log.exception("mail from %s not recorded: asked to try again", peer)
            return "451 4.3.0 Not recorded now, try again later"
        if not receipt.accepted:
            return f"550 5.7.1 {_one_line(receipt.detail)}"
        return f"250 2.0.0 Message accepted: {_one_line(receipt.detail)}"


def _sender(address: str | None) -> str | None:
    """The envelope sender; none for the null sender "<>" of bounces."""
    return None if address in (None, "", "<>") else address


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]


class _AddressesOnce:
    """aiosmtpd's reading of the address of MAIL FROM and RCPT TO, the same
    steps without a class made on every command.

    Its `_getaddr` declares a typing.Protocol inside itself, and building that
    class is 60 of the 85 us each MAIL and RCPT costs; tests/integration/
    test_mail_listener.py checks that both read every address alike.
    """

    local_part_limit: int

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        if not arg:
            return "", ""
        read = get_angle_addr if arg.lstrip().startswith("<") else get_addr_spec
        try:
            address, rest = read(arg)
        except HeaderParseError:
            return None, None
        addr = str(address.addr_spec)
        if self.local_part_limit and len(addr.rpartition("@")[0]) > (
            self.local_part_limit
        ):
            return None, None
        return addr, rest


class Turnstile:
    """The connections open on one listener, and how many may be; counted on
    the listener's event loop alone."""

    def __init__(self, limit: int) -> None:
        self.limit, self.open = limit, 0


class _Admitted(SMTP):
    """A session admitted through the listener's turnstile, or told 421 and
    closed before it starts (a flood of connections cannot take every file
    descriptor, nor the memory of a session each)."""

    turnstile = Turnstile(0)
    _admitted = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not self._admitted:  # STARTTLS makes a second one, on the same session
            if self.turnstile.open >= self.turnstile.limit:
                assert isinstance(transport, asyncio.WriteTransport)
                transport.write(b"421 4.7.0 Too many connections, try again later\r\n")
                transport.close()
                return
            self.turnstile.open += 1
            self._admitted = True
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if not self._admitted:
            return  # turned away: its session never began
        self._admitted = False
        self.turnstile.open -= 1
        super().connection_lost(error)

    def eof_received(self) -> bool | None:
        return super().eof_received() if self._admitted else False


class _SMTP(_AddressesOnce, WholeData, _Admitted):
    """aiosmtpd's SMTP, reading addresses without a class per command and a
    message in blocks."""


class _SmtpController(Controller):
    """aiosmtpd's threaded controller, with the SMTP above."""

    turnstile = Turnstile(0)

    def factory(self) -> SMTP:
        session = _SMTP(self.handler, **self.SMTP_kwargs)
        session.turnstile = self.turnstile
        return session


class _RecipientsLMTP(_AddressesOnce, WholeData, _Admitted, LMTP):
    """aiosmtpd's LMTP, answering the end of DATA once per recipient.

    RFC 2033 wants one answer per recipient after the message, and an LMTP
    client waits for them all; aiosmtpd's LMTP sends the one answer SMTP sends,
    whether the handler's or its own (552 too much data, 500 line too long).
    So the answer that follows "354" is said once for every recipient.
    """

    _answers_due = 0

    async def push(self, status: AnyStr) -> None:
        text = status if isinstance(status, str) else status.decode()
        if self._answers_due:
            text, self._answers_due = "\r\n".join([text] * self._answers_due), 0
        elif text.startswith("354") and self.envelope is not None:
            self._answers_due = len(self.envelope.rcpt_tos)
        await super().push(text)


class _LmtpController(Controller):
    """aiosmtpd's threaded controller, speaking LMTP."""

    turnstile = Turnstile(0)

    def factory(self) -> LMTP:
        session = _RecipientsLMTP(self.handler, **self.SMTP_kwargs)
        session.turnstile = self.turnstile
        return session


class MailListener:
    """The SMTP or LMTP listener on a thread of its own; start() and stop()."""

    def __init__(self, deliver: Deliver, settings: ListenerSettings) -> None:
        self.settings = settings
        self.port = settings.port or free_port(settings.host)
        kind = _LmtpController if settings.lmtp else _SmtpController
        parameters: dict[str, Any] = {
            # Room for the envelope and the protocol's dot-stuffing: the size
            # itself is judged on the message (552 above).
            "data_size_limit": settings.max_bytes + 64 * 1024,
            "enable_SMTPUTF8": True,
        }
        self._controller = kind(
            MailHandler(deliver, settings),
            hostname=settings.host,
            port=self.port,
            server_hostname="tickettape",
            **parameters,
        )
        self._controller.turnstile = Turnstile(settings.max_connections)

    def start(self) -> None:
        """Listen, on a thread of its own; raises when it cannot (port taken)."""
        try:
            self._controller.start()
        except Exception:
            # aiosmtpd leaves its event loop open when it could not listen.
            self._controller.stop(no_assert=True)
            self._controller.loop.close()
            raise

    def stop(self) -> None:
        """Stop listening; a message being delivered is answered first."""
        self._controller.stop()


def free_port(host: str) -> int:
    """A port nothing listens on now (for port 0: tests, one-off runs)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def serve_forever(listener: MailListener) -> None:
    """Listen until SIGINT or SIGTERM, then stop cleanly."""
    stopping = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stopping.set())
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        listener.start()
        try:
            stopping.wait()
        finally:
            listener.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
