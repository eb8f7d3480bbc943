"""What a command's decision leaves to save."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Recording

from domain.articles import Channel
from domain.errors import InvalidValue


@dataclass
class Outcome:
    """The records a command changed: the one it was about, then any others.

    `secret` is a new token's secret, returned once and never stored; `task_id`
    is the id of a task the command scheduled.
    """

    main: Aggregate
    others: list[Aggregate] = field(default_factory=list)
    article_id: str | None = None
    follow_up_number: str | None = None
    secret: str | None = None
    task_id: str | None = None


def check_channel(channel: str) -> str:
    """The channel itself if it is one we know."""
    if channel not in {c.value for c in Channel}:
        raise InvalidValue(f"unknown channel {channel!r}")
    return channel


def saved_at(recordings: Sequence[Recording[Any]]) -> int | None:
    """The log position a save ended at (its last event's), or None if it
    stored nothing."""
    return recordings[-1].notification.id if recordings else None


_FIRST_ATTEMPT: ContextVar[bool] = ContextVar("first_attempt", default=False)


@contextmanager
def attempt(first: bool) -> Iterator[None]:
    """The block decides a command for the first time, or again after its save
    lost a race (domain/desk/handling.py)."""
    token = _FIRST_ATTEMPT.set(first)
    try:
        yield
    finally:
        _FIRST_ATTEMPT.reset(token)


def first_attempt() -> bool:
    """Whether the command being decided has not lost a race to save yet.

    A rule may then take a record it creates under a known id to be new without
    asking the store: a second record under one id is refused when saved, and
    the attempt after that asks. Outside a command's attempt, False: ask.
    """
    return _FIRST_ATTEMPT.get()
