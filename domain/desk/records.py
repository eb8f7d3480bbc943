"""What desk commands take and give back, and how a retry is recognised."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from eventsourcing.domain import Aggregate

from domain.articles import Channel
from domain.errors import (
    InvalidValue,
)
from domain.ticket import Ticket

DEFAULT_QUEUE = "General"
DEFAULT_GROUP = "support"


@dataclass(frozen=True)
class CommandResult:
    """What a ticket command returns: the ticket, its version and the log position."""

    number: str
    version: int
    position: int | None
    article_id: str | None = None
    follow_up_number: str | None = None
    replayed: bool = False


@dataclass(frozen=True)
class TicketDraft:
    """The fields of a new ticket, before the desk fills in the defaults."""

    title: str
    customer: str
    queue: str = DEFAULT_QUEUE
    priority: str | None = None
    type: str | None = None
    channel: str = "web"
    hidden: bool = False
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    ticket: Ticket
    others: list[Aggregate] = field(default_factory=list)
    article_id: str | None = None
    follow_up_number: str | None = None


def check_channel(channel: str) -> str:
    if channel not in {c.value for c in Channel}:
        raise InvalidValue(f"unknown channel {channel!r}")
    return channel


def fingerprint(command: tuple[Any, ...]) -> str:
    text = json.dumps(command, default=_plain, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        # Ids and stamps the edge makes up afresh on every retry are not the command.
        return {
            f.name: getattr(value, f.name)
            for f in fields(value)
            if f.name not in ("article_id", "author", "created_at")
        }
    return str(value)
