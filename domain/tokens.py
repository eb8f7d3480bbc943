"""API tokens: only a hash of the secret is stored, and a token can be revoked."""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum
from typing import TYPE_CHECKING

from domain.audit import AuditedAggregate, Origin
from domain.errors import InvalidValue
from domain.ids import token_id

SECRET_PREFIX = "tt_"


class Role(StrEnum):
    """What a token's holder may do."""

    ADMIN = "admin"
    AGENT = "agent"
    CUSTOMER = "customer"
    AUDITOR = "auditor"
    #: A mail gateway: it may hand in raw messages, and nothing else.
    GATEWAY = "gateway"


def new_secret() -> str:
    """A fresh random token secret, shown to its owner once."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """The stored form of a secret (sha256; the secret has 256 bits of entropy)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(AuditedAggregate):
    """A bearer token for one role and, for agents and customers, one person."""

    # Declared for mypy only: class annotations would make the library
    # generate an __init__ from them.
    if TYPE_CHECKING:
        name: str
        role: str
        subject: str
        secret_hash: str
        revoked: bool

    class Created(AuditedAggregate.Created):
        name: str
        role: str
        subject: str
        secret_hash: str

        def apply(self, aggregate: ApiToken) -> None:
            aggregate.name = self.name
            aggregate.role = self.role
            aggregate.subject = self.subject
            aggregate.secret_hash = self.secret_hash
            aggregate.revoked = False

    class Revoked(AuditedAggregate.Event):
        def apply(self, aggregate: ApiToken) -> None:
            aggregate.revoked = True

    @classmethod
    def issue(
        cls, secret: str, name: str, role: str, subject: str, origin: Origin
    ) -> ApiToken:
        """A token for the given secret; the subject is a login, email or name."""
        try:
            checked = Role(role)
        except ValueError:
            choices = ", ".join(r.value for r in Role)
            raise InvalidValue(f"unknown role {role!r}; one of {choices}") from None
        if not subject or len(subject) > 254:
            raise InvalidValue("a token needs a subject of 1 to 254 characters")
        secret_hash = hash_secret(secret)
        return cls._start(
            cls.Created,
            token_id(secret_hash),
            origin,
            name=name[:200],
            role=checked.value,
            subject=subject,
            secret_hash=secret_hash,
        )

    def revoke(self, origin: Origin) -> None:
        """Revoke the token; requests bearing it are refused from now on."""
        if not self.revoked:
            self._record(self.Revoked, origin)

    @property
    def actor(self) -> str:
        """How the token's holder appears as the actor of events."""
        return f"{self.role}:{self.subject}"
