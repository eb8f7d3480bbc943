"""A NUL character in any text of a request is a 422 naming the field, on every store.

PostgreSQL cannot keep NUL in text, so the edge refuses it for every store alike,
before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from domain.audit import SYSTEM, Origin
from domain.configuration_commands import DefineField, RegisterCustomer
from domain.desk import HelpDesk
from tests.e2e.memory_desk import ADMIN, Auth, MemoryBlobs, open_ticket
from tests.stores import DeskFactory

NUL_MSG = "text must not contain a NUL character (\\u0000)"


def position(desk: HelpDesk) -> int:
    """The event log's position: a refused request must leave it where it was."""
    return int(desk.recorder.max_notification_id() or 0)


def refused(answer: Any, loc: list[str | int], where: str = "") -> None:
    """The answer is a 422 problem whose one objection is a NUL at loc."""
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"] == [
        {"loc": loc, "msg": NUL_MSG + where, "type": "nul_character"}
    ]


@pytest.fixture
def number(desk: HelpDesk) -> str:
    """A ticket of bob's, and a text field `note` to set on it."""
    desk.handle(DefineField("note", "text"), ADMIN)
    return open_ticket(desk, "bob@acme.test")


def test_a_nul_in_a_title_is_refused(
    client: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    before = position(desk)
    ticket = {"title": "Printer\x00", "article": {"body": "It smokes."}}
    answer = client.post("/api/v1/tickets", json=ticket, headers=auth["bob"])
    refused(answer, ["title"])
    assert position(desk) == before


def test_a_nul_in_an_article_body_is_refused(
    client: TestClient, auth: Auth, desk: HelpDesk, number: str
) -> None:
    before = position(desk)
    opened = client.post(
        "/api/v1/tickets",
        json={"title": "Printer", "article": {"body": "It\x00smokes."}},
        headers=auth["bob"],
    )
    refused(opened, ["article", "body"])
    reply = client.post(
        f"/api/v1/tickets/{number}/articles",
        json={"body": "Unplug it.", "cc": ["x@acme.test", "y\x00@acme.test"]},
        headers=auth["alice"],
    )
    refused(reply, ["cc"], " (at [1])")
    assert position(desk) == before


def test_a_nul_in_a_tag_is_refused(
    client: TestClient, auth: Auth, desk: HelpDesk, number: str
) -> None:
    before = position(desk)
    answer = client.post(
        f"/api/v1/tickets/{number}/tags", json={"tag": "\x00"}, headers=auth["alice"]
    )
    refused(answer, ["body", "tag"])
    assert position(desk) == before


def test_a_nul_in_a_custom_field_value_is_refused(
    client: TestClient, auth: Auth, desk: HelpDesk, number: str
) -> None:
    before = position(desk)
    answer = client.put(
        f"/api/v1/tickets/{number}/fields/note",
        json={"value": "a\x00b"},
        headers=auth["alice"],
    )
    refused(answer, ["body", "value"])
    ticket = {
        "title": "Printer",
        "customer": "bob@acme.test",
        "fields": {"note": "a\x00b"},
        "article": {"body": "It smokes."},
    }
    opened = client.post("/api/v1/tickets", json=ticket, headers=auth["alice"])
    refused(opened, ["fields"], " (at ['note'])")
    assert position(desk) == before


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/admin/queues", {"name": "Sales\x00"}, "name"),
        ("/api/v1/admin/customers", {"email": "z@x.test", "name": "Z\x00"}, "name"),
        (
            "/api/v1/admin/tokens",
            {"name": "d", "role": "auditor", "subject": "\x00"},
            "subject",
        ),
    ],
)
def test_a_nul_in_configuration_is_refused(
    client: TestClient,
    auth: Auth,
    desk: HelpDesk,
    url: str,
    body: dict[str, Any],
    field: str,
) -> None:
    before = position(desk)
    answer = client.post(url, json=body, headers=auth["admin"])
    refused(answer, ["body", field])
    assert position(desk) == before


def test_a_nul_in_a_status_reason_is_refused(
    client: TestClient, auth: Auth, desk: HelpDesk, number: str
) -> None:
    before = position(desk)
    answer = client.post(
        f"/api/v1/tickets/{number}/status",
        json={"status": "open", "reason": "because\x00"},
        headers=auth["alice"],
    )
    refused(answer, ["body", "reason"])
    assert position(desk) == before


