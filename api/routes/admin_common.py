"""What the admin routes share: version checks, pages and headers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Protocol, TypeVar
from urllib.parse import quote

from eventsourcing.domain import Aggregate
from fastapi import Depends, Query, Response

from api.schemas.admin import Page
from domain.audit import Origin
from domain.configuration_commands import ConfigCommand
from domain.desk import HelpDesk
from domain.errors import InvalidValue, NotFound

PREFIX = "/api/v1/admin"

A = TypeVar("A", bound=Aggregate)
K = TypeVar("K")
T = TypeVar("T")


class Versioned(Protocol):
    """Anything with a version: every configuration record."""

    @property
    def version(self) -> int:
        """The record's version."""
        ...


@dataclass(frozen=True)
class Window:
    """Which slice of a list a request asks for."""

    start: int
    limit: int

    def page(self, records: Sequence[K], out: Callable[[K], T]) -> Page[T]:
        """The page of records in this window."""
        chunk = records[self.start : self.start + self.limit]
        end = self.start + len(chunk)
        return Page(
            items=[out(record) for record in chunk],
            total=len(records),
            next_cursor=str(end) if end < len(records) else None,
        )


async def window(
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[
        str | None,
        Query(pattern=r"^\d{1,9}$", description="next_cursor of the previous page."),
    ] = None,
) -> Window:
    """The requested slice of a list."""
    # Configuration records are never deleted and are listed oldest first, so an
    # offset into that order is a stable cursor.
    return Window(int(cursor or 0), limit)


PageWindow = Annotated[Window, Depends(window)]


def configure(
    desk: HelpDesk,
    command: ConfigCommand,
    origin: Origin,
    kind: type[A],
    response: Response,
) -> A:
    """Run a configuration command; the record as the command left it.

    An idempotent retry answers the same record at the same version.
    """
    result = desk.handle(command, origin)
    record = desk.record_at(result.record_id, result.version, kind)
    describe(response, record)
    return record


def created(response: Response, *parts: str) -> None:
    """Say where a new record lives."""
    response.headers["Location"] = path_to(*parts)


def known(find: Callable[[str], K], key: str) -> K:
    """A record a request body refers to; an unknown one is an invalid value."""
    try:
        return find(key)
    except NotFound as error:
        raise InvalidValue(error.message) from None


def describe(
    response: Response, record: Versioned, location: str | None = None
) -> None:
    """Set the record's ETag and, for a new record, where it lives."""
    response.headers["ETag"] = f'"{record.version}"'
    if location is not None:
        response.headers["Location"] = location


def path_to(*parts: str) -> str:
    """The URL of an admin resource."""
    return "/".join([PREFIX, *(quote(part, safe="@") for part in parts)])
