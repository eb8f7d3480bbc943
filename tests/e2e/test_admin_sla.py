"""Business calendars and SLA policies through the admin API, for each role."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.calendars import BusinessCalendar
from domain.desk import HelpDesk
from domain.ids import calendar_id, sla_policy_id
from tests.e2e.memory_desk import Auth

ADMIN = "/api/v1/admin"
CALENDARS = f"{ADMIN}/calendars"
POLICIES = f"{ADMIN}/sla-policies"
BERLIN: dict[str, Any] = {
    "name": "Berlin office",
    "time_zone": "Europe/Berlin",
    "hours": {"monday": ["13:00-17:00", "09:00-12:00"], "friday": ["09:00-24:00"]},
    "holidays": ["2026-12-24", "2026-12-25"],
    "holiday_preset": {"country": "DE", "subdivision": "BY", "years": [2026]},
}
STANDARD: dict[str, Any] = {
    "name": "Standard",
    "rank": 10,
    "calendar": "Berlin office",
    "targets": {"high": {"first_response": 60, "update": 240, "solution": 1440}},
    "warn_percent": 80,
    "pause_categories": ["pending"],
    "applies_to": {"queues": ["general"], "types": [], "priorities": []},
    "active": True,
}


def log_position(desk: HelpDesk) -> int:
    """The id of the last notification in the log."""
    return int(desk.recorder.max_notification_id() or 0)


def define(client: TestClient, auth: Auth, url: str, body: dict[str, Any]) -> Any:
    """Create a record as the admin; the JSON of the 201 answer."""
    response = client.post(url, json=body, headers=auth["admin"])
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def berlin(client: TestClient, auth: Auth) -> dict[str, Any]:
    """The calendar "Berlin office", as the API answered its creation."""
    created: dict[str, Any] = define(client, auth, CALENDARS, BERLIN)
    return created


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/calendars", {"name": "Everywhere"}),
        ("PATCH", "/calendars/Berlin office", {"active": False}),
        ("POST", "/sla-policies", {"name": "Fast", "targets": {"high": {"update": 5}}}),
        ("PATCH", "/sla-policies/Standard", {"rank": 1}),
    ],
)
def test_only_admins_write_calendars_and_policies(
    client: TestClient,
    auth: Auth,
    desk: HelpDesk,
    berlin: dict[str, Any],
    method: str,
    path: str,
    body: dict[str, Any],
) -> None:
    define(client, auth, POLICIES, STANDARD)
    before = log_position(desk)
    for who in ("alice", "carol", "bob", "auditor"):
        response = client.request(method, ADMIN + path, json=body, headers=auth[who])
        assert response.status_code == 403, (who, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert log_position(desk) == before
    response = client.request(method, ADMIN + path, json=body, headers=auth["admin"])
    assert response.is_success, response.text


@pytest.mark.parametrize(
    "path",
    [
        "/calendars",
        "/calendars/Berlin office",
        "/sla-policies",
        "/sla-policies/Standard",
    ],
)
def test_staff_read_calendars_and_policies_and_customers_do_not(
    client: TestClient, auth: Auth, berlin: dict[str, Any], path: str
) -> None:
    define(client, auth, POLICIES, STANDARD)
    for who in ("admin", "alice", "carol", "auditor"):
        assert client.get(ADMIN + path, headers=auth[who]).status_code == 200, who
    for who in ("bob", "erin"):
        refused = client.get(ADMIN + path, headers=auth[who])
        assert refused.status_code == 403, who
    assert client.get(ADMIN + path).status_code == 401


def test_an_admin_defines_a_calendar_with_a_holiday_preset(
    client: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    response = client.post(CALENDARS, json=BERLIN, headers=auth["admin"])

    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"{CALENDARS}/Berlin%20office"
    assert response.headers["ETag"] == '"1"'
    calendar = response.json()
    assert calendar["hours"] == {
        "monday": ["09:00-12:00", "13:00-17:00"],
        "tuesday": [],
        "wednesday": [],
        "thursday": [],
        "friday": ["09:00-24:00"],
        "saturday": [],
        "sunday": [],
    }
    # Bavaria's 2026 holidays, with the explicit dates merged in.
    assert {"2026-01-06", "2026-11-01", "2026-12-24", "2026-12-25"} <= set(
        calendar["holidays"]
    )
    assert calendar["holidays"] == sorted(set(calendar["holidays"]))
    assert (calendar["holiday_preset"], calendar["active"]) == ("DE-BY", True)
    assert client.get(response.headers["Location"], headers=auth["alice"]).json() == (
        calendar
    )
    # The event carries the dates, so a replay never asks the holidays package.
    created = next(iter(desk.events.get(calendar_id("Berlin office"))))
    assert isinstance(created, BusinessCalendar.Created)
    assert created.holidays == calendar["holidays"]
    assert created.actor == "admin:root"


def test_a_calendar_open_all_the_time(client: TestClient, auth: Auth) -> None:
    body = {"name": "Always", "hours": "24/7"}
    calendar = define(client, auth, CALENDARS, body)
    assert list(calendar["hours"].values()) == [["00:00-24:00"]] * 7
    assert (calendar["time_zone"], calendar["holidays"]) == ("UTC", [])
    assert calendar["holiday_preset"] is None


def test_reconfiguring_a_calendar_keeps_what_the_patch_leaves_out(
    client: TestClient, auth: Auth, berlin: dict[str, Any]
) -> None:
    url = f"{CALENDARS}/berlin OFFICE"
    zone = client.patch(url, json={"time_zone": "Europe/Vienna"}, headers=auth["admin"])
    assert zone.status_code == 200, zone.text
    assert zone.json() | {"time_zone": "Europe/Berlin", "version": 1} == berlin | {
        "updated_at": zone.json()["updated_at"]
    }
    dates = {"holidays": ["2027-01-01"], "holiday_preset": None}
    changed = client.patch(url, json=dates, headers=auth["admin"])
    assert changed.status_code == 200, changed.text
    assert changed.json()["holidays"] == ["2027-01-01"]
    assert changed.json()["holiday_preset"] is None
    assert changed.json()["hours"] == berlin["hours"]
    assert changed.headers["ETag"] == '"3"'


def test_calendar_changes_check_the_version(
    client: TestClient, auth: Auth, berlin: dict[str, Any]
) -> None:
    url = f"{CALENDARS}/Berlin office"
    first = client.patch(
        url, json={"active": False}, headers={**auth["admin"], "If-Match": '"1"'}
    )
    assert first.status_code == 200, first.text
    stale = client.patch(
        url, json={"hours": "24/7"}, headers={**auth["admin"], "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    conflict = client.patch(
        f"{url}?expected_version=1", json={"hours": "24/7"}, headers=auth["admin"]
    )
    assert conflict.status_code == 409
    assert client.get(url, headers=auth["admin"]).json()["hours"] == berlin["hours"]


def week(monday: list[str]) -> dict[str, Any]:
    """A calendar body open only on Monday, in these ranges."""
    return {"name": "Odd", "hours": {"monday": monday}}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"name": "Odd", "time_zone": "Mars/Olympus"}, "unknown time zone"),
        ({"name": "Odd", "time_zone": "Europe"}, "unknown time zone"),
        ({"name": "Odd", "time_zone": "x" * 5000}, ""),
        (week(["25:00-26:00"]), "bad time 25:00"),
        (week(["09:00-12:00", "11:00-13:00"]), "overlaps"),
        (week(["12:00-09:00"]), "must end after it starts"),
        (week(["9-5"]), "HH:MM-HH:MM"),
        (week([]), "at least one weekday"),
        (week(["09:00\x00"]), "NUL"),
        ({"name": "Odd\x00"}, "NUL"),
        ({"name": "Odd/Even"}, "'/'"),
        ({"name": "Odd", "hours": "24/5"}, ""),
        ({"name": "Odd", "hours": {"someday": ["09:00-17:00"]}}, ""),
        ({"name": "Odd", "holidays": ["2026-02-30"]}, ""),
        ({"name": "Odd", "holiday_preset": {"country": "XX", "years": [2026]}}, "XX"),
        (
            {"name": "Odd", "holiday_preset": {"country": "DE", "subdivision": "ZZ"}},
            "",
        ),
        (
            {
                "name": "Odd",
                "holiday_preset": {"country": "DE", "subdivision": "ZZ", "years": [1]},
            },
            "",
        ),
        (
            {
                "name": "Odd",
                "holiday_preset": {
                    "country": "DE",
                    "subdivision": "ZZ",
                    "years": [2026],
                },
            },
            "DE-ZZ",
        ),
        (
            {"name": "Odd", "holiday_preset": {"country": "DE", "years": [10**20]}},
            "",
        ),
        ({"name": "Odd", "colour": "red"}, ""),
    ],
)
def test_a_hostile_calendar_is_422_and_writes_nothing(
    client: TestClient, auth: Auth, desk: HelpDesk, body: dict[str, Any], says: str
) -> None:
    before = log_position(desk)
    response = client.post(CALENDARS, json=body, headers=auth["admin"])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert says in response.text
    assert log_position(desk) == before


def test_an_admin_defines_a_policy(
    client: TestClient, auth: Auth, desk: HelpDesk, berlin: dict[str, Any]
) -> None:
    response = client.post(POLICIES, json=STANDARD, headers=auth["admin"])

    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"{POLICIES}/Standard"
    policy = response.json()
    assert {**policy, **STANDARD, "applies_to": policy["applies_to"]} == policy
    assert policy["applies_to"] == {
        "queues": ["General"],
        "types": [],
        "priorities": [],
        "organizations": [],
    }
    assert policy["warn_before_minutes"] is None
    assert client.get(f"{POLICIES}/STANDARD", headers=auth["carol"]).json() == policy
    assert desk.sla_policy("Standard").id == sla_policy_id("Standard")


def test_a_policy_needs_only_a_name_and_targets(client: TestClient, auth: Auth) -> None:
    body = {"name": "Plain", "targets": {"normal": {"solution": 480}}}
    policy = define(client, auth, POLICIES, body)
    assert policy["targets"] == {
        "normal": {"first_response": None, "update": None, "solution": 480}
    }
    assert (policy["rank"], policy["calendar"]) == (100, None)
    assert (policy["warn_percent"], policy["warn_before_minutes"]) == (80, None)
    assert policy["pause_categories"] == ["pending"]


def test_policies_are_listed_in_the_order_they_are_tried(
    client: TestClient, auth: Auth
) -> None:
    for name, rank in (("beta", 5), ("Alpha", 5), ("first", 1)):
        body = {"name": name, "rank": rank, "targets": {"high": {"solution": 60}}}
        define(client, auth, POLICIES, body)
    listed = client.get(POLICIES, headers=auth["alice"]).json()
    assert [p["name"] for p in listed["items"]] == ["first", "Alpha", "beta"]
    assert listed["total"] == 3


def policy_with(**changes: Any) -> dict[str, Any]:
    """The Standard policy's body with some fields changed."""
    return {**STANDARD, **changes}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (policy_with(calendar="Nowhere"), "unknown calendar"),
        (policy_with(targets={"urgent": {"solution": 60}}), "unknown priority"),
        (policy_with(applies_to={"priorities": ["p1"]}), "unknown priority"),
        (policy_with(applies_to={"queues": ["Nowhere"]}), "unknown queue"),
        (policy_with(applies_to={"types": ["chat"]}), "unknown ticket type"),
        (policy_with(applies_to={"organizations": ["Initech"]}), "Initech"),
        (policy_with(warn_before_minutes=30), "not both"),
        (policy_with(warn_percent=0), ""),
        (policy_with(warn_percent=100), ""),
        (policy_with(targets={"high": {"solution": 10**12}}), ""),
        (policy_with(targets={"high": {"solution": -5}}), ""),
        (policy_with(targets={"high": {"solution": 525_601}}), ""),
        (policy_with(targets={"high": {"solution": "soon"}}), ""),
        (policy_with(targets={"high": {}}), "at least one clock"),
        (policy_with(targets={}), ""),
        (policy_with(rank=-1), ""),
        (policy_with(rank=10**30), ""),
        (policy_with(pause_categories=["closed"]), ""),
        (policy_with(name="Fast\x00"), "NUL"),
        (policy_with(targets={"hi\x00gh": {"solution": 5}}), "NUL"),
        (policy_with(name="a/b"), "'/'"),
        (policy_with(applies_to={"queues": ["General"], "teams": []}), ""),
    ],
)
def test_a_hostile_policy_is_422_and_writes_nothing(
    client: TestClient,
    auth: Auth,
    desk: HelpDesk,
    berlin: dict[str, Any],
    body: dict[str, Any],
    says: str,
) -> None:
    before = log_position(desk)
    response = client.post(POLICIES, json=body, headers=auth["admin"])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert says in response.text
    assert log_position(desk) == before