def test_a_nul_in_an_attachment_name_is_refused(
    client: TestClient, auth: Auth, desk: HelpDesk, blobs: MemoryBlobs, number: str
) -> None:
    before = position(desk)
    # Written by hand: HTTP clients escape a NUL in a file name as %00.
    parts = [
        b'Content-Disposition: form-data; name="payload"\r\n\r\n{"body": "two"}',
        b'Content-Disposition: form-data; name="attachments"; filename="fine.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\none",
        b'Content-Disposition: form-data; name="attachments"; filename="b\x00d.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\ntwo",
    ]
    body = b"".join(b"--nul-test\r\n" + part + b"\r\n" for part in parts)
    answer = client.post(
        f"/api/v1/tickets/{number}/articles",
        content=body + b"--nul-test--\r\n",
        headers={
            **auth["bob"],
            "Content-Type": "multipart/form-data; boundary=nul-test",
        },
    )
    refused(answer, ["attachments", 1, "filename"])
    assert position(desk) == before
    assert blobs.blobs == {}


def test_a_nul_in_the_multipart_payload_is_refused(
    client: TestClient, auth: Auth, desk: HelpDesk, number: str
) -> None:
    before = position(desk)
    answer = client.post(
        f"/api/v1/tickets/{number}/articles",
        data={"payload": '{"body": "nul \\u0000 here"}'},
        files=[("attachments", ("fine.txt", b"one", "text/plain"))],
        headers=auth["bob"],
    )
    refused(answer, ["body"])
    assert position(desk) == before


@pytest.fixture
def durable_api(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> Iterator[tuple[TestClient, HelpDesk, dict[str, str]]]:
    """A client of the API on a SQLite or PostgreSQL store, and bob's headers."""
    desk = desk_factory(durable_store_env)
    desk.handle(RegisterCustomer("bob@acme.test", "Bob"), ADMIN)
    secret, _ = desk.issue_token("portal", "customer", "bob@acme.test", Origin(SYSTEM))
    app = create_app(Services(desk=desk, blobs=MemoryBlobs()))
    with TestClient(app) as client:
        yield client, desk, {"Authorization": f"Bearer {secret}"}


def test_every_durable_store_answers_a_nul_alike(
    durable_api: tuple[TestClient, HelpDesk, dict[str, str]],
) -> None:
    client, desk, bob = durable_api
    before = position(desk)
    ticket = {"title": "Printer\x00", "article": {"body": "It \x00 smokes."}}
    answer = client.post("/api/v1/tickets", json=ticket, headers=bob)
    assert answer.status_code == 422, answer.text
    assert answer.json() == {
        "type": "https://tickettape.dev/problems/422",
        "title": "Invalid Request",
        "status": 422,
        "detail": "the request does not match the schema",
        "instance": "/api/v1/tickets",
        "errors": [
            {"loc": ["title"], "msg": NUL_MSG, "type": "nul_character"},
            {
                "loc": ["article", "body"],
                "msg": NUL_MSG,
                "type": "nul_character",
            },
        ],
    }
    assert position(desk) == before
    clean = {"title": "Printer", "article": {"body": "It smokes."}}
    assert client.post("/api/v1/tickets", json=clean, headers=bob).status_code == 201


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickets/12%00",
        "/api/v1/tickets/12%00/history",
        "/api/v1/admin/queues/General%00",
        "/api/v1/admin/customers/bob%00@acme.test",
        "/api/v1/admin/organizations/Acme%00",
        "/api/v1/admin/statuses/open%00",
        "/api/v1/admin/fields/x%00",
    ],
)
def test_a_nul_in_a_path_is_a_missing_record_on_every_store(
    durable_api: tuple[TestClient, HelpDesk, dict[str, str]], path: str
) -> None:
    client, desk, _ = durable_api
    secret, _ = desk.issue_token("root", "admin", "root", Origin(SYSTEM))
    answer = client.get(path, headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 404, (path, answer.text)
    assert answer.headers["content-type"].startswith("application/problem+json")
