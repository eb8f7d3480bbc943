"""A queue's mail settings through HTTP: acknowledge new tickets or not, and
its templates, which are checked when saved (a broken one is a 422, and
nothing is written)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from domain.desk import HelpDesk
from tests.e2e.memory_desk import Auth

URL = "/api/v1/admin/queues/General"


def position(desk: HelpDesk) -> int:
    return int(desk.recorder.max_notification_id() or 0)


def test_a_queue_acknowledges_and_keeps_its_templates(
    client: TestClient, auth: Auth
) -> None:
    before = client.get(URL, headers=auth["alice"]).json()
    assert (before["acknowledge"], before["mail_templates"]) == (False, {})
    templates = {
        "acknowledgement": "Got it: {{ number }}",
        "reply": "{{ body }}\n-- {{ queue }}",
    }
    body = {"acknowledge": True, "mail_templates": templates}
    changed = client.patch(URL, json=body, headers=auth["admin"])
    assert changed.status_code == 200, changed.text
    assert changed.json()["acknowledge"] is True
    assert changed.json()["mail_templates"] == templates
    # Leaving them out keeps them; an empty template puts the default back.
    kept = client.patch(URL, json={"group": "billing"}, headers=auth["admin"]).json()
    assert kept["mail_templates"] == templates
    reset = {"mail_templates": {"reply": ""}}
    after = client.patch(URL, json=reset, headers=auth["admin"]).json()
    assert after["mail_templates"] == {"acknowledgement": "Got it: {{ number }}"}
    assert after["acknowledge"] is True


@pytest.mark.parametrize(
    "body",
    [
        {"mail_templates": {"reply": "{% for x in %}"}},
        {"mail_templates": {"reply": "{{ body "}},
        {"mail_templates": {"signature": "x"}},
        {"mail_templates": {"reply": "x" * 20_001}},
        {"mail_templates": None},
        {"acknowledge": None},
        {"acknowledge": "yes please"},
    ],
)
def test_a_broken_template_or_setting_is_refused_and_nothing_written(
    client: TestClient, auth: Auth, desk: HelpDesk, body: dict[str, object]
) -> None:
    at = position(desk)
    refused = client.patch(URL, json=body, headers=auth["admin"])
    assert refused.status_code == 422, refused.text
    assert position(desk) == at


def test_only_admins_change_mail_settings(
    client: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    at = position(desk)
    for caller in ("alice", "bob", "auditor", "gateway"):
        response = client.patch(URL, json={"acknowledge": True}, headers=auth[caller])
        assert response.status_code == 403, (caller, response.text)
    assert position(desk) == at
