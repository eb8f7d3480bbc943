"""Tickets through HTTP: open, read, reply, note, concurrency headers, visibility."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from domain.desk import HelpDesk
from tests.e2e.memory_desk import Auth

TICKETS = "/api/v1/tickets"


def open_as(client: TestClient, auth: Auth, who: str, **extra: Any) -> dict[str, Any]:
    """Open a ticket as a caller and return the command result."""
    body: dict[str, Any] = {
        "title": "Printer on fire",
        "article": {"body": "It smokes.", "subject": "Help"},
        **extra,
    }
    response = client.post(TICKETS, json=body, headers=auth[who])
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def read(client: TestClient, auth: Auth, who: str, number: str) -> dict[str, Any]:
    """Read a ticket as a caller, expecting success."""
    response = client.get(f"{TICKETS}/{number}", headers=auth[who])
    assert response.status_code == 200, response.text
    ticket: dict[str, Any] = response.json()
    return ticket


def test_customer_opens_a_ticket_for_themselves(client: TestClient, auth: Auth) -> None:
    result = open_as(client, auth, "bob")
    ticket = read(client, auth, "bob", result["number"])
    assert ticket["customer"] == "bob@acme.test"
    assert ticket["organization"] == "ACME"
    assert ticket["status"] == "new"
    assert [a["sender"] for a in ticket["articles"]] == ["customer"]


def test_the_whole_conversation(client: TestClient, auth: Auth) -> None:
    number = open_as(client, auth, "bob")["number"]
    reply = {"body": "Unplug it.", "channel": "email"}
    response = client.post(
        f"{TICKETS}/{number}/articles", json=reply, headers=auth["alice"]
    )
    assert response.status_code == 201, response.text
    assert read(client, auth, "alice", number)["status"] == "waiting_for_customer"

    note = {"body": "He sounds panicked.", "visibility": "internal", "channel": "note"}
    client.post(f"{TICKETS}/{number}/articles", json=note, headers=auth["alice"])
    bodies = [a["body"] for a in read(client, auth, "bob", number)["articles"]]
    assert "He sounds panicked." not in bodies
    staff_bodies = [a["body"] for a in read(client, auth, "alice", number)["articles"]]
    assert "He sounds panicked." in staff_bodies

    client.post(
        f"{TICKETS}/{number}/assign", json={"owner": "alice"}, headers=auth["alice"]
    )
    resolved = client.post(
        f"{TICKETS}/{number}/status", json={"status": "resolved"}, headers=auth["alice"]
    )
    assert resolved.status_code == 200, resolved.text
    again = {"body": "It is burning again."}
    client.post(f"{TICKETS}/{number}/articles", json=again, headers=auth["bob"])
    ticket = read(client, auth, "alice", number)
    assert ticket["status"] == "open"
    assert ticket["owner"] == "alice"


def test_etag_and_if_match(client: TestClient, auth: Auth) -> None:
    number = open_as(client, auth, "bob")["number"]
    response = client.get(f"{TICKETS}/{number}", headers=auth["alice"])
    etag = response.headers["ETag"]
    tag = {"tag": "printer"}
    headers = {**auth["alice"], "If-Match": etag}
    assert client.post(f"{TICKETS}/{number}/tags", json=tag, headers=headers).is_success
    stale = client.post(
        f"{TICKETS}/{number}/tags", json={"tag": "fire"}, headers=headers
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["current_version"] == int(etag.strip('"')) + 1


def test_stale_expected_version_is_a_conflict_with_the_current_version(
    client: TestClient, auth: Auth
) -> None:
    number = open_as(client, auth, "bob")["number"]
    response = client.post(
        f"{TICKETS}/{number}/tags?expected_version=1",
        json={"tag": "late"},
        headers=auth["alice"],
    )
    assert response.status_code == 409
    current = read(client, auth, "alice", number)["version"]
    assert response.json()["current_version"] == current


def test_idempotent_retry_returns_the_first_result(
    client: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    headers = {**auth["bob"], "Idempotency-Key": "mail-4711"}
    body = {"title": "Twice", "article": {"body": "Sent twice by the gateway."}}
    first = client.post(TICKETS, json=body, headers=headers)
    position = desk.recorder.max_notification_id()
    second = client.post(TICKETS, json=body, headers=headers)
    assert second.status_code == 201
    assert second.json()["number"] == first.json()["number"]
    assert second.json()["replayed"] is True
    assert desk.recorder.max_notification_id() == position


def test_customers_see_their_organization_but_not_others(
    client: TestClient, auth: Auth
) -> None:
    number = open_as(client, auth, "bob")["number"]
    assert read(client, auth, "dave", number)["customer"] == "bob@acme.test"
    foreign = client.get(f"{TICKETS}/{number}", headers=auth["erin"])
    assert foreign.status_code == 404
    missing = client.get(f"{TICKETS}/19990101000000", headers=auth["erin"])
    assert missing.json()["detail"] == foreign.json()["detail"].replace(
        number, "19990101000000"
    )


def test_hidden_tickets_are_invisible_to_their_customer(
    client: TestClient, auth: Auth
) -> None:
    number = open_as(client, auth, "alice", customer="bob@acme.test", hidden=True)[
        "number"
    ]
    assert client.get(f"{TICKETS}/{number}", headers=auth["bob"]).status_code == 404
    assert read(client, auth, "auditor", number)["hidden"] is True


def test_customers_cannot_write_as_someone_else_or_internally(
    client: TestClient, auth: Auth
) -> None:
    body = {"title": "Spoof", "customer": "erin@example.com", "article": {"body": "x"}}
    assert client.post(TICKETS, json=body, headers=auth["bob"]).status_code == 403
    number = open_as(client, auth, "bob")["number"]
    note = {"body": "secret", "visibility": "internal"}
    response = client.post(
        f"{TICKETS}/{number}/articles", json=note, headers=auth["bob"]
    )
    assert response.status_code == 403


def test_agents_only_work_their_queues(client: TestClient, auth: Auth) -> None:
    number = open_as(client, auth, "bob")["number"]
    assert client.get(f"{TICKETS}/{number}", headers=auth["carol"]).status_code == 404
    body = {"title": "Not mine", "customer": "bob@acme.test", "article": {"body": "x"}}
    assert client.post(TICKETS, json=body, headers=auth["carol"]).status_code == 403


def test_auditors_read_but_never_write(client: TestClient, auth: Auth) -> None:
    number = open_as(client, auth, "bob")["number"]
    assert read(client, auth, "auditor", number)["number"] == number
    response = client.post(
        f"{TICKETS}/{number}/tags", json={"tag": "x"}, headers=auth["auditor"]
    )
    assert response.status_code == 403


def test_no_token_is_401_with_a_challenge(client: TestClient) -> None:
    response = client.get(f"{TICKETS}/1")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    bad = client.get(f"{TICKETS}/1", headers={"Authorization": "Bearer tt_nope"})
    assert bad.status_code == 401


def test_attachments_upload_and_download(client: TestClient, auth: Auth) -> None:
    payload = '{"title": "Screenshot", "article": {"body": "see file"}}'
    files = [("attachments", ("shot.png", b"\x89PNG fake", "image/png"))]
    response = client.post(
        TICKETS, data={"payload": payload}, files=files, headers=auth["bob"]
    )
    assert response.status_code == 201, response.text
    ticket = read(client, auth, "bob", response.json()["number"])
    attachment = ticket["articles"][0]["attachments"][0]
    assert attachment["name"] == "shot.png"
    assert attachment["size"] == len(b"\x89PNG fake")
    download = client.get(attachment["url"], headers=auth["bob"])
    assert download.content == b"\x89PNG fake"
    assert client.get(attachment["url"], headers=auth["erin"]).status_code == 404


def test_oversized_attachment_is_413_and_writes_nothing(
    client: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    position = desk.recorder.max_notification_id()
    payload = '{"title": "Big", "article": {"body": "huge"}}'
    files = [("attachments", ("big.bin", b"x" * (1024 * 1024 + 1), "application/x"))]
    response = client.post(
        TICKETS, data={"payload": payload}, files=files, headers=auth["bob"]
    )
    assert response.status_code == 413
    assert desk.recorder.max_notification_id() == position


def test_unknown_fields_and_values_are_422(client: TestClient, auth: Auth) -> None:
    extra = {"title": "x", "article": {"body": "y"}, "colour": "red"}
    assert client.post(TICKETS, json=extra, headers=auth["bob"]).status_code == 422
    number = open_as(client, auth, "bob")["number"]
    bad = client.post(
        f"{TICKETS}/{number}/priority",
        json={"priority": "urgent!"},
        headers=auth["alice"],
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"


def test_text_bodies_are_415(client: TestClient, auth: Auth) -> None:
    response = client.post(TICKETS, content=b"title=x", headers=auth["bob"])
    assert response.status_code == 415


def test_a_ticket_for_an_unknown_queue_is_an_invalid_value_for_everyone(
    client: TestClient, auth: Auth
) -> None:
    body = {"title": "x", "queue": "Nope", "article": {"body": "b"}}
    for who in ("admin", "alice", "bob"):
        sent = body if who == "bob" else {**body, "customer": "bob@acme.test"}
        response = client.post(TICKETS, json=sent, headers=auth[who])
        assert response.status_code == 422, (who, response.text)
        assert response.json()["code"] == "invalid-value"
