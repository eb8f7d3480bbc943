"""What a way in (the SMTP/LMTP listener, the importer) hands the intake, and
what it is told back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Envelope:
    """Who handed the message in: the SMTP envelope, or where it was read."""

    mail_from: str | None
    recipients: tuple[str, ...]
    peer: str | None


@dataclass(frozen=True)
class Receipt:
    """Taken (an article or quarantined: either way kept), or refused for good."""

    accepted: bool
    detail: str


#: Returns once the message is durably recorded; raises on a passing failure
#: (the store is away), when the sender must try again later.
Deliver = Callable[[bytes, Envelope], Receipt]
