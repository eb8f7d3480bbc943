"""Deterministic ids: a uuid5 of a natural key makes duplicates impossible."""

from __future__ import annotations

from functools import lru_cache
from uuid import UUID, uuid5

NAMESPACE = UUID("6f0d3a52-2d3c-5b4e-9a61-7d1c4b1e8a90")
#: The natural keys whose ids are remembered (a uuid5 costs about 10 us; a
#: command asks for two or three: its ticket, its queue, its actor).
REMEMBERED = 16_384


@lru_cache(maxsize=REMEMBERED)
def natural_id(kind: str, key: str) -> UUID:
    """The id of the record of this kind with this natural key."""
    return uuid5(NAMESPACE, f"{kind}:{key}")


def ticket_id(number: str) -> UUID:
    """The id of the ticket with this human-readable number."""
    return natural_id("ticket", number)


def queue_id(name: str) -> UUID:
    """The id of the queue with this name (names compare case-insensitively)."""
    return natural_id("queue", name.casefold())


def agent_id(login: str) -> UUID:
    """The id of the agent with this login."""
    return natural_id("agent", login.casefold())


def customer_id(email: str) -> UUID:
    """The id of the customer with this email address."""
    return natural_id("customer", email.casefold())


def organization_id(name: str) -> UUID:
    """The id of the organization with this name."""
    return natural_id("organization", name.casefold())


def field_id(name: str) -> UUID:
    """The id of the custom field definition with this name."""
    return natural_id("field", name)


def calendar_id(name: str) -> UUID:
    """The id of the business calendar with this name."""
    return natural_id("calendar", name.casefold())


def sla_policy_id(name: str) -> UUID:
    """The id of the SLA policy with this name."""
    return natural_id("sla-policy", name.casefold())


def token_id(secret_hash: str) -> UUID:
    """The id of the API token whose secret hashes to this value."""
    return natural_id("token", secret_hash)


def idempotency_id(actor: str, key: str) -> UUID:
    """The id of the record of a command sent with this idempotency key."""
    return natural_id("idempotency", f"{actor}\n{key}")


STATUS_CATALOGUE_ID = natural_id("catalogue", "statuses")
PRIORITIES_ID = natural_id("catalogue", "priorities")
TICKET_TYPES_ID = natural_id("catalogue", "ticket-types")
