"""Configuration commands as data: queues, people, catalogues, fields, tokens,
business calendars and SLA policies.

A change command names the record and only what changes: a field left at KEEP
keeps the record's current value, read when the command runs, so a retry after
a lost race applies the same change to the record as the winner left it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import TypeVar
from uuid import UUID

from domain.calendars import ALL_WEEK
from domain.commands import DEFAULT_GROUP, Command
from domain.sla_policies import DEFAULT_WARN_PERCENT, PolicyScope, Targets


class Keep(Enum):
    """The value of a field a change command leaves as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP
T = TypeVar("T")


def kept(value: T | Keep, current: T) -> T:
    """The command's value for a field, or the current one where it says KEEP."""
    return current if isinstance(value, Keep) else value


@dataclass(frozen=True)
class Configured:
    """What a configuration command returns: the record's id, version and position.

    `secret` is a new token's secret, in the first answer only: the desk keeps
    its hash, never the secret, so an idempotent retry cannot show it again.
    """

    record_id: UUID
    version: int
    position: int | None
    replayed: bool = False
    secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ConfigCommand(Command[Configured]):
    """A command on the desk's configuration."""


@dataclass(frozen=True)
class OpenQueue(ConfigCommand):
    """Open a queue worked by a group, with its follow-up policy."""

    name: str
    group: str = DEFAULT_GROUP
    follow_up: str = "reopen"
    reopen_within_days: int | None = None


@dataclass(frozen=True)
class ReconfigureQueue(ConfigCommand):
    """Change a queue's group, follow-up policy, active flag, whether its
    customers see the solution due time, and its mail settings."""

    name: str
    group: str | Keep = KEEP
    follow_up: str | Keep = KEEP
    reopen_within_days: int | Keep | None = KEEP
    active: bool | Keep = KEEP
    show_solution_due: bool | Keep = KEEP
    #: Whether a customer who opens a ticket is sent an acknowledgement by mail.
    acknowledge: bool | Keep = KEEP
    #: Mail templates to set, by kind ("" puts the default back).
    mail_templates: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class HireAgent(ConfigCommand):
    """Hire an agent into groups, with skills."""

    login: str
    name: str
    email: str
    groups: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpdateAgent(ConfigCommand):
    """Change an agent's name, email, groups, skills or active flag."""

    login: str
    name: str | Keep = KEEP
    email: str | Keep = KEEP
    groups: tuple[str, ...] | Keep = KEEP
    skills: tuple[str, ...] | Keep = KEEP
    active: bool | Keep = KEEP


@dataclass(frozen=True)
class RegisterCustomer(ConfigCommand):
    """Register a customer, optionally in an existing organization."""

    email: str
    name: str
    organization: str | None = None


@dataclass(frozen=True)
class UpdateCustomer(ConfigCommand):
    """Change a customer's name or organization (None takes them out of it)."""

    email: str
    name: str | Keep = KEEP
    organization: str | Keep | None = KEEP


@dataclass(frozen=True)
class RegisterOrganization(ConfigCommand):
    """Register an organization with its mail domains."""

    name: str
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpdateOrganization(ConfigCommand):
    """Replace an organization's mail domains."""

    name: str
    domains: tuple[str, ...] | Keep = KEEP


@dataclass(frozen=True)
class AddStatus(ConfigCommand):
    """Add a status to a category."""

    name: str
    category: str
    pending_until_required: bool = False


@dataclass(frozen=True)
class RetireStatus(ConfigCommand):
    """Retire a status: tickets in it keep it, none can enter it any more."""

    name: str


@dataclass(frozen=True)
class ReplaceChoices(ConfigCommand):
    """Replace an ordered list of choices (lowest first) and its default."""

    values: tuple[str, ...]
    default: str


@dataclass(frozen=True)
class ReplacePriorities(ReplaceChoices):
    """Replace the priorities; tickets keep the values they have."""


@dataclass(frozen=True)
class ReplaceTicketTypes(ReplaceChoices):
    """Replace the ticket types; tickets keep the values they have."""


@dataclass(frozen=True)
class DefineField(ConfigCommand):
    """Define a custom ticket field."""

    name: str
    kind: str
    label: str = ""
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpdateField(ConfigCommand):
    """Change a field's label or options, or retire it (active False)."""

    name: str
    label: str | Keep = KEEP
    options: tuple[str, ...] | Keep = KEEP
    active: bool | Keep = KEEP


@dataclass(frozen=True)
class IssueToken(ConfigCommand):
    """Issue an API token; its secret is in the first answer only."""

    name: str
    role: str
    subject: str


@dataclass(frozen=True)
class RevokeToken(ConfigCommand):
    """Revoke a token: requests bearing it are refused from now on."""

    token_id: UUID


@dataclass(frozen=True)
class DefineCalendar(ConfigCommand):
    """Define a business calendar: its zone, opening hours and holidays.

    `week` holds seven days, Monday first, each a list of "HH:MM-HH:MM" ranges
    (an empty day is closed); `holidays` are local dates, a preset's already
    expanded, and `holiday_preset` labels where they came from ("DE-BY").
    """

    name: str
    time_zone: str = "UTC"
    week: tuple[tuple[str, ...], ...] = ALL_WEEK
    holidays: tuple[date, ...] = ()
    holiday_preset: str | None = None
    active: bool = True


@dataclass(frozen=True)
class ReconfigureCalendar(ConfigCommand):
    """Change a calendar's zone, opening hours, holidays or active flag."""

    name: str
    time_zone: str | Keep = KEEP
    week: tuple[tuple[str, ...], ...] | Keep = KEEP
    holidays: tuple[date, ...] | Keep = KEEP
    holiday_preset: str | Keep | None = KEEP
    active: bool | Keep = KEEP


@dataclass(frozen=True)
class DefineSlaPolicy(ConfigCommand):
    """Define an SLA policy: targets per priority and the tickets it covers.

    A policy warns by `warn_percent` of the target elapsed or by
    `warn_before_minutes` before it is due: exactly one of them is set.
    """

    name: str
    targets: Mapping[str, Targets]
    rank: int = 100
    calendar: str | None = None
    warn_percent: int | None = DEFAULT_WARN_PERCENT
    warn_before_minutes: int | None = None
    pause_categories: tuple[str, ...] = ("pending",)
    applies_to: PolicyScope = field(default_factory=PolicyScope)
    active: bool = True


@dataclass(frozen=True)
class ReconfigureSlaPolicy(ConfigCommand):
    """Change any of an SLA policy's settings; the targets and the scope are
    replaced whole."""

    name: str
    targets: Mapping[str, Targets] | Keep = KEEP
    rank: int | Keep = KEEP
    calendar: str | Keep | None = KEEP
    warn_percent: int | Keep | None = KEEP
    warn_before_minutes: int | Keep | None = KEEP
    pause_categories: tuple[str, ...] | Keep = KEEP
    applies_to: PolicyScope | Keep = KEEP
    active: bool | Keep = KEEP
