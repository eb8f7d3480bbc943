"""A request body over its limit is refused with 413 before it is read or
parsed, whoever sends it; bodies within it pass as before."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from domain.desk import HelpDesk
from tests.e2e.memory_desk import Auth, MemoryBlobs, open_ticket

LIMIT = 64 * 1024
ARTICLES = "/api/v1/tickets/{number}/articles"


@pytest.fixture
def small(desk: HelpDesk) -> Iterator[TestClient]:
    """An app whose JSON bodies may be 64 KiB, attachments 16 KiB (two)."""
    services = Services(
        desk=desk,
        blobs=MemoryBlobs(),
        max_request_bytes=LIMIT,
        max_attachment_bytes=16 * 1024,
        max_attachments=2,
    )
    with TestClient(create_app(services)) as client:
        yield client


@pytest.fixture
def articles(desk: HelpDesk) -> str:
    """Where articles of a ticket bob opened are added."""
    return ARTICLES.format(number=open_ticket(desk, "bob@acme.test"))


def _note(text: str, padding: int = 0) -> bytes:
    body = {"body": text + " " + "x" * padding, "visibility": "internal"}
    return json.dumps(body).encode()


def _notes(desk: HelpDesk) -> int:
    return desk.recorder.max_notification_id() or 0


def test_a_declared_length_over_the_limit_is_refused_unread(
    small: TestClient, auth: Auth, desk: HelpDesk, articles: str
) -> None:
    big, before = _note("too big", LIMIT), _notes(desk)
    # Without a token too: the body is refused before anybody is asked.
    for headers in ({}, auth["alice"]):
        answer = small.post(
            articles,
            content=big,
            headers={**headers, "Content-Type": "application/json"},
        )
        assert answer.status_code == 413
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["x-request-id"]
        problem = answer.json()
        assert (problem["title"], problem["limit"]) == ("Request Too Large", LIMIT)
    assert _notes(desk) == before


def test_a_chunked_body_is_cut_off_at_the_limit(
    small: TestClient, auth: Auth, desk: HelpDesk, articles: str
) -> None:
    def chunks() -> Iterator[bytes]:
        body = _note("chunked", LIMIT)
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    before = _notes(desk)
    answer = small.post(
        articles,
        content=chunks(),
        headers={**auth["alice"], "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.json()["limit"] == LIMIT
    assert _notes(desk) == before


def test_a_body_within_the_limit_passes(
    small: TestClient, auth: Auth, articles: str
) -> None:
    answer = small.post(
        articles,
        content=_note("fits", LIMIT - 100),
        headers={**auth["alice"], "Content-Type": "application/json"},
    )
    assert answer.status_code == 201, answer.text


def test_an_article_with_attachments_may_exceed_the_json_limit(
    small: TestClient, auth: Auth, articles: str
) -> None:
    payload = json.dumps({"body": "logs attached", "visibility": "internal"})
    files = [
        ("attachments", (f"log{n}.txt", b"x" * 15_000, "text/plain")) for n in range(2)
    ]
    # A JSON limit of 64 KiB, an article of two 15 kB files and padding: a body
    # over 64 KiB that the multipart limit allows.
    padding = {"padding": "y" * LIMIT}
    answer = small.post(
        articles,
        data={"payload": payload, **padding},
        files=files,
        headers=auth["alice"],
    )
    assert answer.status_code == 201, answer.text


def test_the_inbound_mail_route_keeps_its_own_limit(
    small: TestClient, auth: Auth
) -> None:
    raw = b"From: a@b.test\r\nSubject: big\r\n\r\n" + b"z" * (LIMIT * 2)
    answer = small.post(
        "/api/v1/inbound/email",
        content=raw,
        headers={**auth["gateway"], "Content-Type": "message/rfc822"},
    )
    assert answer.status_code == 201, answer.text


def test_a_multipart_type_does_not_raise_the_limit_of_other_routes(
    small: TestClient, auth: Auth
) -> None:
    """Only the routes that take files read multipart; on any other a body
    labelled multipart still has the plain limit, token or none."""
    body = b"--b\r\n" + b"x" * (LIMIT + 1) + b"\r\n--b--\r\n"
    headers = {"Content-Type": "multipart/form-data; boundary=b"}
    for path in ("/api/v1/admin/statuses", "/api/v1/tickets/1/tags"):
        for token in ({}, auth["admin"]):
            answer = small.post(path, content=body, headers={**headers, **token})
            assert answer.status_code == 413, (path, answer.text)
