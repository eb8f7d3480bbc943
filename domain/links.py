"""Links between tickets, time accounted and satisfaction ratings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import InvalidValue


class LinkKind(StrEnum):
    """How another ticket relates to this one ("B is my parent")."""

    RELATED = "related"
    PARENT = "parent"
    CHILD = "child"
    DUPLICATE = "duplicate"

    @property
    def inverse(self) -> LinkKind:
        """The kind recorded on the other ticket."""
        return _INVERSE.get(self, self)


_INVERSE = {LinkKind.PARENT: LinkKind.CHILD, LinkKind.CHILD: LinkKind.PARENT}


def link_kind(kind: str) -> LinkKind:
    """The link kind of this name, or a clear error."""
    try:
        return LinkKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in LinkKind)
        raise InvalidValue(f"unknown link kind {kind!r}; one of {choices}") from None


@dataclass(frozen=True)
class Link:
    """Another ticket and how it relates to this one."""

    number: str
    kind: str


@dataclass(frozen=True)
class TimeEntry:
    """Minutes of work accounted on a ticket."""

    minutes: int
    activity: str
    article_id: str | None
    actor: str
    at: datetime


@dataclass(frozen=True)
class Rating:
    """The customer's satisfaction score (1 to 5) after resolution."""

    score: int
    comment: str
    at: datetime
    #: The actor who rated: the ticket's customer, or an admin on their behalf.
    rated_by: str = ""
