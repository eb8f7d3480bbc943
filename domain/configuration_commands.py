"""Configuration commands as data: queues, people, catalogues, fields and tokens.

A change command names the record and only what changes: a field left at KEEP
keeps the record's current value, read when the command runs, so a retry after
a lost race applies the same change to the record as the winner left it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TypeVar
from uuid import UUID

from domain.commands import DEFAULT_GROUP, Command


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
    """Change a queue's group, follow-up policy or active flag."""

    name: str
    group: str | Keep = KEEP
    follow_up: str | Keep = KEEP
    reopen_within_days: int | Keep | None = KEEP
    active: bool | Keep = KEEP


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
