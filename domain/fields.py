"""Custom ticket fields: admins define them, every value is checked against them."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from domain.audit import AuditedAggregate, Origin
from domain.errors import InvalidValue
from domain.ids import field_id

FieldValue = str | int | float | bool | None

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class FieldKind(StrEnum):
    """The kinds of value a custom field holds."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    SELECT = "select"


class FieldDefinition(AuditedAggregate):
    """One custom field: its name, kind, options and whether it is in use."""

    # Declared for mypy only: class annotations would make the library
    # generate an __init__ from them.
    if TYPE_CHECKING:
        name: str
        label: str
        kind: str
        options: list[str]
        active: bool

    class Created(AuditedAggregate.Created):
        name: str
        label: str
        kind: str
        options: list[str]

        def apply(self, aggregate: FieldDefinition) -> None:
            aggregate.name = self.name
            aggregate.label = self.label
            aggregate.kind = self.kind
            aggregate.options = list(self.options)
            aggregate.active = True

    class Updated(AuditedAggregate.Event):
        label: str
        options: list[str]
        active: bool

        def apply(self, aggregate: FieldDefinition) -> None:
            aggregate.label = self.label
            aggregate.options = list(self.options)
            aggregate.active = self.active

    @classmethod
    def define(
        cls, name: str, label: str, kind: str, options: list[str], origin: Origin
    ) -> FieldDefinition:
        """A new custom field definition."""
        if not _NAME.match(name):
            raise InvalidValue("a field name is lower_snake_case, 1 to 64 characters")
        checked_kind = _check_kind(kind)
        _check_options(checked_kind, options)
        return cls._start(
            cls.Created,
            field_id(name),
            origin,
            name=name,
            label=label or name,
            kind=checked_kind,
            options=list(options),
        )

    def update(
        self, label: str, options: list[str], active: bool, origin: Origin
    ) -> None:
        """Change the label, the options of a select, or retire the field."""
        _check_options(FieldKind(self.kind), options)
        if (label, options, active) != (self.label, self.options, self.active):
            self._record(
                self.Updated, origin, label=label, options=list(options), active=active
            )

    def check(self, value: object) -> FieldValue:
        """The value itself if it fits this field; None clears the field."""
        if not self.active:
            raise InvalidValue(f"field {self.name!r} is retired")
        if value is None:
            return None
        kind = FieldKind(self.kind)
        if kind is FieldKind.TEXT and isinstance(value, str) and len(value) <= 10_000:
            return value
        if kind is FieldKind.BOOLEAN and isinstance(value, bool):
            return value
        if (
            kind is FieldKind.NUMBER
            and isinstance(value, int | float)
            and not isinstance(value, bool)
            and value == value
            and abs(value) < 1e15
        ):
            return value
        if kind is FieldKind.DATE and isinstance(value, str) and _is_date(value):
            return value
        if (
            kind is FieldKind.SELECT
            and isinstance(value, str)
            and value in self.options
        ):
            return value
        raise InvalidValue(f"{value!r} is not a valid {kind.value} for {self.name!r}")


def _check_kind(kind: str) -> FieldKind:
    try:
        return FieldKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in FieldKind)
        raise InvalidValue(f"unknown field kind {kind!r}; one of {choices}") from None


def _check_options(kind: FieldKind, options: list[str]) -> None:
    if kind is FieldKind.SELECT and not options:
        raise InvalidValue("a select field needs options")
    if kind is not FieldKind.SELECT and options:
        raise InvalidValue("only select fields have options")
    if len(set(options)) != len(options):
        raise InvalidValue("options must be distinct")


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10
