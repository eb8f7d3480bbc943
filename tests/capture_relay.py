"""A real SMTP relay on loopback (aiosmtpd) that keeps what it is handed.

It answers as told: take the mail, refuse it for good (550), or put it off
(451); it can ask for a login, and speak STARTTLS with a certificate made for
the test, so the outbox's relay client meets what a real relay does.
"""

from __future__ import annotations

import datetime
import email
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mail.smtp_server import free_port

HOST = "127.0.0.1"


@dataclass
class Handed:
    """One mail the relay took: its envelope and the message."""

    mail_from: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class CaptureRelay:
    """What the relay took, and how it answers the next mail."""

    port: int = 0
    taken: list[Handed] = field(default_factory=list)
    #: None: take it; else the SMTP reply to the DATA command ("550 ...").
    answer: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """The plain smtp:// URL of this relay."""
        return f"smtp://{HOST}:{self.port}"

    def to(self, recipient: str) -> list[Handed]:
        """The mail handed over for this recipient."""
        with self.lock:
            return [h for h in self.taken if recipient in h.recipients]

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        if self.answer is not None:
            return self.answer
        # Read as a mail client would: lines end in \n.
        content = envelope.content.replace(b"\r\n", b"\n")
        message = email.message_from_bytes(content, policy=default)
        with self.lock:
            self.taken.append(
                Handed(envelope.mail_from, list(envelope.rcpt_tos), message)
            )
        return "250 OK"


@contextmanager
def capture_relay(
    login: tuple[str, str] | None = None, certificate: Path | None = None
) -> Iterator[CaptureRelay]:
    """A relay on a free loopback port until the block ends; with a login to
    require, and a certificate (from self_signed) to offer STARTTLS with."""
    relay = CaptureRelay(port=free_port(HOST))
    options: dict[str, Any] = {}
    if certificate is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certificate, certificate.with_suffix(".key"))
        options.update(tls_context=context, require_starttls=True)
    if login is not None:

        def authenticate(
            server: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> AuthResult:
            ok = (
                isinstance(data, LoginPassword)
                and (
                    data.login.decode(),
                    data.password.decode(),
                )
                == login
            )
            return AuthResult(success=ok)

        options.update(
            authenticator=authenticate,
            auth_require_tls=certificate is not None,
            auth_required=True,
        )
    controller = Controller(relay, hostname=HOST, port=relay.port, **options)
    controller.start()
    try:
        yield relay
    finally:
        controller.stop()


def self_signed(directory: Path) -> Path:
    """A certificate for 127.0.0.1 (its key beside it, .key): also its own CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = directory / "relay.pem"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    path.with_suffix(".key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path
