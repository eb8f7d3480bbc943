"""Moments and days at the ends of the calendar are a 422, never a 500.

Python's datetime ends at the years 1 and 9999: a moment there with a zone
offset cannot be turned into UTC, and a default period counted back from one
cannot be made. Every moment and day a request names is checked at the edge
(`api/schemas/moments.py`); these tests find every such query parameter in
the OpenAPI document, so a new one is covered as it comes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from projections.catalogue import all_views
from projections.engine.runner import ViewRunner
from projections.engine.store import SQLiteViewStore
from tests.e2e.hostile_world import World, build_world
from tests.e2e.memory_desk import MemoryBlobs

#: Moments outside the desk's years, the first two not even convertible to UTC.
OUTSIDE = [
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "1969-12-31T23:59:59Z",
    "9000-01-01T00:00:00Z",
    "8999-12-31T23:59:59-14:00",
]
DAYS_OUTSIDE = ["0001-01-01", "9999-12-31", "1969-12-31"]
INSIDE = ["1970-01-01T00:00:00Z", "8999-12-31T23:59:59+14:00"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The hostile-input tests' world, its API with every view."""
    world = build_world()
    store = SQLiteViewStore(tmp_path_factory.mktemp("views") / "views.sqlite3")
    views = ViewRunner(world.desk, store, all_views())
    app = create_app(Services(desk=world.desk, blobs=MemoryBlobs(), views=views))
    with TestClient(app) as client:
        yield replace(world, client=client)
    store.close()


def _format(schema: dict[str, Any]) -> str | None:
    for option in [schema, *schema.get("anyOf", [])]:
        if option.get("format") in ("date-time", "date"):
            return str(option["format"])
    return None


def _dated_parameters(world: World) -> list[tuple[str, str, str]]:
    """(path with existing records, query parameter, its format) of every read."""
    found = []
    for path, items in world.client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        operation = items.get("get")
        if operation is None:
            continue
        for parameter in operation.get("parameters", []):
            kind = _format(parameter.get("schema", {}))
            if parameter["in"] == "query" and kind is not None:
                found.append((_filled(world, path), parameter["name"], kind))
    return found


def _filled(world: World, path: str) -> str:
    segments = path.split("/")
    for i, segment in enumerate(segments):
        if segment.startswith("{"):
            name = segment[1:-1]
            key = name if name in world.existing else f"{segments[i - 1]}/{name}"
            segments[i] = quote(world.existing[key][0], safe="")
    return "/".join(segments)


def _refused(world: World, response: Any, where: list[str]) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    # Other required parameters (a search's words) may be named as well.
    assert where in [error["loc"] for error in response.json()["errors"]]


def test_every_dated_query_parameter_is_found(world: World) -> None:
    names = {name for _, name, _ in _dated_parameters(world)}
    assert {"as_of", "since", "until", "from", "to", "created_after", "day"} <= names


def test_a_moment_or_day_outside_the_desks_years_is_refused(world: World) -> None:
    for path, name, kind in _dated_parameters(world):
        for value in OUTSIDE if kind == "date-time" else DAYS_OUTSIDE:
            url = f"{path}?{name}={quote(value, safe='')}"
            answer = world.client.get(url, headers=world.headers["admin"])
            _refused(world, answer, ["query", name])


def test_moments_inside_the_desks_years_are_taken(world: World) -> None:
    number = world.existing["number"][0]
    for value in INSIDE:
        for url in (
            f"/api/v1/tickets?created_after={quote(value, safe='')}",
            f"/api/v1/tickets/{number}/history?since={quote(value, safe='')}",
            f"/api/v1/activity?until={quote(value, safe='')}",
        ):
            answer = world.client.get(url, headers=world.headers["admin"])
            assert answer.status_code == 200, f"{url}: {answer.text}"


@pytest.mark.parametrize("value", OUTSIDE)
def test_a_task_or_pending_time_outside_the_desks_years_writes_nothing(
    world: World, value: str
) -> None:
    number = world.existing["number"][0]
    before = world.position()
    for path, body, field in (
        ("tasks", {"title": "Call", "assignee": "alice", "due_at": value}, "due_at"),
        ("status", {"status": "postponed", "pending_until": value}, "pending_until"),
    ):
        answer = world.client.post(
            f"/api/v1/tickets/{number}/{path}",
            json=body,
            headers=world.headers["admin"],
        )
        _refused(world, answer, ["body", field])
    assert world.position() == before
