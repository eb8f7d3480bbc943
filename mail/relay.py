"""The SMTP relay the outbox hands its mail to, as TICKETTAPE_SMTP_URL names it.

`smtp://[user:password@]host[:port]` speaks plain SMTP (port 25 by default) and
upgrades with STARTTLS when the URL asks (`?starttls=true`, or `=auto` when the
relay offers it); `smtps://` is TLS from the first byte (port 465). The relay's
certificate is checked against the system's CAs, or `?cafile=PATH`. A user and
password log in (after the upgrade). Each mail is one session: the outbox sends
rarely enough that a kept connection would mostly be a stale one.

A relay's answer decides what happens next: 2xx is sent; a 5xx refusal of the
recipient or of the mail is permanent (trying again changes nothing); a 4xx, a
lost connection, a timeout, or a refusal of our own setup (the login, the
sender, STARTTLS) is passing: the outbox tries again, and an operator who fixes
the setup meanwhile loses no mail.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

#: Seconds a relay may take to answer one command.
TIMEOUT = 30.0


class RelayError(Exception):
    """The relay did not take the mail; `permanent` when trying again is useless."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Relay:
    """Where and how to hand mail over."""

    host: str
    port: int
    tls: bool = False
    starttls: str = "no"
    user: str | None = None
    password: str | None = None
    #: The CA certificates to check the relay's against (else the system's).
    cafile: str | None = None
    timeout: float = TIMEOUT

    @classmethod
    def from_url(cls, url: str, timeout: float = TIMEOUT) -> Relay:
        """The relay an smtp:// or smtps:// URL names; ValueError if it names none."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("the SMTP URL starts with smtp:// or smtps://")
        if not parts.hostname:
            raise ValueError("the SMTP URL names no host")
        tls = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        starttls = query.get("starttls", ["no"])[-1].casefold()
        starttls = {"true": "yes", "1": "yes", "false": "no", "0": "no"}.get(
            starttls, starttls
        )
        if starttls not in ("yes", "no", "auto"):
            raise ValueError("starttls is true, false or auto")
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            tls=tls,
            starttls=starttls,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            cafile=query.get("cafile", [None])[-1],
            timeout=timeout,
        )

    def describe(self) -> str:
        """Where it hands over, without the password."""
        scheme = "smtps" if self.tls else "smtp"
        who = f"{self.user}@" if self.user else ""
        upgrade = "" if self.starttls == "no" else f" (STARTTLS {self.starttls})"
        return f"{scheme}://{who}{self.host}:{self.port}{upgrade}"

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        """Hand one message over for one recipient; RelayError if it is not taken."""
        try:
            with self._session() as session:
                refused = session.send_message(
                    message, from_addr=sender, to_addrs=[recipient]
                )
        except smtplib.SMTPRecipientsRefused as error:
            code, answer = next(iter(error.recipients.values()))
            raise _answered(code, answer) from error
        except smtplib.SMTPDataError as error:
            # The relay refused this mail itself (its size, its content).
            raise _answered(error.smtp_code, error.smtp_error) from error
        except (smtplib.SMTPException, OSError, ssl.SSLError) as error:
            raise RelayError(
                f"relay {self.describe()}: {error or type(error).__name__}",
                permanent=False,
            ) from error
        if refused:
            code, answer = next(iter(refused.values()))
            raise _answered(code, answer)

    def _session(self) -> smtplib.SMTP:
        context = ssl.create_default_context(cafile=self.cafile)
        session: smtplib.SMTP
        if self.tls:
            session = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            session = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            session.ehlo_or_helo_if_needed()
            offered = session.has_extn("starttls")
            if self.starttls == "yes" or (self.starttls == "auto" and offered):
                session.starttls(context=context)
                session.ehlo()
            if self.user is not None:
                session.login(self.user, self.password or "")
        except BaseException:
            session.close()
            raise
        return session


def _answered(code: int, answer: bytes | str) -> RelayError:
    text = answer.decode(errors="replace") if isinstance(answer, bytes) else answer
    return RelayError(f"{code} {text}".strip(), permanent=500 <= code < 600)
