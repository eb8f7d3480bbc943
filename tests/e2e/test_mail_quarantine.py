"""The mail quarantine through HTTP: admins and auditors list it and read a
message and its raw bytes, admins discard; customers and agents are refused."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from domain.desk import HelpDesk
from domain.mail import mail_id
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewStore
from projections.mail.view import MailView
from tests.e2e.held_mail import raw_message, receive
from tests.e2e.memory_desk import Auth, MemoryBlobs, read

URL = "/api/v1/admin/mail/quarantine"


@pytest.fixture
def views(desk: HelpDesk, view_store: ViewStore) -> ViewRunner:
    """The mail view."""
    return ViewRunner(desk, view_store, [MailView()], batch_size=5)


@pytest.fixture
def held(desk: HelpDesk, blobs: MemoryBlobs, views: ViewRunner) -> list[UUID]:
    """Three quarantined messages, oldest first, and one taken; the view caught up."""
    ids = [receive(desk, blobs, n) for n in range(3)]
    receive(desk, blobs, 9, sender="bob@acme.test")
    views.catch_up()
    return ids


def discard(api: TestClient, auth: Auth, record_id: UUID, **body: Any) -> Any:
    """POST a discard as the admin; the response."""
    payload = body or {"reason": "spam"}
    return api.post(f"{URL}/{record_id}/discard", json=payload, headers=auth["admin"])


def log_position(desk: HelpDesk) -> int:
    """The last position of the log: a refused write leaves it where it was."""
    return int(desk.recorder.max_notification_id() or 0)


@pytest.mark.parametrize("who", ["admin", "auditor"])
def test_admins_and_auditors_read_the_quarantine_newest_first(
    api: TestClient, auth: Auth, held: list[UUID], who: str
) -> None:
    page = read(api, URL, auth[who])
    assert [item["subject"] for item in page["items"]] == [
        "Offer 2",
        "Offer 1",
        "Offer 0",
    ]
    assert (page["total"], page["next_cursor"], page["caught_up"]) == (3, None, True)
    newest = page["items"][0]
    raw = raw_message(2, "offers@spam.test")
    assert newest["id"] == str(held[2])
    assert (newest["sender"], newest["state"], newest["reason"]) == (
        "offers@spam.test",
        "quarantined",
        "refused_sender",
    )
    assert newest["detail"]
    assert newest["raw_size"] == len(raw)
    assert newest["received_at"] == newest["changed_at"]
    assert read(api, f"{URL}/{held[2]}", auth[who]) == newest
    taken = read(api, URL, auth[who], state="taken")
    assert [item["subject"] for item in taken["items"]] == ["Offer 9"]
    assert taken["items"][0]["number"]
    assert read(api, URL, auth[who], state="discarded")["items"] == []


def test_pages_walk_the_quarantine_once(
    api: TestClient, auth: Auth, held: list[UUID]
) -> None:
    first = read(api, URL, auth["admin"], limit=2)
    second = read(api, URL, auth["admin"], limit=2, cursor=first["next_cursor"])
    assert [i["id"] for i in first["items"] + second["items"]] == [
        str(i) for i in reversed(held)
    ]
    assert (first["total"], second["total"], second["next_cursor"]) == (3, 3, None)


@pytest.mark.parametrize("who", ["admin", "auditor"])
def test_the_raw_message_comes_byte_for_byte(
    api: TestClient, auth: Auth, held: list[UUID], who: str
) -> None:
    response = api.get(f"{URL}/{held[0]}/raw", headers=auth[who])
    assert response.status_code == 200, response.text
    assert response.content == raw_message(0, "offers@spam.test")
    assert response.headers["content-type"].startswith("message/rfc822")
    assert response.headers["content-disposition"].startswith("attachment")


def test_a_discard_sets_the_message_aside_and_the_list_agrees(
    api: TestClient, auth: Auth, desk: HelpDesk, held: list[UUID], views: ViewRunner
) -> None:
    response = discard(api, auth, held[1], reason="Obvious spam")
    assert response.status_code == 200, response.text
    gone = response.json()
    assert (gone["id"], gone["state"], gone["reason"], gone["detail"]) == (
        str(held[1]),
        "discarded",
        "refused_sender",
        "Obvious spam",
    )
    after = gone.pop("position")
    assert after == log_position(desk)
    stale = read(api, URL, auth["admin"], after=after, wait=0)
    assert not stale["caught_up"], "the view has not read the discard yet"
    views.catch_up()
    listed = read(api, URL, auth["admin"], after=after, wait=0, state="discarded")
    assert (listed["items"], listed["caught_up"]) == ([gone], True)
    held_now = read(api, URL, auth["admin"], after=after, wait=0)
    assert [i["id"] for i in held_now["items"]] == [str(held[2]), str(held[0])]
    assert read(api, f"{URL}/{held[1]}", auth["auditor"]) == gone


def test_only_a_quarantined_message_can_be_discarded(
    api: TestClient, auth: Auth, desk: HelpDesk, held: list[UUID]
) -> None:
    assert discard(api, auth, held[0]).status_code == 200
    before = log_position(desk)
    again = discard(api, auth, held[0])
    assert again.status_code == 409, again.text
    assert "discarded, not quarantined" in again.json()["detail"]
    taken = read(api, URL, auth["admin"], state="taken")["items"][0]["id"]
    assert discard(api, auth, taken).status_code == 409
    assert log_position(desk) == before


def test_a_retry_on_todays_settings_takes_the_message_onto_a_ticket(
    api: TestClient, auth: Auth, desk: HelpDesk, held: list[UUID], views: ViewRunner
) -> None:
    # The held messages came from a sender refused then; today's settings (the
    # default terms) refuse nobody.
    response = api.post(f"{URL}/{held[1]}/retry", headers=auth["admin"])
    assert response.status_code == 200, response.text
    taken = response.json()
    assert (taken["id"], taken["state"], taken["number"]) == (
        str(held[1]),
        "taken",
        taken["number"],
    )
    assert taken["number"]
    assert taken["article_id"]
    assert taken["position"] == log_position(desk)
    ticket = read(api, f"/api/v1/tickets/{taken['number']}", auth["admin"])
    assert ticket["title"] == "Offer 1"
    views.catch_up()
    still_held = read(api, URL, auth["admin"])
    assert [i["id"] for i in still_held["items"]] == [str(held[2]), str(held[0])]
    before = log_position(desk)
    again = api.post(f"{URL}/{held[1]}/retry", headers=auth["admin"])
    assert again.status_code == 409, again.text
    assert log_position(desk) == before


def test_a_retry_that_fails_again_keeps_the_message_with_todays_reason(
    api: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    raw = b"To: support@desk.test\r\nSubject: Who am I\r\n\r\nNo sender.\r\n"
    sent = api.post(
        "/api/v1/inbound/email",
        content=raw,
        headers={**auth["gateway"], "Content-Type": "message/rfc822"},
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["reason"] == "no_sender"
    record_id = mail_id(sent.json()["key"])
    response = api.post(f"{URL}/{record_id}/retry", headers=auth["admin"])
    assert response.status_code == 200, response.text
    kept = response.json()
    assert (kept["state"], kept["reason"], kept["number"]) == (
        "quarantined",
        "no_sender",
        None,
    )
    assert kept["position"] == log_position(desk)
    # Quarantined, then requarantined: the retry is in the record's history.
    assert desk.repository.get(record_id).version == 2


def test_a_retry_needs_the_raw_bytes_and_an_admin(
    api: TestClient, auth: Auth, desk: HelpDesk, blobs: MemoryBlobs, held: list[UUID]
) -> None:
    before = log_position(desk)
    for who in ("auditor", "alice", "carol", "gateway"):
        refused = api.post(f"{URL}/{held[0]}/retry", headers=auth[who])
        assert refused.status_code == 403, (who, refused.text)
    assert api.post(f"{URL}/{uuid4()}/retry", headers=auth["admin"]).status_code == 404
    blobs.blobs.clear()
    missing = api.post(f"{URL}/{held[0]}/retry", headers=auth["admin"])
    assert missing.status_code == 404, missing.text
    assert "blob store" in missing.json()["detail"]
    assert log_position(desk) == before


@pytest.mark.parametrize("who", ["alice", "carol", "bob", "erin", "gateway"])
def test_customers_agents_and_gateways_are_refused(
    api: TestClient, auth: Auth, desk: HelpDesk, held: list[UUID], who: str
) -> None:
    before = log_position(desk)
    for path in (URL, f"{URL}/{held[0]}", f"{URL}/{held[0]}/raw"):
        assert api.get(path, headers=auth[who]).status_code == 403, path
    refused = api.post(
        f"{URL}/{held[0]}/discard", json={"reason": "x"}, headers=auth[who]
    )
    assert refused.status_code == 403
    assert log_position(desk) == before


def test_an_auditor_may_not_discard(
    api: TestClient, auth: Auth, desk: HelpDesk, held: list[UUID]
) -> None:
    before = log_position(desk)
    refused = api.post(
        f"{URL}/{held[0]}/discard", json={"reason": "x"}, headers=auth["auditor"]
    )
    assert refused.status_code == 403
    assert log_position(desk) == before


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "%%%"},
        {"cursor": "WyJ0YXNrcyIsMCwxXQ"},
        {"state": "held"},
        {"limit": 0},
        {"limit": 201},
        {"colour": "red"},
    ],
)
def test_a_bad_list_query_is_refused(
    api: TestClient, auth: Auth, held: list[UUID], params: dict[str, Any]
) -> None:
    response = api.get(URL, params=params, headers=auth["admin"])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_an_unknown_or_malformed_id_is_refused(
    api: TestClient, auth: Auth, desk: HelpDesk, held: list[UUID]
) -> None:
    for path in ("", "/raw"):
        unknown = api.get(f"{URL}/{uuid4()}{path}", headers=auth["admin"])
        assert unknown.status_code == 404, unknown.text
        malformed = api.get(f"{URL}/not-a-uuid{path}", headers=auth["admin"])
        assert malformed.status_code == 422, malformed.text
    before = log_position(desk)
    assert discard(api, auth, uuid4()).status_code == 404
    assert log_position(desk) == before


@pytest.mark.parametrize(
    "body",
    [{}, {"reason": ""}, {"reason": "x" * 1001}, {"reason": "sp\x00am"}, {"why": "x"}],
)
def test_a_bad_discard_writes_nothing(
    api: TestClient, auth: Auth, desk: HelpDesk, held: list[UUID], body: Any
) -> None:
    before = log_position(desk)
    response = api.post(f"{URL}/{held[0]}/discard", json=body, headers=auth["admin"])
    assert response.status_code == 422, response.text
    assert log_position(desk) == before


def test_a_raw_message_missing_from_the_blob_store_is_not_found(
    api: TestClient, auth: Auth, blobs: MemoryBlobs, held: list[UUID]
) -> None:
    blobs.blobs.clear()
    response = api.get(f"{URL}/{held[0]}/raw", headers=auth["admin"])
    assert response.status_code == 404, response.text
    assert "blob store" in response.json()["detail"]
