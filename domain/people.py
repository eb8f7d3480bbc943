"""Agents who work tickets, customers who open them, and their organizations."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from domain.audit import AuditedAggregate, Origin
from domain.errors import InvalidValue
from domain.ids import agent_id, customer_id, organization_id

# Control characters would end up in mail headers; no address needs them.
_ADDRESS_PART = r"[^@\s<>\x00-\x1f\x7f]+"
_EMAIL = re.compile(rf"^{_ADDRESS_PART}@{_ADDRESS_PART}\.{_ADDRESS_PART}$")
_LOGIN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def check_email(email: str) -> str:
    """The address itself if it looks like a mail address."""
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidValue(f"{email!r} is not an email address")
    return email


def _check_text(value: str, what: str, limit: int = 200) -> None:
    if not value.strip() or len(value) > limit:
        raise InvalidValue(f"{what} has 1 to {limit} characters")


class Agent(AuditedAggregate):
    """A helpdesk agent: member of groups, with skills, active or not."""

    # Declared for mypy only: class annotations would make the library
    # generate an __init__ from them.
    if TYPE_CHECKING:
        login: str
        name: str
        email: str
        groups: list[str]
        skills: list[str]
        active: bool

    class Created(AuditedAggregate.Created):
        login: str
        name: str
        email: str
        groups: list[str]
        skills: list[str]

        def apply(self, aggregate: Agent) -> None:
            aggregate.login = self.login
            aggregate.name = self.name
            aggregate.email = self.email
            aggregate.groups = list(self.groups)
            aggregate.skills = list(self.skills)
            aggregate.active = True

    class Updated(AuditedAggregate.Event):
        name: str
        email: str
        groups: list[str]
        skills: list[str]
        active: bool

        def apply(self, aggregate: Agent) -> None:
            aggregate.name = self.name
            aggregate.email = self.email
            aggregate.groups = list(self.groups)
            aggregate.skills = list(self.skills)
            aggregate.active = self.active

    @classmethod
    def hire(
        cls,
        login: str,
        name: str,
        email: str,
        groups: list[str],
        skills: list[str],
        origin: Origin,
    ) -> Agent:
        """A new active agent."""
        if not _LOGIN.match(login):
            raise InvalidValue("a login has 1 to 64 letters, digits, '.', '_' or '-'")
        _check_text(name, "an agent's name")
        return cls._start(
            cls.Created,
            agent_id(login),
            origin,
            login=login,
            name=name,
            email=check_email(email),
            groups=sorted(set(groups)),
            skills=sorted(set(skills)),
        )

    def update(
        self,
        name: str,
        email: str,
        groups: list[str],
        skills: list[str],
        active: bool,
        origin: Origin,
    ) -> None:
        """Change the agent's details, groups, skills or active flag."""
        _check_text(name, "an agent's name")
        new = (
            name,
            check_email(email),
            sorted(set(groups)),
            sorted(set(skills)),
            active,
        )
        if new != (self.name, self.email, self.groups, self.skills, self.active):
            self._record(
                self.Updated,
                origin,
                name=new[0],
                email=new[1],
                groups=new[2],
                skills=new[3],
                active=active,
            )

    @property
    def actor(self) -> str:
        """How this agent appears as the actor of events."""
        return f"agent:{self.login}"


class Organization(AuditedAggregate):
    """A customer organization; its members may see each other's tickets."""

    # Declared for mypy only: class annotations would make the library
    # generate an __init__ from them.
    if TYPE_CHECKING:
        name: str
        domains: list[str]

    class Created(AuditedAggregate.Created):
        name: str
        domains: list[str]

        def apply(self, aggregate: Organization) -> None:
            aggregate.name = self.name
            aggregate.domains = list(self.domains)

    class Updated(AuditedAggregate.Event):
        domains: list[str]

        def apply(self, aggregate: Organization) -> None:
            aggregate.domains = list(self.domains)

    @classmethod
    def register(cls, name: str, domains: list[str], origin: Origin) -> Organization:
        """A new organization."""
        _check_text(name, "an organization's name")
        return cls._start(
            cls.Created,
            organization_id(name),
            origin,
            name=name,
            domains=sorted(set(domains)),
        )

    def update(self, domains: list[str], origin: Origin) -> None:
        """Change the organization's mail domains."""
        if sorted(set(domains)) != self.domains:
            self._record(self.Updated, origin, domains=sorted(set(domains)))


class Customer(AuditedAggregate):
    """A customer who opens tickets, optionally in an organization."""

    # Declared for mypy only: class annotations would make the library
    # generate an __init__ from them.
    if TYPE_CHECKING:
        email: str
        name: str
        organization: str | None

    class Created(AuditedAggregate.Created):
        email: str
        name: str
        organization: str | None

        def apply(self, aggregate: Customer) -> None:
            aggregate.email = self.email
            aggregate.name = self.name
            aggregate.organization = self.organization

    class Updated(AuditedAggregate.Event):
        name: str
        organization: str | None

        def apply(self, aggregate: Customer) -> None:
            aggregate.name = self.name
            aggregate.organization = self.organization

    @classmethod
    def register(
        cls, email: str, name: str, organization: str | None, origin: Origin
    ) -> Customer:
        """A new customer; the organization must exist (checked by the desk)."""
        _check_text(name, "a customer's name")
        return cls._start(
            cls.Created,
            customer_id(email),
            origin,
            email=check_email(email).casefold(),
            name=name,
            organization=organization,
        )

    def update(self, name: str, organization: str | None, origin: Origin) -> None:
        """Change the customer's name or organization."""
        _check_text(name, "a customer's name")
        if (name, organization) != (self.name, self.organization):
            self._record(self.Updated, origin, name=name, organization=organization)

    @property
    def actor(self) -> str:
        """How this customer appears as the actor of events."""
        return f"customer:{self.email}"
