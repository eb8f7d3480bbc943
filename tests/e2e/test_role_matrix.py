"""Every endpoint times every caller: allowed, forbidden (403) or invisible (404).

The table below must name every operation of the OpenAPI document, so a new
endpoint cannot ship without a decision about who may call it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from domain.articles import Article
from domain.attachments import AttachmentRef
from domain.audit import SYSTEM, Origin
from domain.commands import ScheduleTask
from domain.configuration_commands import DefineCalendar, DefineSlaPolicy
from domain.desk import HelpDesk, TicketDraft
from domain.fields import FieldDefinition
from domain.sla_policies import Targets
from projections.catalogue import all_views
from projections.engine.runner import ViewRunner
from projections.engine.store import SQLiteViewStore
from tests.e2e.held_mail import receive
from tests.e2e.memory_desk import MemoryBlobs

CALLERS = ("admin", "alice", "carol", "bob", "erin", "auditor", "anonymous")
OK, FORBIDDEN, HIDDEN, UNAUTHENTICATED = 200, 403, 404, 401

# Who may do what, by kind of endpoint. alice works the ticket's queue, carol
# does not; bob owns the ticket, erin is a stranger to it.
PUBLIC = dict.fromkeys(CALLERS, OK)
OPEN = {"admin": OK, "alice": OK, "carol": FORBIDDEN, "bob": OK, "erin": OK}
OPEN["auditor"] = FORBIDDEN
READ = {"admin": OK, "alice": OK, "carol": HIDDEN, "bob": OK, "erin": HIDDEN}
READ["auditor"] = OK
WRITE = {**READ, "auditor": FORBIDDEN}
STAFF = {**READ, "bob": FORBIDDEN, "erin": FORBIDDEN, "auditor": FORBIDDEN}
RATE = {"admin": OK, "alice": FORBIDDEN, "carol": FORBIDDEN, "bob": OK}
RATE |= {"erin": HIDDEN, "auditor": FORBIDDEN}
ADMIN_WRITE = {"admin": OK} | dict.fromkeys(CALLERS[1:6], FORBIDDEN)
WORK_READ = {"admin": OK, "alice": OK, "carol": OK, "auditor": OK}
WORK_READ |= {"bob": FORBIDDEN, "erin": FORBIDDEN}
CONFIG_READ = {"admin": OK, "auditor": OK} | dict.fromkeys(CALLERS[1:5], FORBIDDEN)
# A ticket's tasks are the staff's: customers are refused even their own ticket's.
TASK_READ = {**READ, "bob": FORBIDDEN, "erin": FORBIDDEN}


@dataclass(frozen=True)
class Case:
    """One operation, a body that is valid for it, and who may call it."""

    method: str
    path: str
    access: dict[str, int]
    body: dict[str, Any] | None = None
    resolved_first: bool = False
    params: dict[str, Any] | None = None
    #: A raw body (a mail message) instead of JSON.
    raw: bytes | None = None


T = "/api/v1/tickets/{number}"
# A stream that closes at once, rather than after its default lifetime.
NOW = {"max_seconds": 0}
A = "/api/v1/admin"
MAIL = b"From: bob@acme.test\r\nSubject: Help\r\nMessage-ID: <rm@acme.test>\r\n\r\nx"
CASES = [
    Case("GET", "/healthz", PUBLIC),
    Case("POST", "/api/v1/inbound/email", ADMIN_WRITE, raw=MAIL),
    Case("GET", "/readyz", PUBLIC),
    Case("POST", "/api/v1/tickets", OPEN, {"title": "New", "article": {"body": "x"}}),
    Case("GET", f"{T}/history", READ),
    Case("GET", "/metrics", PUBLIC),
    Case("GET", "/api/v1/views/waiting", WORK_READ),
    Case("GET", "/api/v1/views/agents", WORK_READ),
    Case("GET", "/api/v1/views/agents/{login}", WORK_READ | {"alice": FORBIDDEN}),
    Case("GET", "/api/v1/views/queues", WORK_READ),
    Case("GET", "/api/v1/views/queues/{queue}", WORK_READ | {"carol": FORBIDDEN}),
    Case("GET", "/api/v1/views/status", WORK_READ),
    Case("GET", "/api/v1/views/escalations", WORK_READ),
    Case("GET", "/api/v1/views/escalations/counts", WORK_READ),
    Case("GET", "/api/v1/views/reminders", WORK_READ),
    # Customers see SLA times only where the queue shows them (General does not).
    Case("GET", f"{T}/sla", READ | {"bob": FORBIDDEN}),
    Case("GET", "/api/v1/search", dict.fromkeys(CALLERS, OK), params={"q": "x"}),
    Case("GET", "/api/v1/activity", dict.fromkeys(CALLERS, OK)),
    Case("GET", "/api/v1/activity/stream", dict.fromkeys(CALLERS, OK), params=NOW),
    Case("GET", "/api/v1/reports/backlog", WORK_READ),
    Case("GET", "/api/v1/tickets", dict.fromkeys(CALLERS, OK)),
    Case("GET", T, READ),
    Case("POST", f"{T}/articles", WRITE, {"body": "Any news?"}),
    Case("GET", f"{T}/articles/{{article_id}}/attachments/{{index}}", READ),
    Case("POST", f"{T}/assign", STAFF, {"owner": "alice"}),
    Case("POST", f"{T}/unassign", STAFF),
    Case("POST", f"{T}/status", STAFF, {"status": "open"}),
    Case("POST", f"{T}/priority", STAFF, {"priority": "high"}),
    Case("POST", f"{T}/move", STAFF, {"queue": "General"}),
    Case("POST", f"{T}/type", STAFF, {"type": "problem"}),
    Case("POST", f"{T}/title", STAFF, {"title": "Printer smokes"}),
    Case("PUT", f"{T}/fields/{{name}}", STAFF, {"value": "HP 4000"}),
    Case("POST", f"{T}/tags", STAFF, {"tag": "printer"}),
    Case("DELETE", f"{T}/tags/{{tag}}", STAFF),
    Case("POST", f"{T}/links", STAFF, {"number": "{other}", "kind": "duplicate"}),
    Case("DELETE", f"{T}/links/{{kind}}/{{other}}", STAFF),
    Case("POST", f"{T}/merge", STAFF, {"target": "{other}"}),
    Case("POST", f"{T}/reopen", STAFF, resolved_first=True),
    Case("POST", f"{T}/time", STAFF, {"minutes": 5, "activity": "call"}),
    Case("POST", f"{T}/rating", RATE, {"score": 5}, resolved_first=True),
    Case("POST", f"{T}/close", RATE),
    Case("POST", f"{T}/hide", STAFF),
    Case("POST", f"{T}/unhide", STAFF),
    Case(
        "POST",
        f"{T}/tasks",
        STAFF,
        {"title": "Call back", "assignee": "carol", "due_at": "2099-01-01T09:00Z"},
    ),
    Case("GET", f"{T}/tasks", TASK_READ),
    Case("POST", f"{T}/tasks/{{task_id}}/done", STAFF),
    Case("POST", f"{T}/tasks/{{task_id}}/reopen", STAFF),
    Case("GET", "/api/v1/views/tasks", WORK_READ),
    Case("GET", f"{A}/queues", WORK_READ),
    Case("POST", f"{A}/queues", ADMIN_WRITE, {"name": "Hardware", "group": "hw"}),
    Case("GET", f"{A}/queues/{{name}}", WORK_READ),
    Case("PATCH", f"{A}/queues/{{name}}", ADMIN_WRITE, {"follow_up": "reject"}),
    Case("GET", f"{A}/statuses", WORK_READ),
    Case("POST", f"{A}/statuses", ADMIN_WRITE, {"name": "held", "category": "pending"}),
    Case("GET", f"{A}/statuses/{{name}}", WORK_READ),
    Case("POST", f"{A}/statuses/{{name}}/retire", ADMIN_WRITE),
    Case("GET", f"{A}/priorities", WORK_READ),
    Case("PUT", f"{A}/priorities", ADMIN_WRITE, {"values": ["low"], "default": "low"}),
    Case("GET", f"{A}/ticket-types", WORK_READ),
    Case("PUT", f"{A}/ticket-types", ADMIN_WRITE, {"values": ["q"], "default": "q"}),
    Case("GET", f"{A}/fields", WORK_READ),
    Case("POST", f"{A}/fields", ADMIN_WRITE, {"name": "serial", "kind": "text"}),
    Case("GET", f"{A}/fields/{{name}}", WORK_READ),
    Case("PATCH", f"{A}/fields/{{name}}", ADMIN_WRITE, {"label": "Printer model"}),
    Case("GET", f"{A}/agents", CONFIG_READ),
    Case(
        "POST",
        f"{A}/agents",
        ADMIN_WRITE,
        {"login": "zed", "name": "Zed", "email": "zed@example.com"},
    ),
    Case("GET", f"{A}/agents/{{login}}", CONFIG_READ),
    Case("PATCH", f"{A}/agents/{{login}}", ADMIN_WRITE, {"name": "Carol B."}),
    Case("GET", f"{A}/customers", CONFIG_READ),
    Case("POST", f"{A}/customers", ADMIN_WRITE, {"email": "z@x.test", "name": "Z"}),
    Case("GET", f"{A}/customers/{{email}}", CONFIG_READ),
    Case("PATCH", f"{A}/customers/{{email}}", ADMIN_WRITE, {"name": "Erin E."}),
    Case("GET", f"{A}/organizations", CONFIG_READ),
    Case("POST", f"{A}/organizations", ADMIN_WRITE, {"name": "Initech"}),
    Case("GET", f"{A}/organizations/{{name}}", CONFIG_READ),
    Case("PATCH", f"{A}/organizations/{{name}}", ADMIN_WRITE, {"domains": ["a.test"]}),
    Case("GET", f"{A}/tokens", CONFIG_READ),
    Case(
        "POST",
        f"{A}/tokens",
        ADMIN_WRITE,
        {"name": "ci", "role": "auditor", "subject": "ci"},
    ),
    Case("GET", f"{A}/tokens/{{token_id}}", CONFIG_READ),
    Case("POST", f"{A}/tokens/{{token_id}}/revoke", ADMIN_WRITE),
    Case("GET", f"{A}/calendars", WORK_READ),
    Case("POST", f"{A}/calendars", ADMIN_WRITE, {"name": "Tokyo", "hours": "24/7"}),
    Case("GET", f"{A}/calendars/{{name}}", WORK_READ),
    Case("PATCH", f"{A}/calendars/{{name}}", ADMIN_WRITE, {"active": False}),
    Case("GET", f"{A}/sla-policies", WORK_READ),
    Case(
        "POST",
        f"{A}/sla-policies",
        ADMIN_WRITE,
        {"name": "Fast", "targets": {"high": {"first_response": 30}}},
    ),
    Case("GET", f"{A}/sla-policies/{{name}}", WORK_READ),
    Case("PATCH", f"{A}/sla-policies/{{name}}", ADMIN_WRITE, {"rank": 1}),
    Case("GET", f"{A}/mail/quarantine", CONFIG_READ),
    Case("GET", f"{A}/mail/quarantine/{{record_id}}", CONFIG_READ),
    Case("GET", f"{A}/mail/quarantine/{{record_id}}/raw", CONFIG_READ),
    Case(
        "POST",
        f"{A}/mail/quarantine/{{record_id}}/discard",
        ADMIN_WRITE,
        {"reason": "spam"},
    ),
    Case("POST", f"{A}/mail/quarantine/{{record_id}}/retry", ADMIN_WRITE),
    Case(
        "POST",
        f"{T}/articles/{{article_id}}/forward",
        STAFF,
        {"to": ["repairs@vendor.test"], "comment": "Can you fix it?"},
    ),
]

# What each path parameter names, per resource.
ADMIN_NAMES = {
    "queues": "General",
    "statuses": "postponed",
    "fields": "printer",
    "organizations": "ACME",
    "calendars": "Berlin",
    "sla-policies": "Standard",
}


@pytest.fixture
def client(desk: HelpDesk, blobs: MemoryBlobs, tmp_path: Path) -> Iterator[TestClient]:
    """The API with every read model, so that the view endpoints answer too."""
    store = SQLiteViewStore(tmp_path / "views.sqlite3")
    views = ViewRunner(desk, store, all_views())
    app = create_app(Services(desk=desk, blobs=blobs, views=views))
    with TestClient(app) as test_client:
        yield test_client
    store.close()


def test_the_matrix_names_every_operation(client: TestClient) -> None:
    documented = {
        (method.upper(), path)
        for path, operations in client.app.openapi()["paths"].items()  # type: ignore[attr-defined]
        for method in operations
    }
    assert {(case.method, case.path) for case in CASES} == documented


def world(desk: HelpDesk, blobs: MemoryBlobs) -> dict[str, str]:
    """Bob's ticket with an attachment, tagged, linked and with a task, and a
    quarantined message; values for the paths."""
    origin = Origin(SYSTEM)
    desk.save_config(FieldDefinition.define("printer", "Printer", "text", [], origin))
    content = b"%PDF fake invoice"
    attachment = AttachmentRef("invoice.pdf", "application/pdf", len(content), "")
    attachment = AttachmentRef(**{**vars(attachment), "sha256": blobs.put(content)})
    article = Article(
        "a1", "customer", "public", "web", "Broken", attachments=[attachment]
    )
    draft = TicketDraft(title="Printer", customer="bob@acme.test")
    number = desk.open_ticket(draft, article, Origin("customer:bob@acme.test")).number
    second = Article("a2", "customer", "public", "web", "Also this")
    other = desk.open_ticket(draft, second, Origin("customer:bob@acme.test")).number
    desk.tag(number, "fire", origin)
    desk.link(number, other, "related", origin)
    due_at = datetime(2099, 1, 1, 9, tzinfo=UTC)
    desk.handle(ScheduleTask(number, "Call back", "alice", due_at, "t1"), origin)
    _, token = desk.issue_token("spare", "auditor", "spare", origin)
    desk.handle(DefineCalendar("Berlin", "Europe/Berlin"), origin)
    desk.handle(DefineSlaPolicy("Standard", {"high": Targets(solution=60)}), origin)
    return {
        "number": number,
        "other": other,
        "article_id": "a1",
        "index": "0",
        "tag": "fire",
        "kind": "related",
        "login": "carol",
        "email": "erin@example.com",
        "token_id": str(token.id),
        "queue": "General",
        "task_id": "t1",
        "record_id": str(receive(desk, blobs, 1)),
    }


def fill(case: Case, values: dict[str, str]) -> tuple[str, dict[str, Any] | None]:
    """The case's path and body with the world's values filled in."""
    resource = case.path.removeprefix(f"{A}/").split("/")[0]
    path = case.path.replace("{name}", ADMIN_NAMES.get(resource, "printer"))
    body = case.body
    if body is not None:
        body = {
            k: v.format(**values) if isinstance(v, str) else v for k, v in body.items()
        }
    return path.format(**values), body


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_role_matrix(
    case: Case,
    caller: str,
    client: TestClient,
    auth: dict[str, dict[str, str]],
    desk: HelpDesk,
    blobs: MemoryBlobs,
) -> None:
    values = world(desk, blobs)
    if case.resolved_first:
        desk.change_status(values["number"], "resolved", None, "", Origin(SYSTEM))
    path, body = fill(case, values)
    if caller in ("alice", "carol", "admin") and path == "/api/v1/tickets":
        body = {**(body or {}), "customer": "bob@acme.test"}
    headers = auth.get(caller, {})
    before = desk.recorder.max_notification_id()
    if case.raw is not None:
        raw_type = {"Content-Type": "message/rfc822"}
        response = client.request(
            case.method, path, content=case.raw, headers={**headers, **raw_type}
        )
    else:
        response = client.request(
            case.method, path, json=body, headers=headers, params=case.params
        )
    expected = UNAUTHENTICATED if caller == "anonymous" else case.access[caller]
    expected = PUBLIC[caller] if case.access is PUBLIC else expected
    if expected == OK:
        assert response.is_success, response.text
    else:
        assert response.status_code == expected, response.text
        assert desk.recorder.max_notification_id() == before
