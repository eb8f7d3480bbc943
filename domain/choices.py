"""Ordered lists an admin configures: the priorities and the ticket types."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from domain.audit import AuditedAggregate, Origin
from domain.errors import InvalidValue

DEFAULT_PRIORITIES = ["low", "normal", "high", "critical"]
DEFAULT_TICKET_TYPES = ["question", "problem", "incident", "feature_request", "lead"]


class ChoiceList(AuditedAggregate):
    """An ordered list of allowed values, lowest first (priorities, ticket types)."""

    # Declared for mypy only: class annotations would make the library
    # generate an __init__ from them.
    if TYPE_CHECKING:
        kind: str
        values: list[str]
        default: str

    class Created(AuditedAggregate.Created):
        kind: str
        values: list[str]
        default: str

        def apply(self, aggregate: ChoiceList) -> None:
            aggregate.kind = self.kind
            aggregate.values = list(self.values)
            aggregate.default = self.default

    class Replaced(AuditedAggregate.Event):
        values: list[str]
        default: str

        def apply(self, aggregate: ChoiceList) -> None:
            aggregate.values = list(self.values)
            aggregate.default = self.default

    @classmethod
    def start(
        cls, list_id: UUID, kind: str, values: list[str], default: str, origin: Origin
    ) -> ChoiceList:
        """A new list with its default value."""
        _check(kind, values, default)
        return cls._start(
            cls.Created,
            list_id,
            origin,
            kind=kind,
            values=list(values),
            default=default,
        )

    def replace(self, values: list[str], default: str, origin: Origin) -> None:
        """Replace the list; tickets keep values that are no longer offered."""
        _check(self.kind, values, default)
        if values != self.values or default != self.default:
            self._record(self.Replaced, origin, values=list(values), default=default)

    def require(self, value: str) -> str:
        """The value itself if the list offers it."""
        if value not in self.values:
            raise InvalidValue(
                f"unknown {self.kind} {value!r}; one of {', '.join(self.values)}"
            )
        return value

    def rank(self, value: str) -> int:
        """The position of a value, lowest first; unknown values rank first."""
        return self.values.index(value) if value in self.values else -1


def _check(kind: str, values: list[str], default: str) -> None:
    if not values:
        raise InvalidValue(f"the {kind} list cannot be empty")
    if len(set(values)) != len(values):
        raise InvalidValue(f"the {kind} list has duplicates")
    if any(not v or len(v) > 64 or v != v.strip() for v in values):
        raise InvalidValue(f"each {kind} has 1 to 64 characters, no outer spaces")
    if default not in values:
        raise InvalidValue(f"the default {kind} {default!r} is not in the list")
