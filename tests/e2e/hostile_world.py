"""What the hostile-input tests share: the write endpoints, a world, the checks.

Every request the test_hostile_* modules send must get no 5xx; a refusal must be
an RFC 9457 problem and leave the log position where it was. The write endpoints
are enumerated from the app itself (its routes and its OpenAPI document), so a new
endpoint is fuzzed too, or test_every_write_endpoint_is_enumerated fails until it
is listed in KNOWN_WRITES.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, currently_in_test_context, event, settings

from api.app import create_app
from api.schemas import admin as admin_schemas
from api.schemas import admin_people as people_schemas
from api.schemas import sla as sla_schemas
from api.schemas import tickets as tickets_schemas
from api.services import Services
from domain.audit import SYSTEM, Origin
from domain.configuration_commands import DefineCalendar, DefineSlaPolicy
from domain.desk import HelpDesk
from domain.fields import FieldDefinition
from domain.mail import mail_id
from domain.people import Agent, Customer, Organization
from domain.sla_policies import Targets
from tests.e2e.memory_desk import ADMIN, MemoryBlobs

JSON = Any
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
T, A = "/api/v1/tickets/{number}", "/api/v1/admin"
KNOWN_WRITES = frozenset(
    {("POST", "/api/v1/tickets"), ("POST", f"{T}/articles")}
    | {("POST", f"{T}/{c}") for c in ("assign", "unassign", "status", "priority")}
    | {("POST", f"{T}/{c}") for c in ("move", "type", "title", "tags", "links")}
    | {("POST", f"{T}/{c}") for c in ("merge", "reopen", "time", "rating")}
    | {("POST", f"{T}/{c}") for c in ("close", "hide", "unhide")}
    | {("PUT", f"{T}/fields/{{name}}"), ("DELETE", f"{T}/tags/{{tag}}")}
    | {("DELETE", f"{T}/links/{{kind}}/{{other}}")}
    | {("POST", f"{A}/{r}") for r in ("queues", "statuses", "fields", "agents")}
    | {("POST", f"{A}/{r}") for r in ("customers", "organizations", "tokens")}
    | {("PATCH", f"{A}/queues/{{name}}"), ("PATCH", f"{A}/fields/{{name}}")}
    | {("PATCH", f"{A}/agents/{{login}}"), ("PATCH", f"{A}/customers/{{email}}")}
    | {("PATCH", f"{A}/organizations/{{name}}"), ("PUT", f"{A}/priorities")}
    | {("PUT", f"{A}/ticket-types"), ("POST", f"{A}/statuses/{{name}}/retire")}
    | {("POST", f"{A}/tokens/{{token_id}}/revoke")}
    | {("POST", f"{A}/calendars"), ("PATCH", f"{A}/calendars/{{name}}")}
    | {("POST", f"{A}/sla-policies"), ("PATCH", f"{A}/sla-policies/{{name}}")}
    | {("POST", f"{T}/tasks"), ("POST", f"{T}/articles/{{article_id}}/forward")}
    | {("POST", f"{T}/tasks/{{task_id}}/{c}") for c in ("done", "reopen")}
    | {("POST", "/api/v1/inbound/email")}
    | {("POST", f"{A}/mail/quarantine/{{record_id}}/{c}") for c in ("discard", "retry")}
)


def examples(count: int) -> int:
    """Examples per test; TICKETTAPE_FUZZ_SCALE=20 makes a deep run."""
    return count * int(os.environ.get("TICKETTAPE_FUZZ_SCALE", "1"))


FUZZ = settings(
    max_examples=examples(12),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


@dataclass(frozen=True)
class Operation:
    """A write endpoint: its method, path template and JSON request schema."""

    method: str
    path: str
    params: tuple[str, ...]
    schema: dict[str, Any] | None
    multipart: bool


def _operations() -> tuple[list[Operation], dict[str, Any], set[tuple[str, str]]]:
    desk = HelpDesk()
    desk.initialize()
    app = create_app(Services(desk=desk, blobs=MemoryBlobs()))
    # Included routers nest; iter_route_contexts flattens them as the app sees them.
    routes = {
        (method, str(route.path_format))
        for route in iter_route_contexts(app.routes)
        for method in (route.methods or set()) & WRITE_METHODS
    }
    document = app.openapi()
    ops = []
    for path, items in document["paths"].items():
        for method, op in items.items():
            if method.upper() not in WRITE_METHODS:
                continue
            content = op.get("requestBody", {}).get("content", {})
            params = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
            ops.append(
                Operation(
                    method.upper(),
                    path,
                    tuple(params),
                    content.get("application/json", {}).get("schema"),
                    "multipart/form-data" in content,
                )
            )
    return ops, document, routes


def dangling_refs(document: dict[str, Any]) -> set[str]:
    """The component names the document refers to but does not define."""
    text = json.dumps(document)
    named = set(re.findall(r'"#/components/schemas/([^"]+)"', text))
    return named - set(document["components"]["schemas"])


def _components(document: dict[str, Any]) -> dict[str, Any]:
    """The document's schemas, plus those of models it names but leaves out."""
    components = dict(document["components"]["schemas"])
    template = "#/components/schemas/{model}"
    for name in dangling_refs(document):
        model = next(getattr(m, name) for m in SCHEMA_MODULES if hasattr(m, name))
        schema = model.model_json_schema(ref_template=template)
        components.update(schema.pop("$defs", {}))
        components[name] = schema
    return components


