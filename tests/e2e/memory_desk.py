"""The in-memory desk the API tests run on: its staff, its callers, its blobs."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from domain.articles import Article
from domain.audit import SYSTEM, Origin
from domain.desk import HelpDesk, TicketDraft
from domain.people import Agent, Customer, Organization

ADMIN = Origin("admin:test")
AGENT = Origin("agent:alice")
# The auth fixture: authorization headers by caller name.
Auth = dict[str, dict[str, str]]
CALLERS = {
    "admin": ("admin", "root"),
    "alice": ("agent", "alice"),
    "carol": ("agent", "carol"),
    "bob": ("customer", "bob@acme.test"),
    "dave": ("customer", "dave@acme.test"),
    "erin": ("customer", "erin@example.com"),
    "auditor": ("auditor", "audit"),
    "gateway": ("gateway", "mx1"),
}


class MemoryBlobs:
    """A blob store in a dict, for tests that don't exercise the real ones."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def put(self, content: bytes) -> str:
        """Store content under its sha256."""
        digest = hashlib.sha256(content).hexdigest()
        self.blobs[digest] = content
        return digest

    def get(self, sha256: str) -> bytes | None:
        """The content with this digest, or None."""
        return self.blobs.get(sha256)


def staffed_desk(clock: Callable[[], datetime] | None = None) -> HelpDesk:
    """An initialized in-memory desk with agents, customers and an organization.

    alice works queue General (group support); carol works group billing only;
    bob and dave are customers of ACME; erin is a customer on her own.
    """
    desk = HelpDesk(clock=clock)
    desk.initialize()
    desk.save_config(
        Agent.hire("alice", "Alice", "alice@example.com", ["support"], [], ADMIN)
    )
    desk.save_config(
        Agent.hire("carol", "Carol", "carol@example.com", ["billing"], [], ADMIN)
    )
    desk.save_config(Organization.register("ACME", ["acme.test"], ADMIN))
    for email, org in (
        ("bob@acme.test", "ACME"),
        ("dave@acme.test", "ACME"),
        ("erin@example.com", None),
    ):
        desk.save_config(Customer.register(email, email.split("@")[0], org, ADMIN))
    return desk


def tokens(desk: HelpDesk, callers: dict[str, tuple[str, str]] = CALLERS) -> Auth:
    """Issue a token to each caller (name: role and subject); their headers."""
    headers = {}
    for who, (role, subject) in callers.items():
        secret, _ = desk.issue_token(who, role, subject, Origin(SYSTEM))
        headers[who] = {"Authorization": f"Bearer {secret}"}
    return headers


def open_ticket(
    desk: HelpDesk,
    customer: str,
    title: str = "Printer on fire",
    body: str = "Help!",
    **extra: Any,
) -> str:
    """Open a ticket straight on the desk, as the customer; its number."""
    article = Article(desk.new_article_id(), "customer", "public", "web", body)
    draft = TicketDraft(title=title, customer=customer, **extra)
    return desk.open_ticket(draft, article, Origin(f"customer:{customer}")).number


def post_ticket(client: TestClient, auth: Auth, who: str = "bob") -> dict[str, Any]:
    """Open a ticket through the API as the customer; the body of the 201 answer."""
    body = {"title": "Printer", "article": {"body": "It smokes"}}
    response = client.post("/api/v1/tickets", json=body, headers=auth[who])
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def read(
    api: TestClient, url: str, headers: dict[str, str], **params: Any
) -> dict[str, Any]:
    """A JSON read as the caller of the headers makes it, expecting success."""
    response = api.get(url, params=params, headers=headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page
