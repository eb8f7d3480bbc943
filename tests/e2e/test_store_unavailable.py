"""When the store cannot answer, or a commit's outcome is unknown: 503, said plainly."""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Callable

import psycopg
import pytest
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi.testclient import TestClient

from domain.desk import HelpDesk
from domain.errors import CommitUncertain
from tests.e2e.memory_desk import Auth, MemoryBlobs, post_ticket


def test_a_commit_of_unknown_outcome_says_a_keyed_retry_is_safe(
    client: TestClient, auth: Auth, desk: HelpDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = post_ticket(client, auth)["number"]

    def lost(*args: object, **kwargs: object) -> None:
        raise CommitUncertain("the connection broke while the command was committed")

    monkeypatch.setattr(desk, "handle", lost)
    response = client.post(
        f"/api/v1/tickets/{number}/articles",
        json={"body": "Unplug it"},
        headers={**auth["alice"], "Idempotency-Key": "k1"},
    )
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "2"
    problem = response.json()
    assert (problem["title"], problem["code"]) == (
        "Outcome Unknown",
        "commit-uncertain",
    )
    assert "same Idempotency-Key is safe" in problem["detail"]


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("couldn't get a connection after 3.00 sec"),
        InterfaceError("the connection is closed"),
        psycopg.OperationalError("server closed the connection unexpectedly"),
        sqlite3.OperationalError("database is locked"),
    ],
)
def test_an_unreachable_store_answers_503_with_retry_after(
    client: TestClient,
    auth: Auth,
    desk: HelpDesk,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
) -> None:
    number = post_ticket(client, auth)["number"]

    def unreachable(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(desk, "ticket", unreachable)
    response = client.get(f"/api/v1/tickets/{number}", headers=auth["alice"])
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "2"
    problem = response.json()
    assert (problem["title"], problem["code"]) == (
        "Store Unavailable",
        "store-unavailable",
    )
    assert str(error) not in problem["detail"]


def _disk(failure: int) -> Callable[[bytes], str]:
    def put(content: bytes) -> str:
        raise OSError(failure, os.strerror(failure))

    return put


@pytest.mark.parametrize(
    "failure", [errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO]
)
def test_a_full_or_failing_disk_answers_503_and_records_nothing(
    client: TestClient,
    auth: Auth,
    desk: HelpDesk,
    blobs: MemoryBlobs,
    monkeypatch: pytest.MonkeyPatch,
    failure: int,
) -> None:
    number = post_ticket(client, auth)["number"]
    monkeypatch.setattr(blobs, "put", _disk(failure))
    position = desk.recorder.max_notification_id()
    files = [("attachments", ("shot.png", b"\x89PNG", "image/png"))]
    uploads = client.post(
        f"/api/v1/tickets/{number}/articles",
        data={"payload": '{"body": "see the file"}'},
        files=files,
        headers=auth["bob"],
    )
    mail = client.post(
        "/api/v1/inbound/email",
        content=b"From: bob@acme.test\r\nSubject: Hi\r\n\r\nHello\r\n",
        headers={**auth["gateway"], "Content-Type": "message/rfc822"},
    )
    for response in (uploads, mail):
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "2"
        problem = response.json()
        assert (problem["title"], problem["code"]) == (
            "Storage Unavailable",
            "storage-unavailable",
        )
    assert desk.recorder.max_notification_id() == position


def test_another_os_error_is_a_generic_500(
    client: TestClient, auth: Auth, blobs: MemoryBlobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = post_ticket(client, auth)["number"]
    monkeypatch.setattr(blobs, "put", _disk(errno.ENOENT))
    files = [("attachments", ("shot.png", b"\x89PNG", "image/png"))]
    with TestClient(client.app, raise_server_exceptions=False) as plain:
        response = plain.post(
            f"/api/v1/tickets/{number}/articles",
            data={"payload": '{"body": "see the file"}'},
            files=files,
            headers=auth["bob"],
        )
    assert response.status_code == 500
    assert (
        response.json()["detail"] == "the server failed to answer; the error is logged"
    )
