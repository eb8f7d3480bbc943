"""The API answers as its OpenAPI document says: schemathesis over every operation.

For each operation and each of an admin, an agent and a customer, schemathesis
sends valid and invalid requests (its examples, coverage and fuzzing phases)
to the app in-process, on an in-memory desk with its views on SQLite, and
checks that no answer is a 5xx, that every status and media type is one the
document lists, and that every body and header matches its schema. Path
parameters often name records that exist (a drawn choice), so the successful
answers are checked as well as the refusals.

Bounded: a fixed seed, derandomized, a few examples per operation and role;
TICKETTAPE_FUZZ_SCALE multiplies them for a deep run.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import APIOperation
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from api.services import Services
from domain.articles import Article
from domain.attachments import AttachmentRef
from domain.audit import SYSTEM, Origin
from domain.configuration_commands import DefineCalendar, DefineSlaPolicy
from domain.desk import HelpDesk, TicketDraft
from domain.fields import FieldDefinition
from domain.people import Agent, Customer, Organization
from domain.queues import FollowUp, Queue
from domain.sla_policies import Targets
from projections.catalogue import all_views
from projections.engine.runner import ViewRunner
from projections.engine.store import SQLiteViewStore
from tests.e2e.memory_desk import MemoryBlobs

ADMIN = Origin("admin:test")
#: Raw messages for the mail gateway's route: real ones and any bytes at all.
RAW_MAIL = (
    b"From: bob@acme.test\r\nTo: support@desk.test\r\nSubject: Help\r\n"
    b"Message-ID: <conformance@acme.test>\r\n\r\nIt smokes.\r\n"
)
schemathesis.openapi.media_type(
    "message/rfc822", st.one_of(st.just(RAW_MAIL), st.binary(max_size=300))
)
Case = schemathesis.Case[APIOperation[Any, Any, Any, Any]]
CALLERS = {
    "admin": ("admin", "root"),
    "agent": ("agent", "alice"),
    "customer": ("customer", "bob@acme.test"),
}
EXAMPLES = 6 * int(os.environ.get("TICKETTAPE_FUZZ_SCALE", "1"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Seconds: a read-your-writes wait and the activity stream end this soon at most.
SHORT = {"wait": 0.01, "max_seconds": 0.01}


def _world(desk: HelpDesk, blobs: MemoryBlobs) -> dict[str, list[str]]:
    """People, queues, a field and linked tickets with an attachment: what the
    path parameters may name, by parameter."""
    desk.save_config(Queue.open("Billing", "billing", FollowUp.REOPEN, None, ADMIN))
    for login, group in (("alice", "support"), ("carol", "billing")):
        desk.save_config(
            Agent.hire(login, login.title(), f"{login}@example.com", [group], [], ADMIN)
        )
    desk.save_config(Organization.register("ACME", ["acme.test"], ADMIN))
    desk.save_config(Customer.register("bob@acme.test", "Bob", "ACME", ADMIN))
    desk.save_config(FieldDefinition.define("printer", "Printer", "text", [], ADMIN))
    content = b"%PDF fake invoice"
    attachment = AttachmentRef(
        "invoice.pdf", "application/pdf", len(content), blobs.put(content)
    )
    bob = Origin("customer:bob@acme.test")
    numbers = []
    for queue in ("General", "General", "Billing"):
        first = Article(
            "a1", "customer", "public", "web", "It smokes.", attachments=[attachment]
        )
        draft = TicketDraft(title="Printer", customer="bob@acme.test", queue=queue)
        numbers.append(desk.open_ticket(draft, first, bob).number)
    desk.tag(numbers[0], "fire", ADMIN)
    desk.link(numbers[0], numbers[1], "related", ADMIN)
    _, token = desk.issue_token("spare", "auditor", "spare", ADMIN)
    desk.handle(DefineCalendar("Berlin", "Europe/Berlin"), ADMIN)
    desk.handle(DefineSlaPolicy("Standard", {"high": Targets(solution=60)}), ADMIN)
    return {
        "number": numbers,
        "other": numbers,
        "article_id": ["a1"],
        "index": ["0"],
        "tag": ["fire"],
        "kind": ["related"],
        "login": ["alice", "carol"],
        "email": ["bob@acme.test"],
        "token_id": [str(token.id)],
        "queue": ["General", "Billing"],
        "name": ["General", "printer", "postponed", "ACME", "Berlin", "Standard"],
    }


def _api() -> tuple[FastAPI, dict[str, dict[str, str]], dict[str, list[str]]]:
    """The app, an Authorization header per caller, and the records to name."""
    desk = HelpDesk()
    desk.initialize()
    blobs = MemoryBlobs()
    names = _world(desk, blobs)
    # The schema is loaded, so the app built, when the module is imported: no
    # fixture can own the views' file, so it is removed when the process exits.
    views_dir = Path(tempfile.mkdtemp(prefix="tickettape-conformance-"))
    atexit.register(shutil.rmtree, views_dir, ignore_errors=True)
    store = SQLiteViewStore(views_dir / "views.sqlite3")
    atexit.register(store.close)
    views = ViewRunner(desk, store, all_views())
    headers = {}
    for who, (role, subject) in CALLERS.items():
        secret, _ = desk.issue_token(who, role, subject, Origin(SYSTEM))
        headers[who] = {"Authorization": f"Bearer {secret}"}
    app = create_app(Services(desk=desk, blobs=blobs, views=views))
    return app, headers, names


def flatmap_path_parameters(
    context: schemathesis.HookContext, path_parameters: dict[str, Any] | None
) -> st.SearchStrategy[dict[str, Any] | None]:
    """As generated, or naming records that exist (a drawn choice per parameter)."""
    if not path_parameters:
        return st.just(path_parameters)
    choices = {
        key: st.sampled_from([value, *NAMES.get(key, [])])
        for key, value in path_parameters.items()
    }
    return st.fixed_dictionaries(choices)


def shortened(case: Case) -> None:
    """Keep waits and streams short: the answers are checked, not the waiting.

    Done on the case as it is sent: the coverage phase's cases skip map hooks,
    and give numbers as text.
    """
    for key, longest in SHORT.items():
        if key not in case.operation.query:
            continue
        query = case.query if isinstance(case.query, dict) else {}
        try:
            seconds = float(query.get(key, longest))
        except (TypeError, ValueError):
            continue
        case.query = {**query, key: min(seconds, longest)}


def _schema(phases: dict[str, Any]) -> schemathesis.BaseSchema:
    """The app's document, to generate cases in these phases."""
    config = {
        "seed": 20240101,
        "phases": phases,
        "generation": {
            "deterministic": True,
            # The callers' tokens are ours, not generated.
            "with-security-parameters": False,
        },
    }
    loaded = schemathesis.openapi.from_asgi(
        "/openapi.json", APP, config=schemathesis.Config.from_dict(config)
    )
    loaded.hook(flatmap_path_parameters)
    return loaded


APP, HEADERS, NAMES = _api()
# Examples and random cases, for every caller.
every_caller = _schema({"coverage": {"enabled": False}})
# The coverage phase's boundary and invalid values, for the admin only: the
# most permissive caller gets past the gates to every validation.
boundaries = _schema({"examples": {"enabled": False}, "fuzzing": {"enabled": False}})
BOUNDED = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("who", list(CALLERS))
@every_caller.parametrize()
@BOUNDED
def test_every_answer_is_documented(case: Case, who: str) -> None:
    shortened(case)
    case.call_and_validate(headers=HEADERS[who], checks=CHECKS, timeout=10)


@boundaries.parametrize()
@BOUNDED
def test_boundary_values_are_answered_as_documented(case: Case) -> None:
    shortened(case)
    case.call_and_validate(headers=HEADERS["admin"], checks=CHECKS, timeout=10)
