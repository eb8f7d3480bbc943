"""What verify and the chain keeper report: the first bad event, and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Problem(StrEnum):
    """What is wrong with the first bad event."""

    UNSEALED = "unsealed"
    BAD_SEAL = "bad seal"
    MODIFIED = "modified"
    MISSING = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    VERSION_GAP = "version gap"
    CHAIN_ALTERED = "chain altered"
    TRUNCATED = "truncated"
    REWRITTEN = "rewritten"
    BAD_CHECKPOINT = "bad checkpoint"


@dataclass(frozen=True)
class Finding:
    """The first bad event (where one can be named) and what is wrong with it."""

    problem: Problem
    detail: str
    notification_id: int | None = None
    originator_id: str | None = None
    version: int | None = None


@dataclass(frozen=True)
class Verdict:
    """How many chained events held, up to where, and the first finding.

    `unchained` counts the sealed events after the chain's head, which the keeper
    has not chained yet: their seals held.
    """

    checked: int
    position: int
    head: bytes
    finding: Finding | None = None
    unchained: int = 0

    @property
    def clean(self) -> bool:
        """True when nothing was found wrong."""
        return self.finding is None


class Bad(Exception):
    """Raised at the first bad event; carries the finding."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.detail)
        self.finding = finding


class Named(Protocol):
    """Anything that names an event: a stored record, a seal or a chain link."""

    @property
    def notification_id(self) -> int:
        """The log position."""

    @property
    def originator_id(self) -> str:
        """The aggregate."""

    @property
    def version(self) -> int:
        """The aggregate's version."""


def bad(problem: Problem, detail: str, at: Named) -> Bad:
    """The exception naming the event a problem was found at."""
    return Bad(
        Finding(problem, detail, at.notification_id, at.originator_id, at.version)
    )
