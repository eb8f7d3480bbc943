"""Who is calling: the role and person behind a bearer token."""

from __future__ import annotations

from dataclasses import dataclass

from domain.tokens import Role


@dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    subject is the agent's login, the customer's email, or a name for admins and
    auditors; groups are an agent's groups; organization is a customer's.
    """

    role: Role
    subject: str
    groups: frozenset[str] = frozenset()
    organization: str | None = None

    @property
    def actor(self) -> str:
        """How the caller appears as the actor of events."""
        return f"{self.role.value}:{self.subject}"

    @property
    def is_customer(self) -> bool:
        """Whether the caller is a customer (sees only public parts)."""
        return self.role is Role.CUSTOMER
