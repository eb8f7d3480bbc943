"""Who is reading: the tickets a reader may know of, for every view's queries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """The tickets a reader may know of: all, some queues, or a customer's own."""

    queues: tuple[str, ...] | None = None
    customer: str | None = None
    organization: str | None = None
