"""Request and response models for agents, customers, organizations and tokens."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from api.schemas.admin import Label, Labels, Patch, Record
from api.schemas.text import PathSafe, Strict
from api.schemas.tickets import Email
from domain.people import Agent, Customer, Organization
from domain.tokens import ApiToken, Role

PersonName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
OrganizationName = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=r"^\S(?:.*\S)?$")
]
MailDomain = Annotated[
    str,
    StringConstraints(
        to_lower=True, max_length=253, pattern=r"^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$"
    ),
]


class AgentIn(Strict):
    """A new agent."""

    login: Annotated[
        str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$"), PathSafe
    ]
    name: PersonName
    email: Email
    groups: Labels = Field(default_factory=list)
    skills: Labels = Field(default_factory=list)


class AgentPatch(Patch):
    """Change an agent; active false locks the agent out and stops assignments."""

    name: PersonName | None = None
    email: Email | None = None
    groups: Labels | None = None
    skills: Labels | None = None
    active: bool | None = None


class AgentOut(Record):
    """An agent, their groups and skills."""

    login: str
    name: str
    email: str
    groups: list[str]
    skills: list[str]
    active: bool

    @classmethod
    def of(cls, agent: Agent) -> AgentOut:
        """The response form of an agent."""
        return cls(
            login=agent.login,
            name=agent.name,
            email=agent.email,
            groups=list(agent.groups),
            skills=list(agent.skills),
            active=agent.active,
            version=agent.version,
            created_at=agent.created_on,
            updated_at=agent.modified_on,
        )


class CustomerIn(Strict):
    """A new customer, optionally in an existing organization."""

    email: Email
    name: PersonName
    organization: OrganizationName | None = None


class CustomerPatch(Patch):
    """Change a customer; organization null takes them out of their organization."""

    nullable = frozenset({"organization"})

    name: PersonName | None = None
    organization: OrganizationName | None = None


class CustomerOut(Record):
    """A customer and their organization."""

    email: str
    name: str
    organization: str | None

    @classmethod
    def of(cls, customer: Customer) -> CustomerOut:
        """The response form of a customer."""
        return cls(
            email=customer.email,
            name=customer.name,
            organization=customer.organization,
            version=customer.version,
            created_at=customer.created_on,
            updated_at=customer.modified_on,
        )


class OrganizationIn(Strict):
    """A new organization and its mail domains."""

    name: Annotated[OrganizationName, PathSafe]
    domains: Annotated[list[MailDomain], Field(max_length=100)] = Field(
        default_factory=list
    )


class OrganizationPatch(Patch):
    """Replace an organization's mail domains."""

    domains: Annotated[list[MailDomain], Field(max_length=100)] | None = None


class OrganizationOut(Record):
    """An organization and its mail domains."""

    name: str
    domains: list[str]

    @classmethod
    def of(cls, organization: Organization) -> OrganizationOut:
        """The response form of an organization."""
        return cls(
            name=organization.name,
            domains=list(organization.domains),
            version=organization.version,
            created_at=organization.created_on,
            updated_at=organization.modified_on,
        )


class TokenIn(Strict):
    """A new API token: agents and customers name an existing person as subject."""

    name: Label
    role: Role
    subject: Annotated[str, StringConstraints(min_length=1, max_length=254)] = Field(
        description="An agent's login, a customer's email, or a name for the others."
    )


class TokenOut(Record):
    """An API token, never its secret."""

    id: UUID
    name: str
    role: str
    subject: str
    revoked: bool

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        """The response form of a token."""
        return cls(
            id=token.id,
            name=token.name,
            role=token.role,
            subject=token.subject,
            revoked=token.revoked,
            version=token.version,
            created_at=token.created_on,
            updated_at=token.modified_on,
        )


class TokenIssuedOut(TokenOut):
    """A new token with its secret, which is shown this once and never again."""

    secret: str | None = Field(
        description="The token's secret; null in the answer to an idempotent "
        "retry, since only its hash is kept."
    )

    @classmethod
    def issued(cls, secret: str | None, token: ApiToken) -> TokenIssuedOut:
        """The response form of a token just issued."""
        return cls(secret=secret, **TokenOut.of(token).model_dump())