SCHEMA_MODULES = (tickets_schemas, admin_schemas, people_schemas, sla_schemas)
OPERATIONS, DOCUMENT, ROUTES = _operations()
COMPONENTS = _components(DOCUMENT)


@dataclass
class World:
    """A fresh desk with tickets and records to aim at, and a client of its API."""

    desk: HelpDesk
    client: TestClient
    headers: dict[str, dict[str, str]]
    existing: dict[str, list[str]]
    dirty: bool = False

    def position(self) -> int:
        """The log position: a refused command must leave it where it was."""
        return int(self.desk.recorder.max_notification_id() or 0)


def build_world() -> World:
    """Agents, customers, a select field, two linked tickets (the first with a
    task), a spare token and a quarantined message."""
    desk = HelpDesk()
    desk.initialize()
    for record in (
        Agent.hire("alice", "Alice", "alice@example.com", ["support"], [], ADMIN),
        Organization.register("ACME", ["acme.test"], ADMIN),
        Customer.register("bob@acme.test", "bob", "ACME", ADMIN),
        FieldDefinition.define("severity", "", "select", ["low", "high"], ADMIN),
    ):
        desk.save_config(record)
    desk.handle(DefineCalendar("Berlin", "Europe/Berlin"), ADMIN)
    desk.handle(DefineSlaPolicy("Standard", {"high": Targets(solution=60)}), ADMIN)
    headers = {}
    for who, role, subject in (("admin", "admin", "root"), ("bob", "customer", "")):
        secret, _ = desk.issue_token(who, role, subject or "bob@acme.test", ADMIN)
        headers[who] = {"Authorization": f"Bearer {secret}"}
    _, spare = desk.issue_token("spare", "auditor", "spare", Origin(SYSTEM))
    app = create_app(
        Services(desk=desk, blobs=MemoryBlobs(), max_attachment_bytes=2**20)
    )
    client = TestClient(app, follow_redirects=False)
    numbers, articles = [], []
    for title in ("Printer on fire", "Fax on fire"):
        ticket = {"title": title, "article": {"body": "It smokes."}}
        opened = client.post("/api/v1/tickets", json=ticket, headers=headers["bob"])
        numbers.append(str(opened.json()["number"]))
        articles.append(str(opened.json()["article_id"]))
    url = f"/api/v1/tickets/{numbers[0]}"
    for path, body in (("tags", {"tag": "vip"}), ("links", {"number": numbers[1]})):
        done = client.post(f"{url}/{path}", json=body, headers=headers["admin"])
        assert done.status_code == 200, done.text
    task = {"title": "Call back", "assignee": "alice", "due_at": "2099-01-01T09:00Z"}
    scheduled = client.post(f"{url}/tasks", json=task, headers=headers["admin"])
    assert scheduled.status_code == 201, scheduled.text
    held = client.post(
        "/api/v1/inbound/email",
        content=b"Subject: Nobody\r\n\r\nNo sender, so it is held.\r\n",
        headers={**headers["admin"], "Content-Type": "message/rfc822"},
    )
    assert held.json()["state"] == "quarantined", held.text
    existing = {
        "number": numbers,
        "other": numbers[::-1],
        "tag": ["vip"],
        "kind": ["related"],
        "login": ["alice"],
        "email": ["bob@acme.test"],
        "token_id": [str(spare.id)],
        "task_id": [str(scheduled.json()["task_id"])],
        "article_id": articles,
        "record_id": [str(mail_id(held.json()["key"]))],
        "queues/name": ["General"],
        "statuses/name": ["waiting_on_agent"],
        "fields/name": ["severity"],
        "organizations/name": ["ACME"],
        "calendars/name": ["Berlin"],
        "sla-policies/name": ["Standard"],
    }
    return World(desk, client, headers, existing)


class Worlds:
    """A pristine world, rebuilt only after a request that changed it."""

    def __init__(self) -> None:
        self.world: World | None = None

    def get(self) -> World:
        """A world no successful write has touched."""
        if self.world is None or self.world.dirty:
            self.world = build_world()
        return self.world


@dataclass
class Sent:
    """What one request sent, for the failure message."""

    method: str
    url: str
    content: bytes | None
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)

    def __str__(self) -> str:
        shown = (self.content or b"")[:300]
        return f"{self.method} {self.url[:300]} headers={self.headers} body={shown!r}"


def send(world: World, sent: Sent) -> None:
    """Send and check: no 5xx; a refusal is a problem and writes nothing."""
    before = world.position()
    response = world.client.request(
        sent.method, sent.url, content=sent.content, headers=sent.headers
    )
    status = response.status_code
    if currently_in_test_context():
        event(f"status {status}")
    assert status < 500, f"{status} for {sent}: {response.text[:500]}"
    if 200 <= status < 300:
        world.dirty = True
        if response.content:
            response.json()
        return
    assert world.position() == before, f"{status} wrote events for {sent}"
    if status >= 400:
        media = response.headers.get("content-type", "")
        assert media.startswith("application/problem+json"), f"{media} for {sent}"
        problem = response.json()
        assert problem["status"] == status, f"{problem} for {sent}"


def headers_for(
    world: World, who: str, content_type: str | None
) -> list[tuple[bytes, bytes]]:
    """The caller's Authorization and the content type as raw header pairs."""
    pairs = [(k.encode(), v.encode()) for k, v in world.headers[who].items()]
    if content_type is not None:
        pairs.append((b"content-type", content_type.encode()))
    return pairs