def test_reconfiguring_a_policy(
    client: TestClient, auth: Auth, berlin: dict[str, Any]
) -> None:
    define(client, auth, POLICIES, STANDARD)
    url = f"{POLICIES}/Standard"

    warning = client.patch(url, json={"warn_before_minutes": 30}, headers=auth["admin"])
    assert warning.status_code == 200, warning.text
    assert (warning.json()["warn_percent"], warning.json()["warn_before_minutes"]) == (
        None,
        30,
    )
    targets = {"targets": {"normal": {"solution": 600}}, "calendar": None}
    changed = client.patch(url, json=targets, headers=auth["admin"]).json()
    assert changed["targets"] == {
        "normal": {"first_response": None, "update": None, "solution": 600}
    }
    assert changed["calendar"] is None
    assert changed["applies_to"]["queues"] == ["General"]
    assert (changed["rank"], changed["version"]) == (10, 3)
    for bad in ({"rank": None}, {"warn_percent": None}, {"targets": None}):
        refused = client.patch(url, json=bad, headers=auth["admin"])
        assert refused.status_code == 422, (bad, refused.text)
    missing = client.patch(
        f"{POLICIES}/Nowhere", json={"rank": 1}, headers=auth["admin"]
    )
    assert missing.status_code == 404


def test_policy_changes_check_the_version(
    client: TestClient, auth: Auth, berlin: dict[str, Any]
) -> None:
    define(client, auth, POLICIES, STANDARD)
    url = f"{POLICIES}/Standard"
    etag = client.get(url, headers=auth["admin"]).headers["ETag"]
    first = client.patch(
        url, json={"rank": 1}, headers={**auth["admin"], "If-Match": etag}
    )
    assert first.status_code == 200
    stale = client.patch(
        url, json={"rank": 2}, headers={**auth["admin"], "If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert client.get(url, headers=auth["admin"]).json()["rank"] == 1


def test_a_retried_definition_is_stored_once(
    client: TestClient, auth: Auth, desk: HelpDesk, berlin: dict[str, Any]
) -> None:
    keyed = {**auth["admin"], "Idempotency-Key": "sla-standard-1"}
    first = client.post(POLICIES, json=STANDARD, headers=keyed)
    position = log_position(desk)
    again = client.post(POLICIES, json=STANDARD, headers=keyed)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert log_position(desk) == position
    other = client.post(POLICIES, json=policy_with(rank=3), headers=keyed)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency-key-reused"


def test_unknown_calendars_and_policies_are_404(client: TestClient, auth: Auth) -> None:
    for url in (f"{CALENDARS}/Nowhere", f"{POLICIES}/Nowhere"):
        assert client.get(url, headers=auth["alice"]).status_code == 404


def test_a_queue_opts_in_to_showing_customers_the_solution_due_time(
    client: TestClient, auth: Auth
) -> None:
    url = f"{ADMIN}/queues/General"
    assert client.get(url, headers=auth["alice"]).json()["show_solution_due"] is False

    shown = client.patch(url, json={"show_solution_due": True}, headers=auth["admin"])

    assert shown.status_code == 200, shown.text
    assert shown.json()["show_solution_due"] is True
    assert shown.json()["follow_up"] == "reopen"
    kept = client.patch(url, json={"group": "billing"}, headers=auth["admin"]).json()
    assert kept["show_solution_due"] is True
    refused = client.patch(url, json={"show_solution_due": None}, headers=auth["admin"])
    assert refused.status_code == 422


def test_the_documented_examples_are_accepted(client: TestClient, auth: Auth) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for url, schema in ((CALENDARS, "CalendarIn"), (POLICIES, "SlaPolicyIn")):
        (example,) = schemas[schema]["examples"]
        response = client.post(url, json=example, headers=auth["admin"])
        assert response.status_code == 201, response.text
    for schema in ("CalendarPatch", "SlaPolicyPatch"):
        assert schemas[schema]["examples"]
