"""POST /api/v1/inbound/email: a mail gateway hands in raw messages; each one is
an article or a quarantined record, once, and only gateways and admins may."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient

from domain.desk import HelpDesk
from tests.e2e.memory_desk import Auth, MemoryBlobs

URL = "/api/v1/inbound/email"
RFC822 = {"Content-Type": "message/rfc822"}


def mail(
    subject: str = "Printer on fire",
    sender: str = "bob@acme.test",
    message_id: str = "<m1@acme.test>",
    **headers: str,
) -> bytes:
    """A plain message to the support address, as bytes on the wire."""
    message = EmailMessage()
    message["From"] = f"Bob <{sender}>"
    message["To"] = "support@desk.test"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("It smokes.\nPlease help.\n")
    return message.as_bytes()


def hand_in(
    client: TestClient, auth: Auth, raw: bytes, who: str = "gateway"
) -> dict[str, object]:
    response = client.post(URL, content=raw, headers={**auth[who], **RFC822})
    assert response.status_code in (200, 201), response.text
    found: dict[str, object] = response.json()
    return found


def test_a_message_opens_a_ticket_and_keeps_the_original(
    client: TestClient, auth: Auth, desk: HelpDesk, blobs: MemoryBlobs
) -> None:
    raw = mail()
    receipt = hand_in(client, auth, raw)
    assert (receipt["state"], receipt["threaded_by"], receipt["duplicate"]) == (
        "taken",
        "new_ticket",
        False,
    )
    ticket = desk.ticket(str(receipt["number"]))
    [article] = ticket.articles
    assert article.body.startswith("It smokes.")
    assert (article.channel, article.message_id) == ("email", "<m1@acme.test>")
    [original] = article.attachments
    assert blobs.get(original.sha256) == raw
    # The gateway that handed it in is the actor of what was recorded.
    events = list(desk.events.get(ticket.id))
    assert {getattr(e, "actor", None) for e in events} == {"gateway:mx1"}


def test_a_message_handed_in_twice_is_taken_once(
    client: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    first = hand_in(client, auth, mail())
    response = client.post(URL, content=mail(), headers={**auth["gateway"], **RFC822})
    assert response.status_code == 200
    again = response.json()
    assert again["duplicate"] is True
    assert again["number"] == first["number"]
    assert len(desk.ticket(str(first["number"])).articles) == 1


def test_a_reply_threads_by_its_tag(
    client: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    number = hand_in(client, auth, mail())["number"]
    reply = mail(f"Re: [Ticket#{number}] Printer", message_id="<m2@acme.test>")
    receipt = hand_in(client, auth, reply)
    assert (receipt["number"], receipt["threaded_by"]) == (number, "tag")
    assert len(desk.ticket(str(number)).articles) == 2


@pytest.mark.parametrize(
    "raw",
    [b"\x00\xff garbage", b"not a mail at all", b"From: \r\n\r\n"],
)
def test_what_cannot_be_read_is_quarantined_never_refused(
    client: TestClient, auth: Auth, raw: bytes
) -> None:
    receipt = hand_in(client, auth, raw)
    assert receipt["state"] == "quarantined"
    assert receipt["reason"]


def test_a_loop_is_quarantined(client: TestClient, auth: Auth) -> None:
    looped = mail(X_Loop="tickettape@tickettape.invalid")
    assert hand_in(client, auth, looped)["reason"] == "loop"


@pytest.mark.parametrize("who", ["alice", "bob", "auditor", "carol"])
def test_only_gateways_and_admins_hand_in_mail(
    client: TestClient, auth: Auth, who: str
) -> None:
    response = client.post(URL, content=mail(), headers={**auth[who], **RFC822})
    assert response.status_code == 403
    assert client.post(URL, content=mail(), headers=RFC822).status_code == 401
    assert hand_in(client, auth, mail(), "admin")["state"] == "taken"


def test_a_gateway_reads_and_writes_nothing_else(
    client: TestClient, auth: Auth
) -> None:
    number = hand_in(client, auth, mail())["number"]
    for url in (
        f"/api/v1/tickets/{number}",
        f"/api/v1/tickets/{number}/history",
        "/api/v1/admin/queues",
        "/api/v1/admin/tokens",
    ):
        assert client.get(url, headers=auth["gateway"]).status_code == 403, url
    body = {"title": "Printer", "article": {"body": "It smokes"}}
    created = client.post("/api/v1/tickets", json=body, headers=auth["gateway"])
    assert created.status_code == 403


def test_bad_bodies_are_clear_problems(client: TestClient, auth: Auth) -> None:
    empty = client.post(URL, content=b"", headers={**auth["gateway"], **RFC822})
    assert empty.status_code == 422
    json = client.post(URL, json={"raw": "x"}, headers=auth["gateway"])
    assert json.status_code == 415
    assert json.headers["content-type"].startswith("application/problem+json")
