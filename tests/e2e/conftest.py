"""An API over an in-memory desk, with a token for each role."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from domain.audit import SYSTEM, Origin
from domain.desk import HelpDesk
from domain.people import Agent, Customer, Organization

ADMIN = Origin("admin:test")


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


@pytest.fixture
def desk() -> HelpDesk:
    """An initialized in-memory desk with agents, customers and an organization.

    alice works queue General (group support); carol works group billing only;
    bob and dave are customers of ACME; erin is a customer on her own.
    """
    desk = HelpDesk()
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


@pytest.fixture
def blobs() -> MemoryBlobs:
    """An in-memory blob store."""
    return MemoryBlobs()


@pytest.fixture
def client(desk: HelpDesk, blobs: MemoryBlobs) -> Iterator[TestClient]:
    """A test client of the API (1 MiB attachment limit)."""
    app = create_app(Services(desk=desk, blobs=blobs, max_attachment_bytes=1024 * 1024))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def auth(desk: HelpDesk) -> dict[str, dict[str, str]]:
    """Authorization headers by caller name (admin, alice, bob, auditor...)."""
    subjects = {
        "admin": ("admin", "root"),
        "alice": ("agent", "alice"),
        "carol": ("agent", "carol"),
        "bob": ("customer", "bob@acme.test"),
        "dave": ("customer", "dave@acme.test"),
        "erin": ("customer", "erin@example.com"),
        "auditor": ("auditor", "audit"),
    }
    headers = {}
    for who, (role, subject) in subjects.items():
        secret, _ = desk.issue_token(who, role, subject, Origin(SYSTEM))
        headers[who] = {"Authorization": f"Bearer {secret}"}
    return headers
